"""The driver's preview, outputs and stale-lock answers over the engine double (issue 29):
what reaches the engine, and each failure as the one line the user reads."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from showtime_iac.adapters import stacks as S
from showtime_iac.core.model import InputError, resource_tags
from tests.adapters.stacks.support import NOW, cfg, driver
from tests.doubles import FakeEngine, cmd_error, event

STACK = "pr-1234-abc1234"
SHA = "abc1234def5678abc1234def5678abc1234def56"


def existing() -> FakeEngine:
    e = FakeEngine()
    e.add(STACK, tags=resource_tags(cfg()))
    return e


def fail(*_a: Any, **_kw: Any) -> Any:
    raise cmd_error("warning: slow\nerror: the backend said no\n")


def test_a_preview_runs_on_the_stack_with_every_config_value_and_the_output_callback() -> None:
    e = existing()
    e.preview_events = [event("update", "aws:ecs/service:Service", "service", ["image"])]
    seen: list[tuple[str, dict[str, Any]]] = []
    real = e.preview

    def recording(stack: str, on_event: Any, **kw: Any) -> None:
        seen.append((stack, kw))
        real(stack, on_event, **kw)

    e.preview = recording  # type: ignore[method-assign]
    lines: list[str] = []
    assert driver(e).preview(cfg(), lines.append) is True
    assert seen == [
        (
            STACK,
            {
                "config": {
                    "aws:region": "us-west-2",
                    "showtime-iac:pr": "1234",
                    "showtime-iac:sha": SHA,
                    "showtime-iac:repo": "apache/superset",
                    "showtime-iac:size": "medium",
                    "showtime-iac:flags": "{}",
                    "showtime-iac:debug": "false",
                    "showtime-iac:examples": "true",
                    "showtime-iac:cacheRedis": "false",
                    "showtime-iac:ttl": "48h",
                    "showtime-iac:requester": "octocat",
                    "showtime-iac:sleeping": "false",
                    "showtime-iac:prepared": "false",
                    "showtime-iac:created": "2026-01-15T14:30:00+00:00",
                },
                "on_output": lines.append,
            },
        )
    ]


def test_a_preview_without_the_passphrase_says_the_stack_exists_and_asks_nothing_more() -> None:
    e = existing()
    with pytest.raises(S.PassphraseError) as info:
        driver(e, env={}).preview(cfg())
    assert str(info.value) == (
        f"stack {STACK} exists and its secrets are encrypted with a passphrase: export "
        "PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) with the passphrase it was "
        "created with; nothing was changed"
    )
    assert e.calls == [("select", STACK)]


def test_a_preview_that_cannot_read_the_config_names_the_step_and_the_stack() -> None:
    e = existing()
    e.get_config = fail  # type: ignore[method-assign]
    with pytest.raises(S.StackError) as info:
        driver(e).preview(cfg())
    assert str(info.value) == f"configuration of stack {STACK} failed: error: the backend said no"
    assert e.ops("preview") == 0


def test_a_failed_preview_names_the_step_and_the_stack() -> None:
    e = existing()
    e.preview_error = "error: preview failed: AccessDenied"
    with pytest.raises(S.StackError) as info:
        driver(e).preview(cfg())
    assert (
        str(info.value) == f"preview of stack {STACK} failed: error: preview failed: AccessDenied"
    )


def test_a_preview_refuses_secret_config_before_asking_the_engine() -> None:
    e = existing()
    d = S.PulumiDriver(
        e,
        env={"PULUMI_CONFIG_PASSPHRASE": "pw"},
        base_config={"aws:region": "us-west-2", "showtime-iac:adminPassword": "hunter2"},
        clock=lambda: NOW,
    )
    with pytest.raises(InputError) as info:
        d.preview(cfg())
    assert str(info.value) == "a dry-run preview cannot carry secret config values"
    assert e.ops("preview") == 0


def test_outputs_that_cannot_be_read_name_the_step_and_the_stack() -> None:
    e = existing()
    e.outputs = fail  # type: ignore[method-assign]
    with pytest.raises(S.StackError) as info:
        driver(e).outputs(1234, SHA)
    assert str(info.value) == (
        f"reading the outputs of stack {STACK} failed: error: the backend said no"
    )


def after_retries(why: str) -> list[str]:
    return [
        f"{STACK}: locked by another update, retry 1/3 in 1 s",
        f"{STACK}: locked by another update, retry 2/3 in 2 s",
        f"{STACK}: locked by another update, retry 3/3 in 4 s",
        f"{STACK}: cancelled the lock left by another run ({why})",
    ]


@pytest.mark.parametrize(
    ("age", "minutes"),
    [(timedelta(hours=1), 60), (timedelta(minutes=125, seconds=30), 125)],
)
def test_a_lock_as_old_as_the_stale_age_is_cancelled_after_the_retries(
    age: timedelta, minutes: int
) -> None:
    """The holder the lock error names is kept by the lock policy (alive, younger than its
    limit); after the retries the lock's age says its run is gone: from the stale-claim age
    on (inclusive), in whole minutes."""
    e = existing()
    e.lock(STACK, age)
    keep = S.LockPolicy(stale_after=timedelta(hours=3), host="here", alive=lambda _pid: True)
    d = driver(e, stale_after=timedelta(hours=1), lock_policy=keep)
    d.up(cfg())
    assert d.notes == after_retries(
        f"held {minutes} min, past the stale-claim age: its run is gone"
    )
    assert (e.ops("cancel"), e.ops("up"), e.held) == (1, 5, {})  # 4 tries, 1 after the cancel


def test_a_lock_younger_than_the_stale_age_stays() -> None:
    e = existing()
    e.lock(STACK, timedelta(minutes=59, seconds=59))
    keep = S.LockPolicy(stale_after=timedelta(hours=3), host="here", alive=lambda _pid: True)
    with pytest.raises(S.StackBusyError):
        driver(e, stale_after=timedelta(hours=1), lock_policy=keep).up(cfg())
    assert e.ops("cancel") == 0


def test_a_stale_claim_cancels_a_lock_of_unknown_age_after_the_retries() -> None:
    e = existing()
    e.lock(STACK, timedelta(hours=3))
    e.lock_ages_known = False
    d = driver(e, stale_after=timedelta(hours=1))
    d.stale_claims.add(STACK)
    d.up(cfg())
    assert d.notes == after_retries(
        "its claim on the PR is past the stale-claim age: its run is gone"
    )
