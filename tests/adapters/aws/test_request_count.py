"""HTTPS mode's request signal: the target group's ``RequestCount`` read back from CloudWatch.

Against moto's server: a VPC, an Application Load Balancer, the environment's target group
behind a listener, and ``AWS/ApplicationELB`` datapoints with the dimensions the load
balancer publishes. Faults (access denied, throttling) under botocore's Stubber.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.stub import ANY, Stubber

from showtime_iac.adapters.aws import AwsClients, AwsLive, RequestsUnreadableError
from showtime_iac.adapters.aws.request_count import metric_dimension
from showtime_iac.core.model import resource_names
from showtime_iac.settings import Settings
from tests.doubles import stub_clients

SHA = "abc1234" + "0" * 33
OTHER = "def5678" + "0" * 33
TG = resource_names(1234, SHA).target_group  # sti-pr-1234-abc1234
TG_OTHER = resource_names(1234, OTHER).target_group
# what "now" is for the reads: real time (CloudWatch keeps datapoints by their own time)
NOW = datetime.now(UTC).replace(second=30, microsecond=0)


@dataclass
class Alb:
    clients: AwsClients
    live: AwsLive
    lb_arn: str
    tg_arns: dict[str, str]

    def requests(self, group: str, at: datetime, count: float = 3.0) -> None:
        """What the load balancer publishes for ``count`` requests to ``group`` at ``at``."""
        assert self.clients.cloudwatch is not None
        self.clients.cloudwatch.put_metric_data(
            Namespace="AWS/ApplicationELB",
            MetricData=[
                {
                    "MetricName": "RequestCount",
                    "Dimensions": [
                        {"Name": "TargetGroup", "Value": metric_dimension(self.tg_arns[group])},
                        {"Name": "LoadBalancer", "Value": metric_dimension(self.lb_arn)},
                    ],
                    "Timestamp": at,
                    "Value": count,
                    "Unit": "Count",
                }
            ],
        )


def _target_group(elbv2: Any, name: str, vpc: str) -> str:
    arn: str = elbv2.create_target_group(
        Name=name, Protocol="HTTP", Port=8080, VpcId=vpc, TargetType="ip"
    )["TargetGroups"][0]["TargetGroupArn"]
    return arn


@pytest.fixture
def alb(moto_env: str) -> Alb:
    clients = AwsClients.from_settings(Settings.from_env())
    ec2, elbv2 = clients.ec2, clients.elbv2
    assert elbv2 is not None
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-west-2{z}")[
            "Subnet"
        ]["SubnetId"]
        for i, z in ((1, "a"), (2, "b"))
    ]
    lb_arn = elbv2.create_load_balancer(Name="showtime", Subnets=subnets, Type="application")[
        "LoadBalancers"
    ][0]["LoadBalancerArn"]
    tgs = {name: _target_group(elbv2, name, vpc) for name in (TG, TG_OTHER)}
    listener = elbv2.create_listener(
        LoadBalancerArn=lb_arn,
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}],
    )["Listeners"][0]["ListenerArn"]
    for prio, (name, arn) in enumerate(tgs.items(), start=1):  # the hosts' rules
        elbv2.create_rule(
            ListenerArn=listener,
            Priority=prio,
            Conditions=[{"Field": "host-header", "Values": [f"{name}.preview.example.org"]}],
            Actions=[{"Type": "forward", "TargetGroupArn": arn}],
        )
    _target_group(elbv2, "sti-pr-9-0000000", vpc)  # a group no load balancer forwards to
    return Alb(clients, AwsLive(clients), lb_arn, tgs)


def test_the_dimensions_are_the_arns_last_parts() -> None:
    assert (
        metric_dimension("arn:aws:elasticloadbalancing:us-west-2:1:loadbalancer/app/lb/50dc6c49")
        == "app/lb/50dc6c49"
    )
    assert (
        metric_dimension("arn:aws:elasticloadbalancing:us-west-2:1:targetgroup/sti-pr-1-a/943f")
        == "targetgroup/sti-pr-1-a/943f"
    )


def test_the_last_minute_with_requests_is_read_back(alb: Alb) -> None:
    minute = NOW.replace(second=0)
    alb.requests(TG, minute - timedelta(minutes=40))
    alb.requests(TG, minute - timedelta(minutes=7, seconds=-12), 1)  # within 7 minutes ago
    alb.requests(TG, minute - timedelta(minutes=20))
    # the end of the minute that held the latest request
    assert alb.live.last_request(TG, NOW) == minute - timedelta(minutes=6)


def test_a_request_in_the_current_minute_is_never_later_than_now(alb: Alb) -> None:
    alb.requests(TG, NOW - timedelta(seconds=10))
    assert alb.live.last_request(TG, NOW) == NOW


def test_no_datapoints_no_request(alb: Alb) -> None:
    assert alb.live.last_request(TG, NOW) is None


def test_datapoints_older_than_the_window_do_not_count(alb: Alb) -> None:
    alb.requests(TG, NOW - timedelta(minutes=75))
    alb.requests(TG, NOW - timedelta(hours=5))
    assert alb.live.last_request(TG, NOW) is None
    assert alb.live.last_request(TG, NOW, window=timedelta(hours=2)) == (
        NOW.replace(second=0) - timedelta(minutes=74)
    )


def test_another_target_groups_requests_do_not_count(alb: Alb) -> None:
    alb.requests(TG_OTHER, NOW - timedelta(minutes=5))
    assert alb.live.last_request(TG, NOW) is None
    assert alb.live.last_request(TG_OTHER, NOW) is not None


def test_a_minute_of_zero_requests_is_no_request(alb: Alb) -> None:
    alb.requests(TG, NOW - timedelta(minutes=3), 0)
    assert alb.live.last_request(TG, NOW) is None


def test_a_missing_group_or_one_no_load_balancer_forwards_to_has_no_requests(alb: Alb) -> None:
    assert alb.live.last_request("sti-pr-5-1234567", NOW) is None  # destroyed, or never made
    assert alb.live.last_request("sti-pr-9-0000000", NOW) is None


# --------------------------------------------------------------------------- faults (Stubber)

TG_ARN = f"arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/{TG}/0123456789abcdef"
LB_ARN = "arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/showtime/4567"


@dataclass
class Stubs:
    live: AwsLive
    elbv2: Stubber
    cloudwatch: Stubber


@pytest.fixture
def stubs(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stubs]:
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    clients = stub_clients(elbv2=True, cloudwatch=True)
    with Stubber(clients.elbv2) as elbv2, Stubber(clients.cloudwatch) as cloudwatch:
        yield Stubs(AwsLive(clients), elbv2, cloudwatch)
        elbv2.assert_no_pending_responses()
        cloudwatch.assert_no_pending_responses()


def stub_group(s: Stubs) -> None:
    s.elbv2.add_response(
        "describe_target_groups",
        {
            "TargetGroups": [
                {"TargetGroupName": TG, "TargetGroupArn": TG_ARN, "LoadBalancerArns": [LB_ARN]}
            ]
        },
        {"Names": [TG]},
    )


def test_the_query_names_both_dimensions_over_the_last_hour_by_the_minute(stubs: Stubs) -> None:
    stub_group(stubs)
    now = datetime(2026, 12, 1, 10, 42, 31, tzinfo=UTC)
    query = {
        "Id": "requests0",
        "MetricStat": {
            "Metric": {
                "Namespace": "AWS/ApplicationELB",
                "MetricName": "RequestCount",
                "Dimensions": [
                    {"Name": "TargetGroup", "Value": f"targetgroup/{TG}/0123456789abcdef"},
                    {"Name": "LoadBalancer", "Value": "app/showtime/4567"},
                ],
            },
            "Period": 60,
            "Stat": "Sum",
        },
        "ReturnData": True,
    }
    stubs.cloudwatch.add_response(
        "get_metric_data",
        {
            "MetricDataResults": [
                {
                    "Id": "requests0",
                    "Timestamps": [datetime(2026, 12, 1, 10, 17, tzinfo=UTC)],
                    "Values": [12.0],
                    "StatusCode": "Complete",
                }
            ]
        },
        {
            "MetricDataQueries": [query],
            "StartTime": datetime(2026, 12, 1, 9, 42, tzinfo=UTC),
            "EndTime": datetime(2026, 12, 1, 10, 43, tzinfo=UTC),
            "ScanBy": "TimestampDescending",
        },
    )
    assert stubs.live.last_request(TG, now) == datetime(2026, 12, 1, 10, 18, tzinfo=UTC)


@pytest.mark.parametrize("code", ["AccessDenied", "AccessDeniedException"])
def test_access_denied_names_the_permissions_the_cleanup_needs(stubs: Stubs, code: str) -> None:
    stub_group(stubs)
    stubs.cloudwatch.add_client_error("get_metric_data", code, "not authorized", 403)
    with pytest.raises(RequestsUnreadableError) as err:
        stubs.live.last_request(TG, NOW)
    text = str(err.value)
    assert f"requests of {TG} not read" in text and code in text
    assert "cloudwatch:GetMetricData" in text
    assert "elasticloadbalancing:DescribeTargetGroups" in text
    assert err.value.code == code


def test_a_denied_target_group_read_is_the_same_clear_error(stubs: Stubs) -> None:
    stubs.elbv2.add_client_error("describe_target_groups", "AccessDenied", "no", 403)
    with pytest.raises(RequestsUnreadableError, match="DescribeTargetGroups failed: AccessDenied"):
        stubs.live.last_request(TG, NOW)


def test_throttling_after_the_retries_says_the_next_cleanup_reads_again(stubs: Stubs) -> None:
    stub_group(stubs)
    stubs.cloudwatch.add_client_error("get_metric_data", "Throttling", "Rate exceeded", 400)
    with pytest.raises(RequestsUnreadableError, match="throttled after retries") as err:
        stubs.live.last_request(TG, NOW)
    assert err.value.code == "Throttling"


def test_a_missing_group_is_no_signal_not_an_error(stubs: Stubs) -> None:
    stubs.elbv2.add_client_error("describe_target_groups", "TargetGroupNotFound", "nope", 400)
    assert stubs.live.last_request(TG, NOW) is None


def test_a_group_no_load_balancer_forwards_to_is_never_queried(stubs: Stubs) -> None:
    stubs.elbv2.add_response(
        "describe_target_groups",
        {"TargetGroups": [{"TargetGroupName": TG, "TargetGroupArn": TG_ARN}]},
        {"Names": [TG]},
    )
    assert stubs.live.last_request(TG, NOW) is None  # and no get_metric_data stubbed


def test_every_load_balancer_the_group_is_behind_counts(stubs: Stubs) -> None:
    second = LB_ARN.replace("showtime/4567", "other/89ab")
    stubs.elbv2.add_response(
        "describe_target_groups",
        {
            "TargetGroups": [
                {
                    "TargetGroupName": TG,
                    "TargetGroupArn": TG_ARN,
                    "LoadBalancerArns": [LB_ARN, second],
                }
            ]
        },
        {"Names": [TG]},
    )
    at = NOW.replace(second=0) - timedelta(minutes=2)
    stubs.cloudwatch.add_response(
        "get_metric_data",
        {
            "MetricDataResults": [
                {"Id": "requests0", "Timestamps": [at - timedelta(minutes=9)], "Values": [4.0]},
                {"Id": "requests1", "Timestamps": [at], "Values": [1.0]},
            ]
        },
        {"MetricDataQueries": ANY, "StartTime": ANY, "EndTime": ANY, "ScanBy": ANY},
    )
    assert stubs.live.last_request(TG, NOW) == at + timedelta(minutes=1)


def test_the_docs_give_the_cleanups_role_exactly_the_permissions_it_needs() -> None:
    import json
    import re
    from pathlib import Path

    from showtime_iac.adapters.aws import REQUEST_PERMISSIONS

    docs = Path(__file__).resolve().parents[3] / "docs"
    lifecycle = (docs / "concepts" / "lifecycle.md").read_text(encoding="utf-8")
    section = lifecycle.split("### Requests reset the idle TTL")[1]
    [block] = re.findall(r"```json\n(.*?)```", section, flags=re.S)
    assert json.loads(block) == {
        "Effect": "Allow",
        "Action": list(REQUEST_PERMISSIONS),
        "Resource": "*",
    }
    # the deploy policy the setup attaches (docs/github-actions.md) grants them
    policy = json.loads((docs / "iam" / "deploy-policy.json").read_text(encoding="utf-8"))
    granted = {
        a
        for s in policy["Statement"]
        if s["Effect"] == "Allow"
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    from fnmatch import fnmatchcase

    for needed in REQUEST_PERMISSIONS:  # an action, or a pattern such as `…:Describe*`
        assert any(fnmatchcase(needed, g) for g in granted), needed
