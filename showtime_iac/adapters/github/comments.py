"""The PR's one sticky status comment (found by its marker, edited in place) and one-off
replies; neither is ever posted twice after a lost answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from showtime_iac.adapters.github.errors import GitHubError
from showtime_iac.adapters.github.transport import GitHubTransport
from showtime_iac.core.comment import MARKER

__all__ = ["CommentsMixin"]


@dataclass
class _Sticky:
    id: int
    body: str


@dataclass
class CommentsMixin(GitHubTransport):
    """The comments of :class:`~showtime_iac.adapters.github.client.GitHubClient`."""

    _sticky: dict[int, _Sticky | None] = field(default_factory=dict)

    def _find_sticky(self, number: int) -> _Sticky | None:
        with self._errors(f"read the comments of PR #{number}"):
            issue = self.gh.get_repo(self.repo_name).get_issue(number)
            for c in issue.get_comments():
                if MARKER in (c.body or ""):
                    return _Sticky(c.id, c.body)
        return None

    def status_comment_body(self, number: int) -> str | None:
        if number not in self._sticky:
            self._sticky[number] = self._find_sticky(number)
        found = self._sticky[number]
        return found.body if found else None

    def upsert_status_comment(self, number: int, body: str) -> int:
        """Edit the PR's one status comment in place, or create it: never a duplicate."""
        if number not in self._sticky:
            self._sticky[number] = self._find_sticky(number)
        found = self._sticky[number]
        if found is not None:
            url = f"{self._url}/issues/comments/{found.id}"
            try:
                self._write(
                    f"edit the status comment of PR #{number}",
                    lambda: self._request("PATCH", url, {"body": body}),
                    idempotent=True,
                )
                self._sticky[number] = _Sticky(found.id, body)
                return found.id
            except GitHubError as exc:
                if exc.status != 404:
                    raise
                # deleted by someone meanwhile: post a new one
        comments = f"{self._url}/issues/{number}/comments"

        def landed() -> dict[str, Any] | None:
            again = self._find_sticky(number)
            return {"id": again.id} if again else None

        data = self._write(
            f"post the status comment on PR #{number}",
            lambda: self._request("POST", comments, {"body": body}),
            idempotent=False,
            landed=landed,
        )
        assert data is not None
        cid = int(data["id"])
        self._sticky[number] = _Sticky(cid, body)
        return cid

    def post_comment(self, number: int, body: str) -> None:
        """A one-off reply. After a 5xx it is re-posted only if it is not on the PR."""
        url = f"{self._url}/issues/{number}/comments"

        def landed() -> dict[str, Any] | None:
            issue = self.gh.get_repo(self.repo_name).get_issue(number)
            recent = list(issue.get_comments())[-5:]
            return (
                {"id": c.id} if (c := next((c for c in recent if c.body == body), None)) else None
            )

        self._write(
            f"comment on PR #{number}",
            lambda: self._request("POST", url, {"body": body}),
            idempotent=False,
            landed=landed,
        )
