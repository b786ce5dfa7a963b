"""Held locks (bounded retries, ``--unlock``) and pending operations left by a killed run."""

from __future__ import annotations

import pytest

from showtime_iac.adapters import stacks as S
from showtime_iac.core.model import resource_tags
from tests.adapters.stacks.support import cfg, driver
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
