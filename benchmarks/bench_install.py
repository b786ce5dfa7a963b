"""README command 1's install on a fresh machine: wall time and venv size, printed as a table.

Run on demand:  .venv/bin/python benchmarks/bench_install.py [--pip]

Each row starts from nothing in a temporary directory: a new venv (`python3 -m venv`), the
pinned uv from PyPI, then `uv sync --locked` of this checkout's lock with an EMPTY uv cache
(a fresh machine: every wheel downloaded), then the same again with the cache the first row
filled (a machine that installed before). With --pip, also the same pins installed by pip
(`uv export` of the lock, `pip install --require-hashes --no-cache-dir`), the way the install
worked before the lock (≈ 1 min here, 2 min 50 s on the machine issue 24 was measured on).
Targets: 30 s cold, 15 s warm, 800 MB of venv. Exit 1 when a row is over its target.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _targets import Target, load_average, verdict

ROOT = Path(__file__).resolve().parents[1]
UV_PIN = re.search(r'required-version = "==([0-9.]+)"', (ROOT / "pyproject.toml").read_text())


def _size_mb(path: Path) -> float:
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            p = Path(dirpath, name)
            if not p.is_symlink():
                total += p.stat().st_size
    return total / 1e6


def _project_copy(tmp: Path) -> Path:
    """The files `uv sync` reads, copied: the checkout's own .venv is never touched."""
    dest = tmp / "project"
    dest.mkdir()
    for name in ("pyproject.toml", "uv.lock", "README.md"):
        shutil.copy(ROOT / name, dest / name)
    shutil.copytree(ROOT / "showtime_iac", dest / "showtime_iac")
    return dest


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> None:
    subprocess.run(cmd, cwd=cwd, env=env, check=True, capture_output=True, timeout=900)


def install_uv(tmp: Path, cache: Path) -> tuple[float, float]:
    project = _project_copy(tmp)
    env = {**os.environ, "UV_CACHE_DIR": str(cache), "PIP_NO_CACHE_DIR": "1"}
    assert UV_PIN is not None
    start = time.perf_counter()
    _run([sys.executable, "-m", "venv", ".venv"], project, env)
    _run([".venv/bin/pip", "install", "-q", f"uv=={UV_PIN.group(1)}"], project, env)
    _run([".venv/bin/uv", "sync", "--locked"], project, env)
    took = time.perf_counter() - start
    return took, _size_mb(project / ".venv")


def install_pip(tmp: Path) -> tuple[float, float]:
    project = _project_copy(tmp)
    reqs = tmp / "requirements.txt"
    uv = Path(sys.executable).with_name("uv")
    export = [str(uv), "export", "--quiet", "--locked", "--all-groups", "--no-emit-project",
              "--project", str(project), "--output-file", str(reqs)]  # fmt: skip
    _run(export, project, dict(os.environ))
    env = {**os.environ, "PIP_NO_CACHE_DIR": "1"}
    start = time.perf_counter()
    _run([sys.executable, "-m", "venv", ".venv"], project, env)
    _run([".venv/bin/pip", "install", "-q", "--require-hashes", "-r", str(reqs)], project, env)
    _run([".venv/bin/pip", "install", "-q", "--no-deps", "-e", "."], project, env)
    took = time.perf_counter() - start
    return took, _size_mb(project / ".venv")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pip", action="store_true", help="also the same pins by pip")
    args = parser.parse_args()
    rows: list[tuple[str, float, float]] = []
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        cache = tmp / "uv-cache"
        (tmp / "cold").mkdir()
        rows.append(("uv sync --locked, empty cache", *install_uv(tmp / "cold", cache)))
        (tmp / "warm").mkdir()
        rows.append(("uv sync --locked, warm cache", *install_uv(tmp / "warm", cache)))
        if args.pip:
            (tmp / "pip").mkdir()
            rows.append(("pip --require-hashes, no cache", *install_pip(tmp / "pip")))
    print(f"README command 1's install ({load_average()})")
    print(f"{'install':<34} {'seconds':>8} {'venv MB':>8}")
    for name, took, size in rows:
        print(f"{name:<34} {took:>8.1f} {size:>8.0f}")
    cold, warm = rows[0], rows[1]
    return verdict(
        [
            Target("install, empty cache", cold[1], 30),
            Target("install, warm cache", warm[1], 15),
            Target("venv size", cold[2], 800, "MB"),
        ]
    )


if __name__ == "__main__":
    raise SystemExit(main())
