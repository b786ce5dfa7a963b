"""``/health`` of a running environment.

- :func:`wait_for_health`: poll every :data:`POLL_SECONDS` under one deadline (clock, sleeper
  and HTTP getter injectable); :func:`probe_health`: one look, for ``status``.

Plain HTTP (urllib): no AWS call here. How long each phase of a deploy took is
:mod:`showtime_iac.core.timings`.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from showtime_iac.adapters.aws.errors import HealthTimeoutError
from showtime_iac.core.model import InputError, Policy

__all__ = [
    "POLL_SECONDS",
    "Clock",
    "HealthProbe",
    "HealthResult",
    "HttpGet",
    "Sleeper",
    "probe_health",
    "urllib_get",
    "wait_for_health",
]

Clock = Callable[[], float]
Sleeper = Callable[[float], None]
HttpGet = Callable[[str, float], int]
"""``get(url, timeout) -> HTTP status``; raises ``OSError`` when nothing answers."""

#: every wait of a deploy looks again this often (health, the target group, the task's
#: address, a draining service): a task that answers is noticed within 2 s
POLL_SECONDS = 2.0

_DEFAULT_HEALTH_TIMEOUT = Policy().health_timeout  # 15 min: Superset loads its examples


def urllib_get(url: str, timeout: float) -> int:
    req = urllib.request.Request(url, headers={"User-Agent": "showtime-iac"})  # noqa: S310
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


@dataclass(frozen=True)
class HealthResult:
    url: str
    seconds: float
    attempts: int


def wait_for_health(
    url: str,
    *,
    timeout: float | timedelta = _DEFAULT_HEALTH_TIMEOUT,
    clock: Clock = time.monotonic,
    sleep: Sleeper = time.sleep,
    get: HttpGet = urllib_get,
    interval: float = POLL_SECONDS,
    request_timeout: float = 5.0,
) -> HealthResult:
    """Poll ``url`` every ``interval`` until it answers HTTP 200, under one overall deadline
    (never slept past). Raises :class:`HealthTimeoutError`."""
    if not url.startswith(("http://", "https://")):
        raise InputError(f"health URL {url[:80]!r} must start with http:// or https://")
    limit = timeout.total_seconds() if isinstance(timeout, timedelta) else float(timeout)
    start = clock()
    deadline = start + limit
    attempts, last = 0, "no answer"
    while True:
        attempts += 1
        remaining = deadline - clock()
        try:
            status = get(url, max(0.1, min(request_timeout, remaining)))
            last = f"HTTP {status}"
            if status == 200:
                return HealthResult(url, clock() - start, attempts)
        except (OSError, ValueError) as exc:
            last = f"{type(exc).__name__}: {exc}"[:200]
        remaining = deadline - clock()
        if remaining <= 0:
            raise HealthTimeoutError(
                f"{url} not healthy after {limit:.0f}s ({attempts} attempts, last: {last}); "
                "the failure comment carries the last log lines"
            )
        sleep(min(interval, remaining))


@dataclass(frozen=True)
class HealthProbe:
    """One look at ``/health`` for ``status``: ``ok`` and what was seen."""

    url: str
    ok: bool
    detail: str


def probe_health(url: str, *, get: HttpGet = urllib_get, timeout: float = 3.0) -> HealthProbe:
    """A single ``GET url`` (no retries): ``healthy``, ``HTTP 503`` or ``unreachable: …``."""
    try:
        status = get(url, timeout)
    except (OSError, ValueError) as exc:
        return HealthProbe(url, False, f"unreachable: {type(exc).__name__}")
    return HealthProbe(url, status == 200, "healthy" if status == 200 else f"HTTP {status}")
