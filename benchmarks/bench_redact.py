"""Redaction of hostile log lines (core/proof.py ``redact``), which a PR's code can print.

Run on demand:  .venv/bin/python benchmarks/bench_redact.py [--chars 20000] [--target 1.0]

Each row is one line without spaces of about ``--chars`` characters, of a shape that made the
patterns backtrack before ``e126fb0`` (20,000 characters took 100 s; a run of secret words
more than 5 minutes): the time to redact it, best of three. Exit 1 when a row is over
``--target`` seconds (the failure comment redacts every log line before cutting it).
"""

from __future__ import annotations

import argparse
import time

from _targets import Target, load_average, verdict

from showtime_iac.core.proof import redact


def _lines(chars: int) -> dict[str, str]:
    return {
        "one character": "x" * chars,
        "dotted name": "a." * (chars // 2),
        "secret words": "secret" * (chars // 6),
        "URL-ish": "a+b-" * (chars // 4),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=20_000)
    parser.add_argument("--target", type=float, default=1.0, help="seconds per line")
    args = parser.parse_args(argv)
    rows: list[Target] = []
    for name, line in _lines(args.chars).items():
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            redact(line)
            best = min(best, time.perf_counter() - start)
        rows.append(Target(f"{name} ({len(line):,} chars)", round(best, 4), args.target))
    print(f"redact, best of 3 ({load_average()})")
    print(f"{'line':32s} {'seconds':>9s} {'target':>7s}")
    for r in rows:
        print(f"{r.name:32s} {r.value:9.4f} {r.limit:7.2f}  {r.mark()}")
    return verdict(rows)


if __name__ == "__main__":
    raise SystemExit(main())
