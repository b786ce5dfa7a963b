"""Contracts of the PR's router stack over the engine double: what ``route`` writes by default
and when asked, the passphrase it needs, the tags it writes (only those that change), its
placement only in HTTPS mode next to a live environment, its failures whole, and
``routed_sha`` of a router with no SHA yet."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from showtime_iac.adapters import stacks as S
from showtime_iac.core.shards import PRIORITY_TAG, SHARD_TAG
from tests.adapters.stacks.support import NOW, driver
from tests.doubles import FakeEngine, cmd_error

TG = "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/sti-pr-7-abc1234/0123abcd"
HTTPS = {
    "aws:region": "us-west-2",
    "showtime-iac:sharedStack": "shared",
    "showtime-iac:domain": "preview.example.org",
}


class Failing(FakeEngine):
    """The engine double whose ``up`` or ``remove`` of one stack fails in the CLI."""

    def __init__(self, up_of: str = "", remove_of: str = "") -> None:
        super().__init__()
        self.up_of, self.remove_of = up_of, remove_of

    def up(self, stack: str, on_output: Callable[[str], None]) -> dict[str, Any]:
        if stack == self.up_of:
            self._call("up", stack)
            raise cmd_error("error: creating ELB listener rule: PriorityInUse")
        return super().up(stack, on_output)

    def remove(self, stack: str) -> None:
        if stack == self.remove_of:
            self._call("remove", stack)
            raise cmd_error("error: could not delete the stack file: AccessDenied")
        super().remove(stack)


def _plain(e: FakeEngine, stack: str) -> dict[str, str]:
    return {k: v[0] if isinstance(v, tuple) else v for k, v in e.stacks[stack]["config"].items()}


def test_route_points_at_apache_superset_awake_by_default() -> None:
    e = FakeEngine()
    driver(e).route(7, "abc1234", TG)
    config = _plain(e, "pr-7-router")
    assert (config["showtime-iac:repo"], config["showtime-iac:asleep"]) == (
        "apache/superset",
        "false",
    )


def test_route_writes_the_repository_and_the_sleep_it_is_given() -> None:
    e = FakeEngine()
    driver(e).route(7, "abc1234", TG, repo="octo-org/superset-fork", asleep=True)
    config = _plain(e, "pr-7-router")
    assert (config["showtime-iac:repo"], config["showtime-iac:asleep"]) == (
        "octo-org/superset-fork",
        "true",
    )


def test_route_without_a_passphrase_names_the_router_and_whether_it_exists() -> None:
    e = FakeEngine()  # s3://: secrets under a passphrase
    with pytest.raises(S.PassphraseError) as err:
        driver(e, env={}).route(7, "abc1234", TG)
    assert str(err.value) == (
        "creating stack pr-7-router needs PULUMI_CONFIG_PASSPHRASE (or "
        "PULUMI_CONFIG_PASSPHRASE_FILE) on this backend: export one and keep it for later runs "
        "(or use a KMS secrets provider); nothing was changed"
    )
    e.add("pr-7-router")
    with pytest.raises(S.PassphraseError) as err:
        driver(e, env={}).route(7, "abc1234", TG)
    assert str(err.value) == (
        "stack pr-7-router exists and its secrets are encrypted with a passphrase: export "
        "PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) with the passphrase it was "
        "created with; nothing was changed"
    )
    assert e.ops("up") == 0 and e.ops("set_config") == 0


def test_route_writes_only_the_tags_that_change() -> None:
    e = FakeEngine()
    d = driver(e)
    d.route(7, "abc1234", TG)  # a new router: its tags written without reading any
    assert e.ops("list_tags") == 0 and e.ops("set_tag") == 4
    e.calls.clear()
    d.route(7, "abc1234", TG)  # the same again: nothing to write
    assert e.ops("list_tags") == 1 and e.ops("set_tag") == 0
    e.calls.clear()
    d.route(7, "def5678", TG.replace("abc1234", "def5678"))  # a roll: the SHA's tag alone
    assert e.ops("set_tag") == 1
    assert e.stacks["pr-7-router"]["tags"]["showtime:sha"] == "def5678"


def test_a_failed_up_of_the_router_names_the_up_and_the_stack() -> None:
    e = Failing(up_of="pr-7-router")
    with pytest.raises(S.StackError) as err:
        driver(e).route(7, "abc1234", TG)
    assert str(err.value) == (
        "up of stack pr-7-router failed: error: creating ELB listener rule: PriorityInUse"
    )


def test_a_router_that_cannot_be_removed_after_its_destroy_says_so_whole() -> None:
    e = Failing(remove_of="pr-7-router")
    d = driver(e)
    d.route(7, "abc1234", TG)
    with pytest.raises(S.StackError) as err:
        d.unroute(7)
    assert str(err.value) == (
        "destroy of router stack pr-7-router failed: error: could not delete the stack file: "
        "AccessDenied"
    )


def test_in_public_ip_mode_a_router_records_no_placement_even_next_to_its_environment() -> None:
    e = FakeEngine()
    e.add("pr-7-abc1234", {SHARD_TAG: "0", PRIORITY_TAG: "23"})
    driver(e).route(7, "abc1234", TG)
    assert not any("albShard" in k or "rulePriority" in k for k in _plain(e, "pr-7-router"))
    assert SHARD_TAG not in e.stacks["pr-7-router"]["tags"]


def test_in_https_mode_a_router_whose_environment_is_gone_records_no_placement() -> None:
    e = FakeEngine()
    d = S.PulumiDriver(
        e,
        env={"PULUMI_CONFIG_PASSPHRASE": "pw"},
        base_config=HTTPS,
        sleep=lambda _s: None,
        clock=lambda: NOW,
    )
    d.route(7, "abc1234", TG)
    assert not any("albShard" in k or "rulePriority" in k for k in _plain(e, "pr-7-router"))
    assert _plain(e, "pr-7-router")["showtime-iac:domain"] == "preview.example.org"


def test_the_routed_sha_of_a_router_with_no_sha_yet_is_none() -> None:
    e = FakeEngine()
    e.add("pr-7-router")  # created; its config never written (the run was killed)
    assert driver(e).routed_sha(7) is None
