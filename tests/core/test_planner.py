"""The lifecycle planner, table-tested on real-shaped webhook payloads (no fakes: it is pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from showtime_iac.core import labels as L
from showtime_iac.core.events import parse_event
from showtime_iac.core.model import Event, Policy, PrInfo, Status
from showtime_iac.core.planner import (
    Plan,
    decide,
    expired,
    on_destroying,
    on_failure,
    on_success,
)
from tests import payloads as P

NOW = datetime(2026, 1, 15, 14, 30, tzinfo=UTC)
OLD = "abc1234"
NEW = "def5678"
NEW_FULL = "def5678aaaabbbbccccddddeeeeffff000011112"


def running(sha: str = OLD, created: str = "2026-01-15T10-00", ttl: str = "24h") -> list[str]:
    return [
        f"🎪 {sha} 🚦 running",
        f"🎪 🎯 {sha}",
        f"🎪 {sha} 🌐 52.1.2.3:8080",
        f"🎪 {sha} 📅 {created}",
        f"🎪 {sha} ⌛ {ttl}",
        f"🎪 {sha} 👤 alice",
    ]


def building(sha: str, created: str) -> list[str]:
    return [f"🎪 {sha} 🚦 building", f"🎪 🏗️ {sha}", f"🎪 {sha} 📅 {created}", f"🎪 {sha} 👤 alice"]


def plan_for(
    payload: dict[str, Any], name: str = "pull_request", now: datetime = NOW, **kw: Any
) -> Plan:
    event, pr = parse_event(payload, name)
    assert pr is not None
    return decide(event, pr, now, Policy(), **kw)


def ops(plan: Plan) -> list[tuple[str, str, str]]:
    return [(op.action, op.stack, op.when) for op in plan.stacks]


# --- start ------------------------------------------------------------------------------------


def test_start_trigger_with_no_environment_claims_and_deploys() -> None:
    plan = plan_for(P.pull_request("labeled", ["dashboard", L.START], label=L.START))
    assert plan.intent == "start"
    assert plan.remove_labels == (L.START,)
    assert set(plan.add_labels) == {
        "🎪 abc1234 🚦 building",
        "🎪 🏗️ abc1234",
        "🎪 abc1234 📅 2026-01-15T14-30",
        "🎪 abc1234 👤 maintainer",
        "🎪 abc1234 ⌛ idle 24h · max 2026-01-22T14-30",  # the max age: 7 days from now
        "🎪 abc1234 ⚙️ ALERTS",  # FEATURE_ALERTS=true in the PR description
    }
    assert ops(plan) == [("up", "pr-1234-abc1234", "now")]
    cfg = plan.stacks[0].config
    assert cfg is not None and cfg.requester == "maintainer"
    assert cfg.flags == (("ALERTS", True),)
    assert plan.comment is not None and "abc1234" in plan.comment
    assert plan.skipped is None


def test_start_when_the_sha_already_runs_only_consumes_the_trigger() -> None:
    plan = plan_for(
        P.pull_request("labeled", [*running(), L.START], sha=OLD + "0" * 33, label=L.START)
    )
    assert plan.stacks == ()
    assert plan.remove_labels == (L.START,)
    assert plan.add_labels == ()
    assert "already running" in plan.reasons[0]


def test_second_claim_of_a_fresh_build_does_not_deploy_twice() -> None:
    labels = [*building(OLD, "2026-01-15T14-10"), L.START]
    plan = plan_for(P.pull_request("labeled", labels, label=L.START))
    assert plan.stacks == ()
    assert plan.remove_labels == (L.START,)
    assert "no second deploy" in plan.reasons


def test_a_stale_build_lock_is_reclaimed() -> None:
    labels = [*building(OLD, "2026-01-15T13-00"), L.START]  # 90 minutes old, limit 1 h
    plan = plan_for(P.pull_request("labeled", labels, label=L.START))
    assert ops(plan) == [("up", "pr-1234-abc1234", "now")]
    assert "🎪 abc1234 📅 2026-01-15T13-00" in plan.remove_labels
    assert "🎪 abc1234 📅 2026-01-15T14-30" in plan.add_labels


def test_the_same_build_is_fresh_just_under_the_limit() -> None:
    labels = [*building(OLD, "2026-01-15T13-31"), L.START]
    assert plan_for(P.pull_request("labeled", labels, label=L.START)).stacks == ()


def test_a_failed_environment_can_be_retried() -> None:
    labels = ["🎪 abc1234 🚦 failed", "🎪 abc1234 📅 2026-01-15T14-00", L.START]
    plan = plan_for(P.pull_request("labeled", labels, label=L.START))
    assert ops(plan) == [("up", "pr-1234-abc1234", "now")]
    assert "🎪 abc1234 🚦 failed" in plan.remove_labels
    assert "🎪 abc1234 🚦 building" in plan.add_labels


def test_legacy_testenv_up_starts_and_stays_on() -> None:
    plan = plan_for(P.pull_request("labeled", [L.LEGACY], label=L.LEGACY))
    assert ops(plan) == [("up", "pr-1234-abc1234", "now")]
    assert L.LEGACY not in plan.remove_labels


def test_reopened_pr_with_testenv_up_starts_again() -> None:
    plan = plan_for(P.pull_request("reopened", [L.LEGACY]))
    assert ops(plan) == [("up", "pr-1234-abc1234", "now")]


def test_start_on_a_newer_commit_rolls_forward() -> None:
    plan = plan_for(P.pull_request("labeled", [*running(), L.START], sha=NEW_FULL, label=L.START))
    assert plan.intent == "update"
    assert ops(plan) == [
        ("up", "pr-1234-def5678", "now"),
        ("destroy", "pr-1234-abc1234", "after_healthy"),
    ]
    assert L.START in plan.remove_labels


# --- push --------------------------------------------------------------------------------------


def test_push_rolls_forward_and_destroys_the_old_stack_only_after_health() -> None:
    plan = plan_for(P.pull_request("synchronize", running(), sha=NEW_FULL))
    assert plan.intent == "update"
    assert ops(plan) == [
        ("up", "pr-1234-def5678", "now"),
        ("destroy", "pr-1234-abc1234", "after_healthy"),
    ]
    # the old environment keeps serving: its labels stay until the new one is healthy
    assert not any(OLD in n for n in plan.remove_labels)
    assert "🎪 🏗️ def5678" in plan.add_labels
    assert "🎪 def5678 👤 alice" in plan.add_labels  # the requester carries over
    # the idle TTL carries over; the max age counts from the old environment's 📅 (a label
    # written before max ages existed), not from this push
    assert "🎪 def5678 ⌛ idle 24h · max 2026-01-22T10-00" in plan.add_labels


def test_push_keeps_the_ttl_and_config_of_the_running_environment() -> None:
    labels = [*running(ttl="48h"), "🎪 abc1234 ⚙️ large,ALERTS"]
    plan = plan_for(P.pull_request("synchronize", labels, sha=NEW_FULL))
    assert "🎪 def5678 ⌛ idle 48h · max 2026-01-22T10-00" in plan.add_labels
    assert "🎪 def5678 ⚙️ large,ALERTS" in plan.add_labels
    cfg = plan.stacks[0].config
    assert cfg is not None and cfg.size == "large" and cfg.flags == (("ALERTS", True),)


def test_push_to_a_fork_pr_waits_for_a_maintainer() -> None:
    plan = plan_for(P.pull_request("synchronize", running(), sha=NEW_FULL, fork=True))
    assert plan.stacks == ()
    assert plan.skipped is not None and "fork" in plan.skipped


def test_push_on_a_frozen_pr_does_nothing() -> None:
    plan = plan_for(P.pull_request("synchronize", [*running(), L.FREEZE], sha=NEW_FULL))
    assert plan.skipped is not None and "frozen" in plan.skipped
    assert plan.stacks == () and plan.add_labels == () and plan.remove_labels == ()


def test_push_without_environment_does_nothing() -> None:
    plan = plan_for(P.pull_request("synchronize", ["dashboard"], sha=NEW_FULL))
    assert plan.skipped is not None and plan.stacks == ()


def test_unfreezing_catches_up_with_the_head() -> None:
    plan = plan_for(P.pull_request("unlabeled", running(), sha=NEW_FULL, label=L.FREEZE))
    assert ops(plan)[0] == ("up", "pr-1234-def5678", "now")


# --- stop and close ------------------------------------------------------------------------------


def test_stop_trigger_destroys_every_stack_and_cleans_labels() -> None:
    labels = [*running(), *building(NEW, "2026-01-15T14-20"), L.STOP, "dashboard"]
    plan = plan_for(P.pull_request("labeled", labels, sha=NEW_FULL, label=L.STOP))
    assert plan.intent == "stop"
    assert sorted(ops(plan)) == [
        ("destroy", "pr-1234-abc1234", "now"),
        ("destroy", "pr-1234-def5678", "now"),
    ]
    assert set(plan.remove_labels) == {n for n in labels if n.startswith(L.PREFIX)}
    assert "dashboard" not in plan.remove_labels


def test_removing_the_start_trigger_means_nothing() -> None:
    plan = plan_for(P.pull_request("unlabeled", running(), sha=OLD + "0" * 33, label=L.START))
    assert plan.stacks == () and plan.remove_labels == ()
    assert plan.skipped is not None


def test_a_person_removing_testenv_up_destroys_the_environment() -> None:
    plan = plan_for(P.pull_request("unlabeled", running(), sha=OLD + "0" * 33, label=L.LEGACY))
    assert ops(plan) == [("destroy", "pr-1234-abc1234", "now")]


def test_closing_destroys_active_and_building_and_removes_state_labels() -> None:
    labels = [*running(), *building(NEW, "2026-01-15T14-20"), "dashboard", L.LEGACY]
    plan = plan_for(P.pull_request("closed", labels, state="closed", merged=True))
    assert plan.intent == "teardown"
    assert sorted(ops(plan)) == [
        ("destroy", "pr-1234-abc1234", "now"),
        ("destroy", "pr-1234-def5678", "now"),
    ]
    assert set(plan.remove_labels) == {n for n in labels if n.startswith(L.PREFIX)}


def test_closing_also_destroys_stacks_whose_labels_were_lost() -> None:
    plan = plan_for(
        P.pull_request("closed", ["dashboard"], state="closed"),
        known_stacks=["pr-1234-0123abc", "pr-999-abc1234", "shared"],
    )
    assert ops(plan) == [("destroy", "pr-1234-0123abc", "now")]


def test_closed_pr_without_environment_is_skipped() -> None:
    plan = plan_for(P.pull_request("closed", ["dashboard"], state="closed"))
    assert plan.skipped is not None and plan.stacks == ()


# --- blocked, noise, TTL, dispatch ------------------------------------------------------------------


@pytest.mark.parametrize("action", ["labeled", "synchronize", "closed"])
def test_blocked_pr_gets_no_operation_at_all(action: str) -> None:
    labels = [*running(), L.BLOCKED, L.START, L.STOP]
    plan = plan_for(
        P.pull_request(
            action, labels, sha=NEW_FULL, state="closed" if action == "closed" else "open"
        )
    )
    assert plan.skipped is not None and "blocked" in plan.skipped
    assert plan.stacks == () and plan.add_labels == () and plan.remove_labels == ()


def test_our_own_state_label_events_are_noise() -> None:
    plan = plan_for(
        P.pull_request("labeled", running(), sha=OLD + "0" * 33, label="🎪 abc1234 🚦 running")
    )
    assert plan.skipped is not None and plan.stacks == ()


def test_expired_environment_is_destroyed_on_schedule() -> None:
    pr = PrInfo(
        number=1234, state="open", head_sha=OLD, labels=tuple(running(created="2026-01-14T10-00"))
    )
    plan = decide(Event(name="schedule"), pr, NOW, Policy(warn_before=timedelta(0)))
    assert ops(plan) == [("destroy", "pr-1234-abc1234", "now")]
    assert "expired" in plan.reasons[0]


@pytest.mark.parametrize("ttl", ["close", "manual", "48h"])
def test_unexpired_or_unbounded_environments_survive_the_schedule(ttl: str) -> None:
    pr = PrInfo(
        number=1234,
        state="open",
        head_sha=OLD,
        labels=tuple(running(created="2026-01-14T10-00", ttl=ttl)),
    )
    assert decide(Event(name="schedule"), pr, NOW).stacks == ()


def test_workflow_dispatch_start() -> None:
    plan = plan_for(
        P.workflow_dispatch(pr_number="1234", action="start", sha=P.HEAD), "workflow_dispatch"
    )
    assert ops(plan) == [("up", "pr-1234-abc1234", "now")]


def test_comment_on_a_pr_plans_with_the_labels_it_carries() -> None:
    plan = plan_for(P.issue_comment("/showtime status", running()), "issue_comment")
    assert plan.stacks == ()


# --- after the deploy ----------------------------------------------------------------------------


def test_on_success_moves_the_pointer_and_drops_the_old_sha() -> None:
    labels = [*running(), *building(NEW, "2026-01-15T14-20"), "🎪 def5678 ⌛ 24h"]
    d = on_success(labels, NEW, "52.9.9.9:8080")
    after = L.apply_diff(labels, d)
    state = L.parse_state(after)
    assert state.active_sha == NEW and state.building_sha is None
    assert state.shows[NEW].status is Status.RUNNING and state.shows[NEW].ip == "52.9.9.9:8080"
    assert OLD not in state.shows
    assert state.warnings == ()


def test_on_failure_keeps_the_old_environment_active() -> None:
    labels = [*running(), *building(NEW, "2026-01-15T14-20")]
    after = L.apply_diff(labels, on_failure(labels, NEW))
    state = L.parse_state(after)
    assert state.active_sha == OLD and state.shows[OLD].status is Status.RUNNING
    assert state.shows[NEW].status is Status.FAILED
    assert state.building_sha is None


def test_the_teardown_claim_drops_the_pointer_and_stamps_the_claim() -> None:
    labels = running()
    after = L.apply_diff(labels, on_destroying(labels, [OLD], NOW))
    state = L.parse_state(after)
    assert state.active_sha is None and state.shows[OLD].status is Status.DESTROYING
    assert state.shows[OLD].created == NOW.replace(second=0) and state.warnings == ()


def test_a_teardown_claim_written_half_way_is_completed_keeping_its_stamp() -> None:
    """The first claim's additions landed, its removals did not (a 502): 🚦 destroying sits
    beside 🚦 running and 🎯. The retry's claim still drops 🎯 (and the stale 🚦) before the
    stack goes, and keeps the earliest 📅: a retry never makes a stale claim fresh."""
    labels = [*running(), f"🎪 {OLD} 🚦 destroying", f"🎪 {OLD} 📅 2026-01-15T12-00"]
    assert L.parse_state(labels).shows[OLD].status is Status.DESTROYING
    after = L.apply_diff(labels, on_destroying(labels, [OLD], NOW))
    state = L.parse_state(after)
    assert state.active_sha is None and f"🎪 {OLD} 🚦 running" not in after
    assert state.shows[OLD].status is Status.DESTROYING
    assert state.shows[OLD].created == datetime(2026, 1, 15, 10, 0, tzinfo=UTC)
    assert state.warnings == ()


def test_a_complete_teardown_claim_is_not_written_again() -> None:
    labels = L.apply_diff(running(), on_destroying(running(), [OLD], NOW - timedelta(hours=2)))
    assert not on_destroying(labels, [OLD], NOW)


def test_expired_uses_created_plus_ttl() -> None:
    show = L.parse_state(running(created="2026-01-14T14-30")).shows[OLD]
    assert expired(show, NOW)
    assert not expired(show, NOW - timedelta(minutes=1))


# --- properties ---------------------------------------------------------------------------------

label_pool = st.sampled_from(
    [
        *L.TRIGGER_LABELS,
        L.LEGACY,
        *running(),
        *building(NEW, "2026-01-15T14-00"),
        "🎪 junk",
        "dashboard",
    ]
)
events = st.builds(
    Event,
    name=st.sampled_from(["pull_request", "workflow_dispatch", "schedule", "issue_comment", "cli"]),
    action=st.sampled_from(
        [None, "labeled", "unlabeled", "synchronize", "closed", "reopened", "start", "stop"]
    ),
    actor=st.sampled_from(["", "alice", "bob"]),
    label=st.one_of(st.none(), label_pool),
)


@given(
    events,
    st.lists(label_pool, max_size=12),
    st.sampled_from(["open", "closed"]),
    st.sampled_from([OLD, NEW_FULL, ""]),
    st.integers(1, 99999),
)
def test_decide_is_total_and_only_touches_its_own_pr(
    event: Event, labels: list[str], state: str, head: str, number: int
) -> None:
    pr = PrInfo(number=number, state=state, head_sha=head, labels=tuple(labels))  # type: ignore[arg-type]
    plan = decide(event, pr, NOW, known_stacks=["pr-1-abc1234", f"pr-{number}-1111111"])
    assert all(op.stack.startswith(f"pr-{number}-") for op in plan.stacks)
    assert set(plan.remove_labels) <= set(labels)  # never removes what is not there
    assert not set(plan.add_labels) & set(labels)
    assert all(L.label_length(n) <= L.MAX_LABEL for n in plan.add_labels)
    if L.BLOCKED in labels:
        assert plan.stacks == ()
    ups = [op for op in plan.stacks if op.action == "up"]
    assert len(ups) <= 1
    if ups:  # a deploy is always claimed in labels first
        assert f"🎪 🏗️ {ups[0].sha}" in set(plan.add_labels) | set(labels)
