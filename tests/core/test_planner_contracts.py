"""The planner's dispatch (core/planner, docs/lifecycle.md): the contracts the mutation run
(issue 29) found no test pinning down. Each test was checked by making the change and watching
it fail.

Pure: one event and one PR's labels in, the plan out, expected values written out.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from showtime_iac.core import labels as L
from showtime_iac.core.model import Event, PrInfo
from showtime_iac.core.planner import Plan, decide

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SHA = "abc1234"
HEAD = SHA + "0" * 33
NEW = "def5678" + "0" * 33


def stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H-%M")


def running(*extra: str) -> list[str]:
    return [
        f"🎪 🎯 {SHA}",
        f"🎪 {SHA} 🚦 running",
        f"🎪 {SHA} 📅 {stamp(NOW - timedelta(hours=1))}",
        f"🎪 {SHA} ⌛ 24h",
        f"🎪 {SHA} 👤 alice",
        *extra,
    ]


def pr(labels: list[str], head: str = HEAD, *, fork: bool = False, state: str = "open") -> PrInfo:
    return PrInfo(1234, state, head, tuple(labels), "author", is_fork=fork)  # type: ignore[arg-type]


def ev(name: str, action: str | None = None, **kw: object) -> Event:
    return Event(name=name, action=action, actor=str(kw.pop("actor", "maintainer")), **kw)  # type: ignore[arg-type]


def skipped(plan: Plan) -> tuple[str, str | None, tuple[str, ...]]:
    assert plan.pr == 1234
    assert plan.intent == "none" and plan.stacks == ()
    assert (plan.add_labels, plan.remove_labels) == ((), ())
    return plan.skipped or "", plan.sha, plan.reasons


def test_an_event_no_rule_owns_says_what_it_was() -> None:
    plan = decide(ev("pull_request", "assigned"), pr(running()), NOW)
    assert skipped(plan) == (
        "nothing to do for pull_request.assigned",
        SHA,
        ("nothing to do for pull_request.assigned",),
    )
    plan = decide(ev("pull_request", "labeled", label="bug"), pr(running()), NOW)
    assert plan.skipped == "nothing to do for pull_request.labeled (bug)"
    plan = decide(ev("push"), pr(running(), head=""), NOW)
    assert skipped(plan) == ("nothing to do for push", None, ("nothing to do for push",))


def test_the_event_names_the_commit_before_the_prs_head() -> None:
    plan = decide(ev("pull_request", "assigned", sha=NEW), pr(running()), NOW)
    assert plan.sha == "def5678"


def test_a_push_whose_commit_is_unknown_is_skipped_and_said() -> None:
    plan = decide(ev("pull_request", "synchronize"), pr(running(), head=""), NOW)
    assert skipped(plan) == (
        "the PR's head SHA is unknown",
        None,
        ("the PR's head SHA is unknown",),
    )


def test_a_start_whose_commit_is_unknown_is_skipped_and_said() -> None:
    plan = decide(ev("workflow_dispatch", "start"), pr([], head=""), NOW)
    assert skipped(plan)[0] == "the PR's head SHA is unknown (not in the payload)"


def test_a_frozen_environment_is_not_updated_on_push() -> None:
    plan = decide(ev("pull_request", "synchronize", sha=NEW), pr(running(L.FREEZE), NEW), NOW)
    assert skipped(plan) == (
        "🧊 frozen: not updating on push",
        "def5678",
        ("🧊 frozen: not updating on push",),
    )


def test_a_forks_push_deploys_nothing_and_keeps_the_warning() -> None:
    warned = f"🎪 {SHA} ⚠️ {stamp(NOW + timedelta(hours=1))}"
    plan = decide(
        ev("pull_request", "synchronize", sha=NEW), pr(running(warned), NEW, fork=True), NOW
    )
    assert skipped(plan) == (
        "fork PR: new commits deploy only when a maintainer asks (start label or "
        "`/showtime refresh`)",
        "def5678",
        (
            "fork PR: new commits deploy only when a maintainer asks (start label or "
            "`/showtime refresh`)",
        ),
    )


def test_a_push_withdraws_the_teardown_warning() -> None:
    warned = f"🎪 {SHA} ⚠️ {stamp(NOW + timedelta(hours=1))}"
    plan = decide(ev("pull_request", "synchronize", sha=NEW), pr(running(warned), NEW), NOW)
    assert [op.action for op in plan.stacks] == ["up", "destroy"]  # the rolling update
    assert plan.reasons[0] == "new commit def5678"
    assert plan.remove_labels == (warned,)  # the update's own plan drops the old warning
    # frozen: nothing deploys, but the push is still activity
    frozen = decide(
        ev("pull_request", "synchronize", sha=NEW), pr(running(warned, L.FREEZE), NEW), NOW
    )
    assert frozen.remove_labels == (warned,)
    assert frozen.reasons == (
        "🧊 frozen: not updating on push",
        "activity after the teardown warning: warning withdrawn",
    )


def test_a_stop_by_dispatch_names_who_asked() -> None:
    plan = decide(ev("workflow_dispatch", "stop", actor="carol"), pr(running()), NOW)
    assert [(op.action, op.stack) for op in plan.stacks] == [("destroy", f"pr-1234-{SHA}")]
    assert plan.reasons[0] == "stop requested by @carol"
    anonymous = decide(ev("cli", "stop", actor=""), pr(running()), NOW)
    assert anonymous.reasons[0] == "stop requested by @unknown"


def test_removing_the_legacy_label_tears_down_only_what_it_kept() -> None:
    removed = ev("pull_request", "unlabeled", label=L.LEGACY)
    still = decide(removed, pr([*running(), L.LEGACY]), NOW)
    assert skipped(still)[0] == "testenv-up is still on the PR"
    nothing = decide(removed, pr([]), NOW)
    assert skipped(nothing)[0] == "testenv-up removed, and there is no environment"
    gone = decide(removed, pr(running()), NOW)
    assert [op.action for op in gone.stacks] == ["destroy"]
    assert gone.reasons[0] == "testenv-up was removed"
    listed = decide(removed, pr([]), NOW, known_stacks=[f"pr-1234-{SHA}"])
    assert [(op.action, op.stack) for op in listed.stacks] == [("destroy", f"pr-1234-{SHA}")]


@pytest.mark.parametrize(
    ("event", "starts"),
    [
        (ev("workflow_dispatch", "start"), True),
        (ev("cli", "start"), True),
        (ev("workflow_dispatch", "sync"), True),  # the ⚡ label is on
        (ev("pull_request", "labeled", label=L.START), True),
        (ev("pull_request", "labeled", label="bug"), False),
        (ev("pull_request", "synchronize", sha=HEAD), False),  # ⚡ left over: withdrawn
        (ev("schedule"), False),
    ],
)
def test_a_start_label_starts_only_in_its_own_run(event: Event, starts: bool) -> None:
    plan = decide(event, pr([L.START]), NOW)
    assert (any(op.action == "up" for op in plan.stacks)) is starts


def test_a_sync_without_a_start_request_starts_nothing() -> None:
    plan = decide(ev("workflow_dispatch", "sync"), pr([]), NOW)
    assert plan.stacks == ()
    assert plan.skipped == "nothing to do for workflow_dispatch.sync"


@pytest.mark.parametrize(
    ("event", "starts"),
    [
        (ev("pull_request", "labeled", label=L.LEGACY), True),
        (ev("pull_request", "reopened", actor_permission="write"), True),
        (ev("pull_request", "reopened", actor_permission="read"), False),
        (ev("pull_request", "reopened"), True),  # not looked up: the association decides later
        (ev("workflow_dispatch", "sync"), True),
        (ev("pull_request", "synchronize", sha=HEAD), False),
    ],
)
def test_the_legacy_label_asks_for_an_environment_while_there_is_none(
    event: Event, starts: bool
) -> None:
    plan = decide(event, pr([L.LEGACY]), NOW)
    assert (any(op.action == "up" for op in plan.stacks)) is starts
    # with an environment already there, the legacy label starts nothing more
    with_env = decide(event, pr([*running(), L.LEGACY]), NOW)
    assert not any(op.action == "up" and op.stack != f"pr-1234-{SHA}" for op in with_env.stacks)


def test_unfreezing_catches_up_with_the_head() -> None:
    unfrozen = ev("pull_request", "unlabeled", label=L.FREEZE)
    plan = decide(unfrozen, pr(running(), NEW), NOW)
    assert [(op.action, op.sha) for op in plan.stacks][:1] == [("up", "def5678")]
    assert plan.reasons[0] == "unfrozen: catching up"
    # removing another label catches nothing up
    other = decide(ev("pull_request", "unlabeled", label="bug"), pr(running(), NEW), NOW)
    assert other.stacks == ()
    # already at the head, or still frozen (a second 🧊): nothing to catch up
    assert skipped(decide(unfrozen, pr(running()), NOW))[0] == (
        "nothing to do for pull_request.unlabeled (🎪 🧊 showtime-freeze)"
    )
    assert decide(unfrozen, pr(running(L.FREEZE), NEW), NOW).stacks == ()


@pytest.mark.parametrize("action", ["sync", "refresh"])
def test_a_refresh_dispatch_updates_a_live_environment_only(action: str) -> None:
    plan = decide(ev("workflow_dispatch", action), pr(running(), NEW), NOW)
    assert [(op.action, op.sha) for op in plan.stacks][:1] == [("up", "def5678")]
    assert plan.reasons[0] == "refresh requested"
    assert decide(ev("workflow_dispatch", action), pr([], NEW), NOW).stacks == ()


def test_configuration_labels_apply_on_their_event_or_a_dispatch_only() -> None:
    labels = running("🎪 conf-size-large")
    for event in (
        ev("pull_request", "labeled", label="🎪 conf-size-large"),
        ev("workflow_dispatch", "sync"),
    ):
        plan = decide(event, pr(labels), NOW)
        assert "🎪 conf-size-large" in plan.remove_labels, event
        assert plan.reasons == ("configuration label", f"up pr-1234-{SHA} with large")
        assert plan.comment == (
            f"🎪 **Reconfiguring**\n\n- `{SHA}` → `large`\n- reason: configuration label"
        )
    plan = decide(ev("pull_request", "labeled", label="bug"), pr(labels), NOW)
    assert plan.stacks == () and "🎪 conf-size-large" not in plan.remove_labels


def test_a_reopened_pr_starts_only_with_the_legacy_label_and_nothing_running() -> None:
    reopened = ev("pull_request", "reopened", actor_association="MEMBER")
    assert any(op.action == "up" for op in decide(reopened, pr([L.LEGACY]), NOW).stacks)
    assert decide(reopened, pr([]), NOW).stacks == ()
    assert (
        decide(ev("pull_request", "reopened", actor_permission="write"), pr([]), NOW).stacks == ()
    )
    # another label added while the legacy label is on starts nothing
    assert decide(ev("pull_request", "labeled", label="bug"), pr([L.LEGACY]), NOW).stacks == ()


def test_the_stop_label_tears_down_and_takes_the_legacy_label_with_it() -> None:
    plan = decide(ev("pull_request", "labeled", label=L.STOP), pr(running(L.STOP, L.LEGACY)), NOW)
    assert [(op.action, op.stack) for op in plan.stacks] == [("destroy", f"pr-1234-{SHA}")]
    assert plan.reasons[0] == "🛑 stop requested"
    assert L.LEGACY in plan.remove_labels and L.STOP in plan.remove_labels


def warned_running() -> tuple[str, list[str]]:
    warned = f"🎪 {SHA} ⚠️ {stamp(NOW + timedelta(hours=1))}"
    return warned, running(warned)


def comment(body: str) -> Event:
    return Event(
        name="issue_comment", action="created", actor="m", comment=body, actor_permission="write"
    )


def test_the_labels_are_read_at_the_events_time() -> None:
    labels = [f"🎪 🎯 {SHA}", f"🎪 {SHA} 🚦 running", f"🎪 {SHA} 📅 2027-06-01T00-00"]
    plan = decide(ev("pull_request", "assigned"), pr(labels), NOW)
    assert plan.warnings == (f"{SHA}: ignored the date 2027-06-01T00-00 (in the future)",)


def test_a_blocked_pr_refuses_nothing_and_does_nothing() -> None:
    """🔒: no operation at all, not even putting back or removing a guarded label."""
    added = ev("pull_request", "labeled", label=L.FREEZE, actor="reader", actor_permission="read")
    plan = decide(added, pr(running(L.BLOCKED, L.FREEZE)), NOW)
    assert skipped(plan)[0] == "🔒 showtime-blocked: maintenance mode, no operation on this PR"


def test_a_closed_pr_is_torn_down_and_says_why() -> None:
    plan = decide(ev("pull_request", "closed"), pr(running(), state="closed"), NOW)
    assert plan.reasons == ("the PR is closed", f"destroy pr-1234-{SHA}")


def test_only_a_push_or_a_command_withdraws_the_warning() -> None:
    warned, labels = warned_running()
    assert decide(ev("pull_request", "assigned"), pr(labels), NOW).remove_labels == ()
    assert decide(comment("LGTM"), pr(labels), NOW).remove_labels == ()
    # any command a writer gives is activity, a read-only one too
    assert decide(comment("/showtime status"), pr(labels), NOW).remove_labels == (warned,)


def test_a_writers_command_on_a_fork_withdraws_the_warning_when_it_deploys() -> None:
    warned, labels = warned_running()
    plan = decide(comment("/showtime size large"), pr(labels, NEW, fork=True), NOW)
    assert [op.action for op in plan.stacks] == ["up"]
    assert warned in plan.remove_labels
    assert plan.reasons[-1] == "activity after the teardown warning: warning withdrawn"


def test_a_teardown_by_command_is_no_activity_to_report() -> None:
    warned, labels = warned_running()
    plan = decide(comment("/showtime destroy"), pr(labels), NOW)
    assert plan.reasons == ("/showtime destroy by @m", f"destroy pr-1234-{SHA}")
    assert plan.remove_labels.count(warned) == 1


def test_a_stop_by_dispatch_takes_the_legacy_label_with_it() -> None:
    plan = decide(ev("workflow_dispatch", "stop", actor="carol"), pr(running(L.LEGACY)), NOW)
    assert L.LEGACY in plan.remove_labels
