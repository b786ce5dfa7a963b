"""The executor's three ports: GitHub, the stacks and the live AWS checks.

Small protocols, so the executor is tested against real local servers or in-memory doubles
and the CLI wires the real adapters in (``github.GitHubClient``, ``stacks``, ``aws``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from showtime_iac.core.model import EnvConfig, PrInfo

__all__ = ["GitHubPort", "StackPort", "LivePort"]


class GitHubPort(Protocol):
    def get_pr(self, number: int) -> PrInfo: ...

    def remove_label(self, number: int, name: str) -> bool:
        """Remove one label; False when it was already gone (another run took it)."""
        ...

    def apply_label_diff(self, number: int, add: Sequence[str], remove: Sequence[str]) -> None: ...

    def upsert_status_comment(self, number: int, body: str) -> int: ...

    def post_comment(self, number: int, body: str) -> None: ...

    def status_comment_body(self, number: int) -> str | None: ...

    def deployment(self, number: int, sha: str, state: str, url: str | None = None) -> None:
        """Record a GitHub deployment status (in_progress/success/failure/inactive)."""
        ...

    def finish(self) -> None:
        """Deferred cosmetic writes (label colours), once the run's real work is done."""
        ...


class StackPort(Protocol):
    def up(self, cfg: EnvConfig) -> Mapping[str, Any]:
        """Create or update the stack; returns its outputs."""
        ...

    def destroy(self, pr: int, sha: str) -> None:
        """Destroy the stack's resources, then remove the stack (never force)."""
        ...

    def list_stacks(self) -> list[str]: ...

    def current_image(self, pr: int, sha: str) -> str | None:
        """The image the stack runs now (a reconfiguration keeps it); None if it has none."""
        ...

    def stale_claims(self, stacks: Iterable[str]) -> None:
        """These stacks' claims are past the stale-claim age: a lock left on one by the run
        that held it (gone) may be cancelled, and what it left recovered."""
        ...

    def route(
        self,
        pr: int,
        sha: str,
        target_group_arn: str,
        repo: str,
        asleep: bool = False,
    ) -> Mapping[str, Any]:
        """HTTPS mode: point the PR's host at this SHA (``up`` of the router stack);
        ``asleep``: at a page that says the environment sleeps and how to wake it."""
        ...

    def unroute(self, pr: int) -> bool:
        """Destroy the PR's router stack; False when it has none."""
        ...

    def retag(self, stack: str, tags: Mapping[str, str]) -> None:
        """Refresh a stack's tags without an ``up`` (metadata only; no such stack: nothing)."""
        ...


class LivePort(Protocol):
    def before_up(self, cfg: EnvConfig) -> None:
        """Wait out a DRAINING service of the same name (the ECS race)."""
        ...

    def address(self, cfg: EnvConfig, outputs: Mapping[str, Any]) -> str:
        """``ip:port`` of the running task."""
        ...

    def wait_healthy(self, url: str) -> float:
        """Poll ``url`` until healthy; seconds it took. Raises ShowtimeError at the deadline."""
        ...

    def check_rollout(self, outputs: Mapping[str, Any]) -> None:
        """After an ``up``: raise ShowtimeError when ECS rolled the service back (its primary
        deployment runs another task definition than the stack's)."""
        ...

    def wait_target_healthy(self, target_group_arn: str) -> float:
        """HTTPS mode: wait until the load balancer sees the task healthy; seconds."""
        ...

    def tail_logs(self, cfg: EnvConfig, lines: int) -> str: ...

    def last_request(
        self, target_group_name: str, now: datetime, window: timedelta = timedelta(hours=1)
    ) -> datetime | None:
        """HTTPS mode: when the load balancer last forwarded a request to the target group
        within ``window`` before ``now`` (None: none). Raises ShowtimeError when unreadable."""
        ...
