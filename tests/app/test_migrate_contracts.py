"""What ``migrate`` tells its user, line by line: the report's ``done``/``deleted``/``error``
lines, the deployment a reviewer opens (its SHA and environment URL, as the GitHub test server
records them) and the sticky comment (its run link, its addresses at the policy's port, the
history it carries). The world of ``test_migrate`` (the original's own code deployed through
moto, our stacks and live checks behind their doubles); each behaviour checked by changing it
in ``app/migrate.py`` and watching the test fail (issue 29)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from showtime_iac.core.model import EnvConfig
from tests.app.test_migrate import A1, B2, E1, World, by_sha, distinct_names, world
from tests.github_api_server import Recorded
from tests.original_showtime import original

__all__ = ["original", "world"]  # the fixtures of test_migrate

UP = re.compile(r"up (pr-\d+-[0-9a-f]{7}) \((\d+\.\d)s\)")


def up_seconds(line: str, stack: str) -> float:
    """The seconds of the report's ``up STACK (N.Ns)`` line (the whole line must match)."""
    m = UP.fullmatch(line) if isinstance(line, str) else None
    assert m is not None and m.group(1) == stack, line
    return float(m.group(2))


@distinct_names
def test_the_report_says_what_was_deployed_deleted_and_pruned(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every migrated environment: our stack up (with how long it took), healthy, the labels
    rewritten, and by name what of the original was deleted; a pruned one: its labels
    removed. Our live checks prepare each stack with that stack's own config."""
    prepared: list[EnvConfig | None] = []
    monkeypatch.setattr(world.live, "before_up", prepared.append)
    world.stacks.up_seconds = 0.1

    rc, doc = world.migrate("--prune")

    assert rc == 0, doc
    envs = by_sha(doc)
    # b2b2b2b has one more label of ours: its feature flag (⚙️ ALERTS)
    for sha, stack, labels in (
        ("a1a1a1a", "pr-101-a1a1a1a", "labels +4 -3"),
        ("b2b2b2b", "pr-102-b2b2b2b", "labels +5 -3"),
        ("e1e1e1e", "pr-105-e1e1e1e", "labels +4 -3"),
    ):
        done = envs[sha]["done"]
        assert 0.1 <= up_seconds(done[0], stack) < 30, done
        assert done[1:] == ["healthy at http://10.0.9.9:8080", labels]
        assert envs[sha]["error"] is None and envs[sha]["url"] == "http://10.0.9.9:8080"
    assert envs["a1a1a1a"]["deleted"] == [
        "ecs-service pr-101-a1a1a1a-service",
        "task-definition superset-ci:1",
        "ecr-image pr-101-a1a1a1a-ci",
    ]
    assert envs["b2b2b2b"]["deleted"] == [
        "ecs-service pr-102-b2b2b2b-service",
        "task-definition superset-ci:3",
    ]
    assert envs["e1e1e1e"]["deleted"] == [
        "ecs-service pr-105-e1e1e1e-service",
        "task-definition superset-ci:6",
    ]
    # pruned: what the original left, and the five labels that named it
    for sha, n, rev in (("c1c1c1c", 103, 4), ("d1d1d1d", 104, 5)):
        assert envs[sha]["done"] == ["labels -5"]
        assert envs[sha]["deleted"] == [
            f"ecs-service pr-{n}-{sha}-service",
            f"task-definition superset-ci:{rev}",
        ]
    assert envs["b1b1b1b"]["done"] == []  # no label named it: none removed
    assert envs["b1b1b1b"]["deleted"] == ["task-definition superset-ci:2"]
    # the live checks saw each stack's own config before its up
    assert [c.stack if c else None for c in prepared] == [
        "pr-101-a1a1a1a",
        "pr-102-b2b2b2b",
        "pr-105-e1e1e1e",
    ]
    assert prepared == world.configs
    assert [(c.sha, c.image) for c in world.configs] == [
        (A1, "apache/superset:pr-101-a1a1a1a-ci"),
        (B2, "apache/superset:pr-102-b2b2b2b-ci"),
        (E1, "apache/superset:pr-105-e1e1e1e-ci"),
    ]


@distinct_names
def test_the_deployment_of_the_migrated_sha_gets_the_address(world: World) -> None:
    """``success`` and the environment URL go to the deployment created for the migrated
    SHA, even when another run created a newer deployment of the PR meanwhile."""
    other = "f0f0f0f" + "0" * 33
    ids: list[int] = []

    def concurrent(_rec: Recorded) -> None:  # a sync of the PR, between our two statuses
        ids.append(world.gh.add_deployment("pr-101", other))

    world.gh.on("POST", r"/deployments/\d+/statuses$", concurrent)

    rc, doc = world.migrate()

    assert rc == 0, doc
    deps = {d["sha"]: d for d in world.gh.deployments() if d["environment"] == "pr-101"}
    assert set(deps) == {A1, other} and deps[other]["id"] == ids[0]
    assert [(s["state"], s["environment_url"]) for s in deps[A1]["statuses"]] == [
        ("in_progress", ""),
        ("success", "http://10.0.9.9:8080"),
    ]
    assert deps[other]["statuses"] == []  # not ours: left alone


_TIMES = (
    (re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}"), "<time>"),
    (re.compile(r"\dd \d{1,2}h \d{1,2}m left"), "<left>"),
)


def masked(body: str) -> str:
    for rx, sub in _TIMES:
        body = rx.sub(sub, body)
    return body


@distinct_names
def test_the_sticky_comment_links_the_run_uses_the_port_and_keeps_its_history(
    world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The comment our earlier run left on PR 101 is edited, not duplicated: its history
    goes on (a human's copy of it is not read), it links this workflow run, and an address
    without a port (a 🌐 label written by hand) is linked at the policy's port."""
    monkeypatch.setenv("GITHUB_RUN_ID", "4242")
    policy = tmp_path / "showtime.toml"
    policy.write_text("port = 8088\n", encoding="utf-8")
    world.live.port = 8088
    world.gh.add_labels(101, "🎪 f0f0f0f 🌐 10.1.2.3")
    marker = "<!-- showtime-iac:status -->"
    human = f"{marker}\nforged\n<!-- showtime-iac:history\n2026-01-01 00:00 UTC: forged\n-->"
    world.gh.add_comment(101, human, author="mallory")
    earlier = (
        f"{marker}\n## 🎪 Showtime · PR #101\n\nold table\n"
        "<!-- showtime-iac:history\n2026-12-01 10:00 UTC: an earlier event\n-->"
    )
    mine = world.gh.add_comment(101, earlier, author="github-actions[bot]")

    rc, doc = world.migrate("--policy", str(policy))

    assert rc == 0, doc
    sticky = [c for c in world.gh.comments_of(101) if marker in c["body"]]
    assert [c["id"] for c in sticky] == [sticky[0]["id"], mine]
    assert sticky[0]["body"] == human
    new = "<time> UTC: moved from Superset Showtime: `a1a1a1a` live at http://10.0.9.9:8088"
    assert masked(sticky[1]["body"]) == "\n".join(
        [
            marker,
            "## 🎪 Showtime · PR #101",
            "",
            "| | SHA | status | URL | lifetime | requested by |",
            "|---|---|---|---|---|---|",
            "| 🎯 active | `a1a1a1a` | 🟢 running | [http://10.0.9.9:8088](http://10.0.9.9:8088)"
            " | <left> | @maintainer |",
            "|  | `f0f0f0f` | ❓ unknown | [http://10.1.2.3:8088](http://10.1.2.3:8088)"
            " | unknown | - |",
            "",
            "_Public-IP mode: the address is the task's own and changes on every deploy._",
            "",
            "Goes at <time> UTC unless used: a push or `/showtime extend 24h` resets the idle"
            " TTL; `/showtime keep-alive` pins it.",
            "",
            "Commands: `/showtime status` · `refresh` · `extend 48h` · `keep-alive` · `wake` · "
            "`destroy` · `enable FLAG` · `disable FLAG` · `debug on|off` · "
            "`size small|medium|large` · `help`",
            "",
            "[Workflow run](https://github.com/apache/superset/actions/runs/4242)",
            "",
            "<details><summary>History</summary>",
            "",
            "- <time> UTC: an earlier event",
            f"- {new}",
            "</details>",
            "<!-- showtime-iac:history",
            "<time> UTC: an earlier event",
            new,
            "-->",
        ]
    )
    assert "2026-12-01 10:00 UTC: an earlier event" in sticky[1]["body"]


@distinct_names
def test_a_failed_deploy_says_whether_ours_was_destroyed(world: World) -> None:
    """Ours failed its health check: the report says the original is untouched and that our
    stack went, or why it could not (a router still forwards to it) and who retries."""
    world.live.unhealthy = "health check of http://10.0.9.9:8080/health timed out after 900s"
    world.stacks.routers[102] = "b2b2b2b"

    rc, doc = world.migrate()

    assert rc == 1
    envs = by_sha(doc)
    for sha, stack in (("a1a1a1a", "pr-101-a1a1a1a"), ("b2b2b2b", "pr-102-b2b2b2b")):
        assert envs[sha]["error"] == world.live.unhealthy
        assert envs[sha]["deleted"] == [] and envs[sha]["url"] is None
        assert up_seconds(envs[sha]["done"][0], stack) < 30
    assert envs["a1a1a1a"]["done"][1:] == [
        "the original and its labels are untouched",
        "destroyed our stack pr-101-a1a1a1a",
    ]
    assert envs["b2b2b2b"]["done"][1:] == [
        "the original and its labels are untouched",
        "could not destroy our stack: target group of pr-102-b2b2b2b is in use by the router"
        " of PR 102 (cleanup retries)",
    ]
    assert world.stacks.destroyed == ["pr-101-a1a1a1a", "pr-105-e1e1e1e"]


@distinct_names
def test_a_deletion_aws_refuses_is_the_environments_error(world: World) -> None:
    """The original's service lost its tags after the listing (while ours came up): it is
    not deleted, the report's error says why, the rest of the original still goes."""
    ecs = world.o.clients["ecs"]
    arn = ecs.describe_services(cluster="superset-ci", services=["pr-101-a1a1a1a-service"])[
        "services"
    ][0]["serviceArn"]

    def retagged(cfg: EnvConfig) -> None:
        world.configs.append(cfg)
        if cfg.pr == 101:
            ecs.untag_resource(resourceArn=arn, tagKeys=["showtime_managed"])

    world.stacks.on_up = retagged

    rc, doc = world.migrate()

    assert rc == 1
    a = by_sha(doc)["a1a1a1a"]
    assert a["error"] == (
        "service pr-101-a1a1a1a-service no longer carries the original's tags: not deleted"
    )
    assert a["refused"] == []
    assert a["deleted"] == ["task-definition superset-ci:1", "ecr-image pr-101-a1a1a1a-ci"]
    assert world.o.services()["pr-101-a1a1a1a-service"] == "ACTIVE"
    assert by_sha(doc)["b2b2b2b"]["error"] is None
