"""HTTPS mode's request signal, pinned whole: each unreadable case's message (denied,
throttled, anything else), the minute the query is cut to, answers without results, and an
``AwsLive`` built without the load balancer's clients. botocore's Stubber makes the faults."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from botocore.stub import ANY

from showtime_iac.adapters.aws import AwsError, AwsLive, RequestsUnreadableError
from tests.adapters.aws.test_request_count import TG, Stubs, stub_group, stubs
from tests.doubles import stub_clients

__all__ = ["stubs"]  # the fixture, shared with test_request_count
NOW = datetime(2026, 12, 1, 10, 42, 31, 654321, tzinfo=UTC)


ANY_QUERY = {"MetricDataQueries": ANY, "StartTime": ANY, "EndTime": ANY, "ScanBy": ANY}


def test_denied_says_which_two_permissions_the_role_needs(stubs: Stubs) -> None:
    stub_group(stubs)
    stubs.cloudwatch.add_client_error("get_metric_data", "AccessDenied", "not authorized", 403)
    with pytest.raises(RequestsUnreadableError) as err:
        stubs.live.last_request(TG, NOW)
    assert str(err.value) == (
        "requests of sti-pr-1234-abc1234 not read (GetMetricData failed: AccessDenied: "
        "not authorized): the cleanup's AWS role needs "
        "elasticloadbalancing:DescribeTargetGroups and cloudwatch:GetMetricData"
    )


def test_throttled_says_the_next_cleanup_reads_them_again(stubs: Stubs) -> None:
    stub_group(stubs)
    stubs.cloudwatch.add_client_error("get_metric_data", "Throttling", "Rate exceeded", 400)
    with pytest.raises(RequestsUnreadableError) as err:
        stubs.live.last_request(TG, NOW)
    assert str(err.value) == (
        "requests of sti-pr-1234-abc1234 not read (GetMetricData failed: Throttling: "
        "Rate exceeded): throttled after retries: the next cleanup reads them again"
    )


def test_any_other_failure_says_the_next_cleanup_reads_them_again(stubs: Stubs) -> None:
    stub_group(stubs)
    stubs.cloudwatch.add_client_error("get_metric_data", "InvalidParameterValue", "bad query", 400)
    with pytest.raises(RequestsUnreadableError) as err:
        stubs.live.last_request(TG, NOW)
    assert str(err.value) == (
        "requests of sti-pr-1234-abc1234 not read (GetMetricData failed: InvalidParameterValue: "
        "bad query): the next cleanup reads them again"
    )
    assert err.value.code == "InvalidParameterValue"


def test_the_window_starts_and_ends_on_whole_minutes_even_when_now_has_microseconds(
    stubs: Stubs,
) -> None:
    stub_group(stubs)
    stubs.cloudwatch.add_response(
        "get_metric_data",
        {"MetricDataResults": []},
        {
            "MetricDataQueries": ANY,
            "StartTime": datetime(2026, 12, 1, 9, 42, tzinfo=UTC),
            "EndTime": datetime(2026, 12, 1, 10, 43, tzinfo=UTC),
            "ScanBy": "TimestampDescending",
        },
    )
    assert stubs.live.last_request(TG, NOW) is None


def test_an_answer_without_results_is_no_request(stubs: Stubs) -> None:
    stub_group(stubs)
    stubs.cloudwatch.add_response("get_metric_data", {}, ANY_QUERY)
    assert stubs.live.last_request(TG, NOW) is None


def test_a_result_without_datapoints_is_no_request(stubs: Stubs) -> None:
    stub_group(stubs)
    stubs.cloudwatch.add_response(
        "get_metric_data",
        {"MetricDataResults": [{"Id": "requests0", "StatusCode": "Complete"}]},
        ANY_QUERY,
    )
    assert stubs.live.last_request(TG, NOW) is None


def test_a_live_view_without_the_load_balancers_clients_says_how_to_build_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    live = AwsLive(stub_clients())  # ECS, EC2, ECR and logs only
    with pytest.raises(AwsError) as err:
        live.last_request(TG, NOW)
    assert str(err.value) == (
        "no load balancer or CloudWatch client: build AwsLive with AwsClients"
    )
