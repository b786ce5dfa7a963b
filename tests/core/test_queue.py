"""The fleet's queue: starts over max_environments wait their turn (issue 27, item 2)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from showtime_iac.core import labels as L
from showtime_iac.core.events import parse_event
from showtime_iac.core.model import Event, Policy, PrInfo
from showtime_iac.core.plan import Fleet, pr_stacks
from showtime_iac.core.planner import decide
from showtime_iac.core.queue import (
    Queued,
    admit,
    entry_of,
    fleet_of,
    ordinal,
    position,
    queue_of,
    waiting_line,
)
from showtime_iac.core.record import Record, Recorded, reconcile
from tests import payloads as P
from tests.core.test_planner import NOW, running

HEAD7 = P.HEAD[:7]  # abc1234
NEW_HEAD = "fedcba9876543210fedcba9876543210fedcba98"
BASE = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)


def queued(sha: str = HEAD7, at: str = "2026-01-15T09-00", who: str = "maintainer") -> list[str]:
    return [f"🎪 {sha} 🚦 queued", f"🎪 {sha} 📅 {at}", f"🎪 {sha} 👤 {who}"]


def pr(n: int, labels: list[str], state: str = "open", head: str = P.HEAD) -> PrInfo:
    return PrInfo(number=n, state=state, head_sha=head, labels=tuple(labels), author="bob")


def entry(n: int, minutes: int, sha: str = HEAD7) -> Queued:
    return Queued(BASE + timedelta(minutes=minutes), n, sha, "maintainer")


def _start(labels: list[str], fleet: Fleet, policy: Policy | None = None, fork: bool = False):  # type: ignore[no-untyped-def]
    payload = P.pull_request("labeled", [*labels, L.START], label=L.START, fork=fork, body="")
    event, info = parse_event(payload, "pull_request")
    assert info is not None
    return decide(event, info, NOW, policy or Policy(max_environments=2), fleet=fleet)


# --- the pure queue ---------------------------------------------------------------------------


def test_ordinals() -> None:
    got = [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111, 112)]
    assert got == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "23rd",
        "101st",
        "111th",
        "112th",
    ]


def test_the_queue_is_first_come_first_served_then_by_pr_number() -> None:
    prs = [
        pr(9, queued(at="2026-01-15T09-05")),
        pr(3, queued(at="2026-01-15T09-05")),
        pr(7, queued(at="2026-01-15T08-59")),
        pr(5, running()),  # an environment: never in the queue
        pr(4, queued(at="2026-01-15T08-00"), state="closed"),  # closed: left it
        pr(6, ["🎪 abc1234 🚦 queued"]),  # no 📅: no place can be told
    ]
    q = queue_of(prs)
    assert [(e.pr, e.since) for e in q] == [
        (7, datetime(2026, 1, 15, 8, 59, tzinfo=UTC)),
        (3, datetime(2026, 1, 15, 9, 5, tzinfo=UTC)),
        (9, datetime(2026, 1, 15, 9, 5, tzinfo=UTC)),
    ]
    assert [position(q, n) for n in (7, 3, 9, 5)] == [1, 2, 3, None]


def test_a_pr_with_an_environment_and_queued_labels_is_not_queued() -> None:
    assert entry_of(pr(1, [*running(), *queued(sha="1234567")])) is None


def test_the_fleet_counts_environments_not_queued_requests() -> None:
    fleet = fleet_of([pr(1, running()), pr(2, queued()), pr(3, queued(who="alice"))])
    assert fleet.total == 1 and fleet.of("alice") == 1
    assert [e.pr for e in fleet.queue] == [2, 3]


def test_admit_gives_free_slots_to_the_head_of_the_line() -> None:
    q = (entry(1, 0), entry(2, 1), entry(3, 2))
    policy = Policy(max_environments=5)
    assert admit(q, 5, policy) == ()
    assert admit(q, 4, policy) == (entry(1, 0),)
    assert admit(q, 3, policy) == (entry(1, 0), entry(2, 1))
    assert admit(q, 0, policy) == q
    assert admit(q, 9, policy) == ()


# --- properties -------------------------------------------------------------------------------

entries = st.lists(
    # requests between 09:00 and NOW (14:30): a request is never after the run that reads it
    st.tuples(st.integers(1, 60), st.integers(0, 330)),
    unique_by=lambda t: t[0],
    max_size=25,
)


def _prs(spec: list[tuple[int, int]]) -> list[PrInfo]:
    out = []
    for number, minute in spec:
        at = L.format_timestamp(BASE + timedelta(minutes=minute))
        out.append(pr(number, queued(at=at)))
    return out


@given(entries, st.randoms(use_true_random=False))
def test_queue_order_is_stable_whatever_the_listing_order(
    spec: list[tuple[int, int]], rnd: random.Random
) -> None:
    prs = _prs(spec)
    shuffled = list(prs)
    rnd.shuffle(shuffled)
    assert queue_of(shuffled) == queue_of(prs)
    keys = [(e.since, e.pr) for e in queue_of(prs)]
    assert keys == sorted(keys)


@given(entries)
def test_positions_are_one_to_n_without_gaps(spec: list[tuple[int, int]]) -> None:
    q = queue_of(_prs(spec))
    assert sorted(position(q, n) or 0 for n, _ in spec) == list(range(1, len(spec) + 1))


@given(entries, st.integers(0, 30), st.integers(1, 30))
def test_nobody_skips_the_line(spec: list[tuple[int, int]], running_now: int, cap: int) -> None:
    """Admission takes a prefix of the line; a newcomer starts at once only when there is a
    slot for everyone ahead of it and for itself."""
    q = queue_of(_prs(spec))
    policy = Policy(max_environments=cap)
    admitted = admit(q, running_now, policy)
    assert admitted == q[: len(admitted)]
    assert running_now + len(admitted) <= max(cap, running_now)
    if running_now + len(q) <= cap:
        assert admitted == q
    newcomer = Queued(BASE + timedelta(days=9), 999, HEAD7)
    place = waiting_line(q, newcomer)
    assert place == len(q) + 1
    plan = _start([], Fleet(total=running_now, queue=q), policy)
    if running_now + len(q) < cap:
        assert plan.intent == "start"
    else:
        assert plan.intent == "queue"
        assert f"queued: {ordinal(len(q) + 1)} in line" in (plan.comment or "")


@given(entries, st.integers(0, 60))
def test_a_pr_is_never_both_queued_and_running(spec: list[tuple[int, int]], live: int) -> None:
    prs = _prs(spec)
    # some PRs of the spec also have an environment: the environment wins
    prs = [pr(p.number, [*p.labels, *running("1234567")]) if p.number <= live else p for p in prs]
    fleet = fleet_of(prs)
    running_prs = {p.number for p in prs if p.number <= live}
    assert {e.pr for e in fleet.queue}.isdisjoint(running_prs)
    assert fleet.total == len(running_prs)


# --- the planner ------------------------------------------------------------------------------


def test_a_start_waits_behind_the_queue_even_with_a_free_slot() -> None:
    fleet = Fleet(total=1, queue=(entry(2, 0),))  # one running, one waiting, cap 2
    plan = _start([], fleet)
    assert plan.intent == "queue" and plan.stacks == ()
    assert "queued: 2nd in line, starts when an environment frees" in (plan.comment or "")


def test_a_start_with_room_for_everyone_ahead_starts_now() -> None:
    plan = _start([], Fleet(total=0, queue=(entry(2, 0),)))
    assert plan.intent == "start" and [op.stack for op in plan.stacks] == ["pr-1234-abc1234"]


def test_the_same_request_again_keeps_its_place() -> None:
    fleet = Fleet(total=2, queue=(entry(2, 0), entry(3, 30)))
    plan = _start(queued(at="2026-01-15T09-10"), fleet)
    assert plan.intent == "queue"
    assert plan.remove_labels == (L.START,) and plan.add_labels == ()  # 📅 kept: same place
    assert "queued: 2nd in line" in (plan.comment or "")


def test_a_request_for_a_newer_head_keeps_the_place_and_moves_the_commit() -> None:
    plan = _start(queued(sha="1234567", at="2026-01-15T09-10"), Fleet(total=2))
    assert plan.intent == "queue"
    assert set(plan.remove_labels) == {L.START, *queued(sha="1234567", at="2026-01-15T09-10")}
    assert plan.add_labels == tuple(queued(at="2026-01-15T09-10"))


def test_a_queued_pr_starts_at_once_when_asked_again_with_a_free_slot() -> None:
    plan = _start(queued(at="2026-01-15T09-10"), Fleet(total=1))
    assert plan.intent == "start"
    assert [(op.action, op.stack) for op in plan.stacks] == [("up", "pr-1234-abc1234")]
    assert "🎪 abc1234 🚦 queued" in plan.remove_labels
    assert "🎪 abc1234 🚦 building" in plan.add_labels
    assert "🎪 abc1234 📅 2026-01-15T14-30" in plan.add_labels  # the lifetime counts from now


def test_the_requesters_own_quota_is_still_a_refusal() -> None:
    plan = _start([], Fleet(total=9, by_requester=(("maintainer", 3),)))
    assert plan.intent == "refuse" and "maximum is 3" in (plan.comment or "")


def _push(labels: list[str], fork: bool) -> tuple[Event, PrInfo]:
    payload = P.pull_request("synchronize", labels, sha=NEW_HEAD, fork=fork, body="")
    event, info = parse_event(payload, "pull_request")
    assert info is not None
    return event, info


def test_a_push_to_a_fork_leaves_the_queue() -> None:
    event, info = _push(queued(), fork=True)
    plan = decide(event, info, NOW, Policy(), fleet=Fleet(total=50))
    assert plan.intent == "refuse" and plan.stacks == ()
    assert set(plan.remove_labels) == set(queued()) and plan.add_labels == ()
    assert "Left the queue" in (plan.comment or "")


def test_a_push_to_a_branch_of_the_repository_keeps_the_place_for_the_new_head() -> None:
    event, info = _push(queued(), fork=False)
    plan = decide(event, info, NOW, Policy(), fleet=Fleet(total=50, queue=(entry(2, -5),)))
    assert plan.intent == "queue" and plan.stacks == ()
    assert plan.add_labels == tuple(queued(sha="fedcba9"))  # 📅 of the request: same place
    assert set(plan.remove_labels) == set(queued())
    assert "queued: 2nd in line" in (plan.comment or "")


def test_stop_leaves_the_queue_and_destroys_nothing() -> None:
    payload = P.pull_request("labeled", [*queued(), L.STOP], label=L.STOP)
    event, info = parse_event(payload, "pull_request")
    assert info is not None
    plan = decide(event, info, NOW)
    assert plan.stacks == ()
    assert set(plan.remove_labels) == {*queued(), L.STOP}
    assert "Left the queue" in (plan.comment or "")


def test_closing_leaves_the_queue() -> None:
    payload = P.pull_request("closed", queued(), state="closed")
    event, info = parse_event(payload, "pull_request")
    assert info is not None
    plan = decide(event, info, NOW)
    assert plan.stacks == () and set(plan.remove_labels) == set(queued())


def test_the_cleanups_expiry_leaves_a_queued_pr_alone() -> None:
    event = Event(name="schedule", actor="showtime-cleanup")
    plan = decide(event, pr(5, queued(at="2025-01-01T00-00")), NOW)
    assert plan.intent == "none" and plan.stacks == () and plan.remove_labels == ()


def test_a_refresh_of_a_queued_pr_deploys_nothing() -> None:
    event = Event(name="workflow_dispatch", action="refresh", actor="maintainer")
    plan = decide(event, pr(5, queued(), head=NEW_HEAD), NOW)
    assert plan.stacks == () and "queued" in (plan.skipped or "")


def test_dequeue_starts_exactly_the_queued_commit() -> None:
    event = Event(name="schedule", action="dequeue", actor="showtime-cleanup")
    plan = decide(event, pr(5, queued(at="2026-01-15T09-00")), NOW)
    assert plan.intent == "start"
    assert [(op.action, op.stack, op.sha) for op in plan.stacks] == [
        ("up", "pr-5-abc1234", "abc1234")
    ]
    assert plan.stacks[0].config is not None and plan.stacks[0].config.requester == "maintainer"
    assert {"🎪 abc1234 🚦 queued", "🎪 abc1234 📅 2026-01-15T09-00"} <= set(plan.remove_labels)
    assert "🎪 abc1234 🚦 building" in plan.add_labels
    assert "a slot freed: queued since 2026-01-15T09-00" in plan.reasons


def test_dequeue_of_a_head_that_moved_leaves_the_queue() -> None:
    event = Event(name="schedule", action="dequeue", actor="showtime-cleanup")
    plan = decide(event, pr(5, queued(), head=NEW_HEAD), NOW)
    assert plan.intent == "refuse" and plan.stacks == ()
    assert set(plan.remove_labels) == set(queued())


def test_a_queued_request_has_no_stack_to_destroy() -> None:
    assert pr_stacks(5, L.parse_state(queued()), ()) == []


def test_the_record_keeps_a_queued_request_beside_a_failed_stack() -> None:
    labels = ["🎪 1234567 🚦 failed", "🎪 1234567 📅 2026-01-15T08-00", *queued()]
    record = Record(pr=5, stacks={"1234567": Recorded(sha="1234567", status=None)})
    seen = reconcile(labels, record)
    assert set(queued()) <= set(seen.labels)


def test_the_orphan_sweep_keeps_the_image_a_queued_start_waits_for() -> None:
    """The writer's run pushed the queued commit's image; no stack exists for it yet."""
    from showtime_iac.core.orphans import TaggedResource, classify_orphans
    from showtime_iac.core.queue import queued_owners

    prs = [pr(5, queued()), pr(6, running("1234567"))]
    assert queued_owners(prs) == {"pr-5-abc1234": {}}
    old = NOW - timedelta(days=1)
    image = TaggedResource(
        "ecr-image",
        "sti-pr-5-abc1234",
        "sha256:0",
        {"showtime:pr": "5", "showtime:sha": HEAD7},
        old,
    )
    gone = TaggedResource(
        "ecr-image",
        "sti-pr-7-abc1234",
        "sha256:1",
        {"showtime:pr": "7", "showtime:sha": HEAD7},
        old,
    )
    got = classify_orphans([image, gone], queued_owners(prs), {5, 7}, NOW)
    assert [(d.resource.name, d.action) for d in got] == [
        ("sti-pr-5-abc1234", "keep"),
        ("sti-pr-7-abc1234", "delete"),
    ]
