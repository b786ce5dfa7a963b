"""The per-PR router stack (``pr-{n}-router``) and the secrets an environment stack is born with.

:class:`RouterOps` is mixed into :class:`~showtime_iac.adapters.stacks.PulumiDriver`: ``route``
points the PR's host at one environment's target group (creating the router stack the first
time), ``unroute`` destroys it (never with force), ``list_routers`` names the PRs that have one.
The router's config is written from scratch on each ``route``: the program reads nothing else.

:func:`new_secrets` generates an environment's ``SECRET_KEY`` and admin password, once: the
driver writes them as secret config when it creates the stack and never again, so a redeploy of
the same stack keeps its sessions and its login.
"""

from __future__ import annotations

import builtins
import secrets as _random
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from showtime_iac.adapters.stacks.errors import (
    StackBusyError,
    StackError,
    TagMismatchError,
    engine_message,
    is_command_error,
)
from showtime_iac.core.model import parse_router_name, router_stack_name, short_sha, stack_name
from showtime_iac.core.routing import RouterConfig, router_tags
from showtime_iac.core.shards import RulePlacement
from showtime_iac.core.stack_config import key

if TYPE_CHECKING:
    from showtime_iac.adapters.stacks.engine import Engine

__all__ = ["SECRET_CONFIG_KEYS", "RouterOps", "new_secrets"]

SECRET_CONFIG_KEYS = (key("secretKey"), key("adminPassword"))


def new_secrets(existing: Mapping[str, str]) -> dict[str, tuple[str, bool]]:
    """The secret config keys ``existing`` lacks, freshly generated (``{key: (value, True)}``);
    empty when both are there: nothing is ever regenerated."""
    makers: dict[str, Callable[[], str]] = {
        key("secretKey"): lambda: _random.token_urlsafe(48),  # Superset's SECRET_KEY
        key("adminPassword"): lambda: _random.token_urlsafe(18),
    }
    return {k: (make(), True) for k, make in makers.items() if not existing.get(k)}


class RouterOps:
    """Router stack operations over the driver's engine (see :class:`PulumiDriver`)."""

    engine: Engine
    base_config: dict[str, str]
    notes: list[str]
    on_output: Callable[[str], None]

    # provided by PulumiDriver
    _timed: Callable[[], AbstractContextManager[None]]
    _check_passphrase: Callable[[str, bool], None]
    _with_lock_retry: Callable[[str, str, Callable[[], Any]], Any]
    _locked: Callable[[str, str, Callable[[], Any]], Any]
    _supports_tags: Callable[[], bool]
    router_placement: Callable[[Mapping[str, str]], RulePlacement]  # ShardOps

    def route(
        self,
        pr: int,
        sha: str,
        target_group_arn: str,
        repo: str = "apache/superset",
        asleep: bool = False,
    ) -> dict[str, Any]:
        """Point ``pr-{n}.<domain>`` at this SHA's target group (``up`` of the router stack,
        created on first use). Call only once the SHA's environment is healthy; ``asleep``:
        at the page that says it sleeps (``idle_action = "sleep"``)."""
        cfg = RouterConfig(pr, sha, target_group_arn, repo, asleep)
        name = cfg.stack
        with self._timed():
            exists = self.engine.select(name)
            self._check_passphrase(name, exists)
            if not exists:
                self.engine.create(name)
            values = {**self.base_config, **cfg.to_stack_config()}
            placed = self._router_placement_of(pr, sha)
            if placed is not None:
                values.update(placed.to_stack_config())
            self.engine.set_config(name, {k: (v, False) for k, v in values.items()})
            if self._supports_tags():
                current = self.engine.list_tags(name) if exists else {}
                tags = {**router_tags(cfg), **(placed.tags() if placed is not None else {})}
                for k, v in tags.items():
                    if current.get(k) != v:
                        self.engine.set_tag(name, k, v)
            # a failed up is the driver's StackError ("up of stack pr-N-router failed: …")
            return dict(self._locked(name, "up", lambda: self.engine.up(name, self.on_output)))

    def _router_placement_of(self, pr: int, sha: str) -> RulePlacement | None:
        """HTTPS mode: the shard of the environment the router points at, with the PR's
        router priority (None in public-IP mode or when that stack is gone)."""
        env = stack_name(pr, sha)
        if not self.base_config.get(key("domain")) or not self.engine.select(env):
            return None
        return self.router_placement(self.engine.get_config(env))

    def unroute(self, pr: int) -> bool:
        """Destroy the PR's router stack, then remove it (never with force). False when the PR
        has none (public-IP mode, or already gone)."""
        name = router_stack_name(pr)
        with self._timed():
            if not self.engine.select(name):
                return False
            self._check_passphrase(name, True)
            config = self.engine.get_config(name)
            if config.get(key("pr")) != str(pr):
                raise TagMismatchError(
                    f"stack {name} holds the router config of PR {config.get(key('pr'))}: "
                    "refusing to destroy it; check `pulumi config --stack " + name + "`"
                )
            try:
                self._locked(name, "destroy", lambda: self.engine.destroy(name, self.on_output))
                self.engine.remove(name)
            except StackBusyError:
                raise
            except Exception as exc:
                if is_command_error(exc):
                    raise self._router_failed(name, "destroy", exc) from None
                raise
            self.notes.append(f"{name}: destroyed (the PR's last environment went)")
            return True

    def list_routers(self) -> builtins.list[int]:
        """PR numbers that have a router stack (one backend listing)."""
        rows = self.engine.list_stacks()
        found = {parse_router_name(r.name.rsplit("/", 1)[-1]) for r in rows}
        return sorted(pr for pr in found if pr is not None)

    def routed_sha(self, pr: int) -> str | None:
        """The SHA the PR's router points at, from its config; None without a router."""
        name = router_stack_name(pr)
        if not self.engine.select(name):
            return None
        sha = self.engine.get_config(name).get(key("sha"))
        return short_sha(sha) if sha else None

    def _router_failed(self, name: str, what: str, exc: BaseException) -> Exception:
        return StackError(f"{what} of router stack {name} failed: {engine_message(exc)}")
