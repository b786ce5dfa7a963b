"""The PR's one sticky status comment (found by its marker, edited in place) and one-off
replies; neither is ever posted twice after a lost answer.

Only a comment the token's own identity wrote is the sticky comment: anyone can write the
marker into a comment of theirs, and the tool must never edit it (issue 26). The identity is
``SHOWTIME_GITHUB_LOGIN`` when set (a GitHub App's ``<slug>[bot]``); otherwise ``GET /user``
(a personal token); an installation token cannot read ``/user`` (403), and the one GitHub
Actions gives (``GITHUB_TOKEN``) writes as ``github-actions[bot]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from showtime_iac.adapters.github.errors import GitHubError
from showtime_iac.adapters.github.transport import GitHubTransport
from showtime_iac.core.comment import MARKER

__all__ = ["ACTIONS_LOGIN", "CommentsMixin"]

#: who GitHub Actions' GITHUB_TOKEN writes as
ACTIONS_LOGIN = "github-actions[bot]"


@dataclass
class _Sticky:
    id: int
    body: str


@dataclass
class CommentsMixin(GitHubTransport):
    """The comments of :class:`~showtime_iac.adapters.github.client.GitHubClient`."""

    _sticky: dict[int, _Sticky | None] = field(default_factory=dict)
    #: the login the token writes as; None: found out on first use (:meth:`own_login`)
    login: str | None = None

    def own_login(self) -> str:
        """Who this token writes comments as (see the module's docstring). One request, once."""
        if self.login is None:
            try:
                with self._errors("read the token's own user"):
                    self.login = str(self._request("GET", "/user")["login"])
            except GitHubError as exc:
                if exc.status not in (403, 404):
                    raise
                self.login = ACTIONS_LOGIN
        return self.login

    def _find_sticky(self, number: int) -> _Sticky | None:
        me = self.own_login().lower()
        with self._errors(f"read the comments of PR #{number}"):
            issue = self.gh.get_repo(self.repo_name).get_issue(number)
            for c in issue.get_comments():
                author = c.user.login.lower() if c.user is not None else ""
                if author == me and MARKER in (c.body or ""):
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
            landed=landed,
        )
