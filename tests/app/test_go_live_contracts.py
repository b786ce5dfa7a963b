"""Going live as the PR and the record see it (issue 29): in HTTPS mode a failure while the
target group turns healthy is the `healthy` phase's and one while the host moves is the
`router` phase's; the router gets the environment's own target group and repository; a
healthy environment's record holds its address; and labels that cannot be written after a
healthy deploy keep every stack and say so."""

from __future__ import annotations

from typing import Any

import pytest

from showtime_iac.core import labels as L
from showtime_iac.core.model import ShowtimeError
from tests.app.test_sync import PR, SHA7, STACK, Scenario, status_comments
from tests.payloads import HEAD, pull_request

__all__: list[str] = []

DOMAIN = "preview.example.org"
TG = f"arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/sti-{STACK}/0123456789abcdef"
START = pull_request("labeled", [L.START], label=L.START)


def _failed_section(run: Scenario) -> str:
    [body] = status_comments(run.gh)
    return body[body.index("### ❌") : body.index("Commands:")]


def test_a_target_group_that_never_turns_healthy_fails_the_healthy_phase(run: Scenario) -> None:
    run.stacks.domain = DOMAIN
    run.live.unhealthy = "target group not healthy after 600s"
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    rc, _doc, _err = run.sync(START)
    assert rc == 1
    assert _failed_section(run).startswith(
        "### ❌ Failed during **healthy**\n\ntarget group not healthy after 600s\n\n"
    )
    assert run.stacks.tags[STACK]["showtime:phase"] == "failed: healthy"


def test_a_host_that_cannot_move_fails_the_router_phase(run: Scenario) -> None:
    run.stacks.domain = DOMAIN
    run.stacks.fail_route = "listener rule priority taken"
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    rc, _doc, _err = run.sync(START)
    assert rc == 1
    assert _failed_section(run).startswith("### ❌ Failed during **router**\n\n")
    assert run.stacks.tags[STACK]["showtime:phase"] == "failed: router"


def test_the_router_gets_the_environments_target_group_and_repository(run: Scenario) -> None:
    run.stacks.domain = DOMAIN
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    rc, doc, _err = run.sync(START)
    assert rc == 0, doc
    assert run.stacks.route_calls == [(PR, SHA7, TG, "apache/superset", False)]
    # the phases in order: the router's is timed after the target group's
    assert doc is not None and list(doc["outcome"]["timings"]["phases"])[-2:] == [
        "healthy",
        "router",
    ]


def test_a_healthy_environments_record_holds_its_address(run: Scenario) -> None:
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    rc, doc, _err = run.sync(START)
    assert rc == 0, doc
    tags = run.stacks.tags[STACK]
    assert (tags["showtime:status"], tags["showtime:address"]) == ("running", "10.0.0.5:8080")


def test_labels_that_cannot_be_written_after_a_healthy_deploy_keep_every_stack(
    run: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])

    def then_labels_fail(cfg: Any) -> None:  # GitHub refuses label writes from here on
        run.gh.fail("POST", rf"/issues/{PR}/labels", 403, body={"message": "Forbidden"})
        run.gh.fail("DELETE", rf"/issues/{PR}/labels/", 403, body={"message": "Forbidden"})

    run.stacks.on_up = then_labels_fail
    rc, doc, _err = run.sync(START)
    assert rc == 1 and doc is not None
    error = doc["outcome"]["error"]
    assert error.startswith(f"`{SHA7}` is up and healthy, but its labels could not be written (")
    assert error.endswith("); every stack is kept and the next run reconciles the labels")
    assert STACK in run.stacks.existing
    [last] = [a for a in doc["audit"] if a["action"] == "start"]
    assert (last["result"], last["reason"]) == ("failed", error)


def test_the_outcome_names_the_host_that_moved(run: Scenario) -> None:
    run.stacks.domain = DOMAIN
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    rc, doc, _err = run.sync(START)
    assert rc == 0 and doc is not None, doc
    assert f"routed pr-{PR}.{DOMAIN} to {SHA7}" in doc["outcome"]["actions"]


def test_a_task_that_never_runs_fails_the_task_running_phase(
    run: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_task(cfg: Any, outputs: Any) -> str:
        raise ShowtimeError("no task of pr-1234-abc1234 running after 300s")

    monkeypatch.setattr(run.live, "address", no_task)
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    rc, _doc, _err = run.sync(START)
    assert rc == 1
    assert _failed_section(run).startswith("### ❌ Failed during **task running**\n\n")
    assert run.stacks.tags[STACK]["showtime:phase"] == "failed: task running"
