"""Planner tables for comment commands, configuration labels, permissions and quotas."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from showtime_iac.core import labels as L
from showtime_iac.core.events import parse_event
from showtime_iac.core.model import Event, Policy, PrInfo
from showtime_iac.core.planner import Fleet, Plan, decide, needs_permission
from tests import payloads as P
from tests.core.test_planner import NEW_FULL, NOW, running


def comment(body: str, labels: list[str], association: str = "MEMBER", **kw: Any) -> Plan:
    event, pr = parse_event(P.issue_comment(body, labels, association=association), "issue_comment")
    assert pr is not None
    if "head" in kw:
        pr = PrInfo(pr.number, pr.state, kw.pop("head"), pr.labels, pr.author)
    return decide(event, pr, NOW, **kw)


# --- comments ------------------------------------------------------------------------------------


def test_status_is_for_everyone_and_changes_nothing() -> None:
    plan = comment("/showtime status", running(), association="NONE")
    assert (
        plan.intent == "reply"
        and plan.stacks == ()
        and not plan.add_labels
        and not plan.remove_labels
    )
    assert (
        plan.comment is not None
        and "abc1234" in plan.comment
        and "http://52.1.2.3:8080" in plan.comment
    )


def test_unknown_command_gets_help_and_nothing_else() -> None:
    plan = comment("/circus dance", running())
    assert plan.intent == "reply" and plan.stacks == () and not plan.remove_labels
    assert (
        plan.comment is not None
        and "unknown command" in plan.comment
        and "/showtime extend 48h" in plan.comment
    )


@pytest.mark.parametrize("association", ["NONE", "CONTRIBUTOR", "FIRST_TIME_CONTRIBUTOR"])
def test_outsiders_cannot_destroy(association: str) -> None:
    event, pr = parse_event(
        P.issue_comment("/circus destroy", running(), association=association), "issue_comment"
    )
    assert pr is not None
    event = Event(**{**event.__dict__, "actor_permission": "read"})
    plan = decide(event, pr, NOW)
    assert plan.stacks == () and plan.intent == "reply"
    assert plan.comment is not None and "only maintainers" in plan.comment


def test_contributor_with_write_permission_may_act() -> None:
    event, pr = parse_event(
        P.issue_comment("/circus destroy", running(), association="CONTRIBUTOR"), "issue_comment"
    )
    assert pr is not None
    assert needs_permission(event)
    event = Event(**{**event.__dict__, "actor_permission": "write"})
    assert [op.action for op in decide(event, pr, NOW).stacks] == ["destroy"]


def test_destroy_by_a_member() -> None:
    plan = comment("/showtime destroy", running())
    assert [(op.action, op.stack) for op in plan.stacks] == [("destroy", "pr-1234-abc1234")]
    assert set(plan.remove_labels) == set(running())


def test_edited_comments_are_ignored() -> None:
    event, pr = parse_event(P.issue_comment("/showtime destroy", running()), "issue_comment")
    assert pr is not None
    plan = decide(Event(**{**event.__dict__, "action": "edited"}), pr, NOW)
    assert plan.skipped is not None and plan.stacks == ()


def test_refresh_rolls_forward_even_when_frozen() -> None:
    plan = comment("/showtime refresh", [*running(), L.FREEZE], head=NEW_FULL)
    assert [(op.action, op.stack, op.when) for op in plan.stacks] == [
        ("up", "pr-1234-def5678", "now"),
        ("destroy", "pr-1234-abc1234", "after_healthy"),
    ]


def test_refresh_of_a_named_commit_deploys_that_commit() -> None:
    plan = comment(f"/showtime refresh {NEW_FULL[:9]}", running(), head=NEW_FULL)
    assert [op.stack for op in plan.stacks if op.action == "up"] == ["pr-1234-def5678"]


def test_refresh_never_deploys_another_commit_than_the_named_one() -> None:
    # the run is about NEW_FULL (the head, or what the workflow resolved): the writer named
    # another commit, so nothing is deployed under their name
    plan = comment("/showtime refresh 0123abc", running(), head=NEW_FULL)
    assert plan.stacks == () and plan.comment is not None and "`0123abc`" in plan.comment


def test_refresh_without_head_sha_waits_for_the_api() -> None:
    plan = comment("/showtime refresh", running())
    assert plan.stacks == () and plan.skipped is not None and "head SHA" in plan.skipped


def test_extend_sets_the_lifetime_from_now() -> None:
    plan = comment("/showtime extend 48h", running(created="2026-01-15T10-00"))
    # created 10:00, now 14:30, +48h → 52.5h → 53h from creation; the max age (7d from the
    # 📅 of a label that had none) is written down and stays
    assert plan.add_labels == ("🎪 abc1234 ⌛ idle 53h · max 2026-01-22T10-00",)
    assert plan.remove_labels == ("🎪 abc1234 ⌛ 24h",)
    assert plan.stacks == ()


def test_extend_replaces_a_pr_level_ttl_of_the_original() -> None:
    labels = [
        "🎪 abc1234 🚦 running",
        "🎪 🎯 abc1234",
        "🎪 abc1234 📅 2026-01-15T14-00",
        "🎪 ⌛ 1w",
    ]
    plan = comment("/showtime extend 24h", labels)
    assert plan.remove_labels == ("🎪 ⌛ 1w",)
    assert plan.add_labels == ("🎪 abc1234 ⌛ idle 25h · max 2026-01-22T14-00",)


def test_extend_above_the_maximum_is_refused() -> None:
    plan = comment("/showtime extend 8d", running())
    assert plan.add_labels == () and plan.remove_labels == ()
    assert plan.comment is not None and "maximum" in plan.comment


def test_keep_alive() -> None:
    plan = comment("/circus keep-alive", running())
    # the pin lifts the idle TTL, never the max age (the actor is no admin)
    assert plan.add_labels == ("🎪 abc1234 ⌛ pinned · max 2026-01-22T10-00",)


def test_commands_without_environment_explain_how_to_start() -> None:
    plan = comment("/showtime extend 24h", [])
    assert (
        plan.stacks == () and plan.comment is not None and "showtime-trigger-start" in plan.comment
    )


@pytest.mark.parametrize(
    ("body", "config"),
    [
        ("/showtime enable ALERTS", "ALERTS"),
        ("/showtime disable ALERTS", "-ALERTS"),
        ("/showtime size large", "large"),
        ("/showtime debug on", "debug"),
    ],
)
def test_configuration_commands_redeploy_the_same_sha(body: str, config: str) -> None:
    plan = comment(body, running())
    assert plan.intent == "reconfigure"
    assert [(op.action, op.stack) for op in plan.stacks] == [("up", "pr-1234-abc1234")]
    assert f"🎪 abc1234 ⚙️ {config}" in plan.add_labels
    assert "🎪 abc1234 🚦 configuring" in plan.add_labels
    assert "🎪 abc1234 🚦 running" in plan.remove_labels


# --- configuration labels and the PR body -----------------------------------------------------------


def test_config_labels_are_consumed_and_applied_together() -> None:
    labels = [
        *running(),
        "🎪 abc1234 ⚙️ ALERTS",
        "🎪 conf-size-large",
        "🎪 conf-disable-ALERTS",
        "🎪 conf-cache-redis",
    ]
    event, pr = parse_event(
        P.pull_request("labeled", labels, sha="abc1234" + "0" * 33, label="🎪 conf-size-large"),
        "pull_request",
    )
    assert pr is not None
    plan = decide(event, pr, NOW)
    assert plan.intent == "reconfigure"
    assert {
        "🎪 conf-size-large",
        "🎪 conf-disable-ALERTS",
        "🎪 conf-cache-redis",
        "🎪 abc1234 ⚙️ ALERTS",
    } <= set(plan.remove_labels)
    assert "🎪 abc1234 ⚙️ large,redis,-ALERTS" in plan.add_labels
    cfg = plan.stacks[0].config
    assert (
        cfg is not None
        and cfg.size == "large"
        and cfg.cache_redis
        and cfg.flags == (("ALERTS", False),)
    )


def test_config_label_without_environment_is_consumed_with_a_reply() -> None:
    event, pr = parse_event(
        P.pull_request("labeled", ["🎪 conf-debug-on"], label="🎪 conf-debug-on"), "pull_request"
    )
    assert pr is not None
    plan = decide(event, pr, NOW)
    assert plan.remove_labels == ("🎪 conf-debug-on",) and plan.stacks == ()
    assert plan.comment is not None and "running environment" in plan.comment


def test_editing_the_description_reconciles_flags() -> None:
    body = "FEATURE_ALERTS=true\nFEATURE_TAGGING_SYSTEM=false"
    event, pr = parse_event(
        P.pull_request("edited", running(), sha="abc1234" + "0" * 33, body=body), "pull_request"
    )
    assert pr is not None
    plan = decide(event, pr, NOW)
    assert "🎪 abc1234 ⚙️ ALERTS,-TAGGING_SYSTEM" in plan.add_labels
    # editing again with the same flags does nothing
    after = L.apply_diff(pr.labels, plan.label_diff)
    after = [n.replace("configuring", "running") for n in after]
    event2, pr2 = parse_event(
        P.pull_request("edited", after, sha="abc1234" + "0" * 33, body=body), "pull_request"
    )
    assert pr2 is not None
    assert decide(event2, pr2, NOW).stacks == ()


# --- label permissions and quotas -----------------------------------------------------------------------


def test_start_label_from_a_non_maintainer_is_removed_politely() -> None:
    event, pr = parse_event(
        P.pull_request("labeled", [L.START], label=L.START, sender="drive-by"), "pull_request"
    )
    assert pr is not None
    plan = decide(Event(**{**event.__dict__, "actor_permission": "triage"}), pr, NOW)
    assert plan.intent == "refuse" and plan.stacks == ()
    assert plan.remove_labels == (L.START,)
    assert plan.comment is not None and "@drive-by" in plan.comment


def test_start_beyond_the_per_requester_quota_is_refused() -> None:
    event, pr = parse_event(P.pull_request("labeled", [L.START], label=L.START), "pull_request")
    assert pr is not None
    plan = decide(event, pr, NOW, fleet=Fleet(total=10, by_requester=(("maintainer", 3),)))
    assert plan.intent == "refuse" and plan.stacks == () and plan.remove_labels == (L.START,)
    assert plan.comment is not None and "maximum is 3" in plan.comment


def test_start_beyond_the_total_quota_is_queued_not_refused() -> None:
    event, pr = parse_event(P.pull_request("labeled", [L.START], label=L.START), "pull_request")
    assert pr is not None
    plan = decide(event, pr, NOW, Policy(max_environments=5), fleet=Fleet(total=5))
    assert plan.intent == "queue" and plan.stacks == ()
    assert plan.remove_labels == (L.START,)
    assert plan.add_labels == (
        "🎪 abc1234 🚦 queued",
        "🎪 abc1234 📅 2026-01-15T14-30",
        "🎪 abc1234 👤 maintainer",
        "🎪 abc1234 ⚙️ ALERTS",  # the description's configuration, kept for the start
    )
    assert "queued: 1st in line, starts when an environment frees" in (plan.comment or "")
    assert "5 environments are running, the maximum is 5" in (plan.comment or "")


def test_updates_do_not_count_against_the_quota() -> None:
    event, pr = parse_event(P.pull_request("synchronize", running(), sha=NEW_FULL), "pull_request")
    assert pr is not None
    plan = decide(event, pr, NOW, fleet=Fleet(total=999, by_requester=(("alice", 99),)))
    assert plan.intent == "update"


# --- properties ---------------------------------------------------------------------------------------

prefixes = st.sampled_from(
    ["/showtime", "/circus", "/CIRCUS", "> /circus", "```\n/circus", "/сircus"]
)
verbs = st.sampled_from(
    ["destroy", "extend", "keep-alive", "refresh", "enable", "size", "status", "help", "dance"]
)
args = st.sampled_from(
    ["", "99999h", "8d", "7d", "1w", "-1h", "48h", "ALERTS", "large", "pr-1-abc1234", "$(rm -rf /)"]
)
noise = st.sampled_from(["", "thanks!\n", "> quoted\n", "```\ncode\n```\n"])
bodies = st.builds(lambda n, p, v, a: f"{n}{p} {v} {a}".rstrip(), noise, prefixes, verbs, args)


@given(bodies, st.integers(1, 5000), st.sampled_from(["MEMBER", "NONE", "OWNER", "CONTRIBUTOR"]))
@settings(max_examples=400)
def test_no_comment_touches_another_pr_or_exceeds_the_max_ttl(
    body: str, number: int, association: str
) -> None:
    labels = tuple(running())
    event = Event(
        name="issue_comment",
        action="created",
        actor="x",
        comment=body,
        actor_association=association,
    )
    pr = PrInfo(number=number, state="open", head_sha=NEW_FULL, labels=labels)
    policy = Policy()
    plan = decide(event, pr, NOW, policy, known_stacks=["pr-1-abc1234", "pr-99999-abc1234"])
    assert all(op.stack.startswith(f"pr-{number}-") for op in plan.stacks)
    max_end = NOW + timedelta(
        days=7, hours=1
    )  # the policy maximum from now, rounded up to the hour
    for name in plan.add_labels:
        v = L.parse_label(name)
        if isinstance(v, L.Attr) and v.kind == "ttl":
            lifetime = L.parse_lifetime(v.value)
            assert lifetime is not None
            end = lifetime[0].expires_at(datetime(2026, 1, 15, 10, 0, tzinfo=UTC))
            assert end is None or end <= max_end
    if association in ("NONE", "CONTRIBUTOR"):  # no verified write access: nothing changes
        assert plan.stacks == () and not plan.add_labels and not plan.remove_labels
