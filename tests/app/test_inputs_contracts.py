"""Contracts of ``showtime_iac.app.inputs`` (issue 29): a file that cannot be read is one
line naming the file and why (the OS reason, or the decode error), never the name twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from showtime_iac.app.inputs import _why, load_payload, load_policy
from showtime_iac.errors import InputError


def test_unreadable_files_name_the_os_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "adir").mkdir()
    with pytest.raises(InputError) as err:
        load_payload("adir")
    assert str(err.value) == "cannot read event file 'adir': Is a directory"
    with pytest.raises(InputError) as err:
        load_policy("adir")
    assert str(err.value) == "cannot read policy file 'adir': Is a directory"


def test_an_event_file_that_is_not_utf8_names_the_decode_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.json").write_bytes(b"\xff")
    with pytest.raises(InputError) as err:
        load_payload("bad.json")
    assert str(err.value) == (
        "cannot read event file 'bad.json': 'utf-8' codec can't decode byte 0xff in position 0:"
        " invalid start byte"
    )


def test_an_os_error_without_a_reason_is_named_by_its_kind() -> None:
    assert _why(PermissionError()) == "PermissionError"
