"""A deploy with no image, in the job that never builds: nothing is deployed, the ⚡ that asked
is consumed, and the PR, the JSON and the exit code say why, pinned whole (issue 29)."""

from __future__ import annotations

import pytest

from showtime_iac.core import labels as L
from tests.app.test_sync import HEAD, PR, SHA7, Scenario, run, running
from tests.payloads import issue_comment, pull_request

__all__ = ["run"]  # the fixture, shared with test_sync

WHY = (
    "no image was built for abc1234 (stack pr-1234-abc1234) and this job never builds the PR's "
    "code: check the build job of this run"
)


def test_a_start_with_no_image_consumes_the_start_label_and_says_why(
    run: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOWTIME_REQUIRE_IMAGE", "true")  # the action sets it
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START, "bug"])
    rc, doc, _err = run.sync(pull_request("labeled", [L.START, "bug"], label=L.START))
    assert rc == 1 and doc is not None
    assert doc["plan"] == {
        "pr": 1234,
        "intent": "refuse",
        "sha": "abc1234",
        "add_labels": [],
        "remove_labels": ["🎪 ⚡ showtime-trigger-start"],
        "stacks": [],
        "after_healthy": None,
        "comment": None,
        "skipped": None,
        "reasons": [WHY],
        "warnings": [],
    }
    assert doc["outcome"] == {
        "pr": 1234,
        "intent": "refuse",
        "exit_code": 1,
        "sha": "abc1234",
        "url": None,
        "error": WHY,
        "actions": ["refused: no image; 🎪 ⚡ showtime-trigger-start consumed"],
        "timings": None,
    }
    assert run.gh.labels_of(PR) == ["bug"] and run.stacks.ups == []
    assert [c["body"] for c in run.gh.comments_of(PR)] == [
        f"🎪 **Nothing deployed**\n\n- {WHY}\n- `🎪 ⚡ showtime-trigger-start` was consumed: a "
        "maintainer can add it again once it builds"
    ]


def test_a_refresh_with_no_image_leaves_the_labels_and_says_why(
    run: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOWTIME_REQUIRE_IMAGE", "true")
    monkeypatch.setenv("SHOWTIME_SHA", HEAD)  # the plan job resolved the comment's commit
    old = running("1111111")
    run.gh.add_pr(PR, head_sha=HEAD, labels=old)
    rc, doc, _err = run.sync(issue_comment("/showtime refresh", old), name="issue_comment")
    assert rc == 1 and doc is not None
    assert (doc["plan"]["intent"], doc["plan"]["sha"], doc["plan"]["remove_labels"]) == (
        "refuse",
        SHA7,
        [],
    )
    assert (doc["outcome"]["error"], doc["outcome"]["actions"]) == (WHY, ["refused: no image"])
    assert sorted(run.gh.labels_of(PR)) == sorted(old) and run.stacks.ups == []
    assert [c["body"] for c in run.gh.comments_of(PR)] == [f"🎪 **Nothing deployed**\n\n- {WHY}"]
