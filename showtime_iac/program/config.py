"""From stack name and stack config to the program to run (what ``pulumi up`` runs)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import pulumi

from showtime_iac.core.model import parse_router_name, parse_stack_name
from showtime_iac.core.routing import RouterConfig
from showtime_iac.core.shards import RulePlacement
from showtime_iac.core.stack_config import (
    BuildConfig,
    SharedConfig,
    StackConfigError,
    from_stack_config,
    shared_source,
)
from showtime_iac.program.access import EnvSecrets
from showtime_iac.program.environment import declare_environment
from showtime_iac.program.routing import declare_router
from showtime_iac.program.shared import declare_shared

__all__ = ["all_config", "main", "select_program"]


def select_program(
    stack: str, values: Mapping[str, str], *, offline: bool = False
) -> Callable[[], object]:
    """The program of one stack: ``shared`` → :func:`declare_shared`; ``pr-{n}-{sha7}`` →
    :func:`declare_environment` from the stack config; ``pr-{n}-router`` → the PR's router.
    Config is parsed and validated here, before any resource is declared; anything else raises
    :class:`StackConfigError`. ``offline`` accepts placeholder network ids and secrets (the
    mocked render).
    """
    if stack == "shared":
        shared = SharedConfig.from_stack_config(values)
        if not offline:
            shared.require_deployable()
            shared.require_load_balancer()
        return lambda: declare_shared(shared)
    router_pr = parse_router_name(stack)
    if router_pr is not None:
        router = RouterConfig.from_stack_config(values)
        if router.pr != router_pr:
            raise StackConfigError(
                f"stack {stack} holds the router config of PR {router.pr}: fix the config"
            )
        router_source = shared_source(values)
        router_placement = RulePlacement.from_stack_config(values)
        return lambda: declare_router(router, router_source, router_placement)
    parsed = parse_stack_name(stack)
    if parsed is None:
        raise StackConfigError(
            f"stack {stack[:80]!r} is neither 'shared' nor 'pr-{{number}}-{{sha7}}' (nor a "
            "router 'pr-{number}-router'): select a stack named like pr-1234-abc1234"
        )
    cfg = from_stack_config(values)
    if (cfg.pr, cfg.sha7) != parsed:
        raise StackConfigError(
            f"stack {stack} holds the config of {cfg.stack} (showtime-iac:pr/sha): "
            "fix the config or select the right stack"
        )
    source = shared_source(values)
    if isinstance(source, SharedConfig) and not offline:
        source.require_deployable()
    build = BuildConfig.from_stack_config(values)
    secrets = EnvSecrets.from_stack_config(values, offline=offline)
    placement = RulePlacement.from_stack_config(values)
    return lambda: declare_environment(cfg, source, build, secrets, placement)


def all_config() -> dict[str, str]:
    """Every config value of the running stack (what the engine passed to this program)."""
    from pulumi.runtime import config as rc

    merged: dict[str, Any] = {**rc.get_config_env(), **rc.CONFIG.get()}
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in merged.items()}


def main(*, offline: bool = False) -> None:
    """Entry of ``pulumi up``: the program for ``pulumi.get_stack()`` from its config."""
    select_program(pulumi.get_stack(), all_config(), offline=offline)()
