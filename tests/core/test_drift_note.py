"""The drift note of the status comment: written, replaced in place, taken out; the rest of
the comment untouched (hypothesis for any body)."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from showtime_iac.core.drift_note import DRIFT_END, DRIFT_START, drift_note, with_drift_note

WHEN = datetime(2026, 12, 6, 0, 17, tzinfo=UTC)
LINE = (
    "pr-1234-abc1234: update aws:cloudwatch/logGroup:LogGroup log-group (retentionInDays): "
    "changed outside Pulumi"
)
BODY = (
    "🎪 **Environment running**\n\n- `abc1234` at https://pr-1234.example.org\n<!-- showtime -->\n"
)


def test_the_note_says_what_drifted_and_what_to_run() -> None:
    assert drift_note(1234, "pr-1234-abc1234", [LINE], WHEN) == "\n".join(
        [
            "<!-- showtime:drift -->",
            "> [!WARNING]",
            "> **Drift** on `pr-1234-abc1234` (2026-12-06 00:17 UTC): 1 resource differ from the "
            "stack. `showtime-iac drift 1234` shows them; a redeploy (`showtime-iac up 1234`) puts "
            "the stack's version back.",
            f"> - `{LINE}`",
            "<!-- /showtime:drift -->",
        ]
    )


def test_more_than_ten_resources_are_counted_not_listed_and_nothing_breaks_out() -> None:
    lines = [f"r{i}" for i in range(12)] + ["a `code` <!-- x --> line\nnext"]
    note = drift_note(7, "pr-7-aaaaaaa", lines, WHEN)
    assert "13 resources" in note
    assert note.splitlines()[-2] == "> - and 3 more"
    short = drift_note(7, "pr-7-aaaaaaa", lines[-1:], WHEN)
    assert "> - `a 'code'  x --> line next`" in short.splitlines()


def test_the_note_is_added_replaced_in_place_and_removed() -> None:
    one = with_drift_note(BODY, drift_note(1234, "pr-1234-abc1234", [LINE], WHEN))
    assert one.startswith(BODY.rstrip("\n") + "\n\n" + DRIFT_START)
    assert one.count(DRIFT_START) == 1
    two = with_drift_note(one, drift_note(1234, "pr-1234-abc1234", [LINE, LINE], WHEN))
    assert two.count(DRIFT_START) == 1 and "2 resources" in two
    assert with_drift_note(two, None) == BODY
    assert with_drift_note(BODY, None) is BODY  # nothing to take out: unchanged


@given(body=st.text(), lines=st.lists(st.text(max_size=40), min_size=1, max_size=12))
def test_any_body_keeps_its_text_and_one_note(body: str, lines: list[str]) -> None:
    body = body.replace(DRIFT_START, "").replace(DRIFT_END, "")
    note = drift_note(3, "pr-3-ccccccc", lines, WHEN)
    once = with_drift_note(body, note)
    assert once.count(DRIFT_START) == 1 == once.count(DRIFT_END)
    assert with_drift_note(with_drift_note(once, note), None).rstrip("\n") == body.rstrip("\n")
