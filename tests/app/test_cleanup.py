"""The cleanup sweep over a synthetic repository (pure: PRs and stack names in, plans out)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from showtime_iac.app.cleanup import fleet_of, prs_to_look_up, sweep
from showtime_iac.core.model import Policy, PrInfo
from tests.core.test_planner import running

NOW = datetime(2026, 1, 15, 14, 30, tzinfo=UTC)


def pr(n: int, labels: list[str], state: str = "open") -> PrInfo:
    return PrInfo(number=n, state=state, head_sha="abc1234", labels=tuple(labels))  # type: ignore[arg-type]


def test_sweep_of_300_prs() -> None:
    prs = []
    for n in range(1, 301):
        if n % 3 == 0:  # expired 24h environment
            prs.append(pr(n, running(created="2026-01-14T10-00")))
        elif n % 3 == 1:  # fresh
            prs.append(pr(n, running(created="2026-01-15T10-00")))
        else:  # expired by the clock but kept until close
            prs.append(pr(n, running(created="2026-01-01T10-00", ttl="close")))
    stacks = [f"pr-{n}-abc1234" for n in range(1, 301)] + ["pr-5000-0000000", "shared"]
    # warnings off and a long max age: the TTL alone decides (lifetimes: test_lifetimes_*)
    items = sweep(prs, stacks, NOW, Policy(warn_before=timedelta(0), max_age=timedelta(days=60)))
    destroyed = sorted(i.pr.number for i in items if i.action == "destroy")
    assert destroyed == list(range(3, 301, 3))
    assert all(
        i.plan.stacks[0].stack == f"pr-{i.pr.number}-abc1234"
        for i in items
        if i.action == "destroy"
    )
    assert prs_to_look_up(prs, stacks) == [5000]


def test_closed_pr_stacks_are_removed_even_without_labels() -> None:
    items = sweep([pr(7, [], state="closed")], ["pr-7-1234567", "pr-7-abcdef0"], NOW)
    assert [op.stack for op in items[0].plan.stacks] == ["pr-7-1234567", "pr-7-abcdef0"]


def test_open_pr_with_stacks_but_lost_labels_is_kept() -> None:
    items = sweep([pr(8, [])], ["pr-8-1234567"], NOW)
    assert items[0].action == "keep" and "sync 8" in (items[0].plan.skipped or "")


def test_fleet_counts_requesters() -> None:
    fleet = fleet_of(
        [pr(1, running()), pr(2, running()), pr(3, []), pr(4, running(), state="closed")]
    )
    assert fleet.total == 2 and fleet.of("alice") == 2 and fleet.of("ALICE") == 2


def test_a_router_is_stale_only_without_any_environment_of_its_pr() -> None:
    from showtime_iac.app.cleanup import stale_routers

    stacks = ["pr-12-abc1234", "pr-123-def5678", "shared", "pr-7-router"]
    assert stale_routers([12, 123, 1234, 7], stacks) == [7, 1234]
    assert stale_routers([], stacks) == []
