"""The benchmarks fail when over their target (issue 18): a slow figure is an exit code 1,
not a table that exits 0."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def bench_startup(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_startup.py"), "--runs", "1", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_startup_over_its_target_exits_1() -> None:
    done = bench_startup("--target", "0.0001")
    assert done.returncode == 1, done.stderr
    over = [line for line in done.stderr.splitlines() if line.startswith("over target: ")]
    assert [line.split(":")[1].strip() for line in over] == [
        "showtime-iac --help",
        "showtime-iac plan (example event)",
    ]
    assert done.stdout.count("OVER") == 2 and "load average" in done.stdout


def test_startup_within_its_target_exits_0() -> None:
    done = bench_startup("--target", "60")
    assert done.returncode == 0, done.stderr
    assert done.stderr == "" and done.stdout.count("  ok") == 2
    assert "median of 1 runs, bytecode cached" in done.stdout
