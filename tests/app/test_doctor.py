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
