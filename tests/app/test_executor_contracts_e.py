"""What the executor leaves behind, pinned whole through ``sync --json`` against the GitHub test
server (issue 29): the outcome, the audit lines (docs/reference/audit-log.md), the status
comment's history line and the replies a person reads, for a teardown, a failed teardown, a
lifetime change, a refused record change, a queued start and a failed deploy."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from showtime_iac.core import labels as L
from showtime_iac.core.model import ShowtimeError
from tests.app.test_queue_sync import OTHER
from tests.app.test_sync import HEAD, PR, SHA7, STACK, Scenario, running, status_comments
from tests.payloads import issue_comment, pull_request

__all__: list[str] = []


def audit(doc: dict[str, Any] | None) -> list[tuple[Any, ...]]:
    """The audit lines without their time (and a deploy's timings)."""
    assert doc is not None
    return [
        (a["actor"], a["pr"], a["sha"], a["action"], a["result"], a["reason"]) for a in doc["audit"]
    ]


def history(run: Scenario) -> list[str]:
    """The status comment's history lines, without their time."""
    [body] = status_comments(run.gh)
    block = body.split("<!-- showtime-iac:history\n", 1)[1].split("\n-->", 1)[0]
    return [re.sub(r"^\d{4}-\d\d-\d\d \d\d:\d\d UTC: ", "", line) for line in block.splitlines()]


def test_a_stop_takes_the_router_first_then_the_stack_and_audits_each(run: Scenario) -> None:
    run.stacks.existing.add(STACK)
    run.stacks.routers[PR] = SHA7  # HTTPS mode: the PR's host forwards to the environment
    labels = [*running(SHA7), L.STOP, "bug"]
    run.gh.add_pr(PR, head_sha=HEAD, labels=labels)
    rc, doc, _err = run.sync(pull_request("labeled", labels, label=L.STOP))
    assert rc == 0 and doc is not None
    assert doc["outcome"] == {
        "pr": 1234,
        "intent": "stop",
        "exit_code": 0,
        "sha": "abc1234",
        "url": None,
        "error": None,
        "actions": [
            "destroyed pr-1234-router",
            "destroyed pr-1234-abc1234",
            "labels +0 -6",
        ],
        "timings": None,
    }
    assert audit(doc) == [
        ("maintainer", 1234, "abc1234", "destroy", "ok", "pr-1234-abc1234"),
        ("maintainer", 1234, "abc1234", "stop", "ok", "🛑 stop requested"),
    ]
    assert history(run) == ["🛑 stop requested"]  # the plan's first reason, not its second
    assert run.gh.labels_of(PR) == ["bug"] and run.stacks.routers == {}


def test_a_failed_teardown_keeps_the_claim_and_says_so_with_the_engines_error_cut_short(
    run: Scenario,
) -> None:
    """An engine crash is named by its type, its message cut at 300 characters."""
    run.stacks.existing.add(STACK)
    labels = [*running(SHA7), L.STOP, "bug"]
    run.gh.add_pr(PR, head_sha=HEAD, labels=labels)

    def destroy(pr: int, sha: str) -> None:
        raise RuntimeError("engine exited 255: " + "x" * 400)

    run.stacks.destroy = destroy  # type: ignore[method-assign]
    rc, doc, _err = run.sync(pull_request("labeled", labels, label=L.STOP))
    error = "RuntimeError: engine exited 255: " + "x" * 281
    assert rc == 1 and doc is not None
    assert doc["outcome"] == {
        "pr": 1234,
        "intent": "stop",
        "exit_code": 1,
        "sha": "abc1234",
        "url": None,
        "error": error,
        "actions": [],
        "timings": None,
    }
    assert audit(doc) == [("maintainer", 1234, "abc1234", "destroy", "failed", error)]
    assert [c["body"] for c in run.gh.comments_of(PR)] == [
        f"🎪 **Teardown failed**: {error}\n\nThe environment stays marked 🚦 destroying; the "
        "next run (or `cleanup`) retries."
    ]
    assert f"🎪 {SHA7} 🚦 destroying" in run.gh.labels_of(PR)


def test_a_lifetime_change_is_recorded_then_shown_then_answered(run: Scenario) -> None:
    # created 90 minutes ago: 48h more is 49.5h from the start, shown rounded up to 50h (an
    # hour ago exactly, the minute-precise 📅 label could make it 49h or 50h)
    labels = running(SHA7, created=datetime.now(UTC) - timedelta(minutes=90))
    run.gh.add_pr(PR, head_sha=HEAD, labels=labels)
    run.stacks.existing.add(STACK)
    rc, doc, _err = run.sync(issue_comment("/showtime extend 48h", labels), name="issue_comment")
    assert rc == 0 and doc is not None
    assert doc["outcome"]["actions"] == ["retagged pr-1234-abc1234", "labels +1 -1", "replied"]
    assert audit(doc) == [("maintainer", 1234, "abc1234", "reply", "ok", "TTL set to 50h")]


def test_a_lifetime_change_the_record_refuses_changes_nothing_and_says_so(run: Scenario) -> None:
    labels = running(SHA7)
    run.gh.add_pr(PR, head_sha=HEAD, labels=labels)
    run.stacks.existing.add(STACK)

    def retag(stack: str, tags: Any) -> None:
        raise ShowtimeError("the backend said no")

    run.stacks.retag = retag  # type: ignore[method-assign]
    rc, doc, _err = run.sync(issue_comment("/showtime extend 48h", labels), name="issue_comment")
    why = "could not record the change on pr-1234-abc1234: the backend said no"
    assert rc == 1 and doc is not None
    assert doc["outcome"] == {
        "pr": 1234,
        "intent": "reply",
        "exit_code": 1,
        "sha": "abc1234",
        "url": None,
        "error": why,
        "actions": [],
        "timings": None,
    }
    assert audit(doc) == [("maintainer", 1234, "abc1234", "reply", "failed", why)]
    assert [c["body"] for c in run.gh.comments_of(PR)] == [
        f"🎪 Nothing changed: {why}. Try the command again."
    ]
    assert sorted(run.gh.labels_of(PR)) == sorted(labels)


def test_a_queued_start_shows_its_place_in_the_status_comment(run: Scenario) -> None:
    (run.tmp_path / "showtime.toml").write_text("max_environments = 1\n", encoding="utf-8")
    run.gh.add_pr(1, head_sha=OTHER, labels=running("2222222"))
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    rc, doc, _err = run.sync(pull_request("labeled", [L.START], label=L.START, body=""))
    assert rc == 0 and doc is not None
    assert doc["outcome"]["actions"] == ["labels +3 -1", "replied", "status comment: queued"]
    assert audit(doc) == [("maintainer", 1234, "abc1234", "queue", "ok", "start requested")]
    assert history(run) == ["queued: 1st in line, starts when an environment frees"]


def test_a_failed_deploy_is_recorded_failed_audited_and_shown(run: Scenario) -> None:
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    run.live.unhealthy = "no answer on /health"
    rc, doc, _err = run.sync(pull_request("labeled", [L.START], label=L.START))
    assert rc == 1 and doc is not None
    assert run.stacks.tags[STACK]["showtime:status"] == "failed"  # the record says so
    assert audit(doc) == [
        ("maintainer", 1234, "abc1234", "up", "ok", "pr-1234-abc1234"),
        ("maintainer", 1234, "abc1234", "start", "failed", "no answer on /health"),
    ]
    [line] = history(run)
    assert line.startswith("`abc1234` failed: no answer on /health (failed after "), line


def test_a_failed_deploy_whose_record_cannot_be_written_says_so_and_still_fails(
    run: Scenario,
) -> None:
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    run.live.unhealthy = "no answer on /health"

    def retag(stack: str, tags: Any) -> None:
        raise ShowtimeError("the backend said no")

    run.stacks.retag = retag  # type: ignore[method-assign]
    rc, doc, _err = run.sync(pull_request("labeled", [L.START], label=L.START))
    assert rc == 1 and doc is not None
    assert (doc["outcome"]["error"], doc["outcome"]["actions"]) == (
        "no answer on /health",
        [
            "up pr-1234-abc1234",
            "could not record showtime:status on pr-1234-abc1234: the backend said no",
        ],
    )
    assert f"🎪 {SHA7} 🚦 failed" in run.gh.labels_of(PR)


def test_a_healthy_deploy_whose_record_cannot_be_written_names_every_tag_and_still_serves(
    run: Scenario,
) -> None:
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])

    def retag(stack: str, tags: Any) -> None:
        raise ShowtimeError("the backend said no")

    run.stacks.retag = retag  # type: ignore[method-assign]
    rc, doc, _err = run.sync(pull_request("labeled", [L.START], label=L.START))
    assert rc == 0 and doc is not None
    [note] = [a for a in doc["outcome"]["actions"] if a.startswith("could not record")]
    assert note == (
        "could not record showtime:status, showtime:address on pr-1234-abc1234: the backend said no"
    )
    assert f"🎪 {SHA7} 🚦 running" in run.gh.labels_of(PR)


def test_the_status_comments_history_keeps_each_runs_line(run: Scenario) -> None:
    """A start, then a stop: one status comment, edited in place, whose history holds the
    start's line and then the stop's (each run reads the comment before it rewrites it)."""
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    rc, _doc, _err = run.sync(pull_request("labeled", [L.START], label=L.START))
    assert rc == 0
    labels = [*run.gh.labels_of(PR), L.STOP]
    run.gh.add_labels(PR, L.STOP)
    rc, _doc, _err = run.sync(pull_request("labeled", labels, label=L.STOP))
    assert rc == 0
    [started, stopped] = history(run)
    assert started.startswith(f"`{SHA7}` live at http://10.0.0.5:8080 (ready in ")
    assert stopped == "🛑 stop requested"
