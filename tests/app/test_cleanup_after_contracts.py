"""What the cleanup does after its teardowns (issue 29): a router that cannot be destroyed is
a failed row; the drift check skips an environment it just put to sleep (it no longer serves)
and runs `SHOWTIME_CLEANUP_WORKERS` checks at once; a dry run marks no claim stale."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from showtime_iac.cli import main
from showtime_iac.core.model import ShowtimeError
from tests.app.lifetimes_support import show_labels
from tests.app.test_lifetimes_cleanup import SHA as SHA1
from tests.app.test_lifetimes_cleanup import SHA2, STACK, add_pr2, env, repo
from tests.app.test_sleep_wake import HEAD, show, world
from tests.app.test_sleep_wake import PR as SLEEPER
from tests.app.test_sleep_wake import STACK as SLEEPER_STACK
from tests.app.test_sleep_wake import warned as sleep_warned
from tests.doubles import FakeLive, FakeStacks, all_at_once
from tests.github_api_server import GitHubServer

__all__ = ["repo", "world"]  # the fixtures, used by name


def _cleanup(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    capsys.readouterr()
    rc = main(["cleanup", "--json", "--no-orphans", "--no-prune-labels", *args])
    return rc, json.loads(capsys.readouterr().out)


def test_a_router_that_cannot_be_destroyed_is_a_failed_row(
    repo: tuple[GitHubServer, FakeStacks],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gh, stacks = repo
    gh.add_pr(1, head_sha=SHA1, labels=env(timedelta(hours=2)))
    stacks.routers[77] = "abc1234"

    def refused(pr: int) -> bool:
        raise ShowtimeError("listener rule in use")

    monkeypatch.setattr(stacks, "unroute", refused)
    rc, doc = _cleanup(capsys)
    [row] = [i for i in doc["items"] if i["stacks"] == ["pr-77-router"]]
    assert row["result"] == "failed: listener rule in use"
    assert rc == 1


def test_the_drift_check_skips_an_environment_just_put_to_sleep(
    world: tuple[GitHubServer, FakeStacks, FakeLive, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    gh, stacks, _live, _tmp = world
    gh.add_pr(
        SLEEPER,
        head_sha=HEAD,
        labels=[
            *show("running", timedelta(hours=26), sleep_warned(timedelta(minutes=1))),
            f"🎪 🎯 {HEAD[:7]}",
        ],
    )
    rc, doc = _cleanup(capsys, "--drift")
    assert rc == 0, doc
    [item] = doc["items"]
    assert (item["action"], item["result"]) == ("sleep", "asleep")
    assert f"drift {SLEEPER_STACK}" not in stacks.events
    assert doc["drift"] == []


def test_two_workers_check_two_serving_environments_for_drift_at_once(
    repo: tuple[GitHubServer, FakeStacks],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gh, stacks = repo
    serving = [*env(timedelta(hours=2)), f"🎪 🎯 {SHA1[:7]}"]
    gh.add_pr(1, head_sha=SHA1, labels=serving)
    add_pr2(gh, stacks, serving)
    monkeypatch.setenv("SHOWTIME_CLEANUP_WORKERS", "2")
    # passes only with both checks in flight
    monkeypatch.setattr(stacks, "drift", all_at_once(stacks.drift, 2))
    rc, doc = _cleanup(capsys, "--drift")
    assert rc == 0, doc
    assert sorted(r["stack"] for r in doc["drift"]) == [STACK, f"pr-2-{SHA2[:7]}"]
    assert all(r["drifted"] is False for r in doc["drift"]), doc["drift"]


@pytest.mark.parametrize("dry_run", [False, True])
def test_a_stale_teardown_claim_is_recovered_only_for_real(
    repo: tuple[GitHubServer, FakeStacks], capsys: pytest.CaptureFixture[str], dry_run: bool
) -> None:
    """A teardown claimed three hours ago by a run that is gone: its stack's leftover lock
    may be cancelled, but a dry run changes nothing, not even that."""
    gh, stacks = repo
    claimed = show_labels(SHA1[:7], timedelta(hours=3), status="destroying")
    gh.add_pr(1, head_sha=SHA1, labels=claimed, state="closed")
    _rc, doc = _cleanup(capsys, *(["--dry-run"] if dry_run else []))
    [item] = doc["items"]
    assert item["action"] == "destroy", item
    assert stacks.stale == (set() if dry_run else {STACK})
