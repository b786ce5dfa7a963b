"""Printing for the CLI: rich when on a terminal, plain when piped, JSON for scripts.

Tables are rich on a terminal and plain aligned columns otherwise (:func:`table`); colour and
every other terminal code are off when the stream is not a TTY (no colour system, whatever
``FORCE_COLOR`` says), and colour is off when ``NO_COLOR`` is set. Columns are aligned by
display width (an emoji takes two columns), not by characters. Rich is imported lazily so
``--help`` and ``plan`` start fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from showtime_iac.errors import ECHO_LIMIT

if TYPE_CHECKING:
    from rich.console import Console

__all__ = [
    "console",
    "display_width",
    "emit_json",
    "engine_display",
    "err_console",
    "fail",
    "is_tty",
    "ljust",
    "notes",
    "plain_columns",
    "table",
]

_consoles: dict[str, Console] = {}


def is_tty(stream: Any = None) -> bool:
    s = sys.stdout if stream is None else stream
    return bool(getattr(s, "isatty", lambda: False)())


def _make(stderr: bool) -> Console:
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    tty = is_tty(stream)
    colour = tty and "NO_COLOR" not in os.environ
    return Console(
        file=stream,
        no_color=not colour,
        color_system="auto" if colour else None,
        highlight=False,
        soft_wrap=not tty,
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


def display_width(text: str) -> int:
    """Terminal columns of ``text``: two for a wide character (most emoji, CJK), none for a
    combining or zero-width one, and two for a character shown as an emoji by a following
    U+FE0F (``⚙️``, ``🏗️``: two characters, two columns; ``⚙`` alone is one column)."""
    from rich.cells import get_character_cell_size

    width = last = 0
    for ch in text:
        if ch == "\ufe0f":  # emoji presentation of the character before it
            width += 1 if last == 1 else 0
            last = 2 if last else 0
            continue
        last = get_character_cell_size(ch)
        width += last
    return width


def ljust(text: str, width: int) -> str:
    """``text`` padded with spaces to ``width`` display columns."""
    return text + " " * max(width - display_width(text), 0)


def plain_columns(rows: Sequence[Sequence[str]]) -> list[str]:
    """Rows as aligned columns, two spaces apart, padded by display width (pipes, logs)."""
    if not rows:
        return []
    n = max(len(r) for r in rows)
    widths = [max(display_width(r[c]) for r in rows if c < len(r)) for c in range(n)]
    return ["  ".join(ljust(v, widths[c]) for c, v in enumerate(r)).rstrip() for r in rows]


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    title: str | None = None,
    footer: Sequence[str] | None = None,
    right: Sequence[str] = (),
    no_wrap: bool = False,
) -> None:
    """Print a table on stdout: rich on a terminal; else the title on a line of its own, then
    plain columns (header, rows, footer), so ``grep``/``awk`` and logs read it as text.

    ``right``: the headers of the columns a terminal right-justifies (numbers); ``no_wrap``:
    a terminal too narrow cuts cells short instead of wrapping them."""
    if not is_tty():
        lines = [title] if title else []
        if rows or footer:
            lines += plain_columns([headers, *rows, *([footer] if footer else [])])
        sys.stdout.write("".join(line + "\n" for line in lines))
        return
    from rich.table import Table

    t = Table(title=title, show_footer=footer is not None, footer_style="bold")
    for c, h in enumerate(headers):
        t.add_column(
            h,
            footer=footer[c] if footer is not None else "",
            justify="right" if h in right else "left",
            no_wrap=no_wrap,
        )
    for row in rows:
        t.add_row(*row)
    console().print(t)


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
