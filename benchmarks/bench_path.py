"""Our part of the whole path, start label to URL, on the real components this machine has.

Run from the repo root (about 2 minutes on 2 cores):

    PATH="$(bash .ci/install-pulumi | tail -n1):$PATH" .venv/bin/python benchmarks/bench_path.py

Each row is a step of the showtime workflow as it runs now (issue 25), timed end to end with
the real code, the real Pulumi engine (``file://`` backend, the engine tests' stand-in program:
dynamic resources, so no AWS time) and real local servers for GitHub (tests/github_api_server.py)
and ECR (moto):

- **plan step**: the plan job's own ``run:`` block under bash (``showtime-iac plan``, the
  permission, the image lookup of a policy with no ``image_sources``), ``gh`` a stand-in;
- **sync --prepare**: the sync job's first step, beside the build (off the path);
- **image wait**: from the push job's success to the image printed (one look at the run's jobs,
  the tag's digest);
- **deploy (sync)**: the claim, the ``up`` of what the preparation left (task definition and
  service), the live checks (instant doubles: moto never starts a task), the labels, the comment.

What is not here and is in docs/benchmarks.md's phase table instead: runner starts and installs
(GitHub's), the build and the push (Docker, ECR), AWS's own time in each ``up``, the ENI and the
pull (Fargate), Superset's boot (benchmarks/bench_boot.py). Prints a table; exits 1 when a row
on the path is over its target.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import yaml  # type: ignore[import-untyped]  # noqa: E402

from benchmarks._targets import Target, load_average, verdict  # noqa: E402
from showtime_iac.app import wiring  # noqa: E402
from showtime_iac.cli import main  # noqa: E402
from showtime_iac.core import labels as L  # noqa: E402
from tests.adapters.stacks.engine_support import make_world  # noqa: E402
from tests.doubles import FakeLive, manifest  # noqa: E402
from tests.github_api_server import GitHubServer  # noqa: E402
from tests.motoserver import FAKE_ENV  # noqa: E402
from tests.payloads import HEAD, pull_request  # noqa: E402

PR, RUN = 1234, 4242
#: seconds each step on the path may take here (our code and the engine, no AWS time)
TARGETS = {"plan step": 10.0, "image wait": 2.0, "deploy (sync)": 30.0}


def _step(job: str, step_id: str) -> str:
    wf = yaml.safe_load((ROOT / ".github/workflows/showtime.yml").read_text(encoding="utf-8"))
    return str(next(s for s in wf["jobs"][job]["steps"] if s.get("id") == step_id)["run"])


def _timed(fn: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _cli(*argv: str) -> None:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        rc = main(list(argv))
    if rc != 0:
        raise SystemExit(f"showtime-iac {' '.join(argv)}: exit {rc}\n{err.getvalue()[-2000:]}")


def _plan_step(tmp: Path, event: Path) -> None:
    bindir = tmp / "bin"
    bindir.mkdir(exist_ok=True)
    (bindir / "gh").write_text("#!/bin/sh\necho write\n", encoding="utf-8")
    (bindir / "gh").chmod(0o755)
    env = {
        "PATH": f"{bindir}:{Path(sys.executable).parent}:/usr/bin:/bin",
        "HOME": str(tmp),
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_EVENT_NAME": "pull_request_target",
        "GITHUB_REPOSITORY": "apache/superset",
        "GITHUB_OUTPUT": str(tmp / "plan.out"),
        "PR": str(PR),
        "HEAD_SHA": HEAD,
        "ACTOR": "maintainer",
        "GH_TOKEN": "t",
    }
    done = subprocess.run(
        ["bash", "-c", _step("plan", "plan")], cwd=tmp, env=env, capture_output=True, check=False
    )
    if done.returncode != 0 or "build=true" not in (tmp / "plan.out").read_text("utf-8"):
        raise SystemExit(f"plan step failed: {done.stderr.decode()[-2000:]}")


def _one_run(root: Path, moto: str) -> dict[str, float]:
    """One start of PR 1234 through every step; seconds per step."""
    w = make_world(root, None)
    gh = GitHubServer()
    gh.start()
    try:
        for k, v in {**gh.env(), **FAKE_ENV, "AWS_ENDPOINT_URL": moto}.items():
            os.environ[k] = v
        os.environ.update(
            {"GITHUB_ACTOR": "maintainer", "GITHUB_RUN_ID": str(RUN), "ECR_REPOSITORY": "sc"}
        )
        os.environ["SHOWTIME_REQUIRE_IMAGE"] = "true"
        for var in ("SHOWTIME_IMAGE", "SHOWTIME_IMAGE_SHA", "SHOWTIME_DOMAIN", "SHOWTIME_POLICY"):
            os.environ.pop(var, None)
        os.chdir(w.root)
        gh.collaborators["maintainer"] = "write"
        gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
        event = w.root / "event.json"
        event.write_text(json.dumps(pull_request("labeled", [L.START], label=L.START)), "utf-8")
        ev = ["--event", str(event), "--event-name", "pull_request_target", "--json"]
        out = {"plan step": _timed(lambda: _plan_step(w.root, event))}
        out["sync --prepare"] = _timed(lambda: _cli("sync", str(PR), "--prepare", *ev))
        import boto3

        ecr = boto3.client("ecr", endpoint_url=moto, region_name="us-west-2")
        ecr.create_repository(repositoryName="sc")
        tag = f"sti-pr-{PR}-{HEAD[:7]}"
        ecr.put_image(repositoryName="sc", imageManifest=manifest(str(root)), imageTag=tag)
        gh.run_jobs[RUN] = [
            {"name": "push image to ECR", "status": "completed", "conclusion": "success"}
        ]
        buf = io.StringIO()

        def wait() -> None:
            with redirect_stdout(buf), redirect_stderr(io.StringIO()):
                assert main(["image", "wait", str(PR), "--sha", HEAD, "--json"]) == 0

        out["image wait"] = _timed(wait)
        found = json.loads(buf.getvalue())
        os.environ["SHOWTIME_IMAGE"], os.environ["SHOWTIME_IMAGE_SHA"] = found["image"], HEAD
        out["deploy (sync)"] = _timed(lambda: _cli("sync", str(PR), *ev))
        if not any("🚦 running" in n for n in gh.labels_of(PR)):
            raise SystemExit(f"the deploy did not end running: {gh.labels_of(PR)}")
        return out
    finally:
        gh.stop()
        os.chdir(ROOT)


def main_() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--max-total", type=float, default=30.0, help="target for the steps on the path, s"
    )
    args = parser.parse_args()
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    live = FakeLive()
    real = wiring.open_ports

    def open_ports(settings: Any, *, repo: str | None = None, policy: Any = None) -> Any:
        ports = real(settings, repo=repo, policy=policy)
        return wiring.Ports(github=ports.github, stacks=ports.stacks, live=live)  # type: ignore[arg-type]

    wiring.open_ports = open_ports  # type: ignore[assignment]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    runs: list[dict[str, float]] = []
    try:
        for i in range(args.runs):
            with tempfile.TemporaryDirectory() as tmp:
                subprocess.run(
                    ["curl", "-s", "-X", "POST", f"http://{host}:{port}/moto-api/reset"],
                    check=False,
                    capture_output=True,
                )
                runs.append(_one_run(Path(tmp) / f"run{i}", f"http://{host}:{port}"))
    finally:
        server.stop()
    head = "our part of the path, real engine (stand-in resources)"
    print(f"{head}, {args.runs} runs; {load_average()}")
    print(f"{'step':<18} {'median s':>9} {'max s':>7} {'on the path':>12} {'target':>7}")
    print("-" * 58)
    targets: list[Target] = []
    total = 0.0
    for name in runs[0]:
        values = [r[name] for r in runs]
        med = statistics.median(values)
        limit = TARGETS.get(name)
        mark = "-"
        if limit is not None:
            t = Target(name, med, limit)
            targets.append(t)
            mark = t.mark()
            total += med
        on_path = "yes" if limit is not None else "no (beside)"
        print(f"{name:<18} {med:>9.2f} {max(values):>7.2f} {on_path:>12} {mark:>7}")
    whole = Target("on the path", total, args.max_total)
    print(f"{'on the path':<18} {total:>9.2f} {'':>7} {'':>12} {whole.mark():>7}")
    return verdict([*targets, whole])


if __name__ == "__main__":
    sys.exit(main_())
