"""Boot of the rendered `medium` task with a real Superset: seconds from the task's start to
/health OK and to a logged-in page, and the CPU seconds it took, printed as a table.

Run on demand (needs the Superset venv of the contract test):
    export SHOWTIME_SUPERSET_VENV="$(bash .ci/install-superset | tail -n 1)"
    .venv/bin/python benchmarks/bench_boot.py [--runs 3] [--unbaked] [--target 60]

First the image's bake step (`bake.Dockerfile`'s RUN, into a temporary $SUPERSET_HOME: once per
image, at build time), then N starts of the task definition the real program renders for the
default environment (medium: 1 vCPU, 2 GiB, one gunicorn worker, examples on), each from a fresh
copy of the baked home, with the command, environment and secrets ECS would give it
(tests/superset/container.py). Each start is timed to the first GET /health == OK (polled every
0.1 s) and to the welcome page served to the admin after a login through the login form with
the secret password. CPU seconds are the task's process tree's (the boot step, gunicorn and its
worker) at the moment the page was served: on Fargate one vCPU is one hyperthread, so they are
the floor of the start's wall time there. With --unbaked, one more start from an empty home
(an image that was not baked: the command's fallback runs the whole sequence, examples
included). The target applies to the median start → /health of the baked image (issue 25:
≤ 60 s). Exit 1 when it is over, 2 when the Superset venv is missing.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _targets import Target, load_average, verdict  # noqa: E402

from showtime_iac.core.model import EnvConfig  # noqa: E402
from tests.superset.container import (  # noqa: E402
    bake,
    rendered_superset_container,
    run_container,
    stop,
    wait_healthy,
    web_login,
)
from tests.superset.harness import INSTALL_COMMAND, VENV_ENV_VAR, venv_from_env  # noqa: E402

TARGET_S = 60.0
SHA = "abc1234def5678abc1234def5678abc1234def56"
CFG = EnvConfig(pr=1234, sha=SHA)  # the defaults: medium, examples on
_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Start:
    health_s: float
    login_s: float
    cpu_s: float
    boot: str  # the boot step's plan, as it logs it


def tree_cpu(root: int) -> float:
    """CPU seconds of a process tree: every live process's own and its reaped children's
    (the boot step, reaped by bash, is in the times of the gunicorn that bash exec'd into)."""
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        stats[int(entry)] = fields
        children.setdefault(int(fields[1]), []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, ()))
        if pid in stats:  # utime stime cutime cstime: fields 14-17 of stat, 11-14 after comm
            total += sum(int(x) for x in stats[pid][11:15])
    return total / _TICKS


def one_start(home: Path | None, workdir: Path, timeout: float) -> Start:
    value = {
        "SUPERSET_SECRET_KEY": secrets.token_urlsafe(48),
        "ADMIN_PASSWORD": secrets.token_urlsafe(24),
    }
    container = rendered_superset_container(CFG)
    proc, port, log = run_container(container, value, workdir, home)
    t0 = time.monotonic()  # the copy of the image's home is done: the command just started
    try:
        health = wait_healthy(proc, port, log, timeout=timeout, poll=0.1)
        while not web_login(port, "admin", value["ADMIN_PASSWORD"]):
            if time.monotonic() - t0 > timeout:
                raise AssertionError("the admin never got the welcome page")
            time.sleep(0.1)
        login = time.monotonic() - t0
        cpu = tree_cpu(proc.pid)
    finally:
        stop(proc)
    prefixes = ("showtime-iac boot: baked image: ", "showtime-iac boot: not baked: ")
    lines = log.read_text(errors="replace").splitlines()
    plan = next((line[19:] for line in lines if line.startswith(prefixes)), "?")
    return Start(health, login, cpu, plan)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--unbaked", action="store_true", help="also start an image not baked")
    parser.add_argument("--target", type=float, default=TARGET_S, help="seconds (median)")
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args()
    if venv_from_env() is None:
        sys.stderr.write(
            f"bench_boot: no Superset venv: "
            f'export {VENV_ENV_VAR}="$({INSTALL_COMMAND} | tail -n 1)"\n'
        )
        return 2
    with tempfile.TemporaryDirectory(prefix="bench-boot-") as tmp:
        image = Path(tmp) / "image" / "superset_home"
        t0 = time.monotonic()
        bake_cpu = bake(image)
        bake_s = time.monotonic() - t0
        starts = [one_start(image, Path(tmp) / f"task{i}", args.timeout) for i in range(args.runs)]
        fallback = one_start(None, Path(tmp) / "unbaked", args.timeout) if args.unbaked else None

    print(f"Superset 6.1.0, rendered medium task (1 worker), examples on; {load_average()}")
    print(f"bake (once per image, at build time): {bake_s:.1f} s, {bake_cpu:.1f} CPU-s")
    print(f"{'start':<26} {'/health s':>9} {'logged in s':>11} {'CPU-s':>6} {'target':>7}")
    print("-" * 66)
    for i, s in enumerate(starts, 1):
        print(
            f"{f'baked image, run {i}':<26} {s.health_s:>9.1f} {s.login_s:>11.1f} {s.cpu_s:>6.1f}"
        )
    median = statistics.median(s.health_s for s in starts)
    target = Target("baked image start to /health (median)", round(median, 1), args.target)
    login = statistics.median(s.login_s for s in starts)
    cpu = statistics.median(s.cpu_s for s in starts)
    print(
        f"{'baked image, median':<26} {median:>9.1f} {login:>11.1f} {cpu:>6.1f} "
        f"{args.target:>7.0f}  {target.mark()}"
    )
    if fallback is not None:
        print(
            f"{'not baked (fallback)':<26} {fallback.health_s:>9.1f} {fallback.login_s:>11.1f} "
            f"{fallback.cpu_s:>6.1f} {'-':>7}"
        )
    print(f"\nboot step: {starts[0].boot}")
    if fallback is not None:
        print(f"fallback:  {fallback.boot}")
    return verdict([target])


if __name__ == "__main__":
    sys.exit(main())
