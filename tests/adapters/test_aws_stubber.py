"""aws.py under botocore's Stubber: what moto can't make (DRAINING → INACTIVE, throttling,
no public IP, a STOPPED task with its reason, deadlines passing).

The Stubber validates each request against the API model and each canned response against
its shape; the fake clock makes the deadlines exact and the tests instant.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from showtime_iac.adapters.aws import (
    AwsClients,
    AwsError,
    AwsLive,
    NoPublicIpError,
    ServiceDrainTimeoutError,
    TaskNotRunningError,
    TaskStoppedError,
)
from showtime_iac.core.model import EnvConfig, resource_names

SHA = "abc1234def5678abc1234def5678abc1234def56"
CFG = EnvConfig(pr=1234, sha=SHA)
SERVICE = resource_names(1234, SHA).service
CLUSTER = "superset-ci"
TASK = "arn:aws:ecs:us-west-2:123456789012:task/superset-ci/0123456789abcdef0123456789abcdef"


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@dataclass
class Stubbed:
    live: AwsLive
    ecs: Stubber
    ec2: Stubber
    time: FakeTime


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stubbed]:
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    kw: Any = {
        "region_name": "us-west-2",
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }
    clients = AwsClients(
        ecs=boto3.client("ecs", **kw),
        ec2=boto3.client("ec2", **kw),
        ecr=boto3.client("ecr", **kw),
        logs=boto3.client("logs", **kw),
    )
    t = FakeTime()
    live = AwsLive(clients, cluster=CLUSTER, clock=t.clock, sleep=t.sleep, poll_interval=5.0)
    ecs, ec2 = Stubber(clients.ecs), Stubber(clients.ec2)
    with ecs, ec2:
        yield Stubbed(live, ecs, ec2, t)
        ecs.assert_no_pending_responses()
        ec2.assert_no_pending_responses()


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


# ------------------------------------------------------------------------------------------
# the DRAINING race
# ------------------------------------------------------------------------------------------


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


# ------------------------------------------------------------------------------------------
# address
# ------------------------------------------------------------------------------------------

ENI = "eni-0123456789abcdef0"


def task(status: str, *, reason: str | None = None, eni: bool = True) -> dict[str, Any]:
    t: dict[str, Any] = {
        "taskArn": TASK,
        "lastStatus": status,
        "desiredStatus": "STOPPED" if status == "STOPPED" else "RUNNING",
        "group": f"service:{SERVICE}",
        "startedAt": datetime(2026, 1, 15, 12, 0, tzinfo=UTC),
        "attachments": [
            {
                "type": "ElasticNetworkInterface",
                "status": "ATTACHED",
                "details": [{"name": "networkInterfaceId", "value": ENI}] if eni else [],
            }
        ],
    }
    if reason:
        t["stoppedReason"] = reason
    return t


def expect_tasks(s: Stubbed, desired: str, tasks: list[dict[str, Any]]) -> None:
    s.ecs.add_response(
        "list_tasks",
        {"taskArns": [t["taskArn"] for t in tasks]},
        {"cluster": CLUSTER, "serviceName": SERVICE, "desiredStatus": desired},
    )
    if tasks:
        s.ecs.add_response(
            "describe_tasks", {"tasks": tasks, "failures": []}, {"cluster": CLUSTER, "tasks": ANY}
        )


def expect_eni(s: Stubbed, public_ip: str | None) -> None:
    ni: dict[str, Any] = {"NetworkInterfaceId": ENI, "PrivateIpAddress": "10.0.1.23"}
    if public_ip:
        ni["Association"] = {"PublicIp": public_ip}
    s.ec2.add_response(
        "describe_network_interfaces",
        {"NetworkInterfaces": [ni]},
        {"NetworkInterfaceIds": [ENI]},
    )


def test_running_task_address(stubbed: Stubbed) -> None:
    expect_tasks(stubbed, "RUNNING", [task("RUNNING")])
    expect_eni(stubbed, "54.1.2.3")
    addr = stubbed.live.task_address(CLUSTER, SERVICE)
    assert (addr.ip, addr.private_ip, addr.eni_id) == ("54.1.2.3", "10.0.1.23", ENI)
    assert addr.task_id == "0123456789abcdef0123456789abcdef"


def test_task_without_public_ip(stubbed: Stubbed) -> None:
    expect_tasks(stubbed, "RUNNING", [task("RUNNING")])
    expect_eni(stubbed, None)
    with pytest.raises(NoPublicIpError, match="has no public IP") as info:
        stubbed.live.task_address(CLUSTER, SERVICE)
    assert info.value.address.private_ip == "10.0.1.23" and info.value.address.ip is None


def test_stopped_task_with_reason(stubbed: Stubbed) -> None:
    reason = "Essential container in task exited"
    expect_tasks(stubbed, "RUNNING", [])
    expect_tasks(stubbed, "STOPPED", [task("STOPPED", reason=reason)])
    with pytest.raises(TaskStoppedError) as info:
        stubbed.live.task_address(CLUSTER, SERVICE)
    assert info.value.reason == reason
    assert info.value.address.last_status == "STOPPED"
    assert reason in str(info.value) and "showtime-iac logs" in str(info.value)


def test_stopped_task_fails_the_wait_at_once(stubbed: Stubbed) -> None:
    expect_tasks(stubbed, "RUNNING", [])
    expect_tasks(stubbed, "STOPPED", [task("STOPPED", reason="CannotPullContainerError: 404")])
    with pytest.raises(TaskStoppedError, match="CannotPullContainerError"):
        stubbed.live.address(CFG, {})
    assert stubbed.time.sleeps == []


def test_address_waits_for_a_pending_task(stubbed: Stubbed) -> None:
    expect_tasks(stubbed, "RUNNING", [task("PROVISIONING", eni=False)])
    expect_tasks(stubbed, "RUNNING", [task("PENDING")])
    expect_tasks(stubbed, "RUNNING", [task("RUNNING")])
    expect_eni(stubbed, "54.1.2.3")
    assert stubbed.live.address(CFG, {"serviceName": SERVICE}) == "54.1.2.3:8080"
    assert stubbed.time.now == 10.0


def test_address_deadline_passing(stubbed: Stubbed) -> None:
    stubbed.live.task_timeout = 12
    for _ in range(4):
        expect_tasks(stubbed, "RUNNING", [task("PENDING")])
    with pytest.raises(TaskNotRunningError, match=r"no running task after 12s: task .* is PENDING"):
        stubbed.live.address(CFG, {})
    assert stubbed.time.now == 12.0


def test_address_rides_out_throttling(stubbed: Stubbed) -> None:
    stubbed.ecs.add_client_error("list_tasks", "ThrottlingException", "Rate exceeded", 400)
    expect_tasks(stubbed, "RUNNING", [task("RUNNING")])
    expect_eni(stubbed, "54.1.2.3")
    assert stubbed.live.address(CFG, {}) == "54.1.2.3:8080"
    assert stubbed.time.sleeps == [5.0]
