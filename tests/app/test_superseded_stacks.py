"""A push supersedes every stack of the PR but the serving one (issue 29): each failed or
stale stack is destroyed in the same run, whatever the order of the SHAs, and the serving
one only once the new one is healthy. A run decides on the PR's state as GitHub has it when
the run starts, not as its event said. The real CLI over PyGithub against the GitHub test
server, the stacks behind their port (``tests/doubles.py``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from showtime_iac.core import labels as L
from tests.app.test_sync import PR, STACK, Scenario, running, show_labels
from tests.payloads import HEAD, pull_request

__all__ = ["Scenario"]

SERVING = "0000001"  # sorts before the superseded ones: the deferred destroy comes first
FAILED = ("5555555", "6666666")


def test_a_push_destroys_every_superseded_stack_then_the_serving_one(run: Scenario) -> None:
    hour_ago = datetime.now(UTC) - timedelta(hours=1)
    labels = running(SERVING)
    for sha7 in FAILED:
        labels += show_labels(sha7, "failed", created=hour_ago)
    stacks = {f"pr-{PR}-{s}" for s in (SERVING, *FAILED)}
    run.stacks.existing |= stacks
    run.gh.add_pr(PR, head_sha="abc1234" + "0" * 33, labels=labels)
    order: list[str] = []
    run.stacks.on_up = lambda cfg: order.append(f"up {cfg.stack}")
    rc, doc, _err = run.sync(pull_request("synchronize", labels))
    assert rc == 0, doc
    assert order == [f"up {STACK}"]
    # the failed ones in the run, by their own names; the serving one after the new is healthy
    assert run.stacks.destroyed == [f"pr-{PR}-{s}" for s in (*FAILED, SERVING)]
    assert run.stacks.existing == {STACK}
    assert not any(s in n for n in run.gh.labels_of(PR) for s in (SERVING, *FAILED))


def test_a_start_for_a_pr_closed_since_its_event_deploys_nothing(run: Scenario) -> None:
    """The event says open; GitHub, read when the run starts, says closed: nothing is built
    or deployed, and the trigger label goes."""
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    run.gh.set_state(PR, "closed")
    rc, doc, _err = run.sync(pull_request("labeled", [L.START], label=L.START))
    assert rc == 0, doc
    assert doc is not None
    assert (doc["plan"]["intent"], doc["plan"]["reasons"]) == ("teardown", ["the PR is closed"])
    assert run.stacks.ups == [] and run.gh.labels_of(PR) == []
