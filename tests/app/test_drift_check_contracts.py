"""The cleanup's drift check, called as the cleanup calls it (issue 29): which stacks are
checked, what a checked row holds (a failed check, a failed mark), the note a PR gets and the
answers of the mark, and ``cleanup_workers`` checks at a time. GitHub is the test server,
the stacks the stacks double."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from showtime_iac.adapters.stacks.drift import DriftItem
from showtime_iac.app import wiring
from showtime_iac.app.drift_check import check_drift, drift_targets, mark_drift
from showtime_iac.core.comment import MARKER
from showtime_iac.core.model import PrInfo, ShowtimeError
from showtime_iac.settings import Settings
from tests.doubles import FakeLive, FakeStacks, against_server, use_doubles
from tests.github_api_server import GitHubServer

BOT = "github-actions[bot]"
NOW = datetime(2026, 3, 4, 5, 6, tzinfo=UTC)
A, B = "a" * 40, "b" * 40
ITEM = DriftItem(
    "refresh", "update", "aws:cloudwatch/logGroup:LogGroup", "log-group", ("retentionInDays",)
)
LINE = (
    "pr-1-aaaaaaa: update aws:cloudwatch/logGroup:LogGroup log-group (retentionInDays): "
    "changed outside Pulumi"
)
NOTE = (
    "<!-- showtime:drift -->\n"
    "> [!WARNING]\n"
    "> **Drift** on `pr-1-aaaaaaa` (2026-03-04 05:06 UTC): 1 resource differ from the stack. "
    "`showtime-iac drift 1` shows them; a redeploy (`showtime-iac up 1`) puts the stack's "
    "version back.\n"
    f"> - `{LINE}`\n"
    "<!-- /showtime:drift -->"
)


def pr(number: int, *labels: str, state: str = "open") -> PrInfo:
    return PrInfo(number, state, "f" * 40, tuple(labels))  # type: ignore[arg-type]


def active(sha7: str) -> tuple[str, str]:
    return (f"🎪 {sha7} 🚦 running", f"🎪 🎯 {sha7}")


# -- which stacks --------------------------------------------------------------------------


def test_the_targets_are_the_open_prs_active_stacks_and_the_baselines() -> None:
    stacks = [
        "not-a-stack",  # not ours: skipped, the next ones still looked at
        "pr-9-9999999",  # gone this run
        "pr-1-aaaaaaa",
        "pr-2-bbbbbbb",  # PR 2 is closed
        "pr-3-ccccccc",  # PR 3's active stack is another one
        "pr-3-ddddddd",
        "pr-0-eeeeeee",
    ]
    prs = [
        pr(1, *active("aaaaaaa")),
        pr(2, *active("bbbbbbb"), state="closed"),
        pr(3, *active("ddddddd")),
        pr(4),  # open, no environment
        pr(9, *active("9999999")),
    ]
    assert drift_targets(stacks, {"pr-9-9999999"}, prs) == [
        (1, "aaaaaaa"),
        (3, "ddddddd"),
        (0, "eeeeeee"),
    ]


# -- the rows ------------------------------------------------------------------------------


@pytest.fixture
def ports(
    ghserver: GitHubServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> tuple[GitHubServer, FakeStacks, Any]:
    stacks = FakeStacks(existing={"pr-1-aaaaaaa", "pr-2-bbbbbbb", "pr-0-eeeeeee"})
    against_server(monkeypatch, ghserver.env(), tmp_path)
    use_doubles(monkeypatch, stacks, FakeLive())
    return ghserver, stacks, wiring.open_ports(Settings.from_env())


def status_body(gh: GitHubServer, number: int) -> str:
    [body] = [c["body"] for c in gh.comments_of(number) if MARKER in c["body"]]
    return str(body)


def test_one_at_a_time_each_row_whole_and_the_note_whole(
    ports: tuple[GitHubServer, FakeStacks, Any],
) -> None:
    gh, stacks, p = ports
    gh.add_pr(1, head_sha=A)
    gh.add_pr(2, head_sha=B)
    gh.add_comment(1, f"{MARKER}\n🎪 running", author=BOT)
    stacks.drifts = {
        "pr-1-aaaaaaa": [ITEM],
        "pr-2-bbbbbbb": ShowtimeError("refresh preview failed: boom"),
    }
    rows = check_drift(p, [(1, "aaaaaaa"), (2, "bbbbbbb"), (0, "eeeeeee")], NOW, False, 1)
    assert rows == [
        {
            "stack": "pr-1-aaaaaaa",
            "pr": 1,
            "drifted": True,
            "resources": [LINE],
            "error": None,
            "marked": "noted on the PR",
        },
        {
            "stack": "pr-2-bbbbbbb",
            "pr": 2,
            "drifted": None,
            "resources": [],
            "error": "refresh preview failed: boom",
            "marked": "",
        },
        {
            "stack": "pr-0-eeeeeee",
            "pr": 0,
            "drifted": False,
            "resources": [],
            "error": None,
            "marked": "",
        },
    ]
    assert status_body(gh, 1) == f"{MARKER}\n🎪 running\n\n{NOTE}\n"
    assert stacks.events == ["drift pr-1-aaaaaaa", "drift pr-2-bbbbbbb", "drift pr-0-eeeeeee"]


def test_a_mark_that_fails_is_the_rows_answer(
    ports: tuple[GitHubServer, FakeStacks, Any],
) -> None:
    gh, stacks, p = ports
    gh.add_pr(1, head_sha=A)
    gh.add_comment(1, f"{MARKER}\n🎪 running", author=BOT)
    stacks.drifts = {"pr-1-aaaaaaa": [ITEM]}
    gh.fail("PATCH", r"/issues/comments/\d+$", 422, times=10)
    rows = check_drift(p, [(1, "aaaaaaa")], NOW, False)
    assert rows == [
        {
            "stack": "pr-1-aaaaaaa",
            "pr": 1,
            "drifted": True,
            "resources": [LINE],
            "error": None,
            "marked": "failed: GitHub failed to edit the status comment of PR #1 (422: scripted)",
        }
    ]


# -- the mark's answers ----------------------------------------------------------------------


def test_the_marks_answer_for_each_case(ports: tuple[GitHubServer, FakeStacks, Any]) -> None:
    gh, _stacks, p = ports
    gh.add_pr(1, head_sha=A)
    gh.add_pr(2, head_sha=B)  # no status comment of ours
    assert mark_drift(p.github, 2, "pr-2-bbbbbbb", ["x"], NOW, False) == (
        "no status comment to mark"
    )
    assert mark_drift(p.github, 2, "pr-2-bbbbbbb", [], NOW, False) == ""
    gh.add_comment(1, f"{MARKER}\n🎪 running\n", author=BOT)
    assert mark_drift(p.github, 1, "pr-1-aaaaaaa", [], NOW, False) == ""  # no note, none to take
    assert mark_drift(p.github, 1, "pr-1-aaaaaaa", [LINE], NOW, True) == "would note it on the PR"
    assert status_body(gh, 1) == f"{MARKER}\n🎪 running\n"
    assert mark_drift(p.github, 1, "pr-1-aaaaaaa", [LINE], NOW, False) == "noted on the PR"
    assert status_body(gh, 1) == f"{MARKER}\n🎪 running\n\n{NOTE}\n"
    assert mark_drift(p.github, 1, "pr-1-aaaaaaa", [LINE], NOW, False) == ""  # already there
    assert mark_drift(p.github, 1, "pr-1-aaaaaaa", [], NOW, True) == (
        "would take the note off the PR"
    )
    assert mark_drift(p.github, 1, "pr-1-aaaaaaa", [], NOW, False) == "note taken off the PR"
    assert status_body(gh, 1) == f"{MARKER}\n🎪 running\n"


# -- workers at a time ---------------------------------------------------------------------


class Overlapping(FakeStacks):
    """The stacks double, counting the checks in flight at once; each check waits for a
    second one (``pair``) so that two workers are seen to overlap."""

    def __init__(self, existing: set[str], pair: bool) -> None:
        super().__init__(existing=existing)
        self.lock = threading.Lock()
        self.now = self.most = 0
        self.barrier = threading.Barrier(2, timeout=5) if pair else None

    def drift(self, pr: int, sha: str) -> Any:
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
        try:
            if self.barrier is not None:
                self.barrier.wait()
            time.sleep(0.3)
            return super().drift(pr, sha)
        finally:
            with self.lock:
                self.now -= 1


TARGETS = [(0, "1111111"), (0, "2222222"), (0, "3333333"), (0, "4444444")]


@pytest.mark.parametrize(("workers", "pair", "most"), [(1, False, 1), (2, True, 2)])
def test_workers_checks_at_a_time(workers: int, pair: bool, most: int) -> None:
    stacks = Overlapping({f"pr-0-{sha}" for _, sha in TARGETS}, pair)
    p: Any = wiring.Ports(github=None, stacks=stacks, live=None)  # type: ignore[arg-type]
    rows = check_drift(p, TARGETS, NOW, False, workers)
    assert [(r["stack"], r["drifted"]) for r in rows] == [(f"pr-0-{s}", False) for _, s in TARGETS]
    assert stacks.most == most


def test_two_targets_two_workers_overlap() -> None:
    stacks = Overlapping({"pr-0-1111111", "pr-0-2222222"}, True)
    p: Any = wiring.Ports(github=None, stacks=stacks, live=None)  # type: ignore[arg-type]
    rows = check_drift(p, TARGETS[:2], NOW, False, 2)
    assert [r["stack"] for r in rows] == ["pr-0-1111111", "pr-0-2222222"]
    assert stacks.most == 2
