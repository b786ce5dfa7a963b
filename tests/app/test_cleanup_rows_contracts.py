"""The cleanup's rows and its workers (issue 29): a router left without an environment is one
row of its own (every key of the report's row), and `SHOWTIME_CLEANUP_WORKERS` teardowns are
in flight at once."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from showtime_iac.cli import main
from tests.app.test_lifetimes_cleanup import SHA as SHA1
from tests.app.test_lifetimes_cleanup import SHA2, STACK, add_pr2, env, repo, warned
from tests.doubles import FakeStacks, all_at_once
from tests.github_api_server import GitHubServer

__all__ = ["repo"]  # the fixture, used by name


def _cleanup(capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    capsys.readouterr()
    rc = main(["cleanup", "--json", "--no-orphans", "--no-prune-labels"])
    return rc, json.loads(capsys.readouterr().out)


def test_a_router_without_an_environment_is_a_row_of_its_own(
    repo: tuple[GitHubServer, FakeStacks], capsys: pytest.CaptureFixture[str]
) -> None:
    gh, stacks = repo
    gh.add_pr(1, head_sha=SHA1, labels=env(timedelta(hours=2)))
    stacks.routers[77] = "abc1234"  # PR 77 has no environment left
    rc, doc = _cleanup(capsys)
    assert rc == 0, doc
    [row] = [i for i in doc["items"] if i["stacks"] == ["pr-77-router"]]
    assert row == {
        "pr": 77,
        "state": "-",
        "action": "destroy",
        "stacks": ["pr-77-router"],
        "reason": "router stack without an environment",
        "result": "destroyed",
    }


def test_two_workers_tear_two_environments_down_at_once(
    repo: tuple[GitHubServer, FakeStacks],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gh, stacks = repo
    due = env(timedelta(hours=26), warned(timedelta(minutes=1)))
    gh.add_pr(1, head_sha=SHA1, labels=due)
    add_pr2(gh, stacks, due)
    monkeypatch.setenv("SHOWTIME_CLEANUP_WORKERS", "2")
    # passes only with both destroys in flight
    monkeypatch.setattr(stacks, "destroy", all_at_once(stacks.destroy, 2))
    rc, doc = _cleanup(capsys)
    assert rc == 0, doc
    assert sorted(stacks.destroyed) == sorted([STACK, f"pr-2-{SHA2[:7]}"])
