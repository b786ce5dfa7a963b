"""The queue of starts over ``max_environments`` (core/rules/queueing, docs/concepts/lifecycle.md
"The queue"): joining it, keeping one's place on a push, leaving it, and the cleanup starting
its head. The contracts the mutation run (issue 29) found no test pinning down; each test was
checked by making the change and watching it fail.

Pure: a PR's labels in, the whole plan out, expected values written out.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from showtime_iac.core import labels as L
from showtime_iac.core.model import Event, Policy, PrInfo
from showtime_iac.core.plan import Ctx, Fleet, Plan
from showtime_iac.core.planner import decide
from showtime_iac.core.queue import Queued
from showtime_iac.core.rules.queueing import dequeue, leave_queue, requeue_on_push, turn

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SHA = "abc1234"
NEW = "fedcba9"
JUNK = "🎪 zzzzzzz 🚦 running"  # not a SHA: ignored, with a warning every plan carries
JUNK_WARNING = "ignored unknown 🎪 label '🎪 zzzzzzz 🚦 running'"
AHEAD = Queued(NOW - timedelta(hours=2), 7, "1111111", "dave")  # another PR, first in line
PUSH = Event("pull_request", "synchronize", actor="bob")
CLEANUP = Event("schedule", "dequeue", actor="showtime-cleanup")
AGAIN = "a maintainer adds `🎪 ⚡ showtime-trigger-start` again to queue the new head"
TAIL = "a push to a fork leaves the queue; `🎪 🛑 showtime-trigger-stop` leaves it too"


def queued(sha: str = SHA, who: str | None = "carol", *extra: str) -> list[str]:
    """A queued request asked at 08:00 (its place), by ``who``."""
    out = [f"🎪 {sha} 🚦 queued", f"🎪 {sha} 📅 2026-12-01T08-00"]
    if who:
        out.append(f"🎪 {sha} 👤 {who}")
    return [*out, *extra]


def ctx(
    labels: list[str],
    head: str = SHA,
    event: Event = PUSH,
    fleet: Fleet | None = None,
    fork: bool = False,
    author: str = "author",
) -> Ctx:
    pr = PrInfo(1234, "open", head + "0" * 33 if head else "", tuple(labels), author, is_fork=fork)
    return Ctx(event, pr, L.parse_state(labels, NOW), NOW, Policy(max_environments=2), fleet)


# --- turn: who waits ------------------------------------------------------------------------


def test_a_pr_with_an_environment_is_never_queued_even_without_a_target() -> None:
    full = Fleet(total=2, queue=(AHEAD,))
    failed = ["🎪 1234567 🚦 failed", "🎪 1234567 📅 2026-12-01T07-00"]  # no 🎯: still there
    assert turn(ctx(failed, fleet=full), SHA, "bob") is None
    assert turn(ctx([], fleet=None), SHA, "bob") is None  # no fleet counted
    assert turn(ctx([], fleet=full), SHA, "bob") == 2


# --- enqueue: the queued plan, whole ---------------------------------------------------------


def test_a_start_with_the_fleet_full_is_queued_with_its_place_and_reasons() -> None:
    start = Event("pull_request", "labeled", actor="maintainer", label=L.START, sha=SHA + "0" * 33)
    pr = PrInfo(1234, "open", SHA + "0" * 33, (JUNK, L.START), "author")
    plan = decide(start, pr, NOW, Policy(max_environments=2), fleet=Fleet(total=1, queue=(AHEAD,)))
    line = "queued: 2nd in line, starts when an environment frees"
    assert plan == Plan(
        pr=1234,
        intent="queue",
        add_labels=(
            "🎪 abc1234 🚦 queued",
            "🎪 abc1234 📅 2026-12-01T09-00",
            "🎪 abc1234 👤 maintainer",
        ),
        remove_labels=(L.START,),
        comment="🎪 **Environment queued**\n\n"
        f"- {line}\n"
        "- 1 environments are running, the maximum is 2\n"
        "- `abc1234` for @maintainer: that commit starts, nothing else\n"
        f"- {TAIL}",
        reasons=("start requested", f"fleet full: {line}"),
        warnings=(JUNK_WARNING,),
        sha="abc1234",
    )


# --- requeue_on_push: a push to a queued PR -------------------------------------------------


def test_a_push_to_a_branch_moves_the_entry_with_its_place_config_and_requester() -> None:
    labels = [*queued(SHA, "carol", "🎪 abc1234 ⚙️ large,debug"), "🎪 ⌛ 48h", JUNK]
    plan = requeue_on_push(ctx(labels, head=NEW, fleet=Fleet(total=2, queue=(AHEAD,))), NEW)
    line = "queued: 2nd in line, starts when an environment frees"
    assert plan == Plan(
        pr=1234,
        intent="queue",
        add_labels=(
            "🎪 fedcba9 🚦 queued",
            "🎪 fedcba9 📅 2026-12-01T08-00",  # the request's 📅: the same place
            "🎪 fedcba9 👤 carol",
            "🎪 fedcba9 ⚙️ large,debug",
        ),
        # the PR-level ⌛ (no SHA) is no queued SHA's label: it stays
        remove_labels=(
            "🎪 abc1234 🚦 queued",
            "🎪 abc1234 📅 2026-12-01T08-00",
            "🎪 abc1234 👤 carol",
            "🎪 abc1234 ⚙️ large,debug",
        ),
        comment="🎪 **Environment queued**\n\n"
        f"- {line}\n"
        "- 2 environments are running, the maximum is 2\n"
        "- `fedcba9` for @carol: that commit starts, nothing else\n"
        f"- {TAIL}",
        reasons=("new commit fedcba9: same place", f"fleet full: {line}"),
        warnings=(JUNK_WARNING,),
        sha="fedcba9",
    )


def test_a_push_without_a_fleet_count_is_first_in_line_and_an_unknown_requester_has_no_label() -> (
    None
):
    bare = Event("pull_request", "synchronize", actor="")
    plan = requeue_on_push(ctx(queued(who=None), head=NEW, event=bare, author=""), NEW)
    assert plan is not None
    assert plan.add_labels == ("🎪 fedcba9 🚦 queued", "🎪 fedcba9 📅 2026-12-01T08-00")
    assert plan.comment == (
        "🎪 **Environment queued**\n\n"
        "- queued: 1st in line, starts when an environment frees\n"
        "- 0 environments are running, the maximum is 2\n"
        "- `fedcba9` for @unknown: that commit starts, nothing else\n"
        f"- {TAIL}"
    )


@pytest.mark.parametrize(
    ("who", "actor", "author", "expected"),
    [
        ("carol", "alice", "bob", "carol"),  # the request's writer first
        (None, "alice", "bob", "alice"),  # then the pusher
        (None, "", "bob", "bob"),  # then the PR's author
    ],
)
def test_the_requeued_entry_keeps_who_asked_first(
    who: str | None, actor: str, author: str, expected: str
) -> None:
    push = Event("pull_request", "synchronize", actor=actor)
    plan = requeue_on_push(ctx(queued(who=who), head=NEW, event=push, author=author), NEW)
    assert plan is not None
    assert f"🎪 fedcba9 👤 {expected}" in plan.add_labels
    assert f"- `fedcba9` for @{expected}: that commit starts, nothing else" in (plan.comment or "")


def test_a_push_of_the_queued_commit_itself_changes_nothing() -> None:
    plan = requeue_on_push(ctx([*queued(), JUNK], head=SHA), SHA)
    assert plan == Plan(
        pr=1234,
        intent="none",
        skipped="abc1234 is already queued",
        reasons=("abc1234 is already queued",),
        warnings=(JUNK_WARNING,),
        sha="abc1234",
    )


def test_a_push_to_a_fork_leaves_the_queue_with_its_reason() -> None:
    plan = requeue_on_push(ctx([*queued(), JUNK], head=NEW, fork=True), NEW)
    assert plan == Plan(
        pr=1234,
        intent="refuse",
        remove_labels=tuple(queued()),
        comment="🎪 **Left the queue**\n\n"
        "- `abc1234` was queued; `fedcba9` was pushed since\n"
        f"- {AGAIN}",
        reasons=("fork PR: new commit fedcba9, the queued abc1234 no longer is the head",),
        warnings=(JUNK_WARNING,),
        sha="abc1234",
    )


def test_leaving_the_queue_with_nothing_queued_removes_nothing_and_names_no_commit() -> None:
    plan = leave_queue(ctx([JUNK]), "why", ["one", "two"])
    assert plan == Plan(
        pr=1234,
        intent="refuse",
        comment="🎪 **Left the queue**\n\n- one\n- two",
        reasons=("why",),
        warnings=(JUNK_WARNING,),
    )


# --- dequeue: the cleanup starts the head of the line ----------------------------------------


@pytest.mark.parametrize(
    "labels",
    [
        [JUNK],  # nothing queued
        [*queued(), "🎪 1234567 🚦 failed", JUNK],  # an environment wins over the queued labels
    ],
)
def test_dequeue_of_a_pr_that_is_not_queued_does_nothing(labels: list[str]) -> None:
    plan = dequeue(ctx(labels, event=CLEANUP))
    assert plan == Plan(
        pr=1234,
        intent="none",
        skipped="not queued",
        reasons=("not queued",),
        warnings=(JUNK_WARNING,),
    )


@pytest.mark.parametrize(("head", "said"), [("", "unknown"), (NEW, NEW)])
def test_dequeue_of_a_commit_that_is_no_longer_the_head_leaves_the_queue(
    head: str, said: str
) -> None:
    plan = dequeue(ctx([*queued(), JUNK], head=head, event=CLEANUP))
    assert plan == Plan(
        pr=1234,
        intent="refuse",
        remove_labels=tuple(queued()),
        comment="🎪 **Left the queue**\n\n"
        f"- `abc1234` was queued; the PR's head is `{said}` now\n"
        f"- {AGAIN}",
        reasons=(f"queued abc1234 is no longer the PR's head ({said})",),
        warnings=(JUNK_WARNING,),
        sha="abc1234",
    )


def test_dequeue_starts_the_queued_config_for_an_unknown_requester_without_a_date() -> None:
    labels = ["🎪 abc1234 🚦 queued", "🎪 abc1234 ⚙️ large,debug"]  # no 📅, no 👤
    plan = dequeue(ctx(labels, event=CLEANUP))
    assert plan.intent == "start"
    assert plan.reasons[0] == "a slot freed: queued since unknown"
    assert plan.add_labels == (
        "🎪 abc1234 🚦 building",
        "🎪 abc1234 📅 2026-12-01T09-00",
        "🎪 abc1234 ⌛ idle 24h · max 2026-12-08T09-00",
        "🎪 🏗️ abc1234",
    )  # the ⚙️ stays, no 👤 is written
    assert plan.remove_labels == ("🎪 abc1234 🚦 queued",)
    (up,) = plan.stacks
    assert up.config is not None
    assert (up.config.size, up.config.debug, up.config.requester) == ("large", True, "unknown")
    assert (plan.comment or "").startswith(
        "🎪 **Building preview environment**\n\n- building `abc1234` for @unknown\n"
    )
