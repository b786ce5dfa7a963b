"""The driver places a new stack on a load-balancer shard (HTTPS mode), adds a shard to the
shared stack when the others are full, routes the PR on its shard, and retires an empty shard;
over the engine double (the program side is tests/program/test_fleet.py)."""

from __future__ import annotations

from typing import Any

from showtime_iac.adapters import stacks as S
from showtime_iac.core.shards import PRIORITY_TAG, SHARD_TAG
from tests.adapters.stacks.support import ENV, NOW, cfg
from tests.doubles import FakeEngine

HTTPS = {
    "aws:region": "us-west-2",
    "showtime-iac:sharedStack": "shared",
    "showtime-iac:domain": "preview.example.org",
}
TG = "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/sti-pr-1-abc1234/0123abcd"


def _driver(e: FakeEngine, base: dict[str, str] = HTTPS) -> S.PulumiDriver:
    return S.PulumiDriver(e, env=ENV, base_config=base, sleep=lambda _s: None, clock=lambda: NOW)


def _engine(full_shards: int = 0, shards: str = "[0]") -> FakeEngine:
    """A backend with the shared stack and ``full_shards`` shards of 33 placed PRs each."""
    e = FakeEngine()
    e.add("shared")
    e.stacks["shared"]["config"]["showtime-iac:loadBalancerShards"] = shards
    e.stacks["shared"]["config"]["showtime-iac:hostedZoneId"] = "Z0123456789ABCDEFGHIJ"
    for shard in range(full_shards):
        for slot in range(33):
            pr = 5000 + 100 * shard + slot
            e.add(f"pr-{pr}-abc1234", {SHARD_TAG: str(shard), PRIORITY_TAG: str(3 * slot + 2)})
    return e


def _config(e: FakeEngine, stack: str) -> dict[str, Any]:
    return {k: v[0] if isinstance(v, tuple) else v for k, v in e.stacks[stack]["config"].items()}


def test_a_new_stack_takes_a_free_slot_and_records_it_in_config_and_tags() -> None:
    e = _engine()
    _driver(e).up(cfg(pr=40))
    config = _config(e, "pr-40-abc1234")
    assert config["showtime-iac:albShard"] == "0"
    assert config["showtime-iac:rulePriority"] == str(3 * (40 % 33) + 2)  # slot pr % 33
    assert e.stacks["pr-40-abc1234"]["tags"][PRIORITY_TAG] == config["showtime-iac:rulePriority"]
    assert ("up", "shared") not in e.calls  # shard 0 had room


def test_when_every_shard_is_full_the_shared_stack_adds_one_first() -> None:
    e = _engine(full_shards=1)
    d = _driver(e)
    d.up(cfg(pr=7))
    assert _config(e, "shared")["showtime-iac:loadBalancerShards"] == "[0, 1]"
    ups = [s for what, s in e.calls if what == "up"]
    assert ups == ["shared", "pr-7-abc1234"]  # the shard exists before the stack uses it
    assert _config(e, "pr-7-abc1234")["showtime-iac:albShard"] == "1"
    # the shared stack's zone: the stack adds its host's record (*.<domain> is shard 0's)
    assert _config(e, "pr-7-abc1234")["showtime-iac:hostedZoneId"] == "Z0123456789ABCDEFGHIJ"
    d.route(7, "abc1234", TG)
    assert _config(e, "pr-7-router")["showtime-iac:hostedZoneId"] == "Z0123456789ABCDEFGHIJ"
    assert any("shard 1 added" in n for n in d.notes)


def test_an_existing_stack_never_moves_and_a_roll_takes_the_prs_other_priority() -> None:
    e = _engine()
    d = _driver(e)
    d.up(cfg(pr=40))
    first = _config(e, "pr-40-abc1234")["showtime-iac:rulePriority"]
    d.up(cfg(pr=40, ttl=cfg().ttl))  # a redeploy: the same placement, no listing
    assert _config(e, "pr-40-abc1234")["showtime-iac:rulePriority"] == first
    d.up(cfg(pr=40, sha="def5678abc"))  # the roll's new SHA: same shard, the other priority
    assert _config(e, "pr-40-def5678")["showtime-iac:rulePriority"] == str(int(first) + 1)
    d.route(40, "def5678abc", TG)
    router = _config(e, "pr-40-router")
    assert router["showtime-iac:rulePriority"] == str(int(first) - 1)  # the slot's router one
    assert e.stacks["pr-40-router"]["tags"][SHARD_TAG] == "0"


def test_stacks_from_before_shards_keep_shard_0_to_themselves() -> None:
    e = _engine()
    e.add("pr-9-abc1234", {"showtime:pr": "9"})  # no placement: the provider's priorities
    d = _driver(e)
    d.up(cfg(pr=9, sha="def5678abc"))  # the old PR rolls next to its old stack
    assert _config(e, "pr-9-def5678")["showtime-iac:albShard"] == "0"
    assert "showtime-iac:rulePriority" not in _config(e, "pr-9-def5678")
    d.up(cfg(pr=10))  # a new PR never collides with their unknown priorities
    assert _config(e, "pr-10-abc1234")["showtime-iac:albShard"] == "1"


def test_an_empty_shard_is_retired_with_an_up_of_the_shared_stack() -> None:
    e = _engine(full_shards=1, shards="[0, 1, 2]")
    e.add("pr-77-abc1234", {SHARD_TAG: "2", PRIORITY_TAG: "5"})
    d = _driver(e)
    # shard 0 is full, shard 1 empty, shard 2 holds PR 77
    assert d.retire_empty_shards(dry_run=True) == (1,)
    assert ("up", "shared") not in e.calls
    assert d.retire_empty_shards() == (1,)
    assert _config(e, "shared")["showtime-iac:loadBalancerShards"] == "[0, 2]"
    assert ("up", "shared") in e.calls


def test_public_ip_mode_records_no_placement() -> None:
    e = FakeEngine()
    d = _driver(e, {"aws:region": "us-west-2"})
    d.up(cfg(pr=3))
    assert not any("albShard" in k or "rulePriority" in k for k in _config(e, "pr-3-abc1234"))
    assert d.retire_empty_shards() == ()


def test_the_fleet_is_read_with_the_backends_tag_reader_not_a_cli_call_per_stack() -> None:
    e = _engine(full_shards=1)  # an s3:// backend of 34 stacks
    everything = {n: dict(s["tags"]) for n, s in e.stacks.items()}
    d = S.PulumiDriver(
        e,
        env=ENV,
        base_config=HTTPS,
        sleep=lambda _s: None,
        clock=lambda: NOW,
        tag_reader=lambda _url: everything,
    )
    d.up(cfg(pr=7))
    assert _config(e, "pr-7-abc1234")["showtime-iac:albShard"] == "1"
    assert [c for c in e.calls if c[0] == "list_tags"] == []
