"""Which of a plan's stacks hold a stale claim on the PR (a lock the run that took it left
behind, and that may be cancelled): 🚦 in progress or destroying, claimed ``stale_lock`` ago
or more (or at an unknown time). Every stack of the plan is judged, in any order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from showtime_iac.app.sync import stale_claims
from showtime_iac.core import labels as L
from showtime_iac.core.model import Policy
from showtime_iac.core.plan import Plan, StackOp

NOW = datetime(2026, 1, 15, 14, 0, tzinfo=UTC)
POLICY = Policy(stale_lock=timedelta(hours=1))
A = "aaaaaaa" + "1" * 33
B = "bbbbbbb" + "2" * 33


def _labels(sha: str, status: str, claimed: datetime | None) -> list[str]:
    out = [f"🎪 {sha[:7]} 🚦 {status}"]
    if claimed is not None:
        out.append(f"🎪 {sha[:7]} 📅 {L.format_timestamp(claimed)}")
    return out


def _plan(*shas: str) -> Plan:
    return Plan(
        pr=7, intent="stop", stacks=tuple(StackOp("destroy", f"pr-7-{s[:7]}", s) for s in shas)
    )


@pytest.mark.parametrize(
    ("status", "age", "stale"),
    [
        ("building", timedelta(hours=1), True),  # exactly the stale age: stale
        ("building", timedelta(minutes=59), False),
        ("deploying", timedelta(hours=3), True),
        ("destroying", timedelta(hours=2), True),
        ("running", timedelta(days=3), False),  # not a claim, however old
        ("failed", timedelta(days=3), False),
    ],
)
def test_a_claim_is_stale_from_the_stale_age_on(status: str, age: timedelta, stale: bool) -> None:
    labels = _labels(A, status, NOW - age)
    assert stale_claims(_plan(A), labels, POLICY, NOW) == (["pr-7-aaaaaaa"] if stale else [])


def test_a_claim_of_unknown_time_is_stale() -> None:
    assert stale_claims(_plan(A), _labels(A, "building", None), POLICY, NOW) == ["pr-7-aaaaaaa"]


def test_every_stack_of_the_plan_is_judged_after_one_with_no_labels() -> None:
    """The first stack has no labels at all (a stack the labels lost): the next is still
    judged, whatever the order."""
    labels = _labels(B, "building", NOW - timedelta(hours=2))
    assert stale_claims(_plan(A, B), labels, POLICY, NOW) == ["pr-7-bbbbbbb"]
    assert stale_claims(_plan(B, A), labels, POLICY, NOW) == ["pr-7-bbbbbbb"]
