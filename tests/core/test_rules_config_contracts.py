"""Configuration changes of the running SHA (core/rules/config, docs/concepts/lifecycle.md
"Configuration labels and the PR description", "Sleep instead of destroy"): the contracts the
mutation run (issue 29) found no test pinning down. Each test was checked by making the change
and watching it fail.

Pure: the PR's labels and the requested changes in, the whole plan out, expected values
written out.
"""

from __future__ import annotations

from datetime import UTC, datetime

from showtime_iac.core import labels as L
from showtime_iac.core.model import EnvConfig, Event, Policy, PrInfo
from showtime_iac.core.plan import Ctx, Plan
from showtime_iac.core.rules.config import apply_changes, body_edited, reconfigure

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SHA = "abc1234"
#: a label the parser cannot read: it becomes a warning every plan carries
BOGUS = "🎪 bogus"
WARNINGS = ("ignored unknown 🎪 label '🎪 bogus'",)
CONF = "🎪 conf-size-large"


def env(status: str = "running", *extra: str) -> list[str]:
    return [
        f"🎪 🎯 {SHA}",
        f"🎪 {SHA} 🚦 {status}",
        f"🎪 {SHA} 📅 2026-12-01T08-00",
        f"🎪 {SHA} ⌛ 24h",
        f"🎪 {SHA} 👤 alice",
        BOGUS,
        *extra,
    ]


def ctx(
    labels: list[str],
    *,
    name: str = "pull_request",
    action: str = "labeled",
    body: str = "",
    permission: str | None = None,
    association: str | None = None,
) -> Ctx:
    event = Event(
        name=name,
        action=action,
        actor="maintainer",
        actor_association=association,
        actor_permission=permission,
    )
    pr = PrInfo(1234, "open", "", tuple(labels), "author", body=body)
    return Ctx(event, pr, L.parse_state(pr.labels, NOW), NOW, Policy(), None)


# --- apply_changes ------------------------------------------------------------------------------


def test_examples_and_the_cache_are_changed_like_the_rest() -> None:
    base = EnvConfig(pr=1234, sha=SHA)
    off = apply_changes(base, [("examples", "off")])
    assert (off.examples, off.cache_redis) == (False, False)
    assert apply_changes(off, [("examples", "on")]).examples is True
    both = apply_changes(base, [("examples", "off"), ("cache", "redis"), ("debug", "on")])
    assert (both.examples, both.cache_redis, both.debug) == (False, True, True)
    assert both.config_items() == ("debug", "no-examples", "redis")


# --- no running environment -----------------------------------------------------------------


def test_a_configuration_label_on_a_sleeping_environment_is_consumed_and_says_wake_it_first() -> (
    None
):
    plan = reconfigure(
        ctx(env("sleeping")), [("size", "large")], (CONF,), why="configuration label"
    )
    assert plan == Plan(
        pr=1234,
        intent="reply",
        remove_labels=(CONF,),
        comment="🎪 **Configuration not applied**\n\n- configuration changes need a running"
        " environment: it is asleep, `/showtime wake` it first",
        reasons=("configuration label: no running environment",),
        warnings=WARNINGS,
    )


def test_a_command_on_an_environment_being_deployed_replies_but_skips() -> None:
    plan = reconfigure(
        ctx(env("deploying"), name="issue_comment", action="created"),
        [("size", "large")],
        (),
        why="/showtime size large by @maintainer",
    )
    # not asleep: nothing about waking it
    assert plan == Plan(
        pr=1234,
        intent="none",
        comment="🎪 **Configuration not applied**\n\n- configuration changes need a running"
        " environment",
        skipped="no running environment to reconfigure",
        reasons=("/showtime size large by @maintainer: no running environment",),
        warnings=WARNINGS,
    )


def test_a_description_edit_without_running_environment_is_skipped_silently() -> None:
    plan = reconfigure(ctx(env("sleeping"), action="edited"), [("enable", "ALERTS")], (), why="x")
    assert plan == Plan(
        pr=1234,
        intent="none",
        skipped="no running environment to reconfigure",
        reasons=("x: no running environment",),
        warnings=WARNINGS,
    )


# --- a running environment ------------------------------------------------------------------


def test_invalid_applied_configuration_labels_are_skipped_and_said() -> None:
    # the ⚙️ label reads (each item is valid) but names a flag twice: no config to start from
    plan = reconfigure(ctx(env("running", f"🎪 {SHA} ⚙️ ALERTS,-ALERTS")), [], (), why="x")
    assert plan == Plan(
        pr=1234,
        intent="none",
        skipped="the applied ⚙️ configuration labels are invalid",
        reasons=("the applied ⚙️ configuration labels are invalid",),
        warnings=WARNINGS,
    )


def test_an_invalid_change_is_refused_with_the_reason() -> None:
    plan = reconfigure(ctx(env()), [("enable", "lowercase")], (), why="because")
    error = "invalid feature flag 'lowercase': use A-Z, 0-9 and _, starting with a letter"
    assert plan == Plan(
        pr=1234,
        intent="reply",
        comment=f"🎪 Configuration refused: {error}",
        reasons=(f"because: {error}",),
        warnings=WARNINGS,
        sha=SHA,
    )


def test_a_change_already_applied_does_nothing_but_consume_its_label() -> None:
    labels = env("running", f"🎪 {SHA} ⚙️ large", CONF)
    plan = reconfigure(ctx(labels), [("size", "large")], (CONF,), why="configuration label")
    assert plan == Plan(
        pr=1234,
        intent="none",
        remove_labels=(CONF,),
        reasons=("configuration label: already applied",),
        warnings=WARNINGS,
        sha=SHA,
    )
    plan = reconfigure(ctx(labels), [("size", "large")], (), why="because")
    assert plan == Plan(
        pr=1234,
        intent="none",
        skipped="configuration already applied",
        reasons=("because: already applied",),
        warnings=WARNINGS,
        sha=SHA,
    )


def test_a_reconfiguration_shows_every_item_or_says_defaults() -> None:
    plan = reconfigure(
        ctx(env()), [("size", "large"), ("enable", "ALERTS"), ("examples", "off")], (), why="w"
    )
    assert plan.intent == "reconfigure" and plan.sha == SHA and plan.warnings == WARNINGS
    assert plan.pr == 1234
    assert (
        plan.comment
        == "🎪 **Reconfiguring**\n\n- `abc1234` → `large,no-examples,ALERTS`\n- reason: w"
    )
    assert plan.reasons == ("w", "up pr-1234-abc1234 with large,no-examples,ALERTS")
    back = reconfigure(ctx(env("running", f"🎪 {SHA} ⚙️ large")), [("size", "medium")], (), "w")
    assert back.comment == "🎪 **Reconfiguring**\n\n- `abc1234` → `defaults`\n- reason: w"
    assert back.reasons == ("w", "up pr-1234-abc1234 with defaults")
    assert back.remove_labels == ("🎪 abc1234 🚦 running", "🎪 abc1234 ⚙️ large")


# --- the PR description ---------------------------------------------------------------------


def edited(labels: list[str], **kw: str) -> Plan | None:
    return body_edited(ctx(labels, action="edited", body="FEATURE_ALERTS=true", **kw))


def test_a_description_edit_without_write_access_changes_nothing() -> None:
    assert edited(env(), permission="read") == Plan(
        pr=1234,
        intent="none",
        skipped="description edited by @maintainer without write access: nothing changes",
        reasons=("description edited by @maintainer without write access: nothing changes",),
        warnings=WARNINGS,
        sha=SHA,
    )


def test_a_description_edit_on_a_frozen_pr_changes_nothing() -> None:
    assert edited(env("running", L.FREEZE), permission="write") == Plan(
        pr=1234,
        intent="none",
        skipped="🧊 frozen: description edits change nothing",
        reasons=("🧊 frozen: description edits change nothing",),
        warnings=WARNINGS,
        sha=SHA,
    )


def test_a_description_edit_not_yet_looked_up_reconfigures_and_says_why() -> None:
    # an offline plan: the association alone cannot tell (None), so the change is planned;
    # sync looks the permission up first
    plan = edited(env(), association="NONE")
    assert plan is not None and plan.intent == "reconfigure"
    assert plan.reasons == (
        "feature flags in the PR description changed",
        "up pr-1234-abc1234 with ALERTS",
    )
