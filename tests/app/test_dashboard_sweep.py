"""The dashboard shows what the last cleanup found (issue 27): ``Orphans: N`` with the list in
the totals and under the cards, and a drift row on each drifted environment's card, from a
``cleanup --report`` file; a file that is not one is one clear error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from showtime_iac.app.dashboard import cards_from_json, render
from showtime_iac.app.sweep_view import Orphan, SweepView, sweep_from_report
from showtime_iac.cli import main

FIXTURE = Path(__file__).parents[1] / "fixtures" / "dashboard" / "environments.json"
NOW = "2026-01-15T14:30:00Z"
LINE = (
    "pr-35012-a1b2c3d: update aws:cloudwatch/logGroup:LogGroup log-group (retentionInDays): "
    "changed outside Pulumi"
)
REPORT = {
    "dry_run": False,
    "items": [],
    "orphans": [
        {
            "kind": "target-group",
            "name": "sti-pr-2-bbbbbbb",
            "id": "arn:tg",
            "pr": 2,
            "stack": "pr-2-bbbbbbb",
            "action": "delete",
            "reason": "stack pr-2-bbbbbbb no longer exists and PR #2 is closed",
            "deleted": True,
            "dry_run": False,
            "error": None,
            "deferred": None,
        },
        {
            "kind": "security-group",
            "name": "sti-pr-2-bbbbbbb",
            "id": "sg-1",
            "pr": 2,
            "stack": "pr-2-bbbbbbb",
            "action": "delete",
            "reason": "stack pr-2-bbbbbbb no longer exists and PR #2 is closed",
            "deleted": False,
            "dry_run": False,
            "error": None,
            "deferred": "delete security-group sti-pr-2-bbbbbbb failed: DependencyViolation: x",
        },
        {
            "kind": "iam-role",
            "name": "sti-pr-1-aaaaaaa-exec",
            "id": "arn:role",
            "pr": 1,
            "stack": "pr-1-aaaaaaa",
            "action": "keep",
            "reason": "stack pr-1-aaaaaaa exists (PR #1 is open)",
        },
    ],
    "orphan_count": 2,
    "drift": [
        {"stack": "pr-35012-a1b2c3d", "pr": 35012, "drifted": True, "resources": [LINE]},
        {"stack": "pr-34990-cafe123", "pr": 34990, "drifted": False, "resources": []},
    ],
}


def test_the_report_is_read_into_the_count_the_orphans_and_the_drifted_stacks() -> None:
    view = sweep_from_report(REPORT)
    assert view == SweepView(
        2,
        (
            Orphan(
                "target-group",
                "sti-pr-2-bbbbbbb",
                "deleted",
                "stack pr-2-bbbbbbb no longer exists and PR #2 is closed",
            ),
            Orphan(
                "security-group",
                "sti-pr-2-bbbbbbb",
                "deferred: delete security-group sti-pr-2-bbbbbbb failed: DependencyViolation: x",
                "stack pr-2-bbbbbbb no longer exists and PR #2 is closed",
            ),
        ),
        "",
        {"pr-35012-a1b2c3d": (LINE,)},
        2,
    )
    failed = sweep_from_report(
        {
            "items": [],
            "orphans": [{"reason": "AccessDenied", "action": "skip"}],
            "orphan_count": None,
        }
    )
    assert (failed.orphan_count, failed.reason, failed.drift_checked) == (
        None,
        "AccessDenied",
        None,
    )
    skipped = sweep_from_report({"items": []})
    assert (skipped.orphan_count, skipped.reason) == (None, "the cleanup ran with --no-orphans")


def test_the_page_shows_orphans_n_the_list_and_the_drifted_card() -> None:
    cards = cards_from_json(json.loads(FIXTURE.read_text()))
    from datetime import datetime

    now = datetime.fromisoformat(NOW.replace("Z", "+00:00"))
    page = render(cards, now, sweep=sweep_from_report(REPORT))
    assert '<li class="bad" id="orphans-total">Orphans <b>2</b></li>' in page
    assert '<li class="bad" id="drift-total">Drifted <b>1</b> of <b>2</b></li>' in page
    assert (
        '<section id="orphans"><h2>Orphans: 2</h2><ul><li><code>target-group</code> '
        "sti-pr-2-bbbbbbb: deleted (stack pr-2-bbbbbbb no longer exists and PR #2 is closed)</li>"
    ) in page
    card = page[page.index('id="pr-35012"') : page.index("</article>", page.index('id="pr-35012"'))]
    assert (
        "<dt>Drift</dt><dd>1 resource differ from the stack "
        "(<code>showtime-iac drift 35012</code>)</dd>"
    ) in card
    other = page[
        page.index('id="pr-34990"') : page.index("</article>", page.index('id="pr-34990"'))
    ]
    assert "Drift" not in other
    # without a report the page is the one it always was
    assert "orphans" not in render(cards, now)


def test_the_command_reads_a_cleanup_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "cleanup.json"
    report.write_text(json.dumps(REPORT))
    out = tmp_path / "site"
    args = ["dashboard", "--out", str(out), "--input", str(FIXTURE), "--now", NOW]
    assert main([*args, "--cleanup", str(report)]) == 0
    doc = json.loads((out / "environments.json").read_text())
    assert doc["cleanup"]["orphan_count"] == 2
    assert doc["cleanup"]["drifted"] == {"pr-35012-a1b2c3d": [LINE]}
    assert "Orphans: 2" in (out / "index.html").read_text()

    report.write_text(json.dumps({"environments": []}))
    capsys.readouterr()
    assert main([*args, "--cleanup", str(report)]) == 2
    err = capsys.readouterr().err.strip()
    # the path is shortened with "…" when long (a worker's tmp path): its start is enough
    assert err.startswith(f"showtime-iac: error: {str(report)[:40]}")
    assert err.endswith(" not a cleanup report: expected the JSON of `showtime-iac cleanup --json`")
