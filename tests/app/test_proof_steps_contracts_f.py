"""The executor's proof steps as the PR sees them (issue 28), through ``showtime-iac sync``
against the GitHub test server with the stack and live doubles: a failed deploy's record
names the failed phase and its comment the error (no log section when the task's logs cannot
be read); a stopped environment's picture goes with it, or the outcome says why it could not
(issue 29)."""

from __future__ import annotations

from typing import Any

import pytest

from showtime_iac.core import labels as L
from showtime_iac.core.model import ShowtimeError
from tests.app.test_sync import PR, SHA7, STACK, Scenario, running, status_comments
from tests.payloads import HEAD, pull_request

PICTURE = ("showtime-previews", f"previews/pr-{PR}/{SHA7}.png")
STOP = "🎪 🛑 showtime-trigger-stop"


def test_a_failed_deploy_records_its_phase_and_says_its_error(
    run: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    run.live.unhealthy = "http://10.0.0.5:8080/health not healthy after 900s"

    def unreadable(cfg: Any, lines: int) -> str:
        raise ShowtimeError("no log group /showtime/pr-1234-abc1234")

    monkeypatch.setattr(run.live, "tail_logs", unreadable)
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])

    rc, doc, _err = run.sync(pull_request("labeled", [L.START], label=L.START))

    assert rc == 1, doc
    tags = run.stacks.tags[STACK]
    assert (tags["showtime:status"], tags["showtime:phase"]) == ("failed", "failed: healthy")
    [body] = status_comments(run.gh)
    section = body[body.index("### ❌") : body.index("Commands:")]
    assert section == (
        "### ❌ Failed during **healthy**\n\nhttp://10.0.0.5:8080/health not healthy after 900s\n\n"
    )


def _stop(run: Scenario, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("SHOWTIME_SCREENSHOT", "on")
    run.gh.branches["showtime-previews"] = "e" * 40
    run.gh.files[PICTURE] = (b"\x89PNG", "a" * 40)
    run.gh.add_pr(PR, head_sha=HEAD, labels=[*running(SHA7), STOP])
    run.stacks.existing.add(STACK)
    rc, doc, _err = run.sync(pull_request("labeled", run.gh.labels_of(PR), label=STOP))
    assert rc == 0 and doc is not None, doc
    outcome: dict[str, Any] = doc["outcome"]
    return outcome


def test_a_stopped_environments_picture_is_removed_with_it(
    run: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    outcome = _stop(run, monkeypatch)
    assert outcome["actions"] == [
        "destroyed pr-1234-abc1234",
        "removed the picture of abc1234",
        "labels +0 -6",
    ]
    assert PICTURE not in run.gh.files


def test_a_picture_that_cannot_be_removed_is_said_and_the_stop_goes_on(
    run: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    run.gh.fail("DELETE", r"/contents/previews/", 403, body={"message": "Resource not accessible"})
    outcome = _stop(run, monkeypatch)
    assert outcome["actions"] == [
        "destroyed pr-1234-abc1234",
        "could not remove the picture of abc1234: GitHub refused to remove"
        " previews/pr-1234/abc1234.png from branch showtime-previews (403: Resource not"
        " accessible): the token needs contents: write",
        "labels +0 -6",
    ]
    assert STACK not in run.stacks.existing
