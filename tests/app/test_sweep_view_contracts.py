"""Contracts of what the dashboard shows of the last cleanup (issue 27, pinned for issue 29):
how a report is read (a failed deletion's state, a drifted stack without its lines, the errors
a malformed report gives), the totals' ``Orphans`` and ``Drifted`` items and their colour, the
orphans section (the list, "nothing", "unknown" and why), the drift row of a card (plural) and
the ``cleanup`` object of ``environments.json``."""

from __future__ import annotations

from typing import Any

import pytest

from showtime_iac.app.sweep_view import (
    Orphan,
    SweepView,
    drift_rows,
    orphans_section,
    sweep_from_report,
    sweep_totals,
)
from showtime_iac.core.model import InputError

TG = {
    "kind": "target-group",
    "name": "sti-pr-2-bbbbbbb",
    "action": "delete",
    "reason": "PR #2 is closed",
    "error": None,
    "deferred": None,
}


def test_a_deletion_that_failed_is_shown_as_failed_with_its_error() -> None:
    failed = TG | {"error": "AccessDenied: not allowed"}
    view = sweep_from_report({"items": [], "orphans": [failed], "orphan_count": 1})
    assert view.orphans == (
        Orphan(
            "target-group",
            "sti-pr-2-bbbbbbb",
            "failed: AccessDenied: not allowed",
            "PR #2 is closed",
        ),
    )
    assert orphans_section(view) == (
        '<section id="orphans"><h2>Orphans: 1</h2><ul><li><code>target-group</code> '
        "sti-pr-2-bbbbbbb: failed: AccessDenied: not allowed (PR #2 is closed)</li></ul></section>"
    )


def test_a_drifted_stack_without_its_lines_still_counts_as_drifted() -> None:
    view = sweep_from_report(
        {"items": [], "drift": [{"stack": "pr-7-abcdef0", "pr": 7, "drifted": True}]}
    )
    assert (view.drift, view.drift_checked) == ({"pr-7-abcdef0": ()}, 1)


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (
            {"items": [], "orphans": [{"action": "delete", "name": "x", "reason": "r"}]},
            "a cleanup report with a malformed entry ('kind')",
        ),
        ({"items": [], "orphan_count": "3"}, "orphan_count '3' is not a number"),
        ({"items": [], "orphan_count": True}, "orphan_count 'True' is not a number"),
        (
            {"items": [], "orphan_count": "123456789012345678901234567890"},
            "orphan_count '12345678901234567890' is not a number",
        ),
    ],
)
def test_a_malformed_report_is_one_error_that_says_what(doc: Any, message: str) -> None:
    with pytest.raises(InputError) as err:
        sweep_from_report(doc)
    assert str(err.value) == message


def test_the_totals_are_green_when_nothing_is_orphaned_or_drifted() -> None:
    assert sweep_totals(SweepView(0, drift_checked=3)) == (
        '<li class="ok" id="orphans-total">Orphans <b>0</b></li>'
        '<li class="ok" id="drift-total">Drifted <b>0</b> of <b>3</b></li>'
    )
    assert sweep_totals(SweepView(1)) == (
        '<li class="bad" id="orphans-total">Orphans <b>1</b></li>'
    )


def test_the_totals_say_unknown_when_the_sweep_did_not_run() -> None:
    assert sweep_totals(SweepView(None, reason="AccessDenied")) == (
        '<li class="bad" id="orphans-total">Orphans <b>unknown</b></li>'
    )


def test_the_section_lists_every_orphan_or_says_there_is_none() -> None:
    two = SweepView(
        2,
        (
            Orphan("target-group", "tg-a", "deleted", "PR #2 is closed"),
            Orphan("security-group", "sg-b", "would delete", "PR #3 is closed"),
        ),
    )
    assert orphans_section(two) == (
        '<section id="orphans"><h2>Orphans: 2</h2><ul>'
        "<li><code>target-group</code> tg-a: deleted (PR #2 is closed)</li>"
        "<li><code>security-group</code> sg-b: would delete (PR #3 is closed)</li>"
        "</ul></section>"
    )
    assert orphans_section(SweepView(0)) == (
        '<section id="orphans"><h2>Orphans: 0</h2>'
        "<p>AWS holds nothing of ours that no stack owns.</p></section>"
    )


def test_the_section_says_unknown_and_why_when_the_sweep_did_not_run() -> None:
    assert orphans_section(SweepView(None, reason="AccessDenied <iam>")) == (
        '<section id="orphans"><h2>Orphans: unknown</h2>'
        "<p>the sweep did not run: AccessDenied &lt;iam&gt;</p></section>"
    )
    assert orphans_section(SweepView()) == (
        '<section id="orphans"><h2>Orphans: unknown</h2><p>the sweep did not run</p></section>'
    )


def test_the_drift_row_counts_resources_in_the_plural_and_none_without_a_report() -> None:
    view = SweepView(0, drift={"pr-7-abcdef0": ("a", "b")}, drift_checked=1)
    assert drift_rows("pr-7-abcdef0", view) == (
        ("Drift", "2 resources differ from the stack (<code>showtime-iac drift 7</code>)"),
    )
    assert drift_rows("pr-7-abcdef0", None) == ()


def test_the_json_has_the_keys_the_docs_name() -> None:
    view = SweepView(1, (Orphan("target-group", "tg-a", "deleted", "PR #2 is closed"),), "", {}, 2)
    assert view.to_json() == {
        "orphan_count": 1,
        "orphans": [
            {
                "kind": "target-group",
                "name": "tg-a",
                "state": "deleted",
                "reason": "PR #2 is closed",
            }
        ],
        "drift_checked": 2,
        "drifted": {},
    }
