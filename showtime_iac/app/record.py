"""The stacks' record of one PR, read once per run, and the labels it implies.

The decision is :mod:`showtime_iac.core.record`'s; this module makes its reads: one listing
of the stacks (the PR's own tags only) and, only when the labels disagree with the record, one
listing of the PR's label events to name who changed them. Without ports (offline ``plan``)
there is no record: the labels stand. A dry run that cannot read the record (no Pulumi CLI,
no backend) plans from the labels alone and says so; a real run fails instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from showtime_iac.errors import ShowtimeError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from showtime_iac.app.wiring import Ports
    from showtime_iac.core.plan import Plan
    from showtime_iac.core.record import Reconciled, Record

__all__ = ["RecordView", "read_record"]


def read_record(ports: Ports, pr: int) -> Record:
    """PR ``pr``'s record from its stacks' tags (a failure to read it raises)."""
    from showtime_iac.core.record import record_of

    return record_of(pr, ports.stacks.records(pr))


class RecordView:
    """The record of one PR, read on first use; the labels it implies; the repair's author."""

    def __init__(self, ports: Ports | None, pr: int, *, tolerant: bool) -> None:
        self._ports, self._pr, self._tolerant = ports, pr, tolerant
        self._record: Record | None = None
        #: why the record could not be read (``tolerant`` only): the labels stood
        self.unread: str | None = None
        self._by: dict[tuple[tuple[str, ...], tuple[str, ...]], tuple[str, ...]] = {}
        #: the last labels seen disagreed with the record
        self.disagreed = False

    def __call__(self, labels: Iterable[str]) -> Reconciled:
        from showtime_iac.core.record import Reconciled, reconcile

        current = tuple(labels)
        if self._ports is None or self.unread is not None:
            return Reconciled(current)
        if self._record is None:
            try:
                self._record = read_record(self._ports, self._pr)
            except ShowtimeError as exc:
                if not self._tolerant:
                    raise
                self.unread = str(exc).partition(":")[0]
                return Reconciled(current)
        seen = reconcile(current, self._record)
        self.disagreed = bool(seen.repair)
        return seen

    def repaired(self, plan: Plan, seen: Reconciled) -> Plan:
        """``plan`` as a diff of the real labels, with who made them disagree (the PR's label
        events; unknown when they cannot be read)."""
        from dataclasses import replace

        from showtime_iac.core.record import changed_by, with_repair

        if self.unread is not None:
            note = f"the stacks' record was not read ({self.unread}): planned from the labels alone"
            return replace(plan, warnings=(*plan.warnings, note))
        if not seen.repair or self._ports is None:
            return with_repair(plan, seen)
        key = (seen.repair.add, seen.repair.remove)
        if key not in self._by:
            try:
                events = self._ports.github.label_events(self._pr)
            except ShowtimeError:
                events = []
            self._by[key] = changed_by(seen.repair, events)
        return with_repair(plan, seen, self._by[key])
