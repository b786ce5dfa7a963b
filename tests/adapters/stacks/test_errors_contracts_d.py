"""engine_message reads the CLI's stdout as well as its stderr: the Automation API labels the
first line of each (``stdout: …``), and the label is not part of the message (issue 29)."""

from __future__ import annotations

from pulumi.automation._cmd import CommandResult
from pulumi.automation.errors import CommandError

from showtime_iac.adapters.stacks.errors import engine_message


def test_an_error_on_the_first_line_of_stdout_is_found_without_its_label() -> None:
    exc = CommandError(CommandResult(stdout="error: the program failed\n", stderr="", code=255))
    assert engine_message(exc) == "error: the program failed"


def test_a_last_stdout_line_is_the_message_without_its_label() -> None:
    exc = CommandError(CommandResult(stdout="Updating (pr-1)\n", stderr="", code=255))
    assert engine_message(exc) == "Updating (pr-1)"
