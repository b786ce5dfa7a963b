"""The driver over the engine double: what it asks the engine to do (and not to do) for up,
preview and destroy, and its refusals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from showtime_iac.adapters import stacks as S
from showtime_iac.core.model import Ttl, resource_tags
from tests.adapters.stacks.support import ENV, NOW, SHA, cfg, driver
from tests.doubles import FakeEngine, cmd_error


def test_up_creates_stack_sets_config_and_tags_then_up() -> None:
    e = FakeEngine()
    d = driver(e)
    out = d.up(cfg())
    assert out == {"serviceName": "sti-pr-1234-abc1234"}
    assert [c for c, _ in e.calls[:3]] == ["select", "create", "set_config"]
    st = e.stacks["pr-1234-abc1234"]
    assert st["config"]["showtime-iac:created"][0] == NOW.isoformat()
    assert st["config"]["aws:region"] == ("us-west-2", False)
    assert resource_tags(cfg(created=NOW)).items() <= st["tags"].items()
    record = {k: v for k, v in st["tags"].items() if k not in resource_tags(cfg(created=NOW))}
    assert record == {
        "showtime:created-at": "2026-01-15T14:30:00Z",
        "showtime:config": "default",
        "showtime:status": "deploying",
        "showtime:max-age-lifted": "false",
    }
    assert e.ops("export") == 0  # a new stack has no pending operations to look for
    assert d.stats.total_s >= 0


def test_up_of_existing_stack_keeps_created_and_only_changed_tags() -> None:
    e = FakeEngine()
    d = driver(e)
    d.up(cfg())
    e.calls.clear()
    later = S.PulumiDriver(e, env=ENV, clock=lambda: NOW + timedelta(hours=5))
    later.up(cfg())
    assert e.stacks["pr-1234-abc1234"]["config"]["showtime-iac:created"][0] == NOW.isoformat()
    assert e.ops("set_tag") == 0 and e.ops("create") == 0 and e.ops("export") == 1
    later.up(cfg(ttl=Ttl("7d")))
    assert e.ops("set_tag") == 2  # ttl and expires-at


def test_up_skips_tags_on_an_old_cli_with_a_note() -> None:
    e = FakeEngine(version=(3, 200, 0))
    d = driver(e)
    d.up(cfg())
    assert e.ops("set_tag") == 0 and e.stacks["pr-1234-abc1234"]["tags"] == {}
    assert any("stack tags skipped" in n for n in d.notes)


def test_missing_passphrase_is_a_clear_error_and_changes_nothing() -> None:
    e = FakeEngine(backend_url="file:///tmp/x")
    e.add("pr-1234-abc1234")
    with pytest.raises(S.PassphraseError, match="exists and its secrets"):
        driver(e, env={}).up(cfg())
    with pytest.raises(S.PassphraseError, match="creating stack pr-1234-abc9999"):
        driver(e, env={}).up(cfg(sha="abc9999"))
    assert {c for c, _ in e.calls} == {"select"}
    # Pulumi Cloud and KMS need no passphrase
    driver(FakeEngine(backend_url="https://api.pulumi.com"), env={}).up(cfg())
    driver(FakeEngine(), env={}, secrets_provider="awskms://alias/x").up(cfg())


def test_up_failure_is_one_clear_line() -> None:
    e = FakeEngine()

    def boom(stack: str, on_output: Callable[[str], None]) -> dict[str, Any]:
        raise cmd_error("warning: x\nerror: creating ECS Service: AccessDenied\n")

    e.up = boom  # type: ignore[method-assign]
    with pytest.raises(
        S.StackError,
        match=r"^up of stack pr-1234-abc1234 failed: error: creating ECS Service: AccessDenied$",
    ):
        driver(e).up(cfg())


def test_preview_returns_false_for_a_missing_stack_and_writes_nothing() -> None:
    e = FakeEngine()
    assert driver(e).preview(cfg()) is False
    assert e.calls == [("select", "pr-1234-abc1234")]
    e.add("pr-1234-abc1234")
    assert driver(e).preview(cfg()) is True
    assert e.ops("set_config") == 0 and e.ops("create") == 0


def test_destroy_then_remove_never_forced() -> None:
    e = FakeEngine()
    d = driver(e)
    d.up(cfg())
    d.destroy(1234, SHA)
    assert "pr-1234-abc1234" not in e.stacks
    names = [c for c, _ in e.calls]
    assert names.index("destroy") < names.index("remove")


def test_destroy_refuses_a_stack_tagged_for_another_pr() -> None:
    e = FakeEngine()
    e.add("pr-1234-abc1234", tags={"showtime:pr": "999", "showtime:sha": "abc1234"})
    with pytest.raises(S.TagMismatchError, match="tagged for PR 999"):
        driver(e).destroy(1234, "abc1234")
    assert e.ops("destroy") == 0
    e.add("pr-1234-abc1234")  # no tags, no config: not ours
    with pytest.raises(S.TagMismatchError, match="not a showtime-iac stack"):
        driver(e).destroy(1234, "abc1234")


def test_destroy_checks_config_when_the_backend_keeps_no_tags() -> None:
    e = FakeEngine(version=(3, 100, 0))
    d = driver(e)
    d.up(cfg())
    d.destroy(1234, "abc1234")
    assert e.ops("list_tags") == 0 and e.ops("get_config") == 1 and e.ops("remove") == 1


def test_destroy_of_a_missing_stack_is_a_no_op() -> None:
    e = FakeEngine()
    d = driver(e)
    d.destroy(1234, "abc1234")
    assert e.ops("destroy") == 0 and "nothing to destroy" in d.notes[0]


def test_remove_failure_is_reported_not_forced() -> None:
    e = FakeEngine()
    e.add("pr-1234-abc1234", tags=resource_tags(cfg()))
    e.destroy = lambda stack, on_output: None  # type: ignore[method-assign]  # leaves resources
    with pytest.raises(S.StackError, match="NOT force-removed"):
        driver(e).destroy(1234, SHA)


def test_open_driver_without_engine_is_engine_missing(tmp_path: Path) -> None:
    with pytest.raises(S.EngineMissingError, match=r"get\.pulumi\.com"):
        S.open_driver(program=lambda: None, env={"PATH": str(tmp_path), "HOME": str(tmp_path)})


def test_a_wrong_passphrase_is_a_prerequisite_error_naming_the_stack() -> None:
    """In process (the engine test sees the same through a child process, which mutmut's
    stats cannot follow)."""
    e = FakeEngine()

    def wrong(stack: str, on_output: Callable[[str], None]) -> dict[str, Any]:
        raise cmd_error(
            "error: getting secrets manager: passphrase must be set\n"
            'error: constructing secrets manager of type "passphrase": incorrect passphrase\n'
        )

    e.up = wrong  # type: ignore[method-assign]
    with pytest.raises(S.PassphraseError) as err:
        driver(e).up(cfg())
    assert str(err.value) == (
        "up of stack pr-1234-abc1234: PULUMI_CONFIG_PASSPHRASE is not the passphrase its "
        "secrets were encrypted with (incorrect passphrase); nothing was changed"
    )


def test_an_up_failure_carries_the_resources_own_errors() -> None:
    from showtime_iac.core.proof import Diagnostic

    e = FakeEngine()
    found = (
        Diagnostic(
            "urn:pulumi:pr-1234-abc1234::showtime-iac::aws:ecs/service:Service::svc", "AccessDenied"
        ),
    )

    def boom(stack: str, on_output: Callable[[str], None]) -> dict[str, Any]:
        exc = cmd_error("error: update failed\n")
        exc.diagnostics = found  # type: ignore[attr-defined]  # as the engine attaches them
        raise exc

    e.up = boom  # type: ignore[method-assign]
    with pytest.raises(S.StackError) as err:
        driver(e).up(cfg())
    assert str(err.value) == "up of stack pr-1234-abc1234 failed: error: update failed"
    assert err.value.diagnostics == found


def test_a_failure_of_no_one_stack_names_only_the_operation() -> None:
    e = FakeEngine()

    def broken() -> list[Any]:
        raise cmd_error("error: could not read the backend: AccessDenied\n")

    e.list_stacks = broken  # type: ignore[method-assign]
    with pytest.raises(S.StackError) as err:
        driver(e).list()
    assert str(err.value) == (
        "listing the stacks failed: error: could not read the backend: AccessDenied"
    )
