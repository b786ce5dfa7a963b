"""``showtime-iac dashboard``: write the static environments page (and its JSON)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from showtime_iac.core.model import InputError, ShowtimeError

if TYPE_CHECKING:
    from showtime_iac.app.dashboard import EnvCard

__all__ = ["DashboardError", "register", "write_dashboard"]


class DashboardError(ShowtimeError):
    """The page could not be written (exit 1)."""


def _read_input(path: Path) -> list[EnvCard]:
    from showtime_iac.app.dashboard import cards_from_json

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc.__class__.__name__}: check the path") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path} is not JSON (line {exc.lineno}: {exc.msg})") from None
    return cards_from_json(data)


def _live_cards(repo: str | None) -> tuple[list[EnvCard], str | None]:
    """Every open PR with 🎪 labels, from the GitHub API (``GitHubClient.list_showtime_prs``)."""

    from showtime_iac.app.dashboard import cards_from_prs
    from showtime_iac.app.inputs import load_policy
    from showtime_iac.settings import Settings

    settings = Settings.from_env()
    if not settings.github_token:
        raise InputError("GITHUB_TOKEN is not set: export a token, or pass --input FILE")
    if not (repo or settings.github_repository):
        raise InputError("no repository: pass --repo OWNER/NAME or export GITHUB_REPOSITORY")
    from showtime_iac.adapters import github  # PyGithub is loaded only for the live page

    client = github.GitHubClient.from_settings(settings, repo=repo)
    port = load_policy(None).port
    cards = cards_from_prs(client.list_showtime_prs(), port=port)
    return cards, repo or settings.github_repository


def write_dashboard(
    out: Path, cards: list[EnvCard], now: datetime, repo: str | None
) -> tuple[Path, Path]:
    """Write ``index.html`` and ``environments.json`` (same data) into ``out``."""
    from showtime_iac.app.dashboard import cards_to_json, render

    page = render(cards, now, repo=repo)
    doc = cards_to_json(cards, now)
    if repo:
        doc = {"repo": repo, **doc}
    html_path, json_path = out / "index.html", out / "environments.json"
    try:
        out.mkdir(parents=True, exist_ok=True)
        html_path.write_text(page, encoding="utf-8")
        json_path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", "utf-8")
    except OSError as exc:
        raise DashboardError(f"cannot write the dashboard into {out}: {exc.strerror}") from None
    return html_path, json_path


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


def register(app: typer.Typer) -> None:
    @app.command()
    def dashboard(
        out: Annotated[
            Path, typer.Option("--out", help="Directory to write index.html and environments.json.")
        ],
        input_file: Annotated[
            Path | None,
            typer.Option(
                "--input",
                help="JSON file of cards (see the README); default: read the PRs from GitHub.",
            ),
        ] = None,
        repo: Annotated[
            str | None, typer.Option("--repo", help="OWNER/NAME; default $GITHUB_REPOSITORY.")
        ] = None,
        now: Annotated[
            str | None,
            typer.Option("--now", help="Render as of this ISO 8601 time (reproducible pages)."),
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the data as JSON.")] = False,
    ) -> None:
        """Write the environments page: one card per environment, with totals.

        Static HTML (no JavaScript, readable on a phone) plus the same data as
        environments.json; publish the directory to GitHub Pages.

        Examples:

            showtime-iac dashboard --out site                    # live, from GitHub
            showtime-iac dashboard --out site --input envs.json  # from a file
        """
        when = _parse_now(now)
        if input_file is not None:
            cards, shown_repo = _read_input(input_file), repo
        else:
            cards, shown_repo = _live_cards(repo)
        html_path, json_path = write_dashboard(out, cards, when, shown_repo)
        if as_json:
            from showtime_iac.app.dashboard import cards_to_json
            from showtime_iac.cli.output import emit_json

            emit_json({"index": str(html_path), **cards_to_json(cards, when)})
            return
        from showtime_iac.app.dashboard import totals

        t = totals(cards)
        typer.echo(
            f"wrote {html_path} and {json_path.name}: {t.environments} environment"
            f"{'s' if t.environments != 1 else ''}, ${t.hourly_cost:.3f}/h"
        )
