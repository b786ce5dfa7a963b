"""The 6-hourly sweep, decided purely: expired environments and stacks of closed PRs.

``sweep(prs, stacks, now, policy)`` takes the repository's PRs that carry 🎪 labels (open,
plus whatever closed PRs the caller looked up for stacks it found) and every stack name,
and returns one plan per PR that has something to do. The CLI carries them out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from showtime_iac.core import labels as L
from showtime_iac.core.model import BASELINE_PR, Event, Policy, PrInfo, parse_stack_name
from showtime_iac.core.planner import Fleet, Plan, decide

__all__ = ["SweepItem", "sweep", "prs_to_look_up", "fleet_of"]


@dataclass(frozen=True)
class SweepItem:
    pr: PrInfo
    plan: Plan

    @property
    def action(self) -> str:
        if self.plan.stacks:
            return "destroy"
        return "keep"


def prs_to_look_up(prs: Iterable[PrInfo], stacks: Iterable[str]) -> list[int]:
    """PR numbers that have stacks but are not among ``prs``: the caller reads their state."""
    known = {p.number for p in prs} | {BASELINE_PR}  # the baseline has no PR to read
    found = {parsed[0] for s in stacks if (parsed := parse_stack_name(s)) is not None}
    return sorted(found - known)


def sweep(
    prs: Sequence[PrInfo], stacks: Iterable[str], now: datetime, policy: Policy | None = None
) -> list[SweepItem]:
    """One item per PR with an environment or a stack; ``plan.stacks`` empty means keep."""
    names = tuple(stacks)
    items: list[SweepItem] = []
    for pr in sorted(prs, key=lambda p: p.number):
        mine = [n for n in names if (parsed := parse_stack_name(n)) and parsed[0] == pr.number]
        st = L.parse_state(pr.labels)
        if not st.shows and not mine:
            continue
        plan = decide(
            Event(name="schedule", actor="showtime-cleanup"), pr, now, policy, known_stacks=mine
        )
        if pr.is_open and not st.shows and mine:
            # labels lost on an open PR: keep the stacks, say so (sync repairs)
            plan = Plan(
                pr=pr.number,
                intent="none",
                skipped=(
                    f"open PR with stacks {', '.join(mine)} but no 🎪 labels: "
                    f"run `sync {pr.number}`"
                ),
                reasons=("labels lost",),
            )
        items.append(SweepItem(pr, plan))
    return items


def fleet_of(prs: Iterable[PrInfo]) -> Fleet:
    """Count live environments (one per PR with any show) by requester, for quotas."""
    total = 0
    by: dict[str, int] = {}
    for pr in prs:
        if not pr.is_open:
            continue
        st = L.parse_state(pr.labels)
        if not st.shows:
            continue
        total += 1
        show = st.active or st.building or next(iter(st.shows.values()))
        if show.requester:
            by[show.requester.lower()] = by.get(show.requester.lower(), 0) + 1
    return Fleet(total=total, by_requester=tuple(sorted(by.items())))
