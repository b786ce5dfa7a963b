"""`plan` and `explain` through the real CLI entry point, plus start-up cost guarantees."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from showtime_iac.cli import main
from showtime_iac.core import labels as L
from tests import payloads as P

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, payload: object, name: str = "event.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    return path


def test_plan_json_contract(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    event = write(tmp_path, P.pull_request("labeled", [L.START], label=L.START))
    code = main(
        [
            "plan",
            "--event",
            str(event),
            "--event-name",
            "pull_request",
            "--now",
            "2026-01-15T14:30:00Z",
            "--json",
        ]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["pr"] == 1234
    assert out["remove_labels"] == [L.START]
    assert "🎪 abc1234 🚦 building" in out["add_labels"]
    assert out["stacks"] == [{"action": "up", "stack": "pr-1234-abc1234", "when": "now"}]
    assert isinstance(out["comment"], str) and out["skipped"] is None


def test_plan_reads_github_event_env(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    event = write(
        tmp_path,
        P.pull_request(
            "synchronize", [L.FREEZE, "🎪 🎯 abc1234", "🎪 abc1234 🚦 running"], sha="d" * 40
        ),
    )
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    monkeypatch.setenv("GITHUB_EVENT_NAME", "pull_request_target")
    assert main(["plan", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["skipped"] and "frozen" in out["skipped"] and out["stacks"] == []


def test_plan_human_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    event = write(tmp_path, P.pull_request("labeled", [L.START], label=L.START))
    assert main(["plan", "--event", str(event), "--now", "2026-01-15T14:30:00Z"]) == 0
    out = capsys.readouterr().out
    assert (
        "up      stack pr-1234-abc1234" in out and "- label   🎪 ⚡ showtime-trigger-start" in out
    )


@pytest.mark.parametrize(
    ("payload", "args", "message"),
    [
        (None, [], "not found"),
        ("[]", [], "JSON object"),
        ({"action": "opened"}, ["--event-name", "pull_request"], "no pull_request"),
        ({"zen": "hi"}, ["--event-name", "schedule"], "names no pull request"),
        ("nope", [], "not JSON"),
        (P.pull_request("labeled", [str(i) for i in range(1000)]), [], "1000 labels"),
        (P.pull_request("labeled", ["x" * 10_000]), [], "not a GitHub label"),
        (P.pull_request("labeled", [], sha="zzzzzzz"), [], "not a commit SHA"),
        (P.pull_request("labeled", []), ["--now", "yesterday"], "not ISO 8601"),
        (
            P.workflow_dispatch(pr_number="1", action="start"),
            ["--event-name", "workflow_dispatch"],
            "without inputs.sha",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    payload: object,
    args: list[str],
    message: str,
) -> None:
    path = tmp_path / "event.json"
    if isinstance(payload, str):
        path.write_text(payload)
    elif payload is not None:
        path = write(tmp_path, payload)
    assert main(["plan", "--event", str(path), *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # nothing planned
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in captured.err


def test_plan_without_event_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_EVENT_PATH", raising=False)
    assert main(["plan"]) == 2
    assert "GITHUB_EVENT_PATH" in capsys.readouterr().err


def test_unknown_option_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--bogus"]) == 2


def test_explain_lists_the_vocabulary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain"]) == 0
    out = capsys.readouterr().out
    for name in L.TRIGGER_LABELS:
        assert name in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("showtime-iac ")


HEAVY = ("pulumi", "pulumi_aws", "pulumi_docker", "boto3", "botocore", "github", "rich")


@pytest.mark.parametrize(
    "argv", [["--help"], ["plan", "--event", "examples/pr-labeled-start.json", "--json"]]
)
def test_help_and_plan_import_nothing_heavy(argv: list[str]) -> None:
    code = (
        "import sys\n"
        "from showtime_iac.cli import main\n"
        f"rc = main({argv!r})\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print('HEAVY=' + ','.join(heavy), file=sys.stderr)\n"
        "raise SystemExit(rc)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert "HEAVY=\n" in proc.stderr or proc.stderr.strip().endswith("HEAVY=")


def test_typer_exit_codes_survive_main() -> None:
    import typer

    from showtime_iac.cli import app

    @app.command("exit-seven", hidden=True)
    def _exit_seven() -> None:
        raise typer.Exit(7)

    try:
        assert main(["exit-seven"]) == 7
    finally:
        app.registered_commands[:] = [c for c in app.registered_commands if c.name != "exit-seven"]


def test_help_needs_no_core_and_no_string_annotations() -> None:
    """What keeps `--help` fast (issue 18): the core is not imported, and Typer need not
    eval the commands' annotations (modules without `from __future__ import annotations`)."""
    code = (
        "import sys, inspect, typer\n"
        "from showtime_iac.cli import app, main\n"
        "rc = main(['--help'])\n"
        "core = sorted(m for m in sys.modules if m.startswith('showtime_iac.core'))\n"
        "cmds = [c for c in typer.main.get_command(app).commands.values()]\n"
        "cmds += [s for c in cmds for s in getattr(c, 'commands', {}).values()]\n"
        "strings = [f'{c.name}.{k}' for c in cmds if c.callback\n"
        "           for k, v in inspect.get_annotations(c.callback).items() if isinstance(v, str)]\n"
        "print('CORE=' + ','.join(core), 'STRINGS=' + ','.join(strings), file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == "CORE= STRINGS="
