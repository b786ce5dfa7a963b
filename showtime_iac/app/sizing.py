"""Size and hourly cost of listed stacks, from the stack config files ``up`` writes.

No engine or AWS call: ``pulumi stack ls`` carries no config, and ``list`` stays one listing
call. A stack without a local config file is assumed to have the policy's default size.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from showtime_iac.app import wiring
from showtime_iac.core.model import SIZES

if TYPE_CHECKING:
    from showtime_iac.adapters.aws import FargatePrices
    from showtime_iac.adapters.stacks import StackInfo
    from showtime_iac.core.model import Policy

__all__ = [
    "SIZE_KEY",
    "SizedStack",
    "read_stack_size",
    "size_of",
    "sized",
    "total_cost",
]

SIZE_KEY = "showtime-iac:size"
SLEEPING_KEY = "showtime-iac:sleeping"


def _read_config(path: Path) -> dict[str, Any]:
    import yaml  # type: ignore[import-untyped]

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    config = data.get("config") if isinstance(data, dict) else None
    return config if isinstance(config, dict) else {}


def _size(config: dict[str, Any]) -> str | None:
    size = config.get(SIZE_KEY)
    return size if isinstance(size, str) and size in SIZES else None


def _sleeping(config: dict[str, Any]) -> bool:
    return str(config.get(SLEEPING_KEY)).lower() == "true"


def read_stack_size(path: Path) -> str | None:
    """``showtime-iac:size`` of a stack config file (``stacks/Pulumi.<stack>.yaml``); None
    when the file or the key is missing, or the value is not a known size."""
    return _size(_read_config(path))


@dataclass(frozen=True)
class SizedStack:
    """A listed stack with its size (``assumed`` when no config says it) and hourly cost."""

    info: StackInfo
    size: str
    assumed: bool
    hourly_cost: float
    sleeping: bool = False

    def to_json(self, now: datetime) -> dict[str, Any]:
        return {
            **self.info.to_json(now),
            "size": self.size,
            "size_assumed": self.assumed,
            "sleeping": self.sleeping,
            "hourly_cost": self.hourly_cost,
        }


def size_of(
    infos: list[StackInfo],
    config_dir: Path | None,
    default_size: str,
    prices: FargatePrices,
) -> list[SizedStack]:
    """Size and cost of each stack from its local ``stacks/Pulumi.<stack>.yaml`` (written by
    ``up``), else the policy's default size, marked as assumed."""
    from showtime_iac.adapters.aws import hourly_cost

    out = []
    for info in infos:
        config = {} if config_dir is None else _read_config(config_dir / f"Pulumi.{info.name}.yaml")
        found, asleep = _size(config), _sleeping(config)
        size = found or default_size
        cost = hourly_cost(size, prices, sleeping=asleep)
        out.append(SizedStack(info, size, found is None, cost, asleep))
    return out


def sized(
    infos: list[StackInfo], project_dir: Path | None, policy: Policy
) -> tuple[list[SizedStack], FargatePrices]:
    """:func:`size_of` with the project's config directory and the prices of the environment
    (``SHOWTIME_PRICE_*``)."""
    from showtime_iac.adapters.aws import FargatePrices

    prices = FargatePrices.from_env(os.environ)
    config_dir = wiring.stack_config_dir(project_dir)
    return size_of(infos, config_dir, policy.default_size, prices), prices


def total_cost(stacks: list[SizedStack]) -> float:
    """The hourly cost of all of ``stacks`` together (each priced in its state)."""
    return round(sum(s.hourly_cost for s in stacks), 5)
