"""When ``sync`` starts the cleanup workflow for the queue, and when it does not (issue 27),
pinned through the real CLI against the GitHub test server; each behaviour checked by
changing it and watching the test fail (issue 29)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from showtime_iac.core import labels as L
from showtime_iac.core.model import ShowtimeError
from tests.app.test_queue_sync import OTHER, queued
from tests.app.test_sync import PR, SHA7, Scenario, run, running
from tests.payloads import HEAD, pull_request

__all__ = ["run"]  # the fixture, shared with test_sync

WORKFLOW = "showtime-cleanup.yml"


@pytest.fixture
def waiting(run: Scenario, monkeypatch: pytest.MonkeyPatch) -> Scenario:
    """PR 1234 runs (its stack exists), PR 2 waits in the queue, the workflow is named."""
    monkeypatch.setenv("SHOWTIME_QUEUE_WORKFLOW", WORKFLOW)
    (run.tmp_path / "showtime.toml").write_text("max_environments = 1\n", encoding="utf-8")
    run.gh.add_pr(2, head_sha=OTHER, labels=queued("2222222", datetime.now(UTC)))
    run.stacks.existing.add(f"pr-{PR}-{SHA7}")
    return run


def queue_lines(doc: dict[str, Any] | None) -> list[str]:
    assert doc is not None
    return [a for a in doc["outcome"]["actions"] if a.startswith("queue:")]


def test_closing_the_pr_starts_the_cleanup_for_the_first_in_line(waiting: Scenario) -> None:
    waiting.gh.add_pr(PR, head_sha=HEAD, labels=running(SHA7), state="closed")
    rc, doc, _err = waiting.sync(pull_request("closed", running(SHA7), state="closed"))
    assert rc == 0 and doc is not None and doc["plan"]["intent"] == "teardown"
    assert waiting.gh.dispatches == [(WORKFLOW, "master")]
    assert queue_lines(doc) == [
        f"queue: started {WORKFLOW}: the slot freed goes to the first in line"
    ]


def test_a_stop_that_failed_freed_no_slot_and_starts_nothing(
    waiting: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(pr: int, sha: str) -> None:
        raise ShowtimeError("destroy of stack pr-1234-abc1234 failed: error: locked")

    monkeypatch.setattr(waiting.stacks, "destroy", refuse)
    labels = [*running(SHA7), L.STOP]
    waiting.gh.add_pr(PR, head_sha=HEAD, labels=labels)
    rc, doc, _err = waiting.sync(pull_request("labeled", labels, label=L.STOP))
    assert rc == 1
    assert waiting.gh.dispatches == [] and queue_lines(doc) == []


def test_a_push_that_rolls_the_environment_forward_starts_nothing(waiting: Scenario) -> None:
    new = "4444444" + "d" * 33
    waiting.gh.add_pr(PR, head_sha=new, labels=running(SHA7))
    rc, doc, _err = waiting.sync(pull_request("synchronize", running(SHA7), sha=new))
    assert rc == 0 and doc is not None and doc["plan"]["intent"] == "update"
    assert waiting.gh.dispatches == [] and queue_lines(doc) == []


def test_without_the_workflow_variable_nothing_is_asked_of_github(
    waiting: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SHOWTIME_QUEUE_WORKFLOW")
    labels = [*running(SHA7), L.STOP]
    waiting.gh.add_pr(PR, head_sha=HEAD, labels=labels)
    rc, doc, _err = waiting.sync(pull_request("labeled", labels, label=L.STOP))
    assert rc == 0
    assert waiting.gh.dispatches == [] and queue_lines(doc) == []
    assert waiting.gh.count("POST", "/dispatches") == 0
