"""The cleanup's part of load-balancer shards (HTTPS mode): an empty shard is removed.

The stacks port may not know shards (public-IP mode drivers, test doubles): then nothing is
done. One row per shard removed (or, dry, that would be), in the cleanup's table: PR ``-``,
stack ``shared``.
"""

from __future__ import annotations

from typing import Any

from showtime_iac.errors import ShowtimeError

__all__ = ["retire_empty_shards"]


def retire_empty_shards(stacks: object, dry_run: bool) -> list[dict[str, Any]]:
    """Remove the load-balancer shards no stack sits on (never shard 0): an ``up`` of the
    shared stack without them. A failure is a row too (``failed: ...``), never a crash."""
    retire = getattr(stacks, "retire_empty_shards", None)
    if retire is None:
        return []
    try:
        empty: tuple[int, ...] = retire(dry_run=dry_run)
    except ShowtimeError as exc:
        return [_row("empty load-balancer shards", f"failed: {exc}")]
    done = "planned" if dry_run else "removed"
    return [_row(f"empty load-balancer shard {s}", done) for s in empty]


def _row(reason: str, result: str) -> dict[str, Any]:
    """A fleet row, no PR's: every key the cleanup's rows have, in their order."""
    return {
        "pr": "-",
        "state": "-",
        "action": "remove",
        "stacks": ["shared"],
        "reason": reason,
        "result": result,
    }
