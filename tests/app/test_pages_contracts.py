"""Contracts of the ``dashboard`` command's files (pinned for issue 29): a cards file or a
cleanup report that cannot be read is one error naming the path and what went wrong, and a
file is read as UTF-8 whatever the machine's locale (``environments.json``, written in UTF-8
with its titles as they are, is itself an input)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from showtime_iac.adapters.stacks import PulumiDriver
from showtime_iac.app import wiring
from showtime_iac.app.pages import publish_dashboard, read_cleanup_report
from showtime_iac.cli import main
from showtime_iac.core.model import InputError
from tests.app.test_dashboard import live_repo  # noqa: F401  (fixture)
from tests.doubles import FakeEngine
from tests.github_api_server import GitHubServer

NOW = datetime(2026, 1, 15, 14, 30, tzinfo=UTC)


def test_a_missing_cards_file_is_one_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.json"
    with pytest.raises(InputError) as err:
        publish_dashboard(tmp_path / "site", missing, None, NOW)
    assert str(err.value) == f"cannot read {missing}: FileNotFoundError: check the path"
    assert not (tmp_path / "site").exists()


def test_a_cleanup_report_that_is_a_directory_is_one_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        read_cleanup_report(tmp_path)
    assert str(err.value) == (
        f"{tmp_path}: cannot read {tmp_path}: IsADirectoryError: check the path"
    )


def test_the_cards_file_is_read_as_utf8_under_an_ascii_locale(tmp_path: Path) -> None:
    src = tmp_path / "in.json"
    src.write_text('[{"pr": 5, "title": "café 🎪 preview"}]', encoding="utf-8")
    # the C locale without coercion to C.UTF-8 nor UTF-8 mode: Python's default encoding is ASCII
    env = os.environ | {"LC_ALL": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0"}
    args = ["dashboard", "--out", str(tmp_path / "site"), "--input", str(src)]
    done = subprocess.run(
        [sys.executable, "-m", "showtime_iac.cli", *args, "--now", "2026-01-15T14:30:00Z"],
        env=env,
        capture_output=True,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, b"")
    page = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "<h2>#5 café 🎪 preview</h2>" in page


# ------------------------------------------------ the files written and the live page (issue 29)


EXPECTED_JSON = """\
{
  "repo": "octo-org/widgets",
  "generated_at": "2026-01-15T14:30:00Z",
  "totals": {
    "environments": 1,
    "by_status": {
      "requested": 1
    },
    "hourly_cost": 0.0,
    "daily_cost": 0.0
  },
  "environments": [
    {
      "pr": 5,
      "title": "café 🎪 preview",
      "pr_url": "",
      "status": "requested",
      "active_sha": null,
      "building_sha": null,
      "url": null,
      "created": null,
      "ttl": null,
      "requester": null,
      "config": [],
      "hourly_cost": null,
      "picture": null,
      "phase": null
    }
  ]
}
"""


def test_the_files_are_utf8_the_json_indented_by_2_with_its_titles_as_they_are_and_the_repo(
    tmp_path: Path, ascii_locale: None, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in.json"
    src.write_text('[{"pr": 5, "title": "café 🎪 preview"}]', encoding="utf-8")
    out = tmp_path / "a" / "b" / "site"  # its parents do not exist yet
    args = ["--input", str(src), "--now", "2026-01-15T14:30:00Z", "--repo", "octo-org/widgets"]
    assert main(["dashboard", "--out", str(out), *args]) == 0
    assert (out / "environments.json").read_bytes() == EXPECTED_JSON.encode("utf-8")
    page = (out / "index.html").read_bytes().decode("utf-8")
    assert "<h2>#5 café 🎪 preview</h2>" in page
    assert '<p class="sub">Updated 2026-01-15 14:30 UTC · octo-org/widgets</p>' in page


def test_without_a_repo_the_json_has_no_repo_key(tmp_path: Path) -> None:
    src = tmp_path / "in.json"
    src.write_text('[{"pr": 5}]', encoding="utf-8")
    publish_dashboard(tmp_path / "site", src, None, NOW)
    doc = json.loads((tmp_path / "site" / "environments.json").read_text(encoding="utf-8"))
    assert list(doc) == ["generated_at", "totals", "environments"]
    page = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert '<p class="sub">Updated 2026-01-15 14:30 UTC</p>' in page


def test_the_live_page_without_a_token_is_the_whole_error(
    live_repo: GitHubServer,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN")
    assert main(["dashboard", "--out", str(tmp_path / "site"), "--repo", "a/b"]) == 2
    assert capsys.readouterr().err == (
        "showtime-iac: error: GITHUB_TOKEN is not set: export a token, or pass --input FILE\n"
    )
    assert live_repo.requests == [] and not (tmp_path / "site").exists()


def test_the_live_page_without_a_repository_is_the_whole_error(
    live_repo: GitHubServer,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("GITHUB_REPOSITORY")
    assert main(["dashboard", "--out", str(tmp_path / "site")]) == 2
    assert capsys.readouterr().err == (
        "showtime-iac: error: no repository: pass --repo OWNER/NAME or export GITHUB_REPOSITORY\n"
    )
    assert live_repo.requests == [] and not (tmp_path / "site").exists()


def test_the_live_page_reads_and_names_the_repo_given_not_the_environments(
    live_repo: GitHubServer,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GITHUB_REPOSITORY", "someone/elsewhere")
    out = tmp_path / "site"
    args = ["--repo", "apache/superset", "--now", "2026-01-15T14:30:00Z"]
    assert main(["dashboard", "--out", str(out), *args]) == 0
    doc = json.loads((out / "environments.json").read_text(encoding="utf-8"))
    assert doc["repo"] == "apache/superset"
    assert sorted(e["pr"] for e in doc["environments"]) == [42, 43]
    page = (out / "index.html").read_text(encoding="utf-8")
    assert '<p class="sub">Updated 2026-01-15 14:30 UTC · apache/superset</p>' in page
    assert live_repo.count("GET", r"/repos/apache/superset/pulls$") == 1


def test_the_live_page_links_each_environment_at_the_policys_port(
    live_repo: GitHubServer,  # noqa: F811
    tmp_path: Path,
) -> None:
    (tmp_path / "showtime.toml").write_text("port = 9000\n", encoding="utf-8")  # ./showtime.toml
    assert main(["dashboard", "--out", str(tmp_path / "site")]) == 0
    doc = json.loads((tmp_path / "site" / "environments.json").read_text(encoding="utf-8"))
    assert {e["pr"]: e["url"] for e in doc["environments"]} == {
        42: "http://10.0.0.9:9000",
        43: None,
    }


def test_the_live_page_shows_the_picture_and_phase_of_each_stacks_record(
    live_repo: GitHubServer,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine = FakeEngine()
    picture = "https://example.org/pr-42/abc1234.png"
    engine.add("pr-42-abc1234", tags={"showtime:picture": picture, "showtime:phase": "ready"})
    # PR 43 carries no 🎯/🏗️ pointer label: its card has no SHA, so no record is its own
    engine.add("pr-43-def5678", tags={"showtime:phase": "building"})

    def fake_open(project_dir: Any, on_output: Any = None, unlock: bool = False) -> PulumiDriver:
        return PulumiDriver(engine, env={"PULUMI_CONFIG_PASSPHRASE": "x"}, sleep=lambda _s: None)

    monkeypatch.setattr(wiring, "open_stacks", fake_open)
    monkeypatch.setattr(
        "showtime_iac.adapters.stacks.find_engine", lambda env=None: tmp_path / "pulumi"
    )
    assert main(["dashboard", "--out", str(tmp_path / "site")]) == 0
    doc = json.loads((tmp_path / "site" / "environments.json").read_text(encoding="utf-8"))
    assert {e["pr"]: (e["picture"], e["phase"]) for e in doc["environments"]} == {
        42: (picture, "ready"),
        43: (None, None),
    }
