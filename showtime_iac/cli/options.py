"""Options the commands share (Typer ``Annotated`` types), and ``--now``."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from showtime_iac.errors import InputError, shown

__all__ = [
    "DryRunNow",
    "Json",
    "PolicyFile",
    "ProjectDir",
    "Repo",
    "Unlock",
    "dry_run_now",
    "parse_now",
]


def _project_dir(value: Path | None) -> Path | None:
    """``--project-dir`` names the directory of Pulumi.yaml, on every command, whether or not
    the command gets as far as opening the project (a dry run without the engine does not)."""
    if value is not None and not (value / "Pulumi.yaml").is_file():
        what = "is not a directory" if not value.is_dir() else "holds no Pulumi.yaml"
        raise typer.BadParameter(
            f"{shown(str(value))} {what}: give the directory of Pulumi.yaml (a showtime-iac"
            " checkout)"
        )
    return value


ProjectDir = Annotated[
    Path | None,
    typer.Option(
        "--project-dir",
        help="Directory of Pulumi.yaml; default $SHOWTIME_PROJECT_DIR or the repo.",
        callback=_project_dir,
    ),
]
Json = Annotated[bool, typer.Option("--json", help="One JSON document on stdout.")]
Repo = Annotated[str | None, typer.Option("--repo", help="OWNER/NAME; default $GITHUB_REPOSITORY.")]
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
