"""``cleanup --drift`` (issue 27), wired with the stacks double (the engine's own drift check is
tested on the real Pulumi CLI in tests/adapters/stacks/test_drift.py): which stacks are
checked, the note on a drifted PR's status comment and its removal, a dry run that writes
nothing, the human and JSON report."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from showtime_iac.adapters.stacks.drift import DriftItem
from showtime_iac.cli import main
from showtime_iac.core.comment import MARKER
from showtime_iac.core.drift_note import DRIFT_START
from showtime_iac.core.model import ShowtimeError
from tests.app.lifetimes_support import show_labels, warned_label
from tests.doubles import FakeLive, FakeStacks, against_server, use_doubles
from tests.github_api_server import GitHubServer

BOT = "github-actions[bot]"  # who the test server's token writes as
SHAS = {n: f"{c * 7}{n}" + "0" * 32 for n, c in zip(range(1, 5), "abcd", strict=True)}
ITEM = DriftItem(
    "refresh", "update", "aws:cloudwatch/logGroup:LogGroup", "log-group", ("retentionInDays",)
)
LINE = (
    "pr-1-aaaaaaa: update aws:cloudwatch/logGroup:LogGroup log-group (retentionInDays): "
    "changed outside Pulumi"
)
OLD_NOTE = f"{DRIFT_START}\n> old drift\n<!-- /showtime:drift -->"


def stack(n: int) -> str:
    return f"pr-{n}-{SHAS[n][:7]}"


@pytest.fixture
def fleet(
    ghserver: GitHubServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> tuple[GitHubServer, FakeStacks]:
    """PR 1 drifted; PR 2 clean but noted before; PR 3's check fails; PR 4 expired and warned
    (its stack goes this run); the baseline's stack."""
    for n in (1, 2, 3):
        ghserver.add_pr(n, head_sha=SHAS[n], labels=show_labels(SHAS[n][:7], timedelta(hours=1)))
    expired = show_labels(
        SHAS[4][:7], timedelta(hours=30), warned_label(SHAS[4][:7], timedelta(hours=1))
    )
    ghserver.add_pr(4, head_sha=SHAS[4], labels=expired)
    ghserver.add_comment(1, f"{MARKER}\n🎪 running", author=BOT)
    ghserver.add_comment(2, f"{MARKER}\n🎪 running\n\n{OLD_NOTE}\n", author=BOT)
    stacks = FakeStacks(existing={stack(1), stack(2), stack(3), stack(4), "pr-0-eeeeeee"})
    stacks.drifts = {stack(1): [ITEM], stack(3): ShowtimeError("refresh preview failed: boom")}
    against_server(monkeypatch, ghserver.env(), tmp_path)
    use_doubles(monkeypatch, stacks, FakeLive())
    return ghserver, stacks


def status_body(gh: GitHubServer, pr: int) -> str:
    [body] = [c["body"] for c in gh.comments_of(pr) if MARKER in c["body"]]
    return str(body)


def test_drift_checks_the_serving_stacks_and_notes_the_drifted_pr(
    fleet: tuple[GitHubServer, FakeStacks], capsys: pytest.CaptureFixture[str]
) -> None:
    gh, stacks = fleet
    capsys.readouterr()
    assert main(["cleanup", "--json", "--drift", "--no-orphans", "--no-prune-labels"]) == 0
    report = json.loads(capsys.readouterr().out)
    got = {
        r["stack"]: (r["drifted"], r["resources"], r["error"], r["marked"]) for r in report["drift"]
    }
    assert got == {
        "pr-0-eeeeeee": (False, [], None, ""),
        stack(1): (True, [LINE], None, "noted on the PR"),
        stack(2): (False, [], None, "note taken off the PR"),
        stack(3): (None, [], "refresh preview failed: boom", ""),
    }
    assert "drift pr-4-ddddddd" not in stacks.events  # destroyed by this run: not checked
    assert stacks.destroyed == [stack(4)]
    one = status_body(gh, 1)
    assert one.startswith(f"{MARKER}\n🎪 running\n\n{DRIFT_START}\n> [!WARNING]\n> **Drift** on ")
    assert f"> - `{LINE}`" in one
    assert status_body(gh, 2) == f"{MARKER}\n🎪 running\n"
    # a second run with the drift still there writes one note, never a second one
    capsys.readouterr()
    assert main(["cleanup", "--json", "--drift", "--no-orphans", "--no-prune-labels"]) == 0
    assert status_body(gh, 1).count(DRIFT_START) == 1
    assert len([c for c in gh.comments_of(1) if MARKER in c["body"]]) == 1


def test_a_dry_run_checks_and_reports_and_writes_nothing(
    fleet: tuple[GitHubServer, FakeStacks], capsys: pytest.CaptureFixture[str]
) -> None:
    gh, stacks = fleet
    before = {n: status_body(gh, n) for n in (1, 2)}
    capsys.readouterr()
    assert main(["cleanup", "--dry-run", "--drift", "--no-orphans", "--no-prune-labels"]) == 0
    out = capsys.readouterr().out
    tail = out[out.index("drift:") :].splitlines()
    assert tail == [
        "drift: 1 of 4 serving stacks",  # PR 4's stack would go: not checked
        f"  {LINE}",
        "  pr-1-aaaaaaa: would note it on the PR",
        "  pr-2-bbbbbbb: would take the note off the PR",
        "  pr-3-ccccccc: not checked: refresh preview failed: boom",
    ]
    assert {n: status_body(gh, n) for n in (1, 2)} == before
    assert stacks.destroyed == []


def test_without_drift_no_stack_is_checked(
    fleet: tuple[GitHubServer, FakeStacks], capsys: pytest.CaptureFixture[str]
) -> None:
    _gh, stacks = fleet
    assert main(["cleanup", "--json", "--no-orphans", "--no-prune-labels"]) == 0
    assert "drift" not in json.loads(capsys.readouterr().out)
    assert not [e for e in stacks.events if e.startswith("drift")]
