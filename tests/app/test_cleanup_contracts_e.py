"""``cleanup --json``'s rows and its orphan sweep, pinned whole (issue 29): the reason a row gives
for each kind of decision (remove the guarded labels no writer added, put the labels back
from the record), the row of an orphan sweep that could not list, and an open PR's orphan."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from showtime_iac.cli import main
from showtime_iac.core import labels as L
from showtime_iac.core.model import ShowtimeError
from showtime_iac.core.orphans import TaggedResource
from tests.app.lifetimes_support import cleanup_item
from tests.app.test_cleanup_orphans import OLD, OrderedLive, OrderedStacks, fleet, tags
from tests.app.test_lifetimes_cleanup import SHA, STACK, env, repo, warned
from tests.app.test_record_attacks import PR, TRIAGER, Stacks, forge, real_labels, world
from tests.app.test_record_attacks import STACK as STACK_R
from tests.doubles import FakeStacks
from tests.github_api_server import GitHubServer

__all__ = ["fleet", "repo", "world"]  # the fixtures, shared with their own modules


def test_guarded_labels_no_writer_added_are_removed_and_each_is_named(
    world: tuple[GitHubServer, Stacks, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    gh, stacks, _tmp = world
    gh.add_pr(PR, head_sha="a" * 40, labels=real_labels())
    gh.add_labels(PR, L.FREEZE, L.BLOCKED, by=TRIAGER)
    item = cleanup_item(capsys)
    assert item == {
        "pr": 1234,
        "state": "open",
        "action": "unguard",
        "stacks": [],
        "reason": f"not obeyed: {L.FREEZE} (its adder is not verified as a writer): removed; "
        f"not obeyed: {L.BLOCKED} (its adder is not verified as a writer): removed",
        "result": "removed the guarded labels no writer added",
    }
    assert sorted(gh.labels_of(PR)) == sorted(real_labels()) and stacks.destroyed == []


def test_labels_put_back_from_the_record_say_so(
    world: tuple[GitHubServer, Stacks, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    gh, _stacks, _tmp = world
    gh.add_pr(PR, head_sha="a" * 40, labels=real_labels())
    forge(gh, real_labels(), ["🎪 🎯 deadbee"])
    item = cleanup_item(capsys)
    assert (item["action"], item["reason"]) == (
        "repair",
        "labels put back from the stacks' record (changed by not known): deadbee: labels name "
        "no stack and no claim: removed; abc1234: labels disagreed with the stack's record (no "
        "labels); 🎯 named deadbee, the record serves abc1234",
    )


def test_an_orphan_sweep_that_cannot_list_reports_one_skipped_row_and_no_count(
    fleet: tuple[OrderedStacks, OrderedLive],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def denied() -> list[TaggedResource]:
        raise ShowtimeError("GetResources showtime:pr failed: AccessDenied: not allowed")

    monkeypatch.setattr(fleet[1], "list_tagged", denied)
    capsys.readouterr()
    assert main(["cleanup", "--dry-run", "--json", "--no-prune-labels"]) == 0
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    assert (report["orphans"], report["orphan_count"]) == (
        [
            {
                "kind": "-",
                "name": "-",
                "action": "skip",
                "reason": "GetResources showtime:pr failed: AccessDenied: not allowed",
                "error": None,
            }
        ],
        None,
    )


def test_an_open_prs_resource_whose_stack_is_gone_is_an_orphan_of_an_open_pr(
    fleet: tuple[OrderedStacks, OrderedLive], capsys: pytest.CaptureFixture[str]
) -> None:
    _stacks, live = fleet
    live.tagged.append(
        TaggedResource("secret", "sti-pr-1-eeeeeee/x1", "s1", tags(1, "eeeeeee"), OLD)
    )
    capsys.readouterr()
    assert main(["cleanup", "--dry-run", "--json", "--no-prune-labels"]) == 0
    report = json.loads(capsys.readouterr().out)
    [row] = [o for o in report["orphans"] if o["name"] == "sti-pr-1-eeeeeee/x1"]
    assert (row["action"], row["reason"]) == ("delete", "stack pr-1-eeeeeee no longer exists")


def test_a_guarded_label_no_writer_added_keeps_no_environment_past_its_time(
    repo: tuple[GitHubServer, FakeStacks], capsys: pytest.CaptureFixture[str]
) -> None:
    """The re-check before the teardown disregards it too (the teardown is not withdrawn)."""
    gh, stacks = repo
    gh.collaborators.update({TRIAGER: "triage"})
    gh.add_pr(1, head_sha=SHA, labels=env(timedelta(hours=26), warned(timedelta(minutes=1))))
    gh.add_labels(1, L.BLOCKED, by=TRIAGER)
    item = cleanup_item(capsys)
    assert (item["action"], item["result"]) == ("destroy", "destroyed"), item
    assert stacks.destroyed == [STACK]


def test_a_closed_prs_teardown_and_an_open_prs_strays_are_not_read_again(
    repo: tuple[GitHubServer, FakeStacks], capsys: pytest.CaptureFixture[str]
) -> None:
    """Only an expiry teardown (or a sleep) re-reads its PR first: a closed PR's stacks and the
    stacks no label references go as they were found."""
    gh, stacks = repo
    gh.add_pr(1, head_sha=SHA, labels=env(timedelta(hours=1)))
    stacks.existing |= {"pr-1-1111111", "pr-2-2222222"}
    gh.add_pr(2, head_sha="2222222" + "2" * 33, state="closed")
    gh.reset_log()
    capsys.readouterr()
    assert main(["cleanup", "--json", "--no-orphans", "--no-prune-labels"]) == 0
    items = json.loads(capsys.readouterr().out)["items"]
    assert [(i["pr"], i["action"], i["stacks"], i["result"]) for i in items] == [
        (1, "destroy", ["pr-1-1111111"], "destroyed"),
        (2, "destroy", ["pr-2-2222222"], "destroyed"),
    ]
    # PR 1 was listed with the 🎪 PRs; PR 2, closed, was read once for its stack
    assert (gh.count("GET", r"/pulls/1$"), gh.count("GET", r"/pulls/2$")) == (0, 1)


def test_the_records_dates_decide_the_teardown_and_its_re_check(
    world: tuple[GitHubServer, Stacks, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """The stack's record says created 26 h ago, idle for 24 h; the 📅 label (a triage user's
    edit, say) says 2 h ago: the teardown is due, and its re-check reads the record too."""
    gh, stacks, _tmp = world
    old = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=26)
    stacks.tags[STACK_R] |= {
        "showtime:created-at": old.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "showtime:expires-at": (old + timedelta(hours=24)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    warned_at = datetime.now(UTC) - timedelta(minutes=1)
    gh.add_pr(PR, head_sha="a" * 40, labels=real_labels(warned=warned_at))
    assert cleanup_item(capsys) == {
        "pr": 1234,
        "state": "open",
        "action": "destroy",
        "stacks": ["pr-1234-abc1234"],
        "reason": "idle TTL 24h expired",
        "result": "destroyed",
    }
    assert stacks.destroyed == [STACK_R]
