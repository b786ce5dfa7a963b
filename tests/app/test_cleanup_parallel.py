"""``cleanup`` destroys the PRs' stacks a few at a time (each stack is its own ``pulumi``
process and lock): bounded concurrency, the report in PR order, ``$SHOWTIME_CLEANUP_WORKERS``."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from showtime_iac.app.cleanup import CLEANUP_WORKERS, cleanup_workers
from showtime_iac.cli import main
from showtime_iac.core.model import InputError, stack_name
from tests.doubles import FakeLive, FakeStacks, against_server, use_doubles
from tests.github_api_server import GitHubServer


@dataclass
class SlowStacks(FakeStacks):
    """Destroys take 0.2 s; records how many ran at once (and fails the one of PR 7)."""

    in_flight: int = 0
    most: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def destroy(self, pr: int, sha: str) -> None:
        with self.lock:
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
        try:
            time.sleep(0.2)
            if pr == 7:
                from showtime_iac.core.model import ShowtimeError

                raise ShowtimeError(f"destroy of stack {stack_name(pr, sha)} failed: boom")
            with self.lock:
                super().destroy(pr, sha)
        finally:
            with self.lock:
                self.in_flight -= 1


def sha(n: int) -> str:
    return f"{n:07x}" + "e" * 33


@pytest.fixture
def closed12(ghserver: GitHubServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> SlowStacks:
    """12 closed PRs whose stacks were left behind."""
    stacks = SlowStacks()
    for n in range(1, 13):
        ghserver.add_pr(n, head_sha=sha(n), state="closed")
        stacks.existing.add(f"pr-{n}-{sha(n)[:7]}")
    against_server(monkeypatch, ghserver.env(), tmp_path)
    use_doubles(monkeypatch, stacks, FakeLive())
    return stacks


def run(capsys: pytest.CaptureFixture[str]) -> tuple[int, list[dict[str, object]], float]:
    capsys.readouterr()
    t0 = time.perf_counter()
    rc = main(["cleanup", "--json", "--no-orphans", "--no-prune-labels"])
    took = time.perf_counter() - t0
    return rc, json.loads(capsys.readouterr().out)["items"], took


def test_cleanup_destroys_four_at_a_time_and_reports_in_pr_order(
    closed12: SlowStacks, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SHOWTIME_CLEANUP_WORKERS", raising=False)
    rc, items, took = run(capsys)
    assert closed12.most == CLEANUP_WORKERS == 4
    assert [i["pr"] for i in items] == list(range(1, 13))
    results = {i["pr"]: i["result"] for i in items}
    assert results.pop(7) == "failed: destroy of stack pr-7-0000007 failed: boom"
    assert set(results.values()) == {"destroyed"}
    assert rc == 1  # one destroy failed
    assert len(closed12.destroyed) == 11 and closed12.existing == {"pr-7-0000007"}
    assert took < 12 * 0.2  # not one by one


def test_one_worker_destroys_one_by_one(
    closed12: SlowStacks, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOWTIME_CLEANUP_WORKERS", "1")
    rc, items, _ = run(capsys)
    assert closed12.most == 1 and len(closed12.destroyed) == 11
    assert rc == 1 and [i["pr"] for i in items] == list(range(1, 13))


def test_cleanup_workers_setting() -> None:
    assert cleanup_workers({}) == 4
    assert cleanup_workers({"SHOWTIME_CLEANUP_WORKERS": "8"}) == 8
    assert cleanup_workers({"SHOWTIME_CLEANUP_WORKERS": "32"}) == 32  # the documented most
    with pytest.raises(InputError) as too_long:
        cleanup_workers({"SHOWTIME_CLEANUP_WORKERS": "123456789012345678901234"})
    assert str(too_long.value) == (  # the value cut to its first 20 characters
        "$SHOWTIME_CLEANUP_WORKERS='12345678901234567890' must be a number from 1 to 32"
    )
    for bad in ("0", "33", "x", "-1"):
        with pytest.raises(InputError, match="SHOWTIME_CLEANUP_WORKERS"):
            cleanup_workers({"SHOWTIME_CLEANUP_WORKERS": bad})
