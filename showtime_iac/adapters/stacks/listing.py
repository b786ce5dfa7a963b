"""The listing of environment stacks with their tags: ``pulumi stack ls`` rows, the tags a
file backend keeps beside them, and :class:`StackInfo` (age, TTL left, JSON)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from showtime_iac.adapters.stacks.backend import PROJECT
from showtime_iac.core.model import InputError, Ttl, login_from_tag, parse_stack_name

__all__ = ["StackInfo", "StackRow", "read_diy_tags", "stack_infos"]


def read_diy_tags(backend_dir: Path, stack: str) -> dict[str, str] | None:
    """A stack's tags from a file backend's ``.pulumi-tags`` file (format version 1, CLI
    3.211+); None when there is no such file or its format is unknown."""
    stacks = backend_dir / ".pulumi" / "stacks"
    for path in (stacks / PROJECT / f"{stack}.pulumi-tags", stacks / f"{stack}.pulumi-tags"):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if (
            isinstance(data, dict)
            and data.get("version") == 1
            and isinstance(data.get("tags"), dict)
        ):
            return {str(k): str(v) for k, v in data["tags"].items()}
        return None
    return None


@dataclass(frozen=True)
class StackRow:
    """One row of ``pulumi stack ls --json`` (no tags: the CLI does not print them)."""

    name: str
    last_update: datetime | None = None
    resource_count: int | None = None
    update_in_progress: bool | None = None


@dataclass(frozen=True)
class StackInfo:
    """One environment stack as the backend lists it, with its tags."""

    name: str
    pr: int
    sha7: str
    last_update: datetime | None = None
    resource_count: int | None = None
    update_in_progress: bool | None = None
    tags: Mapping[str, str] = field(default_factory=dict, hash=False)

    @property
    def requester(self) -> str | None:
        tag = self.tags.get("showtime:requested-by")
        return None if tag is None else login_from_tag(tag)  # `name+bot` → `name[bot]`

    @property
    def ttl(self) -> Ttl | None:
        text = self.tags.get("showtime:ttl")
        try:
            return Ttl(text) if text else None
        except InputError:
            return None

    @property
    def expires_at(self) -> datetime | None:
        text = self.tags.get("showtime:expires-at")
        if not text or text == "never":
            return None
        try:
            return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except ValueError:
            return None

    def age(self, now: datetime) -> timedelta | None:
        return None if self.last_update is None else now - self.last_update

    def ttl_left(self, now: datetime) -> timedelta | None:
        exp = self.expires_at
        return None if exp is None else exp - now

    def to_json(self, now: datetime) -> dict[str, Any]:
        age, left = self.age(now), self.ttl_left(now)
        return {
            "stack": self.name,
            "pr": self.pr,
            "sha": self.sha7,
            "requester": self.requester,
            "ttl": str(self.ttl) if self.ttl else None,
            "expires_at": self.tags.get("showtime:expires-at"),
            "last_update": self.last_update.isoformat() if self.last_update else None,
            "age_seconds": int(age.total_seconds()) if age is not None else None,
            "ttl_left_seconds": int(left.total_seconds()) if left is not None else None,
            "resource_count": self.resource_count,
            "update_in_progress": self.update_in_progress,
            "tags": dict(self.tags),
        }


def stack_infos(
    rows: Sequence[StackRow], tags_of: Callable[[Sequence[str]], Mapping[str, Mapping[str, str]]]
) -> list[StackInfo]:
    """Environment stacks (``pr-*``) of a listing, with tags; other stacks are left out."""
    envs: list[tuple[StackRow, tuple[int, str]]] = []
    for row in rows:
        short = row.name.rsplit("/", 1)[-1]
        parsed = parse_stack_name(short)
        if parsed is not None:
            envs.append(
                (
                    StackRow(short, row.last_update, row.resource_count, row.update_in_progress),
                    parsed,
                )
            )
    tags = tags_of([r.name for r, _ in envs]) if envs else {}
    out = [
        StackInfo(
            name=r.name,
            pr=pr,
            sha7=sha7,
            last_update=r.last_update,
            resource_count=r.resource_count,
            update_in_progress=r.update_in_progress,
            tags=dict(tags.get(r.name, {})),
        )
        for r, (pr, sha7) in envs
    ]
    return sorted(out, key=lambda s: (s.pr, s.name))
