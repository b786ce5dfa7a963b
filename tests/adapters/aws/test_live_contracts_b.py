"""``AwsLive``'s answers pinned whole over botocore's Stubber (what moto can't make: tasks
that start, stop or are replaced, DRAINING services, ENIs with public IPs, failed calls): which
task answers, what is reported while none does, what each failed call says, and what the
rollout check says after an ``up``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from showtime_iac.adapters.aws import (
    AwsError,
    DrainResult,
    NoPublicIpError,
    TaskAddress,
    TaskNotRunningError,
    TaskStoppedError,
)
from showtime_iac.core.model import EnvConfig, ShowtimeError
from tests.adapters.aws.support import CFG
from tests.doubles import CLUSTER, ENI, SERVICE, TASK, Stubbed, expect_tasks, task

TASKS = "arn:aws:ecs:us-west-2:123456789012:task/superset-ci/"
NEW, OLD = "11111111111111111111111111111111", "22222222222222222222222222222222"
OLD_ENI = "eni-0aaaaaaaaaaaaaaaa"
NO_TASK = (
    "ECS service sti-pr-1234-abc1234 in cluster superset-ci has no task: check its events "
    "with `aws ecs describe-services --cluster superset-ci --services sti-pr-1234-abc1234`"
)


def at(minute: int) -> datetime:
    return datetime(2026, 1, 15, 12, minute, tzinfo=UTC)


def a_task(task_id: str, status: str | None, **fields: Any) -> dict[str, Any]:
    """PR 1234's task ``task_id`` in ``status`` (None: ECS gave none) with only the
    timestamps given."""
    t = task(status or "PENDING")
    del t["startedAt"]
    if status is None:
        del t["lastStatus"]
    t["taskArn"] = TASKS + task_id
    t.update(fields)
    return t


def eni_attachment(eni: str) -> dict[str, Any]:
    return {
        "type": "ElasticNetworkInterface",
        "status": "ATTACHED",
        "details": [{"name": "networkInterfaceId", "value": eni}],
    }


def expect_eni(s: Stubbed, eni: str = ENI, public_ip: str = "54.1.2.3") -> None:
    ni = {"NetworkInterfaceId": eni, "PrivateIpAddress": "10.0.1.23"}
    s.ec2.add_response(
        "describe_network_interfaces",
        {"NetworkInterfaces": [{**ni, "Association": {"PublicIp": public_ip}}]},
        {"NetworkInterfaceIds": [eni]},
    )


def stopped_message(task_id: str, reason: str) -> str:
    return f"task {task_id} stopped: {reason} (see `showtime-iac logs PR` for its last log lines)"


# -- which task answers --------------------------------------------------------------------


def test_the_most_recently_started_running_task_answers(stubbed: Stubbed) -> None:
    """Started last wins, even when the other one was created after it (a slow image pull)."""
    old = a_task(OLD, "RUNNING", createdAt=at(1), startedAt=at(2))
    old["attachments"] = [eni_attachment(OLD_ENI)]
    new = a_task(NEW, "RUNNING", createdAt=at(0), startedAt=at(5))
    expect_tasks(stubbed, "RUNNING", [old, new])
    expect_eni(stubbed)
    assert stubbed.live.task_address(CLUSTER, SERVICE) == TaskAddress(
        ip="54.1.2.3",
        task_arn=TASKS + NEW,
        last_status="RUNNING",
        stopped_reason=None,
        private_ip="10.0.1.23",
        eni_id=ENI,
    )


def test_a_replacement_still_pending_does_not_hide_the_running_task(stubbed: Stubbed) -> None:
    replacement = a_task(NEW, "PENDING", createdAt=at(5))
    running = a_task(OLD, "RUNNING", createdAt=at(0), startedAt=at(1))
    expect_tasks(stubbed, "RUNNING", [replacement, running])
    expect_eni(stubbed)
    assert stubbed.live.task_address(CLUSTER, SERVICE) == TaskAddress(
        "54.1.2.3", TASKS + OLD, "RUNNING", None, "10.0.1.23", ENI
    )


def test_while_no_task_runs_the_newest_created_one_is_reported(stubbed: Stubbed) -> None:
    earlier = a_task(OLD, "PENDING", createdAt=at(0))
    newest = a_task(NEW, "PROVISIONING", createdAt=at(3))
    expect_tasks(stubbed, "RUNNING", [earlier, newest])
    assert stubbed.live.task_address(CLUSTER, SERVICE) == TaskAddress(
        None, TASKS + NEW, "PROVISIONING"
    )


def test_a_task_ecs_gives_no_status_yet_is_pending(stubbed: Stubbed) -> None:
    expect_tasks(stubbed, "RUNNING", [a_task(NEW, None, createdAt=at(0))])
    assert stubbed.live.task_address(CLUSTER, SERVICE) == TaskAddress(None, TASKS + NEW, "PENDING")


def test_the_last_task_to_stop_is_the_one_reported(stubbed: Stubbed) -> None:
    """A task that never started (its image could not be pulled) counts by its creation."""
    reason = "CannotPullContainerError: pull image manifest has been retried 5 time(s)"
    ran = a_task(
        OLD,
        "STOPPED",
        createdAt=at(0),
        startedAt=at(1),
        stoppedReason="Essential container in task exited",
    )
    never_ran = a_task(NEW, "DEPROVISIONING", createdAt=at(4), stoppedReason=reason)
    expect_tasks(stubbed, "RUNNING", [])
    expect_tasks(stubbed, "STOPPED", [ran, never_ran])
    with pytest.raises(TaskStoppedError) as info:
        stubbed.live.task_address(CLUSTER, SERVICE)
    assert info.value.address == TaskAddress(None, TASKS + NEW, "DEPROVISIONING", reason)
    assert str(info.value) == stopped_message(NEW, reason)


def test_a_stopped_task_ecs_gives_no_status_is_stopped(stubbed: Stubbed) -> None:
    expect_tasks(stubbed, "RUNNING", [])
    expect_tasks(stubbed, "STOPPED", [a_task(NEW, None, createdAt=at(0), stoppedReason="OOM")])
    with pytest.raises(TaskStoppedError) as info:
        stubbed.live.task_address(CLUSTER, SERVICE)
    assert info.value.address == TaskAddress(None, TASKS + NEW, "STOPPED", "OOM")


def test_describe_tasks_is_asked_about_the_first_100_tasks_only(stubbed: Stubbed) -> None:
    """DescribeTasks takes at most 100 tasks."""
    arns = [TASKS + f"{i:032x}" for i in range(101)]
    stubbed.ecs.add_response(
        "list_tasks",
        {"taskArns": arns},
        {"cluster": CLUSTER, "serviceName": SERVICE, "desiredStatus": "RUNNING"},
    )
    stubbed.ecs.add_response(
        "describe_tasks",
        {"tasks": [task("RUNNING")], "failures": []},
        {"cluster": CLUSTER, "tasks": arns[:100]},
    )
    expect_eni(stubbed)
    assert stubbed.live.task_address(CLUSTER, SERVICE).ip == "54.1.2.3"


def test_a_task_gone_between_list_and_describe_is_no_task(stubbed: Stubbed) -> None:
    stubbed.ecs.add_response(
        "list_tasks",
        {"taskArns": [TASK]},
        {"cluster": CLUSTER, "serviceName": SERVICE, "desiredStatus": "RUNNING"},
    )
    stubbed.ecs.add_response(
        "describe_tasks",
        {"failures": [{"arn": TASK, "reason": "MISSING"}]},
        {"cluster": CLUSTER, "tasks": [TASK]},
    )
    expect_tasks(stubbed, "STOPPED", [])
    with pytest.raises(TaskNotRunningError) as info:
        stubbed.live.task_address(CLUSTER, SERVICE)
    assert str(info.value) == NO_TASK


# -- the task's ENI and its public IP ------------------------------------------------------


NO_IP = (
    "task 0123456789abcdef0123456789abcdef is RUNNING but has no public IP: check that the "
    "service assigns a public IP and uses public subnets"
)


@pytest.mark.parametrize(
    "attachments",
    [
        None,  # no attachment at all (yet)
        [{"type": "ElasticNetworkInterface", "status": "PRECREATED"}],  # no details yet
    ],
    ids=["no-attachments", "no-details"],
)
def test_a_running_task_without_an_eni_has_no_public_ip_and_ec2_is_not_asked(
    stubbed: Stubbed, attachments: list[dict[str, Any]] | None
) -> None:
    t = task("RUNNING")
    if attachments is None:
        del t["attachments"]
    else:
        t["attachments"] = attachments
    expect_tasks(stubbed, "RUNNING", [t])
    with pytest.raises(NoPublicIpError) as info:
        stubbed.live.task_address(CLUSTER, SERVICE)
    assert info.value.address == TaskAddress(None, TASK, "RUNNING", None, None, None)
    assert str(info.value) == NO_IP


def test_the_eni_is_found_among_other_attachments(stubbed: Stubbed) -> None:
    t = task("RUNNING")
    other = {"type": "ServiceConnect", "status": "ATTACHED", "details": []}
    t["attachments"] = [other, eni_attachment(ENI)]
    expect_tasks(stubbed, "RUNNING", [t])
    expect_eni(stubbed)
    assert stubbed.live.task_address(CLUSTER, SERVICE).eni_id == ENI


def test_an_eni_ec2_does_not_describe_has_no_public_ip(stubbed: Stubbed) -> None:
    expect_tasks(stubbed, "RUNNING", [task("RUNNING")])
    stubbed.ec2.add_response("describe_network_interfaces", {}, {"NetworkInterfaceIds": [ENI]})
    with pytest.raises(NoPublicIpError) as info:
        stubbed.live.task_address(CLUSTER, SERVICE)
    assert info.value.address == TaskAddress(None, TASK, "RUNNING", None, None, ENI)


# -- a failed call names itself ------------------------------------------------------------


def _list_fails(s: Stubbed) -> None:
    s.ecs.add_client_error("list_tasks", "AccessDeniedException", "not allowed", 400)


def _describe_fails(s: Stubbed) -> None:
    s.ecs.add_response("list_tasks", {"taskArns": [TASK]})
    s.ecs.add_client_error("describe_tasks", "AccessDeniedException", "not allowed", 400)


def _eni_fails(s: Stubbed) -> None:
    expect_tasks(s, "RUNNING", [task("RUNNING")])
    s.ec2.add_client_error(
        "describe_network_interfaces",
        "UnauthorizedOperation",
        "You are not authorized to perform this operation.",
        403,
    )


@pytest.mark.parametrize(
    ("fail", "message"),
    [
        (_list_fails, "ListTasks sti-pr-1234-abc1234 failed: AccessDeniedException: not allowed"),
        (
            _describe_fails,
            "DescribeTasks sti-pr-1234-abc1234 failed: AccessDeniedException: not allowed",
        ),
        (
            _eni_fails,
            "DescribeNetworkInterfaces eni-0123456789abcdef0 failed: UnauthorizedOperation: "
            "You are not authorized to perform this operation.",
        ),
    ],
    ids=["ListTasks", "DescribeTasks", "DescribeNetworkInterfaces"],
)
def test_a_failed_call_of_the_address_look_names_itself(
    stubbed: Stubbed, fail: Any, message: str
) -> None:
    fail(stubbed)
    with pytest.raises(AwsError) as info:
        stubbed.live.task_address(CLUSTER, SERVICE)
    assert str(info.value) == message


# -- the address wait ----------------------------------------------------------------------


def test_the_address_comes_from_the_stacks_own_service_and_cluster(stubbed: Stubbed) -> None:
    """The outputs' names win over the ones the config would give."""
    stubbed.ecs.add_response(
        "list_tasks",
        {"taskArns": [TASK]},
        {"cluster": "showtime-blue", "serviceName": SERVICE, "desiredStatus": "RUNNING"},
    )
    stubbed.ecs.add_response(
        "describe_tasks",
        {"tasks": [task("RUNNING")], "failures": []},
        {"cluster": "showtime-blue", "tasks": [TASK]},
    )
    expect_eni(stubbed)
    cfg = EnvConfig(pr=99, sha="bbbbbbb2222222222222222222222222222222bb")
    outputs = {"serviceName": SERVICE, "clusterName": "showtime-blue"}
    assert stubbed.live.address(cfg, outputs) == "54.1.2.3:8080"


def test_the_address_wait_takes_its_own_deadline_as_a_timedelta(stubbed: Stubbed) -> None:
    for _ in range(3):  # t = 0, 5, 7
        expect_tasks(stubbed, "RUNNING", [task("PENDING")])
    with pytest.raises(TaskNotRunningError) as info:
        stubbed.live.wait_for_address(CLUSTER, SERVICE, timedelta(seconds=7))
    assert str(info.value) == (
        "no running task after 7s: task 0123456789abcdef0123456789abcdef is PENDING"
    )
    assert stubbed.time.sleeps == [5.0, 2.0]


def test_a_service_that_never_gets_a_task_says_so_at_the_deadline(stubbed: Stubbed) -> None:
    stubbed.live.task_timeout = 5
    for _ in range(2):  # t = 0, 5
        expect_tasks(stubbed, "RUNNING", [])
        expect_tasks(stubbed, "STOPPED", [])
    with pytest.raises(TaskNotRunningError) as info:
        stubbed.live.address(CFG, {})
    assert str(info.value) == f"no running task after 5s: {NO_TASK}"


def test_throttling_until_the_deadline_says_so(stubbed: Stubbed) -> None:
    stubbed.live.task_timeout = 5
    for _ in range(2):  # t = 0, 5
        stubbed.ecs.add_client_error("list_tasks", "ThrottlingException", "Rate exceeded", 400)
    with pytest.raises(TaskNotRunningError) as info:
        stubbed.live.address(CFG, {})
    assert str(info.value) == (
        "no running task after 5s: ListTasks sti-pr-1234-abc1234 failed: "
        "ThrottlingException: Rate exceeded"
    )


def test_the_address_wait_looks_once_more_with_a_second_left(stubbed: Stubbed) -> None:
    stubbed.live.task_timeout = 11
    for _ in range(3):  # t = 0, 5, 10
        expect_tasks(stubbed, "RUNNING", [task("PENDING")])
    expect_tasks(stubbed, "RUNNING", [task("RUNNING")])  # t = 11
    expect_eni(stubbed)
    assert stubbed.live.address(CFG, {}) == "54.1.2.3:8080"
    assert stubbed.time.sleeps == [5.0, 5.0, 1.0]


# -- the service's state -------------------------------------------------------------------

DESCRIBE = {"cluster": CLUSTER, "services": [SERVICE]}


def test_a_service_reported_only_as_a_failure_is_missing(stubbed: Stubbed) -> None:
    arn = f"arn:aws:ecs:us-west-2:123456789012:service/{CLUSTER}/{SERVICE}"
    stubbed.ecs.add_response(
        "describe_services", {"failures": [{"arn": arn, "reason": "MISSING"}]}, DESCRIBE
    )
    assert stubbed.live.service_state(CLUSTER, SERVICE) is None


def test_a_status_ecs_did_not_have_counts_as_active(stubbed: Stubbed) -> None:
    for status in ("UPDATING", "INACTIVE"):
        stubbed.ecs.add_response(
            "describe_services",
            {"services": [{"serviceName": SERVICE, "status": status}], "failures": []},
            DESCRIBE,
        )
    done = stubbed.live.wait_for_service_gone(CLUSTER, SERVICE, deadline=60)
    assert done == DrainResult(SERVICE, ("ACTIVE", "INACTIVE"), 5.0)


# -- the rollout check ---------------------------------------------------------------------

TD = "arn:aws:ecs:us-west-2:123456789012:task-definition/showtime-pr-1234-abc1234:2"
OUTPUTS = {"serviceName": SERVICE, "taskDefinitionArn": TD}


def described(*deployments: dict[str, Any]) -> dict[str, Any]:
    return {
        "services": [{"serviceName": SERVICE, "deployments": list(deployments)}],
        "failures": [],
    }


def primary(**fields: Any) -> dict[str, Any]:
    return {"id": "ecs-svc/2", "status": "PRIMARY", "taskDefinition": TD, **fields}


@pytest.mark.parametrize(
    "outputs",
    [{"serviceName": SERVICE}, {"taskDefinitionArn": TD}],
    ids=["no-task-definition", "no-service"],
)
def test_the_rollout_check_needs_both_a_service_and_a_task_definition(
    stubbed: Stubbed, outputs: dict[str, str]
) -> None:
    stubbed.live.check_rollout(outputs)  # no AWS call: the Stubber has no answer queued


def test_the_rollout_check_asks_the_stacks_own_cluster(stubbed: Stubbed) -> None:
    stubbed.ecs.add_response(
        "describe_services",
        described(primary()),
        {"cluster": "showtime-blue", "services": [SERVICE]},
    )
    stubbed.live.check_rollout({**OUTPUTS, "clusterName": "showtime-blue"})


def _rollout_error(stubbed: Stubbed) -> str:
    with pytest.raises(ShowtimeError) as info:
        stubbed.live.check_rollout(OUTPUTS)
    return str(info.value)


def test_a_failed_describe_of_the_rollout_names_itself(stubbed: Stubbed) -> None:
    stubbed.ecs.add_client_error(
        "describe_services", "AccessDeniedException", "not allowed", 400, expected_params=DESCRIBE
    )
    assert _rollout_error(stubbed) == (
        "DescribeServices sti-pr-1234-abc1234 failed: AccessDeniedException: not allowed"
    )


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (
            {"failures": [{"arn": SERVICE, "reason": "MISSING"}]},
            "service sti-pr-1234-abc1234 not found after its stack's up",
        ),
        (
            described({"id": "ecs-svc/1", "status": "ACTIVE", "taskDefinition": TD}),
            "service sti-pr-1234-abc1234 has no primary deployment after its up",
        ),
        (
            described(primary(rolloutState="FAILED")),
            "the deployment of sti-pr-1234-abc1234 failed: no reason given",
        ),
        (
            described(primary(rolloutState="FAILED", rolloutStateReason="tasks failed. " * 30)),
            "the deployment of sti-pr-1234-abc1234 failed: " + ("tasks failed. " * 30)[:300],
        ),
    ],
    ids=["missing", "no-primary", "failed-without-reason", "long-reason-cut"],
)
def test_what_the_rollout_check_says(
    stubbed: Stubbed, answer: dict[str, Any], message: str
) -> None:
    stubbed.ecs.add_response("describe_services", answer, DESCRIBE)
    assert _rollout_error(stubbed) == message
