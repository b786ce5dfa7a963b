"""StackInfo's JSON (``list --json``'s rows, docs/cli.md) pinned whole: every key, a stack
with every field and one the backend told nothing about (issue 29)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from showtime_iac.adapters import stacks as S

NOW = datetime(2026, 1, 15, 14, 30, tzinfo=UTC)


def test_a_full_row_s_json_names_every_field() -> None:
    tags = {
        "showtime:ttl": "48h",
        "showtime:expires-at": "2026-01-16T14:30:00Z",
        "showtime:requested-by": "octocat",
        "showtime:pr": "7",
    }
    info = S.StackInfo("pr-7-abc1234", 7, "abc1234", NOW - timedelta(hours=3), 4, False, dict(tags))
    assert info.to_json(NOW) == {
        "stack": "pr-7-abc1234",
        "pr": 7,
        "sha": "abc1234",
        "requester": "octocat",
        "ttl": "48h",
        "expires_at": "2026-01-16T14:30:00Z",
        "last_update": "2026-01-15T11:30:00+00:00",
        "age_seconds": 10800,
        "ttl_left_seconds": 86400,
        "resource_count": 4,
        "update_in_progress": False,
        "tags": tags,
    }


def test_a_bare_row_s_json_has_nulls_and_no_age() -> None:
    info = S.StackInfo("pr-8-def5678", 8, "def5678", update_in_progress=True)
    assert info.age(NOW) is None
    assert info.to_json(NOW) == {
        "stack": "pr-8-def5678",
        "pr": 8,
        "sha": "def5678",
        "requester": None,
        "ttl": None,
        "expires_at": None,
        "last_update": None,
        "age_seconds": None,
        "ttl_left_seconds": None,
        "resource_count": None,
        "update_in_progress": True,
        "tags": {},
    }
