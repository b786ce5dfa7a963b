"""Contracts the docs state that no test pinned down (issue 29): each test here was written
against the contract and checked by changing the behaviour and watching it fail.

Pure: the rules and the planner over label lists, with the expected values written out.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from showtime_iac.core import labels as L
from showtime_iac.core.lifetimes import deadlines, goes_to_sleep
from showtime_iac.core.model import Event, InputError, Policy, PrInfo, Status, Ttl
from showtime_iac.core.planner import Plan, decide
from showtime_iac.core.rules.trust import authorized, needs_permission

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SHA = "abc1234"
HEAD = SHA + "0" * 33


def stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H-%M")


def running(age: timedelta, ttl: str = "24h", *extra: str) -> list[str]:
    return [
        f"🎪 🎯 {SHA}",
        f"🎪 {SHA} 🚦 running",
        f"🎪 {SHA} 📅 {stamp(NOW - age)}",
        f"🎪 {SHA} ⌛ {ttl}",
        f"🎪 {SHA} 👤 alice",
        *extra,
    ]


def pr(labels: list[str], state: str = "open") -> PrInfo:
    return PrInfo(1234, state, HEAD, labels, "author")


def schedule(labels: list[str], now: datetime = NOW, policy: Policy | None = None) -> Plan:
    return decide(Event(name="schedule", actor="showtime-cleanup"), pr(labels), now, policy)


def comment(body: str, *, association: str | None, permission: str | None) -> Event:
    return Event(
        name="issue_comment",
        action="created",
        actor="someone",
        comment=body,
        actor_association=association,
        actor_permission=permission,
    )


# -- the permission wins over the author association ------------------------------------------


@pytest.mark.parametrize("association", ["OWNER", "MEMBER", "COLLABORATOR"])
@pytest.mark.parametrize("permission", ["read", "triage", "none"])
def test_a_trusted_association_without_write_permission_is_not_a_writer(
    association: str, permission: str
) -> None:
    ev = comment("/showtime destroy", association=association, permission=permission)
    assert authorized(ev, Policy()) is False
    plan = decide(ev, pr(running(timedelta(hours=1))), NOW)
    assert plan.stacks == () and plan.intent == "reply"
    assert plan.remove_labels == () and plan.add_labels == ()
    assert plan.reasons == ("refused /showtime destroy: @someone has no verified write access",)


@pytest.mark.parametrize("permission", ["write", "maintain", "admin"])
@pytest.mark.parametrize("association", ["NONE", "CONTRIBUTOR", "FIRST_TIME_CONTRIBUTOR", None])
def test_a_writer_with_no_trusted_association_is_a_writer(
    association: str | None, permission: str
) -> None:
    ev = comment("/showtime destroy", association=association, permission=permission)
    assert authorized(ev, Policy()) is True
    plan = decide(ev, pr(running(timedelta(hours=1))), NOW)
    assert [(op.action, op.stack) for op in plan.stacks] == [("destroy", f"pr-1234-{SHA}")]


def test_extend_by_a_writer_with_no_trusted_association_extends() -> None:
    ev = comment("/showtime extend 48h", association="NONE", permission="write")
    plan = decide(ev, pr(running(timedelta(hours=1))), NOW)
    assert not any("refused" in r for r in plan.reasons)
    assert plan.remove_labels == (f"🎪 {SHA} ⌛ 24h",)
    # 48h from now on an environment one hour old: 49h from 📅; the max age from 📅 + 7d
    assert plan.add_labels == (f"🎪 {SHA} ⌛ idle 49h · max 2026-12-08T08-00",)


def test_the_permission_is_looked_up_even_when_a_trusted_association_is_known() -> None:
    for association in ("OWNER", "MEMBER", "COLLABORATOR", "NONE", None):
        ev = comment("/showtime destroy", association=association, permission=None)
        assert needs_permission(ev) is True, association
    # until it is looked up, the association alone shapes an offline plan
    assert authorized(comment("/x", association="MEMBER", permission=None), Policy()) is True
    assert authorized(comment("/x", association="NONE", permission=None), Policy()) is None
    # once looked up, nothing more to look up, and the permission decides
    looked_up = comment("/showtime destroy", association="MEMBER", permission="read")
    assert needs_permission(looked_up) is False
    assert authorized(looked_up, Policy()) is False


# -- 🔒 stops the scheduled cleanup too ----------------------------------------------------------


@pytest.mark.parametrize("idle_action", ["destroy", "sleep"])
def test_the_cleanup_leaves_a_blocked_pr_alone(idle_action: str) -> None:
    policy = Policy(idle_action=idle_action)  # type: ignore[arg-type]
    cases = {
        "due a warning": running(timedelta(hours=23)),
        "warned and due": running(
            timedelta(hours=30), "24h", f"🎪 {SHA} ⚠️ {stamp(NOW - timedelta(minutes=5))}"
        ),
        "past its max age": running(timedelta(days=9), "manual"),
    }
    for what, labels in cases.items():
        assert schedule(labels, policy=policy).intent != "none", what  # unblocked: acts
        plan = schedule([*labels, L.BLOCKED], policy=policy)
        assert plan.intent == "none", what
        assert (plan.add_labels, plan.remove_labels, plan.stacks, plan.comment) == (
            (),
            (),
            (),
            None,
        ), what
        assert plan.skipped == "🔒 showtime-blocked: maintenance mode, no operation on this PR"


# -- a max age is hard ---------------------------------------------------------------------------


def _sleepy() -> Policy:
    return Policy(idle_action="sleep")


def test_an_idle_environment_whose_sleep_time_is_its_max_age_is_torn_down() -> None:
    """Idle since 166h with a 166h TTL (idle deadline: now), the max age (📅 + 7d) two hours
    later: the promised two hours' notice puts the sleep exactly at the max age, so it is
    announced and carried out as a teardown."""
    labels = running(timedelta(hours=166), "idle 166h · max 2026-12-01T11-00")
    plan = schedule(labels, NOW, _sleepy())
    assert plan.intent == "warn"
    assert plan.add_labels == (f"🎪 {SHA} ⚠️ 2026-12-01T11-00",)
    assert plan.comment is not None and "will be torn down at 2026-12-01 11:00 UTC" in plan.comment
    at = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)
    end = schedule([*labels, *plan.add_labels], at, _sleepy())
    assert [(op.action, op.stack) for op in end.stacks] == [("destroy", f"pr-1234-{SHA}")]
    # an hour more of max age: the same warning is a sleep, and so is its end
    longer = Policy(idle_action="sleep", max_age=timedelta(days=7, hours=1))
    later = running(timedelta(hours=166), "idle 166h · max 2026-12-01T12-00")
    plan = schedule(later, NOW, longer)
    assert (
        plan.comment is not None
        and "will be put to sleep (scaled to zero: the URL stays) at 2026-12-01 11:00 UTC"
        in (plan.comment)
    )
    end = schedule([*later, *plan.add_labels], at, longer)
    assert end.intent == "sleep" and [op.action for op in end.stacks] == ["up"]


def test_sleep_exactly_at_the_max_age_is_a_teardown_a_minute_before_a_sleep() -> None:
    show = L.parse_state(running(timedelta(hours=23), "idle 24h · max 2026-12-01T12-00"), NOW)
    show_ = show.shows[SHA]
    dl = deadlines(show_, NOW, Policy())
    assert dl.idle_at == datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    assert dl.max_at == datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert dl.reason == "idle"
    max_at = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert goes_to_sleep(show_, dl, "sleep", max_at - timedelta(minutes=1)) is True
    assert goes_to_sleep(show_, dl, "sleep", max_at) is False
    assert goes_to_sleep(show_, dl, "sleep", max_at + timedelta(minutes=1)) is False
    assert goes_to_sleep(show_, dl, "destroy", max_at - timedelta(minutes=1)) is False


@pytest.mark.parametrize(
    "value",
    [
        "pinned · max nevr",
        "pinned · max Never",
        "idle 24h · max tomorrow",
        "idle 24h · max 2026-13-01",
        "pinned · max ",
    ],
)
def test_an_unparseable_max_age_fails_closed(value: str) -> None:
    """``⌛ … · max <text>`` that does not parse is not a lifted max age: the label is
    ignored (reported) and the policy's max age from 📅 still ends the environment."""
    assert L.parse_lifetime(value) is None
    st = L.parse_state(running(timedelta(days=8), value), NOW)
    show = st.shows[SHA]
    assert show.max_lifted is False
    dl = deadlines(show, NOW, Policy())
    assert dl.max_at == NOW - timedelta(days=1)
    assert dl.expired(NOW)
    assert schedule(running(timedelta(days=8), value)).intent == "warn"
    # the same label with the max age really lifted never ends
    lifted = running(timedelta(days=8), "pinned · max never")
    assert schedule(lifted).intent == "none"


def test_a_recorded_max_age_is_kept_without_a_created_label() -> None:
    labels = [n for n in running(timedelta(hours=1)) if "📅" not in n and "⌛" not in n]
    labels.append(f"🎪 {SHA} ⌛ idle 24h · max 2026-12-01T08-00")
    show = L.parse_state(labels, NOW).shows[SHA]
    assert show.created is None
    dl = deadlines(show, NOW, Policy())
    assert dl == type(dl)(None, datetime(2026, 12, 1, 8, 0, tzinfo=UTC))
    assert dl.expired(NOW) and dl.reason == "max age"
    plan = schedule(labels)
    assert plan.intent == "warn" and plan.add_labels == (f"🎪 {SHA} ⚠️ 2026-12-01T11-00",)
    # lifted: nothing to count from, nothing ends it
    labels[-1] = f"🎪 {SHA} ⌛ pinned · max never"
    show = L.parse_state(labels, NOW).shows[SHA]
    assert deadlines(show, NOW, Policy()).end is None


def test_a_sleeping_environment_has_only_its_max_age() -> None:
    labels = [
        n.replace("🚦 running", "🚦 sleeping")
        for n in running(timedelta(days=2), "idle 24h · max 2026-12-05T09-00")
    ]
    show = L.parse_state(labels, NOW).shows[SHA]
    assert show.status is Status.SLEEPING
    dl = deadlines(show, NOW, Policy())
    assert (dl.idle_at, dl.max_at) == (None, datetime(2026, 12, 5, 9, 0, tzinfo=UTC))


# -- Policy.clamp_ttl -----------------------------------------------------------------------------


def test_clamp_ttl_refuses_only_a_ttl_above_the_policy_maximum() -> None:
    policy = Policy(max_ttl=Ttl("48h"))
    assert policy.clamp_ttl(Ttl("48h")) == Ttl("48h")
    assert policy.clamp_ttl(Ttl("2d")) == Ttl("2d")
    assert policy.clamp_ttl(Ttl("1h")) == Ttl("1h")
    assert policy.clamp_ttl(Ttl("close")) == Ttl("close")
    assert policy.clamp_ttl(Ttl("manual")) == Ttl("manual")
    with pytest.raises(InputError) as e:
        policy.clamp_ttl(Ttl("49h"))
    assert str(e.value) == (
        "TTL 49h is above the policy's max_ttl of 48h: give at most 48h, or close or manual"
    )
    with pytest.raises(InputError):
        policy.clamp_ttl(Ttl("3d"))
    # a policy without a maximum duration refuses nothing
    assert Policy(max_ttl=Ttl("manual")).clamp_ttl(Ttl("999w")) == Ttl("999w")


# -- survivors of the mutation run (issue 29): plans written out in full -------------------------


def test_a_start_left_on_the_pr_when_a_push_arrives_is_consumed_and_nothing_deployed() -> None:
    new = "def5678" + "0" * 33
    labels = [*running(timedelta(hours=1)), L.START, f"🎪 {SHA} ⌛ 48h"]  # two ⌛: warned
    push = Event(name="pull_request", action="synchronize", actor="author", sha=new)
    # the PR read later has moved on again: the push's own commit is the one named
    plan = decide(push, PrInfo(1234, "open", "9" * 40, labels, "author"), NOW)
    assert (plan.pr, plan.intent, plan.stacks, plan.add_labels) == (1234, "refuse", (), ())
    assert plan.warnings and plan.warnings == L.parse_state(labels, NOW).warnings
    assert plan.remove_labels == (L.START,)
    assert plan.sha == "def5678"
    assert plan.reasons == (
        f"{L.START} was asked for an earlier commit than def5678: consumed, nothing deployed",
    )
    assert plan.comment == (
        "🎪 **Start request withdrawn**\n\n"
        f"- `{L.START}` was added for an earlier commit and was not carried out; "
        "a maintainer can add it again to deploy `def5678`."
    )


def test_the_sleep_plan_in_full() -> None:
    warned = f"🎪 {SHA} ⚠️ {stamp(NOW - timedelta(minutes=1))}"
    labels = running(timedelta(hours=26), "idle 24h · max 2026-12-06T07-00", warned)
    plan = schedule(labels, NOW, _sleepy())
    assert (plan.pr, plan.intent, plan.sha, plan.warnings) == (1234, "sleep", SHA, ())
    assert sorted(plan.remove_labels) == sorted([f"🎪 {SHA} 🚦 running", warned])
    assert plan.add_labels == (f"🎪 {SHA} 🚦 sleeping",)
    [op] = plan.stacks
    assert (op.action, op.stack, op.sha, op.reuse_image) == ("up", f"pr-1234-{SHA}", SHA, True)
    assert op.config is not None and op.config.sleeping is True
    assert plan.reasons == (
        "idle TTL 24h expired: asleep",
        f"up pr-1234-{SHA} with desired count 0 (its image kept)",
    )
    assert plan.comment == (
        "🎪 **Environment asleep**\n\n"
        f"- `{SHA}` is scaled to zero: idle TTL 24h expired\n"
        "- the stack, its URL and its labels stay; nothing runs, nothing is billed but its image\n"
        "- comment `/showtime wake` or push a commit to bring it back"
    )


def test_only_a_new_comment_with_a_changing_command_needs_the_permission() -> None:
    def ev(body: str, action: str = "created", name: str = "issue_comment") -> Event:
        return Event(name=name, action=action, actor="someone", comment=body)

    assert needs_permission(ev("/showtime destroy")) is True
    assert needs_permission(ev("/showtime extend 48h")) is True
    # read-only commands are answered to anyone: no lookup
    assert needs_permission(ev("/showtime status")) is False
    assert needs_permission(ev("/showtime help")) is False
    assert needs_permission(ev("LGTM")) is False
    # an edited or deleted comment is never acted on, so nothing to look up
    assert needs_permission(ev("/showtime destroy", action="edited")) is False
    assert needs_permission(ev("/showtime destroy", action="deleted")) is False
    # a pull_request event "created" is no comment
    assert needs_permission(ev("/showtime destroy", name="pull_request")) is False


def test_a_lifted_max_age_has_no_deadline_whatever_date_is_also_recorded() -> None:
    """A lifted max age (``max never``, an admin's pin) wins over a recorded date: with or
    without a 📅, no max-age deadline."""
    from showtime_iac.core.model import Show

    recorded = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    for created in (None, NOW - timedelta(days=30)):
        show = Show(
            SHA,
            Status.RUNNING,
            created=created,
            ttl=Ttl("manual"),
            max_at=recorded,
            max_lifted=True,
        )
        dl = deadlines(show, NOW, Policy())
        assert (dl.idle_at, dl.max_at, dl.end) == (None, None, None), created


@pytest.mark.parametrize(
    ("name", "action"),
    [
        ("pull_request", "labeled"),  # an addition is refuse_label's, never put back
        ("issue_comment", "unlabeled"),
        ("pull_request", "synchronize"),
    ],
)
def test_only_a_prs_label_removal_is_put_back(name: str, action: str) -> None:
    from showtime_iac.core.plan import Ctx
    from showtime_iac.core.rules.trust import restore_label

    labels = running(timedelta(hours=1))
    ev = Event(name=name, action=action, actor="reader", label=L.FREEZE, actor_permission="read")
    ctx = Ctx(ev, pr(labels), L.parse_state(labels, NOW), NOW, Policy(), None)
    assert restore_label(ctx) is None
    removal = Event(
        name="pull_request",
        action="unlabeled",
        actor="reader",
        label=L.FREEZE,
        actor_permission="read",
    )
    ctx = Ctx(removal, pr(labels), L.parse_state(labels, NOW), NOW, Policy(), None)
    put_back = restore_label(ctx)
    assert put_back is not None and put_back.add_labels == (L.FREEZE,)
    assert (put_back.pr, put_back.intent, put_back.stacks) == (1234, "refuse", ())
    assert put_back.comment == (
        "🎪 **Label put back**\n\n- @reader, only maintainers (write access) can remove "
        "`🎪 🧊 showtime-freeze`; it is back on the PR and nothing changed."
    )
    assert put_back.reasons == (f"refused the removal of {L.FREEZE}: @reader lacks write access",)
    # already back on the PR (a re-run): nothing to add, still refused; the label warnings kept
    again = [*labels, L.FREEZE, f"🎪 {SHA} ⌛ 48h"]  # two ⌛: a conflict the state warns about
    st = L.parse_state(again, NOW)
    assert st.warnings
    ctx = Ctx(removal, pr(again), st, NOW, Policy(), None)
    put_back = restore_label(ctx)
    assert put_back is not None and put_back.add_labels == () and put_back.intent == "refuse"
    assert put_back.warnings == st.warnings
    # not looked up yet (an offline plan): the policy's associations decide, a member is trusted
    offline = Event(
        name="pull_request",
        action="unlabeled",
        actor="m",
        label=L.FREEZE,
        actor_association="MEMBER",
    )
    ctx = Ctx(offline, pr(labels), L.parse_state(labels, NOW), NOW, Policy(), None)
    assert restore_label(ctx) is None


def test_a_guarded_label_added_without_write_access_is_removed_in_full() -> None:
    labels = running(timedelta(hours=1))
    add = Event(
        name="pull_request",
        action="labeled",
        actor="reader",
        label=L.FREEZE,
        actor_permission="read",
    )
    plan = decide(add, pr([*labels, L.FREEZE]), NOW)
    assert (plan.pr, plan.intent, plan.stacks, plan.add_labels) == (1234, "refuse", (), ())
    assert plan.remove_labels == (L.FREEZE,)
    assert plan.reasons == (
        "refused 🎪 🧊 showtime-freeze: @reader lacks write access to the repository",
    )
    assert plan.comment == (
        "🎪 **Label removed**\n\n- @reader, thanks! Only maintainers (write access) can use "
        "`🎪 🧊 showtime-freeze`; please ask one to add it for you."
    )
    # gone already (someone removed it meanwhile): nothing left to remove, still refused
    plan = decide(add, pr(labels), NOW)
    assert plan.intent == "refuse" and plan.remove_labels == () and plan.stacks == ()
    # not looked up yet (an offline plan): a member's label is not refused
    offline = Event(
        name="pull_request", action="labeled", actor="m", label=L.FREEZE, actor_association="MEMBER"
    )
    assert decide(offline, pr([*labels, L.FREEZE]), NOW).intent != "refuse"
    # the label state's warnings travel with the refusal
    conflicting = [*labels, L.FREEZE, f"🎪 {SHA} ⌛ 48h"]
    warned = L.parse_state(conflicting, NOW).warnings
    assert warned and decide(add, pr(conflicting), NOW).warnings == warned


def test_the_sleep_plan_carries_the_label_states_warnings() -> None:
    warned = f"🎪 {SHA} ⚠️ {stamp(NOW - timedelta(minutes=1))}"
    labels = [*running(timedelta(hours=26), "24h", warned), f"🎪 {SHA} ⌛ 48h"]  # two ⌛
    st = L.parse_state(labels, NOW)
    assert st.warnings
    plan = schedule(labels, NOW, _sleepy())
    assert plan.intent == "sleep" and plan.warnings == st.warnings
