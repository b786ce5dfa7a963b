"""The stack driver on the real Pulumi engine: our overhead per engine call, ``list`` of 300
stacks on the file and the S3 (moto) backends, and ``cleanup`` destroying 30 expired stacks
in parallel against one by one. Prints a table; exits 1 when a target is missed.

Run from the repo root (about 3 minutes on 2 cores):

    PATH="$(bash .ci/install-pulumi | tail -n1):$PATH" .venv/bin/python benchmarks/bench_engine.py

The engine runs the engine tests' program (tests/adapters/stacks/engine_program.py: dynamic
resources, a fake cloud of JSON files) through the same driver the product uses. The many
stacks of ``list`` and ``cleanup`` are made from one real stack: its state and tag files are
copied under new names into the backend (a file directory, or objects in moto's bucket), as
the CLI would have written them; ``up`` of 300 stacks would take 20 minutes and measure
nothing more. ``cleanup`` runs the real command (``showtime-iac cleanup``, in-process) against
the GitHub test server (tests/github_api_server.py) with 30 closed PRs, once with
``SHOWTIME_CLEANUP_WORKERS=1`` and once with the default 4.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
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

from showtime_iac.adapters import stacks as S  # noqa: E402
from showtime_iac.app import wiring  # noqa: E402
from showtime_iac.core.model import resource_tags  # noqa: E402
from tests.adapters.stacks.engine_support import World, cfg, make_world  # noqa: E402

OVERHEAD_TARGET_S = 0.3  # per engine call
LIST_TARGET_S = 3.0
PROJECT_STACKS = ".pulumi/stacks/showtime-iac"
Row = tuple[str, str, str, str]  # what, measured, target, verdict


def _ok(ok: bool) -> str:
    return "ok" if ok else "OVER"


def bench_overhead(world: World) -> list[Row]:
    """up (new stack), list, drift, destroy of one stack: time outside `pulumi` per call."""
    d = world.driver()
    rows: list[Row] = []
    ops: list[tuple[str, Callable[[], object]]] = [
        ("up (new stack)", lambda: d.up(cfg(1, "abc1234"))),
        ("up (no change)", lambda: d.up(cfg(1, "abc1234"))),
        ("list (1 stack)", d.list),
        ("drift", lambda: d.drift(1, "abc1234")),
        ("destroy", lambda: d.destroy(1, "abc1234")),
    ]
    for what, op in ops:
        op()
        calls = max(d.stats.engine_calls, 1)
        per = d.stats.overhead_s / calls
        rows.append(
            (
                f"overhead: {what}",
                f"{d.stats.overhead_s * 1000:.0f} ms over {calls} calls "
                f"({per * 1000:.1f} ms/call; engine {d.stats.engine_s:.1f} s)",
                f"≤ {OVERHEAD_TARGET_S * 1000:.0f} ms/call",
                _ok(per <= OVERHEAD_TARGET_S),
            )
        )
    return rows


def _template(world: World) -> tuple[str, str]:
    """One real stack, ``pr-1-abc1234``: its name and checkpoint file (the name in it is
    replaced per copy)."""
    world.driver().up(cfg(1, "abc1234"))
    return "pr-1-abc1234", _state_of(world, "pr-1-abc1234")


def _copies(name: str, checkpoint: str, n: int, first: int = 2) -> dict[str, bytes]:
    """``n`` stacks made from one: ``{relative key: bytes}`` (state and tags files)."""
    out: dict[str, bytes] = {}
    for pr in range(first, first + n):
        stack = f"pr-{pr}-abc1234"
        out[f"{PROJECT_STACKS}/{stack}.json"] = checkpoint.replace(name, stack).encode()
        tags = resource_tags(cfg(pr, "abc1234"))
        doc = {"version": 1, "tags": tags}
        out[f"{PROJECT_STACKS}/{stack}.pulumi-tags"] = json.dumps(doc).encode()
    return out


def _write_files(backend_dir: Path, files: dict[str, bytes]) -> None:
    for key, body in files.items():
        path = backend_dir / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)


def _median_time(op: Callable[[], object], runs: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = op()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def bench_list_file(world: World, n: int, runs: int) -> list[Row]:
    name, checkpoint = _template(world)
    _write_files(Path(world.backend.removeprefix("file://")), _copies(name, checkpoint, n - 1))
    d = world.driver()
    took, infos = _median_time(d.list, runs)
    assert len(infos) == n, len(infos)
    assert all(i.requester == "octocat" for i in infos)
    t0 = time.perf_counter()
    done = world.cli("list", "--json")
    cli_s = time.perf_counter() - t0
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["stacks"]) == n
    return [
        (
            f"list: {n} stacks, file backend",
            f"{took:.2f} s (engine {d.stats.engine_s:.2f} s); `showtime-iac list` {cli_s:.2f} s",
            f"≤ {LIST_TARGET_S:.0f} s",
            _ok(took <= LIST_TARGET_S),
        )
    ]


def _moto_process() -> tuple[subprocess.Popen[bytes], str]:
    """moto's S3 in a process of its own (a team backend is another machine, not a thread
    of ours competing for the GIL); returns it and its ``host:port``."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc, f"127.0.0.1:{port}"
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                raise
            time.sleep(0.2)


def bench_list_s3(root: Path, template: str, n: int, runs: int) -> list[Row]:
    import boto3

    server, host = _moto_process()
    try:
        for k, v in {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": "us-west-2",
            "AWS_DEFAULT_REGION": "us-west-2",
            "AWS_EC2_METADATA_DISABLED": "true",
        }.items():
            os.environ[k] = v
        s3 = boto3.client("s3", endpoint_url=f"http://{host}")
        s3.create_bucket(
            Bucket="state", CreateBucketConfiguration={"LocationConstraint": "us-west-2"}
        )
        url = f"s3://state?endpoint={host}&disableSSL=true&s3ForcePathStyle=true&region=us-west-2"
        world = make_world(root / "s3", None, url)
        for key, body in _copies("pr-1-abc1234", template, n, first=1).items():
            s3.put_object(Bucket="state", Key=key, Body=body)
        d = world.driver(tag_reader=wiring._s3_tags)  # what the CLI's driver gets
        took, infos = _median_time(d.list, runs)
        assert len(infos) == n, len(infos)
        assert all(i.requester == "octocat" for i in infos)
        cli_only, _ = _median_time(world.stack_ls, runs)
        tags_only, _ = _median_time(lambda: wiring._s3_tags(url), runs)
    finally:
        server.kill()
        server.wait()
    return [
        (
            f"list: {n} stacks, S3 backend (moto)",
            f"{took:.2f} s (alone: `pulumi stack ls` {cli_only:.2f} s, tags {tags_only:.2f} s)",
            f"≤ {LIST_TARGET_S:.0f} s",
            _ok(took <= LIST_TARGET_S),
        )
    ]


def _state_of(world: World, stack: str) -> str:
    path = Path(world.backend.removeprefix("file://")) / PROJECT_STACKS / f"{stack}.json"
    return path.read_text()


def bench_cleanup(root: Path, template: str, n: int, workers: int) -> list[Row]:
    from showtime_iac.cli import main
    from tests.github_api_server import GitHubServer

    results: dict[int, float] = {}
    for w in (1, workers):
        world = make_world(root / f"cleanup-{w}", None)
        _write_files(
            Path(world.backend.removeprefix("file://")),
            _copies("pr-1-abc1234", template, n, first=101),
        )
        gh = GitHubServer()
        gh.start()
        try:
            for pr in range(101, 101 + n):
                gh.add_pr(pr, head_sha="abc1234" + "0" * 33, state="closed")
            os.environ.update(
                GITHUB_API_URL=gh.url,
                GITHUB_TOKEN=gh.token,
                GITHUB_REPOSITORY=gh.repo,
                SHOWTIME_CLEANUP_WORKERS=str(w),
            )
            os.environ.pop("SHOWTIME_POLICY", None)
            t0 = time.perf_counter()
            with redirect_stdout(io.StringIO()) as out, redirect_stderr(io.StringIO()) as err:
                rc = main(["cleanup", "--json", "--no-orphans", "--no-prune-labels"])
            results[w] = time.perf_counter() - t0
        finally:
            gh.stop()
        assert rc == 0, f"cleanup with {w} worker(s): {err.getvalue()[-2000:]}"
        items = json.loads(out.getvalue())["items"]
        assert [i["result"] for i in items] == ["destroyed"] * n, items
        assert world.stack_ls() == []
    one, many = results[1], results[workers]
    return [
        (f"cleanup: destroy {n} stacks one by one", f"{one:.1f} s ({one / n:.1f} s each)", "-", ""),
        (
            f"cleanup: destroy {n} stacks, {workers} at a time",
            f"{many:.1f} s ({one / many:.1f}x faster)",
            "faster than one by one",
            _ok(many < one),
        ),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stacks", type=int, default=300, help="stacks to list")
    parser.add_argument("--destroy", type=int, default=30, help="stacks cleanup destroys")
    parser.add_argument("--workers", type=int, default=4, help="cleanup's parallel destroys")
    parser.add_argument("--runs", type=int, default=3, help="list runs (median)")
    args = parser.parse_args()
    if S.find_engine() is None:
        print('bench_engine: no pulumi on PATH: PATH="$(bash .ci/install-pulumi | tail -n1):$PATH"')
        return 2
    rows: list[Row] = []
    t_all = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="showtime-bench-engine-"))
    try:
        os.environ.pop("SHOWTIME_FAKE_CREATE_SLEEP", None)
        rows += bench_overhead(make_world(tmp / "overhead", None))
        file_world = make_world(tmp / "list-file", None)
        rows += bench_list_file(file_world, args.stacks, args.runs)
        template = _state_of(file_world, "pr-1-abc1234")
        rows += bench_list_s3(tmp, template, args.stacks, args.runs)
        rows += bench_cleanup(tmp, template, args.destroy, args.workers)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    width = max(len(r[0]) for r in rows)
    mwidth = max(len(r[1]) for r in rows)
    print(f"\n{'measure':<{width}}  {'result':<{mwidth}}  {'target':<22}  verdict")
    for what, measured, target, verdict in rows:
        print(f"{what:<{width}}  {measured:<{mwidth}}  {target:<22}  {verdict}")
    load = os.getloadavg()
    print(
        f"\n(pulumi {S.find_engine()}; whole run {time.perf_counter() - t_all:.0f} s; load "
        f"average {load[0]:.2f} (5 min {load[1]:.2f}) on {os.cpu_count()} cores)"
    )
    return 1 if any(r[3] == "OVER" for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
