"""The admin login read from an environment's Secrets Manager secret: which secret is picked,
what ``AdminLogin`` holds, and the messages a user reads when there is none or it is damaged
(moto's Secrets Manager over real HTTP; botocore's Stubber for faults moto cannot make)."""

from __future__ import annotations

import json
import time
from typing import Any

import boto3
import pytest

from showtime_iac.adapters.aws.credentials import AdminLogin, NoSecretError, admin_login
from showtime_iac.adapters.aws.errors import AwsError
from showtime_iac.cli import main
from showtime_iac.errors import ShowtimeError

SUFFIX = "20260115143000123400000001"  # the provider's unique suffix of a name prefix


def _put(name: str, value: str, tags: dict[str, str] | None) -> dict[str, Any]:
    client = boto3.client("secretsmanager")
    kw: dict[str, Any] = {"Name": name, "SecretString": value}
    if tags is not None:
        kw["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
    arn = client.create_secret(**kw)["ARN"]
    return dict(client.describe_secret(SecretId=arn))


def _login(password: str) -> str:
    return json.dumps({"ADMIN_PASSWORD": password, "SUPERSET_SECRET_KEY": "k"})


def test_the_newest_secret_wins_by_creation_time_not_by_name(moto_env: str) -> None:
    _put(f"sti-pr-1234-bbbbbbb/{SUFFIX}", _login("older"), {"showtime:pr": "1234"})
    time.sleep(1.1)  # CreatedDate has second resolution
    newer = _put(f"sti-pr-1234-aaaaaaa/{SUFFIX}", _login("newer"), {"showtime:pr": "1234"})
    got = admin_login(boto3.client("secretsmanager"), 1234)
    assert got == AdminLogin(
        pr=1234,
        sha="aaaaaaa",
        username="admin",
        password="newer",
        secret_arn=newer["ARN"],
        created=newer["CreatedDate"],
    )
    assert got.created is not None


def test_secrets_that_only_look_like_ours_are_skipped_not_the_end_of_the_list(
    moto_env: str,
) -> None:
    """An untagged secret and another PR's secret under our name prefix, listed before ours."""
    _put(f"sti-pr-12-ccccccc/{SUFFIX}", _login("untagged"), None)
    _put(f"sti-pr-12-aaaaaaa/{SUFFIX}", _login("tagged-for-99"), {"showtime:pr": "99"})
    ours = _put(f"sti-pr-12-bbbbbbb/{SUFFIX}", _login("ours"), {"showtime:pr": "12"})
    got = admin_login(boto3.client("secretsmanager"), 12)
    assert (got.sha, got.password, got.secret_arn) == ("bbbbbbb", "ours", ours["ARN"])


def test_no_secret_at_the_sha_asked_for_is_explained(
    moto_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _put(f"sti-pr-12-bbbbbbb/{SUFFIX}", _login("ours"), {"showtime:pr": "12"})
    with pytest.raises(NoSecretError) as caught:
        admin_login(boto3.client("secretsmanager"), 12, "abc1234def5678abc1234def5678abc1234def56")
    assert str(caught.value) == (
        "PR #12 at abc1234 has no environment secret: is it deployed "
        "(`showtime-iac status 12`)? Environments deployed before secrets were stored have "
        "the image's default login"
    )
    with pytest.raises(NoSecretError) as caught:
        admin_login(boto3.client("secretsmanager"), 13)
    assert str(caught.value) == (
        "PR #13 has no environment secret: is it deployed (`showtime-iac status 13`)? "
        "Environments deployed before secrets were stored have the image's default login"
    )
    capsys.readouterr()
    assert main(["credentials", "12", "--sha", "abc1234"]) == 1
    assert "PR #12 at abc1234 has no environment secret" in capsys.readouterr().err


@pytest.mark.parametrize("value", ['{"SUPERSET_SECRET_KEY": "k"}', "not json", '["a list"]'])
def test_a_secret_changed_by_hand_is_named_with_the_fix(moto_env: str, value: str) -> None:
    _put(f"sti-pr-12-bbbbbbb/{SUFFIX}", value, {"showtime:pr": "12"})
    with pytest.raises(ShowtimeError) as caught:
        admin_login(boto3.client("secretsmanager"), 12)
    assert str(caught.value) == (
        f"secret sti-pr-12-bbbbbbb/{SUFFIX} holds no ADMIN_PASSWORD: it was changed by hand; "
        "redeploy the environment"
    )


def _stubbed_client() -> Any:
    return boto3.client(
        "secretsmanager",
        region_name="us-west-2",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def test_a_refused_call_is_named_in_the_error() -> None:
    """Faults moto cannot make (botocore's Stubber): each call refused in turn, and a page
    that lists no secrets at all."""
    from botocore.stub import Stubber

    client = _stubbed_client()
    arn = "arn:aws:secretsmanager:us-west-2:123456789012:secret:sti-pr-12-bbbbbbb/x-AbCdEf"
    listed = {
        "SecretList": [
            {
                "ARN": arn,
                "Name": "sti-pr-12-bbbbbbb/x",
                "Tags": [{"Key": "showtime:pr", "Value": "12"}],
            }
        ]
    }
    with Stubber(client) as stub:
        stub.add_client_error("list_secrets", "AccessDeniedException", "not allowed")
        with pytest.raises(AwsError) as caught:
            admin_login(client, 12)
        assert str(caught.value) == (
            "ListSecrets sti-pr-12-* failed: AccessDeniedException: not allowed"
        )
        stub.add_response("list_secrets", listed)
        stub.add_client_error("get_secret_value", "AccessDeniedException", "no read")
        with pytest.raises(AwsError) as caught:
            admin_login(client, 12)
        assert str(caught.value) == (
            "GetSecretValue sti-pr-12-bbbbbbb/x failed: AccessDeniedException: no read"
        )
        stub.add_response("list_secrets", {})
        with pytest.raises(NoSecretError):
            admin_login(client, 12)
        stub.assert_no_pending_responses()
