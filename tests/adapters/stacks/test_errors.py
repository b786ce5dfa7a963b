"""How an engine failure is told apart and summed up (pure; the Automation API's own
exception classes, recognised by name)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pulumi.automation import errors as auto

from showtime_iac.adapters.stacks.errors import (
    engine_message,
    is_already_exists,
    is_command_error,
    is_concurrent,
    is_not_found,
)
from tests.doubles import cmd_error


def test_the_last_error_line_is_the_message() -> None:
    exc = cmd_error(
        "warning: a\n error: first\nsomething else\n  error: creating ECS Service: AccessDenied  \n"
        "a trailing line\n"
    )
    assert engine_message(exc) == "error: creating ECS Service: AccessDenied"


def test_without_an_error_line_the_last_line_and_without_text_the_type() -> None:
    assert engine_message(RuntimeError("first\n\n  last line  \n\n")) == "last line"
    assert engine_message(RuntimeError("")) == "RuntimeError"
    assert engine_message(TimeoutError("  \n ")) == "TimeoutError"


def test_the_message_is_cut_at_300_characters_or_the_limit_given() -> None:
    exc = RuntimeError("error: " + "x" * 400)
    assert engine_message(exc) == "error: " + "x" * 293
    assert engine_message(exc, limit=10) == "error: xxx"


@given(st.text())
def test_the_message_is_always_one_line_of_the_text(text: str) -> None:
    msg = engine_message(RuntimeError(text))
    assert "\n" not in msg and len(msg) <= 300
    assert msg in text or msg == "RuntimeError"


@pytest.mark.parametrize(
    ("cls", "concurrent", "exists", "not_found"),
    [
        (auto.ConcurrentUpdateError, True, False, False),
        (auto.StackAlreadyExistsError, False, True, False),
        (auto.StackNotFoundError, False, False, True),
        (auto.CommandError, False, False, False),
    ],
)
def test_the_automation_api_errors_are_told_apart(
    cls: type[auto.CommandError], concurrent: bool, exists: bool, not_found: bool
) -> None:
    exc = cmd_error("error: x\n", cls)
    assert (is_concurrent(exc), is_already_exists(exc), is_not_found(exc)) == (
        concurrent,
        exists,
        not_found,
    )
    assert is_command_error(exc)  # every one of them is a failed CLI run


def test_other_exceptions_are_none_of_them() -> None:
    exc = KeyError("StackNotFoundError")
    assert not (is_concurrent(exc) or is_already_exists(exc) or is_not_found(exc))
    assert not is_command_error(exc)


def test_an_error_on_the_first_line_of_stderr_is_found() -> None:
    """The Automation API labels the first lines of the CLI's output (``stderr: error: …``)."""
    assert engine_message(cmd_error("error: update failed\n")) == "error: update failed"
    assert engine_message(cmd_error("a single line\n")) == "a single line"
