"""The ``showtime-iac:*`` stack config keys, their defaults, and the strict key check. Pure.

Split from :mod:`showtime_iac.core.stack_config` (which re-exports every name here).
"""

from __future__ import annotations

from collections.abc import Mapping

from showtime_iac.errors import InputError

__all__ = [
    "BUILD_KEYS",
    "ENV_KEYS",
    "NAMESPACE",
    "PLACEMENT_KEYS",
    "REGION_KEY",
    "ROUTER_KEYS",
    "SECRET_KEYS",
    "SHARED_KEYS",
    "SHARED_STACK_KEY",
    "StackConfigError",
    "bool_value",
    "check_keys",
    "key",
]

NAMESPACE = "showtime-iac"
REGION_KEY = "aws:region"
SHARED_STACK_KEY = f"{NAMESPACE}:sharedStack"


def key(name: str) -> str:
    """``"pr"`` → ``"showtime-iac:pr"``."""
    return f"{NAMESPACE}:{name}"


# Environment stack keys (one EnvConfig). The values below are the defaults when a key is absent.
ENV_KEYS: dict[str, str | None] = {
    "pr": None,  # required
    "sha": None,  # required
    "repo": "apache/superset",
    "size": "medium",
    "flags": "{}",
    "debug": "false",
    "examples": "true",
    "cacheRedis": "false",
    "image": None,  # prebuilt image URI: no build
    "imageSha": None,  # the commit the image was built from: must be `sha`
    "ttl": "24h",
    "requester": "unknown",
    "created": None,  # ISO 8601
    "maxAgeAt": None,  # ISO 8601: the PR's hard max age (unset: none recorded)
    "sleeping": "false",  # true: the service's desired count is 0 (idle_action = "sleep")
    "prepared": "false",  # true: no task definition, no service (made while the image builds)
}

# Shared values: set on the `shared` stack, or on an environment stack that does not use a
# StackReference. `aws:region` (outside our namespace) is the region.
SHARED_KEYS: dict[str, str | None] = {
    "clusterName": "superset-ci",
    "clusterArn": None,
    "ecrRepositoryName": "superset-ci",
    "ecrRepositoryUrl": None,
    # the shared stack's own execution role, which no environment uses (each has its own):
    # created only with createExecutionRole=true (stacks from before), never looked up; the
    # ARN is read by nothing and accepted so that an older stack config still loads
    "executionRoleName": "showtime-ecs-execution",
    "executionRoleArn": None,
    "securityGroupId": None,
    "vpcId": None,
    "subnetIds": "[]",
    "ingressCidrs": '["0.0.0.0/0"]',
    "logRetentionDays": "7",
    "prImageMaxAgeDays": "14",
    "createCluster": "false",
    "createEcrRepository": "false",
    "createExecutionRole": "false",
    "createSecurityGroup": "false",
    "ecrLifecyclePolicy": "true",
    "domain": None,  # HTTPS mode, e.g. preview.example.org; unset: public-IP mode
    "certificateArn": None,  # ACM certificate of *.<domain>; or created with hostedZoneId
    "hostedZoneId": None,  # Route 53 zone of <domain>: certificate validation + *.<domain> alias
    "loadBalancerName": "showtime-iac",
    "httpsListenerArn": None,  # environments without a StackReference: the shared listener
    "albSecurityGroupId": None,  # ... and the load balancer's security group
    "loadBalancerShards": "[0]",  # HTTPS mode: the load balancers (shards) the stack declares
    "loadBalancerRules": "100",  # rules per load balancer: AWS's default quota, adjustable
    # the environments' roles' permissions boundary: created by the shared stack under this
    # name, or an existing managed policy (its ARN: then the shared stack creates none)
    "permissionsBoundaryName": "showtime-iac-task-boundary",
    "permissionsBoundaryArn": None,
    "albDeletionProtection": "false",  # HTTPS mode: shard 0's load balancer
    "albAccessLogsBucket": None,  # HTTPS mode: access logs of every shard to this S3 bucket
    "albAccessLogsPrefix": None,  # ... under this key prefix
}

# Generated once by the driver when it creates an environment stack (secret config, never
# regenerated; never in EnvConfig). The router stack (pr-{n}-router): its target group.
SECRET_KEYS: dict[str, str | None] = {"secretKey": None, "adminPassword": None}
ROUTER_KEYS: dict[str, str | None] = {"targetGroupArn": None, "asleep": "false"}
# HTTPS mode, environment and router stacks: the PR's load balancer (core.shards) and the rule's
# priority (unset: the provider's next free one, as before shards)
PLACEMENT_KEYS: dict[str, str | None] = {"albShard": "0", "rulePriority": None}

BUILD_KEYS: dict[str, str | None] = {
    "buildContext": "superset",
    "dockerfile": None,  # default: <buildContext>/Dockerfile
    "buildTarget": "ci",
    "platform": "linux/amd64",
}

_OWN_KEYS = frozenset(
    key(k)
    for k in (
        *ENV_KEYS,
        *SHARED_KEYS,
        *BUILD_KEYS,
        *SECRET_KEYS,
        *ROUTER_KEYS,
        *PLACEMENT_KEYS,
        SHARED_STACK_KEY.split(":", 1)[1],
    )
)


class StackConfigError(InputError):
    """A stack config value is missing or invalid (exit code 2, nothing declared)."""


def check_keys(values: Mapping[str, str]) -> None:
    """Refuse an unknown key of our namespace (a typo would fall back to a default)."""
    for k in values:
        if k.startswith(f"{NAMESPACE}:") and k not in _OWN_KEYS:
            known = ", ".join(sorted(k2.split(":", 1)[1] for k2 in _OWN_KEYS))
            raise StackConfigError(f"unknown config key {k[:80]!r}: known keys are {known}")


def bool_value(name: str, text: str) -> bool:
    """A ``true``/``false`` config value (any case); anything else names the key."""
    low = text.strip().lower()
    if low in ("true", "false"):
        return low == "true"
    raise StackConfigError(f"{key(name)} must be true or false, not {text[:40]!r}")
