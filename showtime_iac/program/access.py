"""An environment's secrets and who may read them: one Secrets Manager secret, one execution role.

- :class:`EnvSecrets` — Superset's ``SECRET_KEY`` and the admin password, from the stack's
  secret config (``showtime-iac:secretKey`` / ``adminPassword``), which the driver generates
  once when it creates the stack. They only ever travel as Pulumi secrets.
- :func:`declare_secret` — the secret (a JSON object of both), ``recovery_window_in_days=0``
  so ``destroy`` removes it at once, and its version.
- :func:`declare_execution_role` — the environment's own ECS task execution role: pull its
  image, write its log group, read exactly its secret. No other environment's role can read it.
  It carries the permissions boundary (:func:`task_boundary_policy`, a managed policy the
  shared stack creates) and trusts ``ecs-tasks.amazonaws.com`` of this account only
  (``aws:SourceAccount``, :func:`assume_ecs_tasks`). The deploy policy that ships in
  ``docs/iam/deploy-policy.json`` can create roles only with that boundary.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi

from showtime_iac.core.model import LOG_GROUP_PREFIX, NAME_PREFIX, EnvConfig, resource_names
from showtime_iac.core.stack_config import StackConfigError, key
from showtime_iac.program.containers import SECRET_ENV

__all__ = [
    "EnvSecrets",
    "OFFLINE_SECRETS",
    "assume_ecs_tasks",
    "declare_execution_role",
    "declare_secret",
    "ecr_pull_statements",
    "ecr_repository_arn",
    "task_boundary_policy",
]


def assume_ecs_tasks(account: str) -> str:
    """The trust policy of a role ECS tasks assume: ``ecs-tasks.amazonaws.com``, acting for
    ``account`` only (``aws:SourceAccount``: no other account's task can use the role)."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"aws:SourceAccount": account}},
                }
            ],
        }
    )


def task_boundary_policy(account: str, region: str) -> str:
    """The permissions boundary of every environment's role: the most any of them may do,
    whatever policy it is given. Its own policy is narrower still (one repository, one log
    group, one secret); the boundary holds if a role's policy is ever wrong or widened."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                # an image may come from another account's repository (a prebuilt image)
                *ecr_pull_statements("arn:aws:ecr:*:*:repository/*"),
                {
                    "Sid": "Logs",
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                    "Resource": f"arn:aws:logs:{region}:{account}:log-group:{LOG_GROUP_PREFIX}*:*",
                },
                {
                    "Sid": "OwnSecrets",
                    "Effect": "Allow",
                    "Action": "secretsmanager:GetSecretValue",
                    "Resource": f"arn:aws:secretsmanager:{region}:{account}:secret:{NAME_PREFIX}*",
                },
            ],
        }
    )


_ECR_IMAGE_RE = re.compile(
    r"^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/([a-z0-9._/-]+?)(?:[:@].*)?$"
)


@dataclass(frozen=True)
class EnvSecrets:
    """The two secrets of one environment; never in ``repr``. ``placeholder`` in offline
    renders of a stack that does not exist yet (the driver generates real ones)."""

    secret_key: str = field(repr=False)
    admin_password: str = field(repr=False)
    placeholder: bool = False

    @classmethod
    def from_stack_config(cls, values: Mapping[str, str], *, offline: bool) -> EnvSecrets:
        got = {k: values.get(key(k)) for k in ("secretKey", "adminPassword")}
        if all(got.values()):
            return cls(str(got["secretKey"]), str(got["adminPassword"]))
        if offline:
            return OFFLINE_SECRETS
        missing = ", ".join(key(k) for k, v in got.items() if not v)
        raise StackConfigError(
            f"missing secret config {missing}: `showtime-iac up` generates it when it creates "
            "the stack (or set it with `pulumi config set --secret`)"
        )

    def secret_string(self) -> pulumi.Output[str]:
        """The secret's value, a JSON object keyed as the container's ``secrets`` read it."""
        values = {"SUPERSET_SECRET_KEY": self.secret_key, "ADMIN_PASSWORD": self.admin_password}
        assert set(values) == set(SECRET_ENV.values())
        return pulumi.Output.secret(json.dumps(values, sort_keys=True))


#: clearly not real: what an offline render uses for a stack without secret config
OFFLINE_SECRETS = EnvSecrets(
    "offline-placeholder-secret-key", "offline-placeholder-password", placeholder=True
)


def ecr_repository_arn(url: str) -> str | None:
    """``123456789012.dkr.ecr.us-west-2.amazonaws.com/superset-ci[:tag|@digest]`` →
    ``arn:aws:ecr:us-west-2:123456789012:repository/superset-ci``; None for other registries."""
    m = _ECR_IMAGE_RE.match(url)
    if m is None:
        return None
    account, region, repo = m.groups()
    return f"arn:aws:ecr:{region}:{account}:repository/{repo}"


def declare_secret(cfg: EnvConfig, secrets: EnvSecrets, tags: Mapping[str, str]) -> Any:
    """The environment's secret and its one version; returns the secret (its ``arn``)."""
    import pulumi_aws as aws

    names = resource_names(cfg.pr, cfg.sha)
    secret = aws.secretsmanager.Secret(
        "superset-secret",
        # a prefix: a force-deleted name stays taken for a moment, and a stack may be re-created
        name_prefix=names.secret_prefix,
        description=f"showtime-iac {names.stack}: Superset SECRET_KEY and admin password",
        recovery_window_in_days=0,  # `destroy` removes it now, not in 7-30 days
        tags=dict(tags),
    )
    aws.secretsmanager.SecretVersion(
        "superset-secret-value",
        secret_id=secret.id,
        secret_string=secrets.secret_string(),
    )
    return secret


def ecr_pull_statements(repositories: str | Sequence[str]) -> list[dict[str, Any]]:
    """The IAM statements an execution role needs to pull from ``repositories``."""
    return [
        {
            "Sid": "EcrAuth",
            "Effect": "Allow",
            "Action": "ecr:GetAuthorizationToken",
            "Resource": "*",  # this action cannot be scoped to a repository
        },
        {
            "Sid": "EcrPull",
            "Effect": "Allow",
            "Action": [
                "ecr:BatchCheckLayerAvailability",
                "ecr:GetDownloadUrlForLayer",
                "ecr:BatchGetImage",
            ],
            "Resource": repositories,
        },
    ]


def _execution_policy(repository_arns: Sequence[str], log_group_arn: str, secret_arn: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                *ecr_pull_statements(sorted(set(repository_arns))),
                {
                    "Sid": "Logs",
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                    "Resource": f"{log_group_arn.removesuffix(':*')}:*",
                },
                {
                    "Sid": "OwnSecret",
                    "Effect": "Allow",
                    "Action": "secretsmanager:GetSecretValue",
                    "Resource": secret_arn,
                },
            ],
        },
        sort_keys=True,
    )


def declare_execution_role(
    cfg: EnvConfig,
    *,
    repository_url: pulumi.Input[str],
    log_group_arn: pulumi.Input[str],
    secret_arn: pulumi.Input[str],
    permissions_boundary: pulumi.Input[str],
    tags: Mapping[str, str],
) -> tuple[Any, Any]:
    """The environment's own execution role, within the permissions boundary, and its
    least-privilege inline policy (the service waits for the policy: a task started before it
    could not read its secret)."""
    import pulumi_aws as aws

    names = resource_names(cfg.pr, cfg.sha)
    account = aws.get_caller_identity_output().account_id
    role = aws.iam.Role(
        "execution-role",
        name=names.execution_role,
        description=f"showtime-iac {names.stack}: pull its image, write its logs, read its secret",
        assume_role_policy=account.apply(assume_ecs_tasks),
        permissions_boundary=permissions_boundary,
        tags=dict(tags),
    )

    def policy(args: list[Any]) -> str:
        url, log_arn, secret = (str(a) for a in args)
        repos = [a for a in (ecr_repository_arn(url), _image_repo(cfg)) if a]
        return _execution_policy(repos, log_arn, secret)

    role_policy = aws.iam.RolePolicy(
        "execution-role-policy",
        role=role.name,
        policy=pulumi.Output.all(repository_url, log_group_arn, secret_arn).apply(policy),
    )
    return role, role_policy


def _image_repo(cfg: EnvConfig) -> str | None:
    return ecr_repository_arn(cfg.image) if cfg.image else None
