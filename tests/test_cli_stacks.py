"""The stack commands through ``cli.main``: argument checks, engine-missing paths, offline
dry-run, doctor, and list/status/drift/destroy over the engine test double."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from showtime_iac import cli_stacks
from showtime_iac.cli import main
from showtime_iac.model import EnvConfig, Ttl, resource_tags
from showtime_iac.stacks import PulumiDriver
from tests.test_stacks import FakeEngine, event

SHA = "abc1234def5678abc1234def5678abc1234def56"


@pytest.fixture
def no_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No pulumi anywhere: PATH and HOME point at an empty directory."""
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("PULUMI_HOME", raising=False)
    state = tmp_path / "state"
    monkeypatch.setenv("PULUMI_BACKEND_URL", f"file://{state}")
    return state


@pytest.fixture
def fake_pulumi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A ``pulumi`` on PATH that only answers ``pulumi version`` (for doctor)."""
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir()
    exe = bin_dir / "pulumi"
    exe.write_text('#!/bin/sh\necho "${FAKE_PULUMI_VERSION:-v3.272.0}"\n')
    exe.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    monkeypatch.setenv("PULUMI_BACKEND_URL", f"file://{tmp_path / 'state'}")
    return exe


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    rc = main(args)
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_help_does_not_import_pulumi_or_boto3() -> None:
    code = (
        "import sys\nfrom showtime_iac.cli import main\n"
        "rc = main(['up', '--help'])\n"
        "heavy = [m for m in ('pulumi', 'boto3', 'rich', 'pulumi_aws') if m in sys.modules]\n"
        "print(rc, heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "0 []"
    assert "Example:" in out.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["up", "1234"], "pass --sha SHA"),
        (["up", "1234", "--sha", "xyz"], "invalid commit SHA"),
        (["up", "1234", "--sha", SHA, "--ttl", "forever"], "invalid TTL"),
        (["up", "1234", "--sha", SHA, "--image", "bad image"], "invalid image"),
        (["up", "1234", "--sha", SHA, "--requester", "-bad-"], "invalid GitHub login"),
        (["destroy", "1234", "--sha", "nothex!"], "invalid commit SHA"),
    ],
)
def test_bad_input_is_one_line_exit_2(
    args: list[str], message: str, no_engine: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, err = run(args, capsys)
    assert rc == 2
    assert message in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err and out == ""


def test_usage_error_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    rc, _, err = run(["up", "0", "--sha", SHA], capsys)
    assert rc == 2 and "Invalid value" in err


def test_up_without_engine_exits_1_and_changes_nothing(
    no_engine: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, err = run(["up", "1234", "--sha", SHA], capsys)
    assert rc == 1 and out == ""
    assert err.strip().splitlines() == [err.strip()]
    assert "get.pulumi.com" in err and "nothing was changed" in err
    assert not no_engine.exists()


def test_up_dry_run_without_engine_renders_offline(
    no_engine: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, err = run(
        ["up", "1234", "--sha", SHA, "--requester", "octocat", "--ttl", "48h", "--dry-run"], capsys
    )
    assert rc == 0
    assert "pulumi CLI not on PATH" in err
    assert out.startswith("offline render under Pulumi mocks: nothing was deployed\n")
    assert "stack pr-1234-abc1234: 4 resources" in out
    assert "showtime:requested-by=octocat" in out and "showtime:ttl=48h" in out
    assert not no_engine.exists()


def test_up_dry_run_json(no_engine: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(
        ["up", "1234", "--sha", SHA, "--image", "nginx:1.27", "--dry-run", "--json"], capsys
    )
    assert rc == 0
    doc = json.loads(out)
    assert doc["stack"] == "pr-1234-abc1234" and doc["mode"] == "offline"
    types = [r["type"] for r in doc["resources"]]
    assert "aws:ecs/service:Service" in types and "docker:index/image:Image" not in types
    service = next(r for r in doc["resources"] if r["type"] == "aws:ecs/service:Service")
    assert service["tags"]["showtime:pr"] == "1234"


@pytest.mark.parametrize("args", [["list"], ["status", "1234"], ["drift"], ["destroy", "1234"]])
def test_engine_commands_without_engine_exit_1(
    args: list[str], no_engine: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, _, err = run(args, capsys)
    assert rc == 1 and "get.pulumi.com" in err


def test_destroy_dry_run_with_sha_without_engine(
    no_engine: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, _ = run(["destroy", "1234", "--sha", SHA, "--dry-run"], capsys)
    assert rc == 0 and out == "would destroy stack pr-1234-abc1234 (not checked: no pulumi CLI)\n"


def test_doctor_without_engine_lists_fixes(
    no_engine: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    rc, out, err = run(["doctor", "--no-aws", "--json"], capsys)
    assert rc == 1 and "engine, passphrase, github not ready" in err
    checks = {c["check"]: c for c in json.loads(out)["checks"]}
    assert not checks["engine"]["ok"] and "get.pulumi.com" in checks["engine"]["fix"]
    assert checks["backend"]["ok"] and "created on first use" in checks["backend"]["detail"]
    assert not checks["github"]["ok"] and "GITHUB_TOKEN" in checks["github"]["fix"]
    assert "aws" not in checks


def test_doctor_engine_version_and_tag_support(
    fake_pulumi: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "t")
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "")
    rc, out, _ = run(["doctor", "--no-aws"], capsys)
    assert rc == 0, out
    assert f"ok   engine     pulumi 3.272.0 at {fake_pulumi}" in out
    monkeypatch.setenv("FAKE_PULUMI_VERSION", "v3.200.0")
    rc, out, _ = run(["doctor", "--no-aws", "--json"], capsys)
    checks = {c["check"]: c for c in json.loads(out)["checks"]}
    assert rc == 1 and not checks["stack tags"]["ok"] and "3.211.0" in checks["stack tags"]["fix"]


def test_doctor_aws_check_against_moto(
    moto_env: str, fake_pulumi: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "t")
    checks = {c.name: c for c in cli_stacks.doctor_checks(dict(__import__("os").environ))}
    assert checks["aws"].ok and "123456789012" in checks["aws"].detail


def test_doctor_aws_check_without_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"AWS_ACCESS_KEY_ID": "", "AWS_EC2_METADATA_DISABLED": "true"}
    for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    check = cli_stacks._aws_check(env)
    assert not check.ok and check.fix and "AWS_ACCESS_KEY_ID" in check.fix


def test_format_duration() -> None:
    assert cli_stacks.format_duration(timedelta(hours=26)) == "1d2h"
    assert cli_stacks.format_duration(timedelta(days=2)) == "2d"
    assert cli_stacks.format_duration(timedelta(minutes=90)) == "1h30m"
    assert cli_stacks.format_duration(timedelta(minutes=5)) == "5m"
    assert cli_stacks.format_duration(timedelta(seconds=-1)) == "expired"
    assert cli_stacks.format_duration(None) == "-"


# --------------------------------------------------------------------------- over the double


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FakeEngine:
    e = FakeEngine()
    now = datetime.now(UTC)
    cfg = EnvConfig(
        pr=1234, sha=SHA, requester="octocat", ttl=Ttl("48h"), created=now - timedelta(hours=3)
    )
    e.add("pr-1234-abc1234", tags=resource_tags(cfg), last=now - timedelta(hours=3))
    e.add(
        "pr-77-0000000", tags={"showtime:ttl": "manual", "showtime:requested-by": "bot"}, last=now
    )
    e.add("shared")

    def fake_open(project_dir: Any, on_output: Any = None, unlock: bool = False) -> PulumiDriver:
        return PulumiDriver(
            e, env={"PULUMI_CONFIG_PASSPHRASE": "x"}, on_output=on_output, sleep=lambda _s: None
        )

    monkeypatch.setattr(cli_stacks, "_open", fake_open)
    monkeypatch.setattr("showtime_iac.stacks.find_engine", lambda env=None: tmp_path / "pulumi")
    return e


def test_list_table_and_json(engine: FakeEngine, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(["list"], capsys)
    assert rc == 0
    lines = out.splitlines()
    assert lines[0].split() == [
        "STACK",
        "PR",
        "SHA",
        "REQUESTER",
        "AGE",
        "TTL",
        "LEFT",
        "RESOURCES",
    ]
    assert lines[1].split() == ["pr-77-0000000", "77", "0000000", "bot", "0m", "manual", "3"]
    row = lines[2].split()
    assert row[:5] == ["pr-1234-abc1234", "1234", "abc1234", "octocat", "3h"]
    assert row[5] in ("1d20h", "1d21h")
    rc, out, _ = run(["list", "--json"], capsys)
    docs = json.loads(out)
    assert [d["stack"] for d in docs] == ["pr-77-0000000", "pr-1234-abc1234"]
    assert engine.ops("list_stacks") == 2


def test_status_shows_outputs(engine: FakeEngine, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(["status", "1234", "--json"], capsys)
    doc = json.loads(out)
    assert rc == 0 and doc["stacks"][0]["outputs"] == {"serviceName": "pr-1234-abc1234-service"}
    rc, out, _ = run(["status", "5"], capsys)
    assert out == "PR #5 has no stacks\n"


def test_drift_exit_3_with_one_line_per_resource(
    engine: FakeEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, _ = run(["drift", "1234"], capsys)
    assert rc == 0 and out == "pr-1234-abc1234: no drift\n"
    engine.refresh_events = [event("delete", "aws:ecs/service:Service", "service")]
    rc, out, err = run(["drift"], capsys)
    assert rc == 3
    assert "pr-1234-abc1234: delete aws:ecs/service:Service service: changed outside Pulumi" in out
    assert "drift found in 2 stack(s)" in err
    rc, out, _ = run(["drift", "1234", "--json"], capsys)
    assert rc == 3 and json.loads(out)["drifted"] is True


def test_destroy_all_stacks_of_a_pr(engine: FakeEngine, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(["destroy", "1234", "--dry-run"], capsys)
    assert rc == 0 and out == "would destroy stack pr-1234-abc1234\n" and engine.ops("destroy") == 0
    rc, out, _ = run(["destroy", "1234"], capsys)
    assert rc == 0 and out == "destroyed stack pr-1234-abc1234\n"
    assert "pr-1234-abc1234" not in engine.stacks and "pr-77-0000000" in engine.stacks


def test_destroy_refuses_mismatched_tags(
    engine: FakeEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    engine.stacks["pr-1234-abc1234"]["tags"]["showtime:pr"] = "4321"
    rc, _, err = run(["destroy", "1234", "--sha", "abc1234"], capsys)
    assert rc == 2 and "refusing to destroy" in err and engine.ops("destroy") == 0


def test_up_over_the_double_prints_outputs(
    engine: FakeEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, err = run(["up", "1234", "--sha", SHA, "--json"], capsys)
    doc = json.loads(out)
    assert rc == 0 and doc["outputs"] == {"serviceName": "pr-1234-abc1234-service"}
    assert doc["overhead_seconds"] >= 0
    rc, out, err = run(["up", "1234", "--sha", SHA], capsys)
    assert out.startswith("stack pr-1234-abc1234 is up\n")
    assert "aws:ecs:Service service created" in err  # engine output streams to stderr (plain)


def test_offline_dry_run_shows_the_label_changes(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import json as _json

    from showtime_iac.cli import main as _main

    monkeypatch.setenv("PATH", "/nonexistent")  # no pulumi CLI: the offline render
    rc = _main(
        [
            "up",
            "1234",
            "--sha",
            "abc1234def5678901234567890abcdef12345678",
            "--requester",
            "alice",
            "--dry-run",
            "--json",
        ]
    )
    assert rc == 0
    out = _json.loads(capsys.readouterr().out)
    assert "🎪 abc1234 🚦 building" in out["labels"]["claim"]["add"]
    assert "🎪 abc1234 👤 alice" in out["labels"]["claim"]["add"]
    assert "🎪 🎯 abc1234" in out["labels"]["after_healthy"]["add"]
    assert "🎪 🏗️ abc1234" in out["labels"]["after_healthy"]["remove"]
    tags = next(r["tags"] for r in out["resources"] if r["type"].endswith("Service"))
    assert tags["showtime:expires-at"] != "never" and tags["showtime:requested-by"] == "alice"
