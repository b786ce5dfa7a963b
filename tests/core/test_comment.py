"""The sticky status comment: content, TTL left, history kept across edits."""

from __future__ import annotations

from datetime import UTC, datetime

from showtime_iac.core import labels as L
from showtime_iac.core.comment import HISTORY_LINES, MARKER, history_of, status_comment, ttl_left
from showtime_iac.core.model import Show, Status, Ttl
from tests.core.test_planner import building, running

NOW = datetime(2026, 1, 15, 14, 30, tzinfo=UTC)


def test_running_environment_comment() -> None:
    body = status_comment(
        1234, L.parse_state(running()), NOW, run_url="https://github.com/o/r/actions/runs/1"
    )
    assert body.startswith(MARKER)
    assert "`abc1234`" in body and "🟢 running" in body
    assert "[http://52.1.2.3:8080](http://52.1.2.3:8080)" in body
    assert "19h 30m left" in body and "@alice" in body
    assert "/showtime status" in body and "actions/runs/1" in body


def test_rolling_update_shows_both_shas() -> None:
    body = status_comment(
        1234, L.parse_state([*running(), *building("def5678", "2026-01-15T14-20")]), NOW
    )
    assert "🎯 active" in body and "🏗️ building" in body
    assert body.index("abc1234") < body.index("def5678")


def test_no_environment() -> None:
    assert "showtime-trigger-start" in status_comment(1, L.parse_state([]), NOW)


def test_history_is_carried_and_bounded() -> None:
    body = None
    for i in range(HISTORY_LINES + 3):
        body = status_comment(
            1, L.parse_state(running()), NOW, event_line=f"event {i}", previous_body=body
        )
    hist = history_of(body)
    assert len(hist) == HISTORY_LINES
    assert hist[-1].endswith(f"event {HISTORY_LINES + 2}") and hist[0].endswith("event 3")


def test_ttl_left_kinds() -> None:
    created = datetime(2026, 1, 14, 14, 0, tzinfo=UTC)
    assert (
        ttl_left(Show("a" * 7, Status.RUNNING, created=created, ttl=Ttl("24h")), NOW) == "expired"
    )
    assert ttl_left(Show("a" * 7, ttl=Ttl("close")), NOW) == "until the PR closes"
    assert ttl_left(Show("a" * 7, ttl=Ttl("manual")), NOW).startswith("pinned (no idle expiry")
    assert ttl_left(Show("a" * 7, created=created, ttl=Ttl("3d")), NOW) == "1d 23h 30m left"


def test_the_address_links_https_for_the_prs_host_and_http_for_a_task_ip() -> None:
    from showtime_iac.core.comment import address_url

    assert address_url("pr-1234.preview.example.org") == "https://pr-1234.preview.example.org"
    assert address_url("52.1.2.3") == "http://52.1.2.3:8080"
    assert address_url("52.1.2.3:9000") == "http://52.1.2.3:9000"
    assert address_url(None) is None
