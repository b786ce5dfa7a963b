"""The cleanup gives the slots it freed to the head of the queue: PyGithub over HTTP against
the GitHub test server, the stacks behind FakeStacks (issue 27, item 2)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from showtime_iac.cli import main
from showtime_iac.core import labels as L
from showtime_iac.core.comment import MARKER
from tests.doubles import FakeLive, FakeStacks, against_server, use_doubles
from tests.github_api_server import BOT, GitHubServer

REPOSITORY = "123456789012.dkr.ecr.us-west-2.amazonaws.com/superset-ci"


def sha(n: int) -> str:
    return f"{n:07x}" + "e" * 33


def ago(**kw: float) -> str:
    return L.format_timestamp(datetime.now(UTC) - timedelta(**kw))


def running(n: int, age: timedelta) -> list[str]:
    s = sha(n)[:7]
    created = L.format_timestamp(datetime.now(UTC) - age)
    return [
        f"🎪 {s} 🚦 running",
        f"🎪 🎯 {s}",
        f"🎪 {s} 📅 {created}",
        f"🎪 {s} ⌛ 24h",
        f"🎪 {s} 👤 alice",
    ]


def queued(n: int, since: str) -> list[str]:
    s = sha(n)[:7]
    return [f"🎪 {s} 🚦 queued", f"🎪 {s} 📅 {since}", f"🎪 {s} 👤 maintainer"]


@pytest.fixture
def world(
    ghserver: GitHubServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> tuple[GitHubServer, FakeStacks]:
    """A fleet of two: PR 1 expired (the cleanup frees its slot), PR 2 runs; PR 5's queued
    labels were written by a triage user (first in line by its forged 📅), PR 3 and PR 4 were
    queued by the tool, in that order."""
    stacks = FakeStacks()
    ghserver.collaborators.update({"triager": "triage"})
    ghserver.add_pr(1, head_sha=sha(1), labels=running(1, timedelta(days=3)))
    ghserver.add_pr(2, head_sha=sha(2), labels=running(2, timedelta(hours=1)))
    for n in (1, 2):
        stacks.existing.add(f"pr-{n}-{sha(n)[:7]}")
    ghserver.add_pr(5, head_sha=sha(5), labels=queued(5, ago(days=2)), labels_by="triager")
    ghserver.add_pr(3, head_sha=sha(3), labels=queued(3, ago(hours=2)), labels_by=BOT)
    ghserver.add_pr(4, head_sha=sha(4), labels=queued(4, ago(hours=1)), labels_by=BOT)
    against_server(monkeypatch, ghserver.env(), tmp_path)
    (tmp_path / "showtime.toml").write_text('warn_before = "0s"\nmax_environments = 2\n')
    use_doubles(monkeypatch, stacks, FakeLive())
    return ghserver, stacks


def cleanup(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    capsys.readouterr()
    rc = main(["cleanup", "--json", "--no-orphans", "--no-prune-labels", *args])
    return rc, json.loads(capsys.readouterr().out)


def rows(doc: dict[str, Any], *actions: str) -> list[tuple[int, str, str]]:
    return [(i["pr"], i["action"], i["result"]) for i in doc["items"] if i["action"] in actions]


def test_the_slot_a_teardown_frees_goes_to_the_first_verified_in_line(
    world: tuple[GitHubServer, FakeStacks],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gh, stacks = world
    monkeypatch.setenv("SHOWTIME_IMAGE_REPOSITORY", REPOSITORY)
    rc, doc = cleanup(capsys)
    assert rc == 0
    assert rows(doc, "start", "unqueue") == [
        (5, "unqueue", "left the queue"),
        (3, "start", "started"),
    ]
    s3 = sha(3)[:7]
    assert stacks.ups == [f"pr-3-{s3}"]
    [cfg] = stacks.configs
    assert cfg.image == f"{REPOSITORY}:sti-pr-3-{s3}" and cfg.image_sha == s3
    assert cfg.requester == "maintainer"
    labels = gh.labels_of(3)
    assert f"🎪 {s3} 🚦 running" in labels and f"🎪 🎯 {s3}" in labels
    assert not any("queued" in n for n in labels)
    assert not any(n.startswith("🎪 ") for n in gh.labels_of(5))  # forged: out of the line
    assert f"🎪 {sha(4)[:7]} 🚦 queued" in gh.labels_of(4)  # still waiting: no slot left
    # PR 4 moved up: its status comment says so, and only once
    [sticky] = [c["body"] for c in gh.comments_of(4) if MARKER in c["body"]]
    assert "queued: 1st in line, starts when an environment frees" in sticky
    assert "⏳ queued" in sticky
    gh.reset_log()
    rc, _doc = cleanup(capsys)
    assert rc == 0 and gh.count("PATCH", "/issues/comments/") == 0
    assert gh.count("POST", "/issues/4/comments") == 0


def test_a_dry_run_plans_the_start_and_writes_nothing(
    world: tuple[GitHubServer, FakeStacks],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gh, stacks = world
    monkeypatch.setenv("SHOWTIME_IMAGE_REPOSITORY", REPOSITORY)
    gh.reset_log()
    rc, doc = cleanup(capsys, "--dry-run")
    assert rc == 0
    # PR 1's teardown is only planned, so the fleet is still full: nobody starts
    assert rows(doc, "start", "unqueue") == []
    assert stacks.ups == [] and {r.method for r in gh.requests} == {"GET"}


def test_without_the_image_repository_nothing_starts(
    world: tuple[GitHubServer, FakeStacks],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gh, stacks = world
    monkeypatch.delenv("SHOWTIME_IMAGE_REPOSITORY", raising=False)
    rc, doc = cleanup(capsys)
    assert rc == 0
    [(pr, action, _)] = rows(doc, "start", "keep")[-1:]
    assert (pr, action) == (3, "keep")
    assert stacks.ups == []
    assert f"🎪 {sha(3)[:7]} 🚦 queued" in gh.labels_of(3)


def test_the_started_environments_comment_follows_the_policy_file(
    world: tuple[GitHubServer, FakeStacks],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """The policy's ``idle_action = "sleep"``: the status comment of the environment the queue
    started says it sleeps when idle, not that it goes. (PR 1, past the policy's max age,
    is torn down: a max age is hard, nothing sleeps past it.)"""
    gh, _stacks = world
    monkeypatch.setenv("SHOWTIME_IMAGE_REPOSITORY", REPOSITORY)
    policy = tmp_path / "showtime.toml"
    policy.write_text(policy.read_text() + 'idle_action = "sleep"\nmax_age = "2d"\n')
    rc, doc = cleanup(capsys)
    assert rc == 0, doc
    [sticky] = [c["body"] for c in gh.comments_of(3) if MARKER in c["body"]]
    assert f"`{sha(3)[:7]}` live at" in sticky
    assert "Sleeps at " in sticky and "unless used (scaled to zero, the URL stays" in sticky
