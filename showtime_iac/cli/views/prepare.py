"""The view of ``sync --prepare``."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from showtime_iac.cli.output import emit_json

if TYPE_CHECKING:
    from showtime_iac.app.prepare import PrepareResult

__all__ = ["format_prepare", "show_prepare"]


def format_prepare(result: PrepareResult) -> str:
    """One line with what was done (or why nothing was), then the prepared resources."""
    if not result.prepared:
        return f"PR #{result.pr}: nothing prepared: {result.reason}"
    verb = "would prepare" if result.dry_run else "prepared"
    took = f" in {result.seconds:.0f} s" if result.seconds is not None else ""
    lines = [f"PR #{result.pr}: {verb} {result.stack}{took} ({result.reason})"]
    lines += [f"  {r}" for r in result.resources]
    if result.dry_run:
        lines.append("dry run: nothing was written")
    return "\n".join(lines)


def show_prepare(result: PrepareResult, as_json: bool) -> None:
    if as_json:
        emit_json(result.to_json())
    else:
        sys.stdout.write(format_prepare(result) + "\n")
