"""After an ``up``, the service's primary deployment must run the stack's task definition
(issue 27). ECS's circuit breaker rolls a failing deployment back and the service is steady
again, so Pulumi's ``up`` succeeds: this check is what says it failed. Over moto's server (a
service on another task definition than the stack's) and botocore's Stubber (a deployment ECS
marked FAILED, which moto cannot make)."""

from __future__ import annotations

import pytest

from showtime_iac.core.model import ShowtimeError
from tests.adapters.aws.support import SHA1, live_from_env
from tests.doubles import CLUSTER, Stubbed, World


def _register_next(world: World, family_arn: str) -> str:
    """A second revision of the same family, as the stack's ``up`` registers it."""
    td = world.c.ecs.describe_task_definition(taskDefinition=family_arn)["taskDefinition"]
    keep = ("family", "networkMode", "requiresCompatibilities", "cpu", "memory")
    again = world.c.ecs.register_task_definition(
        containerDefinitions=td["containerDefinitions"], **{k: td[k] for k in keep}
    )
    return str(again["taskDefinition"]["taskDefinitionArn"])


def test_a_service_on_the_stacks_task_definition_passes(world: World) -> None:
    env = world.environment(1234, SHA1)
    outputs = {
        "serviceName": env["service"],
        "clusterName": CLUSTER,
        "taskDefinitionArn": env["task_definition"],
    }
    live_from_env().check_rollout(outputs)  # nothing raised


def test_a_service_rolled_back_to_the_previous_revision_is_a_failure(world: World) -> None:
    env = world.environment(1234, SHA1)
    newer = _register_next(world, env["task_definition"])
    family = env["task_definition"].rsplit("/", 1)[-1].split(":")[0]
    outputs = {"serviceName": env["service"], "clusterName": CLUSTER, "taskDefinitionArn": newer}
    with pytest.raises(ShowtimeError) as info:
        live_from_env().check_rollout(outputs)
    assert str(info.value) == (
        f"ECS rolled {env['service']} back: it runs {family}:1, not the stack's {family}:2 "
        "(the new tasks failed their health checks or stopped)"
    )


def test_a_stack_without_a_service_is_not_checked(world: World) -> None:
    """A prepared stack has no service and no task definition yet: no AWS call at all."""
    live_from_env().check_rollout({"clusterName": CLUSTER, "logGroup": "/showtime/x"})


def test_a_deployment_ecs_marked_failed_is_a_failure(stubbed: Stubbed) -> None:
    arn = "arn:aws:ecs:us-west-2:123456789012:task-definition/sti-pr-1234-abc1234:2"
    service = {
        "serviceName": "pr-1234-abc1234-service",
        "deployments": [
            {
                "id": "ecs-svc/1",
                "status": "PRIMARY",
                "taskDefinition": arn,
                "rolloutState": "FAILED",
                "rolloutStateReason": "ECS deployment circuit breaker: tasks failed to start.",
            }
        ],
    }
    stubbed.ecs.add_response(
        "describe_services",
        {"services": [service], "failures": []},
        {"cluster": CLUSTER, "services": ["pr-1234-abc1234-service"]},
    )
    outputs = {"serviceName": "pr-1234-abc1234-service", "taskDefinitionArn": arn}
    with pytest.raises(ShowtimeError, match="circuit breaker: tasks failed to start"):
        stubbed.live.check_rollout(outputs)
