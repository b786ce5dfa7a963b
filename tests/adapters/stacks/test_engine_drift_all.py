"""``drift --all`` on the real Pulumi engine (issue 27): every stack checked, exit 3 when any
one drifted, naming only that one; nothing written (``file://`` backend, the test program's
stand-in resources)."""

from __future__ import annotations

import json
from typing import Any

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


class StatusComments:
    """The two GitHub calls the drift mark makes, on each PR's one status comment."""

    def __init__(self, *prs: int) -> None:
        self.bodies = {pr: "<!-- showtime-iac:status -->\n🎪 running\n" for pr in prs}

    def status_comment_body(self, number: int) -> str | None:
        return self.bodies.get(number)

    def upsert_status_comment(self, number: int, body: str) -> int:
        self.bodies[number] = body
        return number


def test_the_cleanups_drift_check_on_the_engine_two_at_a_time(world: World) -> None:
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from showtime_iac.app.drift_check import check_drift

    up(world, "1234", SHA)
    up(world, "77", OTHER)
    world.change_outside_pulumi("pr-77-def5678-service.json", size="large")
    github = StatusComments(1234, 77)
    ports: Any = SimpleNamespace(github=github, stacks=world.driver(), live=None)
    rows = check_drift(ports, [(1234, "abc1234"), (77, "def5678")], datetime.now(UTC), False, 2)
    assert [(r["stack"], r["drifted"], r["error"], r["marked"]) for r in rows] == [
        ("pr-1234-abc1234", False, None, ""),
        ("pr-77-def5678", True, None, "noted on the PR"),
    ]
    assert rows[1]["resources"] == [
        "pr-77-def5678: update pulumi-python:dynamic/showtime:FakeService service (size): "
        "changed outside Pulumi"
    ]
    assert "**Drift** on `pr-77-def5678`" in github.bodies[77]
    assert "Drift" not in github.bodies[1234]
    assert world.objects()["pr-77-def5678-service.json"]["size"] == "large"  # nothing written
