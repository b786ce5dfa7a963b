"""``with_image``: a prebuilt image bound to the ``up`` of the commit it was built from (given
with its commit, or named by its own ``sti-pr-N-<sha7>`` tag), and refused for another
commit; ``plan_event``'s input error without an event. Offline, on the example start event."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from showtime_iac.app.sync import plan_event, with_image
from showtime_iac.core.model import ImageMismatchError, InputError
from showtime_iac.core.planner import Plan

ROOT = Path(__file__).resolve().parents[2]
START = ROOT / "examples" / "pr-labeled-start.json"  # PR 1234, head abc1234def…, start label
NOW = datetime(2026, 1, 15, 14, 30, tzinfo=UTC)
DIGEST = "registry.test/superset-ci@sha256:" + "0123456789abcdef" * 4
HEAD = "abc1234def5678901234567890abcdef12345678"


@pytest.fixture(autouse=True)
def _no_workflow(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in ("GITHUB_EVENT_PATH", "GITHUB_EVENT_NAME", "SHOWTIME_POLICY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def start() -> Plan:
    plan = plan_event(START, "pull_request", NOW, None)
    [op] = plan.stacks
    assert (op.action, op.stack, op.config is not None and op.config.image) == (
        "up",
        "pr-1234-abc1234",
        None,
    )
    return plan


def bound(plan: Plan) -> tuple[str | None, str | None]:
    [op] = plan.stacks
    assert op.config is not None
    return op.config.image, op.config.image_sha


def test_no_image_leaves_the_plan_as_it_is(start: Plan) -> None:
    assert with_image(start, None) is start
    assert with_image(start, "") is start
    assert with_image(start, None, HEAD) is start


def test_an_image_given_with_its_commit_is_bound_to_that_commits_up(start: Plan) -> None:
    assert bound(with_image(start, DIGEST, HEAD)) == (DIGEST, HEAD)


def test_an_image_whose_tag_names_its_commit_needs_no_sha(start: Plan) -> None:
    image = "registry.test/superset-ci:sti-pr-1234-abc1234"
    assert bound(with_image(start, image)) == (image, "abc1234")


def test_an_image_that_says_nothing_of_its_commit_is_refused(start: Plan) -> None:
    with pytest.raises(InputError) as err:
        with_image(start, "registry.test/superset-ci:latest")
    assert str(err.value) == (
        "SHOWTIME_IMAGE 'registry.test/superset-ci:latest' does not say which commit it was "
        "built from: set SHOWTIME_IMAGE_SHA to that commit (the workflow's push job does)"
    )


def test_an_image_of_another_commit_is_refused(start: Plan) -> None:
    with pytest.raises(ImageMismatchError) as err:
        with_image(start, DIGEST, "def5678" + "0" * 33)
    assert str(err.value) == (
        f"image {DIGEST} was built from def5678000000000000000000000000000000000, not abc1234: "
        "stack pr-1234-abc1234 only runs an image built from abc1234; refused, nothing changed"
    )
    with pytest.raises(ImageMismatchError):
        with_image(start, "registry.test/superset-ci:sti-pr-1234-def5678")


def test_plan_without_an_event_says_what_to_pass() -> None:
    with pytest.raises(InputError) as err:
        plan_event(None, None, NOW, None)
    assert str(err.value) == "no event: pass --event PATH or set GITHUB_EVENT_PATH"
