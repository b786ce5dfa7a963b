"""A queued start the cleanup carries out is a deploy like sync's: its status comment says
the phase in progress (unless ``SHOWTIME_PROGRESS`` is off) and a failure report never shows
a value of the job's secret variables. The cleanup over PyGithub against the GitHub test
server, the stacks behind FakeStacks."""

from __future__ import annotations

import pytest

from showtime_iac.core.comment import MARKER
from showtime_iac.core.proof import MASK
from tests.app.test_queue_cleanup import REPOSITORY, cleanup, rows, world
from tests.doubles import FakeLive, FakeStacks
from tests.github_api_server import GitHubServer

__all__ = ["world"]  # the fixture: PR 3 is first in line when PR 1's slot frees

PASSPHRASE = "correct-horse-battery-staple-42"


def _sticky_of_3(gh: GitHubServer) -> list[str]:
    return [c["body"] for c in gh.comments_of(3) if MARKER in c["body"]]


@pytest.fixture
def starts(world: tuple[GitHubServer, FakeStacks], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOWTIME_IMAGE_REPOSITORY", REPOSITORY)
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", PASSPHRASE)
    monkeypatch.delenv("SHOWTIME_PROGRESS", raising=False)


@pytest.mark.usefixtures("starts")
def test_a_queued_starts_failure_report_masks_the_jobs_secrets(
    world: tuple[GitHubServer, FakeStacks], capsys: pytest.CaptureFixture[str]
) -> None:
    gh, stacks = world
    stacks.fail_up = f"error: decrypting the stack's secrets with passphrase {PASSPHRASE}: denied"
    rc, doc = cleanup(capsys)
    assert rc == 1
    [(pr, _action, result)] = rows(doc, "start")
    assert pr == 3 and result.startswith("failed: ")
    [sticky] = _sticky_of_3(gh)
    assert PASSPHRASE not in sticky
    assert f"decrypting the stack's secrets with passphrase {MASK}" in sticky


@pytest.mark.usefixtures("starts")
def test_a_queued_starts_status_comment_says_the_phase_in_progress(
    world: tuple[GitHubServer, FakeStacks],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gh, _stacks = world
    seen: list[str] = []
    real = FakeLive.wait_healthy

    def wait_healthy(self: FakeLive, url: str) -> float:
        seen.extend(_sticky_of_3(gh))
        return real(self, url)

    monkeypatch.setattr(FakeLive, "wait_healthy", wait_healthy)
    rc, _doc = cleanup(capsys)
    assert rc == 0
    assert any("**healthy** in progress" in body for body in seen), seen
