"""Contracts of ``showtime_iac.app.environments`` (issue 29): what ``up`` and ``destroy``
print in ``--json`` (keys, rounding, the ``checked`` flag without an engine), which stacks a
``destroy --sha`` picks, that ``destroy`` without ``--dry-run`` needs an engine, that ``up``
of a PR never touches the baseline, and what ``drift --json`` says when nothing drifted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from showtime_iac.app.environments import Deployed, DriftCheck
from tests.cli.test_cli_stacks import SHA, run
from tests.cli.test_cli_stacks import engine as engine
from tests.cli.test_cli_stacks import no_engine as no_engine
from tests.doubles import FakeEngine


def test_deployed_json_has_notes_and_overhead_rounded_to_milliseconds() -> None:
    doc = Deployed("pr-1234-abc1234", {"url": "x"}, ["a note"], 1.23456).to_json()
    assert doc == {
        "stack": "pr-1234-abc1234",
        "outputs": {"url": "x"},
        "notes": ["a note"],
        "overhead_seconds": 1.235,
    }


def test_drift_json_without_reports_is_not_drifted() -> None:
    assert DriftCheck([], []).to_json() == {"drifted": False, "stacks": []}


def test_destroy_dry_run_json_without_engine_is_unchecked(
    no_engine: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    rc, out, _ = run(["destroy", "1234", "--sha", SHA, "--dry-run", "--json"], capsys)
    assert rc == 0
    assert json.loads(out) == {
        "pr": 1234,
        "dry_run": True,
        "stacks": ["pr-1234-abc1234"],
        "checked": False,
    }


def test_destroy_with_sha_without_engine_and_without_dry_run_exits_2(
    no_engine: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    rc, out, err = run(["destroy", "1234", "--sha", SHA], capsys)
    assert rc == 2 and out == "" and "get.pulumi.com" in err


def test_destroy_sha_picks_only_that_stack_of_the_pr(
    engine: FakeEngine,
    capsys: pytest.CaptureFixture[str],
) -> None:
    engine.add("pr-1234-def5678", tags={"showtime:pr": "1234"})
    rc, out, _ = run(["destroy", "1234", "--sha", "abc1234", "--dry-run"], capsys)
    assert rc == 0 and out == "would destroy stack pr-1234-abc1234\n"
    rc, out, _ = run(["destroy", "1234", "--sha", "def5678", "--dry-run", "--json"], capsys)
    assert rc == 0
    assert json.loads(out) == {"pr": 1234, "dry_run": True, "stacks": ["pr-1234-def5678"]}


def test_destroy_of_a_missing_sha_names_that_stack(
    engine: FakeEngine,
    capsys: pytest.CaptureFixture[str],
) -> None:
    rc, out, _ = run(["destroy", "1234", "--sha", "fff0000", "--dry-run"], capsys)
    assert rc == 0 and out == "would destroy stack pr-1234-fff0000\n"


def test_destroy_of_a_pr_without_stacks_says_so(
    engine: FakeEngine,
    capsys: pytest.CaptureFixture[str],
) -> None:
    rc, out, _ = run(["destroy", "999", "--dry-run"], capsys)
    assert rc == 0 and out == "PR #999 has no stacks\n"
    rc, out, _ = run(["destroy", "999", "--dry-run", "--json"], capsys)
    assert json.loads(out) == {"pr": 999, "dry_run": True, "stacks": []}


def test_up_of_a_pr_leaves_the_baseline_alone(
    engine: FakeEngine,
    capsys: pytest.CaptureFixture[str],
) -> None:
    engine.add("pr-0-1111111", tags={"showtime:pr": "0"})
    rc, _, err = run(["up", "1234", "--sha", SHA], capsys)
    assert rc == 0 and "previous baseline" not in err
    assert "pr-0-1111111" in engine.stacks and engine.ops("destroy") == 0
