"""Usage errors (an unknown option, a missing or invalid argument) as one line, for every
command: configured once, in :func:`showtime_iac.cli.main.main`.

Click prints a four-line block (usage, a hint, a blank line, the error); we print
``showtime-iac: error: <what> (see 'showtime-iac COMMAND --help')`` and exit 2.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from typer._click.core import Command
from typer._click.exceptions import BadParameter, MissingParameter, NoSuchOption, UsageError
from typer.core import TyperGroup

from showtime_iac.errors import shown

__all__ = ["usage_message"]

_NEGATIVE = re.compile(r"-[0-9]+")


def _has_pr_argument(exc: UsageError) -> bool:
    return exc.ctx is not None and any(p.name == "pr" for p in exc.ctx.command.params)


def _bad_pr(exc: UsageError) -> str | None:
    """The value given for the PR argument when that is what is wrong, else None.

    ``sync -1`` reaches Click as an unknown option ``-1``; ``destroy 0`` and ``up abc`` as a
    bad value of the argument ``pr``.
    """
    if isinstance(exc, NoSuchOption):
        if _NEGATIVE.fullmatch(exc.option_name) and _has_pr_argument(exc):
            return exc.option_name
        return None
    if isinstance(exc, MissingParameter):
        return None
    if isinstance(exc, BadParameter) and exc.param is not None and exc.param.name == "pr":
        # Click's messages start with the value: "0 is not in the range x>=1."
        return exc.message.split(" is ", 1)[0].strip("'\"")
    return None


def _command_path(root: Command, args: Sequence[str]) -> str:
    """``showtime-iac labels setup`` from the leading words of ``args`` that name commands
    (for the errors Click's parser raises without a context)."""
    path, cmd = ["showtime-iac"], root
    for word in args:
        sub = cmd.commands.get(word) if isinstance(cmd, TyperGroup) else None
        if sub is None:
            break
        path.append(word)
        cmd = sub
    return " ".join(path)


def usage_message(exc: UsageError, args: Sequence[str], root: Command) -> str:
    """One line: what is wrong, and where the command's help is."""
    where = exc.ctx.command_path if exc.ctx is not None else _command_path(root, args)
    value = _bad_pr(exc)
    if value is not None:
        what = f"Invalid value {shown(value)}: PR must be a positive number"
    else:
        what = " ".join(exc.format_message().split()).rstrip(".")
    return f"{what} (see '{where} --help')"
