"""The view of ``doctor``: one line per check, its fix under it."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from showtime_iac.cli.output import emit_json

if TYPE_CHECKING:
    from showtime_iac.app.doctor import Check

__all__ = ["show_checks"]


def show_checks(checks: list[Check], as_json: bool) -> None:
    if as_json:
        emit_json({"ok": all(c.ok for c in checks), "checks": [c.to_json() for c in checks]})
        return
    for c in checks:
        mark = "ok  " if c.ok else "FAIL"
        sys.stdout.write(f"{mark} {c.name:<10} {c.detail}\n")
        if c.fix:
            sys.stdout.write(f"     {'':<10} fix: {c.fix}\n")
