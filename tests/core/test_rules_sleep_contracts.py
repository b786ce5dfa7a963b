"""Sleep and wake (core/rules/sleep, docs/concepts/lifecycle.md, policy ``idle_action =
"sleep"``): the contracts the mutation run (issue 29) found no test pinning down.

A sleep is an ``up`` of the same stack with ``sleeping = true`` (its image kept), 🚦 sleeping,
the max age written down, every ⚠️ withdrawn; a wake is the same ``up`` with 🚦 waking and 📅
now (the idle TTL counts afresh, the max age does not move); a wake of an environment that is
not asleep changes nothing and says why. Pure: a PR's labels in, the plan out, expected values
written out.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from showtime_iac.core import labels as L
from showtime_iac.core.model import EnvConfig, Event, Policy, PrInfo, Show, Ttl
from showtime_iac.core.plan import Ctx, Plan, StackOp
from showtime_iac.core.rules.sleep import sleep, wake

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
HEAD = "def5678"
JUNK = "🎪 zzzzzzz 🚦 running"  # not a SHA: ignored, with a warning the plan carries
WARNINGS = ("ignored unknown 🎪 label '🎪 zzzzzzz 🚦 running'",)
WAKE = "🎪 ⚡ showtime-trigger-wake"
#: a policy whose values differ from the defaults, so that a plan built without it shows
POLICY = Policy(default_ttl=Ttl("48h"), max_age=timedelta(days=3))


def ctx(labels: list[str], event: str = "issue_comment") -> Ctx:
    pr = PrInfo(1234, "open", HEAD + "0" * 33, (*labels, JUNK), "author")
    ev = Event(event, "created", actor="bob", comment="/showtime wake")
    return Ctx(ev, pr, L.parse_state([*labels, JUNK], NOW), NOW, POLICY, None)


def fields(plan: Plan) -> tuple[object, ...]:
    return (
        plan.pr,
        plan.intent,
        plan.sha,
        plan.add_labels,
        plan.remove_labels,
        plan.stacks,
        plan.reasons,
        plan.warnings,
        plan.comment,
    )


def env(status: str, *extra: str) -> list[str]:
    return [f"🎪 🎯 {HEAD}", f"🎪 {HEAD} 🚦 {status}", f"🎪 {HEAD} 📅 2026-12-01T08-00", *extra]


def config(sleeping: bool, created: datetime, **kw: object) -> EnvConfig:
    base: dict[str, object] = {
        "size": "large",
        "ttl": Ttl("48h"),
        "requester": "unknown",
        "created": created,
        "max_age_at": datetime(2026, 12, 4, 8, 0, tzinfo=UTC),
        "sleeping": sleeping,
    }
    return EnvConfig(1234, HEAD, **{**base, **kw})  # type: ignore[arg-type]


def active(c: Ctx) -> Show:
    assert c.st.active is not None
    return c.st.active


# --- sleep ----------------------------------------------------------------------------------


def test_a_sleep_is_an_up_at_zero_that_writes_the_max_age_and_withdraws_warnings() -> None:
    # an old-form ⌛ (no max), ⚙️ large, and ⚠️ warnings of this SHA and of another
    c = ctx(
        env(
            "running",
            f"🎪 {HEAD} ⌛ 48h",
            f"🎪 {HEAD} ⚙️ large",
            f"🎪 {HEAD} ⚠️ 2026-12-01T10-00",
            "🎪 abc1234 ⚠️ 2026-12-01T10-00",
        )
    )
    plan = sleep(c, active(c), "idle for 48h")
    assert plan is not None
    assert fields(plan) == (
        1234,
        "sleep",
        HEAD,
        ("🎪 def5678 🚦 sleeping", "🎪 def5678 ⌛ idle 48h · max 2026-12-04T08-00"),
        (
            "🎪 def5678 🚦 running",
            "🎪 def5678 ⌛ 48h",
            "🎪 def5678 ⚠️ 2026-12-01T10-00",
            "🎪 abc1234 ⚠️ 2026-12-01T10-00",
        ),
        (
            StackOp(
                "up",
                "pr-1234-def5678",
                HEAD,
                config=config(True, datetime(2026, 12, 1, 8, 0, tzinfo=UTC)),
                reuse_image=True,
            ),
        ),
        ("idle for 48h: asleep", "up pr-1234-def5678 with desired count 0 (its image kept)"),
        WARNINGS,
        "🎪 **Environment asleep**\n"
        "\n"
        "- `def5678` is scaled to zero: idle for 48h\n"
        "- the stack, its URL and its labels stay; nothing runs, nothing is billed but its image\n"
        "- comment `/showtime wake` or push a commit to bring it back",
    )


def test_a_sleep_without_a_ttl_label_records_the_policys_default_and_a_lifted_max_stays() -> None:
    c = ctx(env("running", f"🎪 {HEAD} ⚙️ large"))
    plan = sleep(c, active(c), "idle")
    assert plan is not None and plan.stacks[0].config is not None
    assert plan.stacks[0].config.ttl == Ttl("48h")  # POLICY's default, not 24h
    lifted = ctx(env("running", f"🎪 {HEAD} ⌛ idle 24h · max never"))
    plan = sleep(lifted, active(lifted), "idle")
    assert plan is not None and plan.add_labels == ("🎪 def5678 🚦 sleeping",)


# --- wake -----------------------------------------------------------------------------------


def test_a_wake_is_an_up_at_one_with_a_fresh_date_and_the_max_age_kept() -> None:
    c = ctx(
        env(
            "sleeping",
            f"🎪 {HEAD} ⌛ idle 48h",
            f"🎪 {HEAD} ⚙️ large",
            f"🎪 {HEAD} ⚠️ 2026-12-01T10-00",
            "🎪 abc1234 ⚠️ 2026-12-01T10-00",
        )
    )
    # the consumed label is removed once, also when the relabelling removes it already
    consume = (WAKE, f"🎪 {HEAD} ⚠️ 2026-12-01T10-00")
    assert fields(wake(c, "wake requested by @bob", consume)) == (
        1234,
        "wake",
        HEAD,
        (
            "🎪 def5678 🚦 waking",
            "🎪 def5678 📅 2026-12-01T09-00",
            "🎪 def5678 ⌛ idle 48h · max 2026-12-04T08-00",
        ),
        (
            "🎪 def5678 🚦 sleeping",
            "🎪 def5678 📅 2026-12-01T08-00",
            "🎪 def5678 ⌛ idle 48h",
            "🎪 def5678 ⚠️ 2026-12-01T10-00",
            "🎪 abc1234 ⚠️ 2026-12-01T10-00",
            WAKE,
        ),
        (StackOp("up", "pr-1234-def5678", HEAD, config=config(False, NOW), reuse_image=True),),
        (
            "wake requested by @bob",
            "up pr-1234-def5678 with desired count 1 (its image kept)",
        ),
        WARNINGS,
        "🎪 **Waking up**\n"
        "\n"
        "- `def5678` scales back to one task (its image kept)\n"
        "- wake requested by @bob",
    )


def test_a_wake_without_a_ttl_label_records_the_policys_default() -> None:
    plan = wake(ctx(env("sleeping", f"🎪 {HEAD} ⚙️ large")), "wake")
    assert plan.stacks[0].config is not None
    assert plan.stacks[0].config.ttl == Ttl("48h")


def test_a_wake_with_invalid_configuration_labels_says_so() -> None:
    c = ctx(env("sleeping", f"🎪 {HEAD} ⚙️ ALERTS,ALERTS"))
    assert fields(wake(c, "wake requested by @bob", (WAKE,))) == (
        1234,
        "reply",
        HEAD,
        (),
        (WAKE,),
        (),
        ("wake requested by @bob: the ⚙️ configuration labels are invalid",),
        WARNINGS,
        "🎪 Cannot wake: the ⚙️ configuration labels are invalid; "
        "`/showtime destroy` and start again.",
    )


def test_a_wake_of_an_environment_not_asleep_changes_nothing_and_says_why() -> None:
    running = ctx(env("running"))
    assert fields(wake(running, "wake requested by @bob", (WAKE,))) == (
        1234,
        "reply",
        HEAD,
        (),
        (WAKE,),
        (),
        ("wake requested by @bob: not asleep (it is running)",),
        WARNINGS,
        "🎪 Nothing to wake: the environment is not asleep (it is running).",
    )
    # no 🚦 label: its status is unknown
    unknown = ctx([f"🎪 🎯 {HEAD}", f"🎪 {HEAD} 📅 2026-12-01T08-00"])
    assert wake(unknown, "w").comment == (
        "🎪 Nothing to wake: the environment is not asleep (it is unknown)."
    )
    nothing = ctx([])
    assert fields(wake(nothing, "w")) == (
        1234,
        "reply",
        None,
        (),
        (),
        (),
        ("w: not asleep (there is no active one)",),
        WARNINGS,
        "🎪 Nothing to wake: the environment is not asleep (there is no active one).",
    )
    # not a comment: no reply; a label to consume is still removed
    assert fields(wake(ctx(env("running"), "pull_request"), "start")) == (
        1234,
        "none",
        HEAD,
        (),
        (),
        (),
        ("start: not asleep (it is running)",),
        WARNINGS,
        None,
    )
    labelled = wake(ctx(env("running"), "pull_request"), "start", (WAKE,))
    assert (labelled.intent, labelled.remove_labels, labelled.comment) == ("reply", (WAKE,), None)
