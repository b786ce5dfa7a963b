"""Regression tests of the security review (issue 15), one or more per finding, through the
real planner on real-shaped payloads. Each failed on the code before its fix."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from showtime_iac.core import labels as L
from showtime_iac.core.commands import CommandError, parse_comment
from showtime_iac.core.comment import MARKER
from showtime_iac.core.events import parse_event
from showtime_iac.core.model import Event, PrInfo, Ttl
from showtime_iac.core.planner import Plan, decide, needs_permission
from tests import payloads as P
from tests.core.test_planner import NEW_FULL, NOW, OLD, running

OLD_FULL = OLD + "0" * 33
FEATURE_X = "FEATURE_X=true"


def event_of(payload: dict[str, Any], name: str = "pull_request") -> tuple[Event, PrInfo]:
    event, pr = parse_event(payload, name)
    assert pr is not None
    return event, pr


def plan_as(permission: str | None, payload: dict[str, Any], name: str = "pull_request") -> Plan:
    """Plan as sync does: with the actor's permission looked up."""
    event, pr = event_of(payload, name)
    return decide(replace(event, actor_permission=permission), pr, NOW)


def ups(plan: Plan) -> list[tuple[str, str]]:
    return [(op.stack, op.sha) for op in plan.stacks if op.action == "up"]


# --- 1. a description edit or a config change never deploys another SHA ------------------------


def test_finding_1_body_edit_never_deploys_the_head() -> None:
    # the fork pushed NEW (skipped, as designed), then its author edits the description
    payload = P.pull_request(
        "edited", running(), sha=NEW_FULL, fork=True, sender="contributor", body=FEATURE_X
    )
    plan = plan_as("read", payload)
    assert plan.stacks == ()
    assert not plan.add_labels and not plan.remove_labels


def test_finding_1_a_body_edit_asks_for_the_editors_permission() -> None:
    event, _pr = event_of(P.pull_request("edited", running(), sender="contributor", body=FEATURE_X))
    assert needs_permission(event)


def test_finding_1_body_edit_by_a_writer_reconfigures_the_active_sha_with_its_image() -> None:
    payload = P.pull_request("edited", running(), sha=NEW_FULL, body=FEATURE_X)
    plan = plan_as("write", payload)
    assert plan.intent == "reconfigure"
    assert ups(plan) == [("pr-1234-abc1234", OLD)]
    [op] = plan.stacks
    assert op.reuse_image  # never the head's image: the stack keeps the one it runs


def test_finding_1_body_edit_on_a_frozen_pr_changes_nothing() -> None:
    payload = P.pull_request("edited", [*running(), L.FREEZE], sha=NEW_FULL, body=FEATURE_X)
    plan = plan_as("admin", payload)
    assert plan.stacks == () and not plan.add_labels


@pytest.mark.parametrize(
    "body", ["/showtime size large", "/showtime enable ALERTS", "/showtime debug on"]
)
def test_finding_1_config_commands_reuse_the_image_of_the_active_sha(body: str) -> None:
    event, pr = event_of(P.issue_comment(body, running()), "issue_comment")
    pr = replace(pr, head_sha=NEW_FULL)  # the head moved on: it must not matter
    plan = decide(replace(event, actor_permission="write"), pr, NOW)
    assert ups(plan) == [("pr-1234-abc1234", OLD)]
    assert all(op.reuse_image for op in plan.stacks)


def test_finding_1_config_label_reuses_the_image_of_the_active_sha() -> None:
    label = "🎪 conf-size-large"
    payload = P.pull_request("labeled", [*running(), label], sha=NEW_FULL, label=label)
    plan = plan_as("maintain", payload)
    assert ups(plan) == [("pr-1234-abc1234", OLD)]
    assert all(op.reuse_image for op in plan.stacks)


def test_finding_1_a_leftover_config_label_is_not_applied_by_a_fork_push() -> None:
    labels = [*running(), "🎪 conf-enable-X"]
    payload = P.pull_request("synchronize", labels, sha=NEW_FULL, fork=True, sender="contributor")
    plan = plan_as(None, payload)
    assert plan.stacks == ()


def test_finding_1_starts_and_updates_need_an_image_built_from_their_sha() -> None:
    plan = plan_as("write", P.pull_request("synchronize", running(), sha=NEW_FULL))
    [up] = [op for op in plan.stacks if op.action == "up"]
    assert up.sha == NEW_FULL[:7] and not up.reuse_image


def test_finding_1_an_env_config_refuses_an_image_built_from_another_commit() -> None:
    from showtime_iac.core.model import EnvConfig, ImageMismatchError
    from showtime_iac.core.stack_config import from_stack_config, to_stack_config

    digest = "123.dkr.ecr.us-west-2.amazonaws.com/superset-ci@sha256:" + "ab" * 32
    ok = EnvConfig(pr=1234, sha=OLD_FULL, image=digest, image_sha=OLD)
    assert from_stack_config(to_stack_config(ok)) == ok
    with pytest.raises(ImageMismatchError, match="only runs an image built from abc1234"):
        EnvConfig(pr=1234, sha=OLD_FULL, image=digest, image_sha=NEW_FULL)
    tagged = "123.dkr.ecr.us-west-2.amazonaws.com/superset-ci:pr-1234-def5678-ci"
    with pytest.raises(ImageMismatchError, match="def5678"):
        EnvConfig(pr=1234, sha=OLD_FULL, image=tagged, image_sha=OLD)
    other_pr = "123.dkr.ecr.us-west-2.amazonaws.com/superset-ci:pr-999-abc1234-ci"
    with pytest.raises(ImageMismatchError, match="PR 999"):
        EnvConfig(pr=1234, sha=OLD_FULL, image=other_pr, image_sha=OLD)
    # the program reads its stack config strictly: a record of another commit never deploys
    values = {**to_stack_config(ok), "showtime-iac:imageSha": NEW_FULL}
    with pytest.raises(ImageMismatchError):
        from_stack_config(values)


# --- 2. removing a guarded label needs write access ---------------------------------------------


def test_finding_2_a_triager_removing_freeze_is_refused_and_freeze_restored() -> None:
    payload = P.pull_request(
        "unlabeled", running(), sha=NEW_FULL, label=L.FREEZE, sender="triager", fork=True
    )
    plan = plan_as("triage", payload)
    assert plan.stacks == ()
    assert plan.intent == "refuse"
    assert plan.add_labels == (L.FREEZE,)
    assert plan.comment is not None and "@triager" in plan.comment


def test_finding_2_a_triager_removing_testenv_up_destroys_nothing() -> None:
    payload = P.pull_request("unlabeled", running(), sha=OLD_FULL, label=L.LEGACY, sender="t")
    plan = plan_as("triage", payload)
    assert plan.stacks == ()
    assert plan.add_labels == (L.LEGACY,)


def test_finding_2_a_triager_removing_blocked_is_refused() -> None:
    payload = P.pull_request("unlabeled", running(), sha=NEW_FULL, label=L.BLOCKED, sender="t")
    event, _ = event_of(payload)
    assert needs_permission(event)
    plan = plan_as("triage", payload)
    assert plan.stacks == () and plan.add_labels == (L.BLOCKED,)


def test_finding_2_a_triager_adding_blocked_is_refused() -> None:
    payload = P.pull_request("labeled", [*running(), L.BLOCKED], label=L.BLOCKED, sender="t")
    event, _ = event_of(payload)
    assert needs_permission(event)
    plan = plan_as("triage", payload)
    assert plan.intent == "refuse" and plan.remove_labels == (L.BLOCKED,)


def test_finding_2_a_writer_removing_freeze_still_catches_up() -> None:
    payload = P.pull_request("unlabeled", running(), sha=NEW_FULL, label=L.FREEZE)
    plan = plan_as("write", payload)
    assert ups(plan) == [("pr-1234-def5678", "def5678")]


# --- 3. the start trigger is tied to the commit it was requested for -----------------------------


def test_finding_3_a_leftover_start_label_is_consumed_by_a_push_not_deployed() -> None:
    # the start's own run failed before it consumed the label; the fork then pushes NEW
    payload = P.pull_request(
        "synchronize", ["dashboard", L.START], sha=NEW_FULL, fork=True, sender="contributor"
    )
    plan = plan_as(None, payload)
    assert plan.stacks == ()
    assert plan.remove_labels == (L.START,)
    assert plan.comment is not None and L.START in plan.comment


def test_finding_3_a_leftover_start_label_does_not_roll_a_fork_forward() -> None:
    payload = P.pull_request(
        "synchronize", [*running(), L.START], sha=NEW_FULL, fork=True, sender="contributor"
    )
    plan = plan_as(None, payload)
    assert plan.stacks == () and L.START in plan.remove_labels


@pytest.mark.parametrize("action", ["edited", "reopened", "unlabeled", "labeled"])
def test_finding_3_a_start_label_starts_only_in_its_own_run(action: str) -> None:
    label = "dashboard" if action in ("labeled", "unlabeled") else None
    payload = P.pull_request(action, [L.START], sha=NEW_FULL, label=label, sender="contributor")
    assert plan_as("read", payload).stacks == ()


def test_finding_3_a_start_deploys_the_sha_it_was_requested_for() -> None:
    event, pr = event_of(P.pull_request("labeled", [L.START], sha=OLD_FULL, label=L.START))
    # the PR as re-read later: a newer head was pushed since the label was added
    moved = replace(pr, head_sha=NEW_FULL)
    plan = decide(replace(event, actor_permission="write"), moved, NOW)
    assert ups(plan) == [("pr-1234-abc1234", OLD)]


def test_finding_3_the_legacy_label_does_not_start_on_a_readers_reopen() -> None:
    payload = P.pull_request("reopened", [L.LEGACY], sender="contributor")
    event, _ = event_of(payload)
    assert needs_permission(event)
    assert plan_as("read", payload).stacks == ()
    assert plan_as("write", payload).stacks != ()


def test_finding_3_the_legacy_label_does_not_start_on_a_fork_push() -> None:
    payload = P.pull_request(
        "synchronize", [L.LEGACY], sha=NEW_FULL, fork=True, sender="contributor"
    )
    assert plan_as(None, payload).stacks == ()


# --- low ------------------------------------------------------------------------------------------


def test_finding_low_a_variation_selector_never_makes_the_active_pointer_a_building_one() -> None:
    assert L.parse_label("🎪 🎯\ufe0f abc1234") == L.Pointer("active", "abc1234")
    assert L.parse_label("🎪 🏗 abc1234") == L.Pointer("building", "abc1234")
    st = L.parse_state(["🎪 🎯\ufe0f abc1234", "🎪 abc1234 🚦 running"])
    assert st.active_sha == "abc1234" and st.building_sha is None


@pytest.mark.parametrize(
    ("ttls", "safest"),
    [(["10000w", "24h"], "24h"), (["manual", "48h"], "48h"), (["manual", "close"], "close")],
)
def test_finding_low_conflicting_ttls_resolve_to_the_shortest_and_are_reported(
    ttls: list[str], safest: str
) -> None:
    labels = ["🎪 🎯 abc1234", "🎪 abc1234 🚦 running", *(f"🎪 abc1234 ⌛ {t}" for t in ttls)]
    st = L.parse_state(labels)
    assert st.shows["abc1234"].ttl == Ttl(safest)
    assert any("conflicting ttl" in w and safest in w for w in st.warnings)


def test_finding_low_conflicting_created_labels_resolve_to_the_earliest() -> None:
    labels = ["🎪 abc1234 📅 2026-01-15T10-00", "🎪 abc1234 📅 2020-01-01T00-00"]
    st = L.parse_state([*labels, "🎪 🎯 abc1234"])
    created = st.shows["abc1234"].created
    assert created is not None and created.year == 2020
    assert st.warnings


@pytest.mark.parametrize(
    "body",
    [
        "<!--\n/showtime destroy\n-->",
        "thanks! <!-- hidden\n/circus destroy -->",
        "see `\n/showtime destroy\n` above",
        "````\n```\n/showtime destroy\n````",
        "~~~\n/showtime destroy\n~~~",
        "<!-- unterminated\n/showtime destroy",
    ],
)
def test_finding_low_a_command_in_an_html_comment_or_code_is_not_executed(body: str) -> None:
    assert parse_comment(body) is None
    event, pr = event_of(P.issue_comment(body, running()), "issue_comment")
    assert decide(replace(event, actor_permission="admin"), pr, NOW).stacks == ()


def test_finding_low_commands_outside_comments_and_code_still_work() -> None:
    body = "<!-- note -->\n`code`\n```\nx\n```\n/showtime destroy"
    cmd = parse_comment(body)
    assert cmd is not None and not isinstance(cmd, CommandError) and cmd.name == "destroy"


@pytest.mark.parametrize(
    "body",
    [
        "/showtime [click](https://evil.example)",
        "/showtime @apache/committers",
        "/showtime a`@team`b",
        "/showtime enable A@x[y](https://e.example)",
        "/showtime enable A`@team",
        "/showtime size <img src=x>",
        "/showtime extend **@bob**",
    ],
)
def test_finding_low_a_bad_command_is_echoed_only_short_and_sanitized_in_a_code_span(
    body: str,
) -> None:
    event, pr = event_of(P.issue_comment(body, running()), "issue_comment")
    plan = decide(event, pr, NOW)
    assert plan.intent == "reply" and plan.comment is not None
    first = plan.comment.split("\n", 1)[0]
    for bad in ("@", "](", "<", "*", "//"):
        assert bad not in first, first
    parts = first.split("`")
    assert len(parts) % 2 == 1  # every code span is closed: nothing breaks out of one
    assert all(len(s) <= 40 for s in parts[1::2])
    outside = "".join(parts[0::2])
    for theirs in ("click", "evil", "apache", "team", "bob", "img"):
        assert theirs not in outside, first


def test_finding_low_a_status_reply_carries_no_sticky_marker() -> None:
    event, pr = event_of(P.issue_comment("/showtime status", running()), "issue_comment")
    plan = decide(event, pr, NOW)
    assert plan.comment is not None and "abc1234" in plan.comment
    assert MARKER not in plan.comment and "showtime-iac:history" not in plan.comment


# --- 8. a label write that failed half-way is reconciled by the next run --------------------------


def test_finding_8_after_a_half_done_label_write_the_newest_running_environment_is_active() -> None:
    # additions go first: the new 🎯 landed, the old one's removal did not
    labels = [
        *running(OLD, created="2026-01-15T10-00"),
        *(n.replace(OLD, "def5678") for n in running(OLD, created="2026-01-15T14-00")),
    ]
    st = L.parse_state(labels)
    assert st.active_sha == "def5678"
    assert any("several active pointers" in w for w in st.warnings)
    # the next deploy rolls forward from it and retires both older stacks
    plan = plan_as(
        "write", P.pull_request("labeled", [*labels, L.START], sha="f" * 40, label=L.START)
    )
    assert sorted((op.stack, op.when) for op in plan.stacks if op.action == "destroy") == [
        ("pr-1234-abc1234", "now"),
        ("pr-1234-def5678", "after_healthy"),
    ]
