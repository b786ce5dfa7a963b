"""What a user reads when the environment's task cannot be reached: the stopped task's and the
address-less task's messages, whole (botocore's Stubber gives the task ECS describes)."""

from __future__ import annotations

from typing import Any

import pytest

from showtime_iac.adapters.aws import NoPublicIpError, TaskStoppedError
from tests.doubles import CLUSTER, ENI, SERVICE, Stubbed, expect_tasks, task


def test_a_task_stopped_without_a_reason_says_ecs_gave_none(stubbed: Stubbed) -> None:
    expect_tasks(stubbed, "RUNNING", [])
    expect_tasks(stubbed, "STOPPED", [task("STOPPED")])
    with pytest.raises(TaskStoppedError) as info:
        stubbed.live.task_address(CLUSTER, SERVICE)
    assert str(info.value) == (
        "task 0123456789abcdef0123456789abcdef stopped: no reason given by ECS "
        "(see `showtime-iac logs PR` for its last log lines)"
    )
    assert info.value.reason == "no reason given by ECS"


def test_a_task_stopped_with_a_reason_names_it_and_the_logs_command(stubbed: Stubbed) -> None:
    expect_tasks(stubbed, "RUNNING", [])
    expect_tasks(stubbed, "STOPPED", [task("STOPPED", reason="Essential container in task exited")])
    with pytest.raises(TaskStoppedError) as info:
        stubbed.live.task_address(CLUSTER, SERVICE)
    assert str(info.value) == (
        "task 0123456789abcdef0123456789abcdef stopped: Essential container in task exited "
        "(see `showtime-iac logs PR` for its last log lines)"
    )


def test_a_running_task_without_a_public_ip_says_what_to_check(stubbed: Stubbed) -> None:
    expect_tasks(stubbed, "RUNNING", [task("RUNNING")])
    ni: dict[str, Any] = {"NetworkInterfaceId": ENI, "PrivateIpAddress": "10.0.1.23"}
    stubbed.ec2.add_response(
        "describe_network_interfaces", {"NetworkInterfaces": [ni]}, {"NetworkInterfaceIds": [ENI]}
    )
    with pytest.raises(NoPublicIpError) as info:
        stubbed.live.task_address(CLUSTER, SERVICE)
    assert str(info.value) == (
        "task 0123456789abcdef0123456789abcdef is RUNNING but has no public IP: "
        "check that the service assigns a public IP and uses public subnets"
    )
