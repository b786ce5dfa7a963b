"""``showtime-iac cleanup`` over a synthetic repository of 300 PRs in the GitHub test server."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from showtime_iac.cli import main
from showtime_iac.core import labels as L
from tests.doubles import FakeLive, FakeStacks, against_server, use_doubles
from tests.github_api_server import GitHubServer


def sha(n: int) -> str:
    return f"{n:07x}" + "f" * 33


def env_labels(n: int, *, age: timedelta, ttl: str) -> list[str]:
    s = sha(n)[:7]
    created = L.format_timestamp(datetime.now(UTC) - age)
    return [
        f"🎪 {s} 🚦 running",
        f"🎪 🎯 {s}",
        f"🎪 {s} 📅 {created}",
        f"🎪 {s} ⌛ {ttl}",
        f"🎪 {s} 👤 maintainer{n % 7}",
    ]


@pytest.fixture
def repo300(
    ghserver: GitHubServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> tuple[GitHubServer, FakeStacks]:
    """300 open PRs: 100 expired (24h, 3 days old), 60 `close`, 40 `manual` (old), 100 fresh;
    plus 20 closed PRs whose stacks were left behind, and PR 9999 (closed) labelled."""
    stacks = FakeStacks()
    for n in range(1, 301):
        if n <= 100:
            labels = env_labels(n, age=timedelta(days=3), ttl="24h")
        elif n <= 160:
            labels = env_labels(n, age=timedelta(days=30), ttl="close")
        elif n <= 200:
            labels = env_labels(n, age=timedelta(days=30), ttl="manual")
        else:
            labels = env_labels(n, age=timedelta(hours=2), ttl="24h")
        ghserver.add_pr(n, head_sha=sha(n), labels=[*labels, "bug"])
        stacks.existing.add(f"pr-{n}-{sha(n)[:7]}")
    for n in range(1001, 1021):
        ghserver.add_pr(n, head_sha=sha(n), state="closed")
        stacks.existing.add(f"pr-{n}-{sha(n)[:7]}")
    against_server(monkeypatch, ghserver.env(), tmp_path)
    # the sweep's mechanics, without the lifetimes' warning round and max age (tested apart,
    # in test_lifetimes_cleanup): expired environments go in this run; 30-day `close` stay
    (tmp_path / "showtime.toml").write_text('warn_before = "0s"\nmax_age = "60d"\n')
    use_doubles(monkeypatch, stacks, FakeLive())
    ghserver.reset_log()
    return ghserver, stacks


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    capsys.readouterr()
    rc = main(["cleanup", "--json", "--no-orphans", *args])
    return rc, json.loads(capsys.readouterr().out)


def test_dry_run_lists_what_it_would_destroy_and_writes_nothing(
    repo300: tuple[GitHubServer, FakeStacks], capsys: pytest.CaptureFixture[str]
) -> None:
    gh, stacks = repo300
    before = {n: gh.labels_of(n) for n in (1, 150, 250)}
    rc, doc = run(["--dry-run"], capsys)
    assert rc == 0
    destroy = sorted(i["pr"] for i in doc["items"] if i["action"] == "destroy")
    assert destroy == [*range(1, 101), *range(1001, 1021)]
    assert all(i["result"] == "planned" for i in doc["items"])
    assert {r.method for r in gh.requests} == {"GET"}
    assert {n: gh.labels_of(n) for n in (1, 150, 250)} == before
    assert stacks.destroyed == []
    # 300 open PRs listed in 3 pages, plus one read per closed PR that still has a stack
    assert gh.count("GET", r"/pulls$") == 3
    assert gh.count("GET", r"/pulls/\d+$") == 20


def test_cleanup_destroys_expired_and_closed_keeps_close_manual_and_fresh(
    repo300: tuple[GitHubServer, FakeStacks], capsys: pytest.CaptureFixture[str]
) -> None:
    gh, stacks = repo300
    kept = gh.labels_of(150)
    rc, doc = run(["--no-prune-labels"], capsys)
    assert rc == 0
    gone = {f"pr-{n}-{sha(n)[:7]}" for n in (*range(1, 101), *range(1001, 1021))}
    assert set(stacks.destroyed) == gone
    assert len(stacks.existing) == 200
    assert gh.labels_of(1) == ["bug"]  # every 🎪 label of an expired environment removed
    assert gh.labels_of(150) == kept
    assert f"🎪 {sha(250)[:7]} 🚦 running" in gh.labels_of(250)
    assert f"🎪 {sha(180)[:7]} ⌛ manual" in gh.labels_of(180)
    results = {i["pr"]: i["result"] for i in doc["items"] if i["action"] == "destroy"}
    assert set(results.values()) == {"destroyed"}
    # the next run has nothing left to do
    rc, doc = run(["--no-prune-labels"], capsys)
    assert rc == 0 and not [i for i in doc["items"] if i["action"] == "destroy"]


def test_cleanup_prunes_label_definitions_of_gone_environments(
    repo300: tuple[GitHubServer, FakeStacks], capsys: pytest.CaptureFixture[str]
) -> None:
    gh, _stacks = repo300
    rc, doc = run([], capsys)
    assert rc == 0
    defs = gh.label_definitions()
    assert f"🎪 🎯 {sha(1)[:7]}" not in defs  # PR 1 expired: its definitions went too
    assert f"🎪 🎯 {sha(250)[:7]}" in defs
    assert f"🎪 🎯 {sha(1)[:7]}" in doc["pruned_labels"]


def test_cleanup_table_is_readable_without_a_tty(
    repo300: tuple[GitHubServer, FakeStacks], capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["cleanup", "--dry-run", "--no-orphans"]) == 0
    out = capsys.readouterr().out
    assert "dry run" in out and "1001" in out and "\x1b[" not in out


def test_cleanup_knows_the_router_stacks(
    repo300: tuple[GitHubServer, FakeStacks], capsys: pytest.CaptureFixture[str]
) -> None:
    """A router is never garbage while its PR has an environment, goes with the PR's last
    environment (before it: its rule holds the target group), and one left without any
    environment is destroyed."""
    _gh, stacks = repo300
    stacks.routers.update({250: sha(250)[:7], 1001: sha(1001)[:7], 5000: "abc1234"})
    rc, doc = run(["--dry-run", "--no-prune-labels"], capsys)
    assert rc == 0 and stacks.routers.keys() == {250, 1001, 5000}
    planned = [i for i in doc["items"] if i["stacks"] == ["pr-5000-router"]]
    assert [(i["action"], i["result"]) for i in planned] == [("destroy", "planned")]
    rc, doc = run(["--no-prune-labels"], capsys)
    assert rc == 0, doc
    assert stacks.routers == {250: sha(250)[:7]}  # the fresh PR keeps its address
    gone = f"pr-1001-{sha(1001)[:7]}"
    assert stacks.events.index("unroute 1001") < stacks.events.index(f"destroy {gone}")
    assert "unroute 5000" in stacks.events
    rc, doc = run(["--no-prune-labels"], capsys)
    assert rc == 0 and not any("router" in s for i in doc["items"] for s in i["stacks"])
