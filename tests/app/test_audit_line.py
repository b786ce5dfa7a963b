"""The audit log's line (docs/reference/audit-log.md): one JSON object, its time in UTC
whatever the machine's zone, its text as written (a 🎪 label stays readable in a log search).
What each operation writes there is pinned through ``sync --json``
(test_executor_contracts_e.py, test_record_attacks.py)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest

from showtime_iac.app.executor import audit_line


@pytest.fixture
def far_from_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The machine's zone five and a half hours from UTC (as a runner's could be)."""
    monkeypatch.setenv("TZ", "IST-5:30")  # POSIX: no tz database needed
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("far_from_utc")
def test_a_line_is_one_json_object_in_utc_with_its_text_as_written() -> None:
    when = datetime(2026, 1, 15, 16, 30, 5, tzinfo=timezone(timedelta(hours=2)))
    line = audit_line(when, "maintainer", 1234, "abc1234", "stop", "ok", "🛑 stop requested")
    assert line == (
        '{"time": "2026-01-15T14:30:05Z", "actor": "maintainer", "pr": 1234, '
        '"sha": "abc1234", "action": "stop", "result": "ok", "reason": "🛑 stop requested"}'
    )


@pytest.mark.usefixtures("far_from_utc")
def test_a_naive_time_is_the_machines_and_is_written_in_utc() -> None:
    when = datetime(2026, 1, 15, 20, 0, 0)  # Kolkata: 14:30 UTC
    doc = json.loads(audit_line(when, "a", 1, None, "x", "ok", "r"))
    assert doc["time"] == "2026-01-15T14:30:00Z"
