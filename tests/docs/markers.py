"""Command outputs in the docs, rerun and compared: the marker, the runner, the comparison.

A marker is an HTML comment (invisible on GitHub and in the MkDocs site) right before a
```` ```console ```` block::

    <!-- cli: showtime-iac plan --event examples/pr-labeled-start.json -->
    ```console
    $ showtime-iac plan --event examples/pr-labeled-start.json
    PR #1234  intent: start  sha: abc1234
    ...
    ```

Options go between ``cli`` and the colon, separated by spaces::

    <!-- cli exit=2 stderr: showtime-iac plan --event missing.json -->

``exit=N``
    the exit code the command must end with (default 0; ``exit=any`` for benchmarks,
    which may exit non-zero over their target on a loaded machine).
``stderr``
    show stderr too, interleaved with stdout as a terminal shows it (default: stdout only).
``mask=clock``
    the command reads the clock: ISO times in its output are compared as ``<time>`` (the
    block keeps the real ones, from the last regeneration). ``plan``, ``up --dry-run``,
    ``sync --dry-run`` and ``dashboard`` take ``--now`` instead, so their blocks are exact.
``mask=seconds``
    decimal numbers are compared as ``<n>`` (benchmark timings), and so is a row's verdict
    against its target (a trailing ``ok`` or ``OVER``); integers stay exact.
``cwd=tmp``
    run in a fresh temporary directory where ``examples/`` and ``tests/`` of the repository are
    linked, for commands that write files.
``github=NAME``
    run against the local GitHub API test server (``tests/github_api_server.py``) filled by the
    scenario NAME of ``tests/docs/scenarios.py``: ``GITHUB_API_URL``, ``GITHUB_TOKEN`` and
    ``GITHUB_REPOSITORY=apache/superset`` are set for it (and only for it).

The command runs through ``bash -c`` in the repository root (or that temporary directory) with
a clean environment: ``PATH`` is the virtualenv's ``bin`` (so ``showtime-iac`` and ``python``
are the installed ones) plus ``/usr/bin:/bin``, ``HOME`` is a fresh temporary directory (shown
as ``~`` in the output), ``NO_COLOR=1``, ``COLUMNS=100``, a UTF-8 locale, and nothing else: no
``GITHUB_*``, ``AWS_*`` or ``PULUMI_*``. The block is ``$ COMMAND`` followed by the output;
trailing whitespace of each line is not significant.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # the virtualenv's bin (not resolved: that would leave it)

_MARKER = re.compile(
    r"^(?P<indent>[ \t]*)<!--\s*cli(?P<opts>(?:\s+[\w=,.-]+)*)\s*:\s*(?P<cmd>.+?)\s*-->\s*$"
)
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
_CLOCK = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}[-:]\d{2}(?::\d{2}(?:\.\d+)?)?Z?")
_SECONDS = re.compile(r" *\b\d+\.\d+\b")
_VERDICT = re.compile(r"\s+(?:ok|OVER)$")  # a benchmark row against its target
OPTIONS = ("exit", "stderr", "mask", "cwd", "github")
MASKS = ("clock", "seconds")
TIMEOUT_S = 300


class MarkerError(ValueError):
    """A marker or block the docs test cannot check (named by file and line)."""


@dataclass(frozen=True)
class Block:
    """One fenced code block of a markdown file."""

    path: Path
    line: int  # 1-based line of the opening fence
    info: str  # the info string: "console", "bash", ...
    indent: str
    body: list[str]
    start: int  # 0-based index of the first body line
    end: int  # 0-based index of the closing fence


@dataclass(frozen=True)
class Marker:
    """A ``<!-- cli ... -->`` comment and the console block it checks."""

    path: Path
    line: int
    command: str
    exit: int | None  # None: any
    stderr: bool
    masks: tuple[str, ...]
    tmp_cwd: bool
    github: str | None
    block: Block

    @property
    def where(self) -> str:
        path = self.path.relative_to(ROOT) if self.path.is_relative_to(ROOT) else self.path
        return f"{path}:{self.line}"


def doc_files(root: Path = ROOT) -> list[Path]:
    """README.md and every page under docs/, sorted."""
    files = [root / "README.md", *sorted((root / "docs").rglob("*.md"))]
    return [f for f in files if f.is_file()]


def blocks(path: Path, lines: list[str] | None = None) -> Iterator[Block]:
    """The fenced code blocks of a markdown file (an unclosed fence is an error)."""
    lines = lines if lines is not None else path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if m is None:
            i += 1
            continue
        fence, indent = m.group("fence"), m.group("indent")
        j = i + 1
        while j < len(lines):
            close = _FENCE.match(lines[j])
            if (
                close is not None
                and close.group("fence")[0] == fence[0]
                and len(close.group("fence")) >= len(fence)
                and not close.group("info").strip()
            ):
                break
            j += 1
        else:
            raise MarkerError(f"{path}:{i + 1}: unclosed code fence")
        body = [
            ln[len(indent) :] if ln.startswith(indent) else ln.lstrip() for ln in lines[i + 1 : j]
        ]
        yield Block(path, i + 1, m.group("info").strip(), indent, body, i + 1, j)
        i = j + 1


def _parse_options(
    opts: str, where: str
) -> tuple[int | None, bool, tuple[str, ...], bool, str | None]:
    from tests.docs.scenarios import SCENARIOS

    exit_code: int | None = 0
    masks: tuple[str, ...] = ()
    stderr = tmp_cwd = False
    github: str | None = None
    for word in opts.split():
        key, _, value = word.partition("=")
        if key not in OPTIONS:
            raise MarkerError(
                f"{where}: unknown marker option {key!r} (known: {', '.join(OPTIONS)})"
            )
        if key == "exit":
            if value == "any":
                exit_code = None
            elif value.isdigit():
                exit_code = int(value)
            else:
                raise MarkerError(f"{where}: exit= takes a number or 'any', not {value!r}")
        elif key == "stderr":
            if value:
                raise MarkerError(f"{where}: stderr takes no value")
            stderr = True
        elif key == "mask":
            masks = tuple(value.split(","))
            bad = [m for m in masks if m not in MASKS]
            if bad:
                raise MarkerError(f"{where}: unknown mask {bad[0]!r} (known: {', '.join(MASKS)})")
        elif key == "github":
            if value not in SCENARIOS:
                raise MarkerError(
                    f"{where}: unknown GitHub scenario {value!r} (known: {', '.join(SCENARIOS)})"
                )
            github = value
        elif value != "tmp":
            raise MarkerError(f"{where}: cwd= takes only 'tmp'")
        else:
            tmp_cwd = True
    return exit_code, stderr, masks, tmp_cwd, github


def markers(path: Path, lines: list[str] | None = None) -> list[Marker]:
    """Every marker of a file with its block; a marker not followed by a console block fails."""
    lines = lines if lines is not None else path.read_text(encoding="utf-8").splitlines()
    all_blocks = list(blocks(path, lines))
    by_line = {b.start - 1: b for b in all_blocks}
    inside = {i for b in all_blocks for i in range(b.start - 1, b.end + 1)}
    found: list[Marker] = []
    for i, text in enumerate(lines):
        if i in inside:  # an example of the syntax, not a marker
            continue
        m = _MARKER.match(text)
        if m is None:
            if "<!-- cli" in text:
                raise MarkerError(f"{path}:{i + 1}: malformed marker: {text.strip()}")
            continue
        where = f"{path}:{i + 1}"
        block = by_line.get(i + 1)
        if block is None or block.info != "console":
            raise MarkerError(
                f"{where}: a cli marker must be followed at once by a ```console block"
            )
        exit_code, stderr, masks, tmp_cwd, github = _parse_options(m.group("opts"), where)
        found.append(
            Marker(path, i + 1, m.group("cmd"), exit_code, stderr, masks, tmp_cwd, github, block)
        )
    return found


def unchecked(path: Path) -> list[str]:
    """Blocks that show output without a marker: every console block, and any block whose
    first line is a ``$ `` prompt. Returns ``file:line`` for each."""
    lines = path.read_text(encoding="utf-8").splitlines()
    marked = {mk.block.start for mk in markers(path, lines)}
    bad = []
    for b in blocks(path, lines):
        shows_prompt = bool(b.body) and b.body[0].lstrip().startswith("$ ")
        if (b.info == "console" or shows_prompt) and b.start not in marked:
            bad.append(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}:{b.line}")
    return bad


def clean_env(home: Path) -> dict[str, str]:
    return {
        "PATH": f"{BIN}{os.pathsep}/usr/bin{os.pathsep}/bin",
        "HOME": str(home),
        "NO_COLOR": "1",
        "COLUMNS": "100",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TERM": "dumb",
        "PYTHONUNBUFFERED": "1",  # stderr and stdout interleave as on a terminal
        "PYTHONDONTWRITEBYTECODE": "1",
    }


@dataclass(frozen=True)
class Result:
    output: str  # what the block shows after the `$` line (no trailing newline)
    exit_code: int


def _github(stack: ExitStack, scenario: str) -> dict[str, str]:
    """Start the local GitHub API server with ``scenario``; its variables for the command."""
    from tests.docs.scenarios import SCENARIOS
    from tests.github_api_server import GitHubServer

    gh = GitHubServer(repo="apache/superset")
    gh.start()
    stack.callback(gh.stop)
    SCENARIOS[scenario](gh)
    return {"GITHUB_API_URL": gh.url, "GITHUB_TOKEN": gh.token, "GITHUB_REPOSITORY": gh.repo}


def run(marker: Marker) -> Result:
    """Run the marker's command as the docs describe it, and return what a reader would see."""
    with tempfile.TemporaryDirectory(prefix="showtime-docs-") as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        cwd = ROOT
        if marker.tmp_cwd:
            cwd = Path(tmp) / "work"
            cwd.mkdir()
            for name in ("examples", "tests"):
                (cwd / name).symlink_to(ROOT / name)
        env = clean_env(home)
        with ExitStack() as stack:
            if marker.github is not None:
                env.update(_github(stack, marker.github))
            proc = subprocess.run(
                ["bash", "-c", marker.command],
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT if marker.stderr else subprocess.PIPE,
                timeout=TIMEOUT_S,
                check=False,
            )
        out = proc.stdout.decode("utf-8", errors="replace").replace(str(home), "~")
    lines = [ln.rstrip() for ln in out.rstrip("\n").splitlines()]
    return Result("\n".join(lines), proc.returncode)


def render(marker: Marker, result: Result) -> list[str]:
    """The block body for a result: the `$` line, then the output."""
    return [f"$ {marker.command}", *(result.output.splitlines() if result.output else [])]


def masked(lines: list[str], masks: tuple[str, ...]) -> list[str]:
    out = []
    for raw in lines:
        line = raw.rstrip()
        if "clock" in masks:
            line = _CLOCK.sub("<time>", line)
        if "seconds" in masks:
            line = _VERDICT.sub("  <verdict>", _SECONDS.sub(" <n>", line))
        out.append(line)
    return out


def matches(marker: Marker, result: Result) -> bool:
    want = masked(marker.block.body, marker.masks)
    return want == masked(render(marker, result), marker.masks)


def rewrite(path: Path, results: dict[int, Result]) -> bool:
    """Rewrite the blocks of ``path`` whose marker line is a key of ``results``; True if changed."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    # bottom-up, so earlier indices stay valid
    for mk in sorted(markers(path, lines), key=lambda m: m.line, reverse=True):
        if mk.line not in results:
            continue
        body = [f"{mk.block.indent}{ln}" if ln else "" for ln in render(mk, results[mk.line])]
        lines[mk.block.start : mk.block.end] = body
    new = "\n".join(lines) + ("\n" if text.endswith("\n") else "")
    if new != text:
        path.write_text(new, encoding="utf-8")
        return True
    return False
