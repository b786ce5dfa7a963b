"""Comment commands (core/rules/comments, docs/concepts/lifecycle.md "Comment commands" and
"Lifetimes"): the contracts the mutation run (issue 29) found no test pinning down. Each test
was checked by making the change and watching it fail.

Pure: one comment and one PR's labels in, the whole plan out, expected values written out.
"""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as hst

from showtime_iac.core import labels as L
from showtime_iac.core.commands import HELP
from showtime_iac.core.model import Event, Policy, PrInfo
from showtime_iac.core.plan import Ctx, Plan
from showtime_iac.core.rules.comments import on_comment

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SHA = "abc1234"
HEAD = SHA + "0" * 33
NEW = "def5678" + "0" * 33
#: a label the parser cannot read: it becomes a warning every plan carries
BOGUS = "🎪 bogus"
BOGUS_WARNING = "ignored unknown 🎪 label '🎪 bogus'"


def env(status: str = "running", *extra: str) -> list[str]:
    return [
        f"🎪 🎯 {SHA}",
        f"🎪 {SHA} 🚦 {status}",
        f"🎪 {SHA} 📅 2026-12-01T08-00",
        f"🎪 {SHA} ⌛ 24h",
        f"🎪 {SHA} 👤 alice",
        f"🎪 {SHA} 🌐 52.1.2.3",
        *extra,
    ]


def comment(
    body: str,
    labels: list[str],
    *,
    actor: str = "maintainer",
    permission: str | None = None,
    head: str = "",
    sha: str = "",
    action: str | None = "created",
    policy: Policy | None = None,
) -> Plan:
    event = Event(
        name="issue_comment",
        action=action,
        actor=actor,
        comment=body,
        actor_association="MEMBER",
        actor_permission=permission,
        sha=sha,
    )
    pr = PrInfo(1234, "open", head, tuple(labels), "author")
    st = L.parse_state(pr.labels, NOW)
    return on_comment(Ctx(event, pr, st, NOW, policy or Policy(), None))


def reply(text: str, why: str, *, sha: str | None = SHA, warnings: tuple[str, ...] = ()) -> Plan:
    return Plan(pr=1234, intent="reply", comment=text, reasons=(why,), warnings=warnings, sha=sha)


def skipped(why: str, *, warnings: tuple[str, ...] = ()) -> Plan:
    return Plan(pr=1234, intent="none", skipped=why, reasons=(why,), warnings=warnings)


# --- what is read at all ------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(hst.sampled_from(["edited", "deleted", "pinned"]) | hst.text(min_size=1, max_size=12))
def test_only_new_comments_are_read(action: str) -> None:
    if action == "created":
        return
    plan = comment("/showtime destroy", env(), action=action)
    assert plan == skipped(f"comment {action}: only new comments are read")


def test_a_comment_event_without_an_action_is_called_a_change() -> None:
    plan = comment("/showtime destroy", env(), action=None)
    assert plan == skipped("comment change: only new comments are read")


def test_a_comment_without_a_command_is_skipped_and_said() -> None:
    plan = comment("thanks, looks good", env("running", BOGUS))
    assert plan == skipped(
        "no /showtime or /circus command in the comment", warnings=(BOGUS_WARNING,)
    )


# --- help, status, a bad command: replies that change nothing -----------------------------------


def test_help_replies_with_the_help_and_the_labels_warnings() -> None:
    plan = comment("/showtime help", env("running", BOGUS))
    assert plan == reply(HELP, "help requested", warnings=(BOGUS_WARNING,))


def test_a_bad_command_replies_with_what_is_wrong_then_the_help() -> None:
    plan = comment("/showtime dance", env("running", BOGUS))
    assert plan == reply(
        f"🎪 unknown command `dance`.\n\n{HELP}",
        "bad command: unknown command `dance`",
        warnings=(BOGUS_WARNING,),
    )


def test_status_is_the_status_table_as_a_one_off_reply_with_the_policys_port_and_idle_action() -> (
    None
):
    plan = comment("/showtime status", env(), policy=Policy(port=9000, idle_action="sleep"))
    assert plan == reply(plan.comment or "", "status requested")
    text = plan.comment or ""
    # not the sticky comment: no marker, no history; the PR, the address at the policy's
    # port, and what idleness does under this policy (sleep, not a teardown)
    assert text.startswith("## 🎪 Showtime · PR #1234\n")
    assert "<!--" not in text
    assert "[http://52.1.2.3:9000](http://52.1.2.3:9000)" in text
    assert "Sleeps at 2026-12-02 08:00 UTC unless used" in text


# --- commands of maintainers ----------------------------------------------------------------


def test_destroy_by_an_unnamed_actor_says_unknown_and_removes_the_legacy_label() -> None:
    plan = comment("/showtime destroy", env("running", "testenv-up"), actor="")
    # a command is no PR close: the legacy request label goes with the environment
    assert plan.remove_labels[-1] == "testenv-up"
    assert plan.intent == "stop"
    assert plan.reasons == ("/showtime destroy by @unknown", "destroy pr-1234-abc1234")


def test_a_command_without_environment_says_how_to_start_one() -> None:
    plan = comment("/showtime wake", [])
    assert plan == reply(
        "🎪 There is no environment on this PR: add the label `🎪 ⚡ showtime-trigger-start`.",
        "/showtime wake: no environment",
        sha=None,
    )


def test_refresh_without_a_known_commit_is_skipped_and_said() -> None:
    plan = comment("/showtime refresh", env("running", BOGUS))
    assert plan == skipped(
        "the PR's head SHA is unknown (not in a comment payload)", warnings=(BOGUS_WARNING,)
    )


def test_refresh_of_another_commit_than_the_resolved_one_names_both() -> None:
    plan = comment("/showtime refresh 0123abc", env(), sha=NEW)
    assert plan == reply(
        "🎪 `0123abc` was not resolved to a commit of this PR: nothing was deployed.",
        "/showtime refresh 0123abc: the run is about def5678",
    )


def test_refresh_onto_the_live_head_only_says_so() -> None:
    plan = comment("/showtime refresh", env("running", BOGUS), head=HEAD)
    assert plan == reply(
        "🎪 `abc1234` is already live.",
        "refresh: already on the head",
        warnings=(BOGUS_WARNING,),
    )


def test_refresh_onto_the_sleeping_head_wakes_it() -> None:
    plan = comment("/showtime refresh", env("sleeping"), head=HEAD)
    assert plan.intent == "wake"
    assert [(op.action, op.stack, op.reuse_image) for op in plan.stacks] == [
        ("up", "pr-1234-abc1234", True)
    ]
    assert plan.reasons[0] == "/showtime refresh by @maintainer: waking"


def test_refresh_onto_a_new_commit_while_asleep_rolls_forward() -> None:
    plan = comment("/showtime refresh", env("sleeping"), sha=NEW)
    assert plan.intent == "update"
    assert [(op.action, op.stack, op.when) for op in plan.stacks] == [
        ("up", "pr-1234-def5678", "now"),
        ("destroy", "pr-1234-abc1234", "after_healthy"),
    ]
    assert plan.reasons[0] == "/showtime refresh by @maintainer"


def test_wake_and_configuration_commands_say_who_gave_them() -> None:
    assert comment("/showtime wake", env("sleeping")).reasons[0] == "/showtime wake by @maintainer"
    plan = comment("/showtime size large", env())
    assert plan.intent == "reconfigure"
    assert plan.reasons == ("/showtime size large by @maintainer", "up pr-1234-abc1234 with large")
    assert plan.comment == (
        "🎪 **Reconfiguring**\n\n- `abc1234` → `large`\n- reason: /showtime size large by @maintainer"
    )


# --- extend and keep-alive ------------------------------------------------------------------


def retag(
    ttl: str, expires: str, max_at: str, by: str = "maintainer"
) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    lifted = "true" if max_at == "never" else "false"
    return (
        (
            "pr-1234-abc1234",
            (
                ("showtime:ttl", ttl),
                ("showtime:expires-at", expires),
                ("showtime:max-age-at", max_at),
                ("showtime:max-age-lifted", lifted),
                ("showtime:lifetime-by", by),
            ),
        ),
    )


def test_keep_alive_of_a_maintainer_pins_it_and_names_the_max_age() -> None:
    plan = comment("/showtime keep-alive", env("running", BOGUS))
    assert plan == Plan(
        pr=1234,
        intent="reply",
        add_labels=("🎪 abc1234 ⌛ pinned · max 2026-12-08T08-00",),
        remove_labels=("🎪 abc1234 ⌛ 24h",),
        comment="🎪 The environment will stay up until the PR closes, someone stops it, or its"
        " max age of 7d ends.",
        reasons=("TTL set to manual",),
        warnings=(BOGUS_WARNING,),
        sha=SHA,
        retag=retag("manual", "never", "2026-12-08T08:00:00Z"),
    )


def test_keep_alive_of_an_admin_lifts_the_max_age_too() -> None:
    plan = comment("/showtime keep-alive", env(), actor="boss", permission="admin")
    assert plan.add_labels == ("🎪 abc1234 ⌛ pinned · max never",)
    assert (
        plan.comment == "🎪 The environment will stay up until the PR closes or someone stops it."
    )
    assert plan.retag == retag("manual", "never", "never", by="boss")


def test_extend_of_a_running_environment_within_its_max_age() -> None:
    plan = comment("/showtime extend 48h", env("running", BOGUS))
    # created 08:00, now 09:00, +48h: 49h from creation; the max age is far: no word of it
    assert plan == Plan(
        pr=1234,
        intent="reply",
        add_labels=("🎪 abc1234 ⌛ idle 49h · max 2026-12-08T08-00",),
        remove_labels=("🎪 abc1234 ⌛ 24h",),
        comment="🎪 Extended: the environment now lives 48h from now (TTL 49h).",
        reasons=("TTL set to 49h",),
        warnings=(BOGUS_WARNING,),
        sha=SHA,
        retag=retag("49h", "2026-12-03T09:00:00Z", "2026-12-08T08:00:00Z"),
    )


def test_extend_of_a_sleeping_environment_says_it_still_sleeps() -> None:
    plan = comment("/showtime extend 48h", env("sleeping"))
    assert plan.comment == (
        "🎪 Extended: the environment now lives 48h from now (TTL 49h)."
        " It is asleep: `/showtime wake` brings it back."
    )
    assert plan.stacks == ()


def failed(max_at: str) -> list[str]:
    """A failed show that is neither active nor building, created now."""
    return [
        f"🎪 {SHA} 🚦 failed",
        f"🎪 {SHA} 📅 2026-12-01T09-00",
        f"🎪 {SHA} ⌛ idle 24h · max {max_at}",
    ]


def test_extend_past_the_max_age_says_when_the_max_age_still_ends_it() -> None:
    plan = comment("/showtime extend 25h", failed("2026-12-02T09-00"))
    assert plan == Plan(
        pr=1234,
        intent="reply",
        add_labels=("🎪 abc1234 ⌛ idle 25h · max 2026-12-02T09-00",),
        remove_labels=("🎪 abc1234 ⌛ idle 24h · max 2026-12-02T09-00",),
        comment="🎪 Extended: the environment now lives 25h from now (TTL 25h)."
        " Its max age still ends it at 2026-12-02 09:00 UTC.",
        reasons=("TTL set to 25h",),
        sha=None,
        retag=retag("25h", "2026-12-02T10:00:00Z", "2026-12-02T09:00:00Z"),
    )


def test_extend_up_to_the_max_age_exactly_says_nothing_of_it() -> None:
    plan = comment("/showtime extend 24h", failed("2026-12-02T09-00"))
    assert plan.comment == "🎪 Extended: the environment now lives 24h from now (TTL 24h)."


def test_extend_of_a_show_without_date_counts_from_now_and_never_below_one_hour() -> None:
    plan = comment("/showtime extend 1h", [f"🎪 {SHA} 🚦 failed"])
    assert plan.add_labels == ("🎪 abc1234 ⌛ idle 1h · max 2026-12-08T09-00",)
    assert plan.comment == "🎪 Extended: the environment now lives 1h from now (TTL 1h)."
    assert plan.retag == retag("1h", "never", "2026-12-08T09:00:00Z")


def test_extend_above_the_maximum_changes_nothing_and_says_the_maximum() -> None:
    plan = comment("/showtime extend 8d", env())
    assert plan == reply(
        "🎪 `extend 8d` is above the maximum of 7d; nothing changed.",
        "extend 8d refused: above 7d",
    )
