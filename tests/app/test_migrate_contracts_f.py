"""``migrate``'s report as a whole and the paths its other tests do not take: the dry run's
whole report (flags, repo, cluster, summary, warnings) and the reads it makes (the commits of a
PR only when one of its SHAs is not the head), the options reaching the ports, a missing engine
stopping the run before anything is written (only when something is to be migrated), a PR
closed while ours came up, and an unexpected error of the deploy. The world of
``test_migrate`` (issue 29)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from showtime_iac.app import wiring
from showtime_iac.cli import main
from showtime_iac.core.model import EnvConfig, ShowtimeError
from tests.app.test_migrate import World, by_sha, distinct_names, world
from tests.original_showtime import original

__all__ = ["original", "world"]  # the fixtures of test_migrate


def _commit_reads(world: World) -> list[int]:
    """The PRs whose commits were listed, in order (one entry per PR)."""
    out: list[int] = []
    for r in world.gh.requests:
        m = re.search(r"/pulls/(\d+)/commits", r.path)
        if r.method == "GET" and m and int(m.group(1)) not in out:
            out.append(int(m.group(1)))
    return out


@distinct_names
def test_the_dry_run_report_names_its_flags_repo_cluster_summary_and_warnings(
    world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A PR the original has resources for that GitHub does not know, and our stacks that
    cannot be listed, are warnings; the rest is decided as usual. The repository and the
    policy given reach the ports; only PRs with a SHA that is not their head (102: b1b1b1b,
    104: d1d1d1d, 105: e1e1e1e) have their commits read, never the closed one's (103)."""
    policy = tmp_path / "conf" / "policy.toml"  # not ./showtime.toml: only --policy names it
    policy.parent.mkdir()
    policy.write_text("port = 8088\n", encoding="utf-8")
    opened: list[tuple[str | None, int | None]] = []
    doubled = wiring.open_ports

    def open_ports(settings: Any, *, repo: str | None = None, policy: Any = None) -> Any:
        opened.append((repo, None if policy is None else policy.port))
        return doubled(settings, repo=repo, policy=policy)

    monkeypatch.setattr(wiring, "open_ports", open_ports)

    def unlisted() -> list[str]:
        raise ShowtimeError("the backend is unreachable")

    monkeypatch.setattr(world.stacks, "list_stacks", unlisted)
    world.gh.fail("GET", r"/pulls/103$", 404)  # the original's PR 103 is gone from GitHub
    world.gh.reset_log()

    rc, doc = world.migrate(
        "--dry-run", "--prune", "--repo", "apache/superset", "--policy", str(policy)
    )

    assert rc == 0, doc
    assert {k: v for k, v in doc.items() if k != "environments"} == {
        "dry_run": True,
        "prune": True,
        "repo": "apache/superset",
        "cluster": "superset-ci",
        "summary": {"migrate": 3, "prune": 2, "leave": 0},
        "warnings": [
            "our stacks could not be listed (the backend is unreachable): none assumed",
            "PR #103 not found in apache/superset: its resources are left alone",
        ],
    }
    assert {s: e["action"] for s, e in by_sha(doc).items()} == {
        "a1a1a1a": "migrate",
        "b1b1b1b": "prune",
        "b2b2b2b": "migrate",
        "d1d1d1d": "prune",
        "e1e1e1e": "migrate",
    }
    assert opened == [("apache/superset", 8088)]
    assert _commit_reads(world) == [102, 104, 105]


@distinct_names
def test_a_missing_engine_stops_a_migration_but_not_a_prune(world: World) -> None:
    """No engine: nothing is written when an environment is to be migrated (ours could not
    come up); a run that only prunes the original (its PRs closed) needs none and goes on."""
    world.stacks.missing = ShowtimeError("no pulumi CLI found: install it")
    world.gh.reset_log()
    world.capsys.readouterr()

    assert main(["migrate", "--json", "--prune"]) != 0

    assert world.capsys.readouterr().out == ""
    assert world.stacks.ups == [] and world.stacks.destroyed == []
    assert {r.method for r in world.gh.requests} == {"GET"}
    assert len(world.o.services()) == 5

    for n in (101, 102, 105):
        world.gh.set_state(n, "closed")
    rc, doc = world.migrate("--prune")

    assert rc == 0, doc
    assert doc["summary"] == {"migrate": 0, "prune": 6, "leave": 0}
    assert world.o.services() == {}
    assert world.stacks.ups == []


@distinct_names
def test_a_pr_closed_meanwhile_or_an_unexpected_error_discards_ours(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PR 101's deploy fails with an error that is not one of ours: the report names its
    type. PR 102 is closed while ours comes up: ours is destroyed, the original is left for a
    prune. Our address is read with each stack's own config and outputs."""
    addressed: list[tuple[str, Mapping[str, Any]]] = []

    def address(cfg: EnvConfig, outputs: Mapping[str, Any]) -> str:
        addressed.append((cfg.stack, dict(outputs)))
        return "10.0.9.9:8080"

    monkeypatch.setattr(world.live, "address", address)

    def on_up(cfg: EnvConfig) -> None:
        world.configs.append(cfg)
        if cfg.pr == 101:
            raise RuntimeError("the engine crashed")
        if cfg.pr == 102:
            world.gh.set_state(102, "closed")

    world.stacks.on_up = on_up
    labels_102 = world.gh.labels_of(102)

    rc, doc = world.migrate()

    assert rc == 1
    envs = by_sha(doc)
    a = envs["a1a1a1a"]
    assert (a["error"], a["done"], a["deleted"], a["url"]) == (
        "RuntimeError: the engine crashed",
        ["the original and its labels are untouched", "destroyed our stack pr-101-a1a1a1a"],
        [],
        None,
    )
    b = envs["b2b2b2b"]
    assert b["error"] == "PR #102 closed during the migration: ours destroyed, prune the rest"
    assert b["done"][1:] == [
        "healthy at http://10.0.9.9:8080",
        "destroyed our stack pr-102-b2b2b2b",
    ]
    assert (b["deleted"], b["url"]) == ([], None)
    assert world.gh.labels_of(102) == labels_102
    assert world.o.services()["pr-102-b2b2b2b-service"] == "ACTIVE"
    assert envs["e1e1e1e"]["error"] is None
    assert addressed == [
        (
            "pr-102-b2b2b2b",
            {
                "service_name": "pr-102-b2b2b2b",
                "cluster": "superset-ci",
                "image": "apache/superset:pr-102-b2b2b2b-ci",
            },
        ),
        (
            "pr-105-e1e1e1e",
            {
                "service_name": "pr-105-e1e1e1e",
                "cluster": "superset-ci",
                "image": "apache/superset:pr-105-e1e1e1e-ci",
            },
        ),
    ]
