"""The admin login of an environment, read from its Secrets Manager secret (boto3).

Each environment's secret is named ``sti-pr-{n}-{sha7}/…`` (a name prefix: the provider adds a
unique suffix) and tagged with its PR and SHA; its value is a JSON object with the Superset
``SECRET_KEY`` and the admin password. Only the password leaves this module, and only in
:class:`AdminLogin`, which keeps it out of ``repr``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from showtime_iac.core.model import NAME_PREFIX, ShowtimeError, short_sha

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient

__all__ = ["ADMIN_USER", "AdminLogin", "NoSecretError", "admin_login"]

ADMIN_USER = "admin"  # program.containers.ADMIN_USER (the AWS adapter does not import pulumi)


class NoSecretError(ShowtimeError):
    """No environment secret for that PR (or SHA): nothing deployed, or before issue 16."""


@dataclass(frozen=True)
class AdminLogin:
    """Superset's admin login of one environment."""

    pr: int
    sha: str
    username: str
    password: str = field(repr=False)
    secret_arn: str = ""
    created: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "pr": self.pr,
            "sha": self.sha,
            "username": self.username,
            "password": self.password,
            "secret_arn": self.secret_arn,
        }


def _candidates(client: SecretsManagerClient, pr: int) -> list[dict[str, Any]]:
    from showtime_iac.adapters.aws.session import aws_call as _aws

    prefix = f"{NAME_PREFIX}pr-{pr}-"
    mine = re.compile(rf"^{re.escape(prefix)}([0-9a-f]{{7}})/")
    out: list[dict[str, Any]] = []
    with _aws(f"ListSecrets {prefix}*"):
        pages = client.get_paginator("list_secrets").paginate(
            Filters=[{"Key": "name", "Values": [prefix]}]
        )
        for page in pages:
            for s in page.get("SecretList", []):
                m = mine.match(str(s.get("Name", "")))
                tags = {t.get("Key"): t.get("Value") for t in s.get("Tags", [])}
                if m is None or tags.get("showtime:pr") != str(pr):
                    continue  # a name that only looks like ours, or tags of another PR
                out.append({**s, "sha7": m.group(1)})
    return out


def admin_login(client: SecretsManagerClient, pr: int, sha: str | None = None) -> AdminLogin:
    """The admin login of PR ``pr``'s environment at ``sha``, or of its newest environment
    (during a rolling update: the one being deployed)."""
    from showtime_iac.adapters.aws.session import aws_call as _aws

    found = _candidates(client, pr)
    if sha is not None:
        sha7 = short_sha(sha)
        found = [s for s in found if s["sha7"] == sha7]
    if not found:
        which = f"PR #{pr}" + (f" at {short_sha(sha)}" if sha else "")
        raise NoSecretError(
            f"{which} has no environment secret: is it deployed (`showtime-iac status {pr}`)? "
            "Environments deployed before secrets were stored have the image's default login"
        )
    newest = max(found, key=lambda s: (s.get("CreatedDate") or datetime.min, s["Name"]))
    with _aws(f"GetSecretValue {newest['Name']}"):
        value = client.get_secret_value(SecretId=newest["ARN"])["SecretString"]
    try:
        password = str(json.loads(value)["ADMIN_PASSWORD"])
    except (ValueError, KeyError, TypeError):
        raise ShowtimeError(
            f"secret {newest['Name']} holds no ADMIN_PASSWORD: it was changed by hand; "
            "redeploy the environment"
        ) from None
    return AdminLogin(
        pr, newest["sha7"], ADMIN_USER, password, newest["ARN"], newest.get("CreatedDate")
    )
