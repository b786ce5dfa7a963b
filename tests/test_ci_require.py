"""CI's guard: with SHOWTIME_REQUIRE set, a skipped engine/superset/browser/registry test fails
the run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(tmp: Path, require: str | None) -> subprocess.CompletedProcess[str]:
    case = tmp / "tests" / "test_case.py"
    case.parent.mkdir(parents=True)
    (case.parent / "__init__.py").write_text("")
    (case.parent / "conftest.py").write_text((ROOT / "tests" / "conftest.py").read_text())
    (case.parent / "github_api_server.py").write_text("")
    (case.parent / "motoserver.py").write_text("")
    (case.parent / "registry_server.py").write_text("")
    case.write_text(
        "import shutil, pytest\n"
        "@pytest.mark.engine\n"
        "@pytest.mark.skipif(shutil.which('no-such-cli') is None, reason='cli missing')\n"
        "def test_engine(): pass\n"
        "@pytest.mark.registry\n"
        "@pytest.mark.skipif(shutil.which('no-such-crane') is None, reason='crane missing')\n"
        "def test_registry(): pass\n"
        "def test_other(): pytest.skip('not required')\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "SHOWTIME_REQUIRE"}
    if require is not None:
        env["SHOWTIME_REQUIRE"] = require
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            "-o",
            "markers=engine\n  registry",
            str(case),
        ],
        cwd=tmp,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("require", "rc", "summary"),
    [
        (None, 0, "3 skipped"),
        ("engine", 1, "2 skipped, 1 error"),
        ("registry", 1, "2 skipped, 1 error"),
        ("engine,registry", 1, "1 skipped, 2 errors"),
        ("superset,browser", 0, "3 skipped"),
    ],
)
def test_required_markers_may_not_skip(
    tmp_path: Path, require: str | None, rc: int, summary: str
) -> None:
    run = _run(tmp_path, require)
    assert run.returncode == rc, run.stdout
    assert summary in run.stdout.splitlines()[-1]
    if rc:
        for marker in require.split(","):
            assert f"SHOWTIME_REQUIRE={marker}: this test must run here" in run.stdout
