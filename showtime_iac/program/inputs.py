"""The shared values an environment (or a router) needs: from the ``shared`` stack's outputs
(a ``StackReference``) or from the stack's own config, as Pulumi inputs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi

from showtime_iac.core.shards import RulePlacement
from showtime_iac.core.stack_config import SharedConfig, SharedStackRef, StackConfigError

__all__ = [
    "DOMAIN_OUTPUTS",
    "Https",
    "SharedInputs",
    "https_from_reference",
    "shared_inputs",
]

#: what the shared stack exports in HTTPS mode besides SHARED_OUTPUTS
DOMAIN_OUTPUTS = (
    "domain",
    "httpsListenerArn",
    "albSecurityGroupId",
    "albDnsName",
    "vpcId",
    "hostedZoneId",
    "loadBalancerShards",
)


@dataclass(frozen=True)
class Https:
    """HTTPS mode: the domain, the shared HTTPS listener, the load balancer's security group
    (the only source the tasks accept) and the VPC of the target groups."""

    domain: str
    listener_arn: pulumi.Input[str]
    alb_security_group_id: pulumi.Input[str]
    vpc_id: pulumi.Input[str]
    #: the stack's shard and its rule's priority (``core.shards``)
    placement: RulePlacement = field(default_factory=RulePlacement)
    #: on a shard other than 0 with a hosted zone: (zone id, load balancer DNS name and zone)
    #: for the host's own alias record (``*.<domain>`` points at shard 0)
    record: tuple[pulumi.Input[str], pulumi.Input[str], pulumi.Input[str]] | None = None


@dataclass(frozen=True)
class SharedInputs:
    """The shared values, plain or as Outputs of a StackReference (lookups run on demand)."""

    region: pulumi.Input[str]
    cluster_name: pulumi.Input[str]
    cluster: Callable[[], pulumi.Input[str]]  # the ARN
    repository_url: Callable[[], pulumi.Input[str]]
    security_group_id: pulumi.Input[str]
    subnet_ids: pulumi.Input[Sequence[str]]
    log_retention_days: pulumi.Input[int]
    #: the ARN of the environments' roles' permissions boundary (the shared stack's policy)
    permissions_boundary: Callable[[], pulumi.Input[str]]
    https: Https | None = None


def _shard_value(shards: Any, shard: int, field: str, stack: str) -> str:
    entry = (shards or {}).get(str(shard)) if isinstance(shards, dict) else None
    if not isinstance(entry, dict) or not entry.get(field):
        raise StackConfigError(
            f"the shared stack {stack} declares no load balancer shard {shard}: add it to its "
            "showtime-iac:loadBalancerShards and run its `up` first"
        )
    return str(entry[field])


def https_from_reference(
    ref: pulumi.StackReference, shared: SharedStackRef, placement: RulePlacement
) -> Https | None:
    """HTTPS mode's inputs of a stack on ``placement``'s shard, from the shared stack."""
    if shared.domain is None:
        return None
    if placement.shard == 0:  # a shared stack from before shards has no loadBalancerShards
        return Https(
            shared.domain,
            ref.require_output("httpsListenerArn"),
            ref.require_output("albSecurityGroupId"),
            ref.require_output("vpcId"),
            placement,
        )
    shards = ref.require_output("loadBalancerShards")

    def pick(field: str) -> pulumi.Output[str]:
        return shards.apply(lambda m: _shard_value(m, placement.shard, field, shared.name))

    zone = shared.hosted_zone_id
    return Https(
        shared.domain,
        pick("listenerArn"),
        ref.require_output("albSecurityGroupId"),
        ref.require_output("vpcId"),
        placement,
        None if zone is None else (zone, pick("dnsName"), pick("zoneId")),
    )


def _boundary_of(arn: Any, stack: str) -> str:
    if not isinstance(arn, str) or not arn:
        raise StackConfigError(
            f"the shared stack {stack} exports no permissionsBoundaryArn (a shared stack from "
            "before permissions boundaries): run its `up` first"
        )
    return arn


def _from_reference(shared: SharedStackRef, placement: RulePlacement) -> SharedInputs:
    ref = pulumi.StackReference("shared", stack_name=shared.name)
    https = https_from_reference(ref, shared, placement)
    return SharedInputs(
        region=ref.require_output("region"),
        cluster_name=ref.require_output("clusterName"),
        cluster=lambda: ref.require_output("clusterArn"),
        repository_url=lambda: ref.require_output("ecrRepositoryUrl"),
        security_group_id=ref.require_output("securityGroupId"),
        subnet_ids=ref.require_output("subnetIds"),
        log_retention_days=ref.require_output("logRetentionDays"),
        permissions_boundary=lambda: ref.get_output("permissionsBoundaryArn").apply(
            lambda arn: _boundary_of(arn, shared.name)
        ),
        https=https,
    )


def _https_of(shared: SharedConfig, placement: RulePlacement) -> Https | None:
    if shared.domain is None:
        return None
    if placement.shard != 0:
        raise StackConfigError(
            f"load balancer shard {placement.shard} needs showtime-iac:sharedStack (the shared "
            "stack's outputs name each shard's listener)"
        )
    listener, alb_sg, vpc = shared.https_listener_arn, shared.alb_security_group_id, shared.vpc_id
    if listener is None or alb_sg is None or vpc is None:
        raise StackConfigError(
            f"HTTPS mode ({shared.domain}) without a StackReference needs "
            "showtime-iac:httpsListenerArn, albSecurityGroupId and vpcId (the shared stack's "
            "outputs), or showtime-iac:sharedStack"
        )
    return Https(shared.domain, listener, alb_sg, vpc, placement)


def shared_inputs(
    shared: SharedConfig | SharedStackRef, placement: RulePlacement | None = None
) -> SharedInputs:
    """The shared values of one environment or router stack (on ``placement``'s shard)."""
    placed = placement or RulePlacement()
    if isinstance(shared, SharedStackRef):
        return _from_reference(shared, placed)

    def repository_url() -> pulumi.Input[str]:
        if shared.ecr_repository_url is not None:
            return shared.ecr_repository_url
        from pulumi_aws import ecr

        return ecr.get_repository_output(name=shared.ecr_repository_name).repository_url

    def cluster_arn() -> pulumi.Input[str]:
        # the ARN, not the name: the provider reads the ARN back, a name would show as drift
        if shared.cluster_arn is not None:
            return shared.cluster_arn
        from pulumi_aws import ecs

        return ecs.get_cluster_output(cluster_name=shared.cluster_name).arn

    def permissions_boundary() -> pulumi.Input[str]:
        if shared.permissions_boundary_arn is not None:
            return shared.permissions_boundary_arn
        import pulumi_aws as aws

        return aws.get_caller_identity_output().account_id.apply(shared.permissions_boundary)

    if shared.security_group_id is None:
        raise StackConfigError(
            "an environment needs the shared security group: set showtime-iac:securityGroupId "
            "or showtime-iac:sharedStack"
        )
    return SharedInputs(
        region=shared.region,
        cluster_name=shared.cluster_name,
        cluster=cluster_arn,
        repository_url=repository_url,
        security_group_id=shared.security_group_id,
        subnet_ids=list(shared.subnet_ids),
        log_retention_days=shared.log_retention_days,
        permissions_boundary=permissions_boundary,
        https=_https_of(shared, placed),
    )
