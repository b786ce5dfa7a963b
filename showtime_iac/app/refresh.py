"""The commit a ``/showtime refresh`` comment approved, from what GitHub says about the PR now
(issue 26, item 5). The decision is :func:`showtime_iac.core.refresh_commit.approved_commit`;
this module only reads the PR (its head, whether it comes from a fork, its commits)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from showtime_iac.core.model import InputError, PrInfo
from showtime_iac.core.refresh_commit import Approved, Refused, approved_commit

__all__ = ["PrReads", "refresh_commit", "refresh_from_event"]


class PrReads(Protocol):
    """The two reads the decision needs (the GitHub adapter's client has both)."""

    def get_pr(self, number: int) -> PrInfo: ...

    def pr_commits(self, number: int) -> tuple[str, ...]: ...


class PrReadsAndReply(PrReads, Protocol):
    def post_comment(self, number: int, body: str) -> None: ...


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


def _created_at(comment: dict[str, Any]) -> datetime:
    text = str(comment.get("created_at") or "")
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"the comment's created_at {text[:40]!r} is no ISO 8601 time") from None
    if at.tzinfo is None:
        raise InputError(f"the comment's created_at {text!r} has no time zone")  # ISO: short
    return at


def refresh_from_event(
    number: int,
    event_path: Path,
    *,
    reply: bool,
    github: PrReadsAndReply | None = None,
) -> dict[str, Any]:
    """For the workflow's plan job: the commit an ``issue_comment`` event's refresh deploys.

    ``{"refresh": false}`` when the comment is no refresh (the run is about the head, as
    before). Otherwise ``{"refresh": true, "sha": <full SHA> or null, "reply": <text> or
    null}``: a refused refresh has no SHA and the reply says why. ``reply``: post that reply
    on the PR (the sync job does it; the plan job's token cannot write)."""
    from showtime_iac.app.inputs import load_payload
    from showtime_iac.core.commands import Command, parse_comment

    payload = load_payload(event_path)
    comment = payload.get("comment")
    if not isinstance(comment, dict):
        raise InputError(f"{event_path}: not an issue_comment event (no comment)")
    cmd = parse_comment(str(comment.get("body") or ""))
    if not isinstance(cmd, Command) or cmd.name != "refresh":
        return {"refresh": False}
    if github is None:
        from showtime_iac.adapters.github import GitHubClient
        from showtime_iac.settings import Settings

        github = GitHubClient.from_settings(Settings.from_env())
    got = refresh_commit(github, number, requested=cmd.arg, comment_at=_created_at(comment))
    if isinstance(got, Approved):
        return {"refresh": True, "sha": got.sha, "reply": None, "why": got.why}
    if reply:
        github.post_comment(number, f"🎪 {got.reply}")
    return {"refresh": True, "sha": None, "reply": got.reply}
