"""How long each phase of a run took, from the moments that end them. Pure: no clock here.

A run's phases span jobs. The plan job and the image's build and push end before the sync job
starts, so their moments come from the workflow (``--started-at``, ``--planned-at``,
``--image-at`` or ``SHOWTIME_STARTED_AT`` ...); the sync process marks its own with its clock.
Each mark ends the phase of its name; a phase lasts from the previous mark to its own:

    start ── plan ── image ── sync setup ── claim ── up ── task running ── healthy ── router
                                 (the sync job starts)  (the stack's up starts)

A phase with no mark (no image was built, public-IP mode has no router) is simply absent and
its time goes to the next phase that has one. Marks from other machines may disagree by a few
seconds: a mark earlier than the one before it counts as that one (a phase of 0 s), so no
phase is ever negative and the phases always add up to the total.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from showtime_iac.errors import InputError

__all__ = [
    "GIVEN",
    "TIME_VARS",
    "MAX_RUN_SPAN",
    "PHASES",
    "Timings",
    "format_seconds",
    "parse_time",
    "workflow_marks",
]

#: every phase, in the order a deploy goes through them
PHASES = (
    "plan",
    "image",
    "sync setup",
    "claim",
    "up",
    "task running",
    "healthy",
    "router",
)
#: the moments the workflow passes in: option / environment variable → the phase it ends
#: (``start`` ends none: it is where the run began)
GIVEN: Mapping[str, str] = {
    "started-at": "start",
    "planned-at": "plan",
    "image-at": "image",
}
#: the environment variable of each (``started-at`` → ``SHOWTIME_STARTED_AT``)
TIME_VARS: Mapping[str, str] = {key: "SHOWTIME_" + key.upper().replace("-", "_") for key in GIVEN}
#: a workflow's mark further back than this is not this run's (a re-run of failed jobs keeps
#: the first attempt's outputs): it is dropped, and the run is timed from its own start
MAX_RUN_SPAN = timedelta(hours=6)
#: clocks of different runners: a mark this far after the sync's start is still believed
CLOCK_SKEW = timedelta(minutes=1)

Result = Literal["ready", "failed"]


def parse_time(option: str, value: str) -> datetime:
    """An ISO 8601 time (``2026-01-15T14:30:00Z``, with an offset, or naive UTC) as aware UTC;
    :class:`InputError` naming ``option`` otherwise."""
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InputError(
            f"{option} {value[:40]!r} is not an ISO 8601 time (e.g. 2026-01-15T14:30:00Z)"
        ) from None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def workflow_marks(
    given: Mapping[str, datetime | None], sync_start: datetime
) -> tuple[list[tuple[str, datetime]], list[str]]:
    """The workflow's marks (``GIVEN``'s keys → time or None) that belong to this run, in phase
    order, then the sync's own start (ending ``sync setup``, or starting the run when nothing
    came before it); and the names of the marks dropped (later than the sync's start beyond
    the clock skew, or more than :data:`MAX_RUN_SPAN` before it). Without a start, the first
    mark given becomes it: when that phase began is not known."""
    marks: list[tuple[str, datetime]] = []
    dropped: list[str] = []
    for key, phase in GIVEN.items():
        when = given.get(key)
        if when is None:
            continue
        if when > sync_start + CLOCK_SKEW or when < sync_start - MAX_RUN_SPAN:
            dropped.append(key)
            continue
        marks.append((phase, when))
    if marks and marks[0][0] != "start":  # no start: the first phase known has no length
        marks[0] = ("start", marks[0][1])
    marks.append(("sync setup" if marks else "start", sync_start))
    return marks, dropped


def format_seconds(seconds: float) -> str:
    """``45 s``, ``4 min 12 s``, ``3 min``, ``1 h 5 min`` (rounded to the second)."""
    total = max(0, round(seconds))
    if total < 60:
        return f"{total} s"
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


@dataclass(frozen=True)
class Timings:
    """A run's marks (``("start", t0)`` first, then each phase's end) and how it ended:
    ``ready`` (the environment serves at the last mark), ``failed`` (during the last mark's
    phase), or None (still going, or a run that deployed nothing)."""

    marks: tuple[tuple[str, datetime], ...]
    result: Result | None = None

    def __post_init__(self) -> None:
        if not self.marks or self.marks[0][0] != "start":
            raise ValueError("timings begin with the start mark")

    @property
    def started(self) -> datetime:
        return self.marks[0][1]

    @property
    def phases(self) -> tuple[tuple[str, float], ...]:
        """``(phase, seconds)`` per mark after the start, in order; never negative."""
        out: list[tuple[str, float]] = []
        latest = self.started
        for name, when in self.marks[1:]:
            end = max(latest, when)
            out.append((name, (end - latest).total_seconds()))
            latest = end
        return tuple(out)

    @property
    def total(self) -> float:
        """Seconds from the start to the last mark (the sum of the phases)."""
        return sum(seconds for _, seconds in self.phases)

    @property
    def ready_in(self) -> float | None:
        return self.total if self.result == "ready" else None

    def headline(self) -> str | None:
        """``ready in 4 min 12 s`` / ``failed after 16 min (healthy)`` / None."""
        if self.result == "ready":
            return f"ready in {format_seconds(self.total)}"
        if self.result == "failed" and self.phases:
            return f"failed after {format_seconds(self.total)} ({self.phases[-1][0]})"
        return None

    def line(self) -> str:
        """``plan 1 min 2 s · image 3 min · up 48 s · ...``."""
        return " · ".join(f"{name} {format_seconds(s)}" for name, s in self.phases)

    def markdown(self) -> str:
        """The phases as a table for the job summary, the total last."""
        rows = ["| phase | time |", "|---|---|"]
        rows += [f"| {name} | {format_seconds(s)} |" for name, s in self.phases]
        rows.append(f"| **{self.headline() or 'total'}** | **{format_seconds(self.total)}** |")
        return "\n".join(rows)

    def to_json(self) -> dict[str, Any]:
        """``{"started_at", "phases": {phase: seconds}, "total_seconds", "result"}``."""
        return {
            "started_at": self.started.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "phases": {name: round(s, 3) for name, s in self.phases},
            "total_seconds": round(self.total, 3),
            "result": self.result,
        }
