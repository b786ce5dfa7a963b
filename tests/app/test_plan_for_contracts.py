"""What ``sync`` adds to the planner's decision (issue 29): the fleet a queued PR keeps its
place in, the stacks a closed PR loses that no label names, the image an offline plan binds,
who and which commit the run acts for, what the status comment says while and after a deploy
runs, and what the run prepared while the image built. The real CLI over PyGithub against the
GitHub test server, the stacks behind ``FakeStacks``; each test was checked by removing what
it pins and watching it fail."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from showtime_iac.cli import main
from showtime_iac.core import labels as L
from tests.app.test_queue_sync import NEW_HEAD, OTHER, queued
from tests.app.test_sync import OLD, PR, SHA7, STACK, Scenario, running, status_comments
from tests.payloads import HEAD, issue_comment, pull_request

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


# -- who the run acts for, and which event it reads ----------------------------------------------


def _actors(doc: dict[str, Any] | None) -> set[str]:
    assert doc is not None and doc["audit"], doc
    return {a["actor"] for a in doc["audit"]}


def test_a_sync_without_an_event_acts_for_the_workflows_actor(
    run: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``sync 1234`` with no event file (a re-run from a shell, say): ``$GITHUB_ACTOR`` is who
    asked, whose permission is looked up and who each audit line names."""
    monkeypatch.setenv("GITHUB_ACTOR", "maintainer")
    labels = [*running(SHA7), L.STOP]
    run.gh.add_pr(PR, head_sha=HEAD, labels=labels)
    run.stacks.existing.add(STACK)
    rc, doc, _err = run.sync(None)
    assert rc == 0, doc
    assert run.stacks.destroyed == [STACK]
    assert _actors(doc) == {"maintainer"}


def test_the_events_sender_is_who_the_run_acts_for_not_the_workflows_actor(
    run: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run re-run by someone else keeps the event's sender (who added 🛑) in its audit."""
    monkeypatch.setenv("GITHUB_ACTOR", "re-runner")
    labels = [*running(SHA7), L.STOP]
    run.gh.add_pr(PR, head_sha=HEAD, labels=labels)
    run.stacks.existing.add(STACK)
    rc, doc, _err = run.sync(pull_request("labeled", labels, label=L.STOP, sender="maintainer"))
    assert rc == 0, doc
    assert _actors(doc) == {"maintainer"}


def test_the_event_name_option_wins_over_the_environments(
    run: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--event-name issue_comment`` reads the file as a comment even where the workflow's
    ``$GITHUB_EVENT_NAME`` names another event."""
    monkeypatch.setenv("GITHUB_EVENT_NAME", "pull_request_target")
    labels = running(SHA7)
    run.gh.add_pr(PR, head_sha=HEAD, labels=labels)
    run.stacks.existing.add(STACK)
    rc, _doc, err = run.sync(issue_comment("/showtime destroy", labels), name="issue_comment")
    assert rc == 0, err
    assert run.stacks.destroyed == [STACK]


def test_a_stack_brought_up_records_when_even_if_its_labels_do_not_say(run: Scenario) -> None:
    """A reconfigure of an environment whose 📅 label is gone still records a creation time
    on its stack: the deploy's. Its TTL and max age count from there, never from nothing."""
    labels = [n for n in running(SHA7) if "📅" not in n]
    run.gh.add_pr(PR, head_sha=HEAD, labels=labels)
    run.stacks.existing.add(STACK)
    run.stacks.images[STACK] = (IMAGE, SHA7)
    before = datetime.now(UTC)
    rc, doc, err = run.sync(issue_comment("/showtime size large", labels), name="issue_comment")
    after = datetime.now(UTC)
    assert rc == 0, (doc, err)
    [cfg] = run.stacks.configs
    assert (cfg.stack, cfg.size) == (STACK, "large")
    assert cfg.created is not None and before <= cfg.created <= after


def test_only_a_comment_takes_its_commit_from_showtime_sha(
    run: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``$SHOWTIME_SHA`` names the commit a comment is about (the plan job resolves it). A run
    whose event names none otherwise (``sync 1234`` from a shell) is about the PR's head."""
    monkeypatch.setenv("SHOWTIME_SHA", OLD)
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START], labels_by="maintainer")
    rc, doc, err = run.sync(None)
    assert rc == 0, (doc, err)
    assert run.stacks.ups == [STACK]


# -- the sticky comment while a deploy waits ------------------------------------------------------


def _sticky_while_healthy_waits(
    run: Scenario, monkeypatch: pytest.MonkeyPatch, progress: str | None
) -> list[str]:
    """A start whose run began 10 minutes ago; the status comment as it reads while the new
    environment's health check runs (none yet: an empty list)."""
    if progress is None:
        monkeypatch.delenv("SHOWTIME_PROGRESS", raising=False)
    else:
        monkeypatch.setenv("SHOWTIME_PROGRESS", progress)
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    seen: list[str] = []
    real = run.live.wait_healthy

    def wait_healthy(url: str) -> float:
        seen.extend(status_comments(run.gh))
        return real(url)

    monkeypatch.setattr(run.live, "wait_healthy", wait_healthy)
    started = (datetime.now(UTC) - timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    payload = pull_request("labeled", [L.START], label=L.START)
    rc, doc, _err = run.sync(payload, extra=["--started-at", started])
    assert rc == 0, doc
    assert run.stacks.ups == [STACK]
    return seen


def test_the_status_comment_names_the_phase_in_progress_and_the_time_since_the_run_began(
    run: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    [body] = _sticky_while_healthy_waits(run, monkeypatch, None)
    [line] = [n for n in body.splitlines() if "in progress" in n]
    assert re.fullmatch(
        rf"⏳ Deploying `{SHA7}`: \*\*healthy\*\* in progress · 10 min( \d+ s)? so far", line
    ), line


def test_with_progress_off_the_status_comment_waits_for_the_end(
    run: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    bodies = _sticky_while_healthy_waits(run, monkeypatch, "off")
    assert not [b for b in bodies if "in progress" in b]


def test_the_status_comment_links_an_address_without_a_port_on_the_policys_port(
    run: Scenario,
) -> None:
    """A 🌐 label that names no port is linked on the policy's
    ``port``: after a failed deploy the comment still leads to the environment that serves."""
    (run.tmp_path / "showtime.toml").write_text("port = 9000\n", encoding="utf-8")
    old7 = OLD[:7]
    labels = [n if "🌐" not in n else f"🎪 {old7} 🌐 10.0.0.9" for n in running(old7)]
    run.stacks.existing.add(f"pr-{PR}-{old7}")
    run.stacks.fail_up = "ECS service pr-1234 did not become stable"
    run.gh.add_pr(PR, head_sha=HEAD, labels=labels)
    rc, _doc, _err = run.sync(pull_request("synchronize", labels))
    assert rc == 1
    [body] = status_comments(run.gh)
    [row] = [n for n in body.splitlines() if n.startswith("| 🎯 active")]
    assert "[http://10.0.0.9:9000](http://10.0.0.9:9000)" in row


def test_a_failed_deploys_status_comment_never_shows_a_secret_of_the_job(
    run: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The error is quoted twice, in the failure report and in the comment's history line:
    a value of the job's secret variables is masked in both (the comment is public)."""
    secret = "correct-horse-battery-staple-42"
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", secret)
    run.stacks.fail_up = f"error: decrypting the stack's secrets with passphrase {secret}"
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    rc, _doc, _err = run.sync(pull_request("labeled", [L.START], label=L.START))
    assert rc == 1
    [body] = status_comments(run.gh)
    assert secret not in body
    history = body.split("<!-- showtime-iac:history\n", 1)[1]
    assert f"`{SHA7}` failed: error: decrypting the stack's secrets with passphrase ***" in history


# -- what this run prepared while the image built -------------------------------------------------


def _asked_prepared(run: Scenario, monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, str]]:
    """Each read of a prepared stack (none is prepared: the reads are what is pinned)."""
    asked: list[tuple[int, str]] = []

    def prepared(pr: int, sha: str) -> Any:
        asked.append((pr, sha))
        return None

    monkeypatch.setattr(run.stacks, "prepared", prepared)
    monkeypatch.setenv("GITHUB_RUN_ID", "4242")
    return asked


def test_a_run_that_brought_its_stack_up_leaves_what_it_prepared_alone(
    run: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = _asked_prepared(run, monkeypatch)
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    rc, doc, _err = run.sync(pull_request("labeled", [L.START], label=L.START))
    assert rc == 0, doc
    assert run.stacks.ups == [STACK]
    assert (PR, HEAD) not in asked  # the stack it prepared is the one it brought up


def test_a_run_about_an_earlier_commit_looks_for_that_commits_prepared_stack(
    run: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A comment about the commit the plan job resolved (``SHOWTIME_SHA``) while the head moved
    on: what the run prepared is that commit's stack, not the head's."""
    asked = _asked_prepared(run, monkeypatch)
    monkeypatch.setenv("SHOWTIME_SHA", OLD)
    labels = running(SHA7)
    run.gh.add_pr(PR, head_sha=HEAD, labels=labels)
    rc, _doc, err = run.sync(issue_comment("/showtime status", labels), name="issue_comment")
    assert rc == 0, err
    assert asked == [(PR, OLD)]


def test_a_start_this_run_prepared_is_planned_at_that_moment_with_every_check(
    run: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stack was prepared by this run while the image built: the deploy is planned again
    at that moment (so the stack's creation time is the prepared one), bound to the run's
    repository as the first plan was, and deploys."""
    from showtime_iac.adapters.stacks.prepared import PreparedRecord

    at = (datetime.now(UTC) - timedelta(minutes=6)).replace(microsecond=0)
    run.gh.repo = "acme/widgets"  # not the default: the plan binds the run's repository
    monkeypatch.setenv("GITHUB_REPOSITORY", run.gh.repo)
    monkeypatch.setenv("GITHUB_RUN_ID", "4242")
    record = PreparedRecord(STACK, at, "run:4242")
    monkeypatch.setattr(run.stacks, "prepared", lambda pr, sha: record)
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    rc, doc, _err = run.sync(pull_request("labeled", [L.START], label=L.START))
    assert rc == 0, doc
    [cfg] = run.stacks.configs
    assert (cfg.stack, cfg.created, cfg.repo) == (STACK, at, "acme/widgets")
