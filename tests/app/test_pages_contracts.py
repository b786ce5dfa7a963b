"""Contracts of the ``dashboard`` command's files (pinned for issue 29): a cards file or a
cleanup report that cannot be read is one error naming the path and what went wrong, and a
file is read as UTF-8 whatever the machine's locale (``environments.json``, written in UTF-8
with its titles as they are, is itself an input)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from showtime_iac.app.pages import publish_dashboard, read_cleanup_report
from showtime_iac.core.model import InputError

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
