"""Prepared stacks (core/prepared.py): which plan prepares a stack while the image builds, the
stack tags that say so, and which prepared stack the cleanup sweeps. Expected values written
out: the two-hour limit, the tag names and every reason an operator reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from showtime_iac.core.model import EnvConfig, PrInfo
from showtime_iac.core.plan import Plan, StackOp
from showtime_iac.core.prepared import (
    PREPARED_AT_TAG,
    PREPARED_BY_TAG,
    PREPARED_MAX_AGE,
    PREPARED_PHASE,
    PREPARED_TAGS,
    PreparedSweep,
    prepare_target,
    prepared_tags,
    stale_prepared,
)

SHA = "abc1234def5678901234567890abcdef12345678"
OTHER = "fff9999def5678901234567890abcdef12345678"
CONFIG = EnvConfig(pr=7, sha=SHA)
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def _up(sha: str = SHA, **kw: object) -> StackOp:
    return StackOp("up", f"pr-7-{sha[:7]}", sha, config=EnvConfig(pr=7, sha=sha), **kw)  # type: ignore[arg-type]


def test_the_tags_and_the_limit() -> None:
    assert PREPARED_AT_TAG == "showtime:prepared-at"
    assert PREPARED_BY_TAG == "showtime:prepared-by"
    assert PREPARED_PHASE == "image"
    assert PREPARED_TAGS == ("showtime:prepared-at", "showtime:prepared-by", "showtime:phase")
    assert PREPARED_MAX_AGE.total_seconds() == 7200


def test_prepared_tags_say_when_by_which_run_and_the_image_phase() -> None:
    created = datetime(2026, 1, 5, 9, 7, 3, 999, tzinfo=UTC)
    assert prepared_tags(created, "run:123") == {
        "showtime:prepared-at": "2026-01-05T09:07:03Z",
        "showtime:prepared-by": "run:123",
        "showtime:phase": "image",
    }
    # an AWS tag value holds 256 characters: a longer run id is cut there
    assert prepared_tags(created, "r" * 300)["showtime:prepared-by"] == "r" * 256


def test_a_start_or_an_update_of_the_sha_is_prepared() -> None:
    for intent in ("start", "update"):
        op = _up()
        plan = Plan(pr=7, intent=intent, stacks=(op,))
        assert prepare_target(plan, SHA) is op
    # only the first seven characters are compared
    op = _up()
    assert prepare_target(Plan(pr=7, intent="start", stacks=(op,)), SHA[:7]) is op


def test_other_intents_prepare_nothing_and_say_why() -> None:
    plan = Plan(pr=7, intent="refuse", stacks=(_up(),), skipped="not a maintainer")
    assert prepare_target(plan, SHA) == "the plan prepares nothing (refuse: not a maintainer)"
    plan = Plan(pr=7, intent="stop", reasons=("the PR closed", "second"))
    assert prepare_target(plan, SHA) == "the plan prepares nothing (stop: the PR closed)"
    plan = Plan(pr=7, intent="reconfigure")
    assert prepare_target(plan, SHA) == "the plan prepares nothing (reconfigure: reconfigure)"


def test_destroys_and_config_less_ups_are_passed_over() -> None:
    destroy = StackOp("destroy", "pr-7-fff9999", OTHER)
    bare = StackOp("up", "pr-7-fff9999", OTHER)
    op = _up()
    plan = Plan(pr=7, intent="update", stacks=(destroy, bare, op))
    assert prepare_target(plan, SHA) is op


def test_an_up_that_needs_no_new_image_or_another_sha_is_not_prepared() -> None:
    later = Plan(pr=7, intent="update", stacks=(_up(when="after_healthy"),))
    assert prepare_target(later, SHA) == "the plan's up of pr-7-abc1234 needs no new image"
    reuse = Plan(pr=7, intent="update", stacks=(_up(reuse_image=True),))
    assert prepare_target(reuse, SHA) == "the plan's up of pr-7-abc1234 needs no new image"
    other = Plan(pr=7, intent="start", stacks=(_up(OTHER),))
    assert prepare_target(other, SHA) == "the plan brings up fff9999, not abc1234"


def test_a_plan_with_nothing_to_bring_up_says_why() -> None:
    plan = Plan(pr=7, intent="start", reasons=("queued",))
    assert prepare_target(plan, SHA) == "the plan brings nothing up (queued)"
    plan = Plan(pr=7, intent="start", skipped="already running", reasons=("queued",))
    assert prepare_target(plan, SHA) == "the plan brings nothing up (already running)"
    plan = Plan(pr=7, intent="start", stacks=(StackOp("destroy", "pr-7-abc1234", SHA),))
    assert prepare_target(plan, SHA) == "the plan brings nothing up (start)"


def _pr(number: int, labels: tuple[str, ...] = (), state: str = "open") -> PrInfo:
    return PrInfo(number=number, state=state, head_sha=SHA, labels=labels)  # type: ignore[arg-type]


def test_the_sweep_destroys_old_unclaimed_stacks_and_keeps_young_or_claimed_ones() -> None:
    prepared = {
        "pr-7-abc1234": NOW - timedelta(hours=3),  # old, unclaimed: its run is gone
        "pr-8-abc1234": NOW - timedelta(hours=3),  # old but a label claims it
        "pr-9-abc1234": NOW - timedelta(minutes=4, seconds=12),  # young
        "pr-10-abc1234": None,  # no recorded time
        "pr-11-abc1234": NOW - timedelta(hours=5),  # closed PR: the sweep's own business
        "pr-12-abc1234": NOW - timedelta(hours=2),  # exactly the limit: destroyed
        "not-a-stack": NOW - timedelta(hours=9),  # not a PR stack: ignored
        "pr-13-abc1234": NOW - timedelta(hours=1, minutes=59, seconds=59),  # just under
        "pr-14-abc1234": NOW - timedelta(hours=3),  # a PR not in the list (unknown)
    }
    prs = [
        _pr(7),
        _pr(8, ("🎪 abc1234 🚦 running",)),
        _pr(9),
        _pr(10),
        _pr(11, state="closed"),
        _pr(12),
        _pr(13, ("🎪 fff9999 🚦 running",)),
    ]
    gone = "never deployed (no service): its run is gone"
    assert stale_prepared(prepared, prs, NOW) == [
        PreparedSweep(
            "pr-10-abc1234", 10, "abc1234", "destroy", f"prepared at an unknown time and {gone}"
        ),
        PreparedSweep("pr-12-abc1234", 12, "abc1234", "destroy", f"prepared 2 h ago and {gone}"),
        PreparedSweep(
            "pr-13-abc1234", 13, "abc1234", "keep", "prepared 1 h 59 min ago: its image may build"
        ),
        PreparedSweep("pr-14-abc1234", 14, "abc1234", "destroy", f"prepared 3 h ago and {gone}"),
        PreparedSweep("pr-7-abc1234", 7, "abc1234", "destroy", f"prepared 3 h ago and {gone}"),
        PreparedSweep(
            "pr-8-abc1234",
            8,
            "abc1234",
            "keep",
            "a 🎪 label claims abc1234: its sync takes it to full",
        ),
        PreparedSweep(
            "pr-9-abc1234", 9, "abc1234", "keep", "prepared 4 min 12 s ago: its image may build"
        ),
    ]


def test_the_sweep_takes_a_custom_max_age() -> None:
    prepared = {"pr-7-abc1234": NOW - timedelta(minutes=30)}
    [kept] = stale_prepared(prepared, [_pr(7)], NOW)
    assert kept.action == "keep"
    [swept] = stale_prepared(prepared, [_pr(7)], NOW, max_age=timedelta(minutes=30))
    assert swept == PreparedSweep(
        "pr-7-abc1234",
        7,
        "abc1234",
        "destroy",
        "prepared 30 min ago and never deployed (no service): its run is gone",
    )
