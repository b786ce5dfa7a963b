"""One environment stack (one PR SHA): image, log group, Fargate task definition, ECS service.

Names from :func:`model.resource_names`, tags from :func:`model.resource_tags`: one place each.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi

from showtime_iac.core.model import EnvConfig, resource_names
from showtime_iac.core.model import resource_tags as _resource_tags
from showtime_iac.core.stack_config import (
    BuildConfig,
    SharedConfig,
    SharedStackRef,
    StackConfigError,
)
from showtime_iac.program.containers import CONTAINER_PORT, SIZE_SPECS, container_definitions

if TYPE_CHECKING:
    import pulumi_docker

__all__ = ["EnvResources", "declare_environment", "environment_tags"]


def environment_tags(cfg: EnvConfig) -> dict[str, str]:
    """Tags of every taggable resource of an environment: :func:`model.resource_tags`."""
    return _resource_tags(cfg)


# --------------------------------------------------------------------------- environment


@dataclass(frozen=True)
class _SharedInputs:
    """The shared values an environment needs, plain or as Outputs of a StackReference."""

    region: pulumi.Input[str]
    cluster_name: pulumi.Input[str]
    cluster: Callable[[], pulumi.Input[str]]  # the ARN
    repository_url: Callable[[], pulumi.Input[str]]
    execution_role_arn: Callable[[], pulumi.Input[str]]
    security_group_id: pulumi.Input[str]
    subnet_ids: pulumi.Input[Sequence[str]]
    log_retention_days: pulumi.Input[int]


def _shared_inputs(shared: SharedConfig | SharedStackRef) -> _SharedInputs:
    if isinstance(shared, SharedStackRef):
        ref = pulumi.StackReference("shared", stack_name=shared.name)
        return _SharedInputs(
            region=ref.require_output("region"),
            cluster_name=ref.require_output("clusterName"),
            cluster=lambda: ref.require_output("clusterArn"),
            repository_url=lambda: ref.require_output("ecrRepositoryUrl"),
            execution_role_arn=lambda: ref.require_output("executionRoleArn"),
            security_group_id=ref.require_output("securityGroupId"),
            subnet_ids=ref.require_output("subnetIds"),
            log_retention_days=ref.require_output("logRetentionDays"),
        )

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

    def execution_role_arn() -> pulumi.Input[str]:
        if shared.execution_role_arn is not None:
            return shared.execution_role_arn
        from pulumi_aws import iam

        return iam.get_role_output(name=shared.execution_role_name).arn

    if shared.security_group_id is None:
        raise StackConfigError(
            "an environment needs the shared security group: set showtime-iac:securityGroupId "
            "or showtime-iac:sharedStack"
        )
    return _SharedInputs(
        region=shared.region,
        cluster_name=shared.cluster_name,
        cluster=cluster_arn,
        repository_url=repository_url,
        execution_role_arn=execution_role_arn,
        security_group_id=shared.security_group_id,
        subnet_ids=list(shared.subnet_ids),
        log_retention_days=shared.log_retention_days,
    )


@dataclass(frozen=True)
class EnvResources:
    """What :func:`declare_environment` declared (for callers and tests)."""

    image_ref: pulumi.Output[str]
    image: pulumi_docker.Image | None
    log_group: Any
    task_definition: Any
    service: Any
    outputs: Mapping[str, pulumi.Output[Any]]


def _image(
    cfg: EnvConfig, inputs: _SharedInputs, build: BuildConfig | None
) -> tuple[pulumi.Output[str], pulumi_docker.Image | None]:
    """The image the task runs: the prebuilt URI, or a build pushed to the shared repository."""
    if cfg.image is not None:
        return pulumi.Output.from_input(cfg.image), None
    import pulumi_aws as aws
    import pulumi_docker as docker

    names = resource_names(cfg.pr, cfg.sha)
    b = build or BuildConfig()
    repo_url = pulumi.Output.from_input(inputs.repository_url())
    token = aws.ecr.get_authorization_token_output()
    image = docker.Image(
        "image",
        image_name=pulumi.Output.concat(repo_url, ":", names.image_tag),
        build=docker.DockerBuildArgsDict(
            context=b.context,
            platform=b.platform,
            **({"dockerfile": b.dockerfile} if b.dockerfile else {}),
            **({"target": b.target} if b.target else {}),
        ),
        registry=docker.RegistryArgsDict(
            server=repo_url.apply(lambda u: u.split("/", 1)[0]),
            username=token.user_name,
            password=pulumi.Output.secret(token.password),
        ),
    )
    # The digest pins the exact build: a rebuild of the same tag rolls the service.
    return image.repo_digest, image


def declare_environment(
    cfg: EnvConfig,
    shared: SharedConfig | SharedStackRef,
    build: BuildConfig | None = None,
) -> EnvResources:
    """Declare one PR SHA's environment; export its outputs. Must run inside a Pulumi program."""
    import pulumi_aws as aws

    names = resource_names(cfg.pr, cfg.sha)
    tags = environment_tags(cfg)
    spec = SIZE_SPECS[cfg.size]
    inputs = _shared_inputs(shared)

    image_ref, image = _image(cfg, inputs, build)

    log_group = aws.cloudwatch.LogGroup(
        "log-group",
        name=names.log_group,
        retention_in_days=inputs.log_retention_days,
        tags=tags,
    )
    task_definition = aws.ecs.TaskDefinition(
        "task-definition",
        family=names.task_family,
        cpu=str(spec.cpu),
        memory=str(spec.memory),
        network_mode="awsvpc",
        requires_compatibilities=["FARGATE"],
        runtime_platform={"operating_system_family": "LINUX", "cpu_architecture": "X86_64"},
        execution_role_arn=inputs.execution_role_arn(),
        container_definitions=container_definitions(cfg, image_ref, log_group.name, inputs.region),
        tags=tags,
    )
    service = aws.ecs.Service(
        "service",
        name=names.service,
        cluster=inputs.cluster(),
        task_definition=task_definition.arn,
        desired_count=1,
        launch_type="FARGATE",
        network_configuration={
            "subnets": inputs.subnet_ids,
            "security_groups": [inputs.security_group_id],
            "assign_public_ip": True,
        },
        deployment_circuit_breaker={"enable": True, "rollback": True},
        wait_for_steady_state=True,
        enable_ecs_managed_tags=True,
        propagate_tags="SERVICE",
        tags=tags,
    )
    outputs: dict[str, pulumi.Output[Any]] = {
        "stack": pulumi.Output.from_input(names.stack),
        "serviceName": service.name,
        "clusterName": pulumi.Output.from_input(inputs.cluster_name),
        "taskDefinitionArn": task_definition.arn,
        "image": image_ref,
        "logGroup": log_group.name,
        "containerPort": pulumi.Output.from_input(CONTAINER_PORT),
    }
    for k, v in outputs.items():
        pulumi.export(k, v)
    return EnvResources(image_ref, image, log_group, task_definition, service, outputs)
