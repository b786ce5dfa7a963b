"""program.environment: one PR SHA's resources, tags and names under Pulumi mocks."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from showtime_iac.core.model import EnvConfig, Ttl, resource_names, resource_tags
from showtime_iac.program import (
    MOCK_ACCOUNT,
    evaluate_offline,
    render_offline,
)
from tests.program.helpers import (
    IMAGE,
    LOG_GROUP,
    SERVICE,
    SHA,
    TAGGABLE,
    TASK_DEF,
    by_type,
    cfg_of,
)

# --------------------------------------------------------------------------- resource set


def test_default_environment_declares_image_logs_task_and_service() -> None:
    res = by_type(render_offline(cfg_of()))
    assert set(res) == {IMAGE, LOG_GROUP, TASK_DEF, SERVICE}
    names = resource_names(1234, SHA)
    assert res[LOG_GROUP].inputs["name"] == names.log_group == "/showtime/pr-1234-abc1234"
    assert res[LOG_GROUP].inputs["retentionInDays"] == 7
    assert res[TASK_DEF].inputs["family"] == names.task_family
    assert res[SERVICE].inputs["name"] == names.service


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
