"""Fixtures of the engine tests (the real ``pulumi`` CLI): see :mod:`.engine_support`."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests.adapters.stacks.engine_support import World, make_world


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    """A project, a ``file://`` backend and a fake cloud of this test's own."""
    return make_world(tmp_path, monkeypatch)


@pytest.fixture
def s3_world(moto_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    """The same over the DIY S3 backend: a bucket in moto's server (real HTTP), the engine
    pointed at it with the backend URL's ``endpoint`` (as a team's MinIO or S3 would be)."""
    import boto3

    bucket = f"state-{uuid.uuid4().hex[:12]}"
    boto3.client("s3").create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "us-west-2"}
    )
    host = moto_env.removeprefix("http://")
    url = f"s3://{bucket}?endpoint={host}&disableSSL=true&s3ForcePathStyle=true&region=us-west-2"
    return make_world(tmp_path, monkeypatch, url)
