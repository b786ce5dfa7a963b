"""Which guarded labels a run obeys: only those whose adder is verified as a writer. Pure.

A guarded label (🛑, 🧊, 🔒, ⚡, ``testenv-up``) acts in the run of its own ``labeled`` event
once the actor's permission is checked (:mod:`showtime_iac.core.rules.trust`). GitHub's
concurrency can cancel that run, so in any other run (another label's, a push, a comment,
the cleanup) a present guarded label acts only if the issue's events show that its most
recent addition was by someone with write permission. Events that could not be read
(``None``) verify nothing. An unverified label is decided as if absent, and removed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from showtime_iac.core import labels as L
from showtime_iac.core.model import Event, PrInfo
from showtime_iac.core.plan import Plan
from showtime_iac.core.rules.trust import WRITE_PERMISSIONS

__all__ = [
    "VERIFIED",
    "LabelEvent",
    "adders",
    "needs_verification",
    "removes_unverified",
    "unverified",
    "with_unverified_removed",
    "without",
]

#: the guarded labels whose presence alone makes a run act
VERIFIED = (L.STOP, L.FREEZE, L.BLOCKED, L.START, L.LEGACY)


@dataclass(frozen=True)
class LabelEvent:
    """One ``labeled``/``unlabeled`` issue event, oldest first in a list."""

    action: str
    label: str
    actor: str


def _own(event: Event, label: str) -> bool:
    """This run's event is the label's own addition (its permission is checked there)."""
    return (
        event.name in ("pull_request", "pull_request_target")
        and event.action == "labeled"
        and event.label == label
    )


def needs_verification(event: Event, labels: Iterable[str]) -> tuple[str, ...]:
    """The present guarded labels this run may obey only after reading the issue's events."""
    present = set(labels)
    return tuple(n for n in VERIFIED if n in present and not _own(event, n))


def _last_adder(label: str, events: Sequence[LabelEvent]) -> str | None:
    for e in reversed(events):
        if e.action == "labeled" and e.label == label:
            return e.actor
    return None


def adders(labels: Iterable[str], events: Sequence[LabelEvent] | None) -> tuple[str, ...]:
    """The logins whose permission decides ``labels`` (each one's most recent adder)."""
    if events is None:
        return ()
    found = (_last_adder(n, events) for n in labels)
    return tuple(sorted({a for a in found if a}))


def unverified(
    labels: Iterable[str],
    events: Sequence[LabelEvent] | None,
    permissions: Mapping[str, str | None],
) -> tuple[str, ...]:
    """The ``labels`` not verified: no events (an error reading them), no ``labeled`` event
    for the label, or its most recent adder's permission is not a write permission."""
    out = []
    for name in labels:
        actor = _last_adder(name, events) if events is not None else None
        if actor is None or permissions.get(actor) not in WRITE_PERMISSIONS:
            out.append(name)
    return tuple(out)


#: how each unverified label's removal is reported (a reason and a warning of the plan)
NOT_OBEYED = "not obeyed:"


def removes_unverified(plan: Plan) -> bool:
    """The plan removes guarded labels it did not obey (see :func:`with_unverified_removed`)."""
    return any(r.startswith(NOT_OBEYED) for r in plan.reasons)


def without(pr: PrInfo, labels: Iterable[str]) -> PrInfo:
    """``pr`` as the planner sees it: the unverified labels are not there."""
    gone = set(labels)
    return replace(pr, labels=tuple(n for n in pr.labels if n not in gone)) if gone else pr


def with_unverified_removed(plan: Plan, labels: Sequence[str]) -> Plan:
    """``plan`` (decided without ``labels``) that also removes them, and says so."""
    if not labels:
        return plan
    removed = tuple(n for n in labels if n not in plan.remove_labels)
    adds = tuple(n for n in plan.add_labels if n not in labels)
    notes = tuple(
        f"{NOT_OBEYED} {n} (its adder is not verified as a writer): removed" for n in labels
    )
    return replace(
        plan,
        add_labels=adds,
        remove_labels=(*plan.remove_labels, *removed),
        reasons=(*plan.reasons, *notes),
        warnings=(*plan.warnings, *notes),
    )
