"""``caller_identity`` (doctor's AWS check): against moto's STS, and against a local server
that records what the one STS call was signed for and answers as scripted."""

from __future__ import annotations

import http.server
import os
from collections.abc import Callable
from typing import Any

import pytest

from showtime_iac.adapters.aws.identity import CallerIdentity, IdentityError, caller_identity

IDENTITY = b"""<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
<GetCallerIdentityResult><Arn>arn:aws:iam::210987654321:user/ci</Arn>
<UserId>AIDEXAMPLE</UserId><Account>210987654321</Account></GetCallerIdentityResult>
<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>"""


REFUSED = b"""<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code>
<Message>The security token included in the request is invalid.</Message></Error>
<RequestId>r</RequestId></ErrorResponse>"""


def test_the_account_and_arn_of_the_credentials(moto_env: str) -> None:
    assert caller_identity(dict(os.environ)) == CallerIdentity(
        account="123456789012", arn="arn:aws:sts::123456789012:user/moto"
    )


@pytest.fixture
def sts(
    local_server: Callable[[type[http.server.BaseHTTPRequestHandler]], str],
    monkeypatch: pytest.MonkeyPatch,
) -> dict[str, Any]:
    """A local STS: ``status`` answers each call; ``scopes`` records each call's signing scope."""
    state: dict[str, Any] = {"status": 200, "scopes": []}

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            auth = self.headers.get("Authorization", "")
            state["scopes"].append(auth.split("Credential=")[1].split(",")[0].split("/", 2)[2])
            body = IDENTITY if state["status"] == 200 else REFUSED
            self.send_response(state["status"])
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    monkeypatch.setenv("AWS_ENDPOINT_URL", local_server(Handler))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    for var in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(var, raising=False)
    return state


@pytest.mark.parametrize(
    ("env", "region"),
    [
        ({}, "us-west-2"),
        ({"AWS_DEFAULT_REGION": "eu-west-1"}, "eu-west-1"),
        ({"AWS_REGION": "ap-south-1", "AWS_DEFAULT_REGION": "eu-west-1"}, "ap-south-1"),
        ({"AWS_REGION": "", "AWS_DEFAULT_REGION": "eu-west-1"}, "eu-west-1"),
    ],
)
def test_the_call_is_made_in_the_region_the_environment_names(
    sts: dict[str, Any], env: dict[str, str], region: str
) -> None:
    got = caller_identity(env)
    assert got == CallerIdentity(account="210987654321", arn="arn:aws:iam::210987654321:user/ci")
    assert sts["scopes"] == [f"{region}/sts/aws4_request"]


def test_a_refusal_is_an_identity_error_after_one_attempt(sts: dict[str, Any]) -> None:
    sts["status"] = 403
    with pytest.raises(IdentityError) as err:
        caller_identity({})
    assert str(err.value) == (
        "An error occurred (InvalidClientTokenId) when calling the GetCallerIdentity operation"
        " (reached max retries: 0): The security token included in the request is invalid."
    )
    assert len(sts["scopes"]) == 1
    sts["status"], sts["scopes"] = 503, []
    with pytest.raises(IdentityError):
        caller_identity({})
    assert (
        len(sts["scopes"]) == 1
    )  # one attempt, even for a retryable answer: doctor answers at once


def test_unreachable_aws_is_an_identity_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    with pytest.raises(IdentityError) as err:
        caller_identity({})
    assert str(err.value) == f'Could not connect to the endpoint URL: "http://127.0.0.1:{port}/"'
