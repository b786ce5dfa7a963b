"""``refresh-commit``'s refusals of a comment time it cannot read, pinned whole (issue 29): the
time is quoted (at most its first 40 characters) so the workflow's log names what was wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from showtime_iac.cli.main import main
from tests import payloads as P
from tests.github_api_server import GitHubServer

__all__: list[str] = []


def refused(
    ghserver: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    created_at: str,
) -> str:
    for name, value in ghserver.env().items():
        monkeypatch.setenv(name, value)
    ghserver.add_pr(1234, head_sha="a" * 40)
    payload = P.issue_comment("/showtime refresh", [])
    payload["comment"]["created_at"] = created_at
    event = tmp_path / "e.json"
    event.write_text(json.dumps(payload), encoding="utf-8")
    capsys.readouterr()
    assert main(["refresh-commit", "1234", "--event", str(event)]) == 2
    return capsys.readouterr().err


def test_a_time_that_is_no_iso_time_is_quoted_cut_at_40_characters(
    ghserver: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    err = refused(ghserver, monkeypatch, tmp_path, capsys, "yesterday, " + "y" * 60)
    assert f"the comment's created_at 'yesterday, {'y' * 29}' is no ISO 8601 time" in err, err


def test_a_time_without_a_zone_is_quoted_whole(
    ghserver: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    err = refused(ghserver, monkeypatch, tmp_path, capsys, "2026-01-15T14:30:00")
    assert "the comment's created_at '2026-01-15T14:30:00' has no time zone" in err, err
