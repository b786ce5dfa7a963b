"""The errors this tool raises on purpose: the bottom layer, importable by every other.

Each message says what to do next; :attr:`exit_code` is what the CLI exits with.
"""

from __future__ import annotations

__all__ = ["ECHO_LIMIT", "InputError", "PrerequisiteError", "ShowtimeError", "shown"]

#: the most characters of one piece of user input a message echoes
ECHO_LIMIT = 80


def shown(value: object, limit: int = ECHO_LIMIT) -> str:
    """User input as a message echoes it: quoted, at most ``limit`` characters, an ellipsis
    when cut (a 10,000-character path must not come back as 10,000 characters)."""
    text = str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return repr(text)


class ShowtimeError(Exception):
    """Base of every error this tool raises on purpose; the message says what to do next."""

    exit_code = 1


class InputError(ShowtimeError):
    """Bad input from a user or an event: exit code 2, nothing done."""

    exit_code = 2


class PrerequisiteError(InputError):
    """Something the command needs before it can start is missing or unusable: a tool on
    PATH (the pulumi CLI), credentials (AWS, a GitHub token), the Pulumi passphrase. Exit 2,
    like bad input: nothing was attempted, nothing changed, and the message says how to
    provide it. (Exit 1 is for an operation that was attempted and failed.)"""
