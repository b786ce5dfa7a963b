"""HTTPS mode: the load-balancer shard and rule priority of a new stack (``core.shards``).

:class:`ShardOps` is mixed into :class:`~showtime_iac.adapters.stacks.PulumiDriver`.
:meth:`~ShardOps.placement` is what a new environment stack records (config
``showtime-iac:albShard`` / ``rulePriority`` and the same stack tags): its PR's placement when
the PR has one, else a new one from one listing of the stacks' tags; when that placement needs
a shard the shared stack lacks, the shared stack's ``up`` adds it first. An existing stack
never moves. :meth:`~ShardOps.retire_empty_shards` (the cleanup) removes a shard no stack sits
on. Stacks from before shards (no placement tag) stay where they are, on shard 0 with the
provider's priorities, and while any lives no new PR is placed on shard 0 (their priorities
are unknown, so ours could collide).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from showtime_iac.adapters.stacks.backend import local_backend_dir
from showtime_iac.core.model import parse_router_name, parse_stack_name
from showtime_iac.core.shards import (
    Placement,
    Quotas,
    RulePlacement,
    ShardError,
    env_priority,
    parse_shards,
    place,
    removable_shards,
    shards_to_declare,
)
from showtime_iac.core.stack_config import SHARED_STACK_KEY, key

if TYPE_CHECKING:
    from showtime_iac.adapters.stacks.engine import Engine

__all__ = ["Fleet", "ShardOps", "fleet_of"]


@dataclass
class Fleet:
    """Every PR's placement as the stacks' tags record it."""

    placed: dict[int, Placement] = field(default_factory=dict)
    #: per PR, the host-rule priorities its environment stacks hold
    env_priorities: dict[int, list[int]] = field(default_factory=dict)
    #: PRs with a stack from before shards (shard 0, the provider's priorities)
    legacy: set[int] = field(default_factory=set)


def fleet_of(tags: Mapping[str, Mapping[str, str]]) -> Fleet:
    """The fleet from ``{stack name: tags}`` of environment and router stacks."""
    fleet = Fleet()
    for name, t in tags.items():
        env = parse_stack_name(name)
        pr = env[0] if env is not None else parse_router_name(name)
        if pr is None:
            continue
        recorded = RulePlacement.from_tags(t)
        if recorded is None or recorded.priority is None:
            fleet.legacy.add(pr)
            continue
        fleet.placed[pr] = Placement.of_priority(recorded.shard, recorded.priority)
        if env is not None:
            fleet.env_priorities.setdefault(pr, []).append(recorded.priority)
    return fleet


class ShardOps:
    """Shard placement over the driver's engine (see :class:`PulumiDriver`)."""

    engine: Engine
    base_config: dict[str, str]
    notes: list[str]
    on_output: Callable[[str], None]

    # provided by PulumiDriver
    _timed: Callable[[], AbstractContextManager[None]]
    _locked: Callable[[str, str, Callable[[], Any]], Any]
    _supports_tags: Callable[[], bool]
    _tags_of: Callable[..., dict[str, dict[str, str]]]
    tag_reader: Callable[[str], Mapping[str, Mapping[str, str]] | None] | None
    _errors: Callable[[str | None, str], AbstractContextManager[None]]

    @property
    def _shared_stack(self) -> str:
        return self.base_config.get(SHARED_STACK_KEY) or "shared"

    def _https(self) -> bool:
        return bool(self.base_config.get(key("domain")))

    def fleet(self, *, besides: str = "") -> Fleet:
        """Every PR's placement: one listing and the stacks' tags (``besides``: the stack
        being placed, which has none yet)."""
        names = [r.name.rsplit("/", 1)[-1] for r in self.engine.list_stacks()]
        ours = [
            n
            for n in names
            if n != besides and (parse_stack_name(n) or parse_router_name(n) is not None)
        ]
        if not ours:
            return fleet_of({})
        url = self.engine.backend_url
        ahead = None  # every tag at once off the CLI (the S3 bucket), as the listing reads them
        if self.tag_reader is not None and local_backend_dir(url) is None:
            ahead = self.tag_reader(url)
        return fleet_of(self._tags_of(ours, ahead))

    def _declared(self) -> tuple[tuple[int, ...], Quotas, str | None]:
        """The shards the shared stack declares, its rules quota and its hosted zone."""
        name = self._shared_stack
        if not self.engine.select(name):
            raise ShardError(f"no shared stack {name}: run its `up` first (HTTPS mode)")
        values = self.engine.get_config(name)
        shards = parse_shards(values.get(key("loadBalancerShards")) or "[0]")
        rules = (values.get(key("loadBalancerRules")) or "100").strip()
        if not rules.isdigit():
            raise ShardError(f"{key('loadBalancerRules')} must be a whole number, not {rules!r}")
        return shards, Quotas(rules=int(rules)), values.get(key("hostedZoneId")) or None

    def placement(self, stack: str, pr: int, current: Mapping[str, str]) -> RulePlacement | None:
        """Where ``stack`` (of PR ``pr``) puts its host rule; None in public-IP mode.
        ``current``: the stack's config (an existing stack keeps its placement)."""
        if not self._https():
            return None
        if current.get(key("pr")):  # the stack has a config: it never moves
            return RulePlacement.from_stack_config(current)
        if not self._supports_tags():
            self.notes.append(
                "load-balancer shard 0 with the provider's rule priority: this backend keeps "
                "no stack tags, so the fleet's placements cannot be read"
            )
            return RulePlacement()
        fleet = self.fleet(besides=stack)
        if pr in fleet.legacy:
            return RulePlacement()  # next to its stacks from before shards
        declared, quotas, zone = self._declared()
        closed = {0} if fleet.legacy else set()
        placement = place(pr, fleet.placed, declared, quotas, closed=closed)
        if placement.shard not in declared:
            wanted = shards_to_declare([*fleet.placed.values(), placement])
            self._declare_shards(tuple(sorted({*declared, *wanted})))
            self.notes.append(f"load-balancer shard {placement.shard} added for PR #{pr}")
        priority = env_priority(placement, fleet.env_priorities.get(pr, []))
        # on a shard other than 0 the stack adds its host's record (*.<domain> is shard 0's)
        return RulePlacement(placement.shard, priority, zone if placement.shard else None)

    def router_placement(self, env_config: Mapping[str, str]) -> RulePlacement:
        """The router's placement: the shard of the environment it points at, with the PR's
        router priority (none for an environment from before shards)."""
        env = RulePlacement.from_stack_config(env_config)
        if env.priority is None:
            return RulePlacement(env.shard, None, env.hosted_zone_id)
        router = Placement.of_priority(env.shard, env.priority).router_priority
        return RulePlacement(env.shard, router, env.hosted_zone_id)

    def retire_empty_shards(self, *, dry_run: bool = False) -> tuple[int, ...]:
        """Remove the shards no stack sits on (never shard 0) with an ``up`` of the shared
        stack; the shards removed (or, dry, that would be)."""
        if not self._https() or not self._supports_tags():
            return ()
        with self._timed(), self._errors(self._shared_stack, "retiring empty shards"):
            fleet = self.fleet()
            declared, _quotas, _zone = self._declared()
            empty = removable_shards(fleet.placed.values(), declared)
            if empty and not dry_run:
                self._declare_shards(tuple(s for s in declared if s not in empty))
                self.notes.append(f"empty load-balancer shards removed: {list(empty)}")
            return empty

    def _declare_shards(self, shards: tuple[int, ...]) -> None:
        name = self._shared_stack
        self.engine.set_config(name, {key("loadBalancerShards"): (json.dumps(list(shards)), False)})
        self._locked(name, "up", lambda: self.engine.up(name, self.on_output))
