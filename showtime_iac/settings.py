"""Environment variables and defaults, read and validated once at the edge.

The core never reads the environment: the CLI builds a :class:`Settings` and passes
what each part needs.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from showtime_iac.errors import InputError, PrerequisiteError

__all__ = [
    "DEFAULT_API_URL",
    "TOKEN_PERMISSIONS",
    "Settings",
    "default_backend_url",
    "token_permissions",
]

DEFAULT_API_URL = "https://api.github.com"

#: What GITHUB_TOKEN needs for ``sync`` and ``cleanup``: the one list that ``doctor``, the
#: errors of a refused request and the docs name, and the workflows' sync job grants
#: (tests/workflows holds them together). Read the PR and the branch (contents), write labels
#: (issues: a PR's labels live on its issue), the sticky comment (pull-requests) and the
#: GitHub deployment (deployments).
TOKEN_PERMISSIONS = (
    "contents: read",
    "pull-requests: write",
    "issues: write",
    "deployments: write",
)


def token_permissions() -> str:
    """``contents: read, pull-requests: write, ...``: :data:`TOKEN_PERMISSIONS` in a message."""
    return ", ".join(TOKEN_PERMISSIONS)


_REPO_RE = re.compile(r"^[A-Za-z0-9_.-]{1,39}/[A-Za-z0-9_.-]{1,100}$")


def default_backend_url(home: Path | None = None) -> str:
    """The embedded default backend: a local ``file://`` directory (created on first use)."""
    base = home if home is not None else Path.home()
    return f"file://{base / '.showtime-iac' / 'pulumi-state'}"


@dataclass(frozen=True)
class Settings:
    """Every knob that comes from the environment. Secrets are kept out of ``repr``."""

    github_token: str | None = None
    github_repository: str | None = None
    github_api_url: str = DEFAULT_API_URL
    github_event_path: str | None = None
    github_event_name: str | None = None
    github_run_url: str | None = None
    github_step_summary: str | None = None
    aws_region: str = "us-west-2"
    aws_endpoint_url: str | None = None
    pulumi_backend_url: str | None = None
    pulumi_config_passphrase_set: bool = False
    ecs_cluster: str = "superset-ci"
    ecr_repository: str = "superset-ci"
    #: HTTPS mode: environments at pr-{n}.<domain> (SHOWTIME_DOMAIN); unset: public-IP mode
    domain: str | None = None
    #: the login the token acts as (SHOWTIME_GITHUB_LOGIN, e.g. ``my-app[bot]`` for a GitHub
    #: App's token); unset: asked from ``GET /user``, else ``github-actions[bot]``
    github_login: str | None = None

    def __repr__(self) -> str:  # never print the token
        token = "set" if self.github_token else "unset"
        return (
            f"Settings(repo={self.github_repository!r}, api={self.github_api_url!r}, token={token})"
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        e = os.environ if env is None else env
        repo = e.get("GITHUB_REPOSITORY") or None
        if repo is not None and not _REPO_RE.match(repo):
            raise InputError(f"GITHUB_REPOSITORY={repo[:80]!r} is not OWNER/NAME")
        api = (e.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/")
        if not api.startswith(("http://", "https://")):
            raise InputError(f"GITHUB_API_URL={api[:80]!r} must start with http:// or https://")
        server = e.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
        run_id = e.get("GITHUB_RUN_ID")
        run_url = f"{server}/{repo}/actions/runs/{run_id}" if repo and run_id else None
        return cls(
            github_token=e.get("GITHUB_TOKEN") or None,
            github_repository=repo,
            github_api_url=api,
            github_event_path=e.get("GITHUB_EVENT_PATH") or None,
            github_event_name=e.get("GITHUB_EVENT_NAME") or None,
            github_run_url=run_url,
            github_step_summary=e.get("GITHUB_STEP_SUMMARY") or None,
            github_login=e.get("SHOWTIME_GITHUB_LOGIN") or None,
            aws_region=e.get("AWS_REGION") or e.get("AWS_DEFAULT_REGION") or "us-west-2",
            aws_endpoint_url=e.get("AWS_ENDPOINT_URL") or None,
            pulumi_backend_url=e.get("PULUMI_BACKEND_URL") or None,
            pulumi_config_passphrase_set="PULUMI_CONFIG_PASSPHRASE" in e
            or "PULUMI_CONFIG_PASSPHRASE_FILE" in e,
            ecs_cluster=e.get("ECS_CLUSTER") or "superset-ci",
            ecr_repository=e.get("ECR_REPOSITORY") or "superset-ci",
            domain=(e.get("SHOWTIME_DOMAIN") or "").strip().lower() or None,
        )

    def require_github(self) -> tuple[str, str]:
        """Token and repository, or an error naming what is missing (a token: a missing
        prerequisite; a repository: a missing input)."""
        if not self.github_token:
            raise PrerequisiteError(
                f"GITHUB_TOKEN is not set: export a token with {token_permissions()}"
            )
        if not self.github_repository:
            raise InputError("GITHUB_REPOSITORY is not set: export OWNER/NAME or pass --repo")
        return self.github_token, self.github_repository
