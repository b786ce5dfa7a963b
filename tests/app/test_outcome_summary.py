"""The job summary a run writes (``$GITHUB_STEP_SUMMARY``), pinned whole: what the run did,
the environment, the failure and the deploy's phase table (issue 29)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from showtime_iac.app.executor import Outcome
from showtime_iac.core.timings import Timings

T0 = datetime(2026, 1, 15, 14, 30, tzinfo=UTC)


def test_a_run_that_did_nothing_says_so() -> None:
    assert Outcome(pr=7, intent="none").summary_markdown() == (
        "### 🎪 showtime-iac · PR #7 · none\n\n- nothing to do\n"
    )


def test_a_deploy_lists_its_actions_url_and_phases() -> None:
    timings = Timings(
        (
            ("start", T0),
            ("up", T0 + timedelta(seconds=50)),
            ("healthy", T0 + timedelta(seconds=80)),
        ),
        "ready",
    )
    out = Outcome(
        pr=1234,
        intent="start",
        url="https://pr-1234.preview.example.org",
        actions=["up pr-1234-abc1234", "labels +3 -1"],
        timings=timings,
    )
    assert out.summary_markdown() == (
        "### 🎪 showtime-iac · PR #1234 · start\n"
        "\n"
        "- up pr-1234-abc1234\n"
        "- labels +3 -1\n"
        "- environment: https://pr-1234.preview.example.org\n"
        "\n"
        "| phase | time |\n"
        "|---|---|\n"
        "| up | 50 s |\n"
        "| healthy | 30 s |\n"
        "| **ready in 1 min 20 s** | **1 min 20 s** |\n"
    )


def test_a_failure_is_in_bold_and_a_run_without_phases_has_no_table() -> None:
    out = Outcome(
        pr=9,
        intent="stop",
        exit_code=1,
        error="destroy of stack pr-9-abc1234 failed: error: x",
        timings=Timings((("start", T0),)),
    )
    assert out.summary_markdown() == (
        "### 🎪 showtime-iac · PR #9 · stop\n"
        "\n"
        "- nothing to do\n"
        "- **failed**: destroy of stack pr-9-abc1234 failed: error: x\n"
    )
