"""``credentials``: the admin login of a PR's environment, for people with AWS access.

Reads the environment's Secrets Manager secret through the AWS adapter. The password goes to
the caller only: never to a log, a label, a comment or a job summary.
"""

from __future__ import annotations

from typing import Any

from showtime_iac.core.model import short_sha

__all__ = ["admin_login"]


def admin_login(pr: int, sha: str | None = None) -> dict[str, Any]:
    """``{"pr", "sha", "username", "password", "secret_arn"}`` of PR ``pr``'s environment at
    ``sha`` (default: its newest). Raises ``CredentialsMissingError`` (exit 2) without AWS
    credentials, ``NoSecretError`` (exit 1) when there is no such environment."""
    from showtime_iac.adapters.aws import AwsClients
    from showtime_iac.adapters.aws.credentials import admin_login as read
    from showtime_iac.settings import Settings

    clients = AwsClients.from_settings(Settings.from_env())
    assert clients.secretsmanager is not None  # from_settings makes every client
    return read(clients.secretsmanager, pr, short_sha(sha) if sha else None).to_json()
