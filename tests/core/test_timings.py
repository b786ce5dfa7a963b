"""core.timings: a run's phases from the moments that end them (pure; hypothesis where the
clocks of several machines meet)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from showtime_iac.core.comment import status_comment
from showtime_iac.core.labels import parse_state
from showtime_iac.core.model import InputError
from showtime_iac.core.timings import (
    CLOCK_SKEW,
    GIVEN,
    MAX_RUN_SPAN,
    PHASES,
    TIME_VARS,
    Timings,
    format_seconds,
    parse_time,
    workflow_marks,
)

T0 = datetime(2026, 1, 15, 14, 30, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


# --------------------------------------------------------------------------- phases

offsets = st.floats(min_value=-600, max_value=7200, allow_nan=False)


@given(st.lists(st.tuples(st.sampled_from(PHASES), offsets), max_size=8))
def test_phases_are_never_negative_and_add_up_to_the_total(marks: list[tuple[str, float]]) -> None:
    """Marks from several runners' clocks may go backwards by a few seconds: no phase is
    negative, and the phases always add up to the time from the start to the latest mark."""
    t = Timings((("start", T0), *((name, at(s)) for name, s in marks)))
    assert all(seconds >= 0 for _, seconds in t.phases)
    assert [name for name, _ in t.phases] == [name for name, _ in marks]
    latest = max([T0, *(at(s) for _, s in marks)])
    assert t.total == pytest.approx(sum(s for _, s in t.phases))
    assert t.total == pytest.approx((latest - T0).total_seconds())


def test_a_deploy_reports_each_phase_and_its_total() -> None:
    t = Timings(
        (
            ("start", T0),
            ("plan", at(62)),
            ("image", at(242)),
            ("sync setup", at(300)),
            ("claim", at(304)),
            ("up", at(352)),
            ("task running", at(372)),
            ("healthy", at(384)),
            ("router", at(392)),
        ),
        "ready",
    )
    assert t.phases == (
        ("plan", 62.0),
        ("image", 180.0),
        ("sync setup", 58.0),
        ("claim", 4.0),
        ("up", 48.0),
        ("task running", 20.0),
        ("healthy", 12.0),
        ("router", 8.0),
    )
    assert t.headline() == "ready in 6 min 32 s" and t.ready_in == 392.0
    assert t.line() == (
        "plan 1 min 2 s · image 3 min · sync setup 58 s · claim 4 s · up 48 s · "
        "task running 20 s · healthy 12 s · router 8 s"
    )
    assert t.markdown().splitlines()[-1] == "| **ready in 6 min 32 s** | **6 min 32 s** |"
    assert t.to_json() == {
        "started_at": "2026-01-15T14:30:00Z",
        "phases": dict(t.phases),
        "total_seconds": 392.0,
        "result": "ready",
    }


def test_a_failed_deploy_names_the_phase_it_failed_in() -> None:
    t = Timings((("start", T0), ("claim", at(3)), ("up", at(50)), ("healthy", at(950))), "failed")
    assert t.headline() == "failed after 15 min 50 s (healthy)"
    assert t.ready_in is None
    assert Timings((("start", T0), ("claim", at(3)))).headline() is None  # still going


def test_timings_begin_with_the_start() -> None:
    with pytest.raises(ValueError, match="start"):
        Timings((("up", T0),))


# --------------------------------------------------------------------------- the workflow's


def test_the_workflows_moments_come_before_the_syncs_own_start() -> None:
    given_ = {"started-at": at(0), "planned-at": at(60), "image-at": at(240)}
    marks, dropped = workflow_marks(given_, at(300))
    assert marks == [
        ("start", at(0)),
        ("plan", at(60)),
        ("image", at(240)),
        ("sync setup", at(300)),
    ]
    assert dropped == []


def test_without_the_workflows_moments_the_sync_starts_the_run() -> None:
    assert workflow_marks({}, at(0)) == ([("start", at(0))], [])
    # no image built (nothing to build, or one reused): its phase is simply absent
    marks, _ = workflow_marks({"started-at": at(0), "planned-at": at(50)}, at(90))
    assert [n for n, _ in marks] == ["start", "plan", "sync setup"]
    # no start: the first phase given has no known length, so it starts the run
    marks, _ = workflow_marks({"image-at": at(200)}, at(260))
    assert marks == [("start", at(200)), ("sync setup", at(260))]


@given(
    st.dictionaries(
        st.sampled_from(list(GIVEN)),
        st.floats(min_value=-3 * 86400, max_value=3600, allow_nan=False),
    )
)
def test_only_this_runs_moments_are_kept(given_: dict[str, float]) -> None:
    """A re-run of failed jobs keeps the first attempt's outputs: a moment more than 6 h
    before the sync, or after it beyond the clock skew, is dropped (and said so)."""
    sync = at(0)
    marks, dropped = workflow_marks({k: at(s) for k, s in given_.items()}, sync)
    kept = {k for k, s in given_.items() if -MAX_RUN_SPAN <= timedelta(seconds=s) <= CLOCK_SKEW}
    assert set(dropped) == set(given_) - kept
    assert marks[0][0] == "start" and marks[-1][1] == sync
    assert len(marks) == len(kept) + 1
    assert all(sync - MAX_RUN_SPAN <= when <= sync + CLOCK_SKEW for _, when in marks)


def test_a_moment_is_iso_8601_or_a_clear_error() -> None:
    assert parse_time("--started-at", "2026-01-15T14:30:00Z") == T0
    assert parse_time("--started-at", "2026-01-15T16:30:00+02:00") == T0
    assert parse_time("--started-at", "2026-01-15T14:30:00") == T0  # naive: UTC
    with pytest.raises(InputError, match=r"SHOWTIME_IMAGE_AT 'yesterday' is not an ISO 8601"):
        parse_time(TIME_VARS["image-at"], "yesterday")
    assert TIME_VARS == {
        "started-at": "SHOWTIME_STARTED_AT",
        "planned-at": "SHOWTIME_PLANNED_AT",
        "image-at": "SHOWTIME_IMAGE_AT",
    }


# --------------------------------------------------------------------------- durations


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 s"),
        (-3, "0 s"),
        (59.4, "59 s"),
        (59.6, "1 min"),
        (252, "4 min 12 s"),
        (3600, "1 h"),
        (3725, "1 h 2 min"),
    ],
)
def test_durations_read_like_a_person_writes_them(seconds: float, text: str) -> None:
    assert format_seconds(seconds) == text


@given(st.integers(min_value=0, max_value=10 * 86400))
def test_a_duration_says_its_seconds_under_an_hour_and_its_minutes_above(seconds: int) -> None:
    parts = dict(
        (unit, int(n)) for n, unit in re.findall(r"(\d+) (h|min|s)", format_seconds(seconds))
    )
    back = parts.get("h", 0) * 3600 + parts.get("min", 0) * 60 + parts.get("s", 0)
    assert back == (seconds if seconds < 3600 else seconds - seconds % 60)


# --------------------------------------------------------------------------- the comment


def test_the_status_comment_says_ready_in_and_each_phase() -> None:
    labels = ["🎪 abc1234 🚦 running", "🎪 🎯 abc1234", "🎪 abc1234 🌐 10.0.0.5:8080"]
    ready = Timings((("start", T0), ("up", at(200)), ("healthy", at(252))), "ready")
    body = status_comment(1234, parse_state(labels), at(260), timings=ready)
    assert "⏱️ Ready in 4 min 12 s: up 3 min 20 s · healthy 52 s" in body
    failed = Timings((("start", T0), ("up", at(30))), "failed")
    assert "⏱️ Failed after 30 s (up): up 30 s" in status_comment(
        1234, parse_state(labels), at(60), timings=failed
    )
    assert "⏱️" not in status_comment(1234, parse_state(labels), at(60))
