"""Cold start of `showtime-iac --help` and `plan` (median of N runs), printed as a table.

Run on demand:  .venv/bin/python benchmarks/bench_startup.py [--runs 10] [--original]

With --original, also times the original Superset Showtime (`showtime --help`) when it is
installed in a scratch venv given by $ORIGINAL_VENV (e.g. /tmp/orig).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 0.15


def median_seconds(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--original", action="store_true")
    args = parser.parse_args()
    exe = shutil.which("showtime-iac", path=str(Path(sys.executable).parent)) or "showtime-iac"
    rows = [
        ("showtime-iac --help", [exe, "--help"]),
        (
            "showtime-iac plan (example event)",
            [exe, "plan", "--event", "examples/pr-labeled-start.json", "--json"],
        ),
    ]
    orig = os.environ.get("ORIGINAL_VENV")
    if args.original and orig:
        rows.append(("original: showtime --help", [f"{orig}/bin/showtime", "--help"]))
    print(f"{'command':<40} {'median (s)':>10} {'target':>8}")
    print("-" * 60)
    for name, cmd in rows:
        t = median_seconds(cmd, args.runs)
        target = f"{TARGET_S:.2f}" if not name.startswith("original") else "-"
        print(f"{name:<40} {t:>10.3f} {target:>8}")


if __name__ == "__main__":
    main()
