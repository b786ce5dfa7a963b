"""The plan's value types and shared helpers, by their contract (issue 29).

``plan --json`` is a contract (docs/commands/plan.md, "JSON output"): its keys, in their order,
and what each holds. The helpers: the quota count of a requester, a claim's freshness against
the policy's ``stale_lock`` (docs/differences.md: "a claim older than `stale_lock` (1 h) is
reclaimed"), the stack config a show's labels make, and the planner's comment layout.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from showtime_iac.core import labels as L
from showtime_iac.core.model import EnvConfig, Policy, PrInfo, Show, Status, Ttl
from showtime_iac.core.plan import Fleet, Plan, StackOp, comment_text, config_for, fresh_lock

NOW = datetime(2026, 1, 15, 14, 30, tzinfo=UTC)


def test_plan_json_has_every_key_of_the_contract_in_its_order() -> None:
    plan = Plan(
        pr=1234,
        intent="update",
        add_labels=("🎪 def5678 🚦 deploying", "🎪 🏗️ def5678"),
        remove_labels=("🎪 ⚠️ gone",),
        stacks=(
            StackOp("up", "pr-1234-def5678", "def5678"),
            StackOp("destroy", "pr-1234-abc1234", "abc1234", "after_healthy"),
        ),
        comment="🎪 **Updating**",
        skipped=None,
        reasons=("push", "up pr-1234-def5678"),
        warnings=("a warning",),
        sha="def5678",
        after_healthy=L.LabelDiff(("🎪 def5678 🚦 running",), ("🎪 🏗️ def5678",)),
    )
    assert list(plan.to_json().items()) == [
        ("pr", 1234),
        ("intent", "update"),
        ("sha", "def5678"),
        ("add_labels", ["🎪 def5678 🚦 deploying", "🎪 🏗️ def5678"]),
        ("remove_labels", ["🎪 ⚠️ gone"]),
        (
            "stacks",
            [
                {"action": "up", "stack": "pr-1234-def5678", "when": "now"},
                {"action": "destroy", "stack": "pr-1234-abc1234", "when": "after_healthy"},
            ],
        ),
        ("after_healthy", {"add": ["🎪 def5678 🚦 running"], "remove": ["🎪 🏗️ def5678"]}),
        ("comment", "🎪 **Updating**"),
        ("skipped", None),
        ("reasons", ["push", "up pr-1234-def5678"]),
        ("warnings", ["a warning"]),
    ]
    assert list(StackOp("up", "pr-1-abc1234", "abc1234").to_json()) == ["action", "stack", "when"]


def test_a_skipped_plan_json_says_null_and_empty_where_nothing_is_done() -> None:
    assert Plan(
        pr=7, intent="none", skipped="nothing to do", reasons=("nothing to do",)
    ).to_json() == {
        "pr": 7,
        "intent": "none",
        "sha": None,
        "add_labels": [],
        "remove_labels": [],
        "stacks": [],
        "after_healthy": None,
        "comment": None,
        "skipped": "nothing to do",
        "reasons": ["nothing to do"],
        "warnings": [],
    }


def test_a_requesters_count_is_read_by_login_whatever_its_case() -> None:
    fleet = Fleet(total=5, by_requester=(("alice", 2), ("bob", 3)))
    assert fleet.of("Alice") == 2 and fleet.of("BOB") == 3
    assert fleet.of("carol") == 0


def test_a_claim_is_fresh_until_the_stale_lock_age() -> None:
    policy = Policy(stale_lock=timedelta(hours=1))
    for status in (Status.BUILDING, Status.DEPLOYING, Status.UPDATING, Status.WAKING):
        claimed = Show("abc1234", status, created=NOW - timedelta(minutes=59, seconds=59))
        assert fresh_lock(claimed, NOW, policy)
        # exactly as old as the limit: stale, reclaimed
        assert not fresh_lock(
            Show("abc1234", status, created=NOW - timedelta(hours=1)), NOW, policy
        )
        # a claim always writes 📅: without one nobody can prove it is alive
        assert not fresh_lock(Show("abc1234", status), NOW, policy)
    idle: tuple[Status | None, ...] = (
        None,
        Status.RUNNING,
        Status.FAILED,
        Status.SLEEPING,
        Status.QUEUED,
    )
    for other in idle:
        assert not fresh_lock(Show("abc1234", other, created=NOW), NOW, policy)


def test_the_stack_config_a_shows_labels_make() -> None:
    pr = PrInfo(number=1234, state="open", head_sha="abc1234")
    policy = Policy(default_ttl=Ttl("48h"), max_age=timedelta(days=3))
    created = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)
    # nothing recorded but the configuration: the policy's TTL, an unknown requester, the max
    # age from nothing (the driver records one then)
    assert config_for(
        pr, "abc1234", Show("abc1234", config=("large", "debug")), policy
    ) == EnvConfig(
        pr=1234,
        sha="abc1234",
        size="large",
        debug=True,
        ttl=Ttl("48h"),
        requester="unknown",
        created=None,
        max_age_at=None,
        max_lifted=False,
        sleeping=False,
    )
    # a 📅 without a recorded max age (a label of the original tool): 📅 plus the max age
    show = Show("abc1234", Status.RUNNING, created=created, ttl=Ttl("24h"), requester="alice")
    assert config_for(pr, "abc1234", show, policy) == EnvConfig(
        pr=1234,
        sha="abc1234",
        ttl=Ttl("24h"),
        requester="alice",
        created=created,
        max_age_at=datetime(2026, 1, 18, 10, 0, tzinfo=UTC),
    )
    # the ⌛ label's max age wins; asleep, the stack stays scaled to zero
    recorded = datetime(2026, 1, 20, 9, 0, tzinfo=UTC)
    asleep = Show("abc1234", Status.SLEEPING, created=created, requester="alice", max_at=recorded)
    cfg = config_for(pr, "abc1234", asleep, policy)
    assert cfg is not None and cfg.max_age_at == recorded and cfg.sleeping
    # an admin lifted the max age: recorded as lifted, with no deadline
    lifted = Show("abc1234", Status.RUNNING, created=created, max_at=recorded, max_lifted=True)
    cfg = config_for(pr, "abc1234", lifted, policy)
    assert cfg is not None and cfg.max_age_at is None and cfg.max_lifted and not cfg.sleeping
    # labels whose configuration is invalid make no config
    assert config_for(pr, "abc1234", Show("abc1234", config=("huge",)), policy) is None


def test_the_planners_comment_is_a_bold_title_and_a_list() -> None:
    assert comment_text("Environment stopped", ["reason: the PR is closed", "destroying `x`"]) == (
        "🎪 **Environment stopped**\n\n- reason: the PR is closed\n- destroying `x`"
    )
    assert comment_text("Nothing to do", []) == "🎪 **Nothing to do**"
    assert comment_text("Nothing to do", iter(())) == "🎪 **Nothing to do**"


def test_for_repository_binds_every_up_and_leaves_the_rest_as_planned() -> None:
    from dataclasses import replace

    from showtime_iac.core.model import InputError
    from showtime_iac.core.plan import for_repository

    cfg = EnvConfig(pr=1234, sha="def5678" + "0" * 33)
    plan = Plan(
        pr=1234,
        intent="update",
        stacks=(
            StackOp("up", "pr-1234-def5678", "def5678", config=cfg),
            StackOp("up", "pr-1234-fff0000", "fff0000"),  # no config: nothing to bind
            StackOp("destroy", "pr-1234-abc1234", "abc1234", "after_healthy"),
        ),
        reasons=("push",),
    )
    bound = for_repository(plan, "acme/widgets")
    assert bound.stacks[0].config == replace(cfg, repo="acme/widgets")
    assert bound.stacks[1:] == plan.stacks[1:]
    assert replace(bound, stacks=plan.stacks) == plan  # labels, reasons, comment unchanged
    with pytest.raises(InputError, match="repo"):
        for_repository(plan, "not a repository")
