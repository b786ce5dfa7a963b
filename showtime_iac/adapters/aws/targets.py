"""HTTPS mode's health: the environment's target group, as the load balancer sees it (boto3).

The load balancer checks ``/health`` of the task itself; a target reported ``healthy`` is what
the executor waits for before the PR's host moves to the new SHA.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from showtime_iac.adapters.aws.errors import AwsError, HealthTimeoutError
from showtime_iac.adapters.aws.health import Clock, Sleeper
from showtime_iac.adapters.aws.session import TRANSIENT, aws_call

if TYPE_CHECKING:
    from mypy_boto3_elbv2 import ElasticLoadBalancingv2Client

__all__ = ["target_states", "wait_target_healthy"]


def target_states(
    elbv2: ElasticLoadBalancingv2Client | None, target_group_arn: str
) -> list[tuple[str, str | None]]:
    """One look at a target group: ``(state, reason)`` of each registered target."""
    if elbv2 is None:
        raise AwsError("no load balancer client: build AwsLive with AwsClients.elbv2")
    with aws_call("DescribeTargetHealth"):
        resp = elbv2.describe_target_health(TargetGroupArn=target_group_arn)
    return [
        (
            str(d.get("TargetHealth", {}).get("State", "unavailable")),
            d.get("TargetHealth", {}).get("Reason"),
        )
        for d in resp.get("TargetHealthDescriptions", [])
    ]


def wait_target_healthy(
    elbv2: ElasticLoadBalancingv2Client | None,
    target_group_arn: str,
    *,
    timeout: float,
    clock: Clock,
    sleep: Sleeper,
    poll_interval: float,
) -> float:
    """Seconds until a target of the group is ``healthy``; throttled looks are retried until
    the deadline. Raises :class:`HealthTimeoutError` naming the last states seen."""
    start = clock()
    last = "no target registered"
    while True:
        try:
            states = target_states(elbv2, target_group_arn)
            if any(state == "healthy" for state, _ in states):
                return clock() - start
            if states:
                last = ", ".join(f"{st} ({why})" if why else st for st, why in states)
        except AwsError as exc:
            if exc.code not in TRANSIENT:
                raise
            last = str(exc)
        remaining = start + timeout - clock()
        if remaining <= 0:
            name = target_group_arn.rsplit(":", 1)[-1]
            raise HealthTimeoutError(
                f"no healthy target in {name} after {timeout:.0f}s: {last}; see the task's "
                "logs (`showtime-iac logs PR`)"
            )
        sleep(min(poll_interval, remaining))
