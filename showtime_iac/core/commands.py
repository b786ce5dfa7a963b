"""``/showtime`` and ``/circus`` comment commands, parsed into typed values. Pure.

A command is a line that starts with ``/showtime`` or ``/circus`` (ASCII, any case). Lines
quoted with ``>``, lines inside fenced or indented code blocks, inside an HTML comment
(``<!-- -->``) or an inline code span (even one over several lines), and comments longer than
:data:`MAX_COMMENT` are ignored, so quoting someone's ``/circus destroy`` does nothing.
Only the first command of a comment is acted on. A malformed command is answered with help;
the commenter's text is echoed only short, stripped to ``[A-Za-z0-9_.:-]`` and in a code span,
so a reply can carry no mention, link or markup of theirs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, get_args

from showtime_iac.core.model import FLAG_RE, SHA_RE, SIZES, InputError, Ttl

__all__ = [
    "Command",
    "CommandError",
    "parse_comment",
    "HELP",
    "MAX_COMMENT",
    "NAMES",
    "parse_body_flags",
]

MAX_COMMENT = 65_536
CommandName = Literal[
    "refresh",
    "extend",
    "keep-alive",
    "wake",
    "status",
    "destroy",
    "enable",
    "disable",
    "debug",
    "size",
    "help",
]
NAMES: tuple[str, ...] = get_args(CommandName)
# re.ASCII: no Unicode case folding, so look-alikes (Cyrillic с, the Kelvin sign K, ſ) never match
_LINE_RE = re.compile(r"^/(showtime|circus)(?:\s+(.*))?$", re.IGNORECASE | re.ASCII)
# a fence: 3+ backticks (whose info string has none) or 3+ tildes, indented at most 3 spaces
_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_HTML_COMMENT_RE = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_PARAGRAPH_RE = re.compile(r"(\n[ \t]*\n)")
_TICKS_RE = re.compile(r"`+")
_ECHO_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:-")
_BODY_FLAG_RE = re.compile(
    r"^\s*(?:SUPERSET_)?FEATURE_([A-Z][A-Z0-9_]{0,63})\s*=\s*(true|false|1|0|yes|no|on|off)\s*$",
    re.IGNORECASE | re.ASCII,
)

HELP = """\
🎪 **showtime commands** (maintainers; start a line with `/showtime` or `/circus`)

| command | what it does |
|---|---|
| `/showtime status` | post the environment's status |
| `/showtime refresh` | roll the environment forward to the PR's latest commit |
| `/showtime refresh abc1234` | deploy that commit of the PR (on a fork PR: the one you reviewed) |
| `/showtime extend 48h` | extend the lifetime (hours, days or weeks; up to the policy maximum) |
| `/showtime keep-alive` | pin it: no idle expiry (the max age still applies) |
| `/showtime wake` | bring a sleeping environment back (same commit, same URL) |
| `/showtime destroy` | tear the environment down |
| `/showtime enable FLAG` / `disable FLAG` | turn `SUPERSET_FEATURE_FLAG` on or off |
| `/showtime debug on` / `debug off` | debug mode |
| `/showtime size small\\|medium\\|large` | resize |
| `/showtime help` | this help |
"""


@dataclass(frozen=True)
class Command:
    name: CommandName
    arg: str | None = None


@dataclass(frozen=True)
class CommandError:
    """A line that addressed us but does not parse: reply with help, do nothing else."""

    message: str


def _clean(text: str, limit: int = 20) -> str:
    """The commenter's text as a reply may echo it (inside a code span): short, and only
    characters that can make no mention, link, markup or code-span break-out."""
    return "".join(c for c in text if c in _ECHO_CHARS)[:limit] or "?"


def _blank(text: str) -> str:
    """``text`` replaced by its line breaks only (so line numbers and paragraphs stay)."""
    return "\n" * text.count("\n") or " "


def _outside_fences(body: str) -> str:
    lines: list[str] = []
    fence: tuple[str, int] | None = None
    for raw in body.splitlines():
        m = _FENCE_RE.match(raw)
        if fence is None:
            if m is not None and not (m.group(1)[0] == "`" and "`" in m.group(2)):
                fence = (m.group(1)[0], len(m.group(1)))
                lines.append("")
            else:
                lines.append(raw)
            continue
        closes = m is not None and m.group(1)[0] == fence[0] and len(m.group(1)) >= fence[1]
        if closes and m is not None and not m.group(2).strip():
            fence = None
        lines.append("")
    return "\n".join(lines)


def _without_code_spans(paragraph: str) -> str:
    """Inline code spans (CommonMark: a run of n backticks up to the next run of exactly n)
    blanked; an opener without its closer is literal."""
    out: list[str] = []
    pos = 0
    while (m := _TICKS_RE.search(paragraph, pos)) is not None:
        n, end = len(m.group(0)), None
        for close in _TICKS_RE.finditer(paragraph, m.end()):
            if len(close.group(0)) == n:
                end = close.end()
                break
        if end is None:
            out.append(paragraph[pos : m.end()])
            pos = m.end()
            continue
        out.append(paragraph[pos : m.start()] + _blank(paragraph[m.start() : end]))
        pos = end
    out.append(paragraph[pos:])
    return "".join(out)


def _command_lines(body: str) -> list[str]:
    text = _outside_fences(body)
    text = _HTML_COMMENT_RE.sub(lambda m: _blank(m.group(0)), text)
    text = "".join(_without_code_spans(part) for part in _PARAGRAPH_RE.split(text))
    lines: list[str] = []
    for raw in text.splitlines():
        if raw.startswith(("    ", "\t")):  # indented code block
            continue
        line = raw.strip()
        if line.startswith(">"):  # quoted
            continue
        lines.append(line)
    return lines


def _parse_line(rest: str) -> Command | CommandError:
    words = rest.split()
    if not words:
        return CommandError("no command given")
    name, args = words[0].lower(), words[1:]
    if name not in NAMES:
        return CommandError(f"unknown command `{_clean(name)}`")
    if name == "refresh" and len(args) == 1:
        # the commit the writer reviewed (a fork's head may move after the comment)
        sha = args[0].lower()
        if not SHA_RE.fullmatch(sha):
            return CommandError(f"`refresh {_clean(sha)}`: name a commit by 7 to 40 hex digits")
        return Command("refresh", sha)
    if name in ("refresh", "keep-alive", "wake", "status", "destroy", "help"):
        if args:
            return CommandError(f"`{name}` takes no argument")
        return Command(name)  # type: ignore[arg-type]
    if len(args) != 1:
        return CommandError(f"`{name}` takes exactly one argument")
    arg = args[0]
    if name == "extend":
        try:
            ttl = Ttl.parse(arg)
        except InputError:
            return CommandError(f"`extend {_clean(arg)}`: use a duration such as 24h, 3d or 1w")
        if ttl.duration is None:
            return CommandError(
                "`extend` takes a duration; use `keep-alive` to pin it (no idle expiry)"
            )
        return Command("extend", ttl.value)
    if name in ("enable", "disable"):
        flag = arg.upper()
        if flag.startswith("SUPERSET_FEATURE_"):
            flag = flag[len("SUPERSET_FEATURE_") :]
        elif flag.startswith("FEATURE_"):
            flag = flag[len("FEATURE_") :]
        if not FLAG_RE.match(flag) or not arg.isascii():
            return CommandError(f"`{name} {_clean(arg)}`: a flag is A-Z, 0-9 and _ (e.g. ALERTS)")
        return Command(name, flag)  # type: ignore[arg-type]
    if name == "debug":
        if arg.lower() not in ("on", "off"):
            return CommandError("`debug` takes `on` or `off`")
        return Command("debug", arg.lower())
    if arg.lower() not in SIZES:
        return CommandError(f"`size {_clean(arg)}`: choose small, medium or large")
    return Command("size", arg.lower())


def parse_comment(body: str) -> Command | CommandError | None:
    """The first command in a comment, an error for a malformed one, or None if not for us."""
    if len(body) > MAX_COMMENT:
        return None
    for line in _command_lines(body):
        m = _LINE_RE.match(line)
        if m is not None:
            return _parse_line(m.group(2) or "")
    return None


def parse_body_flags(body: str) -> tuple[tuple[str, bool], ...]:
    """``FEATURE_ALERTS=true`` lines of a PR description → ``(("ALERTS", True),)``, sorted.

    The old workflow's habit; ``SUPERSET_FEATURE_X=...`` is read too. Code blocks and quotes
    are skipped like commands; the last line for a flag wins.
    """
    flags: dict[str, bool] = {}
    if len(body) > MAX_COMMENT * 4:
        return ()
    for line in _command_lines(body):
        m = _BODY_FLAG_RE.match(line)
        if m is not None:
            flags[m.group(1).upper()] = m.group(2).lower() in ("true", "1", "yes", "on")
    return tuple(sorted(flags.items()))
