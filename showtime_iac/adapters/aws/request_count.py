"""HTTPS mode's request signal: when the load balancer last forwarded a request to one
environment's target group, from CloudWatch (``AWS/ApplicationELB`` ``RequestCount``), boto3.

The cleanup reads it for each open PR's active environment: a request seen in the last hour
resets the idle TTL (:func:`showtime_iac.core.lifetimes.deadlines`). Public-IP mode has no load
balancer, hence no signal. The load balancer publishes ``RequestCount`` per minute, and only
for minutes with requests; the health checks it makes itself are not counted.

Two reads per environment: ``DescribeTargetGroups`` (the group's ARN and the load balancers it
is attached to: the metric's two dimensions) and one ``GetMetricData``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from showtime_iac.adapters.aws.errors import AwsError, RequestsUnreadableError
from showtime_iac.adapters.aws.session import TRANSIENT, aws_call

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_elbv2 import ElasticLoadBalancingv2Client

__all__ = [
    "PERIOD",
    "REQUEST_PERMISSIONS",
    "WINDOW",
    "last_request",
    "metric_dimension",
]

WINDOW = timedelta(hours=1)
"""How far back the cleanup looks for requests."""
PERIOD = 60
"""Seconds per datapoint: the load balancer's own resolution."""
REQUEST_PERMISSIONS = (
    "elasticloadbalancing:DescribeTargetGroups",
    "cloudwatch:GetMetricData",
)
"""What the cleanup's AWS role needs for the request signal (the docs name the same)."""

_DENIED = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"})


def metric_dimension(arn: str) -> str:
    """A CloudWatch dimension value: the last part of the ARN, without ``loadbalancer/``.

    ``arn:aws:elasticloadbalancing:…:targetgroup/sti-pr-1-abc1234/0123`` → ``targetgroup/
    sti-pr-1-abc1234/0123``; ``arn:…:loadbalancer/app/showtime/4567`` → ``app/showtime/4567``.
    """
    return arn.split(":", 5)[-1].removeprefix("loadbalancer/")


def _target_group(
    elbv2: ElasticLoadBalancingv2Client, name: str
) -> tuple[str, tuple[str, ...]] | None:
    """The group's ARN and its load balancers' ARNs; None when there is no such group."""
    with aws_call("DescribeTargetGroups"):
        try:
            resp = elbv2.describe_target_groups(Names=[name])
        except elbv2.exceptions.TargetGroupNotFoundException:
            return None
    for tg in resp.get("TargetGroups", []):
        if tg.get("TargetGroupName") == name and tg.get("TargetGroupArn"):
            return tg["TargetGroupArn"], tuple(tg.get("LoadBalancerArns", []))
    return None


def _queries(tg_arn: str, lb_arns: tuple[str, ...]) -> list[Any]:
    """One ``RequestCount`` sum per minute per load balancer the group is attached to."""
    return [
        {
            "Id": f"requests{i}",
            "MetricStat": {
                "Metric": {
                    "Namespace": "AWS/ApplicationELB",
                    "MetricName": "RequestCount",
                    "Dimensions": [
                        {"Name": "TargetGroup", "Value": metric_dimension(tg_arn)},
                        {"Name": "LoadBalancer", "Value": metric_dimension(lb)},
                    ],
                },
                "Period": PERIOD,
                "Stat": "Sum",
            },
            "ReturnData": True,
        }
        for i, lb in enumerate(lb_arns[:100])
    ]


def _latest_minute(
    cloudwatch: CloudWatchClient, queries: list[Any], start: datetime, end: datetime
) -> datetime | None:
    """The end of the latest minute whose sum is above zero; None without one."""
    latest: datetime | None = None
    with aws_call("GetMetricData"):
        pages = cloudwatch.get_paginator("get_metric_data").paginate(
            MetricDataQueries=queries,
            StartTime=start,
            EndTime=end,
            ScanBy="TimestampDescending",
        )
        for page in pages:
            for result in page.get("MetricDataResults", []):
                for at, value in zip(
                    result.get("Timestamps", []), result.get("Values", []), strict=False
                ):
                    if value > 0:
                        ended = at.astimezone(UTC) + timedelta(seconds=PERIOD)
                        latest = ended if latest is None else max(latest, ended)
    return latest


def last_request(
    elbv2: ElasticLoadBalancingv2Client | None,
    cloudwatch: CloudWatchClient | None,
    target_group_name: str,
    now: datetime,
    window: timedelta = WINDOW,
) -> datetime | None:
    """When the load balancer last forwarded a request to ``target_group_name``, within
    ``window`` before ``now``: the end of that minute (never later than ``now``). None when
    there was none, the group does not exist, or no load balancer forwards to it.

    Raises :class:`RequestsUnreadableError` (access denied, throttled, ...).
    """
    if elbv2 is None or cloudwatch is None:
        raise AwsError("no load balancer or CloudWatch client: build AwsLive with AwsClients")
    minute = now.astimezone(UTC).replace(second=0, microsecond=0)
    try:
        found = _target_group(elbv2, target_group_name)
        if found is None or not found[1]:
            return None
        tg_arn, lb_arns = found
        latest = _latest_minute(
            cloudwatch,
            _queries(tg_arn, lb_arns),
            minute - window,
            minute + timedelta(seconds=PERIOD),
        )
    except AwsError as exc:
        raise _unreadable(target_group_name, exc) from None
    return None if latest is None else min(latest, now)


def _unreadable(name: str, exc: AwsError) -> RequestsUnreadableError:
    what = f"requests of {name} not read ({exc})"
    if exc.code in _DENIED:
        hint = f"the cleanup's AWS role needs {' and '.join(REQUEST_PERMISSIONS)}"
    elif exc.code in TRANSIENT:
        hint = "throttled after retries: the next cleanup reads them again"
    else:
        hint = "the next cleanup reads them again"
    return RequestsUnreadableError(f"{what}: {hint}", exc.code)
