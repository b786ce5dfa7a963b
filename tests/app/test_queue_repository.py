"""What a queued start takes (issue 29): the policy's lifetime; and `SHOWTIME_IMAGE_REPOSITORY`
as the workflow passes it, a trailing slash or spaces included, names the image without a
doubled slash."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.app.test_queue_cleanup import REPOSITORY, cleanup, sha, world
from tests.doubles import FakeStacks
from tests.github_api_server import GitHubServer

__all__ = ["world"]  # the fixture, used by name


def test_a_trailing_slash_on_the_repository_is_not_part_of_the_image(
    world: tuple[GitHubServer, FakeStacks],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _gh, stacks = world
    monkeypatch.setenv("SHOWTIME_IMAGE_REPOSITORY", f" {REPOSITORY}/ ")
    rc, _doc = cleanup(capsys)
    assert rc == 0
    s3 = sha(3)[:7]
    [cfg] = stacks.configs
    assert cfg.image == f"{REPOSITORY}:sti-pr-3-{s3}"


def test_a_queued_start_takes_the_policys_lifetime(
    world: tuple[GitHubServer, FakeStacks],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    gh, stacks = world
    monkeypatch.setenv("SHOWTIME_IMAGE_REPOSITORY", REPOSITORY)
    policy = 'warn_before = "0s"\nmax_environments = 2\ndefault_ttl = "48h"\n'
    (tmp_path / "showtime.toml").write_text(policy, encoding="utf-8")
    rc, _doc = cleanup(capsys)
    assert rc == 0
    s3 = sha(3)[:7]
    assert stacks.ups == [f"pr-3-{s3}"]
    [ttl] = [n for n in gh.labels_of(3) if "⌛" in n]
    assert ttl.startswith(f"🎪 {s3} ⌛ idle 48h · max ")
