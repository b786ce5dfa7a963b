"""One environment stack (one PR SHA): image, log group, secret, execution role, Fargate task
definition, ECS service, and in HTTPS mode its target group, host rule and security group.

A *prepared* stack (``showtime-iac:prepared = true``, made while the image builds) declares
only what needs no image: log group, secret, execution role and, in HTTPS mode, target group,
host rule and security group, with exactly the names and inputs of the full stack; no image,
no task definition, no service. The full ``up`` of the same stack then only adds those.

Names from :func:`model.resource_names`, tags from :func:`model.resource_tags`: one place each.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pulumi

from showtime_iac.core.model import EnvConfig, resource_names
from showtime_iac.core.model import resource_tags as _resource_tags
from showtime_iac.core.shards import RulePlacement
from showtime_iac.core.stack_config import BuildConfig, SharedConfig, SharedStackRef
from showtime_iac.program.access import (
    OFFLINE_SECRETS,
    EnvSecrets,
    declare_execution_role,
    declare_secret,
)
from showtime_iac.program.containers import CONTAINER_PORT, SIZE_SPECS, container_definitions
from showtime_iac.program.inputs import SharedInputs, shared_inputs
from showtime_iac.program.routing import EnvRoute, declare_env_route

if TYPE_CHECKING:
    import pulumi_docker

__all__ = [
    "HEALTH_GRACE_SECONDS",
    "EnvResources",
    "build_context",
    "declare_environment",
    "environment_tags",
    "project_root",
]

#: ECS ignores failing health checks (the load balancer's and the container's own) this long
#: after a task starts, in both modes: `db upgrade`, `init` and the examples may run before
#: Superset serves. A baked image boots in about a minute and is healthy as soon as it answers
#: (the grace only delays a *kill*, never the healthy state); 20 min is the ceiling for an image
#: without them (a `small` task's first start takes about 10). Without it, public-IP mode's
#: task was replaced when its container check gave up (300 s start period + 10 x 30 s).
HEALTH_GRACE_SECONDS = 1200


def environment_tags(cfg: EnvConfig) -> dict[str, str]:
    """Tags of every taggable resource of an environment: :func:`model.resource_tags`."""
    return _resource_tags(cfg)


@dataclass(frozen=True)
class EnvResources:
    """What :func:`declare_environment` declared (for callers and tests); a prepared stack
    has no image, task definition or service (None)."""

    image_ref: pulumi.Output[str] | None
    image: pulumi_docker.Image | None
    log_group: Any
    task_definition: Any
    service: Any
    outputs: Mapping[str, pulumi.Output[Any]]
    route: EnvRoute | None = None


def project_root(cwd: Path | None = None) -> Path:
    """The directory of ``Pulumi.yaml``: the engine's root directory, else the first directory
    from ``cwd`` upwards that holds one (Pulumi runs the program from its ``main`` folder)."""
    root: str | None
    try:
        root = pulumi.get_root_directory()
    except Exception:
        root = None
    if root and (Path(root) / "Pulumi.yaml").is_file():  # mocks answer a made-up one
        return Path(root)
    here = (cwd or Path.cwd()).resolve()
    return next((d for d in (here, *here.parents) if (d / "Pulumi.yaml").is_file()), here)


def build_context(context: str, cwd: Path | None = None) -> str:
    """The build context as an absolute path: a relative one is relative to the project (the
    directory of ``Pulumi.yaml``), whatever directory Pulumi runs the program from (``main``)."""
    path = Path(context).expanduser()
    if path.is_absolute():
        return str(path)
    return str((project_root(cwd) / path).resolve())


def _image(
    cfg: EnvConfig, inputs: SharedInputs, build: BuildConfig | None
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
            context=build_context(b.context),
            platform=b.platform,
            dockerfile=b.dockerfile,  # None: not sent (Pulumi drops unset inputs)
            target=b.target,
        ),
        registry=docker.RegistryArgsDict(
            server=repo_url.apply(lambda u: u.partition("/")[0]),
            username=token.user_name,
            password=pulumi.Output.secret(token.password),
        ),
    )
    # The digest pins the exact build: a rebuild of the same tag rolls the service.
    return image.repo_digest, image


def _service(
    cfg: EnvConfig,
    inputs: SharedInputs,
    task_definition: Any,
    route: EnvRoute | None,
    depends_on: list[Any],
    tags: Mapping[str, str],
) -> Any:
    import pulumi_aws as aws

    names = resource_names(cfg.pr, cfg.sha)
    extra: dict[str, Any] = {}
    groups: list[Any] = [inputs.security_group_id]
    if route is not None:
        groups = [route.security_group.id]  # the load balancer's security group only
        extra["load_balancers"] = [
            {
                "target_group_arn": route.target_group.arn,
                "container_name": names.container,
                "container_port": CONTAINER_PORT,
            }
        ]
        depends_on = [*depends_on, route.rule]  # a target group must have a listener first
    return aws.ecs.Service(
        "service",
        name=names.service,
        cluster=inputs.cluster(),
        task_definition=task_definition.arn,
        # asleep (idle_action = "sleep"): no task runs; the stack, its URL and labels stay
        desired_count=0 if cfg.sleeping else 1,
        launch_type="FARGATE",
        network_configuration={
            "subnets": inputs.subnet_ids,
            "security_groups": groups,
            # a public subnet without NAT: the task needs it to pull images and examples
            "assign_public_ip": True,
        },
        # the load balancer's checks and the container's own (public-IP mode has only those)
        health_check_grace_period_seconds=HEALTH_GRACE_SECONDS,
        deployment_circuit_breaker={"enable": True, "rollback": True},
        wait_for_steady_state=True,  # with a load balancer: until the target is healthy
        enable_ecs_managed_tags=True,
        propagate_tags="SERVICE",
        tags=dict(tags),
        opts=pulumi.ResourceOptions(depends_on=depends_on),
        **extra,
    )


def declare_environment(
    cfg: EnvConfig,
    shared: SharedConfig | SharedStackRef,
    build: BuildConfig | None = None,
    secrets: EnvSecrets | None = None,
    placement: RulePlacement | None = None,
) -> EnvResources:
    """Declare one PR SHA's environment; export its outputs. Must run inside a Pulumi program.
    ``placement``: HTTPS mode's load-balancer shard and host-rule priority (default shard 0,
    the provider's priority)."""
    import pulumi_aws as aws

    names = resource_names(cfg.pr, cfg.sha)
    tags = environment_tags(cfg)
    spec = SIZE_SPECS[cfg.size]
    inputs = shared_inputs(shared, placement)
    log_group = aws.cloudwatch.LogGroup(
        "log-group",
        name=names.log_group,
        retention_in_days=inputs.log_retention_days,
        tags=tags,
    )
    secret = declare_secret(cfg, secrets or OFFLINE_SECRETS, tags)
    role, role_policy = declare_execution_role(
        cfg,
        repository_url=inputs.repository_url(),
        log_group_arn=log_group.arn,
        secret_arn=secret.arn,
        permissions_boundary=inputs.permissions_boundary(),
        tags=tags,
    )
    route = declare_env_route(cfg, inputs.https, tags) if inputs.https else None
    if cfg.prepared:  # nothing that runs: no image is bound to this SHA yet
        outputs = _prepared_outputs(cfg, inputs, log_group, secret, route)
        for k, v in outputs.items():
            pulumi.export(k, v)
        return EnvResources(None, None, log_group, None, None, outputs, route)
    image_ref, image = _image(cfg, inputs, build)
    task_definition = aws.ecs.TaskDefinition(
        "task-definition",
        family=names.task_family,
        cpu=str(spec.cpu),
        memory=str(spec.memory),
        network_mode="awsvpc",
        requires_compatibilities=["FARGATE"],
        runtime_platform={"operating_system_family": "LINUX", "cpu_architecture": "X86_64"},
        execution_role_arn=role.arn,
        container_definitions=container_definitions(
            cfg, image_ref, log_group.name, inputs.region, secret.arn, inputs.https is not None
        ),
        tags=tags,
    )
    service = _service(cfg, inputs, task_definition, route, [role_policy], tags)
    outputs = _outputs(cfg, inputs, service, task_definition, image_ref, log_group, secret, route)
    for k, v in outputs.items():
        pulumi.export(k, v)
    return EnvResources(image_ref, image, log_group, task_definition, service, outputs, route)


def _prepared_outputs(
    cfg: EnvConfig, inputs: SharedInputs, log_group: Any, secret: Any, route: EnvRoute | None
) -> dict[str, pulumi.Output[Any]]:
    """A prepared stack's outputs: no service, task definition or image (nothing runs)."""
    out: dict[str, pulumi.Output[Any]] = {
        "stack": pulumi.Output.from_input(cfg.stack),
        "prepared": pulumi.Output.from_input(True),
        "clusterName": pulumi.Output.from_input(inputs.cluster_name),
        "logGroup": log_group.name,
        "containerPort": pulumi.Output.from_input(CONTAINER_PORT),
        "secretArn": secret.arn,
        "addressMode": pulumi.Output.from_input("https" if route else "public-ip"),
    }
    if route is not None:
        out["targetGroupArn"] = route.target_group.arn
        out["host"] = pulumi.Output.from_input(route.host)
        out["prHost"] = pulumi.Output.from_input(route.pr_host)
    return out


def _outputs(
    cfg: EnvConfig,
    inputs: SharedInputs,
    service: Any,
    task_definition: Any,
    image_ref: pulumi.Output[str],
    log_group: Any,
    secret: Any,
    route: EnvRoute | None,
) -> dict[str, pulumi.Output[Any]]:
    """The stack outputs: names and ARNs, never a secret value."""
    out: dict[str, pulumi.Output[Any]] = {
        "stack": pulumi.Output.from_input(cfg.stack),
        "serviceName": service.name,
        "clusterName": pulumi.Output.from_input(inputs.cluster_name),
        "taskDefinitionArn": task_definition.arn,
        "image": image_ref,
        "logGroup": log_group.name,
        "containerPort": pulumi.Output.from_input(CONTAINER_PORT),
        "secretArn": secret.arn,
        "addressMode": pulumi.Output.from_input("https" if route else "public-ip"),
    }
    if route is not None:
        out["targetGroupArn"] = route.target_group.arn
        out["host"] = pulumi.Output.from_input(route.host)
        out["url"] = pulumi.Output.from_input(f"https://{route.host}")
        out["prHost"] = pulumi.Output.from_input(route.pr_host)
        out["prUrl"] = pulumi.Output.from_input(f"https://{route.pr_host}")
    return out
