"""The fleet's queue: a start over ``max_environments`` waits its turn instead of failing. Pure.

A queued start is one SHA's labels, written by the run that found the fleet full:
``🎪 {sha7} 🚦 queued``, ``🎪 {sha7} 📅 {when it was asked}`` and ``🎪 {sha7} 👤 {writer}``
(plus ``⚙️`` when the description asked for a configuration). No stack exists for it, no
🎯 or 🏗️ points at it, and it counts in no quota.

The queue is computed from every open PR's labels, nothing else: each PR with a queued SHA
and no other environment is one entry; the order is the 📅 of the request, then the PR
number (two requests in the same minute), so it is stable and first come, first served. A
position is 1-based with no gaps. A free slot goes to the head of the line: a new request
waits while anyone is queued, even when a slot is free (nobody skips the line).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from showtime_iac.core import labels as L
from showtime_iac.core.model import Policy, PrInfo, Show, Status, stack_name
from showtime_iac.core.plan import Fleet

__all__ = [
    "Queued",
    "admit",
    "entry_of",
    "fleet_of",
    "live_shows",
    "ordinal",
    "place_line",
    "position",
    "queue_of",
    "queued_owners",
    "queued_show",
    "waiting_line",
]


@dataclass(frozen=True, order=True)
class Queued:
    """One queued start. Ordered by ``(since, pr)``: the queue's order."""

    since: datetime
    pr: int
    sha: str
    requester: str | None = None


def queued_show(st: L.LabelState) -> Show | None:
    """The PR's queued SHA (the earliest asked, if labels name several), or None."""
    queued = [s for s in st.shows.values() if s.status is Status.QUEUED]
    if not queued:
        return None
    return min(queued, key=lambda s: (s.created is None, s.created or datetime.min, s.sha))


def live_shows(st: L.LabelState) -> list[Show]:
    """The PR's shows that are environments (anything but a queued request)."""
    return [s for s in st.shows.values() if s.status is not Status.QUEUED]


def entry_of(pr: PrInfo) -> Queued | None:
    """The PR's place in the queue, if it has one: open, a queued SHA with its 📅, and no
    environment (a PR is never both queued and running: an environment wins)."""
    if not pr.is_open:
        return None
    st = L.parse_state(pr.labels)
    show = queued_show(st)
    if show is None or show.created is None or st.blocked or live_shows(st):
        return None
    return Queued(show.created, pr.number, show.sha, show.requester)


def queue_of(prs: Iterable[PrInfo]) -> tuple[Queued, ...]:
    """Every queued start of ``prs``, first in line first (one entry per PR number)."""
    seen: dict[int, Queued] = {}
    for pr in prs:
        entry = entry_of(pr)
        if entry is not None and (pr.number not in seen or entry < seen[pr.number]):
            seen[pr.number] = entry
    return tuple(sorted(seen.values()))


def position(queue: Sequence[Queued], pr: int) -> int | None:
    """The 1-based place of ``pr`` in ``queue`` (sorted, as :func:`queue_of` returns it)."""
    for i, entry in enumerate(queue, start=1):
        if entry.pr == pr:
            return i
    return None


def waiting_line(queue: Sequence[Queued], entry: Queued) -> int:
    """Where ``entry`` stands among ``queue`` (others' entries, its own left out): 1 + the
    entries ahead of it."""
    return 1 + sum(1 for e in queue if e.pr != entry.pr and e < entry)


def ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``4th`` ... ``11th``, ``12th``, ``13th``, ``21st``."""
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def place_line(place: int) -> str:
    """What the PR's comments say of its place: ``queued: 3rd in line, starts when an
    environment frees``."""
    return f"queued: {ordinal(place)} in line, starts when an environment frees"


def fleet_of(prs: Iterable[PrInfo]) -> Fleet:
    """The open PRs' environments (one per PR with any environment) by requester, and the
    queue. A queued request is not an environment: it counts in no quota."""
    listed = list(prs)
    total = 0
    by: dict[str, int] = {}
    for pr in listed:
        if not pr.is_open:
            continue
        st = L.parse_state(pr.labels)
        live = live_shows(st)
        if not live:
            continue
        total += 1
        show = next((s for s in (st.active, st.building) if s is not None and s in live), live[0])
        if show.requester:
            by[show.requester.lower()] = by.get(show.requester.lower(), 0) + 1
    return Fleet(total=total, by_requester=tuple(sorted(by.items())), queue=queue_of(listed))


def admit(queue: Sequence[Queued], running: int, policy: Policy) -> tuple[Queued, ...]:
    """The queued starts that may start now: the head of the line, as many as there are
    free slots (``max_environments`` minus the environments that exist)."""
    free = max(0, policy.max_environments - running)
    return tuple(sorted(queue)[:free])


def queued_owners(prs: Iterable[PrInfo]) -> dict[str, dict[str, str]]:
    """The stack name each queued start will have (no record yet): the orphan sweep keeps
    what they own, the image the writer's run pushed for the queued commit."""
    return {stack_name(e.pr, e.sha): {} for e in queue_of(prs)}
