"""Credentials (checked before any request, exit 2) and botocore's standard retries over real
HTTP."""

from __future__ import annotations

import http.server
import json
from typing import Any

import pytest

from showtime_iac.adapters.aws import AwsClients, AwsLive, CredentialsMissingError
from showtime_iac.cli import main
from showtime_iac.settings import Settings
from tests.adapters.aws.support import SHA1
from tests.doubles import CLUSTER


def no_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    import os

    for key in list(os.environ):
        if key.startswith("AWS_"):
            monkeypatch.delenv(key)
    empty = tmp_path / "empty"
    empty.write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def test_missing_credentials_exit_2_naming_them(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    no_credentials(monkeypatch, tmp_path)
    assert main(["logs", "1", "--sha", SHA1]) == 2
    err = capsys.readouterr().err
    assert "AWS_ACCESS_KEY_ID" in err and "AWS_SECRET_ACCESS_KEY" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_half_set_credentials_name_the_missing_half(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    no_credentials(monkeypatch, tmp_path)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    with pytest.raises(CredentialsMissingError, match="AWS_SECRET_ACCESS_KEY is not set") as info:
        AwsClients.from_settings(Settings.from_env())
    assert info.value.exit_code == 2


class _Throttler(http.server.BaseHTTPRequestHandler):
    """An ECS endpoint that throttles the first request, then answers DescribeServices."""

    calls: list[str]

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        self.rfile.read(length)
        self.calls.append(self.headers.get("X-Amz-Target", ""))
        body: dict[str, Any]
        if len(self.calls) == 1:
            body = {"__type": "ThrottlingException", "message": "Rate exceeded"}
            status = 400
        else:
            body = {"services": [{"serviceName": "pr-1-aaaaaaa-service", "status": "DRAINING"}]}
            status = 200
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


def test_throttling_is_retried_by_botocore_standard_mode(
    local_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler: Any = type("H", (_Throttler,), {"calls": []})
    url = local_server(handler)
    for k, v in {
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "y",
        "AWS_ENDPOINT_URL": url,
    }.items():
        monkeypatch.setenv(k, v)
    clients = AwsClients.from_settings(Settings.from_env())
    assert clients.ecs.meta.config.retries["mode"] == "standard"  # type: ignore[attr-defined]
    state = AwsLive(clients).service_state(CLUSTER, "pr-1-aaaaaaa-service")
    assert state == "DRAINING"
    assert handler.calls == ["AmazonEC2ContainerServiceV20141113.DescribeServices"] * 2
