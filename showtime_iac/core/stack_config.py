"""The mapping between typed configs and Pulumi stack config (``showtime-iac:*`` keys).

Pure: no pulumi import, no I/O. The Automation API driver writes a stack's config with
:func:`to_stack_config`; the Pulumi program reads it back with :func:`from_stack_config` and
:meth:`SharedConfig.from_stack_config`. Both directions are strict: an unknown key in our
namespace, an unknown size, a bad flag or a SHA that is not hex raise :class:`InputError`
before any resource is declared.

Every value is a string, as Pulumi stores it; flags and subnet ids are JSON.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from showtime_iac.core.aws_ids import (
    _ARN_RE,
    _CIDR_RE,
    _ECR_NAME_RE,
    _ECR_URL_RE,
    _ECS_NAME_RE,
    _REGION_RE,
    _ROLE_NAME_RE,
    _SG_RE,
    _SUBNET_RE,
    _VPC_RE,
    LOG_RETENTION_DAYS,
    MAX_DOMAIN_LENGTH,
    access_checks,
    routing_checks,
)
from showtime_iac.core.config_keys import (
    BUILD_KEYS,
    ENV_KEYS,
    NAMESPACE,
    REGION_KEY,
    ROUTER_KEYS,
    SECRET_KEYS,
    SHARED_KEYS,
    SHARED_STACK_KEY,
    StackConfigError,
    bool_value,
    check_keys,
    key,
)
from showtime_iac.core.model import SHA_RE, SIZES, EnvConfig, Size, Ttl
from showtime_iac.core.shards import RULES_PER_ALB, Quotas, parse_shards

__all__ = [
    "BUILD_KEYS",
    "MAX_DOMAIN_LENGTH",
    "ROUTER_KEYS",
    "SECRET_KEYS",
    "ENV_KEYS",
    "NAMESPACE",
    "SHARED_KEYS",
    "SHARED_STACK_KEY",
    "BuildConfig",
    "SharedConfig",
    "SharedStackRef",
    "StackConfigError",
    "from_stack_config",
    "key",
    "shared_source",
    "to_stack_config",
]

_PR_RE = re.compile(r"^(0|[1-9][0-9]{0,9})$")  # 0: the baseline environment
PLACEHOLDER = "placeholder"
PLACEHOLDER_LISTENER_ARN = (
    "arn:aws:elasticloadbalancing:us-west-2:000000000000:listener/app/placeholder/0/0"
)


def _json(name: str, text: str) -> Any:
    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in pairs:
            if k in out:
                raise StackConfigError(f"{key(name)} names {k[:70]!r} twice")
            out[k] = v
        return out

    try:
        return json.loads(text, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as e:
        raise StackConfigError(f"{key(name)} is not valid JSON: {e.msg}") from None


def _str_list(name: str, text: str, pattern: re.Pattern[str], what: str) -> tuple[str, ...]:
    value = _json(name, text)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise StackConfigError(f"{key(name)} must be a JSON list of {what}s")
    for v in value:
        if not pattern.match(v):
            raise StackConfigError(f"{key(name)}: {v[:60]!r} is not a valid {what}")
    return tuple(value)


# --------------------------------------------------------------------------- environment


def to_stack_config(cfg: EnvConfig) -> dict[str, str]:
    """The stack config of one environment: ``{"showtime-iac:pr": "1234", ...}``.

    Optional values that are unset (``image``, ``created``) are left out, so the default
    applies. Inverse of :func:`from_stack_config`.
    """
    out = {
        key("pr"): str(cfg.pr),
        key("sha"): cfg.sha,
        key("repo"): cfg.repo,
        key("size"): cfg.size,
        key("flags"): json.dumps(dict(cfg.flags), separators=(",", ":")),
        key("debug"): "true" if cfg.debug else "false",
        key("examples"): "true" if cfg.examples else "false",
        key("cacheRedis"): "true" if cfg.cache_redis else "false",
        key("ttl"): cfg.ttl.value,
        key("requester"): cfg.requester,
        # always written: config is merged, so a wake must overwrite a sleep's "true"
        key("sleeping"): "true" if cfg.sleeping else "false",
        # the same: the full up after a prepare must overwrite its "true"
        key("prepared"): "true" if cfg.prepared else "false",
    }
    if cfg.image is not None:
        out[key("image")] = cfg.image
    if cfg.image_sha is not None:
        out[key("imageSha")] = cfg.image_sha
    if cfg.created is not None:
        out[key("created")] = cfg.created.isoformat()
    if cfg.max_age_at is not None:
        out[key("maxAgeAt")] = cfg.max_age_at.isoformat()
    return out


def from_stack_config(values: Mapping[str, str]) -> EnvConfig:
    """Read one environment's :class:`EnvConfig` from its stack config; strict.

    Keys of other namespaces (``aws:region``) are ignored; an unknown ``showtime-iac:`` key is
    an error (a typo would otherwise silently fall back to a default).
    """
    check_keys(values)

    def get(name: str) -> str | None:
        v = values.get(key(name))
        return ENV_KEYS[name] if v is None else v

    pr_text, sha = get("pr"), get("sha")
    if pr_text is None or sha is None:
        missing = [key(n) for n, v in (("pr", pr_text), ("sha", sha)) if v is None]
        raise StackConfigError(
            f"missing stack config {' and '.join(missing)}: set it with "
            "`pulumi config set` or let `showtime-iac up` write it"
        )
    if not _PR_RE.match(pr_text.strip()):
        raise StackConfigError(
            f"{key('pr')} must be a positive integer (0: the baseline), not {pr_text[:40]!r}"
        )
    if not SHA_RE.match(sha):
        raise StackConfigError(
            f"{key('sha')} must be 7 to 40 lowercase hex characters, not {sha[:60]!r}"
        )
    size = get("size") or "medium"
    if size not in SIZES:
        raise StackConfigError(
            f"unknown size {size[:40]!r} in {key('size')}: choose one of {', '.join(SIZES)}"
        )
    raw_flags = _json("flags", get("flags") or "{}")
    if not isinstance(raw_flags, dict) or not all(isinstance(v, bool) for v in raw_flags.values()):
        raise StackConfigError(
            f'{key("flags")} must be a JSON object of flag → true/false, e.g. {{"ALERTS":true}}'
        )
    created, max_age_at = _time("created", get("created")), _time("maxAgeAt", get("maxAgeAt"))
    sized: Size = size
    return EnvConfig(
        pr=int(pr_text),
        sha=sha,
        repo=get("repo") or "apache/superset",
        size=sized,
        flags=tuple((str(k), bool(v)) for k, v in raw_flags.items()),
        debug=bool_value("debug", get("debug") or "false"),
        examples=bool_value("examples", get("examples") or "true"),
        cache_redis=bool_value("cacheRedis", get("cacheRedis") or "false"),
        image=get("image"),
        image_sha=get("imageSha"),
        ttl=Ttl(get("ttl") or "24h"),
        requester=get("requester") or "unknown",
        created=created,
        max_age_at=max_age_at,
        sleeping=bool_value("sleeping", get("sleeping") or "false"),
        prepared=bool_value("prepared", get("prepared") or "false"),
    )


def _time(name: str, text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise StackConfigError(f"{key(name)} must be an ISO 8601 time, not {text[:40]!r}") from None


# --------------------------------------------------------------------------- shared


@dataclass(frozen=True)
class SharedConfig:
    """What every environment shares: cluster, ECR repository, execution role, network.

    Each ``create_*`` switch says whether the ``shared`` stack creates the resource or uses an
    existing one by name/id. The defaults are the original Superset Showtime's setup: an
    existing cluster ``superset-ci`` and ECR repository ``superset-ci`` in us-west-2.
    ``None`` for an ARN/URL means "look it up by name when the program runs".
    """

    region: str = "us-west-2"
    cluster_name: str = "superset-ci"
    cluster_arn: str | None = None
    ecr_repository_name: str = "superset-ci"
    ecr_repository_url: str | None = None
    execution_role_name: str = "showtime-ecs-execution"
    execution_role_arn: str | None = None
    security_group_id: str | None = None
    vpc_id: str | None = None
    subnet_ids: tuple[str, ...] = ()
    ingress_cidrs: tuple[str, ...] = ("0.0.0.0/0",)
    log_retention_days: int = 7
    pr_image_max_age_days: int = 14
    create_cluster: bool = False
    create_ecr_repository: bool = False
    create_execution_role: bool = False
    create_security_group: bool = False
    ecr_lifecycle_policy: bool = True
    domain: str | None = None
    certificate_arn: str | None = None
    hosted_zone_id: str | None = None
    load_balancer_name: str = "showtime-iac"
    https_listener_arn: str | None = None
    alb_security_group_id: str | None = None
    #: HTTPS mode: the load balancers (shards, :mod:`core.shards`) and their rules quota
    load_balancer_shards: tuple[int, ...] = (0,)
    load_balancer_rules: int = RULES_PER_ALB
    #: the environments' roles' permissions boundary: created by the shared stack under this
    #: name, or this existing managed policy (then the shared stack creates none)
    permissions_boundary_name: str = "showtime-iac-task-boundary"
    permissions_boundary_arn: str | None = None
    #: HTTPS mode: deletion protection of shard 0's load balancer; access logs of every shard
    alb_deletion_protection: bool = False
    alb_access_logs_bucket: str | None = None
    alb_access_logs_prefix: str | None = None

    def __post_init__(self) -> None:
        Quotas(rules=self.load_balancer_rules)  # validates
        parse_shards(json.dumps(list(self.load_balancer_shards)))  # validates
        routing = routing_checks(
            self.domain,
            self.load_balancer_name,
            (self.certificate_arn, self.https_listener_arn),
            self.hosted_zone_id,
            self.alb_security_group_id,
        )
        access = access_checks(
            self.permissions_boundary_name,
            self.permissions_boundary_arn,
            self.alb_access_logs_bucket,
            self.alb_access_logs_prefix,
        )
        for ok, message in (*self._base_checks(), *routing, *access):
            if not ok:
                raise StackConfigError(message)

    def _base_checks(self) -> list[tuple[bool, str]]:
        checks: list[tuple[bool, str]] = [
            (bool(_REGION_RE.match(self.region)), f"invalid AWS region {self.region[:40]!r}"),
            (
                bool(_ECS_NAME_RE.match(self.cluster_name)),
                f"invalid ECS cluster name {self.cluster_name[:80]!r}",
            ),
            (
                len(self.ecr_repository_name) <= 256
                and bool(_ECR_NAME_RE.match(self.ecr_repository_name)),
                f"invalid ECR repository name {self.ecr_repository_name[:80]!r}",
            ),
            (
                bool(_ROLE_NAME_RE.match(self.execution_role_name)),
                f"invalid IAM role name {self.execution_role_name[:80]!r}",
            ),
            (
                self.log_retention_days in LOG_RETENTION_DAYS,
                f"log retention {self.log_retention_days} days is not one CloudWatch accepts "
                f"({', '.join(map(str, LOG_RETENTION_DAYS[:8]))}, ...)",
            ),
            (
                1 <= self.pr_image_max_age_days <= 3650,
                f"PR image max age {self.pr_image_max_age_days} must be 1 to 3650 days",
            ),
        ]
        for arn in (self.cluster_arn, self.execution_role_arn):
            if arn is not None:
                checks.append((bool(_ARN_RE.match(arn)), f"invalid ARN {arn[:100]!r}"))
        if self.ecr_repository_url is not None:
            checks.append(
                (
                    bool(_ECR_URL_RE.match(self.ecr_repository_url)),
                    f"invalid ECR repository URL {self.ecr_repository_url[:100]!r}",
                )
            )
        if self.security_group_id is not None:
            checks.append(
                (
                    bool(_SG_RE.match(self.security_group_id)),
                    f"invalid security group id {self.security_group_id[:60]!r}",
                )
            )
        if self.vpc_id is not None:
            checks.append((bool(_VPC_RE.match(self.vpc_id)), f"invalid VPC id {self.vpc_id!r}"))
        for s in self.subnet_ids:
            checks.append((bool(_SUBNET_RE.match(s)), f"invalid subnet id {s[:60]!r}"))
        for c in self.ingress_cidrs:
            checks.append((bool(_CIDR_RE.match(c)), f"invalid CIDR {c[:60]!r}"))
        if self.create_security_group:
            checks.append((self.vpc_id is not None, "createSecurityGroup needs showtime-iac:vpcId"))
        return checks

    def permissions_boundary(self, account: str) -> str:
        """The boundary's ARN in ``account``: the configured one, or the shared stack's."""
        if self.permissions_boundary_arn is not None:
            return self.permissions_boundary_arn
        return f"arn:aws:iam::{account}:policy/{self.permissions_boundary_name}"

    @classmethod
    def offline_default(cls, domain: str | None = None) -> SharedConfig:
        """The original's setup with placeholder network ids, for the offline render only;
        with a ``domain``, HTTPS mode with a placeholder listener, VPC and ALB group."""
        https = {}
        if domain is not None:
            https = {
                "vpc_id": "vpc-placeholder",
                "https_listener_arn": PLACEHOLDER_LISTENER_ARN,
                "alb_security_group_id": "sg-placeholder-alb",
            }
        return cls(
            subnet_ids=("subnet-placeholder-a", "subnet-placeholder-b"),
            security_group_id="sg-placeholder",
            domain=domain,
            **https,  # type: ignore[arg-type]
        )

    @property
    def placeholders(self) -> tuple[str, ...]:
        """The ids that are placeholders (never deploy with any)."""
        ids = (
            *self.subnet_ids,
            self.security_group_id or "",
            self.vpc_id or "",
            self.alb_security_group_id or "",
            self.https_listener_arn or "",
            self.certificate_arn or "",
        )
        return tuple(i for i in ids if PLACEHOLDER in i)

    def require_deployable(self) -> None:
        """Refuse what cannot work against AWS: placeholders, no subnets, no security group."""
        if self.placeholders:
            raise StackConfigError(
                f"placeholder ids {', '.join(self.placeholders)} cannot be deployed: set "
                "showtime-iac:subnetIds and showtime-iac:securityGroupId to real ids"
            )
        if not self.subnet_ids:
            raise StackConfigError(
                "no subnets: set showtime-iac:subnetIds (JSON list) on the shared stack"
            )
        if self.security_group_id is None and not self.create_security_group:
            raise StackConfigError(
                "no security group: set showtime-iac:securityGroupId, or "
                "showtime-iac:createSecurityGroup=true with showtime-iac:vpcId"
            )
        if self.domain is not None and self.vpc_id is None:
            raise StackConfigError(
                f"HTTPS mode (showtime-iac:domain={self.domain}) needs showtime-iac:vpcId "
                "(the load balancer's and the target groups' VPC)"
            )

    def require_load_balancer(self) -> None:
        """The shared stack in HTTPS mode declares a load balancer: a certificate, 2 subnets."""
        if self.domain is None:
            return
        if self.certificate_arn is None and self.hosted_zone_id is None:
            raise StackConfigError(
                f"HTTPS mode needs a certificate of *.{self.domain}: set "
                "showtime-iac:certificateArn, or showtime-iac:hostedZoneId to create one"
            )
        if len(self.subnet_ids) < 2:
            raise StackConfigError(
                "a load balancer needs subnets in two availability zones: list two or more "
                "in showtime-iac:subnetIds"
            )

    def to_stack_config(self) -> dict[str, str]:
        """This config as stack config values (``aws:region`` plus ``showtime-iac:*``)."""
        out: dict[str, str] = {
            REGION_KEY: self.region,
            key("clusterName"): self.cluster_name,
            key("ecrRepositoryName"): self.ecr_repository_name,
            key("executionRoleName"): self.execution_role_name,
            key("subnetIds"): json.dumps(list(self.subnet_ids)),
            key("ingressCidrs"): json.dumps(list(self.ingress_cidrs)),
            key("logRetentionDays"): str(self.log_retention_days),
            key("prImageMaxAgeDays"): str(self.pr_image_max_age_days),
            key("createCluster"): str(self.create_cluster).lower(),
            key("createEcrRepository"): str(self.create_ecr_repository).lower(),
            key("createExecutionRole"): str(self.create_execution_role).lower(),
            key("createSecurityGroup"): str(self.create_security_group).lower(),
            key("ecrLifecyclePolicy"): str(self.ecr_lifecycle_policy).lower(),
            key("loadBalancerName"): self.load_balancer_name,
            key("loadBalancerShards"): json.dumps(list(self.load_balancer_shards)),
            key("loadBalancerRules"): str(self.load_balancer_rules),
            key("permissionsBoundaryName"): self.permissions_boundary_name,
            key("albDeletionProtection"): str(self.alb_deletion_protection).lower(),
        }
        optional = {
            "clusterArn": self.cluster_arn,
            "ecrRepositoryUrl": self.ecr_repository_url,
            "executionRoleArn": self.execution_role_arn,
            "securityGroupId": self.security_group_id,
            "vpcId": self.vpc_id,
            "domain": self.domain,
            "certificateArn": self.certificate_arn,
            "hostedZoneId": self.hosted_zone_id,
            "httpsListenerArn": self.https_listener_arn,
            "albSecurityGroupId": self.alb_security_group_id,
            "permissionsBoundaryArn": self.permissions_boundary_arn,
            "albAccessLogsBucket": self.alb_access_logs_bucket,
            "albAccessLogsPrefix": self.alb_access_logs_prefix,
        }
        for name, value in optional.items():
            if value is not None:
                out[key(name)] = value
        return out

    @classmethod
    def from_stack_config(cls, values: Mapping[str, str]) -> SharedConfig:
        """Read the shared values from stack config; strict, defaults for absent keys."""
        check_keys(values)

        def get(name: str) -> str | None:
            v = values.get(key(name))
            return SHARED_KEYS[name] if v is None else v

        def req(name: str) -> str:
            v = get(name)
            assert v is not None  # every key read with req() has a default
            return v

        def integer(name: str) -> int:
            text = req(name).strip()
            if not text.isdigit():
                raise StackConfigError(f"{key(name)} must be a whole number, not {text[:40]!r}")
            return int(text)

        return cls(
            region=values.get(REGION_KEY) or "us-west-2",
            cluster_name=req("clusterName"),
            cluster_arn=get("clusterArn"),
            ecr_repository_name=req("ecrRepositoryName"),
            ecr_repository_url=get("ecrRepositoryUrl"),
            execution_role_name=req("executionRoleName"),
            execution_role_arn=get("executionRoleArn"),
            security_group_id=get("securityGroupId"),
            vpc_id=get("vpcId"),
            subnet_ids=_str_list("subnetIds", req("subnetIds"), _SUBNET_RE, "subnet id"),
            ingress_cidrs=_str_list("ingressCidrs", req("ingressCidrs"), _CIDR_RE, "CIDR"),
            log_retention_days=integer("logRetentionDays"),
            pr_image_max_age_days=integer("prImageMaxAgeDays"),
            create_cluster=bool_value("createCluster", req("createCluster")),
            create_ecr_repository=bool_value("createEcrRepository", req("createEcrRepository")),
            create_execution_role=bool_value("createExecutionRole", req("createExecutionRole")),
            create_security_group=bool_value("createSecurityGroup", req("createSecurityGroup")),
            ecr_lifecycle_policy=bool_value("ecrLifecyclePolicy", req("ecrLifecyclePolicy")),
            domain=get("domain") or None,
            certificate_arn=get("certificateArn"),
            hosted_zone_id=get("hostedZoneId"),
            load_balancer_name=req("loadBalancerName"),
            https_listener_arn=get("httpsListenerArn"),
            alb_security_group_id=get("albSecurityGroupId"),
            load_balancer_shards=parse_shards(req("loadBalancerShards")),
            load_balancer_rules=integer("loadBalancerRules"),
            permissions_boundary_name=req("permissionsBoundaryName"),
            permissions_boundary_arn=get("permissionsBoundaryArn") or None,
            alb_deletion_protection=bool_value(
                "albDeletionProtection", req("albDeletionProtection")
            ),
            alb_access_logs_bucket=get("albAccessLogsBucket") or None,
            alb_access_logs_prefix=get("albAccessLogsPrefix") or None,
        )


@dataclass(frozen=True)
class SharedStackRef:
    """Read the shared values from another stack's outputs (a Pulumi ``StackReference``).

    ``name`` is the referenced stack: ``shared`` on a file backend, or ``org/showtime-iac/shared``.
    """

    name: str = "shared"
    domain: str | None = None  # HTTPS mode: the listener and its security group come from it
    #: HTTPS mode with a Route 53 zone: a stack on a shard other than 0 adds its host's record
    hosted_zone_id: str | None = None

    def __post_init__(self) -> None:
        if not re.match(r"^[A-Za-z0-9_.-]{1,100}(/[A-Za-z0-9_.-]{1,100}){0,2}$", self.name):
            raise StackConfigError(f"invalid shared stack name {self.name[:80]!r}")
        checks = routing_checks(self.domain, "x", (), self.hosted_zone_id, None)
        for ok, message in checks:
            if not ok:
                raise StackConfigError(message)


def shared_source(values: Mapping[str, str]) -> SharedConfig | SharedStackRef:
    """Where an environment stack takes its shared values from: a StackReference when
    ``showtime-iac:sharedStack`` is set, else its own config (``SharedConfig``)."""
    ref = values.get(SHARED_STACK_KEY)
    if ref:
        check_keys(values)
        return SharedStackRef(
            ref, values.get(key("domain")) or None, values.get(key("hostedZoneId")) or None
        )
    return SharedConfig.from_stack_config(values)


# --------------------------------------------------------------------------- build


@dataclass(frozen=True)
class BuildConfig:
    """How the image is built when no prebuilt image is given (a Superset checkout)."""

    context: str = "superset"
    dockerfile: str | None = None
    target: str | None = "ci"
    platform: str = "linux/amd64"

    def __post_init__(self) -> None:
        if not self.context or "\n" in self.context:
            raise StackConfigError(f"invalid build context {self.context[:80]!r}")
        if self.target is not None and not re.match(r"^[A-Za-z0-9_.-]{1,64}$", self.target):
            raise StackConfigError(f"invalid build target {self.target[:80]!r}")
        if not re.match(r"^[a-z0-9]+/[a-z0-9]+(/[a-z0-9]+)?$", self.platform):
            raise StackConfigError(f"invalid platform {self.platform[:40]!r}")

    def to_stack_config(self) -> dict[str, str]:
        out = {key("buildContext"): self.context, key("platform"): self.platform}
        out[key("buildTarget")] = self.target or ""
        if self.dockerfile is not None:
            out[key("dockerfile")] = self.dockerfile
        return out

    @classmethod
    def from_stack_config(cls, values: Mapping[str, str]) -> BuildConfig:
        check_keys(values)
        target = values.get(key("buildTarget"), "ci")
        return cls(
            context=values.get(key("buildContext")) or "superset",
            dockerfile=values.get(key("dockerfile")) or None,
            target=target or None,
            platform=values.get(key("platform")) or "linux/amd64",
        )
