"""A run killed mid-deploy leaves its stack locked, with pending operations (issue 15,
finding 6): the driver recovers a stale lock (older than the policy's stale-claim age, its
run gone), waits for a fresh one, and recovers pending operations inside the lock retries.
The engine double honours locks the way Pulumi does: up, destroy and refresh all meet them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from showtime_iac.adapters import stacks as S
from showtime_iac.adapters.stacks.backend import lock_file_age
from showtime_iac.core.model import resource_tags
from tests.adapters.stacks.support import NOW, cfg, driver
from tests.doubles import FakeEngine

STACK = "pr-1234-abc1234"
HOUR = timedelta(hours=1)
PENDING = {
    "type": "creating",
    "resource": {"urn": "urn:pulumi:s::p::aws:ecs/service:Service::service"},
}


def killed(age: timedelta, *, ages_known: bool = True) -> FakeEngine:
    """A stack whose deploy was killed ``age`` ago: locked, one create pending."""
    e = FakeEngine()
    e.add(STACK, tags=resource_tags(cfg()))
    e.stacks[STACK]["pending"] = [dict(PENDING)]
    e.lock(STACK, age)
    e.lock_ages_known = ages_known
    return e


def test_finding_6_a_stale_lock_is_cancelled_and_the_killed_runs_leftovers_recovered() -> None:
    e = killed(3 * HOUR)
    d = driver(e, stale_after=HOUR)
    d.up(cfg())
    assert e.ops("cancel") == 1 and STACK not in e.held
    assert e.stacks[STACK]["pending"] == []  # refreshed after the cancel, then up
    assert e.ops("up") >= 1 and e.stacks[STACK]["resources"] == 4
    assert any("cancelled the lock" in n and "stale-claim age" in n for n in d.notes)


def test_finding_6_a_fresh_lock_is_waited_for_never_cancelled() -> None:
    e = killed(10 * timedelta(minutes=1))
    d = driver(e, stale_after=HOUR)
    with pytest.raises(S.StackBusyError, match="locked by another update"):
        d.up(cfg())
    assert e.ops("cancel") == 0 and STACK in e.held
    assert e.stacks[STACK]["pending"] == [PENDING]  # nothing of the live run was touched


def test_finding_6_without_lock_ages_the_apps_stale_claim_decides() -> None:
    """S3 and Pulumi Cloud do not tell a lock's age: the PR's claim labels do."""
    e = killed(3 * HOUR, ages_known=False)
    d = driver(e, stale_after=HOUR)
    with pytest.raises(S.StackBusyError):
        d.up(cfg())
    assert e.ops("cancel") == 0
    d.stale_claims.add(STACK)
    d.up(cfg())
    assert e.ops("cancel") == 1 and e.stacks[STACK]["pending"] == []


def test_finding_6_a_stale_lock_does_not_stop_a_teardown() -> None:
    e = killed(3 * HOUR)
    d = driver(e, stale_after=HOUR)
    d.destroy(1234, "abc1234")
    assert STACK not in e.stacks  # destroyed, then removed (never forced)
    assert e.ops("cancel") == 1


def test_finding_6_the_recovery_refresh_waits_for_a_lock_like_the_operation() -> None:
    e = FakeEngine()
    e.add(STACK, tags=resource_tags(cfg()))
    e.stacks[STACK]["pending"] = [dict(PENDING)]
    e.locked_for = 1  # another run's update is just finishing
    d = driver(e)
    d.up(cfg())
    assert e.ops("refresh") == 2 and e.ops("cancel") == 0
    assert e.stacks[STACK]["pending"] == []


def test_finding_6_a_file_backend_tells_a_locks_age(tmp_path: Path) -> None:
    locks = tmp_path / ".pulumi" / "locks" / "organization" / "showtime-iac" / STACK
    locks.mkdir(parents=True)
    stamp = (NOW - 2 * HOUR).strftime("%Y-%m-%dT%H:%M:%S.123456789Z")
    (locks / "f3a1.json").write_text(
        f'{{"pid": 1, "username": "runner", "hostname": "gone", "timestamp": "{stamp}"}}'
    )
    assert lock_file_age(tmp_path, STACK, NOW) == timedelta(hours=2, seconds=-0.123456)
    assert lock_file_age(tmp_path, "pr-1-0000000", NOW) is None
