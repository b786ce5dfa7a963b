"""Shared pytest configuration: plugins that provide fixtures to every test module.

``SHOWTIME_REQUIRE=engine,superset,browser,registry`` (set by ``.ci/run``) turns a skip of a
test with one of those markers into a failure: in CI, the real Pulumi engine, the real
Superset, the browser and the real OCI registry (crane) must have run, not quietly skipped
because an install step went missing. Any marker named there counts.
"""

from __future__ import annotations

import locale
import os
import sys
from collections.abc import Iterator

import pytest
from hypothesis import settings

# no per-example deadline: a timing limit in a unit test fails on a loaded machine (a mutation
# run, parallel CI) without any change in behaviour; speed is measured in benchmarks/
settings.register_profile("showtime", deadline=None)
settings.load_profile("showtime")

pytest_plugins = ["tests.github_api_server", "tests.motoserver", "tests.registry_server"]


@pytest.fixture
def ascii_locale() -> Iterator[None]:
    """This process's locale encoding is ASCII (the C locale, UTF-8 mode off), as on a bare
    runner: a file read or written without naming its encoding cannot hold "café"."""
    assert not sys.flags.utf8_mode
    saved = locale.setlocale(locale.LC_CTYPE)
    locale.setlocale(locale.LC_CTYPE, "C")
    try:
        yield
    finally:
        locale.setlocale(locale.LC_CTYPE, saved)


def _required() -> frozenset[str]:
    return frozenset(m for m in os.environ.get("SHOWTIME_REQUIRE", "").split(",") if m)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    if not report.skipped:
        return
    required = _required() & {m.name for m in item.iter_markers()}
    if required:
        report.outcome = "failed"
        reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = (
            f"SHOWTIME_REQUIRE={','.join(sorted(required))}: this test must run here, "
            f"but it was skipped: {reason}"
        )
