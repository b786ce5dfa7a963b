"""Preparing a stack while its image builds: what may be prepared, and when a prepared stack
left behind is swept. Pure: no I/O, no clock.

A *prepared* stack (``EnvConfig.prepared``, stack config ``showtime-iac:prepared = true``)
holds only what needs no image: execution role and policy, secret, log group and, in HTTPS
mode, target group, host rule and security group. It declares no task definition and no
service, so nothing runs and nothing is served until ``sync``'s ``up`` binds the image built
from its SHA and takes the same stack to full (then only the task definition and the service
are added).

Its stack tags say when and by which run it was prepared (:data:`PREPARED_AT_TAG`,
:data:`PREPARED_BY_TAG`); the full ``up`` removes them. They are stack tags only, never on an
AWS resource (the resources of the prepared stack carry exactly the full stack's tags).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from showtime_iac.core import labels as L
from showtime_iac.core.model import PrInfo, parse_stack_name
from showtime_iac.core.plan import Plan, StackOp
from showtime_iac.core.proof import PHASE_TAG
from showtime_iac.core.timings import format_seconds

__all__ = [
    "PREPARED_AT_TAG",
    "PREPARED_BY_TAG",
    "PREPARED_MAX_AGE",
    "PREPARED_PHASE",
    "PREPARED_TAGS",
    "PreparedSweep",
    "prepare_target",
    "prepared_tags",
    "stale_prepared",
]

#: when the stack was prepared (``YYYY-MM-DDTHH:MM:SSZ``): the cleanup's age of it
PREPARED_AT_TAG = "showtime:prepared-at"
#: which run prepared it (``run:<GITHUB_RUN_ID>``, or ``cli``): only that run's ``sync``
#: adopts or discards it
PREPARED_BY_TAG = "showtime:prepared-by"
#: what ``status`` and the dashboard say while the image builds (the full ``up`` removes it;
#: the deploy's own phases follow, issue 28)
PREPARED_PHASE = "image"
PREPARED_TAGS = (PREPARED_AT_TAG, PREPARED_BY_TAG, PHASE_TAG)

#: a prepared stack older than this, that no 🎪 label claims, was left by a run that is gone:
#: the workflow's jobs before sync's claim take at most 10 (plan) + 60 (build) + 20 (push)
#: minutes, so a run still building never loses its stack
PREPARED_MAX_AGE = timedelta(hours=2)


def prepared_tags(created: datetime, run: str) -> dict[str, str]:
    """The stack tags of a prepared stack: when (``created``), by which run, and the phase
    (the image is being built)."""
    return {
        PREPARED_AT_TAG: created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        PREPARED_BY_TAG: run[:256],
        PHASE_TAG: PREPARED_PHASE,
    }


def prepare_target(plan: Plan, sha: str) -> StackOp | str:
    """The ``up`` of ``sha`` that ``plan`` would carry out now (a start, or a roll forward onto
    it), or why there is nothing to prepare. Only such an ``up`` needs an image built; every
    other plan (a refusal, 🔒, a closed PR, a reconfiguration, a fresh claim...) prepares
    nothing."""
    why = plan.skipped or (plan.reasons[0] if plan.reasons else plan.intent)
    if plan.intent not in ("start", "update"):
        return f"the plan prepares nothing ({plan.intent}: {why})"
    for op in plan.stacks:
        if op.action != "up" or op.config is None:
            continue
        if op.when != "now" or op.reuse_image:
            return f"the plan's up of {op.stack} needs no new image"
        if op.sha[:7] != sha[:7]:
            return f"the plan brings up {op.sha[:7]}, not {sha[:7]}"
        return op
    return f"the plan brings nothing up ({why})"


@dataclass(frozen=True)
class PreparedSweep:
    """What the cleanup does with one prepared stack: ``destroy`` or ``keep``, and why."""

    stack: str
    pr: int
    sha7: str
    action: str
    reason: str


def stale_prepared(
    prepared: Mapping[str, datetime | None],
    prs: Iterable[PrInfo],
    now: datetime,
    max_age: timedelta = PREPARED_MAX_AGE,
) -> list[PreparedSweep]:
    """The prepared stacks (name → when prepared, None: not recorded) of open PRs: each one
    no 🎪 label claims and older than ``max_age`` is to be destroyed (its run is gone: it was
    never deployed); a younger one, or one a label claims (a ``sync`` is taking it to full),
    is kept. A closed PR's stacks are all torn down by the sweep itself: not listed here."""
    by_number = {p.number: p for p in prs}
    out: list[PreparedSweep] = []
    for stack, at in sorted(prepared.items()):
        parsed = parse_stack_name(stack)
        if parsed is None:
            continue
        number, sha7 = parsed
        pr = by_number.get(number)
        if pr is not None and not pr.is_open:
            continue
        claimed = pr is not None and sha7 in L.parse_state(pr.labels).shows
        age = None if at is None else now - at
        if claimed:
            action, reason = "keep", f"a 🎪 label claims {sha7}: its sync takes it to full"
        elif age is not None and age < max_age:
            action = "keep"
            reason = f"prepared {format_seconds(age.total_seconds())} ago: its image may build"
        else:
            action = "destroy"
            when = "at an unknown time"
            if age is not None:
                when = f"{format_seconds(age.total_seconds())} ago"
            reason = f"prepared {when} and never deployed (no service): its run is gone"
        out.append(PreparedSweep(stack, number, sha7, action, reason))
    return out
