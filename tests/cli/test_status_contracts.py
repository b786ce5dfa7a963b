"""Contracts of ``status PR`` (issue 29): the stacks and their sizes are read from the project
``--project-dir`` names, its document says whether live data is available and in which
currency the costs are, with or without stacks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from showtime_iac.adapters.stacks import PulumiDriver
from showtime_iac.adapters.stacks.backend import find_project_dir
from showtime_iac.app import wiring
from tests.cli.test_cli_stacks import engine, no_live, prices, run  # noqa: F401  (fixtures)
from tests.doubles import FakeEngine


def test_a_pr_without_stacks_has_live_data_available_and_costs_in_usd(
    engine: FakeEngine,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    no_live(monkeypatch)  # no stacks: AWS is not asked, and nothing says it was skipped
    rc, out, err = run(["status", "5", "--json"], capsys)
    assert (rc, err) == (0, "")
    assert json.loads(out) == {
        "pr": 5,
        "live": {"available": True, "reason": None},
        "stacks": [],
        "total_hourly_cost": 0,
        "currency": "USD",
    }


def test_status_opens_and_sizes_from_the_project_named_by_project_dir(
    engine: FakeEngine,  # noqa: F811
    prices: None,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """$SHOWTIME_PROJECT_DIR names the fixture's project (no stack file there: the size would
    be the policy's default, assumed); ``--project-dir`` wins, and its stack file says large."""
    opened: list[Path] = []

    def fake_open(project_dir: Any, on_output: Any = None, unlock: bool = False) -> PulumiDriver:
        opened.append(find_project_dir(project_dir))
        return PulumiDriver(engine, env={"PULUMI_CONFIG_PASSPHRASE": "x"}, sleep=lambda _s: None)

    monkeypatch.setattr(wiring, "open_stacks", fake_open)
    other = (tmp_path / "named").resolve()
    (other / "stacks").mkdir(parents=True)
    (other / "Pulumi.yaml").write_text("name: showtime-iac\nruntime: python\n")
    (other / "stacks" / "Pulumi.pr-1234-abc1234.yaml").write_text(
        "config:\n  aws:region: us-west-2\n  showtime-iac:pr: '1234'\n  showtime-iac:size: large\n"
    )
    rc, out, _ = run(["status", "1234", "--no-live", "--json", "--project-dir", str(other)], capsys)
    doc = json.loads(out)
    assert rc == 0 and opened == [other]
    [stack] = doc["stacks"]
    assert (stack["stack"], stack["size"], stack["size_assumed"]) == (
        "pr-1234-abc1234",
        "large",
        False,
    )
    assert (stack["hourly_cost"], doc["total_hourly_cost"], doc["currency"]) == (
        0.241,
        0.241,
        "USD",
    )
    assert doc["live"] == {"available": False, "reason": "skipped (--no-live)"}
