"""The ECS DRAINING race: wait until a service of the same name is INACTIVE or missing, seen
with ``describe_services`` (``list_services`` hides DRAINING ones); moto and the Stubber."""

from __future__ import annotations

from typing import Any

import pytest

from showtime_iac.adapters.aws import AwsError, ServiceDrainTimeoutError
from tests.adapters.aws.support import CFG, SHA1, live_from_env
from tests.doubles import CLUSTER, SERVICE, Stubbed, World


def test_deleted_service_is_gone_and_missing_service_needs_no_wait(world: World) -> None:
    env = world.environment(1234, SHA1)
    live = live_from_env()
    assert live.service_state(CLUSTER, env["service"]) == "ACTIVE"
    world.c.ecs.delete_service(cluster=CLUSTER, service=env["service"], force=True)
    assert live.service_state(CLUSTER, env["service"]) == "INACTIVE"
    done = live.wait_for_service_gone(CLUSTER, env["service"], deadline=5)
    assert done.states == ("INACTIVE",) and not done.waited
    assert live.service_state(CLUSTER, "pr-1-0000000-service") is None
    assert live.service_state("no-such-cluster", env["service"]) is None


def service(status: str | None) -> dict[str, Any]:
    """A DescribeServices response: the service in ``status``, or missing."""
    if status is None:
        return {
            "services": [],
            "failures": [
                {
                    "arn": f"arn:aws:ecs:us-west-2:123456789012:service/{SERVICE}",
                    "reason": "MISSING",
                }
            ],
        }
    return {"services": [{"serviceName": SERVICE, "status": status}], "failures": []}


DESCRIBE = {"cluster": CLUSTER, "services": [SERVICE]}


def test_waits_through_draining_until_inactive(stubbed: Stubbed) -> None:
    for status in ("DRAINING", "DRAINING", "INACTIVE"):
        stubbed.ecs.add_response("describe_services", service(status), DESCRIBE)
    done = stubbed.live.wait_for_service_gone(CLUSTER, SERVICE, deadline=600)
    assert done.states == ("DRAINING", "DRAINING", "INACTIVE")
    assert done.waited and done.seconds == 10.0
    assert stubbed.time.sleeps == [5.0, 5.0]


def test_waits_through_active_then_draining_until_missing(stubbed: Stubbed) -> None:
    for status in ("ACTIVE", "DRAINING", None):
        stubbed.ecs.add_response("describe_services", service(status), DESCRIBE)
    done = stubbed.live.wait_for_service_gone(CLUSTER, SERVICE, deadline=600)
    assert done.states == ("ACTIVE", "DRAINING", "MISSING")


def test_missing_or_inactive_service_returns_at_once(stubbed: Stubbed) -> None:
    stubbed.ecs.add_response("describe_services", service(None), DESCRIBE)
    stubbed.ecs.add_response("describe_services", service("INACTIVE"), DESCRIBE)
    assert not stubbed.live.wait_for_service_gone(CLUSTER, SERVICE, 60).waited
    assert not stubbed.live.wait_for_service_gone(CLUSTER, SERVICE, 60).waited
    assert stubbed.time.sleeps == []


def test_draining_past_the_deadline_is_a_clear_error(stubbed: Stubbed) -> None:
    for _ in range(4):  # t = 0, 5, 10, 12: the last poll is at the deadline
        stubbed.ecs.add_response("describe_services", service("DRAINING"), DESCRIBE)
    with pytest.raises(ServiceDrainTimeoutError) as info:
        stubbed.live.wait_for_service_gone(CLUSTER, SERVICE, deadline=12)
    msg = str(info.value)
    assert f"ECS service {SERVICE}" in msg and "still DRAINING after 12s" in msg
    assert "aws ecs describe-services" in msg
    assert stubbed.time.now == 12.0 and stubbed.time.sleeps == [5.0, 5.0, 2.0]


def test_throttled_poll_is_retried_until_the_service_is_gone(stubbed: Stubbed) -> None:
    stubbed.ecs.add_response("describe_services", service("DRAINING"), DESCRIBE)
    stubbed.ecs.add_client_error(
        "describe_services", "ThrottlingException", "Rate exceeded", 400, expected_params=DESCRIBE
    )
    stubbed.ecs.add_response("describe_services", service("INACTIVE"), DESCRIBE)
    done = stubbed.live.wait_for_service_gone(CLUSTER, SERVICE, deadline=600)
    assert done.states == ("DRAINING", "error:ThrottlingException", "INACTIVE")


def test_access_denied_is_not_retried(stubbed: Stubbed) -> None:
    stubbed.ecs.add_client_error(
        "describe_services", "AccessDeniedException", "not authorized", 400
    )
    with pytest.raises(AwsError, match=r"DescribeServices .* AccessDeniedException") as info:
        stubbed.live.wait_for_service_gone(CLUSTER, SERVICE, deadline=600)
    assert info.value.code == "AccessDeniedException" and stubbed.time.sleeps == []


def test_before_up_waits_for_a_draining_service_that_list_services_would_hide(
    stubbed: Stubbed,
) -> None:
    """The original bug: list_services() returned nothing for a DRAINING service, so no wait
    happened and CreateService failed "not idempotent". Only describe_services is stubbed
    here: a list_services call would fail the test (the Stubber has no response for it)."""
    stubbed.ecs.add_response("describe_services", service("DRAINING"), DESCRIBE)
    stubbed.ecs.add_response("describe_services", service("DRAINING"), DESCRIBE)
    stubbed.ecs.add_response("describe_services", service("INACTIVE"), DESCRIBE)
    done = stubbed.live.before_up(CFG)
    assert done is not None and done.states == ("DRAINING", "INACTIVE")
    assert stubbed.time.now == 5.0


def test_before_up_leaves_an_active_service_to_pulumi(stubbed: Stubbed) -> None:
    stubbed.ecs.add_response("describe_services", service("ACTIVE"), DESCRIBE)
    assert stubbed.live.before_up(CFG) is None
    assert stubbed.time.sleeps == []


def test_missing_cluster_means_no_service(stubbed: Stubbed) -> None:
    stubbed.ecs.add_client_error("describe_services", "ClusterNotFoundException", "nope", 400)
    assert stubbed.live.before_up(CFG) is None
