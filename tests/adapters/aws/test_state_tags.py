"""Stack tags read straight from a DIY S3 backend's bucket (moto's server over real HTTP)."""

from __future__ import annotations

import json

import pytest

from showtime_iac.adapters.aws.state_tags import S3Location, parse_s3_backend, read_s3_stack_tags


def test_parse_s3_backend_urls() -> None:
    assert parse_s3_backend("file:///tmp/state") is None
    assert parse_s3_backend("https://api.pulumi.com") is None
    assert parse_s3_backend("s3://") is None
    assert parse_s3_backend("s3://team-state") == S3Location("team-state")
    assert parse_s3_backend(
        "s3://b/some/prefix/?endpoint=127.0.0.1:9000&disableSSL=true&s3ForcePathStyle=true"
        "&region=eu-west-1&profile=ci"
    ) == S3Location(
        "b",
        "some/prefix",
        endpoint="http://127.0.0.1:9000",
        region="eu-west-1",
        path_style=True,
        profile="ci",
    )
    assert parse_s3_backend("s3://b?endpoint=minio.internal").endpoint == "https://minio.internal"  # type: ignore[union-attr]
    assert S3Location("b", "p").stacks_prefix("showtime-iac") == "p/.pulumi/stacks/showtime-iac/"


@pytest.mark.parametrize("prefix", ["", "team/a"])
def test_read_s3_stack_tags_from_moto(moto_env: str, prefix: str) -> None:
    import boto3

    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="state", CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    base = f"{prefix}/" if prefix else ""
    stacks = f"{base}.pulumi/stacks/showtime-iac/"
    for n in range(1, 41):
        doc = {"version": 1, "tags": {"showtime:pr": str(n), "showtime:ttl": "24h"}}
        s3.put_object(
            Bucket="state", Key=f"{stacks}pr-{n}-abc1234.pulumi-tags", Body=json.dumps(doc)
        )
        s3.put_object(Bucket="state", Key=f"{stacks}pr-{n}-abc1234.json", Body=b"{}")
    s3.put_object(Bucket="state", Key=f"{stacks}pr-98-abc1234.pulumi-tags", Body=b"not json")
    s3.put_object(Bucket="state", Key=f"{stacks}pr-99-abc1234.pulumi-tags", Body=b'{"version": 2}')
    s3.put_object(
        Bucket="state", Key=f"{base}.pulumi/stacks/other/pr-1-abc1234.pulumi-tags", Body=b"{}"
    )
    host = moto_env.removeprefix("http://")
    url = f"s3://state/{prefix}?endpoint={host}&disableSSL=true&s3ForcePathStyle=true&region=us-west-2"
    tags = read_s3_stack_tags(url, "showtime-iac")
    assert tags is not None and len(tags) == 40  # unreadable ones left to the CLI
    assert tags["pr-7-abc1234"] == {"showtime:pr": "7", "showtime:ttl": "24h"}
    assert (
        read_s3_stack_tags(url.replace("s3://state", "s3://no-such-bucket"), "showtime-iac") is None
    )
    assert read_s3_stack_tags("file:///tmp/x", "showtime-iac") is None
