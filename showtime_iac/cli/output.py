"""Printing for the CLI: rich when on a terminal, plain when piped, JSON for scripts.

Colour is off when stdout is not a TTY (and when ``NO_COLOR`` is set). Rich is imported
lazily so ``--help`` and ``plan`` start fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from showtime_iac.errors import ECHO_LIMIT

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["console", "emit_json", "engine_display", "err_console", "fail", "is_tty", "notes"]

_consoles: dict[str, Console] = {}


def is_tty(stream: Any = None) -> bool:
    s = sys.stdout if stream is None else stream
    return bool(getattr(s, "isatty", lambda: False)())


def _make(stderr: bool) -> Console:
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    colour = is_tty(stream) and "NO_COLOR" not in os.environ
    return Console(
        file=stream,
        no_color=not colour,
        color_system="auto" if colour else None,
        highlight=False,
        soft_wrap=not is_tty(stream),
    )


def console() -> Console:
    """The stdout console (created on first use, so tests that swap stdout are honoured)."""
    key = f"out:{id(sys.stdout)}"
    if key not in _consoles:
        _consoles[key] = _make(stderr=False)
    return _consoles[key]


def err_console() -> Console:
    key = f"err:{id(sys.stderr)}"
    if key not in _consoles:
        _consoles[key] = _make(stderr=True)
    return _consoles[key]


def emit_json(obj: Any) -> None:
    """One JSON document on stdout (UTF-8, emoji kept readable)."""
    import json

    sys.stdout.write(json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=False, default=str))
    sys.stdout.write("\n")


_MAX_LINE = 500


def _shorten(line: str) -> str:
    """Every over-long word of ``line`` cut to ECHO_LIMIT characters with an ellipsis, and the
    line to _MAX_LINE: a message never echoes 10,000 characters of input (Click's echo the
    option or value as given)."""
    import re  # only on the error path: nothing compiled at start-up

    # a run of more than ECHO_LIMIT characters without a space or a quote: echoed user input
    long_word = rf"[^\s'\"]{{{ECHO_LIMIT + 1},}}"
    line = re.sub(long_word, lambda m: m.group()[: ECHO_LIMIT - 1] + "…", line)
    return line if len(line) <= _MAX_LINE else line[: _MAX_LINE - 1] + "…"


def fail(message: str) -> None:
    """One line on stderr, prefixed, no traceback; echoed input cut short."""
    first = message.strip().splitlines()[0] if message.strip() else "unknown error"
    sys.stderr.write(f"showtime-iac: error: {_shorten(first)}\n")


def notes(lines: list[str]) -> None:
    """What the stack driver did besides the operation (a lock retried, ...), on stderr."""
    for note in lines:
        sys.stderr.write(f"showtime-iac: {note}\n")


@contextmanager
def engine_display(quiet: bool = False) -> Iterator[Callable[[str], None]]:
    """A sink for engine output lines: a rich status line on a TTY, plain lines otherwise."""
    if quiet:
        yield lambda _line: None
        return
    if not is_tty(sys.stderr):

        def plain(line: str) -> None:
            text = line.rstrip("\n")
            if text.strip():
                sys.stderr.write(text + "\n")

        yield plain
        return
    con = err_console()
    with con.status("pulumi: starting", spinner="dots") as status:

        def live(line: str) -> None:
            text = line.rstrip("\n")
            if not text.strip():
                return
            stripped = text.strip()
            if stripped[:1] in "+-~" or "error" in stripped.lower():
                con.print(text, markup=False, highlight=False)
            status.update(f"pulumi: {stripped[:100]}")

        yield live
