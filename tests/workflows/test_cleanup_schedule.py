"""The 6-hourly cleanup checks drift and hands its report to the dashboard (issue 27)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

WORKFLOW = Path(__file__).parents[2] / ".github" / "workflows" / "showtime-cleanup.yml"


def steps() -> dict[str, str]:
    doc: Any = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return {str(s.get("name", "")): str(s.get("run", "")) for s in doc["jobs"]["cleanup"]["steps"]}


def test_the_cleanup_checks_drift_and_writes_the_report_the_dashboard_reads() -> None:
    [cleanup] = [run for name, run in steps().items() if name.startswith("Cleanup")]
    assert 'args=(cleanup --drift --report "$RUNNER_TEMP/cleanup.json")' in cleanup
    dashboard = steps()["Dashboard"]
    assert '--cleanup "$RUNNER_TEMP/cleanup.json"' in dashboard
    assert 'if [ -f "$RUNNER_TEMP/cleanup.json" ]' in dashboard  # a cleanup that failed early
