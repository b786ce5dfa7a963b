"""Printing for the CLI: rich when on a terminal, plain when piped, JSON for scripts.

Colour is off when stdout is not a TTY (and when ``NO_COLOR`` is set). Rich is imported
lazily so ``--help`` and ``plan`` start fast.
"""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["console", "emit_json", "err_console", "fail", "is_tty"]

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
    sys.stdout.write(json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=False, default=str))
    sys.stdout.write("\n")


def fail(message: str) -> None:
    """One line on stderr, prefixed, no traceback."""
    first = message.strip().splitlines()[0] if message.strip() else "unknown error"
    sys.stderr.write(f"showtime-iac: error: {first}\n")
