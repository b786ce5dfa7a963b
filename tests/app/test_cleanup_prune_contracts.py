"""The label prune after a cleanup's teardowns: a definition is deleted only when no open PR
still uses it, and a PR whose teardown failed still uses its labels (deleting a definition
takes the label off every PR: its state would be lost). GitHub test server, stack double;
each behaviour checked by changing it and watching the test fail (issue 29)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from showtime_iac.cli import main
from tests.app.test_cleanup_github import env_labels, sha
from tests.app.test_queue_cleanup import REPOSITORY, world
from tests.doubles import FakeLive, FakeStacks, against_server, use_doubles
from tests.github_api_server import GitHubServer

__all__ = ["world"]  # the queue's fixture, shared with test_queue_cleanup


class FailingDestroy(FakeStacks):
    def destroy(self, pr: int, sha: str) -> None:
        raise RuntimeError("engine exited 255")


def run(
    ghserver: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    stacks: FakeStacks,
    *args: str,
) -> tuple[int, dict[str, Any]]:
    """PR 1 expired (its teardown is due), PR 2 fresh."""
    ghserver.add_pr(1, head_sha=sha(1), labels=env_labels(1, age=timedelta(days=3), ttl="24h"))
    ghserver.add_pr(2, head_sha=sha(2), labels=env_labels(2, age=timedelta(hours=1), ttl="24h"))
    stacks.existing |= {f"pr-1-{sha(1)[:7]}", f"pr-2-{sha(2)[:7]}"}
    against_server(monkeypatch, ghserver.env(), tmp_path)
    (tmp_path / "showtime.toml").write_text('warn_before = "0s"\nmax_age = "60d"\n')
    use_doubles(monkeypatch, stacks, FakeLive())
    capsys.readouterr()
    rc = main(["cleanup", "--json", "--no-orphans", *args])
    return rc, json.loads(capsys.readouterr().out)


def test_a_failed_teardown_keeps_the_labels_it_wrote_and_their_definitions(
    ghserver: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The teardown marked PR 1 ``destroying`` (a fresh 📅 with it), then failed: those
    labels stay on the PR with their definitions; only the ones the mark replaced go."""
    [created] = [n for n in env_labels(1, age=timedelta(days=3), ttl="24h") if " 📅 " in n]
    rc, doc = run(ghserver, monkeypatch, tmp_path, capsys, FailingDestroy())
    assert rc == 1
    after = ghserver.labels_of(1)
    assert "🎪 0000001 🚦 destroying" in after and len(after) == 4
    defs = ghserver.label_definitions()
    assert [n for n in after if n not in defs] == []
    assert sorted(doc["pruned_labels"]) == sorted(
        ["🎪 0000001 🚦 running", "🎪 🎯 0000001", created]
    )


def test_a_prune_that_cannot_list_the_definitions_is_a_warning(
    ghserver: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ghserver.fail("GET", r"/repos/[^/]+/[^/]+/labels(\?|$)", 404, times=20)
    rc, doc = run(ghserver, monkeypatch, tmp_path, capsys, FakeStacks())
    assert rc == 0  # the teardown is done; the prune waits for the next run
    assert doc["pruned_labels"] == []
    assert (
        "label prune skipped: GitHub failed to list the repository's labels (404: scripted)"
        in (doc["warnings"])
    )


def test_a_queued_start_keeps_the_labels_it_wrote(
    world: tuple[GitHubServer, FakeStacks],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """PR 3 starts from the queue in this run: its 🚦 running and 🎯 are newer than the
    cleanup's first read, and the prune after must not take them off."""
    gh, _stacks = world
    monkeypatch.setenv("SHOWTIME_IMAGE_REPOSITORY", REPOSITORY)
    capsys.readouterr()
    assert main(["cleanup", "--json", "--no-orphans"]) == 0
    doc = json.loads(capsys.readouterr().out)
    labels = gh.labels_of(3)
    assert "🎪 0000003 🚦 running" in labels and "🎪 🎯 0000003" in labels
    defs = gh.label_definitions()
    assert [n for n in labels if n not in defs] == []
    assert "🎪 0000003 🚦 running" not in doc["pruned_labels"]


def test_a_dry_run_previews_the_prune_of_the_labels_its_teardowns_would_free(
    ghserver: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """PR 1's teardown would take its labels off, so the preview lists their definitions;
    PR 2's environment stays and so do its. Nothing is deleted."""
    stacks = FakeStacks()
    rc, doc = run(ghserver, monkeypatch, tmp_path, capsys, stacks, "--dry-run")
    assert rc == 0
    # the labels as the server holds them (the dry run changed none)
    labels = ghserver.labels_of(1)
    assert len(labels) == 5 and all("0000001" in n for n in labels)  # status, 🎯, 📅, ⌛, 👤
    assert sorted(doc["pruned_labels"]) == sorted(labels)
    assert stacks.destroyed == []
    assert sorted(ghserver.label_definitions()) == sorted(
        ghserver.labels_of(1) + ghserver.labels_of(2)
    )


def test_an_expiry_while_a_newer_push_prepares_its_stack_still_takes_the_router_first(
    ghserver: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """PR 1 expired while a push's build prepares its next stack: the teardown takes every
    stack of the PR, that one too, and the router first (AWS will not delete a target group a
    listener rule still forwards to: the teardown would fail on every run)."""
    stacks = FakeStacks()
    prepared = "pr-1-0a1b2c3"
    stacks.existing.add(prepared)
    stacks.tags[prepared] = {
        "showtime:prepared-at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "showtime:prepared-by": "run:42",
    }
    stacks.routers[1] = sha(1)[:7]
    rc, doc = run(ghserver, monkeypatch, tmp_path, capsys, stacks)
    assert rc == 0, doc
    assert stacks.events[0] == "unroute 1"
    assert sorted(stacks.events[1:]) == [f"destroy pr-1-{sha(1)[:7]}", f"destroy {prepared}"]
    assert stacks.routers == {}
    assert stacks.existing == {f"pr-2-{sha(2)[:7]}"}
