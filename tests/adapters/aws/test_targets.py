"""HTTPS mode's health: the target group as the load balancer sees it, under botocore's Stubber
(states moving from initial to healthy, a deadline passing, throttling) on a fake clock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from botocore.stub import Stubber

from showtime_iac.adapters.aws import AwsError, AwsLive
from tests.doubles import FakeTime, stub_clients

# --------------------------------------------------------------------------- target health

TG = "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/sti-pr-1234-abc1234/0123abcd"


@contextmanager
def elb_live(timeout: float, origin: float = 0.0) -> Iterator[tuple[AwsLive, Stubber, FakeTime]]:
    """An AwsLive on a Stubber-wrapped load balancer client and a fake clock starting at
    ``origin``: looks every 10 s, ``timeout`` seconds of health timeout."""
    from datetime import timedelta

    from showtime_iac.core.model import Policy

    clients = stub_clients(elbv2=True)
    assert clients.elbv2 is not None
    t = FakeTime()
    t.now = origin
    live = AwsLive(
        clients,
        policy=Policy(health_timeout=timedelta(seconds=timeout)),
        clock=t.clock,
        sleep=t.sleep,
        poll_interval=10.0,
    )
    with Stubber(clients.elbv2) as stub:
        yield live, stub, t
        stub.assert_no_pending_responses()


@pytest.fixture
def elb(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[AwsLive, Stubber, FakeTime]]:
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with elb_live(60) as world:
        yield world


def health(*states: tuple[str, str | None]) -> dict[str, Any]:
    return {
        "TargetHealthDescriptions": [
            {
                "Target": {"Id": f"10.0.0.{i}", "Port": 8080},
                "TargetHealth": {"State": st, **({"Reason": why} if why else {})},
            }
            for i, (st, why) in enumerate(states, start=1)
        ]
    }


def test_target_health_waits_through_initial_and_unhealthy_until_healthy(
    elb: tuple[AwsLive, Stubber, FakeTime],
) -> None:
    live, stub, t = elb
    for answer in (
        health(),
        health(("initial", "Elb.RegistrationInProgress")),
        health(("unhealthy", "Target.ResponseCodeMismatch")),
        health(("healthy", None)),
    ):
        stub.add_response("describe_target_health", answer, {"TargetGroupArn": TG})
    assert live.wait_target_healthy(TG) == 30.0
    assert t.sleeps == [10.0, 10.0, 10.0]


def test_by_default_the_target_group_is_looked_at_every_two_seconds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A target the load balancer just found healthy is noticed within 2 s (issue 25)."""
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    clients = stub_clients(elbv2=True)
    assert clients.elbv2 is not None
    t = FakeTime()
    live = AwsLive(clients, clock=t.clock, sleep=t.sleep)  # the executor's defaults
    with Stubber(clients.elbv2) as stub:
        for answer in (
            health(("initial", "Elb.RegistrationInProgress")),
            health(("healthy", None)),
        ):
            stub.add_response("describe_target_health", answer, {"TargetGroupArn": TG})
        assert live.wait_target_healthy(TG) == 2.0
    assert t.sleeps == [2.0]


def test_target_health_times_out_naming_the_last_states(
    elb: tuple[AwsLive, Stubber, FakeTime],
) -> None:
    from showtime_iac.adapters.aws import HealthTimeoutError

    live, stub, t = elb
    for _ in range(7):
        stub.add_response(
            "describe_target_health",
            health(("unhealthy", "Target.Timeout")),
            {"TargetGroupArn": TG},
        )
    with pytest.raises(HealthTimeoutError, match=r"after 60s: unhealthy \(Target.Timeout\)"):
        live.wait_target_healthy(TG)
    assert sum(t.sleeps) == 60.0


def test_target_health_retries_a_throttled_look(elb: tuple[AwsLive, Stubber, FakeTime]) -> None:
    live, stub, _ = elb
    stub.add_client_error("describe_target_health", "Throttling", "Rate exceeded")
    stub.add_response("describe_target_health", health(("healthy", None)), {"TargetGroupArn": TG})
    assert live.wait_target_healthy(TG) == 10.0


def test_target_health_of_a_missing_group_fails_at_once(
    elb: tuple[AwsLive, Stubber, FakeTime],
) -> None:
    live, stub, t = elb
    stub.add_client_error("describe_target_health", "TargetGroupNotFound", "not found")
    with pytest.raises(AwsError, match="TargetGroupNotFound"):
        live.wait_target_healthy(TG)
    assert t.sleeps == []


# --------------------------------------------------------------- what a timeout says (issue 29)

NAME = "targetgroup/sti-pr-1234-abc1234/0123abcd"
LOGS = "see the task's logs (`showtime-iac logs PR`)"


def test_a_timeout_names_the_group_and_every_target_s_last_state(
    elb: tuple[AwsLive, Stubber, FakeTime],
) -> None:
    from showtime_iac.adapters.aws import HealthTimeoutError

    live, stub, _t = elb
    answer = health(("unhealthy", "Target.Timeout"), ("draining", None))
    # a target the load balancer reports without a state counts as unavailable
    answer["TargetHealthDescriptions"].append({"Target": {"Id": "10.0.0.3"}, "TargetHealth": {}})
    answer["TargetHealthDescriptions"].append({"Target": {"Id": "10.0.0.4"}})
    for _ in range(7):
        stub.add_response("describe_target_health", answer, {"TargetGroupArn": TG})
    with pytest.raises(HealthTimeoutError) as err:
        live.wait_target_healthy(TG)
    assert str(err.value) == (
        f"no healthy target in {NAME} after 60s: unhealthy (Target.Timeout), draining, "
        f"unavailable, unavailable; {LOGS}"
    )


def test_a_group_that_never_had_a_target_says_so(
    elb: tuple[AwsLive, Stubber, FakeTime],
) -> None:
    from showtime_iac.adapters.aws import HealthTimeoutError

    live, stub, _t = elb
    for answer in [health(), {}] + [health()] * 5:
        stub.add_response("describe_target_health", answer, {"TargetGroupArn": TG})
    with pytest.raises(HealthTimeoutError) as err:
        live.wait_target_healthy(TG)
    assert str(err.value) == f"no healthy target in {NAME} after 60s: no target registered; {LOGS}"


def test_throttled_to_the_deadline_names_the_throttling(
    elb: tuple[AwsLive, Stubber, FakeTime],
) -> None:
    from showtime_iac.adapters.aws import HealthTimeoutError

    live, stub, _t = elb
    stub.add_response(
        "describe_target_health", health(("unhealthy", "Target.Timeout")), {"TargetGroupArn": TG}
    )
    for _ in range(6):
        stub.add_client_error("describe_target_health", "Throttling", "Rate exceeded")
    with pytest.raises(HealthTimeoutError) as err:
        live.wait_target_healthy(TG)
    assert str(err.value) == (
        f"no healthy target in {NAME} after 60s: DescribeTargetHealth failed: Throttling: Rate "
        f"exceeded; {LOGS}"
    )


def test_the_last_moment_before_the_deadline_is_still_looked_at(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """60.5 s with looks every 10 s: a seventh look at 60 s, and an eighth at 60.5 s."""
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    # the clock's origin is not zero: durations are differences
    with elb_live(60.5, origin=1000.0) as (live, stub, t):
        for _ in range(7):
            stub.add_response(
                "describe_target_health", health(("initial", None)), {"TargetGroupArn": TG}
            )
        stub.add_response(
            "describe_target_health", health(("healthy", None)), {"TargetGroupArn": TG}
        )
        assert live.wait_target_healthy(TG) == 60.5
    assert t.sleeps == [10.0] * 6 + [0.5]


def test_without_a_load_balancer_client_the_look_is_refused() -> None:
    from showtime_iac.adapters.aws.targets import target_states

    with pytest.raises(AwsError) as err:
        target_states(None, TG)
    assert str(err.value) == "no load balancer client: build AwsLive with AwsClients.elbv2"
