"""What a sleep leaves behind, pinned whole: the audit line the cleanup reports, the asleep
page's route, the deployment marked inactive, and the status comment's line. The real CLI over
PyGithub against the GitHub test server; each behaviour was checked by changing it and watching
the test fail (issue 29)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from showtime_iac.cli import main
from tests.app.test_sleep_wake import HEAD, PR, S7, STACK, show, sticky, warned, world
from tests.doubles import FakeLive, FakeStacks
from tests.github_api_server import GitHubServer

__all__ = ["world"]  # the fixture these tests share with test_sleep_wake

World = tuple[GitHubServer, FakeStacks, FakeLive, Path]
TG = f"arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/sti-{STACK}/0123456789abcdef"


def due(gh: GitHubServer) -> None:
    gh.add_pr(
        PR, head_sha=HEAD, labels=show("running", timedelta(hours=26), warned(timedelta(minutes=1)))
    )


def run_cleanup(capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    capsys.readouterr()
    rc = main(["cleanup", "--json", "--no-orphans", "--no-prune-labels"])
    return rc, json.loads(capsys.readouterr().out)


def audit(doc: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (a["actor"], a["pr"], a["sha"], a["action"], a["result"], a["reason"]) for a in doc["audit"]
    ]


def history(body: str) -> list[str]:
    block = body.split("<!-- showtime-iac:history\n")[1].split("\n-->")[0]
    return [line.split(" UTC: ", 1)[1] for line in block.splitlines()]


def test_a_sleep_is_audited_routed_to_the_asleep_page_and_its_deployment_made_inactive(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    gh, stacks, _live, _tmp = world
    stacks.domain, stacks.routers[PR] = "preview.example.org", S7
    gh.add_deployment(f"pr-{PR}", HEAD, "in_progress", "success")
    due(gh)
    rc, doc = run_cleanup(capsys)
    assert rc == 0
    why = "idle TTL 24h expired: asleep"
    assert audit(doc) == [("showtime-cleanup", PR, S7, "sleep", "ok", why)]
    # the PR's host shows the asleep page, through the target group the stack's up named
    assert stacks.route_calls == [(PR, S7, TG, "apache/superset", True)]
    [dep] = gh.deployments()
    assert [s["state"] for s in dep["statuses"]] == ["in_progress", "success", "inactive"]
    assert history(sticky(gh)) == [f"`{S7}` asleep: {why}"]


def test_an_asleep_page_that_cannot_be_set_does_not_stop_the_sleep(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    gh, stacks, _live, _tmp = world
    stacks.domain, stacks.routers[PR] = "preview.example.org", S7
    stacks.fail_route = "the router stack is locked"
    due(gh)
    rc, doc = run_cleanup(capsys)
    assert rc == 0
    assert [(i["action"], i["result"]) for i in doc["items"]] == [("sleep", "asleep")]
    assert f"🎪 {S7} 🚦 sleeping" in gh.labels_of(PR)


def test_a_failed_sleep_is_audited_with_its_stack_and_error(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    gh, stacks, _live, _tmp = world
    stacks.fail_up = "ECS UpdateService: throttled"
    due(gh)
    rc, doc = run_cleanup(capsys)
    assert rc == 1
    assert audit(doc) == [
        ("showtime-cleanup", PR, S7, "sleep", "failed", f"{STACK}: ECS UpdateService: throttled")
    ]
    assert gh.deployments() == [] and gh.comments_of(PR) == []
