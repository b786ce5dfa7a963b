"""GitHub request budget and wall time of ``sync``/``cleanup``, against the local test server.

Run on demand:  .venv/bin/python benchmarks/bench_github.py

Each row runs the real CLI in-process (PyGithub over HTTP to ``tests/ghserver.py``, stacks and
live checks replaced by the test doubles, which take no time) and prints the number of requests
and the wall time. The last rows show what PyGithub's defaults (a 0.25 s pause between requests
and 1 s between writes) would cost the same start.

Budgets (requests): a no-op sync ≤ 1; a start ≤ 5 before the deployment record; the cleanup
listing of 300 PRs ≤ 5 (3 pages of 100). Exit 1 when one is over.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stdout
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pytest  # noqa: E402
from _targets import Target, load_average, verdict  # noqa: E402

from showtime_iac.cli import main  # noqa: E402
from showtime_iac.core import labels as L  # noqa: E402
from tests.doubles import FakeLive, FakeStacks, use_doubles  # noqa: E402
from tests.github_api_server import GitHubServer  # noqa: E402
from tests.payloads import HEAD, pull_request  # noqa: E402

PR = 1234


@contextmanager
def server() -> Iterator[tuple[GitHubServer, FakeStacks, pytest.MonkeyPatch]]:
    gh = GitHubServer()
    gh.start()
    mp = pytest.MonkeyPatch()
    stacks = FakeStacks()
    with tempfile.TemporaryDirectory() as tmp:
        for k, v in {
            "GITHUB_API_URL": gh.url,
            "GITHUB_TOKEN": gh.token,
            "GITHUB_REPOSITORY": gh.repo,
            "GITHUB_ACTOR": "maintainer",
        }.items():
            mp.setenv(k, v)
        for k in ("GITHUB_STEP_SUMMARY", "GITHUB_EVENT_PATH", "SHOWTIME_POLICY"):
            mp.delenv(k, raising=False)
        mp.chdir(tmp)
        gh.collaborators["maintainer"] = "write"
        use_doubles(mp, stacks, FakeLive())
        try:
            yield gh, stacks, mp
        finally:
            mp.undo()
            gh.stop()


def cli(args: list[str]) -> float:
    t0 = time.perf_counter()
    with redirect_stdout(StringIO()):
        rc = main(args)
    if rc not in (0, 1):
        raise SystemExit(f"{args} exited {rc}")
    return time.perf_counter() - t0


def event(payload: dict[str, object]) -> list[str]:
    fd, path = tempfile.mkstemp(suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(payload, fh)
    return ["--event", path, "--event-name", "pull_request_target"]


def row(
    name: str, setup: Callable[[GitHubServer, FakeStacks], list[str]]
) -> tuple[str, int, int | None, float]:
    with server() as (gh, stacks, _mp):
        args = setup(gh, stacks)
        gh.reset_log()
        marks: list[int] = []
        stacks.on_up = lambda _cfg: marks.append(len(gh.requests))
        seconds = cli(args)
        before = next(
            (
                i
                for i, r in enumerate(gh.requests)
                if r.method == "POST" and r.path.endswith("/deployments")
            ),
            None,
        )
        return name, len(gh.requests), before, seconds


#: scenario → (what is counted, the most it may be)
BUDGETS = {
    "no-op sync (payload)": ("requests", 1),
    "no-op sync (no payload)": ("requests", 1),
    "start": ("before deploy", 5),
    "cleanup --dry-run, 300 PRs": ("requests", 5),
}


def budget_targets(rows: list[tuple[str, int, int | None, float]]) -> list[Target]:
    targets = []
    for name, n, before, _seconds in rows:
        if name in BUDGETS:
            counted, limit = BUDGETS[name]
            value = n if counted == "requests" else before
            targets.append(Target(f"{name}: {counted}", value, limit, "requests"))
    return targets


def main_() -> int:
    rows = []

    def noop(gh: GitHubServer, _s: FakeStacks) -> list[str]:
        gh.add_pr(PR, head_sha=HEAD, labels=["bug"])
        return ["sync", str(PR), *event(pull_request("synchronize", ["bug"]))]

    def noop_api(gh: GitHubServer, _s: FakeStacks) -> list[str]:
        gh.add_pr(PR, head_sha=HEAD, labels=["bug"])
        return ["sync", str(PR)]

    def start(gh: GitHubServer, _s: FakeStacks) -> list[str]:
        gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
        return ["sync", str(PR), *event(pull_request("labeled", [L.START], label=L.START))]

    def stop(gh: GitHubServer, stacks: FakeStacks) -> list[str]:
        s = HEAD[:7]
        labels = [f"🎪 {s} 🚦 running", f"🎪 🎯 {s}", f"🎪 {s} ⌛ 24h", L.STOP]
        gh.add_pr(PR, head_sha=HEAD, labels=labels)
        stacks.existing.add(f"pr-{PR}-{s}")
        return ["sync", str(PR), *event(pull_request("labeled", labels, label=L.STOP))]

    def cleanup300(gh: GitHubServer, _s: FakeStacks) -> list[str]:
        for n in range(1, 301):
            gh.add_pr(
                n, head_sha=HEAD, labels=[f"🎪 {HEAD[:7]} 🚦 running", f"🎪 {HEAD[:7]} ⌛ close"]
            )
        return ["cleanup", "--dry-run", "--json", "--no-orphans", "--no-prune-labels"]

    rows.append(row("no-op sync (payload)", noop))
    rows.append(row("no-op sync (no payload)", noop_api))
    rows.append(row("start", start))
    rows.append(row("stop", stop))
    rows.append(row("cleanup --dry-run, 300 PRs", cleanup300))

    # PyGithub's defaults on the same start: how long its pauses would add
    with server() as (gh, _stacks, mp):
        gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
        import showtime_iac.adapters.github as ghmod

        real = ghmod.GitHubClient.connect.__func__  # type: ignore[attr-defined]

        def slow(cls: type, *a: object, **kw: object) -> object:
            client = real(cls, *a, **kw)
            client.gh.requester._Requester__seconds_between_requests = 0.25
            client.gh.requester._Requester__seconds_between_writes = 1.0
            return client

        mp.setattr(ghmod.GitHubClient, "connect", classmethod(slow))
        args = ["sync", str(PR), *event(pull_request("labeled", [L.START], label=L.START))]
        gh.reset_log()
        seconds = cli(args)
        rows.append(("start, PyGithub default pauses", len(gh.requests), None, seconds))

    targets = budget_targets(rows)
    over = {t.name.split(":")[0] for t in targets if t.over}
    print(load_average())
    print(f"{'scenario':<34} {'requests':>8} {'before deploy':>13} {'wall s':>7}  budget")
    print("-" * 74)
    for name, n, before, seconds in rows:
        b = "-" if before is None else str(before)
        mark = "-" if name not in BUDGETS else ("OVER" if name in over else "ok")
        print(f"{name:<34} {n:>8} {b:>13} {seconds:>7.3f}  {mark}")
    print("\nbudgets: no-op sync <= 1 request; start <= 5 before the deployment record;")
    print("list of 300 PRs <= 5 (3 pages of 100).")
    return verdict(targets)


if __name__ == "__main__":
    sys.exit(main_())
