"""``labels setup|prune``: the repository's 🎪 label definitions."""

from __future__ import annotations

from dataclasses import dataclass

from showtime_iac.app import wiring
from showtime_iac.core.labels import TRIGGER_LABELS, label_style

__all__ = ["LabelResult", "prune_labels", "setup_labels"]


@dataclass(frozen=True)
class LabelResult:
    name: str
    result: str

    @property
    def color(self) -> str:
        return label_style(self.name)[0]

    @property
    def description(self) -> str:
        return label_style(self.name)[1]


def setup_labels(repo: str | None, dry_run: bool) -> list[LabelResult]:
    """Create (or restyle) the trigger labels; ``dry_run`` asks GitHub nothing."""
    if dry_run:
        return [LabelResult(n, "would create or update") for n in TRIGGER_LABELS]
    from showtime_iac.settings import Settings

    client = wiring.open_github(Settings.from_env(), repo)
    return [LabelResult(n, client.ensure_label(n)) for n in TRIGGER_LABELS]


def prune_labels(repo: str | None, dry_run: bool) -> list[str]:
    """Delete the 🎪 label definitions no open PR uses; the names deleted (or that would be)."""
    from showtime_iac.settings import Settings

    client = wiring.open_github(Settings.from_env(), repo)
    in_use = {n for pr in client.list_showtime_prs() for n in pr.labels}
    return client.prune_label_definitions(in_use, dry_run=dry_run)
