"""The dashboard read from GitHub with forged dates in its labels (issue 26, item 6):
``📅 9999-…`` crashed it; now the date is ignored and the page is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from showtime_iac.cli import main
from tests.github_api_server import GitHubServer


@pytest.mark.parametrize("forged", ["9999-12-31T23-59", "1970-01-01T00-00"])
def test_the_dashboard_ignores_a_forged_date(
    ghserver: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    forged: str,
) -> None:
    labels = [
        "🎪 abc1234 🚦 running",
        "🎪 🎯 abc1234",
        f"🎪 abc1234 📅 {forged}",
        f"🎪 abc1234 ⌛ idle 24h · max {forged}",
        f"🎪 abc1234 ⚠️ {forged}",
    ]
    ghserver.add_pr(42, head_sha="abc1234" + "0" * 33, labels=labels)
    for k, v in ghserver.env().items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("SHOWTIME_POLICY", raising=False)
    monkeypatch.chdir(tmp_path)
    rc = main(["dashboard", "--out", str(tmp_path / "site"), "--json"])
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    (env,) = json.loads(captured.out)["environments"]
    assert env["pr"] == 42 and env["status"] == "running" and env["created"] is None
    assert (tmp_path / "site" / "index.html").is_file()
