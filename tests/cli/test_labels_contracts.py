"""``labels setup`` and ``labels prune`` end to end (docs/cli.md): the real CLI over PyGithub's
transport against the GitHub test server. Each behaviour was checked by changing it and
watching the test fail (issue 29)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from showtime_iac.cli import main
from tests.doubles import against_server
from tests.github_api_server import GitHubServer

TRIGGERS = {
    "🎪 ⚡ showtime-trigger-start": (
        "0e8a16",
        "Start a preview environment for this PR (consumed by showtime-iac)",
    ),
    "🎪 🛑 showtime-trigger-stop": ("b60205", "Tear down this PR's preview environment"),
    "🎪 🧊 showtime-freeze": ("1d76db", "Keep the environment but stop auto-updates on push"),
    "🎪 🔒 showtime-blocked": ("5319e7", "Maintenance: showtime-iac does nothing on this PR"),
}


@pytest.fixture
def gh(ghserver: GitHubServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> GitHubServer:
    # the workflow's repository is another one: --repo must be what is used
    against_server(
        monkeypatch, {**ghserver.env(), "GITHUB_REPOSITORY": "other/elsewhere"}, tmp_path
    )
    return ghserver


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    capsys.readouterr()
    rc = main([*args, "--repo", "apache/superset", "--json"])
    out = capsys.readouterr().out
    return rc, json.loads(out) if out else {}


def results(doc: dict[str, Any]) -> dict[str, str]:
    return {r["name"]: r["result"] for r in doc["labels"]}


def test_setup_creates_the_four_triggers_then_leaves_them_then_restyles_one(
    gh: GitHubServer, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, doc = run(["labels", "setup"], capsys)
    assert rc == 0 and doc["dry_run"] is False
    assert results(doc) == dict.fromkeys(TRIGGERS, "created")
    assert [(r["color"], r["description"]) for r in doc["labels"]] == list(TRIGGERS.values())
    defs = gh.label_definitions()
    assert {n: (defs[n]["color"], defs[n]["description"]) for n in TRIGGERS} == TRIGGERS
    rc, doc = run(["labels", "setup"], capsys)
    assert rc == 0 and results(doc) == dict.fromkeys(TRIGGERS, "unchanged")
    gh.add_label_definition("🎪 🛑 showtime-trigger-stop", color="ededed", description="mine")
    rc, doc = run(["labels", "setup"], capsys)
    assert results(doc) == {
        **dict.fromkeys(TRIGGERS, "unchanged"),
        "🎪 🛑 showtime-trigger-stop": "updated",
    }
    stop = gh.label_definitions()["🎪 🛑 showtime-trigger-stop"]
    assert (stop["color"], stop["description"]) == TRIGGERS["🎪 🛑 showtime-trigger-stop"]


def test_setup_dry_run_asks_github_nothing(
    gh: GitHubServer, capsys: pytest.CaptureFixture[str]
) -> None:
    gh.reset_log()
    rc, doc = run(["labels", "setup", "--dry-run"], capsys)
    assert rc == 0 and doc["dry_run"] is True
    assert results(doc) == dict.fromkeys(TRIGGERS, "would create or update")
    assert gh.count("GET", r".*") == 0 and gh.count("POST", r".*") == 0
    assert gh.label_definitions() == {}


def test_prune_deletes_only_the_showtime_definitions_no_open_pr_uses(
    gh: GitHubServer, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("🎪 abc1234 🚦 running", "🎪 1111111 🚦 failed", "bug"):
        gh.add_label_definition(name)
    gh.add_pr(7, head_sha="abc1234" + "0" * 33, labels=["🎪 abc1234 🚦 running"])
    rc, doc = run(["labels", "prune", "--dry-run"], capsys)
    assert (rc, doc) == (0, {"dry_run": True, "deleted": ["🎪 1111111 🚦 failed"]})
    assert "🎪 1111111 🚦 failed" in gh.label_definitions()
    rc, doc = run(["labels", "prune"], capsys)
    assert (rc, doc) == (0, {"dry_run": False, "deleted": ["🎪 1111111 🚦 failed"]})
    assert sorted(gh.label_definitions()) == ["bug", "🎪 abc1234 🚦 running"]
