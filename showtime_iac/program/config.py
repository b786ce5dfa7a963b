"""From stack name and stack config to the program to run (what ``pulumi up`` runs)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import pulumi

from showtime_iac.core.model import parse_stack_name
from showtime_iac.core.stack_config import (
    BuildConfig,
    SharedConfig,
    StackConfigError,
    from_stack_config,
    shared_source,
)
from showtime_iac.program.environment import declare_environment
from showtime_iac.program.shared import declare_shared

__all__ = ["all_config", "main", "select_program"]


def select_program(
    stack: str, values: Mapping[str, str], *, offline: bool = False
) -> Callable[[], object]:
    """The program of one stack: ``shared`` → :func:`declare_shared`; ``pr-{n}-{sha7}`` →
    :func:`declare_environment` from the stack config. Config is parsed and validated here,
    before any resource is declared; anything else raises :class:`StackConfigError`.
    ``offline`` accepts placeholder network ids (the mocked render).
    """
    if stack == "shared":
        shared = SharedConfig.from_stack_config(values)
        if not offline:
            shared.require_deployable()
        return lambda: declare_shared(shared)
    parsed = parse_stack_name(stack)
    if parsed is None:
        raise StackConfigError(
            f"stack {stack[:80]!r} is neither 'shared' nor 'pr-{{number}}-{{sha7}}': "
            "select a stack named like pr-1234-abc1234"
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
    return lambda: declare_environment(cfg, source, build)


def all_config() -> dict[str, str]:
    """Every config value of the running stack (what the engine passed to this program)."""
    from pulumi.runtime import config as rc

    merged: dict[str, Any] = {**rc.get_config_env(), **rc.CONFIG.get()}
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in merged.items()}


def main(*, offline: bool = False) -> None:
    """Entry of ``pulumi up``: the program for ``pulumi.get_stack()`` from its config."""
    select_program(pulumi.get_stack(), all_config(), offline=offline)()
