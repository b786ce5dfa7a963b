"""The example payloads in examples/ do what the docs say they do (through the real CLI entry)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from showtime_iac.cli import main
from tests.docs.markers import ROOT, doc_files, markers

EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
NOW = "2026-01-15T14:30:00Z"


def plan(name: str, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    assert main(["plan", "--event", f"examples/{name}", "--now", NOW, "--json"]) == 0
    result: dict[str, Any] = json.loads(capsys.readouterr().out)
    return result


@pytest.fixture(autouse=True)
def _in_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    for name in ("GITHUB_EVENT_NAME", "GITHUB_EVENT_PATH", "SHOWTIME_POLICY"):
        monkeypatch.delenv(name, raising=False)


def test_same_repo_push_rolls_forward(capsys: pytest.CaptureFixture[str]) -> None:
    p = plan("pr-synchronize-same-repo.json", capsys)
    assert p["skipped"] is None and p["intent"] == "update" and p["sha"] == "def5678"
    assert p["stacks"] == [
        {"action": "up", "stack": "pr-1234-def5678", "when": "now"},
        {"action": "destroy", "stack": "pr-1234-abc1234", "when": "after_healthy"},
    ]
    assert "🎪 def5678 🚦 building" in p["add_labels"]
    assert "🎪 🎯 abc1234" not in p["remove_labels"]  # the old SHA serves until the new is healthy


def test_fork_push_waits_for_a_maintainer(capsys: pytest.CaptureFixture[str]) -> None:
    p = plan("pr-synchronize-fork.json", capsys)
    assert p["stacks"] == [] and p["add_labels"] == [] and p["remove_labels"] == []
    assert p["skipped"] and p["skipped"].startswith("fork PR")


def test_the_two_pushes_differ_only_in_where_the_head_lives() -> None:
    same, fork = (
        json.loads((ROOT / "examples" / n).read_text(encoding="utf-8"))
        for n in ("pr-synchronize-same-repo.json", "pr-synchronize-fork.json")
    )
    assert same["after"] == fork["after"] == same["pull_request"]["head"]["sha"]
    assert same["pull_request"]["labels"] == fork["pull_request"]["labels"]
    base = same["pull_request"]["base"]["repo"]["full_name"]
    assert same["pull_request"]["head"]["repo"]["full_name"] == base
    assert fork["pull_request"]["head"]["repo"]["full_name"] != base


def test_comment_extend_sets_the_ttl_from_now(capsys: pytest.CaptureFixture[str]) -> None:
    p = plan("comment-extend.json", capsys)
    # created 2026-01-15T10:00, now 14:30: 48h from now is 52.5h after creation, rounded up;
    # the max age, 7 days from that 📅, is written down with it
    assert p["add_labels"] == ["🎪 abc1234 ⌛ idle 53h · max 2026-01-22T10-00"]
    assert p["remove_labels"] == ["🎪 abc1234 ⌛ 24h"]
    assert p["stacks"] == [] and "48h" in p["comment"]


def test_comment_wake_brings_the_sleeping_stack_back_on_its_own_image(
    capsys: pytest.CaptureFixture[str],
) -> None:
    p = plan("comment-wake.json", capsys)
    assert p["intent"] == "wake"
    assert p["stacks"] == [{"action": "up", "stack": "pr-1234-abc1234", "when": "now"}]
    assert "🎪 abc1234 🚦 waking" in p["add_labels"]
    assert "🎪 abc1234 🚦 sleeping" in p["remove_labels"]
    assert "🎪 🎯 abc1234" not in p["remove_labels"]  # it keeps serving the PR's address


def test_start_and_close(capsys: pytest.CaptureFixture[str]) -> None:
    start = plan("pr-labeled-start.json", capsys)
    assert start["stacks"] == [{"action": "up", "stack": "pr-1234-abc1234", "when": "now"}]
    assert "🎪 ⚡ showtime-trigger-start" in start["remove_labels"]
    close = plan("pr-closed.json", capsys)
    assert close["stacks"] == [{"action": "destroy", "stack": "pr-1234-abc1234", "when": "now"}]
    assert close["add_labels"] == [] and "🎪 🎯 abc1234" in close["remove_labels"]


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_every_example_is_shown_in_the_docs(example: Path) -> None:
    commands = [mk.command for f in doc_files() for mk in markers(f)]
    assert any(f"examples/{example.name}" in c for c in commands), (
        f"{example.name} is in no docs output block"
    )
