"""Load-balancer shards (core/shards, docs/https.md): the contracts the mutation run (issue 29)
found no test pinning down. Each test was checked by making the change and watching it fail.

Pure: quotas, placements and what a stack records, expected values written out.
"""

from __future__ import annotations

import pytest

from showtime_iac.core.shards import (
    PRIORITY_TAG,
    SHARD_TAG,
    Placement,
    Quotas,
    RulePlacement,
    ShardError,
    env_priority,
    parse_shards,
    place,
    shard_load_balancer_name,
)


def _error(f: object, *args: object) -> str:
    with pytest.raises(ShardError) as err:
        f(*args)  # type: ignore[operator]
    return str(err.value)


def test_the_quotas_within_aws_limits() -> None:
    assert Quotas(target_groups=1).target_groups == 1
    assert Quotas(target_groups=100, rules=1000).rules == 1000
    assert Quotas(rules=3).capacity == 1
    tg = "target groups per load balancer must be 1 to 100 (AWS's hard limit)"
    assert _error(Quotas, 0) == tg
    assert _error(Quotas, 101) == tg
    assert _error(Quotas, 100, 2) == "rules per load balancer must be 3 to 1000, not 2"
    assert _error(Quotas, 100, 1001) == "rules per load balancer must be 3 to 1000, not 1001"


def test_a_placement_is_on_one_of_100_shards_at_a_slot_from_0() -> None:
    assert Placement(99, 0) == Placement(99, 0)
    assert _error(Placement, 100, 0) == "invalid placement shard 100 slot 0"
    assert _error(Placement, -1, 0) == "invalid placement shard -1 slot 0"
    assert _error(Placement, 0, -1) == "invalid placement shard 0 slot -1"


@pytest.mark.parametrize(
    ("priority", "slot"), [(1, 0), (2, 0), (3, 0), (4, 1), (6, 1), (7, 2), (50_000, 16_666)]
)
def test_a_recorded_priority_gives_back_its_slot(priority: int, slot: int) -> None:
    assert Placement.of_priority(2, priority) == Placement(2, slot)


@pytest.mark.parametrize("priority", [0, -1, 50_001])
def test_a_priority_outside_elbs_range_is_refused(priority: int) -> None:
    assert _error(Placement.of_priority, 0, priority) == f"invalid rule priority {priority}"


def test_a_new_pr_takes_its_preferred_slot_else_the_next_free_one_upwards() -> None:
    q = Quotas()  # 33 PRs a shard
    assert place(40, {}, [0], q) == Placement(0, 7)  # 40 % 33
    taken = {1: Placement(0, 7), 2: Placement(0, 8)}
    assert place(40, taken, [0], q) == Placement(0, 9)
    # past the last slot it wraps around to the first free one
    end = {100 + s: Placement(0, s) for s in range(30, 33)}
    assert place(30, end, [0], q) == Placement(0, 0)
    below = {100 + s: Placement(0, s) for s in (0, 1, 5, 6, 32)}
    assert place(32, below, [0], q) == Placement(0, 2)
    # a full shard: a new one, at the preferred slot
    full = {1000 + s: Placement(0, s) for s in range(33)}
    assert place(40, full, [0], q) == Placement(1, 7)


def test_a_third_environment_of_a_pr_is_refused() -> None:
    assert env_priority(Placement(0, 2), [8]) == 9
    assert _error(env_priority, Placement(0, 2), [8, 9]) == (
        "the PR already has two environments (a roll's worth) on its load balancer: destroy "
        "the stale one before another deploy"
    )


def test_a_bad_shard_list_is_one_line() -> None:
    long = "[" + "x" * 80 + "]"
    assert _error(parse_shards, long) == (
        "showtime-iac:loadBalancerShards must be a JSON list of shard numbers, e.g. [0, 1], "
        f"not {long[:60]!r}"
    )
    many = "[0, " + ", ".join("1" for _ in range(30)) + "]"
    assert _error(parse_shards, many) == (
        "showtime-iac:loadBalancerShards lists distinct shards below 100, shard 0 among them, "
        f"not {many[:60]!r}"
    )


def test_a_shards_name_is_cut_at_a_hyphen_boundary() -> None:
    base = "a" * 27 + "X-" + "bbb"  # 32 characters: cut at 29, "…X-" then "-s1"
    assert shard_load_balancer_name(base, 1) == "a" * 27 + "X-s1"
    assert shard_load_balancer_name("-a" + "b" * 30, 12) == "-a" + "b" * 26 + "-s12"
    assert shard_load_balancer_name(base, 0) == base


def test_what_a_stack_records_of_its_placement() -> None:
    rp = RulePlacement(3, 10, "Z0123456789A")
    assert rp.to_stack_config() == {
        "showtime-iac:albShard": "3",
        "showtime-iac:rulePriority": "10",
        "showtime-iac:hostedZoneId": "Z0123456789A",
    }
    assert RulePlacement(2).to_stack_config() == {"showtime-iac:albShard": "2"}
    assert RulePlacement.from_stack_config(rp.to_stack_config()) == rp
    assert RulePlacement.from_stack_config(rp.to_stack_config()).hosted_zone_id == "Z0123456789A"
    assert rp.tags() == {SHARD_TAG: "3", PRIORITY_TAG: "10"}
    assert RulePlacement(0, 4).tags() == {"showtime:alb-shard": "0", "showtime:rule-priority": "4"}
    assert RulePlacement(1).tags() == {"showtime:alb-shard": "1"}
    assert RulePlacement().tags() == {}  # a stack from before shards
    # absent or empty values: shard 0 and the provider's priority
    assert RulePlacement.from_stack_config({}) == RulePlacement(0, None)
    empty = {
        "showtime-iac:albShard": "",
        "showtime-iac:rulePriority": "",
        "showtime-iac:hostedZoneId": "",
    }
    got = RulePlacement.from_stack_config(empty)
    assert (got.shard, got.priority, got.hosted_zone_id) == (0, None, None)
    assert RulePlacement.from_stack_config({"showtime-iac:albShard": " 7 "}).shard == 7


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"showtime-iac:albShard": "one"},
            "showtime-iac:albShard must be a whole number, not 'one'",
        ),
        (
            {"showtime-iac:albShard": "1234567"},
            "showtime-iac:albShard must be a whole number, not '1234567'",
        ),
        (
            {"showtime-iac:rulePriority": "p" * 50},
            f"showtime-iac:rulePriority must be a whole number, not '{'p' * 40}'",
        ),
        ({"showtime-iac:albShard": "100"}, "showtime-iac:albShard must be 0 to 99, not 100"),
        (
            {"showtime-iac:rulePriority": "50001"},
            "showtime-iac:rulePriority must be 1 to 50000, not 50001",
        ),
        ({"showtime-iac:rulePriority": "0"}, "showtime-iac:rulePriority must be 1 to 50000, not 0"),
        # six digits are still a number (then out of range), seven are not
        (
            {"showtime-iac:rulePriority": "100000"},
            "showtime-iac:rulePriority must be 1 to 50000, not 100000",
        ),
    ],
)
def test_a_bad_recorded_placement_is_named(values: dict[str, str], message: str) -> None:
    assert _error(RulePlacement.from_stack_config, values) == message


def test_bounds_of_a_recorded_placement() -> None:
    assert RulePlacement(99, 50_000).priority == 50_000
    assert RulePlacement(0, 1).priority == 1
    assert _error(RulePlacement, -1) == "showtime-iac:albShard must be 0 to 99, not -1"


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({SHARD_TAG: "2", PRIORITY_TAG: "7"}, RulePlacement(2, 7)),
        ({SHARD_TAG: "2"}, RulePlacement(2, None)),
        ({SHARD_TAG: "2", PRIORITY_TAG: ""}, RulePlacement(2, None)),
        ({}, None),
        ({PRIORITY_TAG: "7"}, None),
        ({SHARD_TAG: "x"}, None),
        ({SHARD_TAG: "2", PRIORITY_TAG: "x"}, None),
        ({SHARD_TAG: "100"}, None),  # out of range: not ours
        ({SHARD_TAG: "2", PRIORITY_TAG: "0"}, None),
    ],
)
def test_a_placement_from_tags_or_none(
    tags: dict[str, str], expected: RulePlacement | None
) -> None:
    assert RulePlacement.from_tags(tags) == expected
