"""What the lifetime tests of ``cleanup`` share: one SHA's labels at an age, a warning label,
and one ``cleanup --json`` run over the GitHub test server."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from showtime_iac.cli import main
from showtime_iac.core import labels as L


def show_labels(
    sha7: str, age: timedelta, *extra: str, status: str = "running", ttl: str = "24h"
) -> list[str]:
    """The labels of the PR's active environment, deployed ``age`` ago."""
    return [
        f"🎪 {sha7} 🚦 {status}",
        f"🎪 🎯 {sha7}",
        f"🎪 {sha7} 📅 {L.format_timestamp(datetime.now(UTC) - age)}",
        f"🎪 {sha7} ⌛ {ttl}",
        f"🎪 {sha7} 👤 alice",
        *extra,
    ]


def warned_label(sha7: str, ago: timedelta) -> str:
    """The cleanup's warning, whose teardown time was ``ago``."""
    return f"🎪 {sha7} ⚠️ {L.format_timestamp(datetime.now(UTC) - ago)}"


def cleanup_item(capsys: pytest.CaptureFixture[str], expect_rc: int = 0) -> dict[str, Any]:
    """``cleanup --json`` (no orphans, no label prune): its one item."""
    capsys.readouterr()
    rc = main(["cleanup", "--json", "--no-orphans", "--no-prune-labels"])
    out = capsys.readouterr().out
    assert rc == expect_rc, out
    [item] = json.loads(out)["items"]
    return dict(item)
