"""What AWS says about an environment right now, for ``status``: one look, no waiting.

The service's task, its address and one ``/health`` probe (3 s). Missing credentials, an
unreachable endpoint or refused credentials stop the look for every stack, with one reason;
any other AWS error is that stack's own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from showtime_iac.app import wiring
from showtime_iac.core.model import ShowtimeError

if TYPE_CHECKING:
    from showtime_iac.adapters.aws import AwsLive
    from showtime_iac.adapters.stacks import StackInfo
    from showtime_iac.core.model import Policy
    from showtime_iac.settings import Settings

__all__ = ["AUTH_CODES", "PROBE_TIMEOUT", "LiveView", "live_views", "look_live", "open_live"]

# AWS error codes that mean "these credentials cannot be used here": no point in asking AWS
# about the next stack either.
AUTH_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "AuthFailure",
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidClientTokenId",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "UnauthorizedOperation",
        "UnrecognizedClientException",
    }
)
# One look at /health, not a wait: `status` must answer quickly.
PROBE_TIMEOUT = 3.0


@dataclass(frozen=True)
class LiveView:
    """What AWS says about one environment right now (one look, no waiting)."""

    address: str | None = None
    task_arn: str | None = None
    last_status: str | None = None
    stopped_reason: str | None = None
    healthy: bool | None = None
    health: str | None = None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "task_arn": self.task_arn,
            "last_status": self.last_status,
            "stopped_reason": self.stopped_reason,
            "healthy": self.healthy,
            "health": self.health,
            "error": self.error,
        }


def look_live(
    live: AwsLive, cluster: str, service: str, port: int, probe_timeout: float = PROBE_TIMEOUT
) -> LiveView:
    """The service's task, its address and one ``/health`` probe.

    A stopped task, a task without a public IP and a service without tasks are answers
    (in the view); an ``AwsError`` is raised for the caller to judge.
    """
    from showtime_iac.adapters.aws import (
        NoPublicIpError,
        TaskNotRunningError,
        TaskStoppedError,
        probe_health,
    )

    try:
        addr = live.task_address(cluster, service)
    except TaskStoppedError as exc:
        a = exc.address
        return LiveView(None, a.task_arn, a.last_status, exc.reason, error=str(exc))
    except NoPublicIpError as exc:
        a = exc.address
        return LiveView(None, a.task_arn, a.last_status, error=str(exc))
    except TaskNotRunningError as exc:
        return LiveView(error=str(exc))
    url = addr.url(port)
    if url is None:
        return LiveView(None, addr.task_arn, addr.last_status, health="not probed: no address yet")
    probe = probe_health(f"{url}/health", get=live.http_get, timeout=probe_timeout)
    return LiveView(url, addr.task_arn, addr.last_status, None, probe.ok, probe.detail)


def open_live(settings: Settings, policy: Policy) -> AwsLive:
    """The AWS adapter for ``status``: few retries, short timeouts (a seam for tests)."""
    return wiring.open_aws(settings, policy, quick=True)


def live_views(
    stacks: list[tuple[StackInfo, Mapping[str, Any]]], policy: Policy
) -> tuple[list[LiveView | None], str | None]:
    """One :class:`LiveView` per stack, or None with the reason live data is unavailable."""
    from showtime_iac.adapters.aws import AwsError
    from showtime_iac.core.model import resource_names
    from showtime_iac.settings import Settings

    views: list[LiveView | None] = [None] * len(stacks)
    try:
        live = open_live(Settings.from_env(), policy)
    except ShowtimeError as exc:
        return views, str(exc)
    for n, (info, outputs) in enumerate(stacks):
        service = str(outputs.get("serviceName") or resource_names(info.pr, info.sha7).service)
        cluster = str(outputs.get("clusterName") or live.cluster)
        try:
            views[n] = look_live(live, cluster, service, policy.port)
        except AwsError as exc:
            if exc.code is None or exc.code in AUTH_CODES:
                return [None] * len(stacks), str(exc)
            views[n] = LiveView(error=str(exc))
    return views, None
