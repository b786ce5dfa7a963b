"""Held locks (bounded retries, ``--unlock``, stale locks removed) and pending operations left by
a killed run, recovered under the same lock handling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from showtime_iac.adapters import stacks as S
from showtime_iac.core.model import resource_tags
from tests.adapters.stacks.support import NOW, SHA, cfg, driver
from tests.doubles import FakeEngine


def test_concurrent_update_retries_then_succeeds() -> None:
    e = FakeEngine()
    e.locked_for = 2
    d = driver(e)
    d.up(cfg())
    assert e.ops("up") == 3
    assert d.sleeps == [1.0, 2.0]  # type: ignore[attr-defined]
    assert sum("locked by another update" in n for n in d.notes) == 2


def test_concurrent_update_gives_up_after_bounded_retries() -> None:
    e = FakeEngine()
    e.locked_for = 99
    d = driver(e)
    with pytest.raises(S.StackBusyError, match=r"tried 4 times .*--unlock"):
        d.up(cfg())
    assert e.ops("up") == 4 and e.ops("cancel") == 0


def test_unlock_cancels_a_stale_lock_and_recovers_pending_operations() -> None:
    e = FakeEngine()
    e.add("pr-1234-abc1234", tags=resource_tags(cfg()))
    e.locked_for = 99
    d = driver(e, unlock=True)
    e.stacks["pr-1234-abc1234"]["pending"] = []
    d.up(cfg())
    assert e.ops("cancel") == 1
    assert any("cancelled the lock" in n for n in d.notes)


def test_pending_operations_are_recovered_with_a_message() -> None:
    e = FakeEngine()
    e.add("pr-1234-abc1234")
    e.stacks["pr-1234-abc1234"]["pending"] = [
        {
            "type": "creating",
            "resource": {"urn": "urn:pulumi:s::p::aws:ecs/service:Service::service"},
        },
        {
            "type": "updating",
            "resource": {
                "urn": "urn:pulumi:s::p::aws:ecs/taskDefinition:TaskDefinition::task-definition"
            },
        },
    ]
    d = driver(e)
    d.up(cfg())
    assert e.ops("refresh") == 1 and e.ops("import") == 1
    assert e.stacks["pr-1234-abc1234"]["pending"] == []
    note = next(n for n in d.notes if "pending operation" in n)
    assert (
        "2 pending operation(s)" in note
        and "creating service" in note
        and "removed the rest" in note
    )


# --------------------------------------------------------------------------- stale locks
# A killed run leaves its lock file and its pending operations. The recovery takes the lock
# (refresh, import), so it must run under the same lock handling as the operation itself.

HOST = "ci-host"
STACK = "pr-1234-abc1234"
PENDING = [{"type": "creating", "resource": {"urn": "urn:pulumi:s::p::fake:Service::service"}}]


def killed_run(e: FakeEngine, **lock: Any) -> None:
    """What `kill -9` mid-`up` leaves: the stack, a pending create and the lock."""
    e.add(STACK, tags=resource_tags(cfg()))
    e.stacks[STACK]["pending"] = list(PENDING)
    e.lock(STACK, **lock)


def policy(alive: bool = False, stale_after: timedelta = timedelta(hours=1)) -> S.LockPolicy:
    return S.LockPolicy(stale_after=stale_after, host=HOST, alive=lambda _pid: alive)


def test_up_after_a_killed_run_on_this_host_removes_its_lock_and_recovers_pending() -> None:
    e = FakeEngine()
    killed_run(e, host=HOST, pid=31337)
    d = driver(e, lock_policy=policy(alive=False))
    d.up(cfg())
    assert e.ops("cancel") == 1 and e.held == {}
    assert e.stacks[STACK]["pending"] == []
    assert e.ops("up") == 1 and d.sleeps == []  # type: ignore[attr-defined]
    assert any(
        "cancelled the lock left by another run (runner@ci-host (pid 31337)" in n for n in d.notes
    )
    assert any("its process is gone" in n for n in d.notes)
    assert any("1 pending operation(s)" in n for n in d.notes)


def test_destroy_after_a_killed_run_recovers_then_destroys_and_removes() -> None:
    e = FakeEngine()
    killed_run(e, host=HOST, pid=31337)
    d = driver(e, lock_policy=policy(alive=False))
    d.destroy(1234, SHA)
    assert STACK not in e.stacks and e.ops("cancel") == 1


def test_a_lock_held_by_a_live_run_is_waited_for_and_its_pending_operations_untouched() -> None:
    e = FakeEngine()
    killed_run(e, host="runner-7", pid=99, since=NOW - timedelta(minutes=3))
    d = driver(e, lock_policy=policy())
    with pytest.raises(S.StackBusyError, match=r"runner@runner-7 \(pid 99\) at 2026-01-15T14:27"):
        d.up(cfg())
    assert e.ops("cancel") == 0
    assert e.stacks[STACK]["pending"] == PENDING  # the live run's, not ours to clear
    assert e.ops("import") == 0 and e.ops("up") == 0
    assert d.sleeps == [1.0, 2.0, 4.0]  # type: ignore[attr-defined]


def test_a_live_process_on_this_host_keeps_its_lock() -> None:
    e = FakeEngine()
    killed_run(e, host=HOST, pid=4242)
    with pytest.raises(S.StackBusyError):
        driver(e, lock_policy=policy(alive=True)).up(cfg())
    assert e.ops("cancel") == 0


def test_a_lock_older_than_the_stale_limit_is_removed_whatever_its_host() -> None:
    e = FakeEngine()
    killed_run(e, host="runner-7", since=NOW - timedelta(minutes=61))
    d = driver(e, lock_policy=policy(alive=True))
    d.up(cfg())
    assert e.ops("cancel") == 1
    assert any("held 61 min, past the stale-claim age" in n for n in d.notes)


def test_unlock_removes_a_live_lock_after_the_retries_and_recovers() -> None:
    e = FakeEngine()
    killed_run(e, host="runner-7")
    d = driver(e, lock_policy=policy(), unlock=True)
    d.up(cfg())
    assert e.ops("cancel") == 1 and e.stacks[STACK]["pending"] == []
    assert any("(--unlock)" in n for n in d.notes)


def test_two_runs_creating_the_same_stack_the_second_uses_the_first_ones() -> None:
    e = FakeEngine()
    real_select = e.select

    def racing_select(stack: str) -> bool:  # the other run creates it right after our look
        found = real_select(stack)
        if not found:
            e.add(stack, tags=resource_tags(cfg()))
        return found

    e.select = racing_select  # type: ignore[method-assign]
    d = driver(e)
    d.up(cfg())
    assert e.ops("create") == 1 and e.ops("up") == 1
    assert e.ops("export") == 1  # treated as an existing stack: pending operations looked for


@settings(max_examples=200, deadline=None)
@given(
    user=st.from_regex(r"[a-z_][a-z0-9_.-]{0,15}", fullmatch=True),
    host=st.from_regex(r"[A-Za-z0-9][A-Za-z0-9.-]{0,30}", fullmatch=True),
    pid=st.integers(min_value=1, max_value=2**22),
    when=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
    n=st.integers(min_value=1, max_value=3),
)
def test_lock_holders_round_trip_the_engines_lock_error(
    user: str, host: str, pid: int, when: datetime, n: int
) -> None:
    when = when.replace(microsecond=0)
    # the DIY backend's checkForLock: one line per lock file, RFC 3339 timestamps
    lines = [
        "error: the stack is currently locked by 1 lock(s). Either wait for the other "
        "process(es) to end or delete the lock file with `pulumi cancel`."
    ]
    lines += [
        f"  s3://state/.pulumi/locks/organization/showtime-iac/{STACK}/{i}.json?endpoint=x: "
        f"created by {user}@{host} (pid {pid + i}) at {when.strftime('%Y-%m-%dT%H:%M:%SZ')}"
        for i in range(n)
    ]
    holders = S.lock_holders("\n".join(lines))
    assert [(h.user, h.host, h.pid, h.since) for h in holders] == [
        (user, host, pid + i, when) for i in range(n)
    ]


def test_lock_holders_of_a_cloud_conflict_is_empty() -> None:
    assert S.lock_holders("error: [409] Conflict: Another update is currently in progress.") == []
