"""Every deploy reports its own phase timings: in the status comment ("ready in ..."), the job
summary and the audit line, from the run's start when the workflow passes its earlier moments.

``sync`` against the GitHub test server (PyGithub over real HTTP), with the stack and live
doubles moving an injected clock by a known amount in each phase, so every figure is exact.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from showtime_iac.app.sync import SyncResult, sync
from showtime_iac.cli import main
from showtime_iac.core import labels as L
from showtime_iac.core.model import EnvConfig
from tests.app.test_sync import PR, status_comments
from tests.doubles import FakeLive, FakeStacks, use_doubles
from tests.github_api_server import GitHubServer
from tests.payloads import HEAD, pull_request

T0 = datetime(2026, 1, 15, 14, 30, tzinfo=UTC)  # the run began (its plan job's first step)
RUN = {  # what the workflow passes: its plan job's end, its image in the registry
    "SHOWTIME_STARTED_AT": "2026-01-15T14:30:00Z",
    "SHOWTIME_PLANNED_AT": "2026-01-15T14:31:02Z",  # plan 62 s
    "SHOWTIME_IMAGE_AT": "2026-01-15T14:34:02Z",  # image 180 s
}
SYNC_START = T0 + timedelta(seconds=300)  # the sync job's runner and install: 58 s


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def tick(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class TimedStacks(FakeStacks):
    clock: Any = None

    def up(self, cfg: EnvConfig) -> Any:
        self.clock.tick(48)
        return super().up(cfg)

    def route(self, pr: int, sha: str, target_group_arn: str, *a: Any, **kw: Any) -> Any:
        self.clock.tick(8)
        return super().route(pr, sha, target_group_arn, *a, **kw)


@dataclass
class TimedLive(FakeLive):
    clock: Any = None
    health_seconds: float = 12

    def address(self, cfg: EnvConfig, outputs: Any) -> str:
        self.clock.tick(20)
        return super().address(cfg, outputs)

    def wait_healthy(self, url: str) -> float:
        self.clock.tick(self.health_seconds)
        return super().wait_healthy(url)

    def wait_target_healthy(self, target_group_arn: str) -> float:
        self.clock.tick(self.health_seconds)
        return super().wait_target_healthy(target_group_arn)


@dataclass
class World:
    gh: GitHubServer
    stacks: TimedStacks
    live: TimedLive
    clock: Clock
    tmp_path: Path

    def sync(self, labels: list[str]) -> SyncResult:
        """The app's ``sync`` of a start request, measured with the world's clock."""
        path = self.tmp_path / "event.json"
        path.write_text(json.dumps(pull_request("labeled", labels, label=L.START)), "utf-8")
        return sync(
            PR,
            event_path=path,
            event_name="pull_request_target",
            repo=None,
            policy_file=None,
            dry_run=False,
            clock=self.clock,
        )

    def summary(self) -> str:
        return (self.tmp_path / "summary.md").read_text(encoding="utf-8")


@pytest.fixture
def world(
    gh: GitHubServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> World:  # gh: tests/app/conftest.py
    for var in RUN:
        monkeypatch.delenv(var, raising=False)
    clock = Clock(SYNC_START)
    stacks, live = TimedStacks(clock=clock), TimedLive(clock=clock)
    use_doubles(monkeypatch, stacks, live)
    gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    return World(gh, stacks, live, clock, tmp_path)


def test_a_start_reports_every_phase_from_the_runs_start(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var, value in RUN.items():
        monkeypatch.setenv(var, value)
    result = world.sync([L.START])
    assert result.exit_code == 0
    phases = (
        "plan 1 min 2 s · image 3 min · sync setup 58 s · claim 0 s · up 48 s · "
        "task running 20 s · healthy 12 s"
    )
    # the status comment: the headline, each phase, and the history line
    [body] = status_comments(world.gh)
    assert f"⏱️ Ready in 6 min 20 s: {phases}" in body
    assert "live at http://10.0.0.5:8080 (ready in 6 min 20 s)" in body
    # one clock for the whole run: the plan's 📅 and lifetimes too, so the comment is exact
    assert "23h 58m left · max 2026-01-22 14:35" in body
    # the job summary: a table of the phases
    summary = world.summary()
    for row in ("| plan | 1 min 2 s |", "| up | 48 s |", "| task running | 20 s |"):
        assert row in summary
    assert "| **ready in 6 min 20 s** | **6 min 20 s** |" in summary
    # the audit log: the deploy's last line carries them, as --json does
    assert result.outcome is not None
    last = json.loads(result.outcome.audit[-1])
    assert (last["action"], last["result"]) == ("start", "ok")
    assert last["timings"] == {
        "started_at": "2026-01-15T14:30:00Z",
        "phases": {
            "plan": 62.0,
            "image": 180.0,
            "sync setup": 58.0,
            "claim": 0.0,
            "up": 48.0,
            "task running": 20.0,
            "healthy": 12.0,
        },
        "total_seconds": 380.0,
        "result": "ready",
    }
    assert result.to_json()["outcome"]["timings"] == last["timings"]
    assert f"    {result.outcome.audit[-1]}" in summary


def test_in_https_mode_the_router_is_a_phase_and_without_the_workflows_the_sync_starts_it(
    world: World,
) -> None:
    world.stacks.domain = "preview.example.org"
    result = world.sync([L.START])
    assert result.exit_code == 0
    [body] = status_comments(world.gh)
    assert "⏱️ Ready in 1 min 8 s: claim 0 s · up 48 s · healthy 12 s · router 8 s" in body
    assert "task running" not in body  # the target group's health is the task's


def test_a_failed_deploy_reports_how_long_it_tried_and_where_it_stopped(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOWTIME_STARTED_AT", RUN["SHOWTIME_STARTED_AT"])
    world.live.unhealthy = "http://10.0.0.5:8080/health not healthy after 900s"
    world.live.health_seconds = 900
    result = world.sync([L.START])
    assert result.exit_code == 1
    [body] = status_comments(world.gh)
    assert (
        "⏱️ Failed after 21 min 8 s (healthy): sync setup 5 min · claim 0 s · up 48 s · "
        "task running 20 s · healthy 15 min" in body
    )
    assert "| **failed after 21 min 8 s (healthy)** | **21 min 8 s** |" in world.summary()
    assert result.outcome is not None
    assert json.loads(result.outcome.audit[-1])["timings"]["result"] == "failed"


def test_a_moment_from_another_attempt_is_ignored_and_said_so(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A re-run of failed jobs reuses the plan job's outputs of the first attempt."""
    monkeypatch.setenv("SHOWTIME_STARTED_AT", "2026-01-13T09:00:00Z")  # two days before
    monkeypatch.setenv("SHOWTIME_IMAGE_AT", RUN["SHOWTIME_IMAGE_AT"])
    result = world.sync([L.START])
    assert result.outcome is not None and result.exit_code == 0
    assert (
        "timings: started-at ignored (not this run's: after the sync started, or over 6 h before)"
    ) in result.outcome.actions
    [body] = status_comments(world.gh)
    assert "⏱️ Ready in 2 min 18 s: sync setup 58 s · claim 0 s · up 48 s" in body


# --------------------------------------------------------------------------- the CLI


def test_the_cli_takes_the_runs_start_as_an_option(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    started = (datetime.now(UTC) - timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    path = world.tmp_path / "event.json"
    path.write_text(json.dumps(pull_request("labeled", [L.START], label=L.START)), "utf-8")
    args = ["sync", str(PR), "--event", str(path), "--event-name", "pull_request_target"]
    capsys.readouterr()
    assert main([*args, "--started-at", started, "--json"]) == 0
    timings = json.loads(capsys.readouterr().out)["outcome"]["timings"]
    assert timings["started_at"] == started and timings["result"] == "ready"
    assert list(timings["phases"]) == ["sync setup", "claim", "up", "task running", "healthy"]
    assert timings["total_seconds"] >= 600


def test_a_malformed_moment_is_refused_before_any_request(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SHOWTIME_PLANNED_AT", "after lunch")
    assert main(["sync", str(PR)]) == 2
    err = capsys.readouterr().err
    assert "SHOWTIME_PLANNED_AT 'after lunch' is not an ISO 8601 time" in err
    assert "Traceback" not in err
    assert world.gh.requests == []
    assert main(["sync", str(PR), "--planned-at", "soon"]) == 2
    assert "--planned-at 'soon' is not an ISO 8601 time" in capsys.readouterr().err


def test_each_run_appends_its_summary_then_its_audit_lines_to_the_step_summary(
    world: World, monkeypatch: pytest.MonkeyPatch, ascii_locale: None
) -> None:
    """In UTF-8 whatever the runner's locale (the summary holds 🎪 and ⏱️), one audit line
    per row, indented as a code block, after the run's summary table; a second run appends."""
    first = world.sync([L.START])
    assert first.outcome is not None
    once = world.summary()
    assert once.endswith("\n")
    tail = ["    " + line for line in first.outcome.audit]
    assert once.split("\n")[-1 - len(tail) : -1] == tail
    lines = once.split("\n")
    assert lines[0] == f"### 🎪 showtime-iac · PR #{PR} · start"
    assert lines[-2 - len(tail)] == ""  # a blank line after the table starts the code block
    assert lines[-3 - len(tail)] == "| **ready in 1 min 20 s** | **1 min 20 s** |"
    world.sync([])
    assert world.summary().startswith(once) and len(world.summary()) > len(once)
