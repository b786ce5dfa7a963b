"""A deploy's timings (core/timings, docs/benchmarks.md "the whole path"): the contracts the
mutation run (issue 29) found no test pinning down. Each test was checked by making the change
and watching it fail.

Pure: marks in, the job summary's table and the JSON out, written out in full.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone

import pytest

from showtime_iac.core.timings import Timings, parse_time, workflow_marks
from showtime_iac.errors import InputError

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def run(result: str | None = "ready") -> Timings:
    return Timings(
        (
            ("start", T0),
            ("plan", T0 + timedelta(seconds=62.12345)),
            ("up", T0 + timedelta(seconds=242.12345)),
        ),
        result,  # type: ignore[arg-type]
    )


def test_the_summary_table_in_full() -> None:
    assert run().markdown() == (
        "| phase | time |\n|---|---|\n| plan | 1 min 2 s |\n| up | 3 min |\n"
        "| **ready in 4 min 2 s** | **4 min 2 s** |"
    )
    assert run(None).markdown().splitlines()[-1] == "| **total** | **4 min 2 s** |"


def test_the_json_to_the_millisecond_in_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    try:
        got = run().to_json()
    finally:
        monkeypatch.undo()
        time.tzset()
    assert got == {
        "started_at": "2026-12-01T09:00:00Z",
        "phases": {"plan": 62.123, "up": 180.0},
        "total_seconds": 242.123,
        "result": "ready",
    }


def test_timings_begin_with_the_start_mark() -> None:
    with pytest.raises(ValueError) as err:
        Timings((("plan", T0),))
    assert str(err.value) == "timings begin with the start mark"


def test_a_time_is_read_in_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    paris = timezone(timedelta(hours=1))
    assert parse_time("--started-at", "2026-12-01T10:00:00+01:00") == T0
    assert parse_time("--started-at", "2026-12-01T09:00:00Z") == T0
    assert parse_time("--started-at", " 2026-12-01T09:00:00 ") == T0  # naive: UTC
    assert parse_time("--x", "2026-12-01T10:00:00+01:00").tzinfo is UTC
    assert datetime(2026, 12, 1, 10, tzinfo=paris) == T0
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    try:  # whatever the machine's zone: an offset is converted, a naive time is UTC
        got = parse_time("--x", "2026-12-01T10:00:00+01:00")
        naive = parse_time("--x", "2026-12-01T09:00:00")
    finally:
        monkeypatch.undo()
        time.tzset()
    assert (got, got.utcoffset(), naive) == (T0, timedelta(0), T0)
    with pytest.raises(InputError) as err:
        parse_time("--started-at", "t" * 50)
    assert str(err.value) == (
        f"--started-at '{'t' * 40}' is not an ISO 8601 time (e.g. 2026-01-15T14:30:00Z)"
    )


def test_marks_at_the_edges_of_the_run_are_kept() -> None:
    sync = T0 + timedelta(hours=1)
    marks, dropped = workflow_marks(
        {"started-at": sync - timedelta(hours=6), "image-at": sync + timedelta(minutes=1)}, sync
    )
    assert (marks, dropped) == (
        [("start", sync - timedelta(hours=6)), ("image", sync + timedelta(minutes=1)),
         ("sync setup", sync)],
        [],
    )  # fmt: skip
    # a plan mark without a start: the plan becomes the start
    marks, _ = workflow_marks({"planned-at": sync - timedelta(minutes=5)}, sync)
    assert marks == [("start", sync - timedelta(minutes=5)), ("sync setup", sync)]
