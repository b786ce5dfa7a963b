"""The stack tags a DIY S3 state backend keeps, read straight from its bucket.

``pulumi stack ls`` prints no tags, and one ``pulumi stack tag ls`` per stack costs a CLI
process each (300 stacks: about a minute). A DIY backend keeps each stack's tags in one small
object, ``<prefix>/.pulumi/stacks/<project>/<stack>.pulumi-tags`` (``{"version": 1, "tags":
{...}}``, CLI 3.211+), so ``list`` reads them here: one listing and one GET per stack, 16 at a
time, while the CLI lists the stacks. The stack driver takes it as a plain callable (app/wiring
passes it in), so the driver stays free of boto3.

The backend URL's own options are honoured (``endpoint``, ``region``, ``disableSSL``,
``s3ForcePathStyle``, ``profile``): the same bucket the CLI reads, with the usual ``AWS_*``
credentials. Any failure returns None and the driver asks the CLI instead.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["S3Location", "parse_s3_backend", "read_s3_stack_tags"]

_WORKERS = 16


@dataclass(frozen=True)
class S3Location:
    """Where a DIY S3 backend lives: bucket, key prefix, and the client options of its URL."""

    bucket: str
    prefix: str = ""
    endpoint: str | None = None
    region: str | None = None
    path_style: bool = False
    profile: str | None = None

    def stacks_prefix(self, project: str) -> str:
        base = f"{self.prefix}/" if self.prefix else ""
        return f"{base}.pulumi/stacks/{project}/"


def _flag(values: Mapping[str, list[str]], name: str) -> bool:
    return (values.get(name) or ["false"])[-1].lower() in ("1", "true", "yes")


def parse_s3_backend(url: str) -> S3Location | None:
    """``s3://bucket/prefix?endpoint=host:port&disableSSL=true&s3ForcePathStyle=true&region=r``
    → its :class:`S3Location`; None for any other backend URL."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        return None
    q = parse_qs(parts.query)

    def last(name: str) -> str | None:
        values = q.get(name)
        return values[-1] if values else None

    endpoint = last("endpoint")
    if endpoint and "://" not in endpoint:
        endpoint = ("http://" if _flag(q, "disableSSL") else "https://") + endpoint
    return S3Location(
        parts.netloc,
        parts.path.strip("/"),
        endpoint=endpoint,
        region=last("region"),
        path_style=_flag(q, "s3ForcePathStyle") or _flag(q, "use_path_style"),
        profile=last("profile"),
    )


def _tags_of(body: bytes) -> dict[str, str] | None:
    try:
        data: Any = json.loads(body)
    except ValueError:
        return None
    if isinstance(data, dict) and data.get("version") == 1 and isinstance(data.get("tags"), dict):
        return {str(k): str(v) for k, v in data["tags"].items()}
    return None


def read_s3_stack_tags(url: str, project: str) -> dict[str, dict[str, str]] | None:
    """Every stack's tags of ``project`` on the S3 backend ``url``: ``{stack: tags}``. None
    when ``url`` is not ``s3://`` or the bucket cannot be read (the caller falls back)."""
    where = parse_s3_backend(url)
    if where is None:
        return None
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        session = boto3.session.Session(profile_name=where.profile, region_name=where.region)
        config = Config(
            max_pool_connections=_WORKERS,
            retries={"mode": "standard", "max_attempts": 3},
            connect_timeout=5,
            read_timeout=15,
            s3={"addressing_style": "path" if where.path_style else "auto"},
        )
        s3 = session.client("s3", endpoint_url=where.endpoint, config=config)
        prefix = where.stacks_prefix(project)
        keys = [
            obj["Key"]
            for page in s3.get_paginator("list_objects_v2").paginate(
                Bucket=where.bucket, Prefix=prefix
            )
            for obj in page.get("Contents", [])
            if obj["Key"].endswith(".pulumi-tags") and "/" not in obj["Key"][len(prefix) :]
        ]

        def get(key: str) -> tuple[str, dict[str, str] | None]:
            body = s3.get_object(Bucket=where.bucket, Key=key)["Body"].read()
            return key[len(prefix) : -len(".pulumi-tags")], _tags_of(body)

        with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
            found = list(pool.map(get, keys))
    except (BotoCoreError, ClientError):
        return None
    return {name: tags for name, tags in found if tags is not None}
