"""HTTPS mode: the cleanup reads the last request of every PR it would warn, put to sleep or
tear down, whatever comes before it in the list (issue 29). A PR that is closed, one whose
lifetime no request can move (pinned, past its max age), and one whose read fails are each
skipped on their own: the next PR's request still keeps its environment. The real CLI over
PyGithub against the GitHub test server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from showtime_iac.core.model import ShowtimeError
from tests.app.test_lifetimes_cleanup import (
    SHA,
    TG1,
    TG2,
    add_pr2,
    env,
    https,
    run_cleanup,
)
from tests.doubles import FakeLive, FakeStacks
from tests.github_api_server import GitHubServer

__all__ = ["https"]  # the fixture, used by name

World = tuple[GitHubServer, FakeStacks, FakeLive]


def _second_pr_requested(gh: GitHubServer, stacks: FakeStacks, live: FakeLive) -> None:
    """PR 2: idle for 25 h (due for a warning), but a request came in 10 minutes ago."""
    add_pr2(gh, stacks, env(timedelta(hours=25)))
    live.requests[TG2] = datetime.now(UTC) - timedelta(minutes=10)


def _kept_by_its_request(doc: dict[str, object]) -> None:
    by_pr = doc["by_pr"]
    assert isinstance(by_pr, dict)
    assert by_pr[2]["action"] == "keep", by_pr[2]
    assert "last request" in by_pr[2]["reason"]


def test_a_closed_pr_first_is_not_read_and_the_next_one_is(
    https: World, capsys: pytest.CaptureFixture[str]
) -> None:
    gh, stacks, live = https
    gh.add_pr(1, head_sha=SHA, labels=env(timedelta(hours=2)), state="closed")
    live.requests[TG1] = datetime.now(UTC)  # a closed PR goes whatever its requests
    _second_pr_requested(gh, stacks, live)
    doc = run_cleanup(capsys, "--dry-run")
    assert live.request_reads == [TG2]
    assert doc["by_pr"][1]["action"] == "destroy"
    _kept_by_its_request(doc)


def test_a_pinned_pr_past_its_max_age_first_is_not_read_and_the_next_one_is(
    https: World, capsys: pytest.CaptureFixture[str]
) -> None:
    gh, stacks, live = https
    gh.add_pr(1, head_sha=SHA, labels=env(timedelta(days=8), ttl="manual"))
    live.requests[TG1] = datetime.now(UTC)  # a request never lifts the max age
    _second_pr_requested(gh, stacks, live)
    doc = run_cleanup(capsys, "--dry-run")
    assert live.request_reads == [TG2]
    assert doc["by_pr"][1]["action"] == "warn"  # the max age's notice, before its teardown
    _kept_by_its_request(doc)


def test_a_failed_read_first_is_a_warning_and_the_next_one_is_still_read(
    https: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    gh, stacks, live = https
    gh.add_pr(1, head_sha=SHA, labels=env(timedelta(hours=25)))
    _second_pr_requested(gh, stacks, live)
    read = live.last_request

    def denied_for_pr1(
        target_group: str, now: datetime, window: timedelta = timedelta(hours=1)
    ) -> datetime | None:
        if target_group == TG1:
            raise ShowtimeError("GetMetricData failed: AccessDenied")
        return read(target_group, now, window)

    monkeypatch.setattr(live, "last_request", denied_for_pr1)
    doc = run_cleanup(capsys, "--dry-run")
    assert doc["warnings"] == ["PR #1: GetMetricData failed: AccessDenied"]
    assert doc["by_pr"][1]["action"] == "warn"  # no signal: treated as idle
    _kept_by_its_request(doc)
