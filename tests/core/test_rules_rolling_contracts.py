"""The claim of a new SHA and the rolling update onto it (core/rules/rolling,
docs/concepts/lifecycle.md "Events and plans", the push example of docs/getting-started.md):
the contracts the mutation run (issue 29) found no test pinning down. Each test was checked
by making the change and watching it fail.

Pure: a PR's labels in, the plan out, expected values written out.
"""

from __future__ import annotations

from datetime import UTC, datetime

from showtime_iac.core import labels as L
from showtime_iac.core.model import Event, Policy, PrInfo
from showtime_iac.core.plan import Ctx, Plan, StackOp
from showtime_iac.core.rules.rolling import claim, update

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
HEAD = "def5678"
JUNK = "🎪 zzzzzzz 🚦 running"  # not a SHA: ignored, with a warning the plan carries
JUNK_WARNING = "ignored unknown 🎪 label '🎪 zzzzzzz 🚦 running'"


def ctx(labels: list[str], actor: str = "bob", author: str = "author") -> Ctx:
    pr = PrInfo(1234, "open", HEAD + "0" * 33, tuple(labels), author)
    return Ctx(
        Event("pull_request", "synchronize", actor=actor),
        pr,
        L.parse_state(labels, NOW),
        NOW,
        Policy(),
        None,
    )


def push(labels: list[str], actor: str = "bob", author: str = "author") -> Plan:
    return update(ctx(labels, actor, author), HEAD, why=f"new commit {HEAD}")


def running(sha: str = "abc1234", *extra: str) -> list[str]:
    return [
        f"🎪 🎯 {sha}",
        f"🎪 {sha} 🚦 running",
        f"🎪 {sha} 📅 2026-12-01T08-00",
        *extra,
    ]


def new_show(
    requester: str | None, lifetime: str = "idle 24h · max 2026-12-08T08-00"
) -> tuple[str, ...]:
    who = (f"🎪 {HEAD} 👤 {requester}",) if requester else ()
    return (
        f"🎪 {HEAD} 🚦 building",
        f"🎪 {HEAD} 📅 2026-12-01T09-00",
        f"🎪 {HEAD} ⌛ {lifetime}",
        *who,
        f"🎪 🏗️ {HEAD}",
    )


def test_a_push_rolls_forward_and_clears_what_the_new_head_supersedes() -> None:
    labels = [
        *running("abc1234", "🎪 abc1234 ⌛ 24h", "🎪 abc1234 👤 alice"),
        "🎪 abc1234 ⚠️ 2026-12-01T10-00",  # a teardown warning: a push withdraws it
        "🎪 fa11ed0 🚦 failed",
        "🎪 fa11ed0 📅 2026-12-01T07-00",
        "🎪 🏗️ fa11ed0",
        "🎪 0dd0000 📅 2026-12-01T06-00",  # a show whose 🚦 was lost
        "🎪 0aaa000 🚦 queued",  # sorts first: the others are still planned after it
        "🎪 0aaa000 👤 carol",
        JUNK,
        "bug",
    ]
    plan = push(labels)
    assert plan.pr == 1234 and plan.intent == "update" and plan.sha == HEAD
    assert plan.skipped is None
    assert plan.add_labels == new_show("alice")
    assert plan.remove_labels == (
        "🎪 abc1234 ⚠️ 2026-12-01T10-00",
        "🎪 fa11ed0 🚦 failed",
        "🎪 fa11ed0 📅 2026-12-01T07-00",
        "🎪 🏗️ fa11ed0",
        "🎪 0dd0000 📅 2026-12-01T06-00",
        "🎪 0aaa000 🚦 queued",
        "🎪 0aaa000 👤 carol",
    )
    assert [(op.action, op.stack, op.sha, op.when) for op in plan.stacks] == [
        ("up", "pr-1234-def5678", HEAD, "now"),
        ("destroy", "pr-1234-0dd0000", "0dd0000", "now"),
        ("destroy", "pr-1234-abc1234", "abc1234", "after_healthy"),
        ("destroy", "pr-1234-fa11ed0", "fa11ed0", "now"),
    ]
    assert plan.reasons == (
        "new commit def5678",
        "claim def5678: status building",
        "up pr-1234-def5678",
        "0aaa000 leaves the queue",
        "destroy superseded pr-1234-0dd0000 (unknown)",
        "destroy pr-1234-abc1234 once def5678 is healthy",
        "destroy superseded pr-1234-fa11ed0 (failed)",
    )
    assert plan.comment == (
        "🎪 **Building preview environment**\n"
        "\n"
        "- building `def5678` for @alice\n"
        "- TTL: 24h\n"
        "- max age: until 2026-12-08T08:00Z\n"
        "- `abc1234` keeps serving until `def5678` is healthy"
    )
    assert plan.warnings == (JUNK_WARNING,)
    cfg = plan.stacks[0].config
    assert cfg is not None and (cfg.requester, cfg.sha, str(cfg.ttl)) == ("alice", HEAD, "24h")


def test_a_building_pointer_left_on_the_active_sha_goes_with_the_claim() -> None:
    plan = push(running("abc1234", "🎪 🏗️ abc1234"))
    assert plan.remove_labels == ("🎪 🏗️ abc1234",)
    assert plan.add_labels == new_show("bob")
    assert [(op.stack, op.when) for op in plan.stacks] == [
        ("pr-1234-def5678", "now"),
        ("pr-1234-abc1234", "after_healthy"),
    ]


def skip_of(plan: Plan) -> tuple[object, ...]:
    assert plan.intent == "none" and plan.stacks == () and plan.comment is None
    assert (plan.add_labels, plan.remove_labels) == ((), ())
    assert plan.reasons == (plan.skipped,)
    return plan.pr, plan.skipped, plan.sha, plan.warnings


def test_an_update_with_nothing_to_roll_forward_is_skipped_and_says_why() -> None:
    assert skip_of(push(["bug", JUNK])) == (
        1234,
        "no environment on this PR: add the start label to create one",
        HEAD,
        (JUNK_WARNING,),
    )
    queued_only = ["🎪 0aaa000 🚦 queued", "🎪 0aaa000 📅 2026-12-01T08-00", JUNK]
    assert skip_of(push(queued_only)) == (
        1234,
        "queued: it starts when an environment frees, not before",
        HEAD,
        (JUNK_WARNING,),
    )
    assert skip_of(push([*running(HEAD), JUNK])) == (
        1234,
        "def5678 is already the active environment",
        HEAD,
        (JUNK_WARNING,),
    )


def test_a_fresh_claim_of_the_head_is_respected_a_stale_one_is_reclaimed() -> None:
    fresh = [*running(), f"🎪 {HEAD} 🚦 building", f"🎪 {HEAD} 📅 2026-12-01T08-30", JUNK]
    assert skip_of(push(fresh)) == (
        1234,
        "def5678 is already building (fresh claim)",
        HEAD,
        (JUNK_WARNING,),
    )
    stale = [*running(), f"🎪 {HEAD} 🚦 building", f"🎪 {HEAD} 📅 2026-12-01T07-30"]
    plan = push(stale)
    assert plan.skipped is None and plan.intent == "update"
    assert [(op.action, op.stack) for op in plan.stacks] == [
        ("up", "pr-1234-def5678"),
        ("destroy", "pr-1234-abc1234"),
    ]


def test_the_new_claim_inherits_from_the_active_show_else_the_heads_own() -> None:
    # no 🎯: the head's own (failed) show is the base, not the other SHA being built
    labels = [
        f"🎪 {HEAD} 🚦 failed",
        f"🎪 {HEAD} 📅 2026-12-01T08-00",
        f"🎪 {HEAD} ⌛ 48h",
        f"🎪 {HEAD} 👤 carol",
        "🎪 0dd0000 🚦 building",
        "🎪 0dd0000 📅 2026-12-01T08-50",
        "🎪 0dd0000 ⌛ 72h",
        "🎪 0dd0000 👤 dave",
        "🎪 🏗️ 0dd0000",
    ]
    plan = push(labels)
    assert plan.intent == "start"
    assert plan.add_labels == (
        f"🎪 {HEAD} 🚦 building",
        f"🎪 {HEAD} 📅 2026-12-01T09-00",
        f"🎪 {HEAD} ⌛ idle 48h · max 2026-12-08T08-00",
        f"🎪 🏗️ {HEAD}",
    )
    # everything said about the head is replaced (its 👤 carol stays: the same label)
    assert plan.remove_labels == (
        f"🎪 {HEAD} 🚦 failed",
        f"🎪 {HEAD} 📅 2026-12-01T08-00",
        f"🎪 {HEAD} ⌛ 48h",
        "🎪 0dd0000 🚦 building",
        "🎪 0dd0000 📅 2026-12-01T08-50",
        "🎪 0dd0000 ⌛ 72h",
        "🎪 0dd0000 👤 dave",
        "🎪 🏗️ 0dd0000",
    )
    assert "- building `def5678` for @carol\n- TTL: 48h\n" in (plan.comment or "")


def test_the_requester_is_the_bases_else_the_actor_else_the_author() -> None:
    no_requester = running("abc1234", "🎪 abc1234 ⌛ 24h")
    assert push(no_requester, actor="", author="dave").add_labels == new_show("dave")
    assert push(no_requester, actor="erin", author="dave").add_labels == new_show("erin")
    plan = push(no_requester, actor="", author="")
    # nobody known: no 👤 label at all, "unknown" only where something must be said
    assert plan.add_labels == new_show(None)
    assert "- building `def5678` for @unknown" in (plan.comment or "")
    cfg = plan.stacks[0].config
    assert cfg is not None and cfg.requester == "unknown"


def test_a_lifted_max_age_carries_over_and_is_not_announced() -> None:
    plan = push(running("abc1234", "🎪 abc1234 ⌛ pinned · max never", "🎪 abc1234 👤 alice"))
    assert plan.add_labels == new_show("alice", "pinned · max never")
    assert plan.comment == (
        "🎪 **Building preview environment**\n"
        "\n"
        "- building `def5678` for @alice\n"
        "- TTL: manual\n"
        "- `abc1234` keeps serving until `def5678` is healthy"
    )


def test_a_claim_without_a_predecessor_starts_afresh() -> None:
    c = ctx(["🎪 ⚡ showtime-trigger-start", "bug"])
    plan = claim(
        c,
        HEAD,
        "maintainer",
        base=None,
        consume=("🎪 ⚡ showtime-trigger-start",),
        why="start requested",
    )
    assert plan.intent == "start" and plan.sha == HEAD
    assert plan.add_labels == (
        f"🎪 {HEAD} 🚦 building",
        f"🎪 {HEAD} 📅 2026-12-01T09-00",
        f"🎪 {HEAD} ⌛ idle 24h · max 2026-12-08T09-00",
        f"🎪 {HEAD} 👤 maintainer",
        f"🎪 🏗️ {HEAD}",
    )
    assert plan.remove_labels == ("🎪 ⚡ showtime-trigger-start",)
    assert plan.stacks == (StackOp("up", "pr-1234-def5678", HEAD, config=plan.stacks[0].config),)
    assert plan.comment == (
        "🎪 **Building preview environment**\n"
        "\n"
        "- building `def5678` for @maintainer\n"
        "- TTL: 24h\n"
        "- max age: until 2026-12-08T09:00Z"
    )


def test_an_invalid_inherited_configuration_deploys_nothing_and_names_it() -> None:
    # each item is well formed, together they are not: a flag given twice
    twice = running("abc1234", "🎪 abc1234 ⚙️ ALERTS,ALERTS", JUNK)
    assert skip_of(push(twice)) == (
        1234,
        "the ⚙️ configuration 'ALERTS,ALERTS' is invalid: fix or remove it",
        HEAD,
        (JUNK_WARNING,),
    )
    # a flag name one over the limit; the message quotes the first 60 characters
    long = running(
        "abc1234",
        "🎪 abc1234 ⚙️ 1/3 XAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "🎪 abc1234 ⚙️ 2/3 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "🎪 abc1234 ⚙️ 3/3 A,YYYYYYYYYYYYYYYYYYYY",
    )
    assert push(long).skipped == (
        "the ⚙️ configuration 'X" + "A" * 59 + "' is invalid: fix or remove it"
    )


def test_a_claim_of_a_head_that_has_a_show_still_clears_the_shows_sorted_after_it() -> None:
    """The head's own show is passed over, not the end of the list: a failed show of a SHA
    sorting after the head is still destroyed as superseded."""
    labels = [
        f"🎪 {HEAD} 🚦 failed",
        f"🎪 {HEAD} 📅 2026-12-01T07-00",
        "🎪 fa11ed0 🚦 failed",
        "🎪 fa11ed0 📅 2026-12-01T06-00",
    ]
    c = ctx(labels)
    plan = claim(c, HEAD, "bob", base=c.st.shows[HEAD], consume=(), why="start requested")
    assert [(op.action, op.stack, op.when) for op in plan.stacks] == [
        ("up", f"pr-1234-{HEAD}", "now"),
        ("destroy", "pr-1234-fa11ed0", "now"),
    ]
    assert "destroy superseded pr-1234-fa11ed0 (failed)" in plan.reasons
