"""``up --dry-run``'s label listing: what ``sync`` would write on a PR without an environment.

The listing is the contract a maintainer reads before the first start: the 👤 label names the
requester only when one is known, and the 📅 and ⌛ labels are UTC, whatever the machine's zone.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from showtime_iac.cli import main

SHA = "abc1234def5678abc1234def5678abc1234def56"
NOW = "2026-12-07T10:00:00Z"


@pytest.fixture(autouse=True)
def offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No engine (the offline render), no requester from the environment, no domain."""
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("PULUMI_BACKEND_URL", f"file://{tmp_path / 'state'}")
    for name in ("GITHUB_ACTOR", "PULUMI_HOME", "SHOWTIME_DOMAIN"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def far_east_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process's local time 14 hours ahead of UTC (Line Islands)."""
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def label_lines(args: list[str], capsys: pytest.CaptureFixture[str]) -> list[str]:
    rc = main(["up", "1234", "--sha", SHA, "--dry-run", *args])
    out = capsys.readouterr().out
    assert rc == 0
    return out.split("labels on a PR without an environment (written by `sync`):\n", 1)[
        1
    ].splitlines()


CLAIM_END = [
    "  + 🎪 🏗️ abc1234   (claim)",
    "  - 🎪 abc1234 🚦 building   (once healthy)",
    "  - 🎪 🏗️ abc1234   (once healthy)",
    "  + 🎪 abc1234 🚦 running   (once healthy)",
    "  + 🎪 abc1234 🌐 {task public IP}:8080   (once healthy)",
    "  + 🎪 🎯 abc1234   (once healthy)",
]


def test_without_a_requester_no_requester_label_is_listed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert label_lines(["--now", NOW], capsys) == [
        "  + 🎪 abc1234 🚦 building   (claim)",
        "  + 🎪 abc1234 📅 2026-12-07T10-00   (claim)",
        "  + 🎪 abc1234 ⌛ idle 24h · max 2026-12-14T10-00   (claim)",
        *CLAIM_END,
    ]


def test_a_named_requester_gets_the_requester_label(capsys: pytest.CaptureFixture[str]) -> None:
    assert label_lines(["--now", NOW, "--requester", "octocat"], capsys) == [
        "  + 🎪 abc1234 🚦 building   (claim)",
        "  + 🎪 abc1234 📅 2026-12-07T10-00   (claim)",
        "  + 🎪 abc1234 ⌛ idle 24h · max 2026-12-14T10-00   (claim)",
        "  + 🎪 abc1234 👤 octocat   (claim)",
        *CLAIM_END,
    ]


@pytest.mark.usefixtures("far_east_zone")
def test_the_time_labels_are_utc_on_a_machine_in_another_zone(
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = datetime.now(UTC)
    lines = label_lines([], capsys)
    after = datetime.now(UTC)
    minutes = {
        (before + timedelta(minutes=m)).strftime("%Y-%m-%dT%H-%M")
        for m in range(int((after - before).total_seconds() // 60) + 2)
    }
    created = lines[1].removeprefix("  + 🎪 abc1234 📅 ").removesuffix("   (claim)")
    assert created in minutes, (created, sorted(minutes))
    week = datetime.strptime(created, "%Y-%m-%dT%H-%M") + timedelta(days=7)
    assert lines[2] == f"  + 🎪 abc1234 ⌛ idle 24h · max {week:%Y-%m-%dT%H-%M}   (claim)"
