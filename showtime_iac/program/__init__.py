"""The Pulumi program: one environment stack per PR SHA, and the ``shared`` stack.

Plain functions that declare resources from typed config (Pulumi's examples style):

- :func:`declare_environment` — image (build+push, or a prebuilt URI), log group, Fargate task
  definition, ECS service, stack outputs. Names from :func:`model.resource_names`, tags from
  :func:`model.resource_tags`: one place each.
- :func:`declare_shared` — ECS cluster, ECR repository + lifecycle policy, execution role,
  security group; or existing ones by name.
- :func:`select_program` — what ``program/__main__.py`` runs: the program for a stack name.
- :func:`render_offline` — evaluates the real program under ``pulumi.runtime.set_mocks`` and
  returns every resource it declares; :func:`format_render` prints them. Nothing is deployed.

Heavy imports (``pulumi_aws``, ``pulumi_docker``) happen inside the functions that need them.
"""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
import json
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pulumi

from showtime_iac.core.model import EnvConfig, parse_stack_name, resource_names
from showtime_iac.core.model import resource_tags as _resource_tags
from showtime_iac.core.stack_config import (
    BuildConfig,
    SharedConfig,
    SharedStackRef,
    StackConfigError,
    from_stack_config,
    shared_source,
)

if TYPE_CHECKING:
    import pulumi_docker

__all__ = [
    "CONTAINER_PORT",
    "MOCK_ACCOUNT",
    "OFFLINE_HEADER",
    "REDIS_IMAGE",
    "SHARED_OUTPUTS",
    "SIZE_SPECS",
    "EnvResources",
    "OfflineRender",
    "RecordingMocks",
    "RenderedResource",
    "SizeSpec",
    "declare_environment",
    "declare_shared",
    "evaluate_offline",
    "evaluate_stack_offline",
    "format_render",
    "render_offline",
    "render_shared_offline",
    "select_program",
    "shared_tags",
]

CONTAINER_PORT = 8080
REDIS_PORT = 6379
# Public ECR mirror of the Docker Hub image: no Docker Hub pull rate limit, no IAM needed.
REDIS_IMAGE = "public.ecr.aws/docker/library/redis:7-alpine"
MIN_MEMORY_MIB = 2048  # Superset runs out of memory below 2 GB
MOCK_ACCOUNT = "000000000000"  # offline render only: a placeholder account id
OFFLINE_HEADER = "offline render under Pulumi mocks: nothing was deployed"
# Pulumi's wire marker of a secret value: {_SIG_KEY: _SECRET_SIG, "value": ...}
_SIG_KEY = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"  # noqa: S105
_SECRET_KEYS = ("password", "token", "secret")


@dataclass(frozen=True)
class SizeSpec:
    """Fargate task size and Gunicorn settings of one ``conf-size-*``."""

    cpu: int  # CPU units (1024 = 1 vCPU)
    memory: int  # MiB
    workers: int  # SERVER_WORKER_AMOUNT
    threads: int  # SERVER_THREADS_AMOUNT


# Valid Fargate combinations; memory never below 2 GB.
SIZE_SPECS: dict[str, SizeSpec] = {
    "small": SizeSpec(cpu=1024, memory=2048, workers=1, threads=20),
    "medium": SizeSpec(cpu=2048, memory=4096, workers=2, threads=20),
    "large": SizeSpec(cpu=4096, memory=8192, workers=4, threads=20),
}
assert all(s.memory >= MIN_MEMORY_MIB for s in SIZE_SPECS.values())

# What the shared stack exports (and an environment's StackReference reads).
SHARED_OUTPUTS = (
    "region",
    "clusterName",
    "clusterArn",
    "ecrRepositoryName",
    "ecrRepositoryUrl",
    "executionRoleArn",
    "securityGroupId",
    "subnetIds",
    "logRetentionDays",
)


def shared_tags() -> dict[str, str]:
    """Tags of the shared stack's resources. Deliberately without ``showtime:pr``: the orphan
    sweep deletes what carries a PR tag, and the shared resources belong to no PR."""
    return {"showtime:stack": "shared", "showtime:managed-by": "showtime-iac"}


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


def _container_environment(cfg: EnvConfig) -> list[dict[str, str]]:
    spec = SIZE_SPECS[cfg.size]
    env: dict[str, str] = {
        "SERVER_WORKER_AMOUNT": str(spec.workers),
        "SERVER_THREADS_AMOUNT": str(spec.threads),
        "SUPERSET_PORT": str(CONTAINER_PORT),
        "SUPERSET_LOAD_EXAMPLES": "yes" if cfg.examples else "no",
        "SUPERSET_LOG_LEVEL": "DEBUG" if cfg.debug else "INFO",
        "FLASK_DEBUG": "True" if cfg.debug else "False",
    }
    if cfg.cache_redis:
        # awsvpc: the containers of one task share localhost.
        env["REDIS_HOST"] = "localhost"
        env["REDIS_PORT"] = str(REDIS_PORT)
    for name, on in cfg.flags:
        env[f"SUPERSET_FEATURE_{name}"] = "True" if on else "False"
    return [{"name": k, "value": env[k]} for k in sorted(env)]


def _container_definitions(
    cfg: EnvConfig, image: pulumi.Input[str], log_group: pulumi.Input[str], region: Any
) -> pulumi.Output[str]:
    names = resource_names(cfg.pr, cfg.sha)

    def logs(prefix: str) -> dict[str, Any]:
        return {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": log_group,
                "awslogs-region": region,
                "awslogs-stream-prefix": prefix,
            },
        }

    superset: dict[str, Any] = {
        "name": names.container,
        "image": image,
        "essential": True,
        "portMappings": [
            {"containerPort": CONTAINER_PORT, "hostPort": CONTAINER_PORT, "protocol": "tcp"}
        ],
        "environment": _container_environment(cfg),
        "logConfiguration": logs(names.container),
    }
    containers: list[dict[str, Any]] = [superset]
    if cfg.cache_redis:
        containers.append(
            {
                "name": "redis",
                "image": REDIS_IMAGE,
                "essential": True,
                "memoryReservation": 256,
                "portMappings": [{"containerPort": REDIS_PORT, "protocol": "tcp"}],
                "logConfiguration": logs("redis"),
            }
        )
        superset["dependsOn"] = [{"containerName": "redis", "condition": "START"}]
    return pulumi.Output.json_dumps(containers)


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

    image: pulumi_docker.Image | None = None
    if cfg.image is not None:
        image_ref: pulumi.Output[str] = pulumi.Output.from_input(cfg.image)
    else:
        import pulumi_docker as docker

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
        image_ref = image.repo_digest

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
        container_definitions=_container_definitions(cfg, image_ref, log_group.name, inputs.region),
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


# --------------------------------------------------------------------------- shared


def _lifecycle_policy(max_age_days: int) -> str:
    return json.dumps(
        {
            "rules": [
                {
                    "rulePriority": 1,
                    "description": "expire untagged images after 1 day",
                    "selection": {
                        "tagStatus": "untagged",
                        "countType": "sinceImagePushed",
                        "countUnit": "days",
                        "countNumber": 1,
                    },
                    "action": {"type": "expire"},
                },
                {
                    "rulePriority": 2,
                    "description": f"expire PR images (pr-*) after {max_age_days} days",
                    "selection": {
                        "tagStatus": "tagged",
                        "tagPrefixList": ["pr-"],
                        "countType": "sinceImagePushed",
                        "countUnit": "days",
                        "countNumber": max_age_days,
                    },
                    "action": {"type": "expire"},
                },
            ]
        }
    )


def _execution_policy(repository_arn: str, region: str) -> str:
    """Least privilege: pull from the one repository, write to ``/showtime/*`` log groups."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
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
                    "Resource": repository_arn,
                },
                {
                    "Sid": "Logs",
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                    "Resource": f"arn:aws:logs:{region}:*:log-group:/showtime/*:*",
                },
            ],
        }
    )


_ASSUME_ECS_TASKS = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)


def declare_shared(shared: SharedConfig) -> dict[str, pulumi.Output[Any]]:
    """Declare (or look up) what every environment shares, and export it (SHARED_OUTPUTS)."""
    import pulumi_aws as aws

    tags = shared_tags()

    if shared.create_cluster:
        cluster = aws.ecs.Cluster("cluster", name=shared.cluster_name, tags=tags)
        cluster_name: pulumi.Output[str] = cluster.name
        cluster_arn: pulumi.Output[str] = cluster.arn
    else:
        found = aws.ecs.get_cluster_output(cluster_name=shared.cluster_name)
        cluster_name = pulumi.Output.from_input(shared.cluster_name)
        cluster_arn = (
            pulumi.Output.from_input(shared.cluster_arn) if shared.cluster_arn else found.arn
        )

    if shared.create_ecr_repository:
        repo = aws.ecr.Repository(
            "ecr-repository",
            name=shared.ecr_repository_name,
            image_tag_mutability="MUTABLE",  # a PR image is re-pushed under the same tag
            image_scanning_configuration={"scan_on_push": True},
            tags=tags,
        )
        repo_url: pulumi.Output[str] = repo.repository_url
        repo_arn: pulumi.Output[str] = repo.arn
    else:
        existing = aws.ecr.get_repository_output(name=shared.ecr_repository_name)
        repo_url = (
            pulumi.Output.from_input(shared.ecr_repository_url)
            if shared.ecr_repository_url
            else existing.repository_url
        )
        repo_arn = existing.arn
    if shared.ecr_lifecycle_policy:
        aws.ecr.LifecyclePolicy(
            "ecr-lifecycle",
            repository=shared.ecr_repository_name,
            policy=_lifecycle_policy(shared.pr_image_max_age_days),
            opts=pulumi.ResourceOptions(depends_on=[repo])
            if shared.create_ecr_repository
            else None,
        )

    if shared.create_execution_role:
        role = aws.iam.Role(
            "execution-role",
            name=shared.execution_role_name,
            description="showtime-iac: ECS task execution (pull the image, write logs)",
            assume_role_policy=_ASSUME_ECS_TASKS,
            tags=tags,
        )
        aws.iam.RolePolicy(
            "execution-role-policy",
            role=role.name,
            policy=repo_arn.apply(lambda arn: _execution_policy(arn, shared.region)),
        )
        role_arn: pulumi.Output[str] = role.arn
    elif shared.execution_role_arn:
        role_arn = pulumi.Output.from_input(shared.execution_role_arn)
    else:
        role_arn = aws.iam.get_role_output(name=shared.execution_role_name).arn

    if shared.create_security_group:
        sg = aws.ec2.SecurityGroup(
            "security-group",
            name=f"showtime-{shared.cluster_name}"[:255],  # EC2: ≤255 (cluster names: ≤255 too)
            description=f"showtime-iac preview environments: Superset on {CONTAINER_PORT}",
            vpc_id=shared.vpc_id,
            ingress=[
                {
                    "protocol": "tcp",
                    "from_port": CONTAINER_PORT,
                    "to_port": CONTAINER_PORT,
                    "cidr_blocks": list(shared.ingress_cidrs),
                    "description": "Superset",
                }
            ],
            egress=[
                {
                    "protocol": "-1",
                    "from_port": 0,
                    "to_port": 0,
                    "cidr_blocks": ["0.0.0.0/0"],
                    "description": "image pulls, logs, examples download",
                }
            ],
            tags=tags,
        )
        sg_id: pulumi.Output[str] = sg.id
    else:
        sg_id = pulumi.Output.from_input(shared.security_group_id or "")

    outputs: dict[str, pulumi.Output[Any]] = {
        "region": pulumi.Output.from_input(shared.region),
        "clusterName": cluster_name,
        "clusterArn": cluster_arn,
        "ecrRepositoryName": pulumi.Output.from_input(shared.ecr_repository_name),
        "ecrRepositoryUrl": repo_url,
        "executionRoleArn": role_arn,
        "securityGroupId": sg_id,
        "subnetIds": pulumi.Output.from_input(list(shared.subnet_ids)),
        "logRetentionDays": pulumi.Output.from_input(shared.log_retention_days),
    }
    for k, v in outputs.items():
        pulumi.export(k, v)
    return outputs


# --------------------------------------------------------------------------- entry


def select_program(
    stack: str, values: Mapping[str, str], *, offline: bool = False
) -> Callable[[], object]:
    """The program of one stack: ``shared`` → :func:`declare_shared`; ``pr-{n}-{sha7}`` →
    :func:`declare_environment` from the stack config. Config is parsed and validated here,
    before any resource is declared; anything else raises :class:`StackConfigError`.
    ``offline`` accepts placeholder network ids (the mocked render).
    """
    if stack == "shared":
        shared = SharedConfig.from_stack_config(values)
        if not offline:
            shared.require_deployable()
        return lambda: declare_shared(shared)
    parsed = parse_stack_name(stack)
    if parsed is None:
        raise StackConfigError(
            f"stack {stack[:80]!r} is neither 'shared' nor 'pr-{{number}}-{{sha7}}': "
            "select a stack named like pr-1234-abc1234"
        )
    cfg = from_stack_config(values)
    if (cfg.pr, cfg.sha7) != parsed:
        raise StackConfigError(
            f"stack {stack} holds the config of {cfg.stack} (showtime-iac:pr/sha): "
            "fix the config or select the right stack"
        )
    source = shared_source(values)
    if isinstance(source, SharedConfig) and not offline:
        source.require_deployable()
    build = BuildConfig.from_stack_config(values)
    return lambda: declare_environment(cfg, source, build)


def all_config() -> dict[str, str]:
    """Every config value of the running stack (what the engine passed to this program)."""
    from pulumi.runtime import config as rc

    merged: dict[str, Any] = {**rc.get_config_env(), **rc.CONFIG.get()}
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in merged.items()}


def main(*, offline: bool = False) -> None:
    """Entry of ``pulumi up``: the program for ``pulumi.get_stack()`` from its config."""
    select_program(pulumi.get_stack(), all_config(), offline=offline)()


# --------------------------------------------------------------------------- offline render


@dataclass(frozen=True)
class RenderedResource:
    """One resource the program declared under mocks: type token, logical name, inputs, tags."""

    type: str
    name: str
    inputs: dict[str, Any] = field(hash=False)
    tags: dict[str, str] = field(hash=False)

    def containers(self) -> list[dict[str, Any]]:
        """The container definitions of a task definition (empty for other types)."""
        raw = self.inputs.get("containerDefinitions")
        if not isinstance(raw, str):
            return []
        value: list[dict[str, Any]] = json.loads(raw)
        return value

    def container_env(self, container: str = "superset") -> dict[str, str]:
        """A container's environment as a dict."""
        for c in self.containers():
            if c.get("name") == container:
                return {e["name"]: e["value"] for e in c.get("environment", [])}
        return {}


@dataclass(frozen=True)
class OfflineRender:
    """Resources (in declaration order) and resolved stack outputs of one mocked evaluation."""

    stack: str
    resources: list[RenderedResource]
    outputs: dict[str, Any]
    placeholders: tuple[str, ...] = ()


def _clean(value: Any, key: str = "") -> Any:
    """Wire values → plain Python: secrets redacted, integral floats as ints."""
    if isinstance(value, dict):
        if value.get(_SIG_KEY) == _SECRET_SIG:
            inner = value.get("value")
            # a secret object shows its shape; its secret-named fields stay redacted
            return _clean(inner, key) if isinstance(inner, dict) else "[secret]"
        return {k: _clean(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v, key) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and any(s in key.lower() for s in _SECRET_KEYS):
        return "[secret]"
    return value


class RecordingMocks(pulumi.runtime.Mocks):
    """Records every declared resource and answers lookups with plausible values."""

    def __init__(self, region: str, shared: SharedConfig) -> None:
        self.region = region
        self.shared = shared
        self.recorded: list[RenderedResource] = []
        self._lock = threading.Lock()

    def _arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{MOCK_ACCOUNT}:{resource}"

    def _registry(self) -> str:
        return f"{MOCK_ACCOUNT}.dkr.ecr.{self.region}.amazonaws.com"

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[str, Any]]:
        inputs = dict(args.inputs)
        raw_tags = inputs.pop("tags", None) or {}
        with self._lock:
            self.recorded.append(
                RenderedResource(
                    type=args.typ,
                    name=args.name,
                    inputs=_clean(inputs),
                    tags={str(k): str(v) for k, v in raw_tags.items()},
                )
            )
        state: dict[str, Any] = dict(args.inputs)
        name = str(inputs.get("name") or args.name)
        digest = hashlib.sha256(f"{args.typ}/{args.name}/{name}".encode()).hexdigest()
        typ = args.typ
        if typ == "docker:index/image:Image":
            image_name = str(inputs.get("imageName", ""))
            state["repoDigest"] = f"{image_name.rsplit(':', 1)[0]}@sha256:{digest}"
            state["baseImageName"] = image_name
        elif typ == "aws:ecs/taskDefinition:TaskDefinition":
            state["arn"] = self._arn("ecs", f"task-definition/{inputs.get('family')}:1")
            state["revision"] = 1
        elif typ == "aws:ecs/service:Service":
            state["arn"] = self._arn("ecs", f"service/{self.shared.cluster_name}/{name}")
        elif typ == "aws:ecs/cluster:Cluster":
            state["arn"] = self._arn("ecs", f"cluster/{name}")
        elif typ == "aws:ecr/repository:Repository":
            state["repositoryUrl"] = f"{self._registry()}/{name}"
            state["arn"] = self._arn("ecr", f"repository/{name}")
            state["registryId"] = MOCK_ACCOUNT
        elif typ == "aws:iam/role:Role":
            state["arn"] = f"arn:aws:iam::{MOCK_ACCOUNT}:role/{name}"
        elif typ == "aws:cloudwatch/logGroup:LogGroup":
            state["arn"] = self._arn("logs", f"log-group:{name}")
        elif typ == "pulumi:pulumi:StackReference":
            state["outputs"] = self._shared_outputs()
            return args.resource_id or args.name, state
        else:
            state.setdefault("arn", self._arn("mock", f"{args.name}"))
        if typ == "aws:ec2/securityGroup:SecurityGroup":
            return f"sg-{digest[:17]}", state
        return f"{args.name}-{digest[:12]}", state

    def _shared_outputs(self) -> dict[str, Any]:
        s = self.shared
        return {
            "region": s.region,
            "clusterName": s.cluster_name,
            "clusterArn": s.cluster_arn or self._arn("ecs", f"cluster/{s.cluster_name}"),
            "ecrRepositoryName": s.ecr_repository_name,
            "ecrRepositoryUrl": s.ecr_repository_url
            or f"{self._registry()}/{s.ecr_repository_name}",
            "executionRoleArn": s.execution_role_arn
            or f"arn:aws:iam::{MOCK_ACCOUNT}:role/{s.execution_role_name}",
            "securityGroupId": s.security_group_id or "sg-placeholder",
            "subnetIds": list(s.subnet_ids),
            "logRetentionDays": s.log_retention_days,
        }

    def call(
        self, args: pulumi.runtime.MockCallArgs
    ) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return self._answer(args.token, dict(args.args)), []

    def _answer(self, tok: str, a: dict[str, Any]) -> dict[str, Any]:
        if tok == "aws:ecr/getAuthorizationToken:getAuthorizationToken":
            return {
                "id": self.region,
                "authorizationToken": "bW9jazptb2Nr",
                "userName": "AWS",
                "password": "mock-password",
                "proxyEndpoint": f"https://{self._registry()}",
                "expiresAt": "2099-01-01T00:00:00Z",
            }
        if tok == "aws:ecr/getRepository:getRepository":
            name = a.get("name", "")
            return {
                "id": name,
                "name": name,
                "arn": self._arn("ecr", f"repository/{name}"),
                "registryId": MOCK_ACCOUNT,
                "repositoryUrl": f"{self._registry()}/{name}",
            }
        if tok == "aws:iam/getRole:getRole":
            name = a.get("name", "")
            return {"id": name, "name": name, "arn": f"arn:aws:iam::{MOCK_ACCOUNT}:role/{name}"}
        if tok == "aws:ecs/getCluster:getCluster":
            name = a.get("clusterName", "")
            return {"id": name, "clusterName": name, "arn": self._arn("ecs", f"cluster/{name}")}
        return a


_TYPE_ORDER = (
    "pulumi:pulumi:StackReference",
    "aws:ecs/cluster:Cluster",
    "aws:ecr/repository:Repository",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy",
    "aws:iam/role:Role",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:ec2/securityGroup:SecurityGroup",
    "docker:index/image:Image",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:ecs/taskDefinition:TaskDefinition",
    "aws:ecs/service:Service",
)


def _render_order(r: RenderedResource) -> tuple[int, str, str]:
    """Dependency order (registration under mocks is concurrent, so not deterministic)."""
    rank = _TYPE_ORDER.index(r.type) if r.type in _TYPE_ORDER else len(_TYPE_ORDER)
    return rank, r.type, r.name


def _evaluate(
    stack: str,
    shared: SharedConfig,
    program: Callable[[], Mapping[str, pulumi.Output[Any]] | None],
    *,
    config: Mapping[str, str] | None = None,
    mocks: RecordingMocks | None = None,
) -> OfflineRender:
    """Run ``program`` under fresh mocks in a fresh context (so it can run many times).

    ``config`` becomes the stack config the program sees; ``mocks`` lets a caller keep the
    recorder (to see what was declared before an error).
    """
    from pulumi.runtime import config as runtime_config
    from pulumi.runtime import settings
    from pulumi.runtime.stack import run_pulumi_func
    from pulumi.runtime.sync_await import _sync_await

    recorder = mocks if mocks is not None else RecordingMocks(shared.region, shared)
    resolved: dict[str, Any] = {}

    def body() -> None:
        outputs = program()

        def keep(values: dict[str, Any]) -> None:
            resolved.update(values)

        if outputs:
            pulumi.Output.all(**dict(outputs)).apply(keep)

    def run() -> None:
        settings.ROOT.set(None)
        pulumi.runtime.set_mocks(recorder, project="showtime-iac", stack=stack, preview=False)
        runtime_config.set_all_config(dict(config or {}), [])
        _sync_await(run_pulumi_func(body))

    # Every event loop of the evaluation is closed here: Pulumi's mocks give each worker
    # thread a loop of its own and never close it, and a loop left for the interpreter's exit
    # is sometimes collected after its selector, printing a traceback under a good result.
    previous = asyncio.get_event_loop_policy()
    policy = _RecordingLoopPolicy()
    asyncio.set_event_loop_policy(policy)
    loop = policy.new_event_loop()
    policy.set_event_loop(loop)
    try:
        contextvars.Context().run(run)
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.run_until_complete(loop.shutdown_default_executor())
        policy.set_event_loop(None)
        asyncio.set_event_loop_policy(previous)
        for made in policy.loops:
            if not made.is_running():
                made.close()
    return OfflineRender(
        stack=stack,
        resources=sorted(recorder.recorded, key=_render_order),
        outputs={k: _clean(v, k) for k, v in resolved.items()},
        placeholders=shared.placeholders,
    )


class _RecordingLoopPolicy(asyncio.DefaultEventLoopPolicy):
    """The default policy, remembering every loop it makes (so they can all be closed)."""

    def __init__(self) -> None:
        super().__init__()
        self.loops: list[asyncio.AbstractEventLoop] = []

    def new_event_loop(self) -> asyncio.AbstractEventLoop:
        loop = super().new_event_loop()
        self.loops.append(loop)
        return loop


def evaluate_offline(
    cfg: EnvConfig,
    shared: SharedConfig | SharedStackRef | None = None,
    build: BuildConfig | None = None,
) -> OfflineRender:
    """Evaluate one environment stack's real program under mocks: resources and outputs.

    ``shared`` defaults to :meth:`SharedConfig.offline_default` (the original's cluster and
    ECR repository ``superset-ci`` in us-west-2, placeholder subnets and security group). A
    :class:`SharedStackRef` is answered by the mocks with the offline default's values.
    """
    values = shared if isinstance(shared, SharedConfig) else SharedConfig.offline_default()
    source: SharedConfig | SharedStackRef = shared if shared is not None else values

    def program() -> Mapping[str, pulumi.Output[Any]]:
        return declare_environment(cfg, source, build).outputs

    return _evaluate(cfg.stack, values, program)


def evaluate_stack_offline(
    stack: str,
    values: Mapping[str, str],
    *,
    mocks: RecordingMocks | None = None,
) -> OfflineRender:
    """Run exactly what ``pulumi up`` runs (:func:`main`: stack name → program, config parsed
    from ``values``) under mocks. A :class:`SharedStackRef` is answered with the offline
    default's values; placeholder ids are accepted. Config errors raise before any resource."""
    try:
        shared = SharedConfig.from_stack_config(values)
    except StackConfigError:
        shared = SharedConfig.offline_default()  # main() reports the error itself

    return _evaluate(stack, shared, lambda: main(offline=True), config=values, mocks=mocks)


def render_offline(cfg: EnvConfig, shared: SharedConfig | None = None) -> list[RenderedResource]:
    """Every resource one environment stack declares, evaluated offline under Pulumi mocks.

    Nothing is deployed and nothing leaves the process. Safe to call many times.
    """
    return evaluate_offline(cfg, shared).resources


def render_shared_offline(shared: SharedConfig | None = None) -> OfflineRender:
    """The ``shared`` stack's program under mocks (create or existing, per the switches)."""
    values = shared or SharedConfig.offline_default()
    return _evaluate("shared", values, lambda: declare_shared(values))


# --------------------------------------------------------------------------- text


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return text if len(text) <= 160 else text[:157] + "..."


def format_render(
    resources: Sequence[RenderedResource],
    outputs: Mapping[str, Any] | None = None,
    *,
    stack: str | None = None,
    placeholders: Sequence[str] = (),
) -> str:
    """A plain-text listing: type, logical name, key inputs, tags; headed by OFFLINE_HEADER."""
    lines = [OFFLINE_HEADER]
    head = f"{len(resources)} resources"
    if stack:
        head = f"stack {stack}: {head}"
    lines.append(head)
    if placeholders:
        lines.append(
            f"placeholder ids (replace before a real deploy): {', '.join(placeholders)}; "
            f"account {MOCK_ACCOUNT} is a placeholder"
        )
    for r in resources:
        lines.append("")
        lines.append(f"{r.type}  {r.name}")
        for k in sorted(r.inputs):
            v = r.inputs[k]
            if k == "containerDefinitions" and isinstance(v, str):
                for c in r.containers():
                    lines.append(f"  container {c.get('name')}: image {c.get('image')}")
                    ports = [str(p.get("containerPort")) for p in c.get("portMappings", [])]
                    if ports:
                        lines.append(f"    ports: {', '.join(ports)}")
                    for e in c.get("environment", []):
                        lines.append(f"    env {e['name']}={e['value']}")
                    opts = c.get("logConfiguration", {}).get("options", {})
                    if opts:
                        lines.append(
                            f"    logs: {opts.get('awslogs-group')} ({opts.get('awslogs-region')})"
                        )
                continue
            if v in (None, "", [], {}):
                continue
            lines.append(f"  {k}: {_short(v)}")
        if r.tags:
            lines.append("  tags: " + ", ".join(f"{k}={v}" for k, v in sorted(r.tags.items())))
    if outputs:
        lines.append("")
        lines.append("outputs:")
        for k in sorted(outputs):
            lines.append(f"  {k}: {_short(outputs[k])}")
    return "\n".join(lines)
