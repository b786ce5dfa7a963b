"""``showtime-iac sync``/``cleanup`` end to end: PyGithub over HTTP against the GitHub test server.

Each scenario runs the real CLI (event payload → planner → executor → ``GitHubClient``) with the
stacks and live checks behind their protocols (``tests/doubles.py``), and asserts the final
labels, the status comment, the deployment statuses and the number of requests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from showtime_iac.cli import main
from showtime_iac.core import labels as L
from showtime_iac.core.comment import MARKER
from tests.doubles import FakeLive, FakeStacks, use_doubles
from tests.github_api_server import GitHubServer
from tests.payloads import HEAD, issue_comment, pull_request

PR = 1234
SHA7 = HEAD[:7]
OLD = "1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
STACK = f"pr-{PR}-{SHA7}"
ROOT = Path(__file__).resolve().parents[2]


def show_labels(sha7: str, status: str, *, created: datetime, ttl: str = "24h") -> list[str]:
    return [
        f"🎪 {sha7} 🚦 {status}",
        f"🎪 {sha7} 📅 {L.format_timestamp(created)}",
        f"🎪 {sha7} ⌛ {ttl}",
        f"🎪 {sha7} 👤 maintainer",
    ]


def running(sha7: str, *, created: datetime | None = None, ttl: str = "24h") -> list[str]:
    when = created or datetime.now(UTC) - timedelta(hours=1)
    return [
        *show_labels(sha7, "running", created=when, ttl=ttl),
        f"🎪 🎯 {sha7}",
        f"🎪 {sha7} 🌐 10.0.0.9:8080",
    ]


@pytest.fixture
def gh(ghserver: GitHubServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> GitHubServer:
    for var in ("GITHUB_EVENT_PATH", "GITHUB_EVENT_NAME", "SHOWTIME_POLICY", "GITHUB_RUN_ID"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("GITHUB_API_URL", ghserver.url)
    monkeypatch.setenv("GITHUB_TOKEN", ghserver.token)
    monkeypatch.setenv("GITHUB_REPOSITORY", ghserver.repo)
    monkeypatch.setenv("GITHUB_ACTOR", "maintainer")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    monkeypatch.chdir(tmp_path)
    ghserver.collaborators.update({"maintainer": "write", "contributor": "read"})
    return ghserver


@pytest.fixture
def stacks() -> FakeStacks:
    return FakeStacks()


@pytest.fixture
def live() -> FakeLive:
    return FakeLive()


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch, stacks: FakeStacks, live: FakeLive) -> list[float]:
    record: list[float] = []
    use_doubles(monkeypatch, stacks, live, record)
    return record


@dataclass
class Scenario:
    """One test's world: the GitHub server, the stack and live doubles, and the CLI."""

    gh: GitHubServer
    stacks: FakeStacks
    live: FakeLive
    sleeps: list[float]
    tmp_path: Path
    capsys: pytest.CaptureFixture[str]

    def sync(
        self,
        payload: dict[str, Any] | None,
        *,
        name: str = "pull_request_target",
        pr: int = PR,
        extra: Sequence[str] = (),
    ) -> tuple[int, dict[str, Any] | None, str]:
        """``showtime-iac sync PR --json [extra]`` on ``payload``: exit code, JSON, stderr."""
        args = ["sync", str(pr), "--json", *extra]
        if payload is not None:
            path = self.tmp_path / "event.json"
            path.write_text(json.dumps(payload), encoding="utf-8")
            args += ["--event", str(path), "--event-name", name]
        self.capsys.readouterr()
        rc = main(args)
        out = self.capsys.readouterr()
        try:
            doc = json.loads(out.out)
        except json.JSONDecodeError:
            doc = None
        return rc, doc, out.err


@pytest.fixture
def run(
    gh: GitHubServer,
    stacks: FakeStacks,
    live: FakeLive,
    sleeps: list[float],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> Scenario:
    return Scenario(gh, stacks, live, sleeps, tmp_path, capsys)


def status_comments(gh: GitHubServer) -> list[str]:
    return [c["body"] for c in gh.comments_of(PR) if MARKER in c["body"]]


def states(gh: GitHubServer) -> list[list[str]]:
    return [[s["state"] for s in d["statuses"]] for d in gh.deployments()]


def first(gh: GitHubServer, method: str, pattern: str) -> int:
    """Index of the first recorded request matching (len(requests) if none)."""
    import re

    for i, r in enumerate(gh.requests):
        if r.method == method and re.search(pattern, r.path):
            return i
    return len(gh.requests)


# -- start -------------------------------------------------------------------------------------


def test_start_claims_deploys_and_writes_the_state_back(run: Scenario) -> None:
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START, "size/M"], author="contributor")
    seen_at_up: list[int] = []
    run.stacks.on_up = lambda _cfg: seen_at_up.append(len(run.gh.requests))

    rc, doc, _err = run.sync(pull_request("labeled", [L.START, "size/M"], label=L.START))

    assert rc == 0, doc
    assert run.stacks.ups == [STACK]
    labels = set(run.gh.labels_of(PR))
    assert L.START not in labels and "size/M" in labels
    assert {f"🎪 {SHA7} 🚦 running", f"🎪 🎯 {SHA7}", f"🎪 {SHA7} 🌐 10.0.0.5:8080"} <= labels
    assert f"🎪 {SHA7} 👤 maintainer" in labels
    [ttl] = [n for n in labels if "⌛" in n]  # the idle TTL, and the max age 7 days ahead
    lifetime = L.parse_lifetime(ttl.split("⌛ ", 1)[1])
    assert lifetime is not None and lifetime[0].value == "24h" and lifetime[1] is not None
    assert abs(lifetime[1] - datetime.now(UTC) - timedelta(days=7)) < timedelta(minutes=5)
    assert not any("🏗️" in n or "building" in n for n in labels)
    assert run.live.urls == ["http://10.0.0.5:8080/health"]
    # one sticky comment with the URL; one deployment in_progress → success with its URL
    [body] = status_comments(run.gh)
    assert "http://10.0.0.5:8080" in body and SHA7 in body
    [dep] = run.gh.deployments()
    assert (dep["environment"], dep["transient_environment"], dep["production_environment"]) == (
        f"pr-{PR}",
        True,
        False,
    )
    assert [s["state"] for s in dep["statuses"]] == ["in_progress", "success"]
    assert dep["statuses"][-1]["environment_url"] == "http://10.0.0.5:8080"
    # request budget: ≤ 5 before the deployment record, ≤ 7 when the stack operation starts
    assert first(run.gh, "POST", r"/deployments$") <= 5
    assert seen_at_up == [first(run.gh, "POST", r"/deployments/\d+/statuses$") + 1]
    assert seen_at_up[0] <= 7
    # label definitions GitHub created on the fly got their colour
    defs = run.gh.label_definitions()
    assert defs[f"🎪 🎯 {SHA7}"]["color"] == "0e8a16"  # green: the SHA serving it (written out)
    assert defs[f"🎪 🎯 {SHA7}"]["description"]
    assert run.sleeps == []
    summary = (run.tmp_path / "summary.md").read_text(encoding="utf-8")
    assert f"PR #{PR}" in summary and "http://10.0.0.5:8080" in summary
    assert doc is not None and doc["outcome"]["url"] == "http://10.0.0.5:8080"
    assert doc["audit"][-1]["result"] == "ok"


def test_start_by_a_reader_is_refused_and_the_label_removed(run: Scenario) -> None:
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    payload = pull_request("labeled", [L.START], label=L.START, sender="contributor")
    rc, _doc, _err = run.sync(payload)
    assert rc == 0
    assert run.stacks.ups == []
    assert L.START not in run.gh.labels_of(PR)
    [reply] = [c["body"] for c in run.gh.comments_of(PR)]
    assert "@contributor" in reply
    assert run.gh.deployments() == []


def test_start_when_that_sha_already_runs_deploys_nothing(run: Scenario) -> None:
    labels = [*running(SHA7), L.START]
    run.gh.add_pr(PR, head_sha=HEAD, labels=labels)
    rc, _doc, _err = run.sync(pull_request("labeled", labels, label=L.START))
    assert rc == 0
    assert run.stacks.ups == []
    assert set(run.gh.labels_of(PR)) == set(running(SHA7))


def test_two_sync_processes_racing_on_one_start_deploy_exactly_once(
    gh: GitHubServer, tmp_path: Path
) -> None:
    gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    event = tmp_path / "event.json"
    event.write_text(json.dumps(pull_request("labeled", [L.START], label=L.START)), "utf-8")
    journal = tmp_path / "journal"
    env = {
        **os.environ,
        "GITHUB_API_URL": gh.url,
        "GITHUB_TOKEN": gh.token,
        "GITHUB_REPOSITORY": gh.repo,
        "GITHUB_ACTOR": "maintainer",
        "SHOWTIME_TEST_JOURNAL": str(journal),
        "SHOWTIME_TEST_UP": "0.5",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("GITHUB_STEP_SUMMARY", None)
    args = [sys.executable, "-m", "tests.sync_runner", "sync", str(PR), "--json"]
    args += ["--event", str(event), "--event-name", "pull_request_target"]
    procs = [
        subprocess.Popen(
            args, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    assert journal.read_text().splitlines() == [f"up {STACK}"]
    assert f"🎪 {SHA7} 🚦 running" in gh.labels_of(PR)
    assert L.START not in gh.labels_of(PR)
    assert len(status_comments(gh)) == 1
    assert len(gh.deployments()) == 1
    # exactly one run won the DELETE of the trigger; the other got GitHub's 404
    deletes = [r.status for r in gh.requests if r.method == "DELETE" and r.path.endswith(L.START)]
    assert sorted(deletes) == [200, 404]


def test_a_fresh_claim_blocks_a_second_start(run: Scenario) -> None:
    claim = [
        *show_labels(SHA7, "building", created=datetime.now(UTC) - timedelta(minutes=5)),
        f"🎪 🏗️ {SHA7}",
    ]
    labels = [*claim, L.START]
    run.gh.add_pr(PR, head_sha=HEAD, labels=labels)
    rc, _doc, _err = run.sync(pull_request("labeled", labels, label=L.START))
    assert rc == 0
    assert run.stacks.ups == []
    assert set(run.gh.labels_of(PR)) == set(claim)


def test_a_stale_claim_is_reclaimed(run: Scenario) -> None:
    crashed = [
        *show_labels(SHA7, "building", created=datetime.now(UTC) - timedelta(hours=3)),
        f"🎪 🏗️ {SHA7}",
    ]
    labels = [*crashed, L.START]
    run.gh.add_pr(PR, head_sha=HEAD, labels=labels)
    rc, doc, _err = run.sync(pull_request("labeled", labels, label=L.START))
    assert rc == 0, doc
    assert run.stacks.ups == [STACK]
    assert f"🎪 {SHA7} 🚦 running" in run.gh.labels_of(PR)
    assert f"🎪 🏗️ {SHA7}" not in run.gh.labels_of(PR)


# -- push, freeze, blocked ---------------------------------------------------------------------


def test_push_rolls_forward_and_the_old_stack_goes_after_the_new_one_is_healthy(
    run: Scenario,
) -> None:
    old7 = OLD[:7]
    run.stacks.existing.add(f"pr-{PR}-{old7}")
    run.gh.add_pr(PR, head_sha=HEAD, labels=running(old7))
    order: list[str] = []
    run.stacks.on_up = lambda cfg: order.append(
        f"up {cfg.stack} with old {sorted(run.stacks.existing)}"
    )

    rc, doc, _err = run.sync(pull_request("synchronize", running(old7)))

    assert rc == 0, doc
    assert order == [f"up {STACK} with old {[f'pr-{PR}-{old7}']}"]
    assert run.stacks.destroyed == [f"pr-{PR}-{old7}"]
    labels = run.gh.labels_of(PR)
    assert f"🎪 🎯 {SHA7}" in labels and f"🎪 {SHA7} 🚦 running" in labels
    assert not any(old7 in n for n in labels)
    assert [s for s in states(run.gh)] == [["in_progress", "success"]]


def test_freeze_keeps_the_environment_on_push(run: Scenario) -> None:
    old7 = OLD[:7]
    labels = [*running(old7), L.FREEZE]
    run.gh.add_pr(PR, head_sha=HEAD, labels=labels)
    run.gh.reset_log()
    rc, _doc, _err = run.sync(pull_request("synchronize", labels))
    assert rc == 0
    assert run.stacks.ups == [] and run.stacks.destroyed == []
    assert set(run.gh.labels_of(PR)) == set(labels)


def test_blocked_pr_gets_no_operation_at_all(run: Scenario) -> None:
    labels = [L.BLOCKED, L.START]
    run.gh.add_pr(PR, head_sha=HEAD, labels=labels)
    rc, _doc, _err = run.sync(pull_request("labeled", labels, label=L.START))
    assert rc == 0
    assert run.stacks.ups == []
    assert L.BLOCKED in run.gh.labels_of(PR)
    assert run.gh.deployments() == []


# -- stop, close -------------------------------------------------------------------------------


def labels_at_each_destroy(run: Scenario) -> list[list[str]]:
    """The PR's labels as each stack destroy starts (filled as the run goes)."""
    seen: list[list[str]] = []
    real_destroy = run.stacks.destroy

    def destroy(pr: int, sha: str) -> None:
        seen.append(run.gh.labels_of(PR))
        real_destroy(pr, sha)

    run.stacks.destroy = destroy  # type: ignore[method-assign]
    return seen


def test_stop_destroys_marks_destroying_first_and_clears_every_showtime_label(
    run: Scenario,
) -> None:
    run.stacks.existing.add(STACK)
    labels = [*running(SHA7), L.STOP, "bug"]
    run.gh.add_pr(PR, head_sha=HEAD, labels=[*running(SHA7), "bug"])
    run.sync(pull_request("labeled", [L.START], label=L.START))  # no-op: no trigger
    run.gh.add_pr(PR, head_sha=HEAD, labels=labels)
    seen = labels_at_each_destroy(run)
    rc, doc, _err = run.sync(pull_request("labeled", labels, label=L.STOP))
    assert rc == 0, doc
    assert run.stacks.destroyed == [STACK]
    assert f"🎪 {SHA7} 🚦 destroying" in seen[0]
    assert run.gh.labels_of(PR) == ["bug"]
    [body] = status_comments(run.gh)
    assert "destroy" in body.lower() or "stop" in body.lower()


def test_close_tears_down_and_marks_the_deployment_inactive(run: Scenario) -> None:
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    run.sync(pull_request("labeled", [L.START], label=L.START))
    now_labels = run.gh.labels_of(PR)
    run.gh.set_state(PR, "closed")
    rc, doc, _err = run.sync(pull_request("closed", now_labels, state="closed", merged=True))
    assert rc == 0, doc
    assert run.stacks.destroyed == [STACK]
    assert run.gh.labels_of(PR) == []
    assert states(run.gh) == [["in_progress", "success", "inactive"]]
    assert len(status_comments(run.gh)) == 1  # edited in place, never a second one


def test_pr_closed_during_the_deploy_is_destroyed_not_left_running(run: Scenario) -> None:
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    run.stacks.on_up = lambda _cfg: run.gh.set_state(PR, "closed")
    rc, doc, _err = run.sync(pull_request("labeled", [L.START], label=L.START))
    assert rc == 0, doc
    assert run.stacks.ups == [STACK] and run.stacks.destroyed == [STACK]
    assert run.gh.labels_of(PR) == []
    assert states(run.gh) == [["in_progress", "inactive"]]


# -- failures ----------------------------------------------------------------------------------


def test_failed_deploy_keeps_the_previous_environment_active_and_exits_1(
    run: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_RUN_ID", "4242")
    old7 = OLD[:7]
    run.stacks.existing.add(f"pr-{PR}-{old7}")
    run.stacks.fail_up = "ECS service pr-1234 did not become stable"
    run.gh.add_pr(PR, head_sha=HEAD, labels=running(old7))
    rc, doc, _err = run.sync(pull_request("synchronize", running(old7)))
    assert rc == 1
    labels = set(run.gh.labels_of(PR))
    assert set(running(old7)) <= labels  # the old environment untouched and still 🎯
    assert f"🎪 {SHA7} 🚦 failed" in labels
    assert f"🎪 🏗️ {SHA7}" not in labels
    assert run.stacks.destroyed == []
    [body] = status_comments(run.gh)
    assert "did not become stable" in body and "could not connect to metadata db" in body
    assert "https://github.com/apache/superset/actions/runs/4242" in body  # the log link
    assert states(run.gh) == [["in_progress", "failure"]]
    assert doc is not None and doc["outcome"]["exit_code"] == 1


def test_a_502_on_reads_and_writes_is_retried_without_duplicates(run: Scenario) -> None:
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    run.gh.fail("GET", rf"/pulls/{PR}$", 502, times=1)
    run.gh.fail("POST", rf"/issues/{PR}/labels$", 502, times=1)
    # the comment POST lands on GitHub but the answer is a 502: it must not be posted twice
    run.gh.on(
        "POST",
        rf"/issues/{PR}/comments$",
        lambda _r: run.gh.add_comment(PR, f"{MARKER}\nposted", author="github-actions[bot]"),
    )
    run.gh.fail("POST", rf"/issues/{PR}/comments$", 502, times=1)
    rc, doc, _err = run.sync(pull_request("labeled", [L.START], label=L.START))
    assert rc == 0, doc
    assert run.stacks.ups == [STACK]
    assert f"🎪 {SHA7} 🚦 running" in run.gh.labels_of(PR)
    assert len(status_comments(run.gh)) == 1
    assert [
        r.status for r in run.gh.requests if r.method == "GET" and r.path.endswith(f"/pulls/{PR}")
    ][:2] == [502, 200]


def test_secondary_rate_limit_waits_retry_after_then_succeeds(run: Scenario) -> None:
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    limited = {"message": "You have exceeded a secondary rate limit. Please wait a few minutes."}
    run.gh.fail(
        "POST", rf"/issues/{PR}/labels$", 403, times=1, headers={"Retry-After": "7"}, body=limited
    )
    run.gh.fail("GET", rf"/pulls/{PR}$", 403, times=1, headers={"Retry-After": "1"}, body=limited)
    rc, doc, _err = run.sync(pull_request("labeled", [L.START], label=L.START))
    assert rc == 0, doc
    assert run.sleeps == [7.0]  # the write waited exactly what GitHub asked
    assert run.stacks.ups == [STACK]
    assert f"🎪 {SHA7} 🚦 running" in run.gh.labels_of(PR)


def test_a_rate_limit_longer_than_the_cap_fails_cleanly(run: Scenario) -> None:
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    limited = {"message": "You have exceeded a secondary rate limit."}
    run.gh.fail(
        "GET", r"/collaborators/", 403, times=1, headers={"Retry-After": "3600"}, body=limited
    )
    rc, _doc, err = run.sync(pull_request("labeled", [L.START], label=L.START))
    assert rc == 1
    last = err.strip().splitlines()[-1]  # (other tests may leave logging handlers around)
    assert last.startswith("showtime-iac: error: GitHub asks to wait 3600s")
    assert run.gh.labels_of(PR) == [L.START]  # nothing written
    assert run.stacks.ups == []


def test_a_422_from_a_concurrent_label_create_is_fine(run: Scenario) -> None:
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    exists = {
        "message": "Validation Failed",
        "errors": [{"resource": "Label", "code": "already_exists", "field": "name"}],
    }
    run.gh.fail("POST", rf"/issues/{PR}/labels$", 422, times=1, body=exists)
    rc, doc, _err = run.sync(pull_request("labeled", [L.START], label=L.START))
    assert rc == 0, doc
    assert f"🎪 {SHA7} 🚦 running" in run.gh.labels_of(PR)


def test_unknown_pr_is_a_clear_input_error(run: Scenario) -> None:
    rc, _doc, err = run.sync(None, pr=999)
    assert rc == 2
    assert "PR #999 not found in apache/superset" in err and "Traceback" not in err


def test_a_read_only_token_fails_before_anything_is_written(run: Scenario) -> None:
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    run.gh.read_only_tokens.add(run.gh.token)
    rc, _doc, err = run.sync(pull_request("labeled", [L.START], label=L.START))
    assert rc == 1
    assert "403" in err and "pull-requests: write" in err and "Traceback" not in err
    assert run.gh.labels_of(PR) == [L.START]
    assert run.stacks.ups == [] and run.gh.comments_of(PR) == [] and run.gh.deployments() == []


def test_no_token_names_the_variable_and_exits_2(
    run: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN")
    rc, _doc, err = run.sync(None)
    assert rc == 2 and "GITHUB_TOKEN" in err
    assert run.gh.requests == []


def test_a_bad_token_is_a_clear_error(run: Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_wrong")
    rc, _doc, err = run.sync(None)
    assert rc == 2 and "GITHUB_TOKEN" in err and "401" in err
    assert "ghp_wrong" not in err


@pytest.mark.parametrize("arg", ["abc", "12.5", "-3", "0"])
def test_a_pr_that_is_not_a_positive_int_exits_2(
    gh: GitHubServer, sleeps: list[float], arg: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sync", arg]) == 2
    assert gh.requests == []


# -- comments and budget -----------------------------------------------------------------------


def test_comment_command_extends_the_ttl(run: Scenario) -> None:
    run.gh.add_pr(PR, head_sha=HEAD, labels=running(SHA7))
    payload = issue_comment("/showtime extend 48h", running(SHA7), association="MEMBER")
    rc, doc, _err = run.sync(payload, name="issue_comment")
    assert rc == 0, doc
    [ttl] = [n for n in run.gh.labels_of(PR) if "⌛" in n]
    # 48 more hours from now: the environment is about an hour old, so its TTL is now 49-50h
    assert ttl.startswith((f"🎪 {SHA7} ⌛ idle 49h · max ", f"🎪 {SHA7} ⌛ idle 50h · max "))
    assert run.stacks.ups == []


def test_extend_and_keep_alive_refresh_the_stacks_audit_tags_without_an_up(run: Scenario) -> None:
    """``pulumi stack ls --tag showtime:expires-at=...`` follows the labels: the stack's
    lifetime tags are rewritten (metadata only), nothing is redeployed."""
    created = datetime.now(UTC) - timedelta(hours=1)
    labels = running(SHA7, created=created)
    run.gh.add_pr(PR, head_sha=HEAD, labels=labels)
    run.stacks.existing.add(STACK)
    rc, doc, _err = run.sync(issue_comment("/showtime extend 48h", labels), name="issue_comment")
    assert rc == 0, doc
    tags = run.stacks.tags[STACK]
    [ttl] = [n for n in run.gh.labels_of(PR) if "⌛" in n]
    hours = int(ttl.split("idle ", 1)[1].split("h", 1)[0])
    assert tags["showtime:ttl"] == f"{hours}h"
    expires = datetime.fromisoformat(tags["showtime:expires-at"].replace("Z", "+00:00"))
    assert expires == created.replace(second=0, microsecond=0) + timedelta(hours=hours)
    assert expires - datetime.now(UTC) >= timedelta(hours=47, minutes=55)
    assert tags["showtime:max-age-at"] != "never"
    labels = run.gh.labels_of(PR)
    rc, doc, _err = run.sync(issue_comment("/showtime keep-alive", labels), name="issue_comment")
    assert rc == 0 and run.stacks.tags[STACK]["showtime:expires-at"] == "never"
    assert run.stacks.tags[STACK]["showtime:ttl"] == "manual"
    assert run.stacks.ups == []


def test_a_sync_with_nothing_to_do_makes_no_request(run: Scenario) -> None:
    run.gh.add_pr(PR, head_sha=HEAD, labels=["bug"])
    rc, doc, _err = run.sync(pull_request("synchronize", ["bug"]))
    assert rc == 0 and doc is not None
    assert run.gh.requests == []
    rc, doc, _err = run.sync(pull_request("labeled", ["bug"], label="bug"))
    assert rc == 0 and run.gh.requests == []
    # without a payload: the one read of the PR, nothing else
    rc, doc, _err = run.sync(None)
    assert rc == 0 and len(run.gh.requests) == 1


def test_dry_run_writes_nothing(run: Scenario) -> None:
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    path = run.tmp_path / "e.json"
    path.write_text(json.dumps(pull_request("labeled", [L.START], label=L.START)), "utf-8")
    assert main(["sync", str(PR), "--event", str(path), "--dry-run", "--json"]) == 0
    doc = json.loads(run.capsys.readouterr().out)
    assert doc["dry_run"] is True and doc["plan"]["stacks"][0]["stack"] == STACK
    assert main(["sync", str(PR), "--dry-run", "--json"]) == 0
    assert all(r.method == "GET" for r in run.gh.requests)
    assert run.gh.labels_of(PR) == [L.START] and run.stacks.ups == []


def test_an_unexpected_crash_in_the_deploy_still_leaves_failed_not_a_stuck_claim(
    run: Scenario,
) -> None:
    def crash(_cfg: object) -> None:
        raise KeyError(
            "Credentials"
        )  # e.g. botocore or the engine failing in a way we did not foresee

    run.stacks.on_up = crash
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    rc, doc, _err = run.sync(pull_request("labeled", [L.START], label=L.START))
    assert rc == 1
    labels = run.gh.labels_of(PR)
    assert f"🎪 {SHA7} 🚦 failed" in labels and f"🎪 🏗️ {SHA7}" not in labels
    [body] = status_comments(run.gh)
    assert "KeyError" in body
    assert doc is not None and "KeyError" in doc["outcome"]["error"]


def test_a_prebuilt_image_from_the_workflow_is_deployed_as_is(
    run: Scenario,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    image = "123456789012.dkr.ecr.us-west-2.amazonaws.com/superset-ci@sha256:" + "ab" * 32
    monkeypatch.setenv("SHOWTIME_IMAGE", image)
    monkeypatch.setenv("SHOWTIME_IMAGE_SHA", HEAD)  # the push job's record: built from HEAD
    images: list[str | None] = []
    run.stacks.on_up = lambda cfg: images.append(cfg.image)
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    rc, doc, _err = run.sync(pull_request("labeled", [L.START], label=L.START))
    assert rc == 0, doc
    assert images == [image]


def test_a_malformed_prebuilt_image_is_refused_before_any_write(
    run: Scenario,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SHOWTIME_IMAGE", "evil image; rm -rf /")
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    rc, _doc, err = run.sync(pull_request("labeled", [L.START], label=L.START))
    assert rc == 2 and "invalid image" in err
    assert run.gh.labels_of(PR) == [L.START] and run.stacks.ups == []
    assert all(r.method == "GET" for r in run.gh.requests)


def test_a_missing_pulumi_cli_fails_before_the_claim(run: Scenario) -> None:
    from showtime_iac.adapters.stacks import EngineMissingError

    run.stacks.missing = EngineMissingError()
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    rc, _doc, err = run.sync(pull_request("labeled", [L.START], label=L.START))
    assert rc == 2 and "pulumi" in err.lower()  # a missing prerequisite
    assert run.gh.labels_of(PR) == [L.START]  # the trigger stays for the next run
    assert all(r.method == "GET" for r in run.gh.requests)
