"""``$SHOWTIME_LOCK_RETRIES`` and ``$SHOWTIME_LOCK_RETRY_DELAY`` (issue 29): how long a run
waits for a stack another run holds. Each is read from the environment (or the mapping
given), whitespace trimmed; absent or empty leaves the driver's default; 0 to 1000 is taken;
anything else is refused with the variable's name and its value, cut to 40 characters."""

from __future__ import annotations

import pytest

from showtime_iac.app.wiring import lock_retries
from showtime_iac.errors import InputError

RETRIES, DELAY = "SHOWTIME_LOCK_RETRIES", "SHOWTIME_LOCK_RETRY_DELAY"


def test_unset_or_empty_leaves_the_defaults() -> None:
    assert lock_retries({}) == {}
    assert lock_retries({RETRIES: "", DELAY: "  "}) == {}


def test_both_are_read_trimmed_and_typed() -> None:
    got = lock_retries({RETRIES: " 7 ", DELAY: "0.5\n"})
    assert got == {"retries": 7, "retry_delay": 0.5}
    assert type(got["retries"]) is int and type(got["retry_delay"]) is float


@pytest.mark.parametrize("text", ["0", "1000"])
def test_the_bounds_are_taken(text: str) -> None:
    assert lock_retries({RETRIES: text, DELAY: text}) == {
        "retries": int(text),
        "retry_delay": float(text),
    }


@pytest.mark.parametrize(
    ("var", "text"),
    [
        (RETRIES, "-1"),
        (RETRIES, "1001"),
        (RETRIES, "2.5"),
        (RETRIES, "three"),
        (DELAY, "1000.5"),
        (DELAY, "-0.1"),
        (DELAY, "soon"),
    ],
)
def test_anything_else_is_refused_by_name(var: str, text: str) -> None:
    with pytest.raises(InputError) as raised:
        lock_retries({var: text})
    assert str(raised.value) == f"${var}={text!r} must be a number from 0 to 1000"


def test_a_long_value_is_cut_in_the_message() -> None:
    with pytest.raises(InputError) as raised:
        lock_retries({DELAY: "9" * 60})
    assert str(raised.value) == f"${DELAY}={'9' * 40!r} must be a number from 0 to 1000"


def test_without_a_mapping_the_process_environment_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(RETRIES, "2")
    monkeypatch.delenv(DELAY, raising=False)
    assert lock_retries() == {"retries": 2}
    assert lock_retries({RETRIES: "4"}) == {"retries": 4}  # a mapping given is what counts
