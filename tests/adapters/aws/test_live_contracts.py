"""``AwsLive`` as the executor's LivePort, pinned whole: the log tail it hands on (moto), what
the DRAINING wait returns and says (Stubber, fake clock), the ``/health`` wait on the live
view's own policy, clock and client, and a rollback named by the stack's task definition."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from showtime_iac.adapters.aws import (
    AwsLive,
    DrainResult,
    HealthTimeoutError,
    ServiceDrainTimeoutError,
)
from showtime_iac.core.model import EnvConfig, Policy, ShowtimeError
from tests.adapters.aws.support import SHA1, live_from_env
from tests.doubles import CLUSTER, SERVICE, FakeTime, Stubbed, World

DESCRIBE = {"cluster": CLUSTER, "services": [SERVICE]}


def service(status: str) -> dict[str, Any]:
    """A DescribeServices response: PR 1234's service in ``status``."""
    return {"services": [{"serviceName": SERVICE, "status": status}], "failures": []}


# -- logs (moto) ---------------------------------------------------------------------------


def test_tail_logs_is_the_last_lines_of_the_environments_group_as_text(world: World) -> None:
    group = "/showtime/pr-7-aaaaaaa"
    world.c.logs.create_log_group(logGroupName=group)
    stream = "superset/superset/0123456789abcdef"
    world.c.logs.create_log_stream(logGroupName=group, logStreamName=stream)
    t0 = (datetime.now(UTC) - timedelta(minutes=2)).replace(microsecond=0)
    ms = int(t0.timestamp() * 1000)
    world.c.logs.put_log_events(
        logGroupName=group,
        logStreamName=stream,
        logEvents=[
            {"timestamp": ms, "message": "Loading examples"},
            {"timestamp": ms + 1000, "message": "SECRET_KEY=abcd1234efgh5678"},
            {"timestamp": ms + 2000, "message": "Init done"},
        ],
    )
    other = "/showtime/pr-7-bbbbbbb"  # the same PR at another SHA: not this environment
    world.c.logs.create_log_group(logGroupName=other)
    world.c.logs.create_log_stream(logGroupName=other, logStreamName=stream)
    world.c.logs.put_log_events(
        logGroupName=other,
        logStreamName=stream,
        logEvents=[{"timestamp": ms + 3000, "message": "another commit"}],
    )
    text = live_from_env().tail_logs(EnvConfig(pr=7, sha=SHA1), 2)
    second, third = (f"{t0 + timedelta(seconds=s):%Y-%m-%d %H:%M:%S}" for s in (1, 2))
    assert text == f"{second} 01234567 SECRET_KEY=***\n{third} 01234567 Init done"


# -- DRAINING (Stubber, fake clock) --------------------------------------------------------


def test_the_drain_wait_takes_a_timedelta_and_reports_the_service_and_its_own_wait(
    stubbed: Stubbed,
) -> None:
    stubbed.time.now = 1000.0  # a monotonic clock starts anywhere
    for status in ("DRAINING", "DRAINING", "INACTIVE"):
        stubbed.ecs.add_response("describe_services", service(status), DESCRIBE)
    done = stubbed.live.wait_for_service_gone(CLUSTER, SERVICE, timedelta(minutes=10))
    assert done == DrainResult(
        service="sti-pr-1234-abc1234",
        states=("DRAINING", "DRAINING", "INACTIVE"),
        seconds=10.0,
    )


def test_the_drain_wait_polls_once_more_with_a_second_left(stubbed: Stubbed) -> None:
    for status in ("DRAINING", "DRAINING", "DRAINING", "INACTIVE"):  # t = 0, 5, 10, 11
        stubbed.ecs.add_response("describe_services", service(status), DESCRIBE)
    done = stubbed.live.wait_for_service_gone(CLUSTER, SERVICE, deadline=11)
    assert done.states == ("DRAINING", "DRAINING", "DRAINING", "INACTIVE")
    assert stubbed.time.sleeps == [5.0, 5.0, 1.0]


def test_the_drain_timeout_names_the_last_state_seen(stubbed: Stubbed) -> None:
    for status in ("ACTIVE", "ACTIVE", "ACTIVE", "DRAINING"):  # t = 0, 5, 10, 12
        stubbed.ecs.add_response("describe_services", service(status), DESCRIBE)
    with pytest.raises(ServiceDrainTimeoutError) as info:
        stubbed.live.wait_for_service_gone(CLUSTER, SERVICE, deadline=12)
    assert str(info.value) == (
        "ECS service sti-pr-1234-abc1234 in cluster superset-ci is still DRAINING after 12s: "
        "a previous deployment is draining; retry in a few minutes, or check it with "
        "`aws ecs describe-services --cluster superset-ci --services sti-pr-1234-abc1234`"
    )


# -- health: the live view's own policy, clock, sleep and client ---------------------------


class Answers:
    """An HTTP client that answers ``statuses`` in turn (then the last one), bounded."""

    def __init__(self, *statuses: int) -> None:
        self.statuses = list(statuses)
        self.urls: list[str] = []

    def __call__(self, url: str, timeout: float) -> int:
        self.urls.append(url)
        assert len(self.urls) <= 10, "more looks than the deadline allows"
        return self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]


def _live(t: FakeTime, get: Answers) -> AwsLive:
    policy = Policy(health_timeout=timedelta(seconds=6))
    return AwsLive(None, policy=policy, clock=t.clock, sleep=t.sleep, http_get=get)  # type: ignore[arg-type]


URL = "http://127.0.0.1:1/health"  # refused, were it ever really asked


def test_wait_healthy_returns_the_seconds_on_the_live_views_clock() -> None:
    t, get = FakeTime(), Answers(503, 503, 200)
    assert _live(t, get).wait_healthy(URL) == 4.0
    assert get.urls == [URL] * 3 and t.sleeps == [2.0, 2.0]


def test_wait_healthy_gives_up_at_the_policys_health_timeout() -> None:
    t, get = FakeTime(), Answers(503)
    with pytest.raises(HealthTimeoutError) as info:
        _live(t, get).wait_healthy(URL)
    assert str(info.value) == (
        "http://127.0.0.1:1/health not healthy after 6s (4 attempts, last: HTTP 503); "
        "the failure comment carries the last log lines"
    )
    assert t.now == 6.0


# -- rollout --------------------------------------------------------------------------------


def test_a_rollback_names_a_stack_task_definition_given_as_family_and_revision(
    stubbed: Stubbed,
) -> None:
    runs = "arn:aws:ecs:us-west-2:123456789012:task-definition/showtime-pr-1234-abc1234:1"
    stubbed.ecs.add_response(
        "describe_services",
        {
            "services": [
                {
                    "serviceName": SERVICE,
                    "deployments": [
                        {"id": "ecs-svc/1", "status": "PRIMARY", "taskDefinition": runs}
                    ],
                }
            ],
            "failures": [],
        },
        DESCRIBE,
    )
    outputs = {"serviceName": SERVICE, "taskDefinitionArn": "showtime-pr-1234-abc1234:2"}
    with pytest.raises(ShowtimeError) as info:
        stubbed.live.check_rollout(outputs)
    assert str(info.value) == (
        "ECS rolled sti-pr-1234-abc1234 back: it runs showtime-pr-1234-abc1234:1, not the "
        "stack's showtime-pr-1234-abc1234:2 (the new tasks failed their health checks or "
        "stopped)"
    )
