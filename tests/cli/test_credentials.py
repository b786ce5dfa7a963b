"""``showtime-iac credentials``: the admin login from the environment's secret, over moto's
Secrets Manager (real HTTP, boto3 as in production)."""

from __future__ import annotations

import json
import time
from typing import Any

import boto3
import pytest

from showtime_iac.cli import main
from showtime_iac.core.model import resource_names

PASSWORD = "pw-from-the-secret-0123"


def put_secret(name_prefix: str, pr: str, sha7: str, password: str = PASSWORD) -> str:
    """A secret as the program declares it: name prefix + the provider's unique suffix."""
    client = boto3.client("secretsmanager")
    made = client.create_secret(
        Name=f"{name_prefix}20260115143000123400000001",
        SecretString=json.dumps({"ADMIN_PASSWORD": password, "SUPERSET_SECRET_KEY": "k"}),
        Tags=[{"Key": "showtime:pr", "Value": pr}, {"Key": "showtime:sha", "Value": sha7}],
    )
    return str(made["ARN"])


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main(args)
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_credentials_prints_the_admin_login_of_the_prs_environment(
    moto_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    prefix = resource_names(1234, "abc1234").secret_prefix  # what the program declares
    arn = put_secret(prefix, "1234", "abc1234")
    rc, out, _ = run(["credentials", "1234"], capsys)
    assert rc == 0
    assert out == (
        f"PR #1234 at abc1234: Superset admin login\n  username: admin\n  password: {PASSWORD}\n"
    )
    rc, out, _ = run(["credentials", "1234", "--json"], capsys)
    assert rc == 0
    assert json.loads(out) == {
        "pr": 1234,
        "sha": "abc1234",
        "username": "admin",
        "password": PASSWORD,
        "secret_arn": arn,
    }


def test_credentials_picks_the_sha_asked_for_or_the_newest(
    moto_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    put_secret("sti-pr-1234-aaaaaaa/", "1234", "aaaaaaa", "old-password")
    time.sleep(1.1)  # CreatedDate has second resolution
    put_secret("sti-pr-1234-bbbbbbb/", "1234", "bbbbbbb", "new-password")
    docs: list[dict[str, Any]] = []
    for args in (["credentials", "1234"], ["credentials", "1234", "--sha", "aaaaaaa"]):
        rc, out, _ = run([*args, "--json"], capsys)
        assert rc == 0
        docs.append(json.loads(out))
    assert [(d["sha"], d["password"]) for d in docs] == [
        ("bbbbbbb", "new-password"),
        ("aaaaaaa", "old-password"),
    ]


def test_credentials_never_takes_another_prs_or_a_foreign_secret(
    moto_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    put_secret("sti-pr-123-abc1234/", "123", "abc1234", "pr-123s")  # a longer PR number
    put_secret("sti-pr-12-abc1234/", "99", "abc1234", "tagged-for-99")  # tags of another PR
    put_secret("sti-pr-12-abc1234-copy", "12", "abc1234", "not-our-name")  # not our name
    rc, _, err = run(["credentials", "12"], capsys)
    assert rc == 1
    assert "PR #12 has no environment secret" in err
    assert "pr-123s" not in err and "tagged-for-99" not in err


def test_credentials_without_aws_credentials_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    rc, _, err = run(["credentials", "1234"], capsys)
    assert rc == 2 and "AWS credentials not found" in err


def test_the_picture_step_logs_in_with_that_environments_own_login(moto_env: str) -> None:
    """``sync``'s picture step (``SHOWTIME_SCREENSHOT=on``) reads the admin login of the
    environment it pictures, by PR and commit: never another environment's."""
    from showtime_iac.app.proof import BrowserProof, open_proof

    put_secret(resource_names(1234, "abc1234").secret_prefix, "1234", "abc1234")
    put_secret(resource_names(1234, "def5678").secret_prefix, "1234", "def5678", "pw-newer-9876")
    proof = open_proof(object(), {"SHOWTIME_SCREENSHOT": "on"})  # type: ignore[arg-type]
    assert isinstance(proof, BrowserProof)
    assert proof.login(1234, "abc1234") == ("admin", PASSWORD)
    assert proof.login(1234, "def5678") == ("admin", "pw-newer-9876")
