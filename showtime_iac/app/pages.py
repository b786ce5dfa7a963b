"""``dashboard``: the environments page written to disk, from a cards file or from GitHub.

:mod:`showtime_iac.app.dashboard` renders (pure); this module reads the cards and writes
``index.html`` and ``environments.json`` (the same data).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from showtime_iac.app import wiring
from showtime_iac.app.dashboard import EnvCard, cards_from_json, with_records
from showtime_iac.app.sweep_view import SweepView
from showtime_iac.core.model import InputError, ShowtimeError
from showtime_iac.errors import PrerequisiteError

__all__ = [
    "DashboardError",
    "Published",
    "publish_dashboard",
    "read_cleanup_report",
    "write_dashboard",
]


class DashboardError(ShowtimeError):
    """The page could not be written (exit 1)."""


def _read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc.__class__.__name__}: check the path") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path} is not JSON (line {exc.lineno}: {exc.msg})") from None


def _read_input(path: Path) -> list[EnvCard]:
    return cards_from_json(_read_json(path))


def read_cleanup_report(path: Path) -> SweepView:
    """The orphans and drift of a ``cleanup --report`` file (:class:`InputError` if not one)."""
    from showtime_iac.app.sweep_view import sweep_from_report

    try:
        return sweep_from_report(_read_json(path))
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None


def _live_cards(repo: str | None) -> tuple[list[EnvCard], str | None]:
    """Every open PR with 🎪 labels, from the GitHub API (``GitHubClient.list_showtime_prs``)."""
    from showtime_iac.app.dashboard import cards_from_prs
    from showtime_iac.app.inputs import load_policy
    from showtime_iac.settings import Settings

    settings = Settings.from_env()
    if not settings.github_token:
        raise PrerequisiteError("GITHUB_TOKEN is not set: export a token, or pass --input FILE")
    if not (repo or settings.github_repository):
        raise InputError("no repository: pass --repo OWNER/NAME or export GITHUB_REPOSITORY")
    client = wiring.open_github(settings, repo)  # PyGithub is loaded only for the live page
    port = load_policy(None).port
    cards = cards_from_prs(client.list_showtime_prs(), port=port, domain=settings.domain)
    return with_records(cards, _records()), repo or settings.github_repository


def _records() -> dict[str, dict[str, str]]:
    """The environment stacks' tags (their record: the picture and the phase the status
    comment shows), by stack name; none when the backend cannot be read (best effort)."""
    try:
        return {i.name: dict(i.tags) for i in wiring.open_stacks(None).list()}
    except ShowtimeError:
        return {}


def write_dashboard(
    out: Path, cards: list[EnvCard], now: datetime, repo: str | None, sweep: SweepView | None = None
) -> tuple[Path, Path]:
    """Write ``index.html`` and ``environments.json`` (same data) into ``out``; with
    ``sweep``, the last cleanup's orphans and drift too (``cleanup`` in the JSON)."""
    from showtime_iac.app.dashboard import cards_to_json, render

    page = render(cards, now, repo=repo, sweep=sweep)
    doc = cards_to_json(cards, now)
    if repo:
        doc = {"repo": repo, **doc}
    if sweep is not None:
        doc["cleanup"] = sweep.to_json()
    html_path, json_path = out / "index.html", out / "environments.json"
    try:
        out.mkdir(parents=True, exist_ok=True)
        html_path.write_text(page, encoding="utf-8")
        json_path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", "utf-8")
    except OSError as exc:
        raise DashboardError(f"cannot write the dashboard into {out}: {exc.strerror}") from None
    return html_path, json_path


@dataclass(frozen=True)
class Published:
    html_path: Path
    json_path: Path
    cards: list[EnvCard]


def publish_dashboard(
    out: Path,
    input_file: Path | None,
    repo: str | None,
    now: datetime,
    cleanup_report: Path | None = None,
) -> Published:
    """Cards from ``input_file`` (else the PRs on GitHub), written as of ``now`` into ``out``;
    with ``cleanup_report``, the orphans and drift that cleanup found."""
    sweep = read_cleanup_report(cleanup_report) if cleanup_report is not None else None
    if input_file is not None:
        cards, shown_repo = _read_input(input_file), repo
    else:
        cards, shown_repo = _live_cards(repo)
    html_path, json_path = write_dashboard(out, cards, now, shown_repo, sweep)
    return Published(html_path, json_path, cards)
