"""``showtime-iac dashboard``: write the static environments page (and its JSON)."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from showtime_iac.cli.options import Repo
from showtime_iac.errors import InputError

__all__ = ["dashboard", "register"]


def _parse_now(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC)
    try:
        now = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"--now {text[:40]!r} is not ISO 8601 (e.g. 2026-01-15T14:30:00Z)"
        ) from None
    return now if now.tzinfo else now.replace(tzinfo=UTC)


def dashboard(
    out: Annotated[
        Path, typer.Option("--out", help="Directory to write index.html and environments.json.")
    ],
    input_file: Annotated[
        Path | None,
        typer.Option(
            "--input",
            help="JSON file of cards (the schema: docs/commands/dashboard.md); default:"
            " read the PRs from GitHub.",
        ),
    ] = None,
    repo: Repo = None,
    now: Annotated[
        str | None,
        typer.Option("--now", help="Render as of this ISO 8601 time (reproducible pages)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the data as JSON.")] = False,
    cleanup_report: Annotated[
        Path | None,
        typer.Option(
            "--cleanup",
            help="A `cleanup --report` file: show its orphans (count and list) and drift.",
        ),
    ] = None,
) -> None:
    """Write the environments page: one card per environment, with totals.

    Static HTML (no JavaScript, readable on a phone) plus the same data as
    environments.json; publish the directory to GitHub Pages.

    Examples:

        showtime-iac dashboard --out site                    # live, from GitHub
        showtime-iac dashboard --out site --input envs.json  # from a file
    """
    from showtime_iac.app.pages import publish_dashboard

    when = _parse_now(now)
    page = publish_dashboard(out, input_file, repo, when, cleanup_report)
    if as_json:
        from showtime_iac.app.dashboard import cards_to_json
        from showtime_iac.cli.output import emit_json

        emit_json({"index": str(page.html_path), **cards_to_json(page.cards, when)})
        return
    from showtime_iac.app.dashboard import totals

    t = totals(page.cards)
    typer.echo(
        f"wrote {page.html_path} and {page.json_path.name}: {t.environments} environment"
        f"{'s' if t.environments != 1 else ''}, ${t.hourly_cost:.3f}/h"
    )


def register(app: typer.Typer) -> None:
    app.command()(dashboard)
