"""``sync`` in HTTPS mode: the PR's address follows 🎯 through its router stack.

The real CLI against the GitHub test server, with the stacks and live doubles in HTTPS mode
(their outputs name a target group; ``route``/``unroute`` keep a router per PR, and like AWS a
target group the router still forwards to cannot be destroyed).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from showtime_iac.core import labels as L
from tests.app.test_sync import (  # the fixtures of the sync scenarios
    OLD,
    PR,
    SHA7,
    STACK,
    Scenario,
    gh,
    live,
    run,
    show_labels,
    sleeps,
    stacks,
    states,
    status_comments,
)
from tests.payloads import HEAD, pull_request

__all__ = ["gh", "live", "run", "sleeps", "stacks"]  # fixtures, used by name

DOMAIN = "preview.example.org"
HOST = f"pr-{PR}.{DOMAIN}"


def routed(sha7: str) -> list[str]:
    when = datetime.now(UTC) - timedelta(hours=1)
    return [*show_labels(sha7, "running", created=when), f"🎪 🎯 {sha7}", f"🎪 {sha7} 🌐 {HOST}"]


@pytest.fixture
def https(run: Scenario) -> Scenario:
    run.stacks.domain = DOMAIN
    return run


def test_a_start_is_healthy_from_the_target_group_then_the_prs_host_moves_to_it(
    https: Scenario,
) -> None:
    https.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    rc, doc, _ = https.sync(pull_request("labeled", [L.START], label=L.START))
    assert rc == 0, doc
    assert https.stacks.events == [f"up {STACK}", f"route {PR} {SHA7}"]
    assert https.live.target_groups == [
        f"arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/sti-{STACK}/"
        "0123456789abcdef"
    ]
    assert https.live.urls == []  # no poll of a task's public IP
    labels = set(https.gh.labels_of(PR))
    assert f"🎪 {SHA7} 🌐 {HOST}" in labels and f"🎪 🎯 {SHA7}" in labels
    assert L.parse_state(sorted(labels)).warnings == ()  # the host label reads back
    [body] = status_comments(https.gh)
    assert f"https://{HOST}" in body and "Public-IP mode" not in body
    [dep] = https.gh.deployments()
    assert dep["statuses"][-1]["environment_url"] == f"https://{HOST}"
    assert doc is not None and doc["outcome"]["url"] == f"https://{HOST}"


def test_a_push_moves_the_host_only_after_the_new_sha_is_healthy_then_retires_the_old(
    https: Scenario,
) -> None:
    old7 = OLD[:7]
    https.stacks.existing.add(f"pr-{PR}-{old7}")
    https.stacks.routers[PR] = old7
    https.gh.add_pr(PR, head_sha=HEAD, labels=routed(old7))
    seen: list[str | None] = []
    real_wait = https.live.wait_target_healthy

    def wait(arn: str) -> float:
        seen.append(https.stacks.routers.get(PR))  # while the new SHA comes up
        return real_wait(arn)

    https.live.wait_target_healthy = wait  # type: ignore[method-assign]
    rc, doc, _ = https.sync(pull_request("synchronize", routed(old7)))
    assert rc == 0, doc
    assert seen == [old7]  # the bookmark kept serving the old SHA until the new one was healthy
    assert https.stacks.events == [
        f"up {STACK}",
        f"route {PR} {SHA7}",
        f"destroy pr-{PR}-{old7}",
    ]
    assert https.stacks.routers == {PR: SHA7}
    assert f"🎪 {SHA7} 🌐 {HOST}" in https.gh.labels_of(PR)


def test_an_unhealthy_new_sha_leaves_the_host_on_the_old_one(https: Scenario) -> None:
    old7 = OLD[:7]
    https.stacks.existing.add(f"pr-{PR}-{old7}")
    https.stacks.routers[PR] = old7
    https.live.unhealthy = "no healthy target in sti-pr-1234 after 900s: unhealthy"
    https.gh.add_pr(PR, head_sha=HEAD, labels=routed(old7))
    rc, _, _ = https.sync(pull_request("synchronize", routed(old7)))
    assert rc == 1
    assert https.stacks.routers == {PR: old7}
    assert https.stacks.destroyed == []
    labels = set(https.gh.labels_of(PR))
    assert set(routed(old7)) <= labels and f"🎪 {SHA7} 🚦 failed" in labels


def test_a_failed_route_is_a_failed_deploy_and_the_old_sha_stays(https: Scenario) -> None:
    old7 = OLD[:7]
    https.stacks.existing.add(f"pr-{PR}-{old7}")
    https.stacks.routers[PR] = old7
    https.stacks.fail_route = "up of stack pr-1234-router failed: PriorityInUse"
    https.gh.add_pr(PR, head_sha=HEAD, labels=routed(old7))
    rc, _, _ = https.sync(pull_request("synchronize", routed(old7)))
    assert rc == 1
    assert https.stacks.routers == {PR: old7} and https.stacks.destroyed == []
    assert f"🎪 🎯 {old7}" in https.gh.labels_of(PR)


def test_stop_destroys_the_router_before_the_last_environment(https: Scenario) -> None:
    https.stacks.existing.add(STACK)
    https.stacks.routers[PR] = SHA7
    labels = [*routed(SHA7), L.STOP]
    https.gh.add_pr(PR, head_sha=HEAD, labels=labels)
    rc, doc, _ = https.sync(pull_request("labeled", labels, label=L.STOP))
    assert rc == 0, doc
    assert https.stacks.events == [f"unroute {PR}", f"destroy {STACK}"]
    assert https.stacks.routers == {} and https.gh.labels_of(PR) == []


def test_close_during_the_deploy_destroys_the_router_and_the_environments(
    https: Scenario,
) -> None:
    https.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    https.stacks.on_up = lambda _cfg: https.gh.set_state(PR, "closed")
    rc, doc, _ = https.sync(pull_request("labeled", [L.START], label=L.START))
    assert rc == 0, doc
    assert https.stacks.events == [
        f"up {STACK}",
        f"route {PR} {SHA7}",
        f"unroute {PR}",
        f"destroy {STACK}",
    ]
    assert https.stacks.routers == {} and https.stacks.existing == set()
    assert states(https.gh) == [["in_progress", "inactive"]]


def test_public_ip_mode_has_no_router_and_says_so(run: Scenario) -> None:
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    rc, _, _ = run.sync(pull_request("labeled", [L.START], label=L.START))
    assert rc == 0
    assert run.stacks.routers == {} and not any(e.startswith("route") for e in run.stacks.events)
    [body] = status_comments(run.gh)
    assert "Public-IP mode" in body


def test_stop_with_a_stack_prepared_for_a_newer_push_still_destroys_the_router_first(
    https: Scenario,
) -> None:
    """A push's build is preparing its stack (no service, nothing routed to it) when the PR
    is stopped: the stop takes that stack too, and the router goes first (AWS will not delete
    a target group a rule still forwards to)."""
    prepared = f"pr-{PR}-0a1b2c3"
    https.stacks.existing |= {STACK, prepared}
    https.stacks.tags[prepared] = {"showtime:prepared-at": "2026-12-07T12:00:00Z"}
    https.stacks.routers[PR] = SHA7
    labels = [*routed(SHA7), L.STOP]
    https.gh.add_pr(PR, head_sha=HEAD, labels=labels)
    rc, doc, _ = https.sync(pull_request("labeled", labels, label=L.STOP))
    assert rc == 0, doc
    assert https.stacks.events[0] == f"unroute {PR}"
    assert sorted(https.stacks.events[1:]) == [f"destroy {prepared}", f"destroy {STACK}"]
    assert https.stacks.routers == {} and https.stacks.existing == set()
