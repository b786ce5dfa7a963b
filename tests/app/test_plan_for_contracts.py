"""What ``sync`` adds to the planner's decision (issue 29): the fleet a queued PR keeps its
place in, the stacks a closed PR loses that no label names, the record a second plan still
needs, and the image an offline plan shows. The real CLI over PyGithub against the GitHub test
server, the stacks behind ``FakeStacks``; each test was checked by removing what it pins and
watching it fail."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from showtime_iac.cli import main
from showtime_iac.core import labels as L
from showtime_iac.core.model import ShowtimeError
from tests.app.test_queue_sync import NEW_HEAD, OTHER, queued
from tests.app.test_sync import OLD, PR, SHA7, STACK, Scenario, running, status_comments
from tests.github_api_server import Recorded
from tests.payloads import HEAD, pull_request

IMAGE = f"123456789012.dkr.ecr.us-west-2.amazonaws.com/superset-ci:sti-{STACK}"


def test_a_push_to_a_queued_branch_keeps_its_place_behind_whoever_asked_first(
    run: Scenario,
) -> None:
    """The payload alone would say "1st in line, 0 running": the place and the count come
    from the fleet sync lists (PR 1 runs, PR 2 waits since before PR 1234 asked)."""
    (run.tmp_path / "showtime.toml").write_text("max_environments = 1\n", encoding="utf-8")
    now = datetime.now(UTC)
    run.gh.add_pr(1, head_sha=OTHER, labels=running("2222222"))
    run.gh.add_pr(2, head_sha=OTHER, labels=queued("2222222", now - timedelta(hours=1)))
    labels = queued(SHA7, now - timedelta(minutes=30))
    run.gh.add_pr(PR, head_sha=NEW_HEAD, labels=labels)
    rc, doc, _err = run.sync(pull_request("synchronize", labels, sha=NEW_HEAD))
    assert rc == 0, doc
    assert run.stacks.ups == []
    assert f"🎪 {NEW_HEAD[:7]} 🚦 queued" in run.gh.labels_of(PR)
    [sticky] = status_comments(run.gh)
    assert "queued: 2nd in line" in sticky
    [reply] = [c["body"] for c in run.gh.comments_of(PR) if "Environment queued" in c["body"]]
    assert "1 environments are running, the maximum is 1" in reply


def test_a_closed_pr_loses_a_stack_that_neither_its_labels_nor_its_record_name(
    run: Scenario,
) -> None:
    """A stack of the PR that lost its labels and records nothing (an older head's, say) is
    listed by name and destroyed with the rest: closing a PR leaves nothing billed."""
    old = f"pr-{PR}-1111111"
    run.stacks.existing.update({STACK, old})
    labels = running(SHA7)
    run.gh.add_pr(PR, head_sha=HEAD, labels=labels)
    run.gh.set_state(PR, "closed")
    rc, doc, _err = run.sync(pull_request("closed", labels, state="closed"))
    assert rc == 0, doc
    assert sorted(run.stacks.destroyed) == sorted([STACK, old])
    assert run.gh.labels_of(PR) == []


def test_a_second_plan_whose_record_cannot_be_read_stops_the_run(run: Scenario) -> None:
    """Another run consumed the trigger first, so this run plans again; by then the stacks'
    record cannot be read. Only a dry run plans from the labels alone: this run stops, says
    why, and deploys nothing."""
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])

    def unreadable(pr: int | None = None) -> Any:
        raise ShowtimeError("state backend s3://fleet: AccessDenied: no s3:GetObject")

    def the_other_run_first(_rec: Recorded) -> None:
        run.gh.remove_labels(PR, L.START)
        run.gh.add_labels(PR, f"🎪 {SHA7} 🚦 building", f"🎪 🏗️ {SHA7}")
        run.stacks.records = unreadable  # type: ignore[method-assign]

    run.gh.on("DELETE", rf"/issues/{PR}/labels/", the_other_run_first)
    rc, doc, err = run.sync(pull_request("labeled", [L.START], label=L.START))
    assert rc != 0, doc
    assert "AccessDenied" in err or "AccessDenied" in json.dumps(doc)
    assert run.stacks.ups == [] and run.gh.deployments() == []


def test_an_offline_dry_run_refuses_an_image_built_from_another_commit(
    run: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No token: the plan comes from the payload alone, and still binds ``SHOWTIME_IMAGE`` to
    the commit it was built from: an image of another commit is refused (exit 2) before
    anything is shown as planned, as the real run would refuse it."""
    monkeypatch.delenv("GITHUB_TOKEN")
    monkeypatch.setenv("SHOWTIME_IMAGE", IMAGE)
    monkeypatch.setenv("SHOWTIME_IMAGE_SHA", OLD)
    path = run.tmp_path / "event.json"
    path.write_text(json.dumps(pull_request("labeled", [L.START], label=L.START)), "utf-8")
    args = ["sync", str(PR), "--json", "--dry-run", "--event", str(path)]
    run.capsys.readouterr()
    assert main([*args, "--event-name", "pull_request_target"]) == 2
    out = run.capsys.readouterr()
    assert f"{OLD[:7]}" in out.err and SHA7 in out.err, out.err
    assert out.out == ""
    assert run.gh.requests == []
    monkeypatch.setenv("SHOWTIME_IMAGE_SHA", HEAD)  # the image of this very commit: planned
    assert main([*args, "--event-name", "pull_request_target"]) == 0
