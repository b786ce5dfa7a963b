"""The GitHub adapter's error, and what the token needs (named in its messages)."""

from __future__ import annotations

from github import GithubException

from showtime_iac.core.model import ShowtimeError
from showtime_iac.settings import token_permissions

__all__ = ["WRITE_PERMISSIONS", "GitHubError", "error_message"]

#: what the token needs (named in error messages): the one list, in showtime_iac.settings
WRITE_PERMISSIONS = token_permissions()


class GitHubError(ShowtimeError):
    """GitHub refused or failed a request after the retries: exit 1, message says why."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def error_message(exc: GithubException) -> str:
    data = exc.data
    if isinstance(data, dict):
        return str(data.get("message") or data)[:200]
    return str(data)[:200]
