"""Which commit a ``/showtime refresh`` approved (issue 26, item 5). Pure.

A writer's refresh deploys the commit the writer saw, never whatever the head is when the run
reads it: on a fork PR its author can push right after the comment, and that unreviewed commit
would be deployed under the writer's name.

- ``/showtime refresh <sha>`` (7 to 40 hex digits): that commit, when it is the PR's head or
  one of the PR's commits (an abbreviation must name exactly one of them). Anything else is
  refused: the tool never deploys a commit that is not part of the PR.
- A PR whose head branch lives in this repository: the head. Pushing there takes write
  access, so whoever moved the head may deploy it themselves.
- A fork PR: the head only when a server-side time of GitHub says it was pushed before the
  comment was created. Otherwise the refresh is refused with a reply that names the head, so
  the writer can review it and answer ``/showtime refresh <sha7>``.

Why a fork's push time is usually unknown: the commit's author and committer dates (and the
``committed`` timeline events, which carry them) are written by the fork's author and can say
anything; the PR's ``updated_at`` moves with every comment and label, the writer's own comment
included; only a force-push leaves a server-timed ``head_ref_force_pushed`` timeline event.
So the caller passes ``head_pushed_at`` only from such a server-side record, and ``None``
otherwise: unknown means refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from showtime_iac.core.model import SHA_RE

__all__ = ["Approved", "Refused", "approved_commit", "parse_requested"]


@dataclass(frozen=True)
class Approved:
    """Deploy this commit (a full SHA of the PR)."""

    sha: str
    why: str


@dataclass(frozen=True)
class Refused:
    """Deploy nothing; answer the writer with ``reply``."""

    reply: str


def parse_requested(arg: str) -> str | None:
    """The commit a ``refresh <sha>`` names, lower-cased; ``None`` when it is no 7-40 hex SHA."""
    sha = arg.strip().lower()
    return sha if SHA_RE.fullmatch(sha) else None


def approved_commit(
    *,
    head_sha: str,
    commits: Sequence[str],
    is_fork: bool,
    requested: str | None,
    comment_at: datetime,
    head_pushed_at: datetime | None,
) -> Approved | Refused:
    """The commit a refresh comment created at ``comment_at`` approved (module docstring).

    ``head_sha``: the PR's head as the run reads it; ``commits``: the PR's commits;
    ``requested``: the SHA the comment named (:func:`parse_requested`), if any;
    ``head_pushed_at``: GitHub's server-side time of the head's push, ``None`` when unknown."""
    head = head_sha.lower()
    if requested is not None:
        known = {head, *(c.lower() for c in commits)}
        matches = sorted(c for c in known if c.startswith(requested))
        if len(matches) == 1:
            return Approved(matches[0], f"the commit the comment names ({requested})")
        if not matches:
            return Refused(
                f"`{requested}` is not a commit of this PR: nothing was deployed. "
                f"The head is `{head[:7]}`."
            )
        return Refused(
            f"`{requested}` names more than one commit of this PR: give more digits. "
            "Nothing was deployed."
        )
    if not is_fork:
        return Approved(head, "the head of a branch of this repository")
    if head_pushed_at is not None and head_pushed_at < comment_at:
        return Approved(head, "the fork's head, pushed before the comment")
    return Refused(
        "This PR comes from a fork and its head may have moved after your comment, so "
        f"nothing was deployed. Review the head `{head[:7]}` and reply "
        f"`/showtime refresh {head[:7]}` to deploy it."
    )
