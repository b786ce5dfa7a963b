"""``drift --all`` on the real Pulumi engine (issue 27): every stack checked, exit 3 when any
one drifted, naming only that one; nothing written (``file://`` backend, the test program's
stand-in resources)."""

from __future__ import annotations

import json

import pytest

from tests.adapters.stacks.engine_support import SHA, World, last_line, requires_engine

pytestmark = [pytest.mark.engine, requires_engine]

OTHER = "def5678" + "0" * 33


def up(world: World, pr: str, sha: str) -> None:
    run = world.cli("up", pr, "--sha", sha, "--requester", "octocat", "--ttl", "24h")
    assert run.returncode == 0, run.stderr


def test_drift_all_checks_every_stack_and_exits_3_when_one_drifted(world: World) -> None:
    up(world, "1234", SHA)
    up(world, "77", OTHER)
    clean = world.cli("drift", "--all")
    assert (clean.returncode, sorted(clean.stdout.splitlines())) == (
        0,
        ["pr-1234-abc1234: no drift", "pr-77-def5678: no drift"],
    )
    world.change_outside_pulumi("pr-77-def5678-service.json", size="large")
    found = world.cli("drift", "--all")
    assert found.returncode == 3, found.stderr
    assert sorted(found.stdout.splitlines()) == [
        "pr-1234-abc1234: no drift",
        "pr-77-def5678: update pulumi-python:dynamic/showtime:FakeService service (size): "
        "changed outside Pulumi",
    ]
    assert last_line(found.stderr).endswith("drift found in 1 stack(s): see the lines above")
    doc = json.loads(world.cli("drift", "--all", "--json").stdout)
    assert {s["stack"]: s["drifted"] for s in doc["stacks"]} == {
        "pr-1234-abc1234": False,
        "pr-77-def5678": True,
    }
    assert world.objects()["pr-77-def5678-service.json"]["size"] == "large"  # drift only looks
    both = world.cli("drift", "77", "--all")
    assert both.returncode == 2
    assert (
        last_line(both.stderr)
        == "showtime-iac: error: drift 77 --all: give a PR or --all, not both"
    )
