"""The errors this tool raises on purpose: the bottom layer, importable by every other.

Each message says what to do next; :attr:`exit_code` is what the CLI exits with.
"""

from __future__ import annotations

__all__ = ["InputError", "ShowtimeError"]


class ShowtimeError(Exception):
    """Base of every error this tool raises on purpose; the message says what to do next."""

    exit_code = 1


class InputError(ShowtimeError):
    """Bad input from a user or an event: exit code 2, nothing done."""

    exit_code = 2
