"""Dates in labels are bounded (issue 26, item 6): a 📅, ⚠️ or ⌛ max date far in the past or
the future is ignored with a warning; it never crashes a reader and never turns a writer's
command into a refusal. Attacks: ``📅 9999-…`` crashed ``/showtime status``; ``📅 1970-…`` made
a writer's ``/showtime extend`` exit 2."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from showtime_iac.core import labels as L
from showtime_iac.core.label_grammar import EARLIEST, LATEST
from tests.core.test_planner import NOW, running
from tests.core.test_planner_commands import comment

SHA = "abc1234"
# every minute a label can spell, years 0001 to 9999
any_minute = st.datetimes(
    min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59)
).map(lambda d: d.replace(second=0, microsecond=0, tzinfo=UTC))


def ts(when: datetime) -> str:
    return f"{when.year:04d}-{when.month:02d}-{when.day:02d}T{when.hour:02d}-{when.minute:02d}"


@given(any_minute)
def test_a_date_is_read_only_between_the_bounds(when: datetime) -> None:
    inside = EARLIEST <= when < LATEST
    assert (L.parse_timestamp(ts(when)) == when) is inside
    state = L.parse_state([f"🎪 {SHA} 📅 {ts(when)}", f"🎪 {SHA} ⚠️ {ts(when)}"])
    show = state.shows.get(SHA)
    if inside:
        assert show is not None and show.created == when and show.warned == when
    else:
        assert show is None or (show.created is None and show.warned is None)
        assert state.warnings  # ignored, and said so


@given(any_minute)
def test_a_max_age_is_read_only_between_the_bounds(when: datetime) -> None:
    state = L.parse_state([f"🎪 {SHA} ⌛ idle 24h · max {ts(when)}"])
    show = state.shows.get(SHA)
    if EARLIEST <= when < LATEST:
        assert show is not None and show.max_at == when
    else:
        assert show is None and state.warnings


@given(any_minute, any_minute)
def test_with_now_no_date_in_the_future_survives(created: datetime, max_at: datetime) -> None:
    state = L.parse_state(
        [f"🎪 {SHA} 📅 {ts(created)}", f"🎪 {SHA} ⌛ idle 24h · max {ts(max_at)}"], NOW
    )
    show = state.shows.get(SHA)
    assert show is None or show.created is None or show.created <= NOW + L.FUTURE_SLACK
    assert show is None or show.max_at is None or show.max_at <= NOW + L.MAX_AHEAD
    if EARLIEST <= created < LATEST and created > NOW + L.FUTURE_SLACK:
        assert any("in the future" in w for w in state.warnings)


def test_a_date_in_the_future_is_kept_only_without_now() -> None:
    later = ts(NOW + timedelta(days=30))
    assert L.parse_state([f"🎪 {SHA} 📅 {later}"]).shows[SHA].created is not None
    bounded = L.parse_state([f"🎪 {SHA} 📅 {later}"], NOW)
    assert bounded.shows[SHA].created is None
    assert f"{SHA}: ignored the date {later} (in the future)" in bounded.warnings


@settings(max_examples=60, deadline=None)
@given(any_minute, any_minute)
def test_status_and_a_writers_extend_never_fail_on_a_forged_date(
    created: datetime, max_at: datetime
) -> None:
    labels = [
        *(x for x in running(created=ts(created)) if "⌛" not in x),
        f"🎪 {SHA} ⌛ idle 24h · max {ts(max_at)}",
    ]
    status = comment("/showtime status", labels, association="NONE")
    assert status.comment is not None and SHA in status.comment
    extend = comment("/showtime extend 48h", labels)  # a member: a writer
    assert extend.skipped is None
    added = [x for x in extend.add_labels if "⌛" in x]
    assert added and added[0].startswith(f"🎪 {SHA} ⌛ idle ")


def test_the_reported_attacks() -> None:
    for forged in ("9999-12-31T23-59", "1970-01-01T00-00"):
        status = comment("/showtime status", running(created=forged), association="NONE")
        assert status.comment is not None and "http://52.1.2.3:8080" in status.comment
        extend = comment("/showtime extend 48h", running(created=forged))
        assert extend.add_labels == ("🎪 abc1234 ⌛ idle 48h · max 2026-01-22T14-30",)
