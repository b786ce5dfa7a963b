"""The cleanup decides every PR it lists, in order (issue 29): a PR with 🎪 labels but no
environment and no stack (a 🔒 alone, say) is passed over, and the PRs after it are still
decided; an open PR whose stacks lost their labels is kept, each stack named. The real CLI over
PyGithub against the GitHub test server, the stacks behind their port."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from showtime_iac.core import labels as L
from tests.app.lifetimes_support import cleanup_item
from tests.app.test_lifetimes_cleanup import SHA, STACK, env, repo, warned
from tests.doubles import FakeStacks
from tests.github_api_server import GitHubServer

__all__ = ["repo"]


def test_a_pr_with_no_environment_first_does_not_stop_the_sweep(
    repo: tuple[GitHubServer, FakeStacks], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    gh, stacks = repo
    gh.add_pr(1, head_sha=SHA, labels=env(timedelta(hours=26), warned(timedelta(minutes=1))))
    gh.add_pr(0, head_sha="f" * 40, labels=[L.BLOCKED])  # listed first, nothing to decide
    item = cleanup_item(capsys)  # the one row: PR 1's
    assert (item["pr"], item["action"], item["result"]) == (1, "destroy", "destroyed")
    assert stacks.destroyed == [STACK]


def test_an_open_pr_whose_stacks_lost_their_labels_keeps_them_all_by_name(
    repo: tuple[GitHubServer, FakeStacks], capsys: pytest.CaptureFixture[str]
) -> None:
    gh, stacks = repo
    stacks.existing |= {"pr-1-2222222"}
    gh.add_pr(1, head_sha=SHA, labels=["bug"])
    item = cleanup_item(capsys)
    assert (item["action"], item["stacks"], item["result"]) == ("keep", [], "planned")
    assert item["reason"] == (
        f"open PR with stacks pr-1-2222222, {STACK} but no 🎪 labels: run `sync 1`"
    )
    assert stacks.destroyed == []
