"""Contracts the docs state that no test pinned down (issue 29), end to end: the real CLI
(``sync``, ``cleanup``) over PyGithub against the GitHub test server, the stacks and live
checks behind their ports (``tests/doubles.py``). Each was checked by changing the behaviour
and watching the test fail.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from showtime_iac.cli import main
from showtime_iac.core import labels as L
from showtime_iac.core.model import ShowtimeError
from tests.app.lifetimes_support import cleanup_item, show_labels, warned_label
from tests.app.test_sync import PR, SHA7, STACK, Scenario, running
from tests.doubles import FakeLive, FakeStacks, against_server, use_doubles
from tests.github_api_server import GitHubServer, Recorded
from tests.payloads import HEAD, issue_comment, pull_request

IMAGE = f"123456789012.dkr.ecr.us-west-2.amazonaws.com/superset-ci:sti-{STACK}"


def by(payload: dict[str, Any], login: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The comment ``payload`` as ``login`` wrote it (the workflow's GITHUB_ACTOR too)."""
    payload["comment"]["user"]["login"] = login
    payload["sender"]["login"] = login
    monkeypatch.setenv("GITHUB_ACTOR", login)
    return payload


def permission_reads(gh: GitHubServer, login: str) -> int:
    return gh.count("GET", rf"/collaborators/{login}/permission$")


# -- the permission wins over the author association --------------------------------------------


@pytest.mark.parametrize(
    ("login", "association", "role"),
    [
        ("org-member", "MEMBER", "read"),
        ("org-member", "MEMBER", "triage"),
        ("collaborator", "COLLABORATOR", "read"),
        ("collaborator", "COLLABORATOR", "triage"),
    ],
)
def test_a_trusted_association_whose_permission_is_read_or_triage_changes_nothing(
    run: Scenario, monkeypatch: pytest.MonkeyPatch, login: str, association: str, role: str
) -> None:
    run.gh.collaborators[login] = role
    labels = running(SHA7)
    run.gh.add_pr(PR, head_sha=HEAD, labels=labels)
    run.stacks.existing.add(STACK)
    for body in ("/showtime destroy", "/showtime extend 48h", "/showtime size large"):
        payload = by(issue_comment(body, labels, association=association), login, monkeypatch)
        rc, doc, _err = run.sync(payload, name="issue_comment")
        assert rc == 0, doc
        assert doc is not None and doc["plan"]["intent"] == "reply", body
    # the permission was looked up for every command although the association was known
    assert permission_reads(run.gh, login) == 3
    assert run.stacks.destroyed == [] and run.stacks.ups == [] and run.stacks.tags == {}
    assert sorted(run.gh.labels_of(PR)) == sorted(labels)
    replies = [c["body"] for c in run.gh.comments_of(PR)]
    assert f"🎪 @{login}, only maintainers (write access) can run `/showtime destroy`." in replies


def test_extend_by_a_writer_with_no_trusted_association_extends(
    run: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    run.gh.collaborators["outside-writer"] = "write"
    labels = running(SHA7)
    run.gh.add_pr(PR, head_sha=HEAD, labels=labels)
    run.stacks.existing.add(STACK)
    payload = by(
        issue_comment("/showtime extend 48h", labels, association="NONE"),
        "outside-writer",
        monkeypatch,
    )
    rc, doc, _err = run.sync(payload, name="issue_comment")
    assert rc == 0, doc
    assert permission_reads(run.gh, "outside-writer") == 1
    [ttl] = [n for n in run.gh.labels_of(PR) if "⌛" in n]
    # 48 more hours from now: the environment is about an hour old, so its TTL is now 49-50h
    assert ttl.startswith((f"🎪 {SHA7} ⌛ idle 49h · max ", f"🎪 {SHA7} ⌛ idle 50h · max "))
    assert run.stacks.tags[STACK]["showtime:ttl"] in ("49h", "50h")


# -- the claim is read back ---------------------------------------------------------------------


def _start(run: Scenario) -> None:
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])


def _after_the_claim(gh: GitHubServer, then: Any) -> None:
    """Run ``then`` right after the claim's label write, before the run reads the PR back."""

    def armed(_rec: Recorded) -> None:
        gh.on("GET", rf"/pulls/{PR}$", lambda _r: then())

    gh.on("POST", rf"/issues/{PR}/labels$", armed)


def _nothing_deployed(run: Scenario, doc: dict[str, Any] | None) -> None:
    """No stack, no health check, no deployment; the run says why, and audits it."""
    assert run.stacks.ups == [] and run.live.urls == []
    assert run.gh.deployments() == []
    assert doc is not None
    assert doc["outcome"]["actions"][-1] == "claim lost or PR closed: nothing deployed"
    [line] = [a for a in doc["audit"] if a["action"] == "claim"]
    assert (line["result"], line["reason"]) == (
        "skipped",
        "another run holds the claim, or the PR closed",
    )


def test_a_claim_that_did_not_land_deploys_nothing(run: Scenario) -> None:
    _start(run)

    def overwritten() -> None:  # another writer's change replaced the claim's labels
        building = [n for n in run.gh.labels_of(PR) if "🚦" in n]
        assert building == [f"🎪 {SHA7} 🚦 building"]
        run.gh.remove_labels(PR, *building)

    _after_the_claim(run.gh, overwritten)
    rc, doc, _err = run.sync(pull_request("labeled", [L.START], label=L.START))
    assert rc == 0, doc
    _nothing_deployed(run, doc)


def test_a_pr_closed_between_the_plan_and_the_claim_deploys_nothing(run: Scenario) -> None:
    _start(run)
    _after_the_claim(run.gh, lambda: run.gh.set_state(PR, "closed"))
    rc, doc, _err = run.sync(pull_request("labeled", [L.START], label=L.START))
    assert rc == 0, doc
    _nothing_deployed(run, doc)


def test_without_interference_the_same_start_deploys(run: Scenario) -> None:
    """The two tests above, undisturbed: the start deploys (they are not vacuous)."""
    _start(run)
    rc, doc, _err = run.sync(pull_request("labeled", [L.START], label=L.START))
    assert rc == 0, doc
    assert run.stacks.ups == [STACK]


# -- a push or a command after the cleanup's read stops a sleep as it stops a teardown ----------


@pytest.fixture
def asleep_world(
    ghserver: GitHubServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> tuple[GitHubServer, FakeStacks]:
    stacks = FakeStacks()
    stacks.existing.add(STACK)
    stacks.images[STACK] = (IMAGE, SHA7)
    against_server(monkeypatch, ghserver.env(), tmp_path)
    for var in ("GITHUB_EVENT_PATH", "GITHUB_EVENT_NAME", "GITHUB_RUN_ID", "SHOWTIME_IMAGE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    (tmp_path / "showtime.toml").write_text('idle_action = "sleep"\n', encoding="utf-8")
    use_doubles(monkeypatch, stacks, FakeLive())
    return ghserver, stacks


@pytest.mark.parametrize("activity", ["a push", "a command", "none"])
def test_activity_after_the_cleanups_read_stops_a_sleep(
    asleep_world: tuple[GitHubServer, FakeStacks],
    capsys: pytest.CaptureFixture[str],
    activity: str,
) -> None:
    gh, stacks = asleep_world
    due = show_labels(
        SHA7,
        timedelta(hours=26),
        f"🎪 {SHA7} 🌐 10.0.0.9:8080",
        warned_label(SHA7, timedelta(minutes=1)),
    )
    gh.add_pr(PR, head_sha=HEAD, labels=due)

    def meanwhile(_rec: Recorded) -> None:
        # the push's or the command's run withdrew the warning (and, for a push, 📅 afresh)
        gh.add_pr(PR, head_sha=HEAD, labels=[n for n in due if "⚠️" not in n])

    if activity != "none":
        gh.on("GET", rf"/pulls/{PR}$", meanwhile)
    item = cleanup_item(capsys)
    if activity == "none":  # undisturbed, the same sweep puts it to sleep
        assert (item["action"], item["result"]) == ("sleep", "asleep")
        assert [c.sleeping for c in stacks.configs] == [True]
        return
    assert stacks.configs == [] and stacks.destroyed == []
    assert item["action"] == "warn" and "activity" in item["result"]
    labels = gh.labels_of(PR)
    assert f"🎪 {SHA7} 🚦 running" in labels
    [warning] = [n for n in labels if "⚠️" in n]  # warned afresh, the full notice again
    at = L.parse_timestamp(warning.rsplit(" ", 1)[1])
    assert at is not None and at - datetime.now(UTC) > timedelta(hours=1, minutes=58)


# -- 🔒 stops the scheduled cleanup too ------------------------------------------------------------


@pytest.mark.parametrize("idle_action", ["destroy", "sleep"])
@pytest.mark.parametrize("age", [timedelta(hours=23), timedelta(hours=30), timedelta(days=9)])
def test_the_cleanup_warns_sleeps_and_tears_down_nothing_on_a_blocked_pr(
    asleep_world: tuple[GitHubServer, FakeStacks],
    capsys: pytest.CaptureFixture[str],
    idle_action: str,
    age: timedelta,
) -> None:
    gh, stacks = asleep_world
    Path("showtime.toml").write_text(f'idle_action = "{idle_action}"\n', encoding="utf-8")
    warned = [] if age < timedelta(hours=24) else [warned_label(SHA7, timedelta(minutes=1))]
    labels = [*show_labels(SHA7, age, f"🎪 {SHA7} 🌐 10.0.0.9:8080", *warned), L.BLOCKED]
    gh.add_pr(PR, head_sha=HEAD, labels=labels)
    gh.reset_log()
    item = cleanup_item(capsys)
    assert item["action"] == "keep", item
    assert stacks.configs == [] and stacks.destroyed == [] and STACK in stacks.existing
    assert sorted(gh.labels_of(PR)) == sorted(labels)
    assert gh.comments_of(PR) == []
    assert gh.count("POST") == gh.count("PATCH") == gh.count("DELETE") == 0
    # without 🔒 the same sweep acts (the test is not vacuous)
    gh.remove_labels(PR, L.BLOCKED)
    assert cleanup_item(capsys)["action"] != "keep"


# -- a failed reconfigure that ECS rolled back puts the serving environment's labels back -------


def test_a_failed_reconfigure_rolled_back_keeps_the_serving_labels(run: Scenario) -> None:
    labels = running(SHA7)
    run.gh.add_pr(PR, head_sha=HEAD, labels=labels)
    run.stacks.existing.add(STACK)
    run.stacks.images[STACK] = (IMAGE, SHA7)
    run.stacks.fail_up = "ECS deployment circuit breaker: rolled back to the previous task"
    tried: list[tuple[str, str]] = []
    run.stacks.on_up = lambda cfg: tried.append((cfg.stack, cfg.size))
    rc, doc, _err = run.sync(issue_comment("/showtime size large", labels), name="issue_comment")
    assert rc == 1, doc
    assert tried == [(STACK, "large")]
    after = run.gh.labels_of(PR)
    # the environment ECS kept serving is described as it was: running, its address, 🎯
    assert sorted(after) == sorted(labels)
    assert not any("failed" in n or "building" in n or "deploying" in n for n in after)
    body = json.dumps(doc)
    assert "rolled back" in body


def test_a_failed_first_deploy_is_failed(run: Scenario) -> None:
    """The other side: a start that fails (nothing served before) says 🚦 failed."""
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    run.stacks.fail_up = "ECS deployment circuit breaker: rolled back"
    rc, _doc, _err = run.sync(pull_request("labeled", [L.START], label=L.START))
    assert rc == 1
    assert f"🎪 {SHA7} 🚦 failed" in run.gh.labels_of(PR)


# -- the up succeeds, but ECS rolled the service back (issue 27): the run says it failed ------

ROLLED_BACK = "ECS rolled pr-1234-abc1234-service back: it runs sti:1, not the stack's sti:2"


def test_an_up_that_ecs_rolled_back_is_a_failed_reconfigure(run: Scenario) -> None:
    """Pulumi's ``up`` succeeds (the service is steady, on the previous task definition):
    the check of the primary deployment says failed, and the serving labels stay."""
    labels = running(SHA7)
    run.gh.add_pr(PR, head_sha=HEAD, labels=labels)
    run.stacks.existing.add(STACK)
    run.stacks.images[STACK] = (IMAGE, SHA7)
    run.live.rolled_back = ROLLED_BACK
    rc, doc, _err = run.sync(issue_comment("/showtime size large", labels), name="issue_comment")
    assert rc == 1, doc
    assert [c.size for c in run.stacks.configs] == ["large"]  # the up itself went through
    assert sorted(run.gh.labels_of(PR)) == sorted(labels)
    assert doc is not None and doc["outcome"]["error"] == ROLLED_BACK


def test_a_first_deploy_that_ecs_rolled_back_is_failed(run: Scenario) -> None:
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    run.live.rolled_back = ROLLED_BACK
    rc, doc, _err = run.sync(pull_request("labeled", [L.START], label=L.START))
    assert rc == 1, doc
    assert f"🎪 {SHA7} 🚦 failed" in run.gh.labels_of(PR)
    assert not run.live.urls and not run.live.target_groups  # no health wait on a rollback


# -- a PR closed while its rolling update deployed -----------------------------------------------


def test_a_pr_closed_during_a_rolling_update_loses_every_stack_and_says_so(run: Scenario) -> None:
    """docs/concepts/lifecycle.md: a PR closed while its deploy runs is never left running: the
    new stack and the one it was replacing both go, the router first (its rule holds a target
    group), every 🎪 label goes, the deployment turns inactive, and one audit line says why."""
    from tests.app.test_sync import OLD, labels_at_each_destroy, states

    old7 = OLD[:7]
    run.stacks.existing.add(f"pr-{PR}-{old7}")
    run.stacks.routers[PR] = old7
    run.gh.add_pr(PR, head_sha=HEAD, labels=[*running(old7), "bug"])
    run.stacks.on_up = lambda _cfg: run.gh.set_state(PR, "closed")
    seen = labels_at_each_destroy(run)
    before = run.gh.labels_of(PR)
    rc, doc, _err = run.sync(pull_request("synchronize", [*running(old7), "bug"]))
    assert rc == 0, doc
    assert run.stacks.ups == [STACK]
    # the teardown claim first: both SHAs 🚦 destroying, 📅 stamped now, no 🎯
    [old_created] = [n for n in before if n.startswith(f"🎪 {old7} 📅 ")]
    for labels in seen:
        assert f"🎪 {old7} 🚦 destroying" in labels and f"🎪 {SHA7} 🚦 destroying" in labels
        assert old_created not in labels and any(n.startswith(f"🎪 {old7} 📅 ") for n in labels)
        assert not [n for n in labels if n.startswith("🎪 🎯")]
    assert states(run.gh) == [["in_progress", "inactive"]]
    assert sorted(run.stacks.destroyed) == sorted([STACK, f"pr-{PR}-{old7}"])
    assert run.stacks.routers == {}
    assert run.gh.labels_of(PR) == ["bug"]
    assert doc is not None
    assert doc["outcome"]["actions"][-3:] == [
        f"destroyed pr-{PR}-router",
        f"destroyed pr-{PR}-{old7} (PR closed during the deploy)",
        f"destroyed {STACK} (PR closed during the deploy)",
    ]
    assert doc["outcome"]["url"] is None
    last = doc["audit"][-1]
    assert (last["action"], last["result"], last["reason"]) == (
        "teardown",
        "ok",
        "PR closed during the deploy",
    )


def test_a_trigger_another_run_consumed_first_deploys_nothing_here(run: Scenario) -> None:
    """Two runs of one start label: the other run's DELETE of the trigger won (this one gets
    GitHub's 404) and its claim is on the PR. This run deploys nothing and writes no label;
    the other run's claim stays as it wrote it."""
    _start(run)
    theirs = [f"🎪 {SHA7} 🚦 building", f"🎪 🏗️ {SHA7}"]

    def the_other_run_first(_rec: Recorded) -> None:
        run.gh.remove_labels(PR, L.START)
        run.gh.add_labels(PR, *theirs)

    run.gh.on("DELETE", rf"/issues/{PR}/labels/", the_other_run_first)
    rc, doc, _err = run.sync(pull_request("labeled", [L.START], label=L.START))
    assert rc == 0, doc
    _nothing_deployed(run, doc)
    assert sorted(run.gh.labels_of(PR)) == sorted(theirs)


def test_a_reconfigure_of_a_stack_that_records_no_image_builds_nothing_and_says_how(
    run: Scenario,
) -> None:
    """A reconfiguration keeps the image the stack runs; a stack that records none (made
    before images were recorded, say) is not rebuilt here: the run says how to roll it."""
    labels = running(SHA7)
    run.gh.add_pr(PR, head_sha=HEAD, labels=labels)
    run.stacks.existing.add(STACK)
    rc, doc, _err = run.sync(issue_comment("/showtime size large", labels), name="issue_comment")
    assert rc == 1 and doc is not None
    assert run.stacks.ups == [] and sorted(run.gh.labels_of(PR)) == sorted(labels)
    assert doc["outcome"]["error"] == (
        f"stack {STACK} records no image to keep: a reconfiguration never builds; "
        "roll it forward with `/showtime refresh` (or the start label) instead"
    )


# -- a dry run plans from the labels when the record cannot be read -----------------------------


def test_a_dry_run_whose_record_cannot_be_read_plans_from_the_labels_and_says_so(
    run: Scenario,
) -> None:
    labels = running(SHA7)
    run.gh.add_pr(PR, head_sha=HEAD, labels=labels)
    run.stacks.existing.add(STACK)
    run.stacks.images[STACK] = (IMAGE, SHA7)

    def unreadable(pr: int | None = None) -> Any:
        raise ShowtimeError("state backend s3://fleet: AccessDenied: no s3:GetObject")

    run.stacks.records = unreadable  # type: ignore[method-assign]
    payload = issue_comment("/showtime size large", labels)
    path = run.tmp_path / "event.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    args = ["sync", str(PR), "--json", "--event", str(path), "--event-name", "issue_comment"]
    run.capsys.readouterr()
    assert main([*args, "--dry-run"]) == 0
    doc = json.loads(run.capsys.readouterr().out)
    assert doc["plan"]["warnings"] == [
        "the stacks' record was not read (state backend s3): planned from the labels alone"
    ]
    assert [op["stack"] for op in doc["plan"]["stacks"]] == [STACK]  # the labels' plan
    # a real run never plans without the record: it stops, and says why
    assert main(args) != 0
    assert "AccessDenied" in run.capsys.readouterr().err
    assert run.stacks.ups == [] and sorted(run.gh.labels_of(PR)) == sorted(labels)
