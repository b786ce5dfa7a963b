"""An environment's service, image build and what ``declare_environment`` returns
(program/environment.py), written out; rendered afresh. The mocks' monitor records each
resource's dependencies, so the order AWS needs is checked too: the service after its role's
policy (else its first task cannot pull) and, in HTTPS mode, after its host rule (ECS refuses
a target group that no listener uses)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from showtime_iac.core.model import EnvConfig
from showtime_iac.core.stack_config import BuildConfig, SharedConfig
from showtime_iac.program import RecordingMocks, _evaluate, declare_environment, evaluate_offline

SHA = "3f08ba3" + "0" * 33
IMAGE = "000000000000.dkr.ecr.us-west-2.amazonaws.com/superset-ci@sha256:" + "a" * 64
URN = "urn:pulumi:pr-7-3f08ba3::showtime-iac::pulumi:pulumi:Stack$"
SERVICE = ("aws:ecs/service:Service", "service")
REGISTRY = "000000000000.dkr.ecr.us-west-2.amazonaws.com"


def _declare(cfg: EnvConfig, shared: SharedConfig) -> tuple[dict[str, Any], Any, RecordingMocks]:
    mocks = RecordingMocks("us-west-2", shared)

    def program() -> dict[str, Any]:
        env = declare_environment(cfg, shared)
        returned = {
            "r_log_group": env.log_group.urn,
            "r_image_ref": env.image_ref,
            "r_image": None if env.image is None else env.image.urn,
        }
        if env.task_definition is not None:
            returned |= {"r_task_definition": env.task_definition.urn, "r_service": env.service.urn}
        if env.route is not None:
            returned |= {"r_target_group": env.route.target_group.urn, "r_host": env.route.host}
        return {**env.outputs, **returned}

    out = _evaluate(cfg.stack, shared, program, mocks=mocks)
    return {r.name: r for r in out.resources}, dict(out.outputs), mocks


SERVICE_INPUTS = {
    "name": "sti-pr-7-3f08ba3",
    "cluster": "arn:aws:ecs:us-west-2:000000000000:cluster/superset-ci",
    "taskDefinition": "arn:aws:ecs:us-west-2:000000000000:task-definition/showtime-pr-7-3f08ba3:1",
    "desiredCount": 1,
    "launchType": "FARGATE",
    "healthCheckGracePeriodSeconds": 1200,
    "deploymentCircuitBreaker": {"enable": True, "rollback": True},
    "waitForSteadyState": True,
    "enableEcsManagedTags": True,
    "propagateTags": "SERVICE",
}


def test_a_public_ip_service_runs_one_fargate_task_in_the_shared_group_after_its_policy() -> None:
    cfg = EnvConfig(pr=7, sha=SHA, image=IMAGE, image_sha=SHA)
    found, outputs, mocks = _declare(cfg, SharedConfig.offline_default())
    assert found["service"].inputs == {
        **SERVICE_INPUTS,
        "networkConfiguration": {
            "subnets": ["subnet-placeholder-a", "subnet-placeholder-b"],
            "securityGroups": ["sg-placeholder"],
            "assignPublicIp": True,
        },
    }
    assert mocks.dependencies[SERVICE] == (
        f"{URN}aws:ecs/taskDefinition:TaskDefinition::task-definition",
        f"{URN}aws:iam/rolePolicy:RolePolicy::execution-role-policy",
    )
    assert {k: v for k, v in outputs.items() if k.startswith("r_")} == {
        "r_log_group": f"{URN}aws:cloudwatch/logGroup:LogGroup::log-group",
        "r_image_ref": IMAGE,
        "r_image": None,
        "r_task_definition": f"{URN}aws:ecs/taskDefinition:TaskDefinition::task-definition",
        "r_service": f"{URN}aws:ecs/service:Service::service",
    }


def test_an_https_service_sits_behind_its_target_group_with_its_own_group_after_its_rule() -> None:
    cfg = EnvConfig(pr=7, sha=SHA, image=IMAGE, image_sha=SHA)
    found, outputs, mocks = _declare(cfg, SharedConfig.offline_default("preview.example.org"))
    inputs = dict(found["service"].inputs)
    (lb,) = inputs.pop("loadBalancers")
    assert lb.pop("targetGroupArn").startswith(
        "arn:aws:elasticloadbalancing:us-west-2:000000000000:targetgroup/sti-pr-7-3f08ba3/"
    )
    assert lb == {"containerName": "superset", "containerPort": 8080}
    network = inputs.pop("networkConfiguration")
    (group,) = network.pop("securityGroups")
    assert group.startswith("sg-") and group != "sg-placeholder"  # the environment's own
    assert network == {
        "subnets": ["subnet-placeholder-a", "subnet-placeholder-b"],
        "assignPublicIp": True,
    }
    assert inputs == SERVICE_INPUTS
    deps = mocks.dependencies[SERVICE]
    assert f"{URN}aws:lb/listenerRule:ListenerRule::host-rule" in deps
    assert f"{URN}aws:iam/rolePolicy:RolePolicy::execution-role-policy" in deps
    assert outputs["r_target_group"] == f"{URN}aws:lb/targetGroup:TargetGroup::target-group"
    assert outputs["r_host"] == "pr-7-3f08ba3.preview.example.org"


def test_an_asleep_environment_keeps_its_service_at_zero_tasks() -> None:
    cfg = EnvConfig(pr=7, sha=SHA, image=IMAGE, image_sha=SHA, sleeping=True)
    found, _, _ = _declare(cfg, SharedConfig.offline_default())
    assert found["service"].inputs["desiredCount"] == 0


def test_a_prepared_environment_returns_its_log_group_and_route_and_nothing_that_runs() -> None:
    cfg = EnvConfig(pr=7, sha=SHA, prepared=True)
    found, outputs, _ = _declare(cfg, SharedConfig.offline_default("preview.example.org"))
    assert "service" not in found and "task-definition" not in found
    assert found["log-group"].inputs == {"name": "/showtime/pr-7-3f08ba3", "retentionInDays": 7}
    assert {k: v for k, v in outputs.items() if k.startswith("r_")} == {
        "r_log_group": f"{URN}aws:cloudwatch/logGroup:LogGroup::log-group",
        "r_image_ref": None,
        "r_image": None,
        "r_target_group": f"{URN}aws:lb/targetGroup:TargetGroup::target-group",
        "r_host": "pr-7-3f08ba3.preview.example.org",
    }


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (
            BuildConfig(context="/abs/superset", dockerfile="docker/Dockerfile.ci", target="lean"),
            {
                "context": "/abs/superset",
                "dockerfile": "docker/Dockerfile.ci",
                "platform": "linux/amd64",
                "target": "lean",
            },
        ),
        (
            BuildConfig(context="/abs/superset", target=None, platform="linux/arm64"),
            {"context": "/abs/superset", "platform": "linux/arm64"},
        ),
    ],
)
def test_a_build_pushes_to_the_shared_repository_under_the_stacks_tag(
    build: BuildConfig, expected: dict[str, str]
) -> None:
    shared = replace(SharedConfig.offline_default(), ecr_repository_name="team/superset-ci")
    out = evaluate_offline(EnvConfig(pr=7, sha=SHA), shared, build)
    (image,) = [r for r in out.resources if r.type == "docker:index/image:Image"]
    assert image.name == "image"
    assert image.inputs == {
        "imageName": f"{REGISTRY}/team/superset-ci:sti-pr-7-3f08ba3",
        "build": expected,
        # the registry host only, also for a repository name with a slash
        "registry": {"server": REGISTRY, "username": "AWS", "password": "[secret]"},
        "buildOnPreview": False,
        "skipPush": False,
    }
    # the task runs the pushed digest, never the tag
    assert out.outputs["image"].startswith(f"{REGISTRY}/team/superset-ci@sha256:")
