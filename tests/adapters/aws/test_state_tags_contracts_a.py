"""Stack tags read from a DIY S3 backend: the URL's options (flags, endpoint, region, profile),
which objects count as a stack's tags, and what an empty or foreign listing gives (moto's
server over real HTTP; a local HTTP server where the request itself is what is checked)."""

from __future__ import annotations

import http.server
import json
from pathlib import Path
from typing import Any, ClassVar

import boto3
import pytest

from showtime_iac.adapters.aws.state_tags import S3Location, parse_s3_backend, read_s3_stack_tags


def test_url_flags_and_prefixes() -> None:
    for yes in ("1", "true", "TRUE", "yes", "YES"):
        assert parse_s3_backend(f"s3://b?s3ForcePathStyle={yes}") == S3Location(
            "b", path_style=True
        )
        assert parse_s3_backend(f"s3://b?use_path_style={yes}") == S3Location("b", path_style=True)
        assert parse_s3_backend(f"s3://b?endpoint=h:1&disableSSL={yes}") == S3Location(
            "b", endpoint="http://h:1"
        )
    assert parse_s3_backend("s3://b?s3ForcePathStyle=no&use_path_style=0") == S3Location("b")
    assert parse_s3_backend("s3://b?s3ForcePathStyle=true&s3ForcePathStyle=false") == S3Location(
        "b"
    )  # the last value counts
    assert parse_s3_backend("s3://b/BOX/?endpoint=http://h:9000") == S3Location(
        "b", "BOX", endpoint="http://h:9000"
    )  # a scheme given is kept; only slashes are trimmed from the prefix


def _bucket(prefix: str = "") -> tuple[Any, str]:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="state", CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    return s3, f"{prefix}.pulumi/stacks/showtime-iac/"


def _url(moto_env: str) -> str:
    host = moto_env.removeprefix("http://")
    return f"s3://state?endpoint={host}&disableSSL=true&region=us-west-2"


def _tags(pr: int, version: int = 1) -> bytes:
    return json.dumps({"version": version, "tags": {"showtime:pr": str(pr)}}).encode()


def test_only_this_projects_own_tag_files_count(moto_env: str) -> None:
    s3, stacks = _bucket()
    s3.put_object(Bucket="state", Key=f"{stacks}pr-1-abc1234.pulumi-tags", Body=_tags(1))
    s3.put_object(Bucket="state", Key=f"{stacks}pr-2-abc1234.pulumi-tags", Body=_tags(2, 2))
    s3.put_object(Bucket="state", Key=f"{stacks}pr-3-abc1234.pulumi-tags", Body=b"[1, 2]")
    s3.put_object(Bucket="state", Key=f"{stacks}pr-4-abc1234.json", Body=_tags(4))
    s3.put_object(Bucket="state", Key=f"{stacks}old/pr-5-abc1234.pulumi-tags", Body=_tags(5))
    s3.put_object(Bucket="state", Key=".pulumi/stacks/other/pr-6.pulumi-tags", Body=_tags(6))
    s3.put_object(Bucket="state", Key="pr-7-abc1234.pulumi-tags", Body=_tags(7))
    assert read_s3_stack_tags(_url(moto_env), "showtime-iac") == {
        "pr-1-abc1234": {"showtime:pr": "1"}
    }


def test_a_backend_without_stacks_has_no_tags(moto_env: str) -> None:
    _bucket()
    assert read_s3_stack_tags(_url(moto_env), "showtime-iac") == {}


def test_an_unknown_profile_falls_back_to_the_cli(moto_env: str, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    s3, stacks = _bucket()
    s3.put_object(Bucket="state", Key=f"{stacks}pr-1-abc1234.pulumi-tags", Body=_tags(1))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    assert read_s3_stack_tags(_url(moto_env), "showtime-iac") == {
        "pr-1-abc1234": {"showtime:pr": "1"}
    }
    assert read_s3_stack_tags(_url(moto_env) + "&profile=nobody", "showtime-iac") is None


class _Recorder(http.server.BaseHTTPRequestHandler):
    """An S3 endpoint with no objects that records each request's line and headers."""

    seen: ClassVar[list[dict[str, str]]] = []

    def do_GET(self) -> None:
        self.seen.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
        body = (
            b'<?xml version="1.0" encoding="UTF-8"?>'
            b'<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
            b"<Name>state</Name><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys>"
            b"<IsTruncated>false</IsTruncated></ListBucketResult>"
        )
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def test_the_urls_endpoint_region_and_profile_are_the_ones_used(
    local_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The environment names another region and other keys, and no endpoint: the URL's win."""
    creds = tmp_path / "credentials"
    creds.write_text("[ci]\naws_access_key_id = AKIAPROFILECI0000000\naws_secret_access_key = s\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(creds))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAFROMTHEENV000000")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "e")
    monkeypatch.setenv("AWS_REGION", "us-west-2")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-west-2")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for var in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    _Recorder.seen = []
    base = local_server(_Recorder)
    url = f"s3://state/team?endpoint={base}&region=eu-west-1&profile=ci"
    assert read_s3_stack_tags(url, "showtime-iac") == {}
    assert len(_Recorder.seen) == 1
    req = _Recorder.seen[0]
    assert req["path"].startswith("/state?list-type=2")
    assert "prefix=team%2F.pulumi%2Fstacks%2Fshowtime-iac%2F" in req["path"]
    assert req["host"] == base.removeprefix("http://")
    assert "Credential=AKIAPROFILECI0000000/" in req["authorization"]
    assert "/eu-west-1/s3/aws4_request" in req["authorization"]
