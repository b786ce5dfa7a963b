"""The guarded labels a run may obey, verified against the PR's label events on GitHub.

The decision is :mod:`showtime_iac.core.guarded`'s; this module makes its reads, and only
when a guarded label is present that this run's own event did not add: one listing of the
PR's issue events (⌈events / 100⌉ requests) and one permission read per distinct adder.
Any error reading them means "not verified".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from showtime_iac.errors import ShowtimeError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from showtime_iac.adapters.github import GitHubClient
    from showtime_iac.core.model import Event

__all__ = ["Verifier", "unverified_labels"]


def unverified_labels(
    github: GitHubClient, event: Event, number: int, labels: Iterable[str]
) -> tuple[str, ...]:
    """The present guarded labels of PR ``number`` this run must not obey."""
    from showtime_iac.core.guarded import adders, needs_verification, unverified

    todo = needs_verification(event, labels)
    if not todo:
        return ()
    try:
        events = github.label_events(number)
        perms: dict[str, str | None] = {a: github.permission(a) for a in adders(todo, events)}
    except ShowtimeError:
        return todo
    return unverified(todo, events, perms)


class Verifier:
    """:func:`unverified_labels` for one PR and event, read once per set of labels."""

    def __init__(self, github: GitHubClient | None, event: Event, number: int) -> None:
        self._github, self._event, self._number = github, event, number
        self._seen: dict[tuple[str, ...], tuple[str, ...]] = {}

    def __call__(self, labels: Iterable[str]) -> tuple[str, ...]:
        """The unverified ones among ``labels`` (none without a GitHub client: offline)."""
        from showtime_iac.core.guarded import needs_verification

        if self._github is None:
            return ()
        todo = needs_verification(self._event, labels)
        if todo not in self._seen:
            self._seen[todo] = unverified_labels(self._github, self._event, self._number, todo)
        return self._seen[todo]
