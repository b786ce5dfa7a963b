"""The cleanup's orphan sweep: AWS resources with our tags that no live stack owns."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from showtime_iac.core.model import BASELINE_PR, PrInfo, ShowtimeError, router_stack_name

if TYPE_CHECKING:
    from showtime_iac.app.wiring import Ports

__all__ = ["sweep_orphans"]


def sweep_orphans(ports: Ports, prs: list[PrInfo], now: datetime, dry_run: bool) -> dict[str, Any]:
    """Tagged AWS resources that no live stack owns (crashed runs, forced stack removals):
    ``orphans`` (every decision: the orphans first, in the order they are deleted) and
    ``orphan_count`` (None when the sweep could not run). The resources are listed *before*
    the stacks that own them: Pulumi creates a stack before any of its resources, so a
    resource listed first whose stack is not listed after is no deploy's (the kinds listed
    without a creation time, target groups, rules, security groups and task definitions, rely
    on this)."""
    from showtime_iac.core.orphans import classify_orphans, orphan_count

    open_prs = {p.number for p in prs if p.is_open} | {BASELINE_PR}  # the baseline has no PR
    try:
        found = ports.live.list_tagged()
        # the owners, listed now: names only (one backend listing each, no tags read)
        routers = [router_stack_name(n) for n in ports.stacks.list_routers()]
        owners = {*ports.stacks.list_stacks(), *routers}
        from showtime_iac.core.queue import queued_owners  # a queued commit's image waits

        owners |= set(queued_owners(prs))
        decisions = classify_orphans(found, owners, open_prs, now)
        results = ports.live.delete_orphans(decisions, dry_run=dry_run)
    except ShowtimeError as exc:
        skipped = {"kind": "-", "name": "-", "action": "skip", "reason": str(exc), "error": None}
        return {"orphans": [skipped], "orphan_count": None}
    out = [r.as_dict() for r in results]  # the deletes: each its decision's and its result
    out += [d.as_dict() for d in decisions if d.action != "delete"]
    return {"orphans": out, "orphan_count": orphan_count(decisions)}
