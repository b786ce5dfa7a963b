"""Start and stop of one PR's environment (core/rules/lifecycle, docs/concepts/lifecycle.md
"Events and plans" and "The claim"): the contracts the mutation run (issue 29) found no test
pinning down. Each test was checked by making the change and watching it fail.

Pure: a PR's labels in, the plan out, expected values written out.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from showtime_iac.core import labels as L
from showtime_iac.core.model import Event, Policy, PrInfo
from showtime_iac.core.plan import Ctx, Fleet, Plan
from showtime_iac.core.rules.lifecycle import start, teardown

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
HEAD = "def5678"
START = "🎪 ⚡ showtime-trigger-start"
JUNK = "🎪 zzzzzzz 🚦 running"  # not a SHA: ignored, with a warning the plan carries
WARNINGS = ("ignored unknown 🎪 label '🎪 zzzzzzz 🚦 running'",)


def ctx(
    labels: list[str],
    actor: str = "bob",
    author: str = "author",
    fleet: Fleet | None = None,
    state: str = "open",
) -> Ctx:
    pr = PrInfo(1234, state, HEAD + "0" * 33, tuple(labels), author)  # type: ignore[arg-type]
    event = Event("pull_request", "labeled", actor=actor, label=START)
    return Ctx(event, pr, L.parse_state(labels, NOW), NOW, Policy(), fleet)


def stop(labels: list[str], known: tuple[str, ...] = (), state: str = "open") -> Plan:
    c = ctx(labels, state=state)
    return teardown(c.pr, c.st, known, "stop requested by @bob", keep_legacy=False)


def running(sha: str = HEAD, status: str = "running") -> list[str]:
    return [f"🎪 🎯 {sha}", f"🎪 {sha} 🚦 {status}", f"🎪 {sha} 📅 2026-12-01T08-00", JUNK]


def fields(plan: Plan) -> tuple[object, ...]:
    return (
        plan.pr,
        plan.intent,
        plan.sha,
        plan.skipped,
        plan.add_labels,
        plan.remove_labels,
        plan.reasons,
        plan.warnings,
        plan.comment,
    )


# --- teardown -------------------------------------------------------------------------------


def test_a_stop_destroys_every_stack_of_the_pr_and_says_which() -> None:
    # stacks the caller found but no label names are destroyed too; another PR's are not
    known = ("pr-1234-abc1234", "pr-99-abc1234")
    plan = stop(running(), known)
    assert fields(plan) == (
        1234,
        "stop",
        HEAD,
        None,
        (),
        ("🎪 🎯 def5678", "🎪 def5678 🚦 running", "🎪 def5678 📅 2026-12-01T08-00", JUNK),
        ("stop requested by @bob", "destroy pr-1234-abc1234", "destroy pr-1234-def5678"),
        WARNINGS,
        "🎪 **Environment stopped**\n"
        "\n"
        "- reason: stop requested by @bob\n"
        "- destroying `pr-1234-abc1234`\n"
        "- destroying `pr-1234-def5678`",
    )
    assert [(op.action, op.stack, op.sha, op.when) for op in plan.stacks] == [
        ("destroy", "pr-1234-abc1234", "abc1234", "now"),
        ("destroy", "pr-1234-def5678", HEAD, "now"),
    ]


def test_a_stop_with_labels_but_no_stack_removes_them_without_a_comment() -> None:
    plan = stop(["bug", JUNK])
    assert fields(plan) == (
        1234,
        "stop",
        None,
        None,
        (),
        (JUNK,),
        ("stop requested by @bob",),
        WARNINGS,
        None,
    )
    assert plan.stacks == ()
    nothing = stop(["bug"])
    assert (nothing.pr, nothing.intent, nothing.skipped) == (
        1234,
        "none",
        "stop requested by @bob: no environment",
    )


def test_a_queued_request_that_is_stopped_leaves_the_queue_with_a_comment() -> None:
    queued = ["🎪 0aaa000 🚦 queued", "🎪 0aaa000 📅 2026-12-01T07-00", JUNK]
    plan = stop(queued)
    assert plan.stacks == ()  # a queued request has no stack
    assert plan.comment == (
        "🎪 **Left the queue**\n\n- reason: stop requested by @bob\n- `0aaa000` not started"
    )
    assert plan.remove_labels == ("🎪 0aaa000 🚦 queued", "🎪 0aaa000 📅 2026-12-01T07-00", JUNK)
    assert stop(queued, state="closed").comment is None  # nobody reads a closed PR's queue


# --- start ----------------------------------------------------------------------------------


def test_a_start_of_the_running_head_deploys_nothing_and_consumes_the_trigger() -> None:
    assert fields(start(ctx(running()), HEAD)) == (
        1234,
        "none",
        HEAD,
        "def5678 is already running",
        (),
        (),
        ("def5678 is already running",),
        WARNINGS,
        None,
    )
    plan = start(ctx([*running(), START]), HEAD)
    assert fields(plan) == (
        1234,
        "none",
        HEAD,
        None,  # not skipped: the trigger is consumed
        (),
        (START,),
        ("def5678 is already running", "start trigger consumed, nothing deployed"),
        WARNINGS,
        None,
    )
    assert plan.stacks == ()


def test_a_start_of_the_sleeping_head_wakes_it() -> None:
    plan = start(ctx([*running(status="sleeping"), START]), HEAD)
    assert plan.intent == "wake"
    assert plan.reasons[0] == "start requested on the sleeping commit: waking"
    assert START in plan.remove_labels
    assert [(op.action, op.stack, op.reuse_image) for op in plan.stacks] == [
        ("up", "pr-1234-def5678", True)
    ]


def test_a_fresh_claim_of_the_head_gets_no_second_deploy() -> None:
    fresh = [f"🎪 {HEAD} 🚦 building", f"🎪 {HEAD} 📅 2026-12-01T08-30", JUNK]
    why = "def5678 is already building: claimed at 2026-12-01T08-30"
    assert fields(start(ctx(fresh), HEAD)) == (
        1234,
        "none",
        HEAD,
        why,
        (),
        (),
        (why, "no second deploy"),
        WARNINGS,
        None,
    )
    plan = start(ctx([*fresh, START]), HEAD)
    assert fields(plan) == (
        1234,
        "none",
        HEAD,
        None,
        (),
        (START,),
        (why, "no second deploy"),
        WARNINGS,
        None,
    )
    assert plan.stacks == ()


def test_a_start_on_a_newer_commit_is_a_rolling_update() -> None:
    plan = start(ctx([*running("abc1234"), START]), HEAD)
    assert plan.intent == "update"
    assert plan.reasons[:3] == (
        "start requested on a newer commit",
        "claim def5678: status building",
        "up pr-1234-def5678",
    )
    assert [(op.stack, op.when) for op in plan.stacks] == [
        ("pr-1234-def5678", "now"),
        ("pr-1234-abc1234", "after_healthy"),
    ]
    assert START in plan.remove_labels


def claim_labels(requester: str | None) -> tuple[str, ...]:
    who = (f"🎪 {HEAD} 👤 {requester}",) if requester else ()
    return (
        f"🎪 {HEAD} 🚦 building",
        f"🎪 {HEAD} 📅 2026-12-01T09-00",
        f"🎪 {HEAD} ⌛ idle 24h · max 2026-12-08T09-00",
        *who,
        f"🎪 🏗️ {HEAD}",
    )


def test_a_first_start_is_claimed_for_the_actor_else_the_author() -> None:
    plan = start(ctx([START, JUNK], actor="", author="dave"), HEAD)
    assert (plan.intent, plan.add_labels, plan.remove_labels) == (
        "start",
        claim_labels("dave"),
        (START,),
    )
    assert plan.reasons == (
        "start requested",
        "claim def5678: status building",
        "up pr-1234-def5678",
    )
    # nobody known: no 👤 label, "unknown" only where something must be said
    plan = start(ctx([START, JUNK], actor="", author=""), HEAD)
    assert plan.add_labels == claim_labels(None)
    assert "- building `def5678` for @unknown\n" in (plan.comment or "")


def test_a_start_over_the_requesters_quota_is_refused_with_a_comment() -> None:
    plan = start(ctx([START, JUNK], fleet=Fleet(3, (("bob", 3),))), HEAD)
    over = (
        "@bob already has 3 environments, the maximum is 3: "
        "stop one (`/showtime destroy` on its PR) first"
    )
    assert fields(plan) == (
        1234,
        "refuse",
        HEAD,
        None,
        (),
        (START,),
        (f"quota: {over}",),
        WARNINGS,
        f"🎪 **Environment not started**\n\n- {over}",
    )
    assert plan.stacks == ()


def test_a_queued_request_starts_with_its_configuration_and_a_fresh_lifetime() -> None:
    queued = [
        f"🎪 {HEAD} 🚦 queued",
        f"🎪 {HEAD} 📅 2026-12-01T07-00",  # when it was asked: the lifetime counts from now
        f"🎪 {HEAD} 👤 carol",
        f"🎪 {HEAD} ⚙️ ALERTS",
        START,
    ]
    plan = start(ctx(queued, fleet=Fleet(0)), HEAD)
    assert plan.intent == "start"
    assert plan.add_labels == claim_labels("bob")
    # the ⚙️ label stays: the claim writes the same configuration again
    assert plan.remove_labels == (
        f"🎪 {HEAD} 🚦 queued",
        f"🎪 {HEAD} 📅 2026-12-01T07-00",
        f"🎪 {HEAD} 👤 carol",
        START,
    )
    cfg = plan.stacks[0].config
    assert cfg is not None and cfg.flags == (("ALERTS", True),)
    assert cfg.max_age_at == datetime(2026, 12, 8, 9, 0, tzinfo=UTC)


def _start_over_failed_show(config: list[str], body: str) -> Plan:
    """A start of HEAD on a PR whose only show is an older, failed one (nothing serves)."""
    old = ["🎪 abc1234 🚦 failed", "🎪 abc1234 📅 2026-12-01T07-00", *config, START]
    c = ctx(old)
    c = Ctx(c.event, replace(c.pr, body=body), c.st, c.now, c.policy, c.fleet)
    return start(c, HEAD)


def test_a_start_over_an_older_failed_show_carries_its_configuration_as_a_push_would() -> None:
    """The ⚙️ configuration of the PR's earlier show is carried to the new head (a push in the
    same state carries it too); the description's lines apply only when no show carries one."""
    plan = _start_over_failed_show(["🎪 abc1234 ⚙️ large,ALERTS"], "FEATURE_TAGGING=true")
    assert plan.intent == "start"
    assert f"🎪 {HEAD} ⚙️ large,ALERTS" in plan.add_labels
    cfg = plan.stacks[0].config
    assert cfg is not None and (cfg.flags, cfg.size) == ((("ALERTS", True),), "large")
    assert [(op.action, op.stack) for op in plan.stacks] == [
        ("up", "pr-1234-def5678"),
        ("destroy", "pr-1234-abc1234"),
    ]


def test_a_start_over_an_older_show_with_no_configuration_takes_the_description() -> None:
    plan = _start_over_failed_show([], "Adds tagging.\n\nFEATURE_TAGGING=true\n")
    assert f"🎪 {HEAD} ⚙️ TAGGING" in plan.add_labels
    cfg = plan.stacks[0].config
    assert cfg is not None and cfg.flags == (("TAGGING", True),)


def test_of_two_earlier_shows_the_newest_configuration_is_carried() -> None:
    plan = _start_over_failed_show(
        [
            "🎪 1111111 🚦 failed",
            "🎪 1111111 📅 2026-12-01T08-00",  # newer than abc1234's 07-00
            "🎪 1111111 ⚙️ TAGGING",
            "🎪 2222222 🚦 failed",  # undated: counts as the oldest
            "🎪 2222222 ⚙️ large",
            "🎪 abc1234 ⚙️ ALERTS",
        ],
        "",
    )
    assert f"🎪 {HEAD} ⚙️ TAGGING" in plan.add_labels
