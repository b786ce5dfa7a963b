"""program vs AWS: everything the real program renders validates against botocore's API models,
pulumi_aws's typed arguments and the rules the models do not hold (tests/program/aws_models.py);
mutations of rendered resources and of the program itself prove each check fails when it should.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pulumi
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from showtime_iac import program
from showtime_iac.core.model import EnvConfig, Ttl, resource_tags
from showtime_iac.core.stack_config import SharedConfig, SharedStackRef
from showtime_iac.program import (
    RenderedResource,
    SizeSpec,
    evaluate_offline,
    evaluate_stack_offline,
    render_offline,
    render_shared_offline,
    shared_tags,
)

from .aws_models import RULES, Problem, ensure_ready, validate, validate_resource

SHA = "abc1234def5678abc1234def5678abc1234def56"
TASK_DEF = "aws:ecs/taskDefinition:TaskDefinition"
SERVICE = "aws:ecs/service:Service"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
LIFECYCLE = "aws:ecr/lifecyclePolicy:LifecyclePolicy"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
REPOSITORY = "aws:ecr/repository:Repository"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
CLUSTER = "aws:ecs/cluster:Cluster"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
LISTENER = "aws:lb/listener:Listener"
LISTENER_RULE = "aws:lb/listenerRule:ListenerRule"
SECRET = "aws:secretsmanager/secret:Secret"
PARAMETER = "aws:ssm/parameter:Parameter"
CERTIFICATE = "aws:acm/certificate:Certificate"
LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"


@pytest.fixture(scope="module", autouse=True)
def _models() -> None:
    ensure_ready()


def cfg_of(**kw: object) -> EnvConfig:
    base: dict[str, object] = {"pr": 1234, "sha": SHA, "requester": "octocat"}
    base.update(kw)
    return EnvConfig(**base)  # type: ignore[arg-type]


def report(problems: Sequence[Problem]) -> str:
    return "\n".join(map(str, problems))


# --------------------------------------------------------------------------- what the program renders

ENV_CASES: dict[str, EnvConfig] = {
    f"{size}{'-debug' if debug else ''}{'-redis' if redis else ''}": cfg_of(
        size=size, debug=debug, cache_redis=redis
    )
    for size, debug, redis in itertools.product(
        ("small", "medium", "large"), (False, True), (False, True)
    )
}
ENV_CASES |= {
    "flags-no-examples": cfg_of(
        examples=False,
        flags=(("ALERTS", True), ("DASHBOARD_RBAC", False), ("EMBEDDED_SUPERSET", True)),
    ),
    "prebuilt-image": cfg_of(
        image="123456789012.dkr.ecr.us-west-2.amazonaws.com/superset-ci:pr-1234-abc1234-ci"
    ),
    "public-image": cfg_of(image="public.ecr.aws/x/superset:6.1.0"),
    "baseline": cfg_of(pr=0, ttl=Ttl("manual"), repo="apache/superset"),
    "ttl-expiry": cfg_of(ttl=Ttl("48h"), created=datetime(2026, 1, 15, 14, 30, tzinfo=UTC)),
    "close-ttl-fork": cfg_of(ttl=Ttl("close"), repo="some-fork.io/superset_fork"),
    "largest-pr-number": cfg_of(pr=9_999_999_999, requester="a" * 39),
    "unknown-requester": cfg_of(requester="unknown"),
}

NET = {"subnet_ids": ("subnet-0123456789abcdef0",), "security_group_id": "sg-0123456789abcdef0"}
CREATE_ALL = SharedConfig(
    create_cluster=True,
    create_ecr_repository=True,
    create_execution_role=True,
    create_security_group=True,
    vpc_id="vpc-0123456789abcdef0",
    subnet_ids=("subnet-0123456789abcdef0", "subnet-0fedcba9876543210"),
    ingress_cidrs=("10.0.0.0/8", "192.168.0.0/16"),
    pr_image_max_age_days=10,
)
SHARED_CASES: dict[str, SharedConfig] = {
    "offline-default": SharedConfig.offline_default(),
    "existing": SharedConfig(**NET),  # type: ignore[arg-type]
    "create-all": CREATE_ALL,
    "create-all-longest-ages": dataclasses.replace(
        CREATE_ALL, pr_image_max_age_days=3650, log_retention_days=3653
    ),
    "longest-names": dataclasses.replace(
        CREATE_ALL,
        cluster_name="c" * 255,  # the security group's name is derived from it
        ecr_repository_name="r" * 256,
        execution_role_name="x" * 64,
    ),
    "create-some": SharedConfig(
        create_cluster=True,
        create_execution_role=True,
        cluster_name="a" * 255,
        execution_role_name="r" * 64,
        ecr_repository_name="org/superset-ci.preview_images",
        **NET,  # type: ignore[arg-type]
    ),
    # HTTPS mode with two shards, the optional deletion protection and access logs, and an
    # existing permissions boundary (issue 27)
    "https-alb-options": dataclasses.replace(
        CREATE_ALL,
        domain="preview.example.org",
        hosted_zone_id="Z0123456789ABCDEFGHIJ",
        load_balancer_shards=(0, 1),
        alb_deletion_protection=True,
        alb_access_logs_bucket="my-elb-logs",
        alb_access_logs_prefix="showtime",
        permissions_boundary_arn="arn:aws:iam::123456789012:policy/showtime-boundary",
    ),
}


@pytest.mark.parametrize("case", ENV_CASES)
def test_every_environment_combination_validates(case: str) -> None:
    resources = render_offline(ENV_CASES[case])
    assert {r.type for r in resources} >= {TASK_DEF, SERVICE, LOG_GROUP}
    problems = validate(resources)
    assert problems == [], report(problems)


@pytest.mark.parametrize("case", SHARED_CASES)
def test_every_shared_stack_combination_validates(case: str) -> None:
    resources = render_shared_offline(SHARED_CASES[case]).resources
    problems = validate(resources)
    assert problems == [], report(problems)


def test_environment_on_a_shared_stack_reference_validates() -> None:
    out = evaluate_offline(cfg_of(cache_redis=True), SharedStackRef("org/showtime-iac/shared"))
    assert out.resources[0].type == "pulumi:pulumi:StackReference"
    assert validate(out.resources) == []


STACKS = Path(__file__).resolve().parents[2] / "stacks"


@pytest.mark.parametrize(
    ("stack", "file"),
    [("shared", "Pulumi.shared.yaml"), ("pr-1234-abc1234", "example-env-stack.yaml")],
)
def test_the_example_stack_configs_validate(stack: str, file: str) -> None:
    import yaml  # type: ignore[import-untyped]  # a dependency of pulumi

    values = dict(yaml.safe_load((STACKS / file).read_text())["config"])
    resources = evaluate_stack_offline(stack, values).resources
    assert resources
    assert validate(resources) == []


def test_a_bot_requester_renders_valid_tags() -> None:
    problems = validate(render_offline(cfg_of(requester="dependabot[bot]")))
    assert problems == [], report(problems)


logins = st.from_regex(r"\A[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){0,38}\Z")
flag_names = st.from_regex(r"\A[A-Z][A-Z0-9_]{0,30}\Z")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pr=st.integers(0, 9_999_999_999),
    sha=st.text("0123456789abcdef", min_size=40, max_size=40),
    size=st.sampled_from(("small", "medium", "large")),
    debug=st.booleans(),
    examples=st.booleans(),
    redis=st.booleans(),
    flags=st.dictionaries(flag_names, st.booleans(), max_size=4),
    requester=logins,
)
def test_any_environment_config_validates(
    pr: int,
    sha: str,
    size: str,
    debug: bool,
    examples: bool,
    redis: bool,
    flags: dict[str, bool],
    requester: str,
) -> None:
    cfg = EnvConfig(
        pr=pr,
        sha=sha,
        size=size,  # type: ignore[arg-type]
        debug=debug,
        examples=examples,
        cache_redis=redis,
        flags=tuple(sorted(flags.items())),
        requester=requester,
    )
    problems = validate(render_offline(cfg))
    assert problems == [], report(problems)


# --------------------------------------------------------------------------- ALB, secrets (fixture)

DOMAIN = "showtime.example.org"
VPC = "vpc-0123456789abcdef0"
SUBNETS = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]


def _front_door() -> None:
    """What issue 16 adds (load balancer, HTTPS, per-PR target group and host rule, secrets),
    declared through the real SDK next to the real environment: the rules for those types are
    proven before the program declares them."""
    import pulumi_aws as aws

    tags = shared_tags()
    lb_sg = aws.ec2.SecurityGroup(
        "lb-security-group",
        name="showtime-superset-ci-lb",
        description="showtime-iac load balancer: HTTPS from anywhere",
        vpc_id=VPC,
        ingress=[
            {"protocol": "tcp", "from_port": p, "to_port": p, "cidr_blocks": ["0.0.0.0/0"]}
            for p in (80, 443)
        ],
        egress=[
            {"protocol": "tcp", "from_port": 8080, "to_port": 8080, "cidr_blocks": ["10.0.0.0/8"]}
        ],
        tags=tags,
    )
    aws.vpc.SecurityGroupIngressRule(
        "tasks-from-lb",
        security_group_id="sg-0123456789abcdef0",
        referenced_security_group_id=lb_sg.id,
        ip_protocol="tcp",
        from_port=8080,
        to_port=8080,
        description="Superset from the load balancer only",
    )
    alb = aws.lb.LoadBalancer(
        "load-balancer",
        name="showtime-superset-ci",
        load_balancer_type="application",
        internal=False,
        security_groups=[lb_sg.id],
        subnets=SUBNETS,
        idle_timeout=120,
        enable_deletion_protection=True,
        tags=tags,
    )
    cert = aws.acm.Certificate(
        "certificate", domain_name=f"*.{DOMAIN}", validation_method="DNS", tags=tags
    )
    https = aws.lb.Listener(
        "https",
        load_balancer_arn=alb.arn,
        port=443,
        protocol="HTTPS",
        ssl_policy="ELBSecurityPolicy-TLS13-1-2-2021-06",
        certificate_arn=cert.arn,
        default_actions=[
            {
                "type": "fixed-response",
                "fixed_response": {
                    "content_type": "text/plain",
                    "message_body": "no such environment",
                    "status_code": "404",
                },
            }
        ],
        tags=tags,
    )
    aws.lb.Listener(
        "http",
        load_balancer_arn=alb.arn,
        port=80,
        protocol="HTTP",
        default_actions=[
            {
                "type": "redirect",
                "redirect": {"port": "443", "protocol": "HTTPS", "status_code": "HTTP_301"},
            }
        ],
        tags=tags,
    )
    cfg = cfg_of()
    env = program.declare_environment(cfg, SharedConfig.offline_default())
    env_tags = resource_tags(cfg)
    tg = aws.lb.TargetGroup(
        "target-group",
        name="showtime-pr-1234-abc1234",
        port=8080,
        protocol="HTTP",
        target_type="ip",
        vpc_id=VPC,
        deregistration_delay=30,
        health_check={
            "path": "/health",
            "matcher": "200",
            "interval": 15,
            "timeout": 5,
            "healthy_threshold": 2,
            "unhealthy_threshold": 3,
        },
        tags=env_tags,
    )
    aws.lb.ListenerRule(
        "host-rule",
        listener_arn=https.arn,
        priority=1234,
        conditions=[{"host_header": {"values": [f"abc1234.pr-1234.{DOMAIN}"]}}],
        actions=[{"type": "forward", "target_group_arn": tg.arn}],
        tags=env_tags,
    )
    aws.lb.ListenerRule(
        "pr-rule",
        listener_arn=https.arn,
        priority=50000,
        conditions=[
            {"host_header": {"values": [f"pr-1234.{DOMAIN}"]}},
            {"path_pattern": {"values": ["/*"]}},
        ],
        actions=[
            {
                "type": "forward",
                "forward": {
                    "target_groups": [{"arn": tg.arn, "weight": 100}],
                    "stickiness": {"enabled": False, "duration": 60},
                },
            }
        ],
        tags=env_tags,
    )
    aws.ecs.Service(
        "service-behind-lb",
        name="pr-1234-abc1234-web",
        cluster="superset-ci",
        task_definition=env.task_definition.arn,
        desired_count=1,
        launch_type="FARGATE",
        network_configuration={"subnets": SUBNETS, "security_groups": ["sg-0123456789abcdef0"]},
        load_balancers=[
            {"target_group_arn": tg.arn, "container_name": "superset", "container_port": 8080}
        ],
        health_check_grace_period_seconds=120,
        tags=env_tags,
    )
    secret = aws.secretsmanager.Secret(
        "secret-key",
        name="showtime/pr-1234-abc1234/secret-key",
        description="SUPERSET_SECRET_KEY of pr-1234-abc1234",
        recovery_window_in_days=0,
        tags=env_tags,
    )
    aws.secretsmanager.SecretVersion(
        "secret-key-value", secret_id=secret.id, secret_string=pulumi.Output.secret("k" * 42)
    )
    aws.ssm.Parameter(
        "admin-password",
        name="/showtime/pr-1234-abc1234/admin-password",
        type="SecureString",
        value=pulumi.Output.secret("p" * 24),
        tags=env_tags,
    )
    aws.iam.RolePolicy(
        "read-secrets",
        role="showtime-ecs-execution",
        policy=secret.arn.apply(
            lambda arn: json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": "secretsmanager:GetSecretValue",
                            "Resource": arn,
                        },
                        {
                            "Effect": "Allow",
                            "Action": ["ssm:GetParameters"],
                            "Resource": "arn:aws:ssm:us-west-2:000000000000:parameter/showtime/*",
                        },
                    ],
                }
            )
        ),
    )


@pytest.fixture(scope="module")
def front_door() -> list[RenderedResource]:
    out = program._evaluate("pr-1234-abc1234", SharedConfig.offline_default(), _front_door)
    return out.resources


def test_load_balancer_and_secret_resources_validate(front_door: list[RenderedResource]) -> None:
    types = {r.type for r in front_door}
    assert types >= {
        TARGET_GROUP,
        LISTENER,
        LISTENER_RULE,
        SECRET,
        PARAMETER,
        CERTIFICATE,
        LOAD_BALANCER,
    }
    problems = validate(front_door)
    assert problems == [], report(problems)


# --------------------------------------------------------------------------- mutations

DROP = object()  # delete the key


def _steps(path: str) -> list[str | int]:
    return [
        int(s[1:-1]) if s.startswith("[") else s for s in re.findall(r"\[\d+\]|[^.\[\]]+", path)
    ]


def mutate(
    r: RenderedResource, path: str, value: Any = DROP, *, rename: str | None = None
) -> RenderedResource:
    """A copy of ``r`` with the value at ``path`` set, deleted, or its key renamed. A path
    through a JSON string (``containerDefinitions``, ``policy``) changes the document."""
    if path.startswith("tags."):
        tags = dict(r.tags)
        key = path.removeprefix("tags.")
        if rename is not None:
            tags[rename] = tags.pop(key)
        elif value is DROP:
            del tags[key]
        else:
            tags[key] = value
        return dataclasses.replace(r, tags=tags)
    inputs: dict[str, Any] = json.loads(json.dumps(r.inputs))
    first, *rest = _steps(path)
    assert isinstance(first, str)
    encoded = isinstance(inputs.get(first), str) and bool(rest)
    root: Any = json.loads(inputs[first]) if encoded else inputs
    steps: list[str | int] = rest if encoded else [first, *rest]
    parent: Any = root
    for step in steps[:-1]:
        parent = parent[step]
    last = steps[-1]
    if rename is not None:
        parent[rename] = parent.pop(last)
    elif value is DROP:
        del parent[last]
    else:
        parent[last] = value
    if encoded:
        inputs[first] = json.dumps(root)
    return dataclasses.replace(r, inputs=inputs)


def one(
    resources: Sequence[RenderedResource], typ: str, name: str | None = None
) -> RenderedResource:
    (r,) = [x for x in resources if x.type == typ and (name is None or x.name == name)]
    return r


def paths_after(
    resources: Sequence[RenderedResource],
    typ: str,
    change: Callable[[RenderedResource], RenderedResource],
    name: str | None = None,
) -> set[str]:
    """The paths the validator reports once ``change`` is applied to the one resource."""
    target = one(resources, typ, name)
    changed = change(target)
    assert changed != target, "the mutation changed nothing"
    every = [changed if x is target else x for x in resources]
    return {p.path for p in validate_resource(changed, every)}


Mutation = tuple[str, str | None, Callable[[RenderedResource], RenderedResource], set[str]]
C0 = "containerDefinitions[0]"

ENV_MUTATIONS: dict[str, Mutation] = {
    "typo in a container's nested key": (
        TASK_DEF,
        None,
        lambda r: mutate(r, f"{C0}.portMappings[0].containerPort", rename="containerPortt"),
        # the typo, and the key it should have been (ECS needs containerPort in a mapping)
        {f"{C0}.portMappings[0].containerPortt", f"{C0}.portMappings[0].containerPort"},
    ),
    "snake_case key leaks onto the wire": (
        TASK_DEF,
        None,
        lambda r: mutate(r, "runtimePlatform.cpuArchitecture", rename="cpu_architecture"),
        {"runtimePlatform.cpu_architecture"},
    ),
    "invalid cpuArchitecture": (
        TASK_DEF,
        None,
        lambda r: mutate(r, "runtimePlatform.cpuArchitecture", "X86"),
        {"runtimePlatform.cpuArchitecture"},
    ),
    "invalid port protocol": (
        TASK_DEF,
        None,
        lambda r: mutate(r, f"{C0}.portMappings[0].protocol", "TCPP"),
        {f"{C0}.portMappings[0].protocol"},
    ),
    "memory 5000 with cpu 1024": (
        TASK_DEF,
        None,
        lambda r: mutate(mutate(r, "cpu", "1024"), "memory", "5000"),
        {"memory"},
    ),
    "memory below what the cpu takes": (
        TASK_DEF,
        None,
        lambda r: mutate(r, "memory", "1024"),  # the default is 1 vCPU: 2048 at least
        {"memory"},
    ),
    "cpu that Fargate has not": (TASK_DEF, None, lambda r: mutate(r, "cpu", "3000"), {"cpu"}),
    "Fargate without awsvpc": (
        TASK_DEF,
        None,
        lambda r: mutate(r, "networkMode", "bridge"),
        {"networkMode"},
    ),
    "unknown network mode": (
        TASK_DEF,
        None,
        lambda r: mutate(r, "networkMode", "vpc"),
        {"networkMode"},
    ),
    "unknown launch compatibility": (
        TASK_DEF,
        None,
        lambda r: mutate(r, "requiresCompatibilities", ["FARGATE", "LAMBDA"]),
        {"requiresCompatibilities[1]"},
    ),
    "environment value not a string": (
        TASK_DEF,
        None,
        lambda r: mutate(r, f"{C0}.environment[0].value", 1),
        {f"{C0}.environment[0].value"},
    ),
    "essential not a boolean": (
        TASK_DEF,
        None,
        lambda r: mutate(r, f"{C0}.essential", "yes"),
        {f"{C0}.essential"},
    ),
    "Fargate awslogs without a stream prefix": (
        TASK_DEF,
        None,
        lambda r: mutate(r, f"{C0}.logConfiguration.options.awslogs-stream-prefix"),
        {f"{C0}.logConfiguration.options.awslogs-stream-prefix"},
    ),
    "unknown log driver": (
        TASK_DEF,
        None,
        lambda r: mutate(r, f"{C0}.logConfiguration.logDriver", "cloudwatch"),
        {f"{C0}.logConfiguration.logDriver"},
    ),
    "logs to a log group the stack does not declare": (
        TASK_DEF,
        None,
        lambda r: mutate(r, f"{C0}.logConfiguration.options.awslogs-group", "/showtime/other"),
        {f"{C0}.logConfiguration.options.awslogs-group"},
    ),
    "container name with a space": (
        TASK_DEF,
        None,
        lambda r: mutate(r, f"{C0}.name", "super set"),
        {f"{C0}.name"},
    ),
    "family too long": (TASK_DEF, None, lambda r: mutate(r, "family", "f" * 256), {"family"}),
    "container health check more often than ECS allows": (
        TASK_DEF,
        None,
        lambda r: mutate(r, f"{C0}.healthCheck.interval", 2),
        {f"{C0}.healthCheck.interval"},
    ),
    "container health check start period over ECS's maximum": (
        TASK_DEF,
        None,
        lambda r: mutate(r, f"{C0}.healthCheck.startPeriod", 600),
        {f"{C0}.healthCheck.startPeriod"},
    ),
    "typo in a service's nested key": (
        SERVICE,
        None,
        lambda r: mutate(r, "networkConfiguration.assignPublicIp", rename="assignPublicIpp"),
        {"networkConfiguration.assignPublicIpp"},
    ),
    "required nested key missing": (
        SERVICE,
        None,
        lambda r: mutate(r, "deploymentCircuitBreaker.rollback"),
        {"deploymentCircuitBreaker.rollback"},
    ),
    "subnets not a list": (
        SERVICE,
        None,
        lambda r: mutate(r, "networkConfiguration.subnets", "subnet-0123456789abcdef0"),
        {"networkConfiguration.subnets"},
    ),
    "invalid launch type": (
        SERVICE,
        None,
        lambda r: mutate(r, "launchType", "FARGATE_SPOT"),
        {"launchType"},
    ),
    "invalid propagateTags": (
        SERVICE,
        None,
        lambda r: mutate(r, "propagateTags", "TASK"),
        {"propagateTags"},
    ),
    "unknown top-level input": (
        SERVICE,
        None,
        lambda r: mutate(r, "desiredCountt", 1),
        {"desiredCountt"},
    ),
    "service name with a slash": (SERVICE, None, lambda r: mutate(r, "name", "pr/1234"), {"name"}),
    "a log retention CloudWatch does not offer": (
        LOG_GROUP,
        None,
        lambda r: mutate(r, "retentionInDays", 8),
        {"retentionInDays"},
    ),
    "log group name with a space": (
        LOG_GROUP,
        None,
        lambda r: mutate(r, "name", "/showtime/pr 1234"),
        {"name"},
    ),
    "bot login in a tag value": (
        SERVICE,
        None,
        lambda r: mutate(r, "tags.showtime:requested-by", "dependabot[bot]"),
        {"tags.showtime:requested-by"},
    ),
    "tag value too long": (
        LOG_GROUP,
        None,
        lambda r: mutate(r, "tags.showtime:repo", "r" * 257),
        {"tags.showtime:repo"},
    ),
    "reserved aws: tag key": (
        TASK_DEF,
        None,
        lambda r: mutate(r, "tags.showtime:pr", rename="aws:pr"),
        {"tags.aws:pr"},
    ),
}


@pytest.fixture(scope="module")
def env_render() -> list[RenderedResource]:
    resources = render_offline(cfg_of())
    assert validate(resources) == []
    return resources


@pytest.fixture(scope="module")
def redis_render() -> list[RenderedResource]:
    resources = render_offline(cfg_of(cache_redis=True))
    assert validate(resources) == []
    return resources


@pytest.fixture(scope="module")
def shared_render() -> list[RenderedResource]:
    resources = render_shared_offline(CREATE_ALL).resources
    assert validate(resources) == []
    return resources


@pytest.mark.parametrize("case", ENV_MUTATIONS)
def test_a_mutated_environment_resource_fails_at_exactly_that_path(
    case: str, env_render: list[RenderedResource]
) -> None:
    typ, name, change, expected = ENV_MUTATIONS[case]
    assert paths_after(env_render, typ, change, name) == expected


REDIS_MUTATIONS: dict[str, Mutation] = {
    "invalid dependsOn condition": (
        TASK_DEF,
        None,
        lambda r: mutate(r, f"{C0}.dependsOn[0].condition", "STARTED"),
        {f"{C0}.dependsOn[0].condition"},
    ),
    "dependsOn a container that is not there": (
        TASK_DEF,
        None,
        lambda r: mutate(r, f"{C0}.dependsOn[0].containerName", "redis-cache"),
        {f"{C0}.dependsOn[0].containerName"},
    ),
    "two containers of one name": (
        TASK_DEF,
        None,
        lambda r: mutate(r, "containerDefinitions[1].name", "superset"),
        {f"{C0}.name", "containerDefinitions[1].name", f"{C0}.dependsOn[0].containerName"},
    ),
    "a sidecar reserving more than the task has": (
        TASK_DEF,
        None,
        lambda r: mutate(r, "containerDefinitions[1].memoryReservation", 99999),
        {"containerDefinitions"},
    ),
}


@pytest.mark.parametrize("case", REDIS_MUTATIONS)
def test_a_mutated_sidecar_fails_at_exactly_that_path(
    case: str, redis_render: list[RenderedResource]
) -> None:
    typ, name, change, expected = REDIS_MUTATIONS[case]
    assert paths_after(redis_render, typ, change, name) == expected


SHARED_MUTATIONS: dict[str, Mutation] = {
    "lifecycle rule with an invalid tagStatus": (
        LIFECYCLE,
        None,
        lambda r: mutate(r, "policy.rules[0].selection.tagStatus", "sometimes"),
        {"policy.rules[0].selection.tagStatus"},
    ),
    "lifecycle rule without countNumber": (
        LIFECYCLE,
        None,
        lambda r: mutate(r, "policy.rules[1].selection.countNumber"),
        {"policy.rules[1].selection.countNumber"},
    ),
    "lifecycle rule with an invalid countType": (
        LIFECYCLE,
        None,
        lambda r: mutate(r, "policy.rules[1].selection.countType", "sinceImagePulledd"),
        {"policy.rules[1].selection.countType"},
    ),
    "lifecycle rule counting weeks": (
        LIFECYCLE,
        None,
        lambda r: mutate(r, "policy.rules[1].selection.countUnit", "weeks"),
        {"policy.rules[1].selection.countUnit"},
    ),
    "two lifecycle rules of one priority": (
        LIFECYCLE,
        None,
        lambda r: mutate(r, "policy.rules[1].rulePriority", 1),
        {"policy.rules"},
    ),
    "tagged rule without a tag prefix list": (
        LIFECYCLE,
        None,
        lambda r: mutate(r, "policy.rules[1].selection.tagPrefixList"),
        {"policy.rules[1].selection"},
    ),
    "typo in a lifecycle key": (
        LIFECYCLE,
        None,
        lambda r: mutate(r, "policy.rules[0].selection", rename="selections"),
        {"policy.rules[0].selections", "policy.rules[0].selection"},
    ),
    "IAM action that does not exist": (
        ROLE_POLICY,
        None,
        lambda r: mutate(r, "policy.Statement[1].Action[2]", "ecr:BatchGetImages"),
        {"policy.Statement[1].Action[2]"},
    ),
    "IAM effect in lower case": (
        ROLE_POLICY,
        None,
        lambda r: mutate(r, "policy.Statement[0].Effect", "allow"),
        {"policy.Statement[0].Effect"},
    ),
    "identity policy statement without a Resource": (
        ROLE_POLICY,
        None,
        lambda r: mutate(r, "policy.Statement[2].Resource"),
        {"policy.Statement[2].Resource"},
    ),
    "trust policy without a Principal": (
        ROLE,
        None,
        lambda r: mutate(r, "assumeRolePolicy.Statement[0].Principal"),
        {"assumeRolePolicy.Statement[0].Principal"},
    ),
    "role name too long": (ROLE, None, lambda r: mutate(r, "name", "r" * 65), {"name"}),
    "invalid image tag mutability": (
        REPOSITORY,
        None,
        lambda r: mutate(r, "imageTagMutability", "mutable"),
        {"imageTagMutability"},
    ),
    "repository name in upper case": (
        REPOSITORY,
        None,
        lambda r: mutate(r, "name", "Superset-CI"),
        {"name"},
    ),
    "typo in the repository's nested key": (
        REPOSITORY,
        None,
        lambda r: mutate(r, "imageScanningConfiguration.scanOnPush", rename="scanOnPushh"),
        # the typo, and the key pulumi_aws requires there
        {"imageScanningConfiguration.scanOnPushh", "imageScanningConfiguration.scanOnPush"},
    ),
    "cluster name with a space": (
        CLUSTER,
        None,
        lambda r: mutate(r, "name", "superset ci"),
        {"name"},
    ),
    "security group port as a string": (
        SECURITY_GROUP,
        None,
        lambda r: mutate(r, "ingress[0].fromPort", "8080"),
        {"ingress[0].fromPort"},
    ),
    "typo in a security group rule": (
        SECURITY_GROUP,
        None,
        lambda r: mutate(r, "ingress[0].cidrBlocks", rename="cidrBlock"),
        {"ingress[0].cidrBlock"},
    ),
    "security group description outside EC2's charset": (
        SECURITY_GROUP,
        None,
        lambda r: mutate(r, "description", "Superset previews — HTTPS"),
        {"description"},
    ),
    "security group rule description outside EC2's charset": (
        SECURITY_GROUP,
        None,
        lambda r: mutate(r, "ingress[0].description", "Superset <8080>"),
        {"ingress[0].description"},
    ),
    "security group name starting sg-": (
        SECURITY_GROUP,
        None,
        lambda r: mutate(r, "name", "sg-showtime"),
        {"name"},
    ),
}


@pytest.mark.parametrize("case", SHARED_MUTATIONS)
def test_a_mutated_shared_resource_fails_at_exactly_that_path(
    case: str, shared_render: list[RenderedResource]
) -> None:
    typ, name, change, expected = SHARED_MUTATIONS[case]
    assert paths_after(shared_render, typ, change, name) == expected


FRONT_DOOR_MUTATIONS: dict[str, Mutation] = {
    "invalid target group protocol": (
        TARGET_GROUP,
        None,
        lambda r: mutate(r, "protocol", "TCPP"),
        {"protocol"},
    ),
    "target group name over 32 characters": (
        TARGET_GROUP,
        None,
        lambda r: mutate(r, "name", "showtime-pr-9999999999-abc1234-tg"),
        {"name"},
    ),
    "health check interval out of range": (
        TARGET_GROUP,
        None,
        lambda r: mutate(r, "healthCheck.interval", 400),
        {"healthCheck.interval"},
    ),
    "health check timeout not below its interval": (
        TARGET_GROUP,
        None,
        lambda r: mutate(r, "healthCheck.timeout", 15),
        {"healthCheck.timeout"},
    ),
    "typo in the health check": (
        TARGET_GROUP,
        None,
        lambda r: mutate(r, "healthCheck.path", rename="pathh"),
        {"healthCheck.pathh"},
    ),
    "target type for EC2 instances": (
        TARGET_GROUP,
        None,
        lambda r: mutate(r, "targetType", "instance"),
        {"targetType"},
    ),
    "deregistration delay out of range": (
        TARGET_GROUP,
        None,
        lambda r: mutate(r, "deregistrationDelay", 7200),
        {"deregistrationDelay"},
    ),
    "rule priority 0": (
        LISTENER_RULE,
        "host-rule",
        lambda r: mutate(r, "priority", 0),
        {"priority"},
    ),
    "typo in a rule condition": (
        LISTENER_RULE,
        "host-rule",
        lambda r: mutate(r, "conditions[0].hostHeader.values", rename="valuess"),
        {"conditions[0].hostHeader.valuess"},
    ),
    "invalid rule action type": (
        LISTENER_RULE,
        "host-rule",
        lambda r: mutate(r, "actions[0].type", "forwardd"),
        {"actions[0].type"},
    ),
    "the API's key name where pulumi_aws has its own": (
        LISTENER_RULE,
        "pr-rule",
        lambda r: mutate(r, "actions[0].forward.targetGroups[0].arn", rename="targetGroupArn"),
        # the API takes targetGroupArn here; pulumi_aws (the provider) reads arn, and only
        # its typed arguments know that
        {
            "actions[0].forward.targetGroups[0].targetGroupArn",
            "actions[0].forward.targetGroups[0].arn",
        },
    ),
    "rule without conditions": (
        LISTENER_RULE,
        "pr-rule",
        lambda r: mutate(r, "conditions"),
        {"conditions"},
    ),
    "redirect with a status ELB has not": (
        LISTENER,
        "http",
        lambda r: mutate(r, "defaultActions[0].redirect.statusCode", "HTTP_307"),
        {"defaultActions[0].redirect.statusCode"},
    ),
    "fixed response with a 3xx": (
        LISTENER,
        "https",
        lambda r: mutate(r, "defaultActions[0].fixedResponse.statusCode", "302"),
        {"defaultActions[0].fixedResponse.statusCode"},
    ),
    "invalid listener protocol": (
        LISTENER,
        "https",
        lambda r: mutate(r, "protocol", "HTTPS2"),
        {"protocol"},
    ),
    "invalid load balancer type": (
        LOAD_BALANCER,
        None,
        lambda r: mutate(r, "loadBalancerType", "app"),
        {"loadBalancerType"},
    ),
    "load balancer to a port the container has not": (
        SERVICE,
        "service-behind-lb",
        lambda r: mutate(r, "loadBalancers[0].containerPort", 8081),
        {"loadBalancers[0]"},
    ),
    "secret recovery window of 3 days": (
        SECRET,
        "secret-key",
        lambda r: mutate(r, "recoveryWindowInDays", 3),
        {"recoveryWindowInDays"},
    ),
    "secret name with a space": (
        SECRET,
        "secret-key",
        lambda r: mutate(r, "name", "showtime/pr 1234"),
        {"name"},
    ),
    "invalid parameter type": (PARAMETER, None, lambda r: mutate(r, "type", "Secure"), {"type"}),
    "invalid certificate validation": (
        CERTIFICATE,
        None,
        lambda r: mutate(r, "validationMethod", "DNSS"),
        {"validationMethod"},
    ),
    "invalid certificate domain": (
        CERTIFICATE,
        None,
        lambda r: mutate(r, "domainName", "*.-showtime.example.org"),
        {"domainName"},
    ),
}


@pytest.mark.parametrize("case", FRONT_DOOR_MUTATIONS)
def test_a_mutated_load_balancer_or_secret_resource_fails_at_exactly_that_path(
    case: str, front_door: list[RenderedResource]
) -> None:
    typ, name, change, expected = FRONT_DOOR_MUTATIONS[case]
    assert paths_after(front_door, typ, change, name) == expected


def test_a_grace_period_needs_a_health_check_to_apply_to(
    env_render: list[RenderedResource],
) -> None:
    """Public-IP mode's service has a grace period and no load balancer: it holds because
    ECS's model says the grace covers the container's own check; without one it is refused."""
    task = one(env_render, TASK_DEF)
    assert "loadBalancers" not in one(env_render, SERVICE).inputs
    assert one(env_render, SERVICE).inputs["healthCheckGracePeriodSeconds"] > 0
    unchecked = mutate(task, f"{C0}.healthCheck")
    every = [unchecked if r is task else r for r in env_render]
    assert {(p.resource.split()[0], p.path) for p in validate(every)} == {
        (SERVICE, "healthCheckGracePeriodSeconds")
    }


def test_a_resource_type_without_a_rule_is_a_problem() -> None:
    stray = RenderedResource("aws:s3/bucket:Bucket", "bucket", {"bucket": "x"}, {})
    assert "aws:s3/bucket:Bucket" not in RULES
    (problem,) = validate([stray])
    assert problem.check == "rules"


def test_problems_name_the_check_and_a_close_key() -> None:
    r = one(render_offline(cfg_of()), TASK_DEF)
    problems = validate_resource(
        mutate(r, f"{C0}.portMappings[0].containerPort", rename="containerPortt")
    )
    (problem,) = [p for p in problems if p.path.endswith("containerPortt")]
    assert problem.check == "ecs.RegisterTaskDefinition"
    assert "did you mean 'containerPort'" in problem.message


# --------------------------------------------------------------------------- mutated program


def patch_program(monkeypatch: pytest.MonkeyPatch, name: str, wrap: Callable[[Any], Any]) -> None:
    """Replace function ``name`` of showtime_iac.program wherever the program's modules hold
    it (the package re-exports names that may live in submodules)."""
    holders = [
        m
        for n, m in list(sys.modules.items())
        if n.startswith("showtime_iac.program") and m is not None
    ]
    original = next(getattr(m, name) for m in holders if hasattr(m, name))
    replacement = wrap(original)
    patched = 0
    for module in holders:
        for attr, value in list(vars(module).items()):
            if value is original:
                monkeypatch.setattr(module, attr, replacement)
                patched += 1
    assert patched


def problems_of(resources: Sequence[RenderedResource], typ: str) -> set[str]:
    return {p.path for p in validate(resources) if p.resource.startswith(typ + " ")}


def test_a_program_declaring_an_invalid_fargate_size_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(program.SIZE_SPECS, "medium", SizeSpec(cpu=1024, memory=5000, workers=2))
    resources = render_offline(cfg_of(size="medium"))
    assert one(resources, TASK_DEF).inputs["memory"] == "5000"
    assert problems_of(resources, TASK_DEF) == {"memory"}


def test_a_program_declaring_an_invalid_port_protocol_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def wrap(original: Callable[..., pulumi.Output[str]]) -> Callable[..., pulumi.Output[str]]:
        def tcpp(*args: Any, **kwargs: Any) -> pulumi.Output[str]:
            return original(*args, **kwargs).apply(lambda s: s.replace('"tcp"', '"TCPP"'))

        return tcpp

    patch_program(monkeypatch, "container_definitions", wrap)
    resources = render_offline(cfg_of())
    assert problems_of(resources, TASK_DEF) == {f"{C0}.portMappings[0].protocol"}


def test_a_program_declaring_an_invalid_lifecycle_rule_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def wrap(original: Callable[[int], str]) -> Callable[[int], str]:
        def sometimes(days: int) -> str:
            doc = json.loads(original(days))
            doc["rules"][0]["selection"]["tagStatus"] = "sometimes"
            return json.dumps(doc)

        return sometimes

    patch_program(monkeypatch, "_lifecycle_policy", wrap)
    resources = render_shared_offline(CREATE_ALL).resources
    assert problems_of(resources, LIFECYCLE) == {"policy.rules[0].selection.tagStatus"}


def test_a_program_declaring_an_invalid_cpu_architecture_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The architecture is a literal in the program: change it where the program hands it to
    the SDK (``aws.ecs.TaskDefinition``), as an edit of that literal would."""
    import pulumi_aws

    real = pulumi_aws.ecs.TaskDefinition

    class X86_65(real):  # type: ignore[misc, valid-type]
        def __init__(self, name: str, *args: Any, **kwargs: Any) -> None:
            kwargs["runtime_platform"] = {
                **kwargs["runtime_platform"],
                "cpu_architecture": "X86_65",
            }
            super().__init__(name, *args, **kwargs)

    monkeypatch.setattr(pulumi_aws.ecs, "TaskDefinition", X86_65)
    resources = render_offline(cfg_of())
    assert one(resources, TASK_DEF).inputs["runtimePlatform"]["cpuArchitecture"] == "X86_65"
    assert problems_of(resources, TASK_DEF) == {"runtimePlatform.cpuArchitecture"}
