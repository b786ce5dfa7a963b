"""Contracts of a ``file://`` lock's age: the lock file's own time (Go's RFC 3339, with any
offset; one without an offset is UTC), else the file's modification time."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from showtime_iac.adapters.stacks.backend import lock_file_age

STACK = "pr-1234-abc1234"
NOW = datetime(2026, 1, 15, 14, 30, tzinfo=UTC)


def _lock(root: Path, body: str) -> Path:
    d = root / ".pulumi" / "locks" / "organization" / "showtime-iac" / STACK
    d.mkdir(parents=True)
    path = d / "f3a1.json"
    path.write_text(body, encoding="utf-8")
    return path


def test_a_lock_stamped_with_an_offset_is_read_at_that_offset(tmp_path: Path) -> None:
    # 14:00 at +02:00 is 12:00 UTC: two and a half hours before NOW
    _lock(tmp_path, '{"pid": 1, "timestamp": "2026-01-15T14:00:00.5+02:00"}')
    assert lock_file_age(tmp_path, STACK, NOW) == timedelta(hours=2, minutes=29, seconds=59.5)


def test_a_lock_stamped_without_an_offset_is_read_as_utc(tmp_path: Path) -> None:
    _lock(tmp_path, '{"pid": 1, "timestamp": "2026-01-15T13:30:00"}')
    assert lock_file_age(tmp_path, STACK, NOW) == timedelta(hours=1)


def test_a_lock_without_a_readable_stamp_is_as_old_as_its_file(tmp_path: Path) -> None:
    for body in ('{"pid": 1}', '{"timestamp": "yesterday"}'):
        path = _lock(tmp_path / body[2:5], body)
        then = (NOW - timedelta(hours=3)).timestamp()
        os.utime(path, (then, then))
        assert lock_file_age(tmp_path / body[2:5], STACK, NOW) == timedelta(hours=3)
