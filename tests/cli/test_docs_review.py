"""Stumbles a review of the docs found (issue 18), through the real CLI: tables as plain columns
when piped, emoji aligned by display width, the help pointing at the docs, the engine checked
before any GitHub request, a closed stdout, and ``--now`` for reproducible dry runs."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from rich.cells import cell_len

from showtime_iac.cli import app
from showtime_iac.cli import output as _output
from showtime_iac.core import labels as L
from tests.cli.test_cli_stacks import no_engine  # noqa: F401  (fixture)
from tests.cli.test_first_run import one_error_line, run
from tests.doubles import FakeLive, FakeStacks, use_doubles
from tests.github_api_server import GitHubServer

SHA = "abc1234def5678901234567890abcdef12345678"
ROOT = Path(__file__).resolve().parents[2]
BOX = re.compile("[\u2500-\u257f]")  # rich's box drawing: ┏ ━ ┃ │ └ ...


@pytest.fixture
def github(ghserver: GitHubServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> GitHubServer:
    for var in ("GITHUB_EVENT_PATH", "GITHUB_EVENT_NAME", "SHOWTIME_POLICY", "GITHUB_ACTOR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("GITHUB_API_URL", ghserver.url)
    monkeypatch.setenv("GITHUB_TOKEN", ghserver.token)
    monkeypatch.setenv("GITHUB_REPOSITORY", ghserver.repo)
    monkeypatch.chdir(tmp_path)
    return ghserver


def columns(line: str) -> list[int]:
    """The display column (rich's cell width of what precedes it) where each column of a
    plain table starts: after a run of two or more spaces."""
    return [0] + [cell_len(line[: m.end()]) for m in re.finditer(r" {2,}", line.rstrip())]


def assert_plain_columns(lines: list[str]) -> None:
    assert lines and not any(BOX.search(line) for line in lines), lines
    assert not any("\x1b[" in line for line in lines)
    starts = [columns(line) for line in lines]
    assert len({len(s) for s in starts}) == 1, lines  # the same number of columns everywhere
    assert len(set(map(tuple, starts))) == 1, "\n".join(lines)  # at the same display columns


# --------------------------------------------------------------------------- 1. tables


def test_labels_setup_dry_run_piped_is_plain_columns(
    github: GitHubServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    rc, out, _ = run(["labels", "setup", "--dry-run"], capsys)
    title, *table = out.splitlines()
    assert rc == 0 and title == "labels setup (dry run)"
    assert table[0].split() == ["LABEL", "RESULT"]
    assert_plain_columns(table)
    assert [line.split("  ")[0] for line in table[1:]] == list(L.TRIGGER_LABELS)
    assert github.requests == []


def test_labels_prune_dry_run_piped_is_plain_columns(
    github: GitHubServer, capsys: pytest.CaptureFixture[str]
) -> None:
    github.add_label_definition("🎪 0ld0000 🚦 running")
    github.add_label_definition(f"🎪 0ld0000 ⚙️ {'large,debug'}")
    rc, out, _ = run(["labels", "prune", "--dry-run"], capsys)
    title, *table = out.splitlines()
    assert rc == 0 and title == "labels prune: would delete 2"
    assert_plain_columns(table)
    assert "🎪 0ld0000 ⚙️ large,debug" in out and "would delete" in table[-1]
    assert "🎪 0ld0000 ⚙️ large,debug" in github.label_definitions()


def test_cleanup_dry_run_piped_is_plain_columns(
    github: GitHubServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stacks = FakeStacks()
    for n in (1, 2):
        github.add_pr(n, head_sha=f"{n:07x}" + "f" * 33, state="closed")
        stacks.existing.add(f"pr-{n}-{n:07x}")
    use_doubles(monkeypatch, stacks, FakeLive())
    rc, out, _ = run(["cleanup", "--dry-run", "--no-orphans", "--no-prune-labels"], capsys)
    title, *table = out.splitlines()
    assert rc == 0 and title == "cleanup (dry run: nothing changed)"
    assert table[0].split() == ["PR", "STATE", "ACTION", "STACKS", "REASON", "RESULT"]
    assert_plain_columns(table)
    assert [line.split()[0] for line in table[1:]] == ["1", "2"]


def test_on_a_terminal_the_same_table_is_rich(
    github: GitHubServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(_output, "is_tty", lambda stream=None: True)
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("NO_COLOR", "1")
    _output._consoles.clear()
    try:
        rc, out, _ = run(["labels", "setup", "--dry-run"], capsys)
    finally:
        _output._consoles.clear()
    assert rc == 0 and "┃ LABEL" in out and "│ 🎪 ⚡ showtime-trigger-start" in out


def test_colour_is_off_when_piped_even_if_forced(
    github: GitHubServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    _output._consoles.clear()
    rc, out, _ = run(["labels", "setup", "--dry-run"], capsys)
    assert rc == 0 and "\x1b[" not in out and not BOX.search(out)
    _output.console().print("[bold red]styled[/]")  # any rich output, not only the tables
    assert capsys.readouterr().out == "styled\n"
    _output._consoles.clear()


# --------------------------------------------------------------------------- 2. explain


@pytest.mark.parametrize("command", [["labels", "explain"], ["explain"]])
def test_explain_aligns_meanings_by_display_width(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, _ = run(command, capsys)
    assert rc == 0
    lines = out.splitlines()
    assert any("⚙️" in line for line in lines) and any("🏗️" in line for line in lines)
    starts = set()
    for (name, meaning), line in zip(L.VOCABULARY, lines, strict=True):
        assert line.startswith(name) and line.endswith(meaning)
        starts.add(cell_len(line[: len(line) - len(meaning)]))
    assert len(starts) == 1, out


@pytest.mark.parametrize(
    ("text", "width"),
    [
        ("abc", 3),
        ("🎪 abc1234 ⚙️ large", 19),
        ("🎪 🏗️ {sha7}", 12),
        ("⚙", 1),  # U+2699 alone is text presentation: one column
        ("🎪 {sha7} 🚦 {status}", 21),
        ("", 0),
    ],
)
def test_display_width(text: str, width: int) -> None:
    assert _output.display_width(text) == width == cell_len(text)


# --------------------------------------------------------------------------- 3. dashboard help


def test_dashboard_help_points_at_the_input_schema_in_the_docs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    rc, out, _ = run(["dashboard", "--help"], capsys)
    text = " ".join(out.split())
    assert rc == 0 and "README" not in text
    assert "docs/commands/dashboard.md" in text
    page = (ROOT / "docs" / "commands" / "dashboard.md").read_text(encoding="utf-8")
    assert '"environments"' in page and "hourly_cost" in page  # the schema is there


# --------------------------------------------------------------------------- 4. engine first


@pytest.mark.parametrize(
    "args",
    [
        ["cleanup", "--dry-run", "--no-orphans"],
        ["cleanup", "--dry-run", "--json"],
        ["list", "--status", "running"],
        ["list", "--status", "failed", "--json"],
        ["up", "--ref", "master"],  # the branch's tip would be looked up on GitHub
    ],
)
def test_no_engine_fails_before_any_github_request(
    args: list[str],
    no_engine: Path,  # noqa: F811
    github: GitHubServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    github.add_pr(1234, head_sha=SHA, labels=[f"🎪 {SHA[:7]} 🚦 running"])
    rc, out, err = run(args, capsys)
    assert rc == 2 and out == ""  # a missing prerequisite
    assert "pulumi" in one_error_line(err)
    assert github.requests == []


# --------------------------------------------------------------------------- 5. closed stdout


def _cli_env(home: Path, *, unbuffered: bool) -> dict[str, str]:
    env = {
        "PATH": "/usr/bin:/bin",  # no pulumi
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "NO_COLOR": "1",
    }
    if unbuffered:
        env["PYTHONUNBUFFERED"] = "1"  # as the docs test runs commands: one write per call
    return env


def _cut_short(args: list[str], env: dict[str, str], cwd: Path, read: int) -> tuple[int, str]:
    """Run the CLI with stdout a pipe that is closed after reading ``read`` bytes."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "showtime_iac.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=cwd,
    )
    assert proc.stdout is not None and proc.stderr is not None
    got = proc.stdout.read(read) if read else b""
    assert len(got) == read
    proc.stdout.close()
    err = proc.stderr.read().decode()
    return proc.wait(timeout=300), err


def _quiet(err: str) -> bool:
    """Nothing on stderr but the command's own warnings: no traceback, no error line."""
    return all(line.startswith("showtime-iac: warning:") for line in err.splitlines())


@pytest.mark.parametrize("unbuffered", [False, True], ids=["buffered", "unbuffered"])
def test_up_dry_run_json_into_a_closed_pipe(unbuffered: bool, tmp_path: Path) -> None:
    env = _cli_env(tmp_path, unbuffered=unbuffered)
    args = ["up", "1234", "--sha", SHA, "--dry-run", "--json"]
    rc, err = _cut_short(args, env, tmp_path, read=0)
    assert (rc, _quiet(err)) == (141, True), err


def test_a_pipe_closed_after_a_few_bytes_ends_quietly_with_141(tmp_path: Path) -> None:
    card = json.loads((ROOT / "tests/fixtures/dashboard/environments.json").read_text())
    first = card["environments"][0]
    cards = [{**first, "pr": 1000 + n} for n in range(600)]  # ~200 KB of JSON: > a pipe
    (tmp_path / "cards.json").write_text(json.dumps({"environments": cards}))
    args = ["dashboard", "--out", "site", "--input", "cards.json", "--now", "2026-01-15T14:30Z"]
    for unbuffered in (False, True, False):
        env = _cli_env(tmp_path, unbuffered=unbuffered)
        rc, err = _cut_short([*args, "--json"], env, tmp_path, read=16)
        assert (rc, err) == (141, ""), err
        rc, err = _cut_short(["labels", "explain"], env, tmp_path, read=0)
        assert (rc, err) == (141, ""), err


def test_a_reader_that_takes_everything_sees_exit_0(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "showtime_iac.cli", "labels", "explain"],
        capture_output=True,
        env=_cli_env(tmp_path, unbuffered=False),
        check=False,
    )
    assert done.returncode == 0 and done.stderr == b"" and L.START in done.stdout.decode()


def test_exit_141_is_documented() -> None:
    page = (ROOT / "docs" / "commands" / "index.md").read_text(encoding="utf-8")
    assert "141" in page
    assert "141" in (typer.main.get_command(app).help or "")


# --------------------------------------------------------------------------- 6. --now

NOW = "2026-01-15T14:30:00Z"


def test_up_dry_run_now_fixes_the_expiry_and_the_labels(
    no_engine: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    rc, out, _ = run(["up", "1234", "--sha", SHA, "--dry-run", "--now", NOW], capsys)
    assert rc == 0
    assert "showtime:expires-at=2026-01-16T14:30:00Z" in out
    assert f"  + 🎪 {SHA[:7]} 📅 2026-01-15T14-30   (claim)" in out.splitlines()
    rc, doc, _ = run(["up", "1234", "--sha", SHA, "--dry-run", "--now", NOW, "--json"], capsys)
    assert (
        rc == 0 and f"🎪 {SHA[:7]} 📅 2026-01-15T14-30" in json.loads(doc)["labels"]["claim"]["add"]
    )
    rc, again, _ = run(["up", "1234", "--sha", SHA, "--dry-run", "--now", NOW, "--json"], capsys)
    assert again == doc  # reproducible


def test_sync_dry_run_now_dates_the_claim(capsys: pytest.CaptureFixture[str]) -> None:
    event = str(ROOT / "examples" / "pr-labeled-start.json")
    rc, out, _ = run(["sync", "1234", "--event", event, "--dry-run", "--now", NOW], capsys)
    assert rc == 0 and "  + label   🎪 abc1234 📅 2026-01-15T14-30" in out.splitlines()


@pytest.mark.parametrize(
    "args",
    [
        ["up", "1234", "--sha", SHA, "--now", NOW],
        ["sync", "1234", "--event", "examples/pr-labeled-start.json", "--now", NOW],
    ],
)
def test_now_without_dry_run_is_a_usage_error(
    args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.cli.test_first_run import _no_adapter

    _no_adapter(monkeypatch)
    monkeypatch.chdir(ROOT)
    rc, out, err = run(args, capsys)
    assert rc == 2 and out == ""
    line = one_error_line(err)
    assert "--now" in line and "--dry-run" in line and f"showtime-iac {args[0]} --help" in line


@pytest.mark.parametrize("command", [["up", "1234", "--sha", SHA], ["sync", "1234"]])
def test_now_must_be_iso_8601(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    rc, _, err = run([*command, "--dry-run", "--now", "tomorrow"], capsys)
    assert rc == 2 and "ISO 8601" in one_error_line(err)


def test_now_is_in_the_help_of_up_and_sync(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("up", "sync"):
        rc, out, _ = run([command, "--help"], capsys)
        assert rc == 0 and "--now" in out
