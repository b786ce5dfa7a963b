"""The GitHub client (PyGithub): one repository, its PRs, 🎪 labels, comment, deployments."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from github import Auth, Github

from showtime_iac.adapters.github.comments import CommentsMixin
from showtime_iac.adapters.github.deployments import DeploymentsMixin
from showtime_iac.adapters.github.files import FilesMixin
from showtime_iac.adapters.github.labels import LabelsMixin
from showtime_iac.adapters.github.reads import ReadsMixin
from showtime_iac.adapters.github.retry import BoundedRetry

if TYPE_CHECKING:
    from showtime_iac.settings import Settings

__all__ = ["GitHubClient"]


@dataclass
class GitHubClient(ReadsMixin, LabelsMixin, CommentsMixin, DeploymentsMixin, FilesMixin):
    """One repository on one GitHub API (``GITHUB_API_URL``), through PyGithub: the
    executor's ``GitHubPort``. Build it with :meth:`connect` or :meth:`from_settings`."""

    @classmethod
    def connect(
        cls,
        token: str,
        repo: str,
        *,
        base_url: str = "https://api.github.com",
        max_wait: float = 60.0,
        timeout: int = 20,
        sleep: Callable[[float], None] = time.sleep,
    ) -> GitHubClient:
        retry = BoundedRetry(
            max_wait=max_wait,
            total=4,
            backoff_factor=0.5,
            backoff_max=8,
            # reads only: writes are retried by _write, which knows which ones are safe
            allowed_methods=frozenset({"GET", "HEAD", "OPTIONS"}),
        )
        gh = Github(
            auth=Auth.Token(token),
            base_url=base_url.rstrip("/"),
            per_page=100,
            timeout=timeout,
            retry=retry,
            seconds_between_requests=0,
            seconds_between_writes=0,
            lazy=True,
        )
        return cls(gh=gh, repo_name=repo, max_wait=max_wait, sleep=sleep)

    @classmethod
    def from_settings(cls, settings: Settings, *, repo: str | None = None) -> GitHubClient:
        """Token from ``GITHUB_TOKEN``, repository from ``--repo`` or ``GITHUB_REPOSITORY``."""
        if repo is not None:
            from dataclasses import replace

            from showtime_iac.settings import Settings as _Settings

            checked = _Settings.from_env({"GITHUB_REPOSITORY": repo}).github_repository
            settings = replace(settings, github_repository=checked)
        token, name = settings.require_github()
        client = cls.connect(token, name, base_url=settings.github_api_url)
        client.login = settings.github_login
        return client
