"""The verdict every benchmark ends with: each measured row against its target.

A benchmark prints its table, then calls :func:`verdict`, which names every row over its
target on stderr and returns the exit code (1 when any is over), so that a benchmark run in CI
or by hand fails instead of printing a slow figure and exiting 0.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Target", "load_average", "verdict"]


@dataclass(frozen=True)
class Target:
    """One measured value and the most it may be (``None``: not measured, which fails)."""

    name: str
    value: float | None
    limit: float
    unit: str = "s"

    @property
    def over(self) -> bool:
        return self.value is None or self.value > self.limit

    def mark(self) -> str:
        """``ok`` or ``OVER``, for the table's last column."""
        return "OVER" if self.over else "ok"


def load_average() -> str:
    """The 1-minute load average and the core count, for the table's header (shared boxes)."""
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return "load average unknown"
    return f"load average {one:.2f} (5 min {five:.2f}) on {os.cpu_count()} cores"


def verdict(targets: Sequence[Target]) -> int:
    """Exit code of a benchmark: 1 when a row is over its target (each named on stderr)."""
    over = [t for t in targets if t.over]
    for t in over:
        shown = "not measured" if t.value is None else f"{t.value:g} {t.unit}"
        sys.stderr.write(f"over target: {t.name}: {shown} > {t.limit:g} {t.unit}\n")
    return 1 if over else 0
