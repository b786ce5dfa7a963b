"""Our own overhead in the stack driver (no engine time): `list` of 200 stacks and `up`.

Run on demand from the repo root:  .venv/bin/python benchmarks/bench_stacks.py [--runs 20]

The engine is the test double of tests/doubles.py (zero latency), so every millisecond
printed is ours: listing parses one `pulumi stack ls` result and reads the file backend's tag
files; `up` builds config and tags. Target (issue 6): at most 0.3 s per operation (exit 1 when
over). The real engine's numbers are printed by `pytest -m engine`
(tests/adapters/stacks/test_engine.py).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _targets import Target, load_average, verdict  # noqa: E402

from showtime_iac.adapters.stacks import PulumiDriver  # noqa: E402
from showtime_iac.core.model import EnvConfig  # noqa: E402
from tests.doubles import FakeEngine  # noqa: E402

TARGET_S = 0.3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--stacks", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine = FakeEngine(backend_url=f"file://{tmp}")
        tagdir = Path(tmp) / ".pulumi" / "stacks" / "showtime-iac"
        tagdir.mkdir(parents=True)
        for pr in range(1, args.stacks + 1):
            name = f"pr-{pr}-abc1234"
            engine.add(name)
            tags = {"version": 1, "tags": {"showtime:pr": str(pr), "showtime:ttl": "24h"}}
            (tagdir / f"{name}.pulumi-tags").write_text(json.dumps(tags))
        driver = PulumiDriver(engine, env={"PULUMI_CONFIG_PASSPHRASE": "x"})
        rows = []
        for label, op in (
            (f"list ({args.stacks} stacks)", driver.list),
            ("up (new stack)", lambda: driver.up(EnvConfig(pr=99999, sha="abc1234"))),
        ):
            times = []
            for _ in range(args.runs):
                engine.calls.clear()
                engine.stacks.pop("pr-99999-abc1234", None)
                t0 = time.perf_counter()
                op()
                times.append(time.perf_counter() - t0)
            calls = len(engine.calls)
            rows.append((label, statistics.median(times), calls))
    print(load_average())
    limit = f"target ≤ {TARGET_S * 1000:.0f} ms"
    print(f"{'operation':<22} {'median ms':>10} {'engine calls':>13}  {limit}")
    targets = []
    for label, s, calls in rows:
        target = Target(label, s, TARGET_S)
        targets.append(target)
        print(f"{label:<22} {s * 1000:>10.2f} {calls:>13}  {target.mark()}")
    return verdict(targets)


if __name__ == "__main__":
    sys.exit(main())
