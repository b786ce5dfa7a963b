"""The commit a ``/showtime refresh`` comment approved, from what GitHub says about the PR now
(issue 26, item 5). The decision is :func:`showtime_iac.core.refresh_commit.approved_commit`;
this module only reads the PR (its head, whether it comes from a fork, its commits)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from showtime_iac.core.model import PrInfo
from showtime_iac.core.refresh_commit import Approved, Refused, approved_commit

__all__ = ["PrReads", "refresh_commit"]


class PrReads(Protocol):
    """The two reads the decision needs (the GitHub adapter's client has both)."""

    def get_pr(self, number: int) -> PrInfo: ...

    def pr_commits(self, number: int) -> tuple[str, ...]: ...


def refresh_commit(
    github: PrReads,
    number: int,
    *,
    requested: str | None,
    comment_at: datetime,
    head_pushed_at: datetime | None = None,
) -> Approved | Refused:
    """Decide which commit of PR ``number`` a refresh created at ``comment_at`` deploys.

    The PR's commits are read only when the comment names one. ``head_pushed_at``: a
    server-side push time of the current head, when the caller has one (see the core module:
    GitHub keeps one only for force-pushes); ``None`` refuses a fork's unnamed refresh."""
    pr = github.get_pr(number)
    commits = github.pr_commits(number) if requested is not None else ()
    return approved_commit(
        head_sha=pr.head_sha,
        commits=commits,
        is_fork=pr.is_fork,
        requested=requested,
        comment_at=comment_at,
        head_pushed_at=head_pushed_at,
    )
