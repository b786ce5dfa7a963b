"""The fleet's queue through ``sync``: PyGithub over HTTP against the GitHub test server, the
stacks behind FakeStacks (issue 27, item 2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from showtime_iac.core import labels as L
from tests.app.test_sync import PR, SHA7, Scenario, running, status_comments
from tests.payloads import HEAD, pull_request

OTHER = "2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
NEW_HEAD = "3333333ccccccccccccccccccccccccccccccccc"


def queued(sha7: str, at: datetime, who: str = "maintainer") -> list[str]:
    return [f"🎪 {sha7} 🚦 queued", f"🎪 {sha7} 📅 {L.format_timestamp(at)}", f"🎪 {sha7} 👤 {who}"]


@pytest.fixture
def full(run: Scenario) -> Scenario:
    """A fleet of one: PR 1 runs, PR 2 waits since an hour ago."""
    (run.tmp_path / "showtime.toml").write_text("max_environments = 1\n", encoding="utf-8")
    run.gh.add_pr(1, head_sha=OTHER, labels=running("2222222"))
    ago = datetime.now(UTC) - timedelta(hours=1)
    run.gh.add_pr(2, head_sha=OTHER, labels=queued("2222222", ago))
    return run


def test_a_start_over_the_cap_is_queued_with_its_place(full: Scenario) -> None:
    full.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    rc, doc, _err = full.sync(pull_request("labeled", [L.START], label=L.START, body=""))
    assert rc == 0
    assert full.stacks.ups == []  # nothing deployed, no stack
    labels = full.gh.labels_of(PR)
    assert L.START not in labels
    assert f"🎪 {SHA7} 🚦 queued" in labels and f"🎪 {SHA7} 👤 maintainer" in labels
    [asked] = [n for n in labels if "📅" in n]  # when it was asked: its place in line
    assert asked.startswith(f"🎪 {SHA7} 📅 20")
    assert not any("🎯" in n or "🏗️" in n for n in labels)
    replies = [c["body"] for c in full.gh.comments_of(PR)]
    assert any("queued: 2nd in line, starts when an environment frees" in b for b in replies)
    [sticky] = status_comments(full.gh)
    assert "⏳ queued" in sticky and "queued: 2nd in line" in sticky
    assert doc is not None and doc["plan"]["intent"] == "queue"


def test_with_a_slot_free_but_someone_waiting_a_start_still_queues(run: Scenario) -> None:
    (run.tmp_path / "showtime.toml").write_text("max_environments = 2\n", encoding="utf-8")
    run.gh.add_pr(1, head_sha=OTHER, labels=running("2222222"))
    ago = datetime.now(UTC) - timedelta(hours=1)
    run.gh.add_pr(2, head_sha=OTHER, labels=queued("2222222", ago))
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    rc, _doc, _err = run.sync(pull_request("labeled", [L.START], label=L.START, body=""))
    assert rc == 0 and run.stacks.ups == []
    assert f"🎪 {SHA7} 🚦 queued" in run.gh.labels_of(PR)


def test_a_fork_push_to_a_queued_pr_leaves_the_queue(full: Scenario) -> None:
    labels = queued(SHA7, datetime.now(UTC) - timedelta(minutes=5))
    full.gh.add_pr(PR, head_sha=NEW_HEAD, labels=labels, fork=True)
    rc, _doc, _err = full.sync(pull_request("synchronize", labels, sha=NEW_HEAD, fork=True))
    assert rc == 0 and full.stacks.ups == []
    assert not any(n.startswith("🎪 ") for n in full.gh.labels_of(PR))
    assert any("Left the queue" in c["body"] for c in full.gh.comments_of(PR))


def test_stop_on_a_queued_pr_leaves_the_queue_and_destroys_nothing(full: Scenario) -> None:
    labels = [*queued(SHA7, datetime.now(UTC) - timedelta(minutes=5)), L.STOP]
    full.gh.add_pr(PR, head_sha=HEAD, labels=labels)
    rc, _doc, _err = full.sync(pull_request("labeled", labels, label=L.STOP))
    assert rc == 0
    assert full.stacks.destroyed == [] and full.stacks.ups == []
    assert full.gh.labels_of(PR) == []


def test_the_dashboard_shows_a_queued_start_that_costs_nothing() -> None:
    from showtime_iac.app.dashboard import cards_from_prs
    from showtime_iac.core.model import PrInfo

    at = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
    info = PrInfo(number=7, state="open", head_sha=HEAD, labels=tuple(queued("abc1234", at)))
    [card] = cards_from_prs([info])
    assert (card.status, card.hourly_cost, card.requester) == ("queued", None, "maintainer")


def _stop_the_running_one(run: Scenario) -> list[tuple[str, str]]:
    """PR 1234 runs (its stack exists); a writer's 🛑 tears it down through sync."""
    labels = [*running(SHA7), L.STOP]
    run.gh.add_pr(PR, head_sha=HEAD, labels=labels)
    run.stacks.existing.add(f"pr-{PR}-{SHA7}")
    rc, doc, _err = run.sync(pull_request("labeled", labels, label=L.STOP))
    assert rc == 0, doc
    assert run.stacks.destroyed, "the stop tore nothing down"
    return list(run.gh.dispatches)


def test_a_teardown_by_sync_starts_the_cleanup_when_someone_waits(
    run: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first in line starts within minutes of the slot freeing, not at the cleanup's next
    schedule (up to 6 hours): sync asks GitHub Actions to run the cleanup workflow."""
    monkeypatch.setenv("SHOWTIME_QUEUE_WORKFLOW", "showtime-cleanup.yml")
    (run.tmp_path / "showtime.toml").write_text("max_environments = 1\n", encoding="utf-8")
    run.gh.add_pr(2, head_sha=OTHER, labels=queued("2222222", datetime.now(UTC)))
    assert _stop_the_running_one(run) == [("showtime-cleanup.yml", "master")]


def test_with_no_one_waiting_a_teardown_dispatches_nothing(
    run: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOWTIME_QUEUE_WORKFLOW", "showtime-cleanup.yml")
    assert _stop_the_running_one(run) == []  # nobody queued


def test_without_the_workflow_variable_a_teardown_dispatches_nothing(
    run: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SHOWTIME_QUEUE_WORKFLOW", raising=False)
    run.gh.add_pr(2, head_sha=OTHER, labels=queued("2222222", datetime.now(UTC)))
    assert _stop_the_running_one(run) == []
