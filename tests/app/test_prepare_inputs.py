"""What ``sync --prepare`` reads before it prepares anything (issue 29): a token, the
workflow's actor (whose permission decides), the policy file it is given and the event name
it is told. Dry runs through the real CLI over PyGithub against the GitHub test server, the
stacks behind FakeStacks (the engine tests prepare for real: test_prepare.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from showtime_iac.cli import main
from showtime_iac.core import labels as L
from tests.app.test_queue_sync import OTHER
from tests.app.test_sync import PR, SHA7, STACK, Scenario, running
from tests.payloads import HEAD, issue_comment, pull_request


def _prepare(
    run: Scenario, *args: str, payload: dict[str, Any] | None = None
) -> tuple[int, Any, str]:
    argv = ["sync", str(PR), "--prepare", "--dry-run", "--json", *args]
    if payload is not None:
        path = run.tmp_path / "event.json"
        path.write_text(json.dumps(payload), encoding="utf-8")
        argv += ["--event", str(path)]
    run.capsys.readouterr()
    rc = main(argv)
    out = run.capsys.readouterr()
    return rc, json.loads(out.out) if rc == 0 else None, out.err


def test_without_a_token_nothing_is_read_and_the_message_says_what_to_set(
    run: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN")
    rc, _doc, err = _prepare(run)
    assert rc == 2
    assert err == (
        "showtime-iac: error: sync --prepare reads the PR and the actor's permission: "
        "set GITHUB_TOKEN\n"
    )
    assert run.gh.requests == []


def test_the_workflows_actor_is_whose_permission_decides(
    run: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START], labels_by="maintainer")
    monkeypatch.setenv("GITHUB_ACTOR", "maintainer")
    rc, doc, err = _prepare(run)
    assert rc == 0, err
    assert (doc["prepared"], doc["stack"], doc["reason"]) == (
        True,
        STACK,
        "would prepare (dry run)",
    )
    monkeypatch.delenv("GITHUB_ACTOR")
    rc, doc, err = _prepare(run)
    assert rc == 0, err
    assert (doc["prepared"], doc["reason"]) == (
        False,
        "@unknown has 'none' access: nothing prepared",
    )


def test_the_policy_file_given_decides_the_plan(run: Scenario) -> None:
    """A fleet of one that PR 1 fills: the plan is to queue, so nothing is prepared."""
    run.gh.add_pr(1, head_sha=OTHER, labels=running("2222222"))
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START], labels_by="maintainer")
    policy = run.tmp_path / "fleet-of-one.toml"
    policy.write_text("max_environments = 1\n", encoding="utf-8")
    payload = pull_request("labeled", [L.START], label=L.START)
    rc, doc, err = _prepare(run, "--event-name", "pull_request_target", payload=payload)
    assert rc == 0 and doc["prepared"] is True, err
    rc, doc, err = _prepare(
        run, "--policy", str(policy), "--event-name", "pull_request_target", payload=payload
    )
    assert rc == 0, err
    assert (doc["prepared"], doc["reason"]) == (
        False,
        "the plan prepares nothing (queue: start requested)",
    )


def test_the_event_name_option_wins_over_the_environments(
    run: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_EVENT_NAME", "pull_request_target")
    labels = running(SHA7)
    run.gh.add_pr(PR, head_sha=HEAD, labels=labels)
    payload = issue_comment("/showtime status", labels)
    rc, doc, err = _prepare(run, "--event-name", "issue_comment", payload=payload)
    assert rc == 0, err
    assert doc["prepared"] is False
