"""The docs site builds with --strict, the README's links resolve, and its two commands are
the ones CI runs."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from tests.docs.markers import BIN, ROOT, blocks

README = ROOT / "README.md"
_LINK = re.compile(r"\]\(([^)\s]+)\)")


def test_mkdocs_build_strict(tmp_path: Path) -> None:
    proc = subprocess.run(
        [str(BIN / "mkdocs"), "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    for page in ("index", "getting-started/index", "commands/plan/index", "architecture/index"):
        assert (tmp_path / "site" / f"{page}.html").is_file()


def test_readme_links_resolve() -> None:
    targets = _LINK.findall(README.read_text(encoding="utf-8"))
    local = [t for t in targets if not t.startswith(("http://", "https://", "#", "mailto:"))]
    assert local, "the README links into docs/"
    missing = [t for t in local if not (ROOT / t.split("#", 1)[0]).exists()]
    assert not missing, f"README.md links to missing files: {missing}"


def test_readme_two_commands_are_what_ci_runs() -> None:
    bash = [b.body for b in blocks(README) if b.info == "bash"]
    install_and_run, tests = bash[0][0], bash[1][0]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    # command 1: venv, the pinned uv, exactly the lock, then the main job
    venv, uv, sync, job = (part.strip() for part in install_and_run.split("&&"))
    assert venv == "python3 -m venv .venv" and '"$PY" -m venv .venv' in ci
    assert uv in ci and sync in ci and job in ci
    assert sync == ".venv/bin/uv sync --locked"
    # command 2: the test suite, exactly as CI runs it
    assert tests in ci


def test_one_uv_version_everywhere() -> None:
    """README command 1, the dev group and `[tool.uv] required-version` name one uv."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pinned = project["tool"]["uv"]["required-version"].removeprefix("==")
    assert f"uv=={pinned}" in project["dependency-groups"]["dev"]
    readme = README.read_text(encoding="utf-8")
    assert f"pip install -q uv=={pinned} && " in readme
    for path in (".ci/run", "action.yml", ".github/workflows/ci.yml"):
        text = (ROOT / path).read_text(encoding="utf-8")
        assert set(re.findall(r"uv==([0-9.]+)", text)) == {pinned}, path


_PATH = re.compile(
    r"`((?:tests|benchmarks|showtime_iac|examples|stacks|docs|\.ci|\.github)/[^`\s]*)`"
)
GENERATED = (".ci/node_modules",)  # made by `npm ci`, not in the repository


def test_paths_the_docs_name_exist() -> None:
    # files move (tests mirror the packages): a page that names a moved file is stale
    missing = []
    for page in [README, *sorted((ROOT / "docs").rglob("*.md"))]:
        for path in _PATH.findall(page.read_text(encoding="utf-8")):
            plain = path.split("#", 1)[0].split("::", 1)[0]
            if any(c in plain for c in "<>*{}") or plain.startswith(GENERATED):
                continue  # a pattern, not a file
            if not (ROOT / plain).exists():
                missing.append(f"{page.relative_to(ROOT)}: {path}")
    assert not missing, "the docs name files that do not exist: " + ", ".join(missing)
