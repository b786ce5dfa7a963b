"""The queue's part of the cleanup, pinned whole: its report rows, why an entry leaves the
queue, and the place each waiting PR's status comment shows (issue 27). PyGithub over HTTP
against the GitHub test server; each behaviour was checked by changing it and watching the
test fail (issue 29)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from showtime_iac.core import labels as L
from showtime_iac.core.comment import MARKER, status_comment
from tests.app.test_queue_cleanup import REPOSITORY, ago, cleanup, queued, sha, world
from tests.doubles import FakeStacks
from tests.github_api_server import BOT, GitHubServer

__all__ = ["world"]  # the fixture these tests share with test_queue_cleanup

WHY = "its queued labels were not all written by showtime-iac"
FIRST = "queued: 1st in line, starts when an environment frees"
SECOND = "queued: 2nd in line, starts when an environment frees"
THIRD = "queued: 3rd in line, starts when an environment frees"


def queue_rows(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows the queue adds (after the sweep's one row per PR)."""
    return doc["items"][5:]


def since(gh: GitHubServer, pr: int) -> str:
    [label] = [n for n in gh.labels_of(pr) if " 📅 " in n]
    return label.split(" 📅 ")[1]


def sticky(gh: GitHubServer, pr: int) -> str:
    [body] = [c["body"] for c in gh.comments_of(pr) if MARKER in c["body"]]
    return body


def history(body: str) -> list[str]:
    """The history lines, without their time."""
    block = body.split("<!-- showtime-iac:history\n")[1].split("\n-->")[0]
    return [line.split(" UTC: ", 1)[1] for line in block.splitlines()]


def test_the_report_rows_of_a_start_and_of_a_forged_entry(
    world: tuple[GitHubServer, FakeStacks],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gh, _stacks = world
    monkeypatch.setenv("SHOWTIME_IMAGE_REPOSITORY", REPOSITORY)
    since3 = since(gh, 3)
    rc, doc = cleanup(capsys)
    assert rc == 0
    assert queue_rows(doc) == [
        {
            "pr": 5,
            "state": "open",
            "action": "unqueue",
            "stacks": [],
            "reason": f"left the queue: {WHY}",
            "result": "left the queue",
        },
        {
            "pr": 3,
            "state": "open",
            "action": "start",
            "stacks": ["pr-3-0000003"],
            "reason": f"a slot freed: queued since {since3}",
            "result": "started",
        },
    ]
    # the forged entry's PR is told why, and what to do
    [reply] = [c["body"] for c in gh.comments_of(5) if MARKER not in c["body"]]
    assert reply == (f"🎪 **Left the queue**\n\n- {WHY}\n- a maintainer adds the start label again")
    assert [(a["pr"], a["action"], a["result"], a["reason"]) for a in doc["audit"][2:3]] == [
        (5, "refuse", "ok", f"left the queue: {WHY}")
    ]


def test_a_dry_run_reports_the_rows_it_would_carry_out(
    world: tuple[GitHubServer, FakeStacks],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
) -> None:
    gh, stacks = world
    monkeypatch.setenv("SHOWTIME_IMAGE_REPOSITORY", REPOSITORY)
    (tmp_path / "showtime.toml").write_text('warn_before = "0s"\nmax_environments = 3\n')
    since3 = since(gh, 3)
    rc, doc = cleanup(capsys, "--dry-run")
    assert rc == 0
    assert [
        (r["pr"], r["action"], r["stacks"], r["reason"], r["result"]) for r in queue_rows(doc)
    ] == [
        (5, "unqueue", [], f"left the queue: {WHY}", "planned"),
        (3, "start", ["pr-3-0000003"], f"a slot freed: queued since {since3}", "planned"),
    ]
    assert stacks.ups == [] and "audit" not in doc


def test_an_entry_whose_label_events_cannot_be_read_leaves_the_queue(
    world: tuple[GitHubServer, FakeStacks],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Any error reading who added the labels: not verified, so not started; the slot goes to
    the next in line."""
    gh, stacks = world
    monkeypatch.setenv("SHOWTIME_IMAGE_REPOSITORY", REPOSITORY)
    gh.fail("GET", r"/issues/3/events", 404, times=20)
    rc, doc = cleanup(capsys)
    assert rc == 0
    assert [(r["pr"], r["action"], r["result"]) for r in queue_rows(doc)] == [
        (5, "unqueue", "left the queue"),
        (3, "unqueue", "left the queue"),
        (4, "start", "started"),
    ]
    assert stacks.ups == ["pr-4-0000004"]
    assert not any("queued" in n for n in gh.labels_of(3))


def test_every_waiting_pr_is_told_its_place_and_keeps_its_history(
    world: tuple[GitHubServer, FakeStacks],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No image repository: PR 3 keeps its place, and PRs 3, 4 (then 6) are told theirs. A PR
    whose comment already says its place is not edited, and the ones after it still are."""
    gh, _stacks = world
    monkeypatch.delenv("SHOWTIME_IMAGE_REPOSITORY", raising=False)
    earlier = status_comment(
        4, L.parse_state(gh.labels_of(4)), datetime.now(UTC), event_line="an earlier line"
    )
    gh.add_comment(4, earlier, author=BOT)
    rc, _doc = cleanup(capsys)
    assert rc == 0
    assert history(sticky(gh, 3)) == [FIRST]
    assert history(sticky(gh, 4)) == ["an earlier line", SECOND]
    assert sticky(gh, 4).startswith(f"{MARKER}\n## 🎪 Showtime · PR #4\n")
    # a newcomer at the end of the line: the first two are up to date, the third is told
    gh.add_pr(6, head_sha=sha(6), labels=queued(6, ago(minutes=5)), labels_by=BOT)
    gh.reset_log()
    rc, _doc = cleanup(capsys)
    assert rc == 0
    assert history(sticky(gh, 6)) == [THIRD]
    assert gh.count("PATCH", "/issues/comments/") == 0  # 3 and 4: unchanged


def test_a_place_that_cannot_be_written_does_not_stop_the_others(
    world: tuple[GitHubServer, FakeStacks],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gh, _stacks = world
    monkeypatch.delenv("SHOWTIME_IMAGE_REPOSITORY", raising=False)
    gh.fail("POST", r"/issues/3/comments", 422, times=20)
    rc, _doc = cleanup(capsys)
    assert rc == 0
    assert [c for c in gh.comments_of(3) if MARKER in c["body"]] == []
    assert history(sticky(gh, 4)) == [SECOND]
