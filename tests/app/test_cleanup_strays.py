"""The cleanup's stray sweep: an open PR's stacks that none of its labels references (a run
killed between its deploy and its labels, two pushes racing) are destroyed, and the PR's
environment and labels stay as they are. Run end to end: ``showtime-iac cleanup`` against the
GitHub test server, with the stack double."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from showtime_iac.app.cleanup import sweep
from showtime_iac.cli import main
from showtime_iac.core import labels as L
from showtime_iac.core.model import PrInfo
from showtime_iac.core.plan import StackOp
from tests.doubles import FakeLive, FakeStacks, against_server, use_doubles
from tests.github_api_server import GitHubServer

SERVING = "abc1234" + "0" * 33
STRAY = "def5678" + "1" * 33


def serving_labels() -> list[str]:
    created = L.format_timestamp(datetime.now(UTC) - timedelta(hours=1))
    return [
        "🎪 abc1234 🚦 running",
        "🎪 🎯 abc1234",
        f"🎪 abc1234 📅 {created}",
        "🎪 abc1234 ⌛ 24h",
        "🎪 abc1234 👤 maintainer",
    ]


class FailingDestroy(FakeStacks):
    """A destroy that crashes the way a botocore or engine error does (not our error type)."""

    def destroy(self, pr: int, sha: str) -> None:
        raise RuntimeError("engine exited 255")


def without_time(line: dict[str, Any]) -> dict[str, Any]:
    assert isinstance(datetime.strptime(line["time"], "%Y-%m-%dT%H:%M:%SZ"), datetime)
    return {k: v for k, v in line.items() if k != "time"}


def cleanup(
    ghserver: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    stacks: FakeStacks,
    labels: list[str],
    *args: str,
) -> tuple[int, dict[str, Any]]:
    ghserver.add_pr(5, head_sha=SERVING, labels=labels)
    stacks.existing |= {"pr-5-abc1234", "pr-5-def5678"}
    against_server(monkeypatch, ghserver.env(), tmp_path)
    use_doubles(monkeypatch, stacks, FakeLive())
    ghserver.reset_log()
    capsys.readouterr()
    rc = main(["cleanup", "--json", "--no-orphans", *args])
    return rc, json.loads(capsys.readouterr().out)


def test_a_stack_no_label_references_is_destroyed_and_the_environment_stays(
    ghserver: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    stacks = FakeStacks()
    rc, doc = cleanup(ghserver, monkeypatch, tmp_path, capsys, stacks, serving_labels())
    assert rc == 0
    assert stacks.destroyed == ["pr-5-def5678"]
    assert stacks.existing == {"pr-5-abc1234"}
    # the serving environment's labels, and nothing else on the PR, are left alone
    assert sorted(ghserver.labels_of(5)) == sorted(serving_labels())
    assert [r for r in ghserver.requests if r.method != "GET"] == []
    [item] = [i for i in doc["items"] if i["pr"] == 5]
    assert item["action"] == "destroy"
    assert item["stacks"] == ["pr-5-def5678"]
    assert "no label references pr-5-def5678" in item["reason"]
    # the run's audit trail: one line for the destroy, by the cleanup
    assert [without_time(a) for a in doc["audit"]] == [
        {
            "actor": "showtime-cleanup",
            "pr": 5,
            "sha": None,
            "action": "destroy",
            "result": "ok",
            "reason": "pr-5-def5678: no label referenced it",
        }
    ]


def test_a_dry_run_names_the_stray_and_destroys_nothing(
    ghserver: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    stacks = FakeStacks()
    rc, doc = cleanup(
        ghserver, monkeypatch, tmp_path, capsys, stacks, serving_labels(), "--dry-run"
    )
    assert rc == 0
    assert stacks.destroyed == []
    [item] = [i for i in doc["items"] if i["pr"] == 5]
    assert (item["action"], item["stacks"], item["result"]) == (
        "destroy",
        ["pr-5-def5678"],
        "planned",
    )
    assert "audit" not in doc  # nothing was carried out


def test_a_blocked_pr_keeps_even_its_stray_stacks(
    ghserver: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    stacks = FakeStacks()
    rc, _doc = cleanup(
        ghserver,
        monkeypatch,
        tmp_path,
        capsys,
        stacks,
        [*serving_labels(), "🎪 🔒 showtime-blocked"],
    )
    assert rc == 0
    assert stacks.destroyed == []
    assert stacks.existing == {"pr-5-abc1234", "pr-5-def5678"}


def test_a_failed_stray_destroy_is_reported_and_the_labels_stay(
    ghserver: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    stacks = FailingDestroy()
    rc, doc = cleanup(ghserver, monkeypatch, tmp_path, capsys, stacks, serving_labels())
    assert rc == 1
    assert stacks.existing == {"pr-5-abc1234", "pr-5-def5678"}
    assert sorted(ghserver.labels_of(5)) == sorted(serving_labels())
    [item] = [i for i in doc["items"] if i["pr"] == 5]
    assert item["result"] == "failed: RuntimeError: engine exited 255"
    assert [without_time(a) for a in doc["audit"]] == [
        {
            "actor": "showtime-cleanup",
            "pr": 5,
            "sha": None,
            "action": "destroy",
            "result": "failed",
            "reason": "pr-5-def5678: RuntimeError: engine exited 255",
        }
    ]


def test_a_dry_runs_label_prune_keeps_the_labels_of_a_pr_whose_stray_it_would_sweep(
    ghserver: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The sweep leaves the PR's environment serving, so its labels stay in use: the
    preview prunes none of them."""
    rc, doc = cleanup(
        ghserver, monkeypatch, tmp_path, capsys, FakeStacks(), serving_labels(), "--dry-run"
    )
    assert rc == 0
    assert doc["pruned_labels"] == []


def test_the_sweeps_plan_destroys_each_stray_by_its_own_sha_and_carries_the_label_warnings() -> (
    None
):
    """The plan itself (what ``plan``/``cleanup --json`` rows are built from): one destroy per
    unreferenced stack, under that stack's SHA, every stray named in the reason, and the
    warnings the PR's labels raised kept with it."""
    labels = (*serving_labels(), "🎪 abc1234 ⌛ 48h")
    pr = PrInfo(number=5, state="open", head_sha=SERVING, labels=labels)
    names = ["pr-5-abc1234", "pr-5-def5678", "pr-5-0a1b2c3", "pr-6-def5678"]
    [item] = sweep([pr], names, datetime.now(UTC))
    assert item.plan.intent == "sweep"
    assert item.plan.stacks == (
        StackOp("destroy", "pr-5-def5678", "def5678"),
        StackOp("destroy", "pr-5-0a1b2c3", "0a1b2c3"),
    )
    assert item.plan.reasons == (
        "no label references pr-5-def5678, pr-5-0a1b2c3",
        "destroy pr-5-def5678",
        "destroy pr-5-0a1b2c3",
    )
    assert item.plan.warnings == (
        "abc1234: conflicting ttl labels (24h, 48h): using the safest of each part "
        "(the shortest TTL, the earliest max age)",
    )
