"""Core commands: ``plan`` (offline) and ``explain``. No heavy imports here."""

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from showtime_iac.errors import InputError

__all__ = ["explain", "parse_now", "plan", "register"]


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


def plan(
    event: Annotated[
        Path | None,
        typer.Option("--event", help="Webhook payload (JSON); default $GITHUB_EVENT_PATH."),
    ] = None,
    event_name: Annotated[
        str | None,
        typer.Option(
            "--event-name", help="pull_request, issue_comment, ...; default $GITHUB_EVENT_NAME."
        ),
    ] = None,
    now: Annotated[
        str | None, typer.Option("--now", help="Pretend it is this time (ISO 8601, UTC).")
    ] = None,
    policy: Annotated[
        Path | None,
        typer.Option("--policy", help="Policy file; default $SHOWTIME_POLICY or ./showtime.toml."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the plan as JSON.")] = False,
) -> None:
    """Show what an event would do, offline: labels, stack operations, comment.

    Reads the PR's labels, head SHA, state and the actor from the payload and never the
    network. Example:

        showtime-iac plan --event examples/pr-labeled-start.json --json
    """
    from showtime_iac.app.sync import plan_event
    from showtime_iac.cli.views.plan import show_plan

    show_plan(plan_event(event, event_name, parse_now(now), policy), as_json)


def explain() -> None:
    """Print the 🎪 label vocabulary: what each label means.

    Example:

        showtime-iac explain
    """
    from showtime_iac.core.labels import VOCABULARY

    width = max(len(name) for name, _ in VOCABULARY)
    for name, meaning in VOCABULARY:
        sys.stdout.write(f"{name:<{width}}  {meaning}\n")


def register(app: typer.Typer) -> None:
    app.command()(plan)
    app.command(hidden=True)(explain)
