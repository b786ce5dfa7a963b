"""``/health`` of a running environment, and how long each phase of a deploy took.

- :func:`wait_for_health`: poll with backoff under one deadline (clock, sleeper and HTTP
  getter injectable); :func:`probe_health`: one look, for ``status``.
- :class:`PhaseTimer`: image, stack, task start, health, against the time goals.

Plain HTTP (urllib): no AWS call here.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal

from showtime_iac.adapters.aws.errors import HealthTimeoutError
from showtime_iac.core.model import InputError, Policy

__all__ = [
    "PHASES",
    "Clock",
    "HealthProbe",
    "HealthResult",
    "HttpGet",
    "PhaseTimer",
    "Sleeper",
    "probe_health",
    "urllib_get",
    "wait_for_health",
]

Clock = Callable[[], float]
Sleeper = Callable[[float], None]
HttpGet = Callable[[str, float], int]
"""``get(url, timeout) -> HTTP status``; raises ``OSError`` when nothing answers."""

PHASES = ("image", "stack", "task start", "health")
TARGET_SECONDS = {"new": 300.0, "update": 180.0}  # issue 8: new < 5 min, update < 3 min

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
    first_interval: float = 2.0,
    factor: float = 1.5,
    max_interval: float = 15.0,
    request_timeout: float = 5.0,
) -> HealthResult:
    """Poll ``url`` until it answers HTTP 200, with exponential backoff (2 s, 3 s, 4.5 s …
    capped at 15 s) under one overall deadline. Raises :class:`HealthTimeoutError`."""
    if not url.startswith(("http://", "https://")):
        raise InputError(f"health URL {url[:80]!r} must start with http:// or https://")
    limit = timeout.total_seconds() if isinstance(timeout, timedelta) else float(timeout)
    start = clock()
    deadline = start + limit
    interval, attempts, last = first_interval, 0, "no answer"
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
        interval = min(interval * factor, max_interval)


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


@dataclass
class PhaseTimer:
    """How long each phase of a deploy took (image, stack, task start, health).

    ``with timer.phase("stack"): ...`` records one phase; :meth:`items` is the
    ``[(name, seconds)]`` form the executor's ``Outcome.timings`` uses.
    """

    clock: Clock = time.monotonic
    phases: list[tuple[str, float]] = field(default_factory=list)

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        t0 = self.clock()
        try:
            yield
        finally:
            self.record(name, self.clock() - t0)

    def record(self, name: str, seconds: float) -> None:
        self.phases.append((name, max(0.0, float(seconds))))

    def items(self) -> list[tuple[str, float]]:
        return list(self.phases)

    @property
    def total(self) -> float:
        return sum(s for _, s in self.phases)

    def as_dict(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for name, s in self.phases:
            out[name] = round(out.get(name, 0.0) + s, 3)
        out["total"] = round(self.total, 3)
        return out

    def within_target(self, kind: Literal["new", "update"]) -> bool:
        """New environment under 5 minutes, update under 3 (issue 8's goal)."""
        return self.total <= TARGET_SECONDS[kind]

    def summary(self, kind: Literal["new", "update"] | None = None) -> str:
        """``image 40.0s · stack 95.2s · task start 4.1s · health 61.0s · total 200.3s``."""
        parts = [f"{name} {s:.1f}s" for name, s in self.phases]
        parts.append(f"total {self.total:.1f}s")
        text = " · ".join(parts)
        if kind is not None:
            goal = TARGET_SECONDS[kind]
            verdict = "within" if self.within_target(kind) else "over"
            what = "a new environment" if kind == "new" else "an update"
            text += f" ({verdict} the {goal / 60:.0f} min goal for {what})"
        return text
