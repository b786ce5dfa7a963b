"""⚡ is the token of a start (docs/concepts/lifecycle.md, "The claim"): a run whose DELETE of
the trigger gets GitHub's 404 lost it to another run, and deploys nothing. That is safe only
because no plan of the ``labeled ⚡`` event deploys once ⚡ is gone from the labels: were one
to, the loser would have to re-plan, and two runs could deploy one start.

The labels are any the PR could carry (shows of any status, 🎯, the other triggers and
controls), by anyone; the actor has any permission; the time is any."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from showtime_iac.core import labels as L
from showtime_iac.core.events import parse_event
from showtime_iac.core.planner import decide
from tests.core.test_labels import shows, times
from tests.payloads import HEAD, pull_request

CONTROLS = [L.STOP, L.FREEZE, L.BLOCKED, L.LEGACY, f"🎪 🎯 {HEAD[:7]}", "🎪 🎯 1111111", "bug"]
labels = st.tuples(
    st.lists(shows, max_size=3),
    st.lists(st.sampled_from(CONTROLS), max_size=4, unique=True),
).map(lambda t: [n for show in t[0] for n in L.render_show(show)] + t[1])


@settings(max_examples=300, deadline=None)
@given(
    labels,
    st.sampled_from(["admin", "maintain", "write", "triage", "read", None]),
    times,
    st.booleans(),
)
def test_without_the_trigger_its_labeled_event_plans_no_deploy(
    names: list[str], permission: str | None, now: datetime, fork: bool
) -> None:
    assert L.START not in names
    payload = pull_request("labeled", names, label=L.START, fork=fork)
    ev, pr = parse_event(payload, "pull_request_target")
    assert pr is not None
    plan = decide(replace(ev, actor_permission=permission), pr, now)
    assert not [op for op in plan.stacks if op.action == "up"], plan


def test_with_the_trigger_the_same_event_deploys() -> None:
    """The property above is not vacuous: with ⚡ on the PR, a writer's event starts it."""
    payload = pull_request("labeled", [L.START], label=L.START)
    ev, pr = parse_event(payload, "pull_request_target")
    assert pr is not None
    now = datetime(2026, 1, 15, 12, 0, tzinfo=UTC) + timedelta(minutes=1)
    plan = decide(replace(ev, actor_permission="write"), pr, now)
    assert [op.action for op in plan.stacks] == ["up"]
    assert L.START in plan.remove_labels
