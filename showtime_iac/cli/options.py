"""Options the commands share (Typer ``Annotated`` types), and ``--now``."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from showtime_iac.errors import InputError

__all__ = ["DryRunNow", "Json", "PolicyFile", "ProjectDir", "Unlock", "dry_run_now", "parse_now"]

ProjectDir = Annotated[
    Path | None,
    typer.Option(
        "--project-dir", help="Directory of Pulumi.yaml; default $SHOWTIME_PROJECT_DIR or the repo."
    ),
]
Json = Annotated[bool, typer.Option("--json", help="One JSON document on stdout.")]
PolicyFile = Annotated[
    Path | None,
    typer.Option("--policy", help="Policy file (default size); default ./showtime.toml."),
]
Unlock = Annotated[
    bool,
    typer.Option("--unlock", help="Cancel a lock left by a killed run after the retries."),
]
DryRunNow = Annotated[
    str | None,
    typer.Option(
        "--now",
        help="With --dry-run: pretend it is this time (ISO 8601, UTC), for output that does"
        " not change from run to run.",
    ),
]


def parse_now(value: str | None) -> datetime:
    """``--now`` as an aware UTC datetime (default: the clock, read here at the edge)."""
    if not value:
        return datetime.now(UTC)
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InputError(
            f"--now {value[:40]!r} is not ISO 8601 (e.g. 2026-01-15T14:30:00Z)"
        ) from None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def dry_run_now(value: str | None, dry_run: bool) -> datetime | None:
    """``--now`` of ``up`` and ``sync``: only for a dry run (a real run writes the clock's
    time into tags and labels); None without it."""
    if value is None:
        return None
    if not dry_run:
        raise typer.BadParameter(
            "only with --dry-run (a real run uses the clock)", param_hint="'--now'"
        )
    return parse_now(value)
