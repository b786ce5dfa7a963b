"""The PR's router goes only with its last environment (issue 29): a stack of the PR that the
teardown does not take (one deployed after the plan read the stacks) keeps the router, and
the teardown fails safe rather than leave that environment without its host."""

from __future__ import annotations

from showtime_iac.core import labels as L
from tests.app.test_sync import HEAD, PR, SHA7, STACK, Scenario, running
from tests.payloads import pull_request

__all__: list[str] = []

NEWER = f"pr-{PR}-def5678"


def test_a_stack_deployed_after_the_plan_keeps_the_router(run: Scenario) -> None:
    run.stacks.existing.add(STACK)
    run.stacks.routers[PR] = SHA7
    labels = [*running(SHA7), L.STOP]
    run.gh.add_pr(PR, head_sha=HEAD, labels=labels)
    listed = run.stacks.list_stacks
    reads: list[list[str]] = []

    def list_stacks() -> list[str]:
        # the plan reads the stacks first; by the teardown's read another run has deployed
        found = listed() if not reads else [*listed(), NEWER]
        reads.append(found)
        return found

    run.stacks.list_stacks = list_stacks  # type: ignore[method-assign]
    rc, doc, _err = run.sync(pull_request("labeled", labels, label=L.STOP))
    assert len(reads) >= 2, "the teardown reads the stacks again before taking the router"
    assert run.stacks.routers == {PR: SHA7}  # the router stays for the newer environment
    assert "unroute 1234" not in run.stacks.events
    # its rule still forwards to the old target group: that destroy fails and is retried
    assert rc == 1 and doc is not None
    assert doc["outcome"]["actions"] == []
    assert "in use by the router" in doc["outcome"]["error"]
    assert "🎪 abc1234 🚦 destroying" in run.gh.labels_of(PR)  # the claim stays for the retry


def test_the_last_stack_takes_the_router_with_it(run: Scenario) -> None:
    run.stacks.existing.add(STACK)
    run.stacks.routers[PR] = SHA7
    labels = [*running(SHA7), L.STOP]
    run.gh.add_pr(PR, head_sha=HEAD, labels=labels)
    rc, doc, _err = run.sync(pull_request("labeled", labels, label=L.STOP))
    assert rc == 0 and doc is not None
    assert run.stacks.events[-2:] == ["unroute 1234", f"destroy {STACK}"]
    assert run.stacks.routers == {}
