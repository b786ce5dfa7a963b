"""Where an environment answers: the running task's ENI and its public IP, over moto (real
HTTP) and botocore's Stubber (what moto can't make: PENDING, throttling, deadlines)."""

from __future__ import annotations

from typing import Any

import pytest

from showtime_iac.adapters import aws
from showtime_iac.adapters.aws import NoPublicIpError, TaskNotRunningError, TaskStoppedError
from showtime_iac.core.model import EnvConfig
from tests.adapters.aws.support import CFG, SHA1, SHA2, live_from_env
from tests.doubles import CLUSTER, ENI, SERVICE, Stubbed, World, expect_tasks, task


def test_address_is_the_public_ip_of_the_running_tasks_eni(world: World) -> None:
    env = world.environment(1234, SHA1)
    task_arn, eni = world.run_service_task(1234, SHA1, env["task_definition"])
    alloc = world.c.ec2.allocate_address(Domain="vpc")
    world.c.ec2.associate_address(AllocationId=alloc["AllocationId"], NetworkInterfaceId=eni)

    live = live_from_env()
    addr = live.task_address(CLUSTER, env["service"])
    assert addr.ip == alloc["PublicIp"]
    assert (addr.task_arn, addr.eni_id, addr.last_status) == (task_arn, eni, "RUNNING")
    assert addr.private_ip is not None and addr.private_ip != addr.ip
    assert addr.url() == f"http://{alloc['PublicIp']}:8080"
    # the executor's port: ip:port from the stack outputs
    outputs = {"serviceName": env["service"], "clusterName": CLUSTER}
    assert live.address(EnvConfig(pr=1234, sha=SHA1), outputs) == f"{alloc['PublicIp']}:8080"


def test_task_of_another_service_is_not_taken_for_ours(world: World) -> None:
    ours = world.environment(1234, SHA1)
    other = world.environment(99, SHA2)
    _, eni = world.run_service_task(99, SHA2, other["task_definition"])
    alloc = world.c.ec2.allocate_address(Domain="vpc")
    world.c.ec2.associate_address(AllocationId=alloc["AllocationId"], NetworkInterfaceId=eni)
    with pytest.raises(aws.TaskNotRunningError, match=ours["service"]):
        live_from_env().task_address(CLUSTER, ours["service"])


def test_running_task_without_public_ip_is_a_clear_error(world: World) -> None:
    env = world.environment(1234, SHA1)
    world.run_service_task(1234, SHA1, env["task_definition"])
    with pytest.raises(NoPublicIpError, match="no public IP") as info:
        live_from_env().task_address(CLUSTER, env["service"])
    assert info.value.address.last_status == "RUNNING"


def test_stopped_task_surfaces_its_reason(world: World) -> None:
    env = world.environment(1234, SHA1)
    task_arn, _ = world.run_service_task(1234, SHA1, env["task_definition"])
    world.c.ecs.stop_task(
        cluster=CLUSTER, task=task_arn, reason="Essential container in task exited"
    )
    with pytest.raises(TaskStoppedError) as info:
        live_from_env().task_address(CLUSTER, env["service"])
    assert info.value.reason == "Essential container in task exited"
    assert "Essential container in task exited" in str(info.value)
    assert info.value.address.task_arn == task_arn


def expect_eni(s: Stubbed, public_ip: str | None) -> None:
    ni: dict[str, Any] = {"NetworkInterfaceId": ENI, "PrivateIpAddress": "10.0.1.23"}
    if public_ip:
        ni["Association"] = {"PublicIp": public_ip}
    s.ec2.add_response(
        "describe_network_interfaces", {"NetworkInterfaces": [ni]}, {"NetworkInterfaceIds": [ENI]}
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
