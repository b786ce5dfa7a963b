"""The cleanup's ``--report FILE`` document, byte for byte, and the HTTPS request signal
(:func:`request_activity`): which PRs it asks the load balancer about, and what it returns."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from showtime_iac.app.cleanup import CleanupReport, request_activity
from showtime_iac.core import labels as L
from showtime_iac.core.model import InputError, Policy, PrInfo
from tests.doubles import FakeLive

NOW = datetime(2026, 1, 15, 14, 30, tzinfo=UTC)


# --------------------------------------------------------------------------- the report file


def report() -> CleanupReport:
    return CleanupReport(
        dry_run=True,
        rows=[
            {
                "pr": 12,
                "state": "open",
                "action": "warn",
                "stacks": [],
                "reason": "idle since 2026-01-14T14-30 — café ☕",
                "result": "planned",
            }
        ],
        extra={"warnings": ["PR #13: requests of sti-pr-13-abc1234 not read (naïve)"]},
        failed=0,
    )


def test_the_report_file_is_the_json_document_indented_two_in_utf8(tmp_path: Path) -> None:
    """What ``dashboard --cleanup FILE`` reads: the ``--json`` document, two-space indent,
    non-ASCII text written as is (UTF-8), one final newline."""
    path = tmp_path / "cleanup.json"
    report().write(path)
    assert (
        path.read_bytes()
        == (
            "{\n"
            '  "dry_run": true,\n'
            '  "items": [\n'
            "    {\n"
            '      "pr": 12,\n'
            '      "state": "open",\n'
            '      "action": "warn",\n'
            '      "stacks": [],\n'
            '      "reason": "idle since 2026-01-14T14-30 — café ☕",\n'
            '      "result": "planned"\n'
            "    }\n"
            "  ],\n"
            '  "warnings": [\n'
            '    "PR #13: requests of sti-pr-13-abc1234 not read (naïve)"\n'
            "  ]\n"
            "}\n"
        ).encode()
    )


def test_a_report_path_that_cannot_be_written_is_an_input_error_naming_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "no-such-dir" / "cleanup.json"
    with pytest.raises(InputError) as err:
        report().write(path)
    assert str(err.value) == f"cannot write the report to {path}: No such file or directory"
    with pytest.raises(InputError) as err:
        report().write(tmp_path)  # a directory
    assert str(err.value) == f"cannot write the report to {tmp_path}: Is a directory"


# --------------------------------------------------------------------------- request activity

SHAS = {n: f"{n:07d}" + "a" * 33 for n in range(1, 6)}


def tg(pr: int) -> str:
    """The load balancer target group of PR ``pr``'s environment (written out: sti-pr-N-S)."""
    return f"sti-pr-{pr}-{SHAS[pr][:7]}"


def show(pr: int, *extra: str, ttl: str = "24h", state: str = "open") -> PrInfo:
    """PR ``pr`` with a running environment deployed 25 hours ago (idle past a 24h TTL)."""
    s7 = SHAS[pr][:7]
    labels = (
        f"🎪 {s7} 🚦 running",
        f"🎪 🎯 {s7}",
        f"🎪 {s7} 📅 {L.format_timestamp(NOW - timedelta(hours=25))}",
        f"🎪 {s7} ⌛ {ttl}",
        f"🎪 {s7} 👤 alice",
        *extra,
    )
    return PrInfo(number=pr, state=state, head_sha=SHAS[pr], labels=labels)  # type: ignore[arg-type]


def test_tg_names_are_the_products_target_groups() -> None:
    from showtime_iac.core.model import resource_names

    assert tg(1) == resource_names(1, SHAS[1]).target_group


def test_only_open_unblocked_prs_with_an_idle_ttl_are_asked_and_a_skip_stops_nothing() -> None:
    """A closed PR, a blocked PR, one without an environment and a pinned one are never asked
    about (no idle TTL a request could move); each skip goes on to the next PR."""
    live = FakeLive()
    seen = NOW - timedelta(minutes=10)
    live.requests = {tg(n): seen for n in SHAS}
    prs = [
        show(1, state="closed"),  # closed, not blocked: nothing left to keep
        show(2, "🎪 🔒 showtime-blocked"),  # open but blocked: torn down whatever it serves
        PrInfo(number=3, state="open", head_sha=SHAS[3], labels=()),  # no environment
        show(4, ttl="manual"),  # pinned: no idle TTL to reset
        show(5),
    ]
    warnings: list[str] = []
    assert request_activity(live, prs, NOW, Policy(), warnings) == {5: seen}
    assert live.request_reads == ["sti-pr-5-0000005"]
    assert warnings == []


def test_a_pinned_pr_before_another_does_not_end_the_reads() -> None:
    live = FakeLive()
    seen = NOW - timedelta(minutes=3)
    live.requests = {tg(1): seen, tg(2): seen}
    prs = [show(1, ttl="manual"), show(2)]
    assert request_activity(live, prs, NOW, Policy(), []) == {2: seen}
    assert live.request_reads == ["sti-pr-2-0000002"]


def test_a_closed_pr_before_another_does_not_end_the_reads() -> None:
    live = FakeLive()
    seen = NOW - timedelta(minutes=3)
    live.requests = {tg(1): seen, tg(2): seen}
    prs = [show(1, state="closed"), show(2)]
    assert request_activity(live, prs, NOW, Policy(), []) == {2: seen}
    assert live.request_reads == ["sti-pr-2-0000002"]


def test_every_failed_read_is_one_warning_and_the_next_pr_is_still_asked() -> None:
    live = FakeLive(requests_error="GetMetricData failed: AccessDenied")
    warnings: list[str] = []
    assert request_activity(live, [show(1), show(2)], NOW, Policy(), warnings) == {}
    assert live.request_reads == ["sti-pr-1-0000001", "sti-pr-2-0000002"]
    assert warnings == [
        "PR #1: GetMetricData failed: AccessDenied",
        "PR #2: GetMetricData failed: AccessDenied",
    ]


def test_no_request_in_the_last_hour_is_no_entry() -> None:
    live = FakeLive()
    live.requests = {tg(1): NOW - timedelta(hours=2)}  # outside the window
    assert request_activity(live, [show(1)], NOW, Policy(), []) == {}
    assert live.request_reads == ["sti-pr-1-0000001"]
