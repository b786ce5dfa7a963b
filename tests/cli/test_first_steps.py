"""A new user's first steps (issue 24): the order of ``--help``, usage errors for empty or
missing inputs, one exit code for a missing prerequisite, the labels a run writes once
healthy in ``plan`` and ``up --dry-run``, and the max age a direct ``up`` records."""

from __future__ import annotations

import pytest

from showtime_iac.cli import app, main

#: the order a user meets the commands in: the offline tour, one environment by hand, the
#: workflows' commands, then operating the fleet and the tool
USER_ORDER = [
    "plan",
    "up",
    "status",
    "list",
    "logs",
    "credentials",
    "destroy",
    "sync",
    "cleanup",
    "drift",
    "labels",
    "dashboard",
    "doctor",
    "migrate",
]


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    rc = main(args)
    out = capsys.readouterr()
    return rc, out.out, out.err


def one_error_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("showtime-iac: error: ") and "Traceback" not in err
    return lines[0]


# --------------------------------------------------------------------------- --help


def test_help_lists_the_commands_in_the_order_a_user_meets_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import typer

    rc, out, _ = run(["--help"], capsys)
    assert rc == 0
    section = out.split("\nCommands:\n", 1)[1]
    listed = [line.split()[0] for line in section.splitlines() if line.startswith("  ")]
    assert listed == USER_ORDER
    group = typer.main.get_command(app)
    visible = {n for n, c in group.commands.items() if not c.hidden}  # type: ignore[attr-defined]
    assert visible == set(USER_ORDER)  # a new command must be given its place
