"""What AWS accepts as ids, names and values in our stack config: patterns and checks.

Pure. Used by :mod:`.stack_config`; each check returns ``(ok, message)`` pairs so a caller
raises its own error with the first message that fails.
"""

from __future__ import annotations

import re

__all__ = [
    "LOG_RETENTION_DAYS",
    "MAX_DOMAIN_LENGTH",
    "access_checks",
    "domain_checks",
    "routing_checks",
]

# CloudWatch Logs accepts only these retention periods (days).
LOG_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
    2922, 3288, 3653,
)  # fmt: skip

_REGION_RE = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")
_ECS_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
_ECR_NAME_RE = re.compile(r"^[a-z0-9]+(?:[._/-][a-z0-9]+)*$")
_ROLE_NAME_RE = re.compile(r"^[\w+=,.@-]{1,64}$")
_ARN_RE = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{0,12}:[\w+=,.@/:-]{1,1000}$")
_ECR_URL_RE = re.compile(r"^[a-z0-9.-]+\.amazonaws\.com(\.cn)?/[a-z0-9._/-]+$")
# Real ids are hex; the offline default uses clearly named placeholders, also accepted here.
_SUBNET_RE = re.compile(r"^subnet-[0-9a-z-]{1,40}$")
_SG_RE = re.compile(r"^sg-[0-9a-z-]{1,40}$")
_VPC_RE = re.compile(r"^vpc-[0-9a-z-]{1,40}$")
_CIDR_RE = re.compile(r"^\d{1,3}(\.\d{1,3}){3}/\d{1,2}$")
DOMAIN_RE = re.compile(r"^(?=.{4,25}$)([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$")
_ZONE_RE = re.compile(r"^Z[A-Z0-9]{1,31}$")
_LB_NAME_RE = re.compile(r"^(?!-)(?!internal-)[A-Za-z0-9-]{1,32}(?<!-)$")
_POLICY_NAME_RE = re.compile(r"^[\w+=,.@-]{1,128}$")
_POLICY_ARN_RE = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:policy/([\w+=,.@-]+/)*[\w+=,.@-]{1,128}$")
_BUCKET_RE = re.compile(r"^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
# ELB: the prefix of access log objects, never containing "AWSLogs" nor starting with "/"
_LOG_PREFIX_RE = re.compile(r"^(?!/)(?!.*AWSLogs)[A-Za-z0-9!_.*'()/-]{1,200}(?<!/)$")
#: ``🎪 abc1234 🌐 pr-1234567.<domain>`` must fit GitHub's 50 characters (PRs to 9,999,999)
MAX_DOMAIN_LENGTH = 25


def domain_checks(domain: str | None) -> list[tuple[bool, str]]:
    if domain is None:
        return []
    return [
        (
            bool(DOMAIN_RE.match(domain)),
            f"invalid domain {domain[:60]!r}: lowercase DNS name of at most "
            f"{MAX_DOMAIN_LENGTH} characters (the 🌐 label must fit GitHub's 50), e.g. "
            "preview.example.org",
        )
    ]


def routing_checks(
    domain: str | None,
    load_balancer_name: str,
    arns: tuple[str | None, ...],
    hosted_zone_id: str | None,
    alb_security_group_id: str | None,
) -> list[tuple[bool, str]]:
    checks = domain_checks(domain)
    checks.append(
        (
            bool(_LB_NAME_RE.match(load_balancer_name)),
            f"invalid load balancer name {load_balancer_name[:60]!r}",
        )
    )
    for arn in arns:
        if arn is not None:
            checks.append((bool(_ARN_RE.match(arn)), f"invalid ARN {arn[:100]!r}"))
    if hosted_zone_id is not None:
        checks.append(
            (
                bool(_ZONE_RE.match(hosted_zone_id)),
                f"invalid hosted zone id {hosted_zone_id[:40]!r}",
            )
        )
    if alb_security_group_id is not None:
        checks.append(
            (
                bool(_SG_RE.match(alb_security_group_id)),
                f"invalid security group id {alb_security_group_id[:60]!r}",
            )
        )
    return checks


def access_checks(
    boundary_name: str,
    boundary_arn: str | None,
    access_logs_bucket: str | None,
    access_logs_prefix: str | None,
) -> list[tuple[bool, str]]:
    """The permissions boundary (a managed policy of this account) and the load balancers'
    access logs (an S3 bucket, a key prefix)."""
    checks = [
        (
            bool(_POLICY_NAME_RE.match(boundary_name)),
            f"invalid IAM policy name {boundary_name[:80]!r}",
        )
    ]
    if boundary_arn is not None:
        checks.append(
            (
                bool(_POLICY_ARN_RE.match(boundary_arn)),
                f"invalid permissions boundary {boundary_arn[:100]!r}: the ARN of a managed "
                "policy of this account, arn:aws:iam::<account>:policy/<name>",
            )
        )
    if access_logs_bucket is not None:
        checks.append(
            (
                bool(_BUCKET_RE.match(access_logs_bucket)),
                f"invalid S3 bucket name {access_logs_bucket[:80]!r}",
            )
        )
    if access_logs_prefix is not None:
        checks.append(
            (
                access_logs_bucket is not None,
                "showtime-iac:albAccessLogsPrefix needs showtime-iac:albAccessLogsBucket",
            )
        )
        checks.append(
            (
                bool(_LOG_PREFIX_RE.match(access_logs_prefix)),
                f"invalid access log prefix {access_logs_prefix[:80]!r}: no leading or "
                "trailing /, never AWSLogs",
            )
        )
    return checks
