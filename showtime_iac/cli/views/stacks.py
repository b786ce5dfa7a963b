"""Views of the stack commands: ``up``, ``destroy``, ``drift``, ``list`` and ``status``.

stdout carries the result (or one JSON document); notes and reasons go to stderr.
"""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from showtime_iac.cli.output import emit_json, notes
from showtime_iac.core.proof import PHASE_TAG, PICTURE_TAG

if TYPE_CHECKING:
    from showtime_iac.app.environments import (
        Deployed,
        Destroyed,
        DriftCheck,
        DryRun,
        Listing,
        PrStatus,
    )
    from showtime_iac.app.preview import OfflineRender
    from showtime_iac.app.sizing import SizedStack

__all__ = [
    "format_cost",
    "format_duration",
    "show_deployed",
    "show_destroyed",
    "show_drift",
    "show_dry_run",
    "show_listing",
    "show_status",
]


def format_duration(d: timedelta | None) -> str:
    """``timedelta(hours=26)`` → ``1d2h``; negative → ``expired``; None → ``-``."""
    if d is None:
        return "-"
    secs = int(d.total_seconds())
    if secs < 0:
        return "expired"
    days, rem = divmod(secs, 86400)
    hours, rem = divmod(rem, 3600)
    if days:
        return f"{days}d{hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h{rem // 60}m" if rem // 60 else f"{hours}h"
    return f"{max(rem // 60, 0)}m"


def format_cost(usd: float) -> str:
    """``0.10374`` → ``$0.104``."""
    return f"${usd:.3f}"


def _ttl_left(s: SizedStack, now: datetime) -> str:
    """The idle TTL left: ``pinned`` or ``close`` when there is none (the max age still
    applies)."""
    info = s.info
    if info.ttl is not None and info.ttl.value in ("close", "manual"):
        return "pinned" if info.ttl.value == "manual" else "close"
    return format_duration(info.ttl_left(now)) if info.expires_at else "-"


# --------------------------------------------------------------------------- up, destroy, drift


def _show_offline(render: OfflineRender, as_json: bool) -> None:
    if not as_json:
        sys.stderr.write(f"showtime-iac: {render.reason}\n")
    for warning in render.warnings:
        sys.stderr.write(f"showtime-iac: warning: {warning}\n")
    if as_json:
        emit_json(render.to_json())
        return
    sys.stdout.write(render.text + "\n")
    if render.baseline:
        sys.stdout.write("\nno labels: the baseline (--ref) is no PR's environment\n")
        return
    sys.stdout.write("\nlabels on a PR without an environment (written by `sync`):\n")
    sys.stdout.write("".join(f"  + {n}   (claim)\n" for n in render.claim.add))
    sys.stdout.write("".join(f"  - {n}   (once healthy)\n" for n in render.final.remove))
    sys.stdout.write("".join(f"  + {n}   (once healthy)\n" for n in render.final.add))


def show_dry_run(result: DryRun, as_json: bool) -> None:
    notes(result.notes)
    if result.offline is not None:
        _show_offline(result.offline, as_json)
    elif as_json:
        emit_json({"stack": result.stack, "mode": "preview", "ok": True})


def show_deployed(result: Deployed, as_json: bool) -> None:
    notes(result.notes)
    for name in result.replaced:
        sys.stderr.write(f"showtime-iac: destroyed the previous baseline {name}\n")
    if as_json:
        emit_json(result.to_json())
        return
    sys.stdout.write(f"stack {result.stack} is up\n")
    for k in sorted(result.outputs):
        sys.stdout.write(f"  {k}: {result.outputs[k]}\n")


def show_destroyed(result: Destroyed, as_json: bool) -> None:
    notes(result.notes)
    if as_json:
        emit_json(result.to_json())
        return
    if not result.checked:
        for name in result.stacks:
            sys.stdout.write(f"would destroy stack {name} (not checked: no pulumi CLI)\n")
        return
    verb = "would destroy" if result.dry_run else "destroyed"
    if not result.stacks:
        sys.stdout.write(f"PR #{result.pr} has no stacks\n")
    for name in result.stacks:
        sys.stdout.write(f"{verb} stack {name}\n")


def show_drift(result: DriftCheck, as_json: bool) -> None:
    notes(result.notes)
    if as_json:
        emit_json(result.to_json())
        return
    for r in result.reports:
        lines = r.lines()
        for line in lines:
            sys.stdout.write(line + "\n")
        if not lines:
            sys.stdout.write(f"{r.stack}: no drift\n")
    if not result.reports:
        sys.stdout.write("no stacks to check\n")


# --------------------------------------------------------------------------- list

_HEADER = ("STACK", "PR", "SHA", "REQUESTER", "AGE", "TTL LEFT", "SIZE", "$/HOUR", "RESOURCES")


def _rows(sized: list[SizedStack], now: datetime) -> list[tuple[str, ...]]:
    return [
        (
            i.name,
            str(i.pr),
            i.sha7,
            i.requester or "-",
            format_duration(i.age(now)),
            _ttl_left(s, now),
            s.size + ("*" if s.assumed else "") + (" (asleep)" if s.sleeping else ""),
            format_cost(s.hourly_cost),
            "-" if i.resource_count is None else str(i.resource_count),
        )
        for s in sized
        for i in [s.info]
    ]


def _footer(n: int, total: float) -> tuple[str, ...]:
    return (f"TOTAL ({n} stack{'s' if n != 1 else ''})", *[""] * 6, format_cost(total), "")


def _assumed_note(sized: list[SizedStack], default_size: str) -> str | None:
    if not any(s.assumed for s in sized):
        return None
    return (
        f"* size assumed: no local stacks/Pulumi.<stack>.yaml, so the policy default "
        f"({default_size})"
    )


def show_listing(listing: Listing, now: datetime, as_json: bool) -> None:
    """The rows of ``list`` and the total: rich on a terminal, plain columns when piped."""
    if as_json:
        emit_json(listing.to_json(now))
        return
    if not listing.stacks:
        sys.stdout.write("no PR stacks\n")
        return
    from showtime_iac.cli.output import table

    footer = _footer(len(listing.stacks), listing.total_hourly_cost)
    rows = _rows(listing.stacks, now)
    table(_HEADER, rows, footer=footer, right=("PR", "$/HOUR", "RESOURCES"), no_wrap=True)
    if note := _assumed_note(listing.stacks, listing.default_size):
        sys.stdout.write(note + "\n")


# --------------------------------------------------------------------------- status


def _status_text(status: PrStatus, now: datetime) -> str:
    n = len(status.stacks)
    total = format_cost(status.total_hourly_cost)
    lines = [f"PR #{status.pr}: {n} stack{'s' if n != 1 else ''}, {total}/hour in all"]
    if status.live_reason is not None:
        lines.append(f"live data from AWS unavailable: {status.live_reason}")
    for row in status.stacks:
        s, out, view = row.sized, row.outputs, row.live
        i = s.info
        ttl = f" (ttl {i.ttl})" if i.ttl is not None else ""
        size = s.size + (" (assumed: no local stack config)" if s.assumed else "")
        size += " (asleep: scaled to zero, its image only is billed)" if s.sleeping else ""
        rows = [
            ("sha", i.sha7),
            ("requester", i.requester or "-"),
            ("age", format_duration(i.age(now))),
            ("ttl left", _ttl_left(s, now) + ttl),
            ("size", size),
            ("cost", f"{format_cost(s.hourly_cost)}/hour"),
            ("resources", "-" if i.resource_count is None else str(i.resource_count)),
        ]
        if view is not None:
            rows.append(("address", view.address or "-"))
            rows.append(("task", view.last_status or "-"))
            if view.stopped_reason:
                rows.append(("stopped", view.stopped_reason))
            if view.health is not None:
                rows.append(("health", view.health))
            if view.error and not view.stopped_reason:
                rows.append(("live", view.error))
        for key, tag in (("phase", PHASE_TAG), ("picture", PICTURE_TAG)):
            if i.tags.get(tag):  # what the status comment says (issue 28)
                rows.append((key, i.tags[tag]))
        lines.append(i.name)
        lines.extend(f"  {k + ':':<11}{v}" for k, v in rows)
        if out:
            lines.append("  outputs:")
            lines.extend(f"    {k}: {out[k]}" for k in sorted(out))
    return "\n".join(lines) + "\n"


def show_status(status: PrStatus, now: datetime, as_json: bool) -> None:
    if as_json:
        emit_json(status.to_json(now))
        return
    if not status.stacks:
        sys.stdout.write(f"PR #{status.pr} has no stacks\n")
        return
    sys.stdout.write(_status_text(status, now))
