"""program: the real Pulumi program evaluated offline under ``pulumi.runtime.set_mocks``."""

from __future__ import annotations

import json
import re
import runpy
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from showtime_iac import program
from showtime_iac.core.model import EnvConfig, InputError, Ttl, resource_names, resource_tags
from showtime_iac.core.stack_config import (
    SharedConfig,
    SharedStackRef,
    StackConfigError,
    to_stack_config,
)
from showtime_iac.program import (
    MOCK_ACCOUNT,
    OFFLINE_HEADER,
    SIZE_SPECS,
    RecordingMocks,
    RenderedResource,
    evaluate_offline,
    evaluate_stack_offline,
    format_render,
    render_offline,
    render_shared_offline,
    shared_tags,
)

SHA = "abc1234def5678abc1234def5678abc1234def56"
IMAGE = "docker:index/image:Image"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
TASK_DEF = "aws:ecs/taskDefinition:TaskDefinition"
SERVICE = "aws:ecs/service:Service"
TAGGABLE = {
    LOG_GROUP,
    TASK_DEF,
    SERVICE,
    "aws:ecs/cluster:Cluster",
    "aws:ecr/repository:Repository",
    "aws:iam/role:Role",
    "aws:ec2/securityGroup:SecurityGroup",
}
REAL_NET = {
    "showtime-iac:subnetIds": '["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]',
    "showtime-iac:securityGroupId": "sg-0123456789abcdef0",
}


def by_type(resources: list[RenderedResource]) -> dict[str, RenderedResource]:
    out: dict[str, RenderedResource] = {}
    for r in resources:
        assert r.type not in out, f"two resources of type {r.type}"
        out[r.type] = r
    return out


def cfg_of(**kw: object) -> EnvConfig:
    base: dict[str, object] = {"pr": 1234, "sha": SHA, "requester": "octocat"}
    base.update(kw)
    return EnvConfig(**base)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- resource set


def test_default_environment_declares_image_logs_task_and_service() -> None:
    res = by_type(render_offline(cfg_of()))
    assert set(res) == {IMAGE, LOG_GROUP, TASK_DEF, SERVICE}
    names = resource_names(1234, SHA)
    assert res[LOG_GROUP].inputs["name"] == names.log_group == "/showtime/pr-1234-abc1234"
    assert res[LOG_GROUP].inputs["retentionInDays"] == 7
    assert res[TASK_DEF].inputs["family"] == names.task_family
    assert res[SERVICE].inputs["name"] == names.service


@pytest.mark.parametrize("size", ["small", "medium", "large"])
def test_each_size_sets_cpu_memory_and_workers(size: str) -> None:
    res = by_type(render_offline(cfg_of(size=size)))
    td = res[TASK_DEF]
    spec = SIZE_SPECS[size]
    assert int(td.inputs["cpu"]) == spec.cpu
    assert int(td.inputs["memory"]) == spec.memory >= 2048
    env = td.container_env()
    assert env["SERVER_WORKER_AMOUNT"] == str(spec.workers)
    assert env["SERVER_THREADS_AMOUNT"] == str(spec.threads)
    assert set(res) == {IMAGE, LOG_GROUP, TASK_DEF, SERVICE}


def test_sizes_grow_and_are_valid_fargate_combinations() -> None:
    # Fargate: 1 vCPU → 2-8 GB, 2 vCPU → 4-16 GB, 4 vCPU → 8-30 GB
    allowed = {1024: (2048, 8192), 2048: (4096, 16384), 4096: (8192, 30720)}
    for spec in SIZE_SPECS.values():
        low, high = allowed[spec.cpu]
        assert low <= spec.memory <= high
    small, medium, large = (SIZE_SPECS[s] for s in ("small", "medium", "large"))
    assert small.memory < medium.memory < large.memory


def test_task_definition_is_fargate_awsvpc_on_8080_with_awslogs() -> None:
    td = by_type(render_offline(cfg_of()))[TASK_DEF]
    assert td.inputs["networkMode"] == "awsvpc"
    assert td.inputs["requiresCompatibilities"] == ["FARGATE"]
    assert (
        td.inputs["executionRoleArn"] == f"arn:aws:iam::{MOCK_ACCOUNT}:role/showtime-ecs-execution"
    )
    (superset,) = td.containers()
    assert superset["name"] == "superset"
    assert superset["portMappings"] == [
        {"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}
    ]
    logs = superset["logConfiguration"]
    assert logs["logDriver"] == "awslogs"
    assert logs["options"]["awslogs-group"] == "/showtime/pr-1234-abc1234"
    assert logs["options"]["awslogs-region"] == "us-west-2"


def test_service_is_fargate_public_with_circuit_breaker_and_steady_state() -> None:
    svc = by_type(render_offline(cfg_of()))[SERVICE]
    i = svc.inputs
    assert i["launchType"] == "FARGATE"
    assert i["desiredCount"] == 1
    assert i["cluster"] == f"arn:aws:ecs:us-west-2:{MOCK_ACCOUNT}:cluster/superset-ci"
    assert i["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert i["waitForSteadyState"] is True
    assert i["networkConfiguration"] == {
        "assignPublicIp": True,
        "securityGroups": ["sg-placeholder"],
        "subnets": ["subnet-placeholder-a", "subnet-placeholder-b"],
    }
    assert i["taskDefinition"].endswith(":task-definition/showtime-pr-1234-abc1234:1")


def test_image_is_built_and_pushed_to_the_shared_repository_with_ecr_auth() -> None:
    res = by_type(render_offline(cfg_of()))
    img = res[IMAGE]
    repo = f"{MOCK_ACCOUNT}.dkr.ecr.us-west-2.amazonaws.com/superset-ci"
    assert img.inputs["imageName"] == f"{repo}:pr-1234-abc1234-ci"
    assert img.inputs["imageName"].endswith(":" + resource_names(1234, SHA).image_tag)
    assert img.inputs["registry"] == {
        "server": f"{MOCK_ACCOUNT}.dkr.ecr.us-west-2.amazonaws.com",
        "username": "AWS",  # from aws.ecr.get_authorization_token
        "password": "[secret]",
    }
    assert img.inputs["build"]["platform"] == "linux/amd64"
    # the task runs the pushed digest, not the mutable tag
    (superset,) = res[TASK_DEF].containers()
    assert superset["image"].startswith(f"{repo}@sha256:")


def test_prebuilt_image_declares_no_build() -> None:
    uri = "123456789012.dkr.ecr.us-west-2.amazonaws.com/superset-ci:pr-1234-abc1234-ci"
    res = by_type(render_offline(cfg_of(image=uri)))
    assert IMAGE not in res
    assert set(res) == {LOG_GROUP, TASK_DEF, SERVICE}
    assert res[TASK_DEF].containers()[0]["image"] == uri


def test_flags_and_options_reach_the_container_environment() -> None:
    cfg = cfg_of(flags=(("ALERTS", True), ("DASHBOARD_RBAC", False)), debug=True, examples=False)
    env = by_type(render_offline(cfg))[TASK_DEF].container_env()
    assert env["SUPERSET_FEATURE_ALERTS"] == "True"
    assert env["SUPERSET_FEATURE_DASHBOARD_RBAC"] == "False"
    assert env["SUPERSET_LOAD_EXAMPLES"] == "no"
    assert env["SUPERSET_LOG_LEVEL"] == "DEBUG"
    assert env["FLASK_DEBUG"] == "True"
    plain = by_type(render_offline(cfg_of()))[TASK_DEF].container_env()
    assert not any(k.startswith("SUPERSET_FEATURE_") for k in plain)
    assert plain["SUPERSET_LOAD_EXAMPLES"] == "yes"
    assert plain["SUPERSET_LOG_LEVEL"] == "INFO"
    assert "REDIS_HOST" not in plain


def test_cache_redis_adds_a_sidecar_and_points_superset_at_it() -> None:
    td = by_type(render_offline(cfg_of(cache_redis=True)))[TASK_DEF]
    containers = {c["name"]: c for c in td.containers()}
    assert set(containers) == {"superset", "redis"}
    assert containers["redis"]["image"].startswith("public.ecr.aws/docker/library/redis:")
    assert containers["superset"]["dependsOn"] == [{"containerName": "redis", "condition": "START"}]
    env = td.container_env()
    assert (env["REDIS_HOST"], env["REDIS_PORT"]) == ("localhost", "6379")
    assert containers["redis"]["logConfiguration"]["options"]["awslogs-stream-prefix"] == "redis"


def test_stack_outputs() -> None:
    out = evaluate_offline(cfg_of()).outputs
    assert out["serviceName"] == "pr-1234-abc1234-service"
    assert out["clusterName"] == "superset-ci"
    assert out["logGroup"] == "/showtime/pr-1234-abc1234"
    assert out["taskDefinitionArn"].startswith("arn:aws:ecs:us-west-2:")
    assert "@sha256:" in out["image"]
    assert out["stack"] == "pr-1234-abc1234"


# --------------------------------------------------------------------------- tags


@pytest.mark.parametrize(
    "cfg",
    [
        cfg_of(),
        cfg_of(cache_redis=True, size="large", ttl=Ttl("48h")),
        cfg_of(image="public.ecr.aws/x/superset:1", requester="dependabot[bot]"),
    ],
)
def test_every_taggable_resource_carries_the_tags(cfg: EnvConfig) -> None:
    resources = render_offline(cfg)
    expected = resource_tags(cfg)
    taggable = [r for r in resources if r.type in TAGGABLE]
    assert len(taggable) == 3
    for r in taggable:
        assert r.tags == expected, r.type
    for r in resources:
        if r.type not in TAGGABLE:
            assert r.type == IMAGE  # docker images have no AWS tags


def test_tags_include_expiry_from_created_and_ttl() -> None:
    from datetime import UTC, datetime

    cfg = cfg_of(created=datetime(2026, 1, 15, 14, 30, tzinfo=UTC), ttl=Ttl("48h"))
    svc = by_type(render_offline(cfg))[SERVICE]
    assert svc.tags["showtime:expires-at"] == "2026-01-17T14:30:00Z"
    assert svc.inputs["propagateTags"] == "SERVICE"


# --------------------------------------------------------------------------- names

SERVICE_RE = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
FAMILY_RE = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
LOG_GROUP_RE = re.compile(r"^[A-Za-z0-9_./#-]{1,512}$")
ECR_TAG_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")

prs = st.integers(1, 9_999_999_999)
shas = st.text("0123456789abcdef", min_size=40, max_size=40)


@given(prs, shas)
def test_names_are_within_aws_limits(pr: int, sha: str) -> None:
    n = resource_names(pr, sha)
    assert SERVICE_RE.match(n.service)
    assert FAMILY_RE.match(n.task_family)
    assert LOG_GROUP_RE.match(n.log_group)
    assert ECR_TAG_RE.match(n.image_tag)
    assert n.image_tag == f"pr-{pr}-{sha[:7]}-ci"


@given(st.tuples(prs, shas), st.tuples(prs, shas))
def test_two_environments_never_share_a_name(a: tuple[int, str], b: tuple[int, str]) -> None:
    na, nb = resource_names(*a), resource_names(*b)
    if (a[0], a[1][:7]) == (b[0], b[1][:7]):
        assert na == nb  # same stack, same names: idempotent
        return
    for field in ("stack", "service", "task_family", "log_group", "image_tag"):
        assert getattr(na, field) != getattr(nb, field), field


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prs, prs, shas)
def test_two_prs_never_collide_in_rendered_aws_names(pr1: int, pr2: int, sha: str) -> None:
    if pr1 == pr2:
        pr2 = pr1 - 1 if pr1 > 1 else pr1 + 1  # stay within the PR range
    physical = []
    for pr in (pr1, pr2):
        res = by_type(render_offline(EnvConfig(pr=pr, sha=sha)))
        physical.append(
            {
                res[SERVICE].inputs["name"],
                res[TASK_DEF].inputs["family"],
                res[LOG_GROUP].inputs["name"],
                res[IMAGE].inputs["imageName"],
            }
        )
    assert not physical[0] & physical[1]


# --------------------------------------------------------------------------- config → program


def env_values(cfg: EnvConfig, **extra: str) -> dict[str, str]:
    return {**to_stack_config(cfg), **REAL_NET, **extra}


def test_main_evaluates_an_environment_from_its_stack_config() -> None:
    cfg = cfg_of(size="small", flags=(("ALERTS", True),))
    out = evaluate_stack_offline(cfg.stack, env_values(cfg))
    res = by_type(out.resources)
    assert set(res) == {IMAGE, LOG_GROUP, TASK_DEF, SERVICE}
    assert res[TASK_DEF].inputs["memory"] == "2048"
    assert res[TASK_DEF].container_env()["SUPERSET_FEATURE_ALERTS"] == "True"
    assert res[SERVICE].inputs["networkConfiguration"]["securityGroups"] == ["sg-0123456789abcdef0"]
    assert res[SERVICE].tags == resource_tags(cfg)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"showtime-iac:size": "huge"}, "unknown size"),
        ({"showtime-iac:flags": '{"not-a-flag": true}'}, "invalid feature flag"),
        ({"showtime-iac:sha": "zzzzzzz"}, "hex"),
    ],
)
def test_invalid_config_fails_before_any_resource_is_declared(
    override: dict[str, str], message: str
) -> None:
    cfg = cfg_of()
    values = {**env_values(cfg), **override}
    recorder = RecordingMocks("us-west-2", SharedConfig.offline_default())
    with pytest.raises(InputError, match=message):
        evaluate_stack_offline(cfg.stack, values, mocks=recorder)
    assert recorder.recorded == []


def test_stack_name_must_match_its_config() -> None:
    cfg = cfg_of()
    with pytest.raises(StackConfigError, match="holds the config of pr-1234-abc1234"):
        evaluate_stack_offline("pr-99-abc1234", env_values(cfg))


@pytest.mark.parametrize("stack", ["dev", "pr-1234", "pr-1234-ABC1234", "production"])
def test_any_other_stack_is_a_clear_error(stack: str) -> None:
    recorder = RecordingMocks("us-west-2", SharedConfig.offline_default())
    with pytest.raises(StackConfigError, match="neither 'shared' nor 'pr-"):
        evaluate_stack_offline(stack, {}, mocks=recorder)
    assert recorder.recorded == []


def test_a_real_run_refuses_placeholder_ids() -> None:
    cfg = cfg_of()
    values = {
        **to_stack_config(cfg),
        **SharedConfig.offline_default().to_stack_config(),
    }
    with pytest.raises(StackConfigError, match="placeholder ids"):
        program.select_program(cfg.stack, values)
    program.select_program(cfg.stack, values, offline=True)  # the render accepts them


def test_shared_stack_reference_supplies_the_shared_values() -> None:
    cfg = cfg_of()
    out = evaluate_offline(cfg, SharedStackRef("org/showtime-iac/shared"))
    types = [r.type for r in out.resources]
    assert types[0] == "pulumi:pulumi:StackReference"
    ref = out.resources[0]
    assert ref.inputs["name"] == "org/showtime-iac/shared"
    svc = by_type(out.resources[1:])[SERVICE]
    assert svc.inputs["cluster"] == f"arn:aws:ecs:us-west-2:{MOCK_ACCOUNT}:cluster/superset-ci"
    assert (
        by_type(out.resources[1:])[IMAGE]
        .inputs["imageName"]
        .startswith(f"{MOCK_ACCOUNT}.dkr.ecr.us-west-2.amazonaws.com/superset-ci:")
    )


def test_environment_from_config_uses_the_stack_reference_when_named() -> None:
    cfg = cfg_of()
    values = {**to_stack_config(cfg), "showtime-iac:sharedStack": "shared"}
    types = {r.type for r in evaluate_stack_offline(cfg.stack, values).resources}
    assert "pulumi:pulumi:StackReference" in types


def test_pulumi_entry_runs_the_program_for_the_stack(monkeypatch: pytest.MonkeyPatch) -> None:
    entry = Path(program.__file__).parent / "__main__.py"
    cfg = cfg_of()
    from showtime_iac import program as prog_module

    seen: list[str] = []
    real_main = prog_module.main

    def spy(*, offline: bool = False) -> None:
        seen.append("main")
        real_main(offline=True)

    monkeypatch.setattr(prog_module, "main", spy)
    out = program._evaluate(
        cfg.stack,
        SharedConfig.offline_default(),
        lambda: runpy.run_path(str(entry)) and None,
        config=env_values(cfg),
    )
    assert seen == ["main"]
    assert {r.type for r in out.resources} == {IMAGE, LOG_GROUP, TASK_DEF, SERVICE}


# --------------------------------------------------------------------------- shared stack

CREATE_ALL = SharedConfig(
    create_cluster=True,
    create_ecr_repository=True,
    create_execution_role=True,
    create_security_group=True,
    vpc_id="vpc-0123456789abcdef0",
    subnet_ids=("subnet-0123456789abcdef0",),
    ingress_cidrs=("10.0.0.0/8",),
    pr_image_max_age_days=10,
)


def test_shared_stack_creates_everything_when_asked() -> None:
    out = render_shared_offline(CREATE_ALL)
    res = by_type(out.resources)
    assert set(res) == {
        "aws:ecs/cluster:Cluster",
        "aws:ecr/repository:Repository",
        "aws:ecr/lifecyclePolicy:LifecyclePolicy",
        "aws:iam/role:Role",
        "aws:iam/rolePolicy:RolePolicy",
        "aws:ec2/securityGroup:SecurityGroup",
    }
    assert res["aws:ecs/cluster:Cluster"].inputs["name"] == "superset-ci"
    assert res["aws:ecr/repository:Repository"].inputs["name"] == "superset-ci"
    for r in out.resources:
        if r.type in TAGGABLE:
            assert r.tags == shared_tags()
            assert "showtime:pr" not in r.tags  # the orphan sweep must never take these
    sg = res["aws:ec2/securityGroup:SecurityGroup"]
    (ingress,) = sg.inputs["ingress"]
    assert (ingress["fromPort"], ingress["toPort"], ingress["protocol"]) == (8080, 8080, "tcp")
    assert ingress["cidrBlocks"] == ["10.0.0.0/8"]
    assert sg.inputs["vpcId"] == "vpc-0123456789abcdef0"
    assert out.outputs["securityGroupId"].startswith("sg-")
    assert out.outputs["clusterArn"].endswith(":cluster/superset-ci")


def test_ecr_lifecycle_policy_expires_old_pr_images() -> None:
    res = by_type(render_shared_offline(CREATE_ALL).resources)
    policy = json.loads(res["aws:ecr/lifecyclePolicy:LifecyclePolicy"].inputs["policy"])
    pr_rule = next(r for r in policy["rules"] if r["selection"]["tagStatus"] == "tagged")
    assert pr_rule["selection"]["tagPrefixList"] == ["pr-"]
    assert pr_rule["selection"]["countNumber"] == 10
    assert pr_rule["action"] == {"type": "expire"}
    assert len({r["rulePriority"] for r in policy["rules"]}) == len(policy["rules"])


def test_execution_role_is_least_privilege() -> None:
    res = by_type(render_shared_offline(CREATE_ALL).resources)
    assume = json.loads(res["aws:iam/role:Role"].inputs["assumeRolePolicy"])
    assert assume["Statement"][0]["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
    doc = json.loads(res["aws:iam/rolePolicy:RolePolicy"].inputs["policy"])
    wildcard = [s for s in doc["Statement"] if s["Resource"] == "*"]
    assert [s["Action"] for s in wildcard] == ["ecr:GetAuthorizationToken"]
    pull = next(s for s in doc["Statement"] if s["Sid"] == "EcrPull")
    assert pull["Resource"] == f"arn:aws:ecr:us-west-2:{MOCK_ACCOUNT}:repository/superset-ci"
    logs = next(s for s in doc["Statement"] if s["Sid"] == "Logs")
    assert logs["Resource"].startswith("arn:aws:logs:us-west-2:*:log-group:/showtime/")
    actions = {
        a
        for s in doc["Statement"]
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert not any(a.endswith("*") for a in actions)


def test_shared_stack_uses_existing_resources_by_default() -> None:
    shared = SharedConfig(
        subnet_ids=("subnet-0123456789abcdef0",), security_group_id="sg-0123456789abcdef0"
    )
    out = render_shared_offline(shared)
    assert [r.type for r in out.resources] == ["aws:ecr/lifecyclePolicy:LifecyclePolicy"]
    assert out.resources[0].inputs["repository"] == "superset-ci"
    assert out.outputs["clusterName"] == "superset-ci"
    assert out.outputs["ecrRepositoryUrl"].endswith(".amazonaws.com/superset-ci")
    assert out.outputs["securityGroupId"] == "sg-0123456789abcdef0"
    assert out.outputs["subnetIds"] == ["subnet-0123456789abcdef0"]
    none = render_shared_offline(
        SharedConfig(
            ecr_lifecycle_policy=False,
            subnet_ids=("subnet-0123456789abcdef0",),
            security_group_id="sg-0123456789abcdef0",
        )
    )
    assert none.resources == []
    assert set(none.outputs) == set(program.SHARED_OUTPUTS)


STACKS = Path(__file__).resolve().parents[2] / "stacks"


def stack_file(name: str) -> dict[str, str]:
    import yaml  # a dependency of pulumi

    data = yaml.safe_load((STACKS / name).read_text())
    config = data["config"]
    assert all(isinstance(v, str) for v in config.values()), "quote every value"
    return dict(config)


def test_example_shared_stack_config_evaluates() -> None:
    values = stack_file("Pulumi.shared.yaml")
    shared = SharedConfig.from_stack_config(values)
    assert (shared.cluster_name, shared.ecr_repository_name) == ("superset-ci", "superset-ci")
    out = evaluate_stack_offline("shared", values)
    assert [r.type for r in out.resources] == ["aws:ecr/lifecyclePolicy:LifecyclePolicy"]


def test_example_environment_stack_config_evaluates() -> None:
    values = stack_file("example-env-stack.yaml")
    out = evaluate_stack_offline("pr-1234-abc1234", values)
    assert {r.type for r in out.resources} == {IMAGE, LOG_GROUP, TASK_DEF, SERVICE}


# --------------------------------------------------------------------------- render text


def test_render_offline_can_run_many_times_with_the_same_result() -> None:
    cfg = cfg_of(cache_redis=True)
    first = render_offline(cfg)
    other = render_offline(cfg_of(pr=1, size="small"))
    again = render_offline(cfg)
    assert first == again
    assert first != other


def test_format_render_lists_everything_and_never_a_secret() -> None:
    cfg = cfg_of(flags=(("ALERTS", True),))
    out = evaluate_offline(cfg)
    text = format_render(out.resources, out.outputs, stack=out.stack, placeholders=out.placeholders)
    assert text.splitlines()[0] == OFFLINE_HEADER
    assert "stack pr-1234-abc1234: 4 resources" in text
    for r in out.resources:
        assert f"{r.type}  {r.name}" in text
    assert "env SUPERSET_FEATURE_ALERTS=True" in text
    assert "showtime:pr=1234" in text
    assert "placeholder" in text
    assert "mock-password" not in text
    assert "[secret]" in text


def test_the_offline_render_leaves_no_event_loop_open() -> None:
    """Pulumi's mocks make one loop per worker thread and never close them; a loop left for
    the interpreter's exit can print a traceback under a good result (the README command)."""
    import asyncio
    import gc

    def open_loops() -> list[asyncio.AbstractEventLoop]:
        return [
            o
            for o in gc.get_objects()
            if isinstance(o, asyncio.BaseEventLoop) and not o.is_closed()
        ]

    before = {id(x) for x in open_loops()}
    program.render_offline(EnvConfig(pr=5, sha="abc1234def5678901234567890abcdef12345678"))
    assert [x for x in open_loops() if id(x) not in before] == []
    assert type(asyncio.get_event_loop_policy()) is asyncio.DefaultEventLoopPolicy
