"""The drift note of a status comment (core/drift_note, docs/operations.md): the contracts the
mutation run (issue 29) found no test pinning down. Each test was checked by making the change
and watching it fail.

Pure: a comment body and a note in, the body out, written out in full.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from showtime_iac.core.drift_note import DRIFT_END, DRIFT_START, drift_note, with_drift_note

WHEN = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
NOTE = f"{DRIFT_START}\nold\n{DRIFT_END}"
NEW = f"{DRIFT_START}\nnew\n{DRIFT_END}"


def test_ten_resources_are_all_listed_and_a_long_one_is_cut_at_300() -> None:
    ten = [f"r{i}" for i in range(10)]
    note = drift_note(7, "pr-7-abc1234", ten, WHEN)
    assert note.splitlines()[-2] == "> - `r9`"
    assert "more" not in note
    long = drift_note(7, "pr-7-abc1234", ["x" * 400], WHEN)
    assert f"> - `{'x' * 300}`" in long.splitlines()


def test_a_note_is_removed_wherever_it_stands_and_only_it() -> None:
    assert with_drift_note(f"{NOTE}\n\ntext", None).strip() == "text"
    assert with_drift_note(f"a\n\n{NOTE}", None) == "a"  # no newline added
    removed = with_drift_note(f"a\n\n{NOTE}\n\n  indented\n", None)
    assert removed.rstrip("\n") == "a\n\n  indented"
    # the text's own characters next to the note stay
    removed = with_drift_note(f"ends in X\n\n{NOTE}\n\nX starts\n", None)
    assert removed.rstrip("\n") == "ends in X\n\nX starts"
    # a second end marker later in the text is the text's
    body = f"a\n\n{NOTE}\n\nc {DRIFT_END}"
    assert with_drift_note(body, None) == f"a\n\nc {DRIFT_END}"


def test_a_note_at_the_very_start_is_replaced_not_duplicated() -> None:
    got = with_drift_note(f"{NOTE}\n\ntext\n", NEW)
    assert got.count(DRIFT_START) == 1 and "new" in got and "old" not in got
    assert got.strip("\n").startswith("text") and got.endswith(f"\n\n{NEW}\n")


def test_a_stray_end_marker_is_left_alone() -> None:
    body = f"a {DRIFT_END} b\n\n\n"
    assert with_drift_note(body, None) == body
    body = f"a {DRIFT_END} b\n\n{NOTE}\n"
    assert with_drift_note(body, NEW) == f"a {DRIFT_END} b\n\n{NEW}\n"


def test_a_note_is_appended_after_the_text_as_it_ends() -> None:
    assert with_drift_note("text X", NEW) == f"text X\n\n{NEW}\n"
    assert with_drift_note("text\n\n\n", NEW) == f"text\n\n{NEW}\n"


def test_trailing_spaces_of_the_text_are_kept() -> None:
    """Two trailing spaces are a Markdown line break: the text keeps them."""
    assert with_drift_note("text  ", NEW) == f"text  \n\n{NEW}\n"
    assert with_drift_note(f"a  \n\n{NOTE}", None) == "a  "


def test_the_time_is_utc_whatever_the_machines_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    try:
        note = drift_note(7, "pr-7-abc1234", ["r"], WHEN)
    finally:
        monkeypatch.undo()
        time.tzset()
    assert "(2026-12-01 09:00 UTC)" in note
