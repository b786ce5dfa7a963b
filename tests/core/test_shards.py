"""core.shards: placement of PRs on load-balancer shards, within the ALB quotas."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from showtime_iac.core.shards import (
    RESERVED_RULES,
    RESERVED_TARGET_GROUPS,
    Placement,
    Quotas,
    ShardError,
    env_priority,
    parse_shards,
    place,
    removable_shards,
    shard_load_balancer_name,
    shards_to_declare,
)

# one step of a fleet's life: a PR arrives (True) or goes (False)
steps = st.lists(st.tuples(st.integers(1, 5000), st.booleans()), max_size=300)
quotas = st.builds(Quotas, st.integers(10, 100), st.integers(15, 300))  # 5+ PRs a shard


def _run(ops: list[tuple[int, bool]], q: Quotas) -> dict[int, Placement]:
    placed: dict[int, Placement] = {}
    declared: tuple[int, ...] = (0,)
    for pr, arrives in ops:
        if arrives:
            before = placed.get(pr)
            p = place(pr, placed, declared, q)
            if before is not None:
                assert p == before  # stable while the PR has a stack
            else:
                on_known = [s for s in declared if s != p.shard]
                if p.shard not in declared:  # a new shard only when every other is full
                    for s in on_known:
                        assert sum(1 for x in placed.values() if x.shard == s) == q.capacity
            placed[pr] = p
        else:
            placed.pop(pr, None)
        declared = shards_to_declare(placed.values())
        _check(placed, q)
    return placed


def _check(placed: dict[int, Placement], q: Quotas) -> None:
    by_shard: dict[int, list[Placement]] = {}
    for p in placed.values():
        by_shard.setdefault(p.shard, []).append(p)
    for ps in by_shard.values():
        assert len({p.slot for p in ps}) == len(ps)  # no two PRs share a slot
        # the worst case of every PR on the shard (each rolling) is within both quotas
        assert len(ps) * RESERVED_TARGET_GROUPS <= q.target_groups
        assert len(ps) * RESERVED_RULES <= q.rules
        priorities = [x for p in ps for x in (p.router_priority, *p.env_priorities)]
        assert len(set(priorities)) == len(priorities)
        assert all(1 <= x <= q.max_priority for x in priorities)


@settings(max_examples=80, deadline=None)
@given(steps, quotas)
def test_any_fleet_history_stays_within_quotas(ops: list[tuple[int, bool]], q: Quotas) -> None:
    _run(ops, q)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 400), quotas)
def test_a_fleet_uses_as_few_shards_as_its_size_needs(n: int, q: Quotas) -> None:
    placed = _run([(pr, True) for pr in range(1, n + 1)], q)
    used = {p.shard for p in placed.values()}
    assert len(used) == -(-n // q.capacity)  # ceil: never a shard more than needed
    assert used == set(range(len(used)))


def test_default_quotas_take_33_prs_per_load_balancer() -> None:
    q = Quotas()
    assert q.capacity == 33  # 100 rules / 3 (a rolling PR's router + two host rules)
    assert q.max_priority == 99
    assert Quotas(rules=200).capacity == 50  # then target groups (100, hard) bound it


def test_a_freed_slot_and_its_priorities_are_reused() -> None:
    q = Quotas()
    placed = {pr: place(pr, {}, (0,), q) for pr in (1,)}
    for pr in range(2, 34):
        placed[pr] = place(pr, placed, (0,), q)
    assert {p.shard for p in placed.values()} == {0}
    gone = placed.pop(7)
    newcomer = place(1000, placed, (0,), q)
    assert newcomer == gone  # the only free slot, with its priorities
    assert place(1001, {**placed, 1000: newcomer}, (0,), q).shard == 1


def test_an_empty_shard_is_removed_but_never_shard_0() -> None:
    placed = [Placement(1, 0), Placement(3, 5)]
    assert removable_shards(placed, (0, 1, 2, 3, 4)) == (2, 4)
    assert shards_to_declare(placed) == (0, 1, 3)
    assert removable_shards([], (0,)) == ()


def test_env_priority_takes_the_one_the_other_environment_does_not_hold() -> None:
    p = Placement(0, 4)
    assert p.router_priority == 13
    assert env_priority(p, []) == 14
    assert env_priority(p, [14]) == 15
    assert env_priority(p, [15]) == 14
    with pytest.raises(ShardError, match="two environments"):
        env_priority(p, [14, 15])
    assert Placement.of_priority(2, 15) == Placement(2, 4)


@pytest.mark.parametrize(
    "text", ["", "0", "[1]", "[0,0]", "[0, x]", "[0, 100]", "{}", "[0,1]]", "[-1, 0]"]
)
def test_bad_shard_lists_are_refused(text: str) -> None:
    with pytest.raises(ShardError):
        parse_shards(text)


def test_shard_lists_parse() -> None:
    assert parse_shards("[0]") == (0,)
    assert parse_shards(" [3, 0 ,1] ") == (0, 1, 3)


def test_shard_load_balancer_names_fit_elb() -> None:
    assert shard_load_balancer_name("showtime-iac", 0) == "showtime-iac"
    assert shard_load_balancer_name("showtime-iac", 7) == "showtime-iac-s7"
    long = "a" * 32
    assert shard_load_balancer_name(long, 42) == "a" * 28 + "-s42"
    assert len(shard_load_balancer_name("b" * 29 + "-cd", 99)) <= 32
    assert not shard_load_balancer_name("ab-" + "c" * 29, 10).count("--")


def test_a_fleet_beyond_every_shard_is_refused() -> None:
    q = Quotas(target_groups=2, rules=3)  # one PR a shard
    placed = {pr: Placement(pr, 0) for pr in range(100)}
    with pytest.raises(ShardError, match="full"):
        place(500, placed, range(100), q)


def test_a_closed_shard_takes_no_new_pr_but_keeps_its_own() -> None:
    q = Quotas()
    placed = {1: Placement(0, 1)}
    assert place(2, placed, (0,), q, closed={0}) == Placement(1, 2 % 33)
    assert place(1, placed, (0,), q, closed={0}) == Placement(0, 1)  # stable
    assert place(3, {**placed, 2: Placement(1, 2)}, (0, 1), q, closed={0}).shard == 1
