"""A deploy that finds no image, in the job that never builds, on an event other than the ⚡'s own
(issue 29): nothing is deployed and no label is touched. A ⚡ still on the PR is the business of
its own ``labeled`` run (which consumes it); a push's or a refresh's run only says why."""

from __future__ import annotations

import pytest

from showtime_iac.core import labels as L
from tests.app.test_sync import HEAD, OLD, PR, Scenario, running
from tests.app.test_sync_refusal_contracts import WHY
from tests.payloads import issue_comment, pull_request

__all__: list[str] = []


def test_a_refresh_with_no_image_leaves_a_start_label_to_its_own_run(
    run: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOWTIME_REQUIRE_IMAGE", "true")  # the action sets it
    monkeypatch.setenv("SHOWTIME_SHA", HEAD)  # the plan job resolved the comment's commit
    labels = [*running(OLD[:7]), L.START, "bug"]
    run.gh.add_pr(PR, head_sha=HEAD, labels=labels)
    rc, doc, _err = run.sync(issue_comment("/showtime refresh", labels), name="issue_comment")
    assert rc == 1 and doc is not None
    assert (doc["plan"]["intent"], doc["plan"]["remove_labels"]) == ("refuse", [])
    assert (doc["outcome"]["error"], doc["outcome"]["actions"]) == (WHY, ["refused: no image"])
    assert sorted(run.gh.labels_of(PR)) == sorted(labels) and run.stacks.ups == []
    assert [c["body"] for c in run.gh.comments_of(PR)] == [f"🎪 **Nothing deployed**\n\n- {WHY}"]


def test_a_push_with_no_image_asks_nothing_of_the_labels(
    run: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOWTIME_REQUIRE_IMAGE", "true")
    labels = [*running(OLD[:7]), "bug"]
    run.gh.add_pr(PR, head_sha=HEAD, labels=labels)
    run.gh.reset_log()
    rc, doc, _err = run.sync(pull_request("synchronize", labels))
    assert rc == 1 and doc is not None
    assert (doc["outcome"]["error"], doc["outcome"]["actions"]) == (WHY, ["refused: no image"])
    assert [r.path for r in run.gh.requests if r.method == "DELETE"] == []
    assert sorted(run.gh.labels_of(PR)) == sorted(labels) and run.stacks.ups == []
