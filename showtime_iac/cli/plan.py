"""Core commands: ``plan`` (offline) and ``explain``. No heavy imports here."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from showtime_iac.cli.options import parse_now

__all__ = ["explain", "parse_now", "plan", "register"]


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
    from showtime_iac.cli.output import plain_columns
    from showtime_iac.core.labels import VOCABULARY

    sys.stdout.write("".join(line + "\n" for line in plain_columns(VOCABULARY)))


def register(app: typer.Typer) -> None:
    app.command()(plan)
    app.command(hidden=True)(explain)
