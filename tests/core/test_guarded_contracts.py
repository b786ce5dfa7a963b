"""Guarded labels verified from the issue's events (core/guarded, docs/security.md): the
contracts the mutation run (issue 29) found no test pinning down. Each test was checked by
making the change and watching it fail.
"""

from __future__ import annotations

from showtime_iac.core import labels as L
from showtime_iac.core.guarded import (
    NOT_OBEYED,
    needs_verification,
    removes_unverified,
    with_unverified_removed,
    without,
)
from showtime_iac.core.model import Event, PrInfo
from showtime_iac.core.plan import Plan


def test_a_labels_own_event_needs_no_verification_under_either_pull_request_event() -> None:
    for name in ("pull_request", "pull_request_target"):
        own = Event(name=name, action="labeled", label=L.STOP)
        assert needs_verification(own, [L.STOP, L.FREEZE]) == (L.FREEZE,), name
    other = Event(name="issue_comment", action="labeled", label=L.STOP)
    assert needs_verification(other, [L.STOP]) == (L.STOP,)


def test_an_unverified_label_is_removed_and_said_once() -> None:
    plan = Plan(
        pr=7,
        intent="update",
        add_labels=(L.FREEZE, "🎪 abc1234 🚦 building"),
        remove_labels=(L.START,),
        reasons=("new commit abc1234",),
        warnings=("w",),
    )
    got = with_unverified_removed(plan, [L.FREEZE, L.START])
    note = f"{NOT_OBEYED} {{}} (its adder is not verified as a writer): removed"
    assert got.add_labels == ("🎪 abc1234 🚦 building",)  # not added back
    assert got.remove_labels == (L.START, L.FREEZE)  # each once
    assert got.reasons == ("new commit abc1234", note.format(L.FREEZE), note.format(L.START))
    assert got.warnings == ("w", note.format(L.FREEZE), note.format(L.START))
    assert (got.pr, got.intent) == (7, "update")
    assert removes_unverified(got) is True
    assert removes_unverified(plan) is False
    assert with_unverified_removed(plan, []) is plan


def test_the_planner_sees_the_pr_without_the_unverified_labels() -> None:
    pr = PrInfo(7, "open", "f" * 40, (L.STOP, "bug", L.FREEZE), "a")
    assert without(pr, [L.STOP]).labels == ("bug", L.FREEZE)
    assert without(pr, []) is pr
