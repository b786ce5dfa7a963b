"""Cold start of `showtime-iac --help` and `plan` (median of N runs), printed as a table.

Run on demand:  .venv/bin/python benchmarks/bench_startup.py [--runs 20] [--original]

Each command runs once to warm the file cache and to write the bytecode cache (with
PYTHONDONTWRITEBYTECODE unset: an installed package has its .pyc files, an editable checkout
gets them on first use), then N times; the median wall time of the N is compared with the
target (`--target`, default 0.15 s), and the median CPU time (user + system) is shown beside
it. Exit 1 when a median is over its target. The header names the load average: on a shared
machine, run it a few times.

With --original, also times the original Superset Showtime (`showtime --help`) when it is
installed in a scratch venv given by $ORIGINAL_VENV (e.g. /tmp/orig); that row has no target.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _targets import Target, load_average, verdict

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 0.15
PLAN_EVENT = "examples/pr-labeled-start.json"


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def medians(cmd: list[str], runs: int) -> tuple[float, float]:
    """Median wall and CPU (user + system) seconds of ``runs`` runs of ``cmd``, after one
    warm-up run that may write bytecode; every run must pass. CPU time is less sensitive to a
    busy machine."""
    warm = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(cmd, cwd=ROOT, capture_output=True, check=True, env=warm)
    wall, cpu = [], []
    for _ in range(runs):
        start, cpu0 = time.perf_counter(), _cpu()
        subprocess.run(cmd, cwd=ROOT, capture_output=True, check=True)
        wall.append(time.perf_counter() - start)
        cpu.append(_cpu() - cpu0)
    return statistics.median(wall), statistics.median(cpu)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--target", type=float, default=TARGET_S, help="seconds (median)")
    parser.add_argument("--original", action="store_true")
    args = parser.parse_args()
    exe = shutil.which("showtime-iac", path=str(Path(sys.executable).parent)) or "showtime-iac"
    rows = [
        ("python -c pass (the floor)", [sys.executable, "-c", "pass"]),
        ("showtime-iac --help", [exe, "--help"]),
        ("showtime-iac plan (example event)", [exe, "plan", "--event", PLAN_EVENT, "--json"]),
    ]
    orig = os.environ.get("ORIGINAL_VENV")
    if args.original and orig:
        rows.append(("original: showtime --help", [f"{orig}/bin/showtime", "--help"]))
    print(f"median of {args.runs} runs, bytecode cached; {load_average()}")
    print(f"{'command':<36} {'median (s)':>10} {'cpu (s)':>8} {'target':>7}")
    print("-" * 68)
    targets = []
    for name, cmd in rows:
        wall, cpu = medians(cmd, args.runs)
        if name.startswith(("original", "python")):
            print(f"{name:<36} {wall:>10.3f} {cpu:>8.3f} {'-':>7}")
            continue
        target = Target(name, round(wall, 3), args.target)
        targets.append(target)
        print(f"{name:<36} {wall:>10.3f} {cpu:>8.3f} {args.target:>7.2f}  {target.mark()}")
    return verdict(targets)


if __name__ == "__main__":
    sys.exit(main())
