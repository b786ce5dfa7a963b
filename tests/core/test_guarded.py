"""Guarded labels are obeyed only after their adder is verified (issue 26, item 3)."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from showtime_iac.core import labels as L
from showtime_iac.core.guarded import (
    VERIFIED,
    LabelEvent,
    adders,
    needs_verification,
    unverified,
    with_unverified_removed,
    without,
)
from showtime_iac.core.model import Event, PrInfo
from showtime_iac.core.planner import decide
from showtime_iac.core.rules.trust import WRITE_PERMISSIONS

NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)
PERMS = {"maintainer": "write", "admin": "admin", "triager": "triage", "reader": "read"}
actors = st.sampled_from([*PERMS, "stranger"])
label_events = st.lists(
    st.builds(
        LabelEvent, st.sampled_from(("labeled", "unlabeled")), st.sampled_from(VERIFIED), actors
    )
)
events = st.one_of(
    st.builds(Event, name=st.sampled_from(("schedule", "issue_comment", "workflow_dispatch"))),
    st.builds(
        Event,
        name=st.just("pull_request"),
        action=st.sampled_from(("labeled", "unlabeled", "synchronize")),
        label=st.sampled_from((*VERIFIED, "🎪 conf-size-large", "bug")),
    ),
)


def _last_adder(label: str, evs: list[LabelEvent]) -> str | None:
    added = [e.actor for e in evs if e.action == "labeled" and e.label == label]
    return added[-1] if added else None


@given(events, st.sets(st.sampled_from(VERIFIED)), label_events)
def test_a_label_is_obeyed_only_when_its_last_adder_writes(
    ev: Event, present: set[str], evs: list[LabelEvent]
) -> None:
    todo = needs_verification(ev, present)
    # every present guarded label is checked, except the one this run's own event added
    own = ev.name == "pull_request" and ev.action == "labeled" and ev.label in present
    assert set(todo) == present - ({ev.label} if own else set())
    perms = {a: PERMS.get(a, "none") for a in adders(todo, evs)}
    bad = unverified(todo, evs, perms)
    for name in todo:
        writer = PERMS.get(_last_adder(name, evs) or "", "none") in WRITE_PERMISSIONS
        assert (name not in bad) == writer


@given(st.sets(st.sampled_from(VERIFIED), min_size=1), actors)
def test_events_that_could_not_be_read_verify_nothing(present: set[str], actor: str) -> None:
    todo = needs_verification(Event(name="schedule"), present)
    assert adders(todo, None) == ()
    assert set(unverified(todo, None, {actor: "admin"})) == present


def test_an_earlier_writers_addition_does_not_cover_a_later_triage_one() -> None:
    evs = [
        LabelEvent("labeled", L.STOP, "maintainer"),
        LabelEvent("unlabeled", L.STOP, "github-actions[bot]"),
        LabelEvent("labeled", L.STOP, "triager"),
    ]
    assert unverified((L.STOP,), evs, PERMS) == (L.STOP,)
    assert unverified((L.STOP,), evs[:1], PERMS) == ()


def _pr(*labels: str, state: str = "open") -> PrInfo:
    return PrInfo(number=7, state=state, head_sha="a" * 40, labels=labels)


RUNNING = ("🎪 🎯 aaaaaaa", "🎪 aaaaaaa 🚦 running", "🎪 aaaaaaa 📅 2026-12-05T10-00")


def test_an_unverified_stop_never_tears_down_and_is_removed() -> None:
    pr = _pr(*RUNNING, L.STOP)
    ev = Event(name="schedule", actor="showtime-cleanup")
    alone = decide(ev, pr, NOW)  # what the label alone would do
    assert [op.action for op in alone.stacks] == ["destroy"]
    plan = with_unverified_removed(decide(ev, without(pr, [L.STOP]), NOW), [L.STOP])
    assert not any(op.action == "destroy" for op in plan.stacks)
    assert L.STOP in plan.remove_labels
    assert any("not obeyed" in w and L.STOP in w for w in plan.warnings)


def test_an_unverified_block_does_not_keep_a_closed_prs_environment() -> None:
    pr = _pr(*RUNNING, L.BLOCKED, state="closed")
    ev = Event(name="schedule", actor="showtime-cleanup")
    assert decide(ev, pr, NOW).intent == "none"  # 🔒 alone keeps it
    plan = with_unverified_removed(decide(ev, without(pr, [L.BLOCKED]), NOW), [L.BLOCKED])
    assert [op.action for op in plan.stacks] == ["destroy"]
    assert L.BLOCKED in plan.remove_labels and L.BLOCKED not in plan.add_labels
