"""Contracts of ``showtime_iac.app.environments`` (issue 29): what ``up`` and ``destroy``
print in ``--json`` (keys, rounding, the ``checked`` flag without an engine), which stacks a
``destroy --sha`` picks, that ``destroy`` without ``--dry-run`` needs an engine, that ``up``
of a PR never touches the baseline, and what ``drift --json`` says when nothing drifted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from showtime_iac.app import wiring
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


# ------------------------------------------------- what the commands hand to the stack driver


@pytest.fixture
def opened(engine: FakeEngine, monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """The engine double, opened the way ``wiring.open_stacks`` opens the real one: the
    project is the one ``find_project_dir`` picks for the ``project_dir`` given (``--project-dir``
    wins over $SHOWTIME_PROJECT_DIR), engine output goes to the sink, ``unlock`` reaches the
    driver. Each call is recorded as (project, sink given, unlock)."""
    from showtime_iac.adapters.stacks import PulumiDriver
    from showtime_iac.adapters.stacks.backend import find_project_dir

    calls: list[tuple[Any, ...]] = []

    def fake_open(project_dir: Any, on_output: Any = None, unlock: bool = False) -> PulumiDriver:
        calls.append((find_project_dir(project_dir), on_output is not None, unlock))
        return PulumiDriver(
            engine,
            env={"PULUMI_CONFIG_PASSPHRASE": "x"},
            on_output=on_output,
            unlock=unlock,
            sleep=lambda _s: None,
        )

    monkeypatch.setattr(wiring, "open_stacks", fake_open)
    return calls


def named_project(tmp_path: Path) -> Path:
    other = tmp_path / "named"
    (other / "stacks").mkdir(parents=True)
    (other / "Pulumi.yaml").write_text("name: showtime-iac\nruntime: python\n")
    return other.resolve()


@pytest.mark.parametrize(
    "args",
    [
        ["destroy", "1234", "--dry-run"],
        ["drift", "1234"],
        ["list"],
        ["up", "1234", "--sha", SHA],
    ],
)
def test_commands_open_the_project_named_by_project_dir(
    args: list[str],
    opened: list[tuple[Any, ...]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    other = named_project(tmp_path)
    rc, _, _ = run([*args, "--project-dir", str(other)], capsys)
    assert rc == 0 and [c[0] for c in opened] == [other]


def test_unlock_reaches_destroy_and_up_and_engine_output_streams(
    engine: FakeEngine,
    opened: list[tuple[Any, ...]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    engine.locked_for = 99  # another run's lock that never goes away: only --unlock gets past
    rc, _, err = run(["destroy", "1234", "--sha", "abc1234"], capsys)
    assert rc != 0 and "--unlock" in err and opened[-1][1:] == (True, False)
    rc, out, err = run(["destroy", "1234", "--sha", "abc1234", "--unlock"], capsys)
    assert rc == 0 and out == "destroyed stack pr-1234-abc1234\n" and engine.ops("cancel") >= 1
    assert "cancelled the lock" in err  # the driver's notes reach the operator
    assert opened[-1][1:] == (True, True)
    engine.locked_for = 99
    rc, out, _ = run(["up", "1234", "--sha", SHA, "--unlock"], capsys)
    assert rc == 0 and out.startswith("stack pr-1234-abc1234 is up\n")
    assert opened[-1][1:] == (True, True)


def test_list_reads_the_sizes_from_the_project_named_by_project_dir(
    opened: list[tuple[Any, ...]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    other = named_project(tmp_path)
    (other / "stacks" / "Pulumi.pr-1234-abc1234.yaml").write_text(
        "config:\n  aws:region: us-west-2\n  showtime-iac:pr: '1234'\n  showtime-iac:size: large\n"
    )
    rc, out, _ = run(["list", "--json", "--project-dir", str(other)], capsys)
    by_stack = {d["stack"]: d for d in json.loads(out)["stacks"]}
    assert rc == 0 and by_stack["pr-1234-abc1234"]["size"] == "large"
