"""``plan`` (docs/cli.md): the policy file and the event name it is given decide, and its input
errors say what to pass. Offline, the real CLI in process. Each behaviour was checked by
changing it and watching the test fail (issue 29)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from showtime_iac.cli import main

ROOT = Path(__file__).resolve().parents[2]
START = ROOT / "examples" / "pr-labeled-start.json"
NOW = "2026-01-15T14:30:00Z"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, Any, str]:
    capsys.readouterr()
    rc = main(["plan", "--now", NOW, *args])
    out, err = capsys.readouterr()
    return rc, json.loads(out) if out.strip() else None, err


@pytest.fixture(autouse=True)
def _no_workflow(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in ("GITHUB_EVENT_PATH", "GITHUB_EVENT_NAME", "SHOWTIME_POLICY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)  # no ./showtime.toml


def test_the_policy_file_decides_the_lifetime_of_a_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "p.toml"
    policy.write_text('default_ttl = "48h"\nmax_age = "3d"\n')
    rc, doc, _ = run(["--event", str(START), "--policy", str(policy), "--json"], capsys)
    assert rc == 0
    assert "🎪 abc1234 ⌛ idle 48h · max 2026-01-18T14-30" in doc["add_labels"]
    rc, doc, _ = run(["--event", str(START), "--json"], capsys)  # the defaults
    assert "🎪 abc1234 ⌛ idle 24h · max 2026-01-22T14-30" in doc["add_labels"]


def test_the_event_name_comes_from_the_workflow_when_not_given(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A pull_request payload read as another event (the workflow says which) is not a start."""
    monkeypatch.setenv("GITHUB_EVENT_NAME", "schedule")
    rc, doc, err = run(["--event", str(START), "--json"], capsys)
    assert (rc, doc) == (2, None)
    assert "schedule event names no pull request: plan needs one (use cleanup)" in err
    monkeypatch.setenv("GITHUB_EVENT_NAME", "pull_request")
    rc, doc, _ = run(["--event", str(START), "--json"], capsys)
    assert rc == 0 and doc["intent"] == "start"


def test_input_errors_say_what_to_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, _, err = run([], capsys)
    assert rc == 2
    assert err == "showtime-iac: error: no event: pass --event PATH or set GITHUB_EVENT_PATH\n"
    dispatch = tmp_path / "dispatch.json"
    dispatch.write_text(json.dumps({"inputs": {"pr_number": "1234"}, "sender": {"login": "m"}}))
    rc, _, err = run(["--event", str(dispatch), "--event-name", "workflow_dispatch"], capsys)
    assert rc == 2
    assert err == (
        "showtime-iac: error: workflow_dispatch without inputs.sha: plan is offline; use sync\n"
    )
    inputs = {"pr_number": "1234", "sha": "abc1234" + "0" * 33, "action": "sync"}
    dispatch.write_text(json.dumps({"inputs": inputs, "sender": {"login": "m"}}))
    rc, doc, _ = run(
        ["--event", str(dispatch), "--event-name", "workflow_dispatch", "--json"], capsys
    )
    assert rc == 0 and doc["pr"] == 1234


def test_a_comment_is_planned_for_the_commit_the_workflow_resolved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A comment names no commit: the plan job's ``SHOWTIME_SHA`` says which one it is about."""
    from tests.core.test_planner import running
    from tests.payloads import issue_comment

    event = tmp_path / "comment.json"
    event.write_text(json.dumps(issue_comment("/showtime refresh", running())))
    args = ["--event", str(event), "--event-name", "issue_comment", "--json"]
    monkeypatch.setenv("SHOWTIME_SHA", "1234567890ABCDEF1234567890abcdef12345678")
    rc, doc, _ = run(args, capsys)
    assert rc == 0
    assert (doc["intent"], doc["sha"]) == ("update", "1234567")
    assert doc["stacks"][0] == {"action": "up", "stack": "pr-1234-1234567", "when": "now"}
    monkeypatch.delenv("SHOWTIME_SHA")
    rc, doc, _ = run(args, capsys)
    assert (rc, doc["intent"], doc["stacks"]) == (0, "none", [])
    assert doc["reasons"] == ["the PR's head SHA is unknown (not in a comment payload)"]
