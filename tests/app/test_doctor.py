"""``doctor``'s checks as the application makes them: the AWS check against moto, and
without credentials (the command's output is tested in tests/cli/test_cli_stacks.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from showtime_iac.app.doctor import aws_check, doctor_checks
from tests.cli.test_cli_stacks import fake_pulumi  # noqa: F401  (fixture)


def test_doctor_aws_check_against_moto(
    moto_env: str,
    fake_pulumi: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "t")
    checks = {c.name: c for c in doctor_checks(dict(os.environ))}
    assert checks["aws"].ok and "123456789012" in checks["aws"].detail


def test_doctor_aws_check_without_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"AWS_ACCESS_KEY_ID": "", "AWS_EC2_METADATA_DISABLED": "true"}
    for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    check = aws_check(env)
    assert not check.ok and check.fix and "AWS_ACCESS_KEY_ID" in check.fix


def test_doctor_compares_the_cli_with_the_sdk_and_names_the_inline_program(
    fake_pulumi: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from importlib.metadata import version

    sdk = version("pulumi")
    major, minor, patch = (int(x) for x in sdk.split(".")[:3])
    for cli, ok, says in (
        (sdk, True, "the same release as the CLI"),
        (f"{major}.{minor + 1}.0", True, "(newer: works)"),
        (f"{major}.{minor - 1}.{patch}", False, f"pulumi SDK {sdk} is newer than the CLI"),
    ):
        monkeypatch.setenv("FAKE_PULUMI_VERSION", f"v{cli}")
        checks = {c.name: c for c in doctor_checks(dict(os.environ), aws=False)}
        assert checks["sdk"].ok is ok and says in checks["sdk"].detail, checks["sdk"]
        assert ok or "bash .ci/install-pulumi" in (checks["sdk"].fix or "")
    program = checks["program"]
    assert program.ok and program.detail == (
        "showtime_iac.program.main, run inline: no language host needed"
    )
    monkeypatch.setenv("SHOWTIME_PROGRAM", "tests.adapters.stacks.engine_program:program")
    program = {c.name: c for c in doctor_checks(dict(os.environ), aws=False)}["program"]
    assert program.ok and "($SHOWTIME_PROGRAM, a test program)" in program.detail
    monkeypatch.setenv("SHOWTIME_PROGRAM", "no.such.module:main")
    program = {c.name: c for c in doctor_checks(dict(os.environ), aws=False)}["program"]
    assert not program.ok and "cannot be loaded" in program.detail
