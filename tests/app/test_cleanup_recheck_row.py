"""The cleanup's rows when what it planned changed before it acted (issue 29): an extension
since the sweep keeps the environment (reported kept, with no stack, not the teardown's); a
sleep whose image cannot be read fails and changes nothing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from showtime_iac.core.model import ShowtimeError
from tests.app.lifetimes_support import cleanup_item
from tests.app.test_lifetimes_cleanup import S7, SHA, cleanup, env, repo, warned
from tests.app.test_sleep_wake import HEAD, show, world
from tests.app.test_sleep_wake import PR as SLEEPER
from tests.app.test_sleep_wake import warned as sleep_warned
from tests.doubles import FakeLive, FakeStacks
from tests.github_api_server import GitHubServer, Recorded

__all__ = ["repo", "world"]  # the fixtures, used by name


def test_an_extension_between_the_sweep_and_the_teardown_is_reported_kept_with_no_stack(
    repo: tuple[GitHubServer, FakeStacks], capsys: pytest.CaptureFixture[str]
) -> None:
    gh, stacks = repo
    due = env(timedelta(hours=26), warned(timedelta(minutes=1)))
    gh.add_pr(1, head_sha=SHA, labels=due)

    def extended(_rec: Recorded) -> None:  # `/showtime extend 48h` ran meanwhile
        fresh = env(timedelta(hours=26), ttl="48h")
        gh.add_pr(1, head_sha=SHA, labels=fresh)

    gh.on("GET", r"/pulls/1$", extended)
    item = cleanup(capsys)
    assert (item["action"], item["stacks"], item["result"]) == (
        "keep",
        [],
        "kept: activity since the warning",
    )
    assert stacks.destroyed == []
    assert f"🎪 {S7} ⌛ 48h" in gh.labels_of(1)


def test_a_sleep_whose_image_cannot_be_read_is_reported_failed_and_changes_nothing(
    world: tuple[GitHubServer, FakeStacks, FakeLive, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gh, stacks, _live, _tmp = world
    due = show("running", timedelta(hours=26), sleep_warned(timedelta(minutes=1)))
    gh.add_pr(SLEEPER, head_sha=HEAD, labels=due)

    def unreadable(pr: int, sha: str) -> str | None:
        raise ShowtimeError("the stack's outputs could not be read: backend timeout")

    monkeypatch.setattr(stacks, "current_image", unreadable)
    item = cleanup_item(capsys, expect_rc=1)  # a failed row fails the run
    assert (item["action"], item["result"]) == (
        "sleep",
        "failed: the stack's outputs could not be read: backend timeout",
    )
    assert stacks.configs == [] and sorted(gh.labels_of(SLEEPER)) == sorted(due)
