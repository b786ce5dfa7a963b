"""The cleanup's row for each prepared stack of an open PR, pinned whole (issue 29): a stack
prepared by a run that is gone (older than two hours, no label claims it) is destroyed, a
young one is kept and says why. The real CLI over PyGithub against the GitHub test server;
the stacks behind FakeStacks."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from showtime_iac.cli import main
from tests.doubles import FakeLive, FakeStacks, against_server, use_doubles
from tests.github_api_server import GitHubServer

OLD, YOUNG = "pr-7-abc1234", "pr-8-def5678"


@dataclass
class PreparedStacks(FakeStacks):
    """Stacks a `sync --prepare` made, with the time each was prepared."""

    prepared_at: dict[str, datetime] = field(default_factory=dict)
    destroyed_prepared: list[tuple[int, str]] = field(default_factory=list)

    def prepared_stacks(self, names: Any) -> dict[str, datetime | None]:
        return {n: at for n, at in self.prepared_at.items() if n in names}

    def destroy_prepared(self, pr: int, sha7: str) -> str | None:
        self.destroyed_prepared.append((pr, sha7))
        return None


def _cleanup(
    gh: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp: Path,
    capsys: pytest.CaptureFixture[str],
    stacks: PreparedStacks,
) -> tuple[int, dict[str, Any]]:
    """``cleanup --json`` with PRs 7 and 8 open and ``stacks`` behind the stack port."""
    gh.add_pr(7, head_sha="abc1234" + "0" * 33)
    gh.add_pr(8, head_sha="def5678" + "0" * 33)
    against_server(monkeypatch, gh.env(), tmp)
    use_doubles(monkeypatch, stacks, FakeLive())
    capsys.readouterr()
    rc = main(["cleanup", "--json", "--no-orphans", "--no-prune-labels"])
    return rc, json.loads(capsys.readouterr().out)


def test_a_gone_runs_prepared_stack_is_destroyed_and_a_young_one_kept_each_with_its_row(
    ghserver: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    now = datetime.now(UTC)
    stacks = PreparedStacks(existing={OLD, YOUNG})
    stacks.prepared_at = {OLD: now - timedelta(hours=3), YOUNG: now - timedelta(minutes=10)}
    rc, doc = _cleanup(ghserver, monkeypatch, tmp_path, capsys, stacks)
    assert rc == 0, doc
    rows = [i for i in doc["items"] if i["pr"] in (7, 8) and i["stacks"]]
    reasons = [row.pop("reason") for row in rows]  # the ages they give: checked below
    assert rows == [
        {
            "pr": 7,
            "state": "open",
            "action": "destroy",
            "stacks": [OLD],
            "result": "destroyed",
        },
        {
            "pr": 8,
            "state": "open",
            "action": "keep",
            "stacks": [YOUNG],
            "result": "planned",
        },
    ]
    assert re.fullmatch(r"prepared 10 min( [0-9]+ s)? ago: its image may build", reasons[1])
    assert reasons[0].startswith("prepared 3 h "), reasons[0]
    assert stacks.destroyed_prepared == [(7, "abc1234")] and stacks.destroyed == []


def test_a_prepared_stack_that_cannot_be_destroyed_is_a_failed_row(
    ghserver: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from showtime_iac.core.model import ShowtimeError

    stacks = PreparedStacks(existing={OLD})
    stacks.prepared_at = {OLD: datetime.now(UTC) - timedelta(hours=3)}

    def locked(pr: int, sha7: str) -> str | None:
        raise ShowtimeError(f"pr-{pr}-{sha7} is locked by another update")

    monkeypatch.setattr(stacks, "destroy_prepared", locked)
    rc, doc = _cleanup(ghserver, monkeypatch, tmp_path, capsys, stacks)
    [row] = [i for i in doc["items"] if i["stacks"] == [OLD]]
    assert row["result"] == "failed: pr-7-abc1234 is locked by another update"
    assert rc == 1
