"""The shared values an environment (or a router) needs: from the ``shared`` stack's outputs
(a ``StackReference``) or from the stack's own config, as Pulumi inputs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pulumi

from showtime_iac.core.stack_config import SharedConfig, SharedStackRef, StackConfigError

__all__ = ["DOMAIN_OUTPUTS", "Https", "SharedInputs", "shared_inputs"]

#: what the shared stack exports in HTTPS mode besides SHARED_OUTPUTS
DOMAIN_OUTPUTS = ("domain", "httpsListenerArn", "albSecurityGroupId", "albDnsName", "vpcId")


@dataclass(frozen=True)
class Https:
    """HTTPS mode: the domain, the shared HTTPS listener, the load balancer's security group
    (the only source the tasks accept) and the VPC of the target groups."""

    domain: str
    listener_arn: pulumi.Input[str]
    alb_security_group_id: pulumi.Input[str]
    vpc_id: pulumi.Input[str]


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
    https: Https | None = None


def _from_reference(shared: SharedStackRef) -> SharedInputs:
    ref = pulumi.StackReference("shared", stack_name=shared.name)
    https = None
    if shared.domain is not None:
        https = Https(
            domain=shared.domain,
            listener_arn=ref.require_output("httpsListenerArn"),
            alb_security_group_id=ref.require_output("albSecurityGroupId"),
            vpc_id=ref.require_output("vpcId"),
        )
    return SharedInputs(
        region=ref.require_output("region"),
        cluster_name=ref.require_output("clusterName"),
        cluster=lambda: ref.require_output("clusterArn"),
        repository_url=lambda: ref.require_output("ecrRepositoryUrl"),
        security_group_id=ref.require_output("securityGroupId"),
        subnet_ids=ref.require_output("subnetIds"),
        log_retention_days=ref.require_output("logRetentionDays"),
        https=https,
    )


def _https_of(shared: SharedConfig) -> Https | None:
    if shared.domain is None:
        return None
    listener, alb_sg, vpc = shared.https_listener_arn, shared.alb_security_group_id, shared.vpc_id
    if listener is None or alb_sg is None or vpc is None:
        raise StackConfigError(
            f"HTTPS mode ({shared.domain}) without a StackReference needs "
            "showtime-iac:httpsListenerArn, albSecurityGroupId and vpcId (the shared stack's "
            "outputs), or showtime-iac:sharedStack"
        )
    return Https(shared.domain, listener, alb_sg, vpc)


def shared_inputs(shared: SharedConfig | SharedStackRef) -> SharedInputs:
    """The shared values of one environment or router stack."""
    if isinstance(shared, SharedStackRef):
        return _from_reference(shared)

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
        https=_https_of(shared),
    )
