"""The lock is the install: uv.lock must agree with pyproject.toml, and uv notices when not.

`uv sync --locked` (README command 1, `.ci/run`) refuses a lock that pyproject.toml has moved
away from; these tests run the real uv of the locked dev group against the real files, and
against a copy with one specifier changed, so a lock check that stopped checking would fail.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UV = Path(sys.executable).with_name("uv")

pytestmark = pytest.mark.skipif(not UV.exists(), reason="uv is in the dev group: uv sync --locked")


def _check(project: Path, *, offline: bool = True) -> subprocess.CompletedProcess[str]:
    flags = ["--offline"] if offline else []
    return subprocess.run(
        [str(UV), "lock", "--check", *flags, "--project", str(project)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def _copy(tmp_path: Path) -> Path:
    for name in ("pyproject.toml", "uv.lock", "README.md"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def test_the_lock_agrees_with_pyproject(tmp_path: Path) -> None:
    done = _check(_copy(tmp_path))
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('"rich>=13",', '"rich>=13.1",'),  # a runtime range moved
        ('"zizmor>=1.0",', '"zizmor>=1.1",'),  # a linter's floor raised
        ('"mkdocs>=1.6",', '"mkdocs>=1.6.1",'),  # the docs group
    ],
)
def test_a_pyproject_the_lock_does_not_match_is_refused(tmp_path: Path, old: str, new: str) -> None:
    project = _copy(tmp_path)
    text = (project / "pyproject.toml").read_text(encoding="utf-8")
    assert old in text
    (project / "pyproject.toml").write_text(text.replace(old, new), encoding="utf-8")
    done = _check(project)
    if "network was disabled" in done.stderr:
        # a fresh machine: `uv sync --locked` caches no index pages, so uv could not re-resolve
        # the changed range offline; once online (as `uv sync --locked` itself runs), which
        # fills the cache, so the next run of this test stays offline
        done = _check(project, offline=False)
    assert done.returncode != 0
    assert "needs to be updated" in done.stderr, done.stderr


def test_every_tool_ci_runs_is_locked() -> None:
    """The linters, type checker and test runner CI calls are packages of the lock."""
    lock = (ROOT / "uv.lock").read_text(encoding="utf-8")
    for name in ("ruff", "mypy", "zizmor", "import-linter", "pytest", "mkdocs", "moto", "uv"):
        assert f'\nname = "{name}"\nversion = "' in lock, name


def test_the_pulumi_cli_is_the_version_of_the_locked_sdk() -> None:
    """The action's and the engine job's Pulumi CLI is exactly the locked `pulumi` package's
    version (.ci/install-pulumi builds the same one), never a range a release can move."""
    import re

    import yaml  # type: ignore[import-untyped]

    lock = (ROOT / "uv.lock").read_text(encoding="utf-8")
    locked = re.search(r'\nname = "pulumi"\nversion = "([0-9.]+)"', lock)
    assert locked
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["inputs"]["pulumi-version"]["default"] == locked.group(1)
    ci = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8"))
    versions = [
        s["with"]["pulumi-version"]
        for job in ci["jobs"].values()
        for s in job["steps"]
        if s.get("uses", "").startswith("pulumi/actions@")
    ]
    assert versions == [locked.group(1)]


def _pins(text: str) -> dict[str, str]:
    import re

    found = re.findall(r"^([A-Za-z0-9_.-]+)==([^\s;\\]+)", text, re.M)
    return {re.sub(r"[-_.]+", "-", name).lower(): version for name, version in found}


def test_the_superset_lock_holds_every_pin_with_its_hashes() -> None:
    """tests/superset/requirements.lock is requirements.txt compiled with hashes: the same
    version of every package the .txt pins, and a hash under every package."""
    folder = ROOT / "tests" / "superset"
    wanted = _pins((folder / "requirements.txt").read_text(encoding="utf-8"))
    lock = (folder / "requirements.lock").read_text(encoding="utf-8")
    locked = _pins(lock)
    assert wanted and {k: locked.get(k) for k in wanted} == wanted
    blocks = [b for b in lock.split("\n") if "==" in b and not b.startswith("#")]
    assert len(blocks) == len(locked)
    assert lock.count("--hash=sha256:") >= len(locked)
