"""The request signal's edges: a live view with only one of the two clients, an answer naming
no group or another group, and the time given back in UTC whatever the machine's zone
(botocore's Stubber)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from botocore.stub import ANY

from showtime_iac.adapters.aws import AwsError
from showtime_iac.adapters.aws.request_count import last_request
from tests.adapters.aws.test_request_count import LB_ARN, TG, TG_ARN, Stubs, stub_group, stubs
from tests.doubles import stub_clients

__all__ = ["stubs"]  # the fixture, shared with test_request_count
NOW = datetime(2026, 12, 1, 10, 42, 31, tzinfo=UTC)
ANY_QUERY = {"MetricDataQueries": ANY, "StartTime": ANY, "EndTime": ANY, "ScanBy": ANY}


def test_either_client_missing_is_the_same_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    c = stub_clients(elbv2=True, cloudwatch=True)
    for elbv2, cloudwatch in ((c.elbv2, None), (None, c.cloudwatch)):
        with pytest.raises(AwsError) as err:
            last_request(elbv2, cloudwatch, TG, NOW)
        assert str(err.value) == (
            "no load balancer or CloudWatch client: build AwsLive with AwsClients"
        )


def test_an_answer_without_our_group_is_no_signal(stubs: Stubs) -> None:
    """No metric is read (no GetMetricData stubbed) for an answer that lists no groups, or only
    another group."""
    stubs.elbv2.add_response("describe_target_groups", {}, {"Names": [TG]})
    assert stubs.live.last_request(TG, NOW) is None
    other = {"TargetGroupName": "sti-pr-1-0000000", "TargetGroupArn": TG_ARN,
             "LoadBalancerArns": [LB_ARN]}  # fmt: skip
    stubs.elbv2.add_response("describe_target_groups", {"TargetGroups": [other]}, {"Names": [TG]})
    assert stubs.live.last_request(TG, NOW) is None


@pytest.fixture
def kolkata(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_the_time_is_given_back_in_utc_whatever_the_local_zone(stubs: Stubs, kolkata: None) -> None:
    stub_group(stubs)
    stubs.cloudwatch.add_response(
        "get_metric_data",
        {
            "MetricDataResults": [
                {
                    "Id": "requests0",
                    "Timestamps": [datetime(2026, 12, 1, 10, 17, tzinfo=UTC)],
                    "Values": [3.0],
                }
            ]
        },
        ANY_QUERY,
    )
    got = stubs.live.last_request(TG, NOW)
    assert got == datetime(2026, 12, 1, 10, 18, tzinfo=UTC)
    assert got is not None and got.utcoffset() == timedelta(0)
    assert got.isoformat() == "2026-12-01T10:18:00+00:00"
