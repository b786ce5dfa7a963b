"""Contracts of HTTPS mode's shard placement over the engine double: the fleet read from every
environment and router stack (as the CLI names them), the shared stack's declared shards and
rules quota, its errors whole, and what retiring an empty shard writes, says and names."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest

from showtime_iac.adapters import stacks as S
from showtime_iac.adapters.stacks.listing import StackRow
from showtime_iac.adapters.stacks.shards import Fleet, fleet_of
from showtime_iac.core.shards import PRIORITY_TAG, SHARD_TAG, Placement, ShardError
from tests.adapters.stacks.support import ENV, NOW, cfg
from tests.doubles import FakeEngine, cmd_error

HTTPS = {
    "aws:region": "us-west-2",
    "showtime-iac:sharedStack": "shared",
    "showtime-iac:domain": "preview.example.org",
}
TG = "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/sti-pr-7-abc1234/0123abcd"


class ShortNames(FakeEngine):
    """A DIY backend as `pulumi stack ls --json` lists it: bare stack names."""

    def list_stacks(self) -> list[StackRow]:
        return [StackRow(r.name.rsplit("/", 1)[-1]) for r in super().list_stacks()]


class Failing(FakeEngine):
    """The engine double whose ``up`` of one stack, or whose listing, fails in the CLI."""

    def __init__(self, up_of: str = "", listing: bool = False) -> None:
        super().__init__()
        self.up_of, self.listing = up_of, listing

    def up(self, stack: str, on_output: Callable[[str], None]) -> dict[str, Any]:
        if stack == self.up_of:
            self._call("up", stack)
            raise cmd_error("error: update failed: too many load balancers")
        return super().up(stack, on_output)

    def list_stacks(self) -> list[StackRow]:
        if self.listing:
            raise cmd_error("error: could not list the bucket: AccessDenied")
        return super().list_stacks()


def _driver(e: FakeEngine, **kw: Any) -> S.PulumiDriver:
    return S.PulumiDriver(
        e, env=ENV, base_config=HTTPS, sleep=lambda _s: None, clock=lambda: NOW, **kw
    )


def _shared(e: FakeEngine, **config: str) -> FakeEngine:
    e.add("shared")
    e.stacks["shared"]["config"].update({f"showtime-iac:{k}": v for k, v in config.items()})
    return e


def _fill(e: FakeEngine, shard: int, prs: int) -> None:
    for slot in range(prs):
        pr = 5000 + 100 * shard + slot
        e.add(f"pr-{pr}-abc1234", {SHARD_TAG: str(shard), PRIORITY_TAG: str(3 * slot + 2)})


def _config(e: FakeEngine, stack: str) -> dict[str, Any]:
    return {k: v[0] if isinstance(v, tuple) else v for k, v in e.stacks[stack]["config"].items()}


# ---- fleet_of


def test_the_fleet_reads_every_pr_stack_past_others_and_stacks_from_before_shards() -> None:
    tags: dict[str, Mapping[str, str]] = {
        "shared": {SHARD_TAG: "3", PRIORITY_TAG: "5"},  # not a PR's: skipped
        "pr-9-abc1234": {"showtime:pr": "9"},  # from before shards
        "pr-7-abc1234": {SHARD_TAG: "1", PRIORITY_TAG: "23"},
        "pr-8-router": {SHARD_TAG: "2", PRIORITY_TAG: "25"},  # the router holds the slot too
    }
    assert fleet_of(tags) == Fleet(
        placed={7: Placement(1, 7), 8: Placement(2, 8)},
        env_priorities={7: [23]},
        legacy={9},
    )


# ---- the fleet over the driver


def test_a_prs_router_alone_keeps_its_shard_for_the_prs_next_environment() -> None:
    e = _shared(FakeEngine(), loadBalancerShards="[0, 1]")
    e.add("pr-7-router", {SHARD_TAG: "1", PRIORITY_TAG: "22"})  # slot 7 on shard 1
    _driver(e).up(cfg(pr=7))
    assert _config(e, "pr-7-abc1234")["showtime-iac:albShard"] == "1"
    assert _config(e, "pr-7-abc1234")["showtime-iac:rulePriority"] == "23"


def test_the_fleet_reads_bare_stack_names_as_a_diy_backend_lists_them() -> None:
    e = _shared(ShortNames(), loadBalancerShards="[0]", loadBalancerRules="9")  # 3 PRs a shard
    _fill(e, 0, 3)
    _driver(e).up(cfg(pr=7))
    assert _config(e, "pr-7-abc1234")["showtime-iac:albShard"] == "1"


def test_the_tag_reader_is_asked_for_the_backends_own_url() -> None:
    e = _shared(FakeEngine(), loadBalancerShards="[0]")
    _fill(e, 0, 33)
    everything = {n: dict(s["tags"]) for n, s in e.stacks.items()}
    asked: list[str] = []

    def reader(url: str) -> dict[str, dict[str, str]] | None:
        asked.append(url)
        return everything if url == "s3://bucket" else None

    _driver(e, tag_reader=reader).up(cfg(pr=7))
    assert asked == ["s3://bucket"]
    assert [c for c in e.calls if c[0] == "list_tags"] == []
    assert _config(e, "pr-7-abc1234")["showtime-iac:albShard"] == "1"


# ---- the shared stack's declaration


def test_a_shared_stack_that_declares_no_shards_has_shard_0() -> None:
    e = _shared(FakeEngine())
    _driver(e).up(cfg(pr=40))
    assert _config(e, "pr-40-abc1234")["showtime-iac:albShard"] == "0"
    assert ("up", "shared") not in e.calls


def test_the_shared_stacks_rules_quota_sizes_a_shard() -> None:
    e = _shared(FakeEngine(), loadBalancerShards="[0]", loadBalancerRules=" 9 ")
    _fill(e, 0, 3)  # 9 rules: 3 PRs a shard, all taken
    d = _driver(e)
    d.up(cfg(pr=7))
    assert _config(e, "pr-7-abc1234")["showtime-iac:albShard"] == "1"
    assert e.stacks["shared"]["config"]["showtime-iac:loadBalancerShards"] == ("[0, 1]", False)
    assert d.notes == ["load-balancer shard 1 added for PR #7"]


def test_a_rules_quota_that_is_no_number_is_refused_whole() -> None:
    e = _shared(FakeEngine(), loadBalancerRules="lots")
    with pytest.raises(ShardError) as err:
        _driver(e).up(cfg(pr=7))
    assert str(err.value) == "showtime-iac:loadBalancerRules must be a whole number, not 'lots'"


def test_without_the_shared_stack_a_new_stack_is_refused_whole() -> None:
    e = FakeEngine()
    with pytest.raises(ShardError) as err:
        _driver(e).up(cfg(pr=7))
    assert str(err.value) == "no shared stack shared: run its `up` first (HTTPS mode)"


def test_a_failed_up_of_the_shared_stack_names_the_up_and_the_stack() -> None:
    e = _shared(Failing(up_of="shared"), loadBalancerShards="[0]")
    _fill(e, 0, 33)
    with pytest.raises(S.StackError) as err:
        _driver(e).up(cfg(pr=7))
    assert str(err.value) == (
        "up of stack shared failed: error: update failed: too many load balancers"
    )
    assert "pr-7-abc1234" not in [s for what, s in e.calls if what == "up"]


# ---- retiring empty shards


def test_retiring_an_empty_shard_writes_the_rest_plain_and_says_so() -> None:
    e = _shared(FakeEngine(), loadBalancerShards="[0, 1, 2]")
    e.add("pr-77-abc1234", {SHARD_TAG: "2", PRIORITY_TAG: "5"})
    d = _driver(e)
    assert d.retire_empty_shards() == (1,)
    assert e.stacks["shared"]["config"]["showtime-iac:loadBalancerShards"] == ("[0, 2]", False)
    assert d.notes == ["empty load-balancer shards removed: [1]"]


def test_retiring_shards_when_the_listing_fails_names_the_stack_and_the_work() -> None:
    e = _shared(Failing(listing=True), loadBalancerShards="[0, 1]")
    with pytest.raises(S.StackError) as err:
        _driver(e).retire_empty_shards()
    assert str(err.value) == (
        "retiring empty shards of stack shared failed: error: could not list the bucket: "
        "AccessDenied"
    )


def test_a_retiring_up_that_fails_names_the_up_and_the_shared_stack() -> None:
    e = _shared(Failing(up_of="shared"), loadBalancerShards="[0, 1]")
    with pytest.raises(S.StackError) as err:
        _driver(e).retire_empty_shards()
    assert str(err.value) == (
        "up of stack shared failed: error: update failed: too many load balancers"
    )


# ---- the router's placement


def test_a_router_next_to_an_environment_without_a_priority_takes_its_shard_and_zone() -> None:
    d = _driver(FakeEngine())
    got = d.router_placement(
        {"showtime-iac:albShard": "2", "showtime-iac:hostedZoneId": "Z0123456789ABCDEFGHIJ"}
    )
    assert (got.shard, got.priority, got.hosted_zone_id) == (2, None, "Z0123456789ABCDEFGHIJ")


def test_the_router_of_a_pr_from_before_shards_stays_on_shard_0_with_no_priority() -> None:
    e = _shared(FakeEngine(), loadBalancerShards="[0]")
    e.add("pr-9-abc1234", {"showtime:pr": "9"})
    e.stacks["pr-9-abc1234"]["config"]["showtime-iac:pr"] = "9"  # from before shards
    _driver(e).route(9, "abc1234", TG.replace("pr-7", "pr-9"))
    router = _config(e, "pr-9-router")
    assert router["showtime-iac:albShard"] == "0"
    assert "showtime-iac:rulePriority" not in router
    assert "showtime-iac:hostedZoneId" not in router
    assert SHARD_TAG not in e.stacks["pr-9-router"]["tags"]
