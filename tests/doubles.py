"""Test doubles for the two ports that need an engine or AWS (the stacks and the live checks).

The GitHub side is never a double: scenario tests run PyGithub against ``tests/ghserver.py``.
Product code has no double: these plug into ``showtime_iac.app.wiring.open_ports`` from tests only.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from showtime_iac.core.model import EnvConfig, ShowtimeError, stack_name

__all__ = ["FakeLive", "FakeStacks", "use_doubles"]


@dataclass
class FakeStacks:
    """Stacks in memory; ``journal`` (a file) records ``up``/``destroy`` across processes."""

    existing: set[str] = field(default_factory=set)
    fail_up: str | None = None
    up_seconds: float = 0.0
    journal: Path | None = None
    ups: list[str] = field(default_factory=list)
    destroyed: list[str] = field(default_factory=list)
    on_up: Any = None  # called with the config while "deploying" (e.g. close the PR)
    missing: Exception | None = None  # raised by ready(): no engine, no backend

    def _note(self, line: str) -> None:
        if self.journal is not None:
            fd = os.open(self.journal, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, (line + "\n").encode())
            finally:
                os.close(fd)

    def up(self, cfg: EnvConfig) -> Mapping[str, Any]:
        if self.on_up is not None:
            self.on_up(cfg)
        if self.up_seconds:
            time.sleep(self.up_seconds)
        if self.fail_up:
            raise ShowtimeError(self.fail_up)
        self.existing.add(cfg.stack)
        self.ups.append(cfg.stack)
        self._note(f"up {cfg.stack}")
        return {"service_name": cfg.stack, "cluster": "superset-ci"}

    def destroy(self, pr: int, sha: str) -> None:
        name = stack_name(pr, sha)
        self.existing.discard(name)
        self.destroyed.append(name)
        self._note(f"destroy {name}")

    def list_stacks(self) -> list[str]:
        return sorted(self.existing)

    def ready(self) -> None:
        if self.missing is not None:
            raise self.missing


@dataclass
class FakeLive:
    ip: str = "10.0.0.5"
    port: int = 8080
    unhealthy: str | None = None
    urls: list[str] = field(default_factory=list)

    def before_up(self, cfg: EnvConfig) -> None:
        return None

    def address(self, cfg: EnvConfig, outputs: Mapping[str, Any]) -> str:
        return f"{self.ip}:{self.port}"

    def wait_healthy(self, url: str) -> float:
        self.urls.append(url)
        if self.unhealthy:
            raise ShowtimeError(self.unhealthy)
        return 0.01

    def tail_logs(self, cfg: EnvConfig, lines: int) -> str:
        return "superset: ERROR could not connect to metadata db"

    def find_orphans(
        self, live_stacks: Iterable[str], open_prs: Iterable[int], now: datetime
    ) -> list[Any]:
        return []

    def delete_orphans(self, decisions: Sequence[Any], *, dry_run: bool) -> list[Any]:
        return []


def use_doubles(
    monkeypatch: pytest.MonkeyPatch,
    stacks: FakeStacks,
    live: FakeLive,
    sleeps: list[float] | None = None,
) -> None:
    """Make ``open_ports`` give the real GitHub client with these stacks and live checks.

    The GitHub client's own waits (write retries, ``Retry-After`` on writes) go to ``sleeps``
    instead of the clock, so tests assert them without waiting.
    """
    import showtime_iac.app.wiring as wiring

    real = wiring.open_ports
    record: list[float] = sleeps if sleeps is not None else []

    def open_ports(settings: Any, *, repo: str | None = None, policy: Any = None) -> Any:
        ports = real(settings, repo=repo, policy=policy)
        ports.github.sleep = record.append
        return wiring.Ports(github=ports.github, stacks=stacks, live=live)  # type: ignore[arg-type]

    monkeypatch.setattr(wiring, "open_ports", open_ports)
