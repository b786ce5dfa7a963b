"""Load-balancer shards (HTTPS mode): which shared ALB a PR lives on, and its rule priorities.

Pure. AWS caps an Application Load Balancer at **100 target groups** (hard) and **100 rules**
(default quota, adjustable; counted per load balancer, not per listener, default actions not
included). Each environment has one target group and one host rule, each PR one more rule (its
router); a roll briefly holds two environments of the PR. So every PR placed on a shard
reserves its worst case, :data:`RESERVED_TARGET_GROUPS` and :data:`RESERVED_RULES`, and a
shard takes :meth:`Quotas.capacity` PRs: no mix of running, sleeping, prepared and rolling
environments can take it over a quota (sleeping ones keep both their target group and rules).

A PR's :class:`Placement` is a shard and a *slot* on it; it is recorded on its stacks (config
and tags) and never changes while the PR has a stack. The slot gives the PR's three rule
priorities, ``3*slot + 1`` (router), ``+ 2`` and ``+ 3`` (its one or two environments): all in
``1 .. 3*capacity``, reused when the PR goes. A new PR prefers the slot ``pr % capacity`` and
probes upwards, so two PRs placed at the same moment rarely pick the same slot (ELB would
refuse the second priority; that run fails and the old environment keeps serving).

Shard 0 is the original load balancer (its names are unchanged); a new PR goes to the lowest
shard with a free slot, else to a new shard (:func:`shards_to_declare` then names it, and the
shared stack declares it). An empty shard other than 0 is removed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from showtime_iac.core.config_keys import key
from showtime_iac.errors import InputError

__all__ = [
    "MAX_SHARDS",
    "RESERVED_RULES",
    "RESERVED_TARGET_GROUPS",
    "RULES_PER_ALB",
    "SHARD_TAG",
    "PRIORITY_TAG",
    "TARGET_GROUPS_PER_ALB",
    "Placement",
    "Quotas",
    "RulePlacement",
    "ShardError",
    "env_priority",
    "parse_shards",
    "place",
    "removable_shards",
    "shard_load_balancer_name",
    "shards_to_declare",
]

TARGET_GROUPS_PER_ALB = 100  # Elastic Load Balancing quota "Target groups per ALB": hard
RULES_PER_ALB = 100  # "Rules per Application Load Balancer": default (adjustable)
#: what one PR may hold at once: two environments during a roll ...
RESERVED_TARGET_GROUPS = 2
#: ... their two host rules and the PR's router rule
RESERVED_RULES = 3
#: ELB's own bound on a rule priority is 50000; ours is 3 * capacity
MAX_PRIORITY = 50_000
MAX_SHARDS = 100  # far beyond any fleet (100 shards x 33 PRs); a typo, not a fleet, passes it

SHARD_TAG = "showtime:alb-shard"
PRIORITY_TAG = "showtime:rule-priority"

_SHARDS_RE = re.compile(r"^\[\s*\d{1,3}(\s*,\s*\d{1,3})*\s*\]$")


class ShardError(InputError):
    """A placement that cannot be made (a PR with more environments than a roll needs)."""


@dataclass(frozen=True)
class Quotas:
    """The quotas of one load balancer: target groups (hard at 100) and rules (raise it with
    a Service Quotas request, then set it here)."""

    target_groups: int = TARGET_GROUPS_PER_ALB
    rules: int = RULES_PER_ALB

    def __post_init__(self) -> None:
        if not 1 <= self.target_groups <= TARGET_GROUPS_PER_ALB:
            raise ShardError(
                f"target groups per load balancer must be 1 to {TARGET_GROUPS_PER_ALB} "
                "(AWS's hard limit)"
            )
        if not 3 <= self.rules <= 1000:
            raise ShardError(f"rules per load balancer must be 3 to 1000, not {self.rules}")

    @property
    def capacity(self) -> int:
        """PRs per shard: each reserves two target groups and three rules."""
        return min(
            self.target_groups // RESERVED_TARGET_GROUPS,
            self.rules // RESERVED_RULES,
        )

    @property
    def max_priority(self) -> int:
        """The highest rule priority a placement uses: the range is ``1 .. max_priority``."""
        return RESERVED_RULES * self.capacity


@dataclass(frozen=True, order=True)
class Placement:
    """Where one PR's rules live: a shard (load balancer) and a slot on it."""

    shard: int
    slot: int

    def __post_init__(self) -> None:
        if not 0 <= self.shard < MAX_SHARDS or self.slot < 0:
            raise ShardError(f"invalid placement shard {self.shard} slot {self.slot}")

    @property
    def router_priority(self) -> int:
        return RESERVED_RULES * self.slot + 1

    @property
    def env_priorities(self) -> tuple[int, int]:
        base = RESERVED_RULES * self.slot
        return base + 2, base + 3

    @classmethod
    def of_priority(cls, shard: int, priority: int) -> Placement:
        """The placement a recorded rule priority belongs to."""
        if not 1 <= priority <= MAX_PRIORITY:
            raise ShardError(f"invalid rule priority {priority}")
        return cls(shard, (priority - 1) // RESERVED_RULES)


def place(
    pr: int,
    placed: Mapping[int, Placement],
    shards: Iterable[int],
    quotas: Quotas,
    *,
    closed: Iterable[int] = (),
) -> Placement:
    """The placement of ``pr``: its recorded one (stable), else a free slot on the lowest
    declared shard with room, else slot ``pr % capacity`` on a new shard (the lowest unused id).
    ``placed``: every PR that has a stack, by PR number; ``closed``: shards that take no new PR
    (shard 0 while stacks from before shards, with unknown priorities, live on it)."""
    if pr in placed:
        return placed[pr]
    capacity = quotas.capacity
    taken: dict[int, set[int]] = {}
    for p in placed.values():
        taken.setdefault(p.shard, set()).add(p.slot)
    known = sorted({*shards, *taken})
    shut = set(closed)
    for shard in (k for k in known if k not in shut):
        used = taken.get(shard, set())
        free = [s for s in range(capacity) if s not in used]
        if free:
            start = pr % capacity
            slot = min(free, key=lambda s: (s - start) % capacity)
            return Placement(shard, slot)
    new = next(i for i in range(MAX_SHARDS + 1) if i not in known and i not in shut)
    if new >= MAX_SHARDS:
        raise ShardError(f"every one of {MAX_SHARDS} load-balancer shards is full")
    return Placement(new, pr % capacity)


def env_priority(placement: Placement, in_use: Iterable[int]) -> int:
    """The host-rule priority of a new environment of the PR: the one of its two that the
    PR's other environment (``in_use``) does not hold."""
    used = set(in_use)
    for priority in placement.env_priorities:
        if priority not in used:
            return priority
    raise ShardError(
        "the PR already has two environments (a roll's worth) on its load balancer: destroy "
        "the stale one before another deploy"
    )


def shards_to_declare(placed: Iterable[Placement]) -> tuple[int, ...]:
    """The shards the shared stack declares: shard 0 and every shard a placement needs (a
    new PR's included). An empty shard other than 0 is left out, and so removed."""
    occupied = {p.shard for p in placed}
    return tuple(sorted({0, *occupied}))


def removable_shards(placed: Iterable[Placement], declared: Iterable[int]) -> tuple[int, ...]:
    """Declared shards that no PR is placed on (never shard 0)."""
    occupied = {p.shard for p in placed}
    return tuple(sorted(s for s in set(declared) if s != 0 and s not in occupied))


def parse_shards(text: str) -> tuple[int, ...]:
    """``showtime-iac:loadBalancerShards``: a JSON list of shard ids that includes 0."""
    if not _SHARDS_RE.match(text.strip()):
        raise ShardError(
            f"showtime-iac:loadBalancerShards must be a JSON list of shard numbers, e.g. [0, 1], "
            f"not {text[:60]!r}"
        )
    ids = [int(v) for v in text.strip()[1:-1].split(",")]
    if len(set(ids)) != len(ids) or 0 not in ids or max(ids) >= MAX_SHARDS:
        raise ShardError(
            f"showtime-iac:loadBalancerShards lists distinct shards below {MAX_SHARDS}, "
            f"shard 0 among them, not {text[:60]!r}"
        )
    return tuple(sorted(ids))


def shard_load_balancer_name(base: str, shard: int) -> str:
    """Shard 0 keeps the configured name; shard ``k`` is ``<base>-s<k>`` within ELB's 32."""
    if shard == 0:
        return base
    suffix = f"-s{shard}"
    return base[: 32 - len(suffix)].rstrip("-") + suffix


@dataclass(frozen=True)
class RulePlacement:
    """What an environment or router stack records: its shard and its rule's priority (None:
    the provider's next free one, a stack made before shards)."""

    shard: int = 0
    priority: int | None = None
    #: on a shard other than 0: the Route 53 zone of the host's own record (the shared stack's)
    hosted_zone_id: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not 0 <= self.shard < MAX_SHARDS:
            raise ShardError(f"{key('albShard')} must be 0 to {MAX_SHARDS - 1}, not {self.shard}")
        if self.priority is not None and not 1 <= self.priority <= MAX_PRIORITY:
            raise ShardError(
                f"{key('rulePriority')} must be 1 to {MAX_PRIORITY}, not {self.priority}"
            )

    def to_stack_config(self) -> dict[str, str]:
        out = {key("albShard"): str(self.shard)}
        if self.priority is not None:
            out[key("rulePriority")] = str(self.priority)
        if self.hosted_zone_id is not None:
            out[key("hostedZoneId")] = self.hosted_zone_id
        return out

    def tags(self) -> dict[str, str]:
        """The same as stack (and AWS) tags: one listing of the stacks reads every placement.
        None for a stack from before shards (shard 0, the provider's priority)."""
        if self == RulePlacement():
            return {}
        out = {SHARD_TAG: str(self.shard)}
        if self.priority is not None:
            out[PRIORITY_TAG] = str(self.priority)
        return out

    @classmethod
    def from_stack_config(cls, values: Mapping[str, str]) -> RulePlacement:
        return cls(
            _number("albShard", values.get(key("albShard")) or "0"),
            None
            if not values.get(key("rulePriority"))
            else _number("rulePriority", values[key("rulePriority")]),
            values.get(key("hostedZoneId")) or None,
        )

    @classmethod
    def from_tags(cls, tags: Mapping[str, str]) -> RulePlacement | None:
        """From a stack's tags; None when it has none or they do not parse (not ours)."""
        shard, priority = tags.get(SHARD_TAG), tags.get(PRIORITY_TAG)
        if shard is None or not shard.isdigit() or (priority and not priority.isdigit()):
            return None
        try:
            return cls(int(shard), int(priority) if priority else None)
        except ShardError:
            return None


def _number(name: str, text: str) -> int:
    t = text.strip()
    if not t.isdigit() or len(t) > 6:
        raise ShardError(f"{key(name)} must be a whole number, not {text[:40]!r}")
    return int(t)
