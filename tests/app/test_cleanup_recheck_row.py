"""The cleanup's row for a teardown that the re-check withdrew (issue 29): an extension since
the sweep keeps the environment, and the report says so with no stack, not the teardown's."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.app.test_lifetimes_cleanup import S7, SHA, cleanup, env, repo, warned
from tests.doubles import FakeStacks
from tests.github_api_server import GitHubServer, Recorded

__all__ = ["repo"]  # the fixture, used by name


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
