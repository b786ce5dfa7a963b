"""Run ``showtime-iac`` in a separate process with the stacks/live test doubles.

Used by the race test: two of these run ``sync`` at once against the same GitHub test
server. ``SHOWTIME_TEST_JOURNAL`` names the file where every ``up``/``destroy`` is appended,
so the test counts deploys across processes.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from showtime_iac.cli import main
from tests.doubles import FakeLive, FakeStacks, use_doubles


def run(argv: list[str]) -> int:
    journal = Path(os.environ["SHOWTIME_TEST_JOURNAL"])
    stacks = FakeStacks(journal=journal, up_seconds=float(os.environ.get("SHOWTIME_TEST_UP", "0")))
    mp = pytest.MonkeyPatch()
    try:
        use_doubles(mp, stacks, FakeLive())
        return main(argv)
    finally:
        mp.undo()


if __name__ == "__main__":
    raise SystemExit(run(sys.argv[1:]))
