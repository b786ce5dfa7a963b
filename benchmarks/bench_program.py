"""Time to evaluate one environment stack under Pulumi mocks, and the cold start of the
offline render, printed as a table (median of N runs).

Run on demand:  .venv/bin/python benchmarks/bench_program.py [--runs 10]

Rows:
- evaluation, first in process: imports of pulumi_aws/pulumi_docker modules included;
- evaluation, warm: median of N further ``render_offline`` calls in the same process;
- cold subprocess: a fresh interpreter importing the program and printing ``format_render``;
- ``showtime-iac up 1234 --sha SHA --dry-run``: the whole CLI, when that command exists.

Targets (issue 5): evaluation ≤ 1 s; whole `up --dry-run` ≤ 3 s. Exit 1 when a row is over
its target (or could not be measured).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _targets import Target, load_average, verdict

ROOT = Path(__file__).resolve().parents[1]
SHA = "abc1234def5678abc1234def5678abc1234def56"
RENDER_SNIPPET = (
    "from showtime_iac.core.model import EnvConfig;"
    "from showtime_iac.program import evaluate_offline, format_render;"
    f"o = evaluate_offline(EnvConfig(pr=1234, sha='{SHA}', cache_redis=True));"
    "print(format_render(o.resources, o.outputs, stack=o.stack, placeholders=o.placeholders))"
)


def median_subprocess(cmd: list[str], runs: int) -> float | None:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            return None
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()

    from showtime_iac.core.model import EnvConfig
    from showtime_iac.program import render_offline

    cfg = EnvConfig(pr=1234, sha=SHA, cache_redis=True, flags=(("ALERTS", True),))
    start = time.perf_counter()
    render_offline(cfg)
    first = time.perf_counter() - start
    warm = []
    for _ in range(args.runs):
        start = time.perf_counter()
        render_offline(cfg)
        warm.append(time.perf_counter() - start)

    rows: list[tuple[str, float | None, float]] = [
        ("evaluate env stack, first in process", first, 1.0),
        (f"evaluate env stack, warm (median of {args.runs})", statistics.median(warm), 1.0),
        (
            "cold subprocess: render_offline + print",
            median_subprocess([sys.executable, "-c", RENDER_SNIPPET], max(3, args.runs // 2)),
            3.0,
        ),
    ]
    exe = shutil.which("showtime-iac", path=str(Path(sys.executable).parent))
    if exe:
        up = median_subprocess(
            [exe, "up", "1234", "--sha", SHA, "--dry-run"], max(3, args.runs // 2)
        )
        rows.append(("showtime-iac up 1234 --sha SHA --dry-run", up, 3.0))

    print(load_average())
    print(f"{'what':<48} {'seconds':>8} {'target':>7}")
    print("-" * 71)
    targets = []
    for name, seconds, limit in rows:
        target = Target(name, seconds, limit)
        targets.append(target)
        shown = f"{seconds:.3f}" if seconds is not None else "n/a"
        print(f"{name:<48} {shown:>8} {limit:>7.2f}  {target.mark()}")
    return verdict(targets)


if __name__ == "__main__":
    sys.exit(main())
