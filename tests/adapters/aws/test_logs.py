"""An environment's logs from CloudWatch (moto), through ``logs`` too, with secrets redacted."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

import pytest

from showtime_iac.adapters import aws
from showtime_iac.adapters.aws import LogsNotFoundError, redact
from showtime_iac.core.model import resource_names
from tests.adapters.aws.support import SHA1
from tests.doubles import World

SECRET_LINES = [
    "Loading examples",
    "SECRET_KEY=abcd1234efgh5678",
    "connecting to postgresql://superset:hunter2@db:5432/superset",
    "Init done",
]


def put_logs(world: World, pr: int, sha: str, lines: list[str], stream: str, t0: int) -> None:
    group = resource_names(pr, sha).log_group
    with contextlib.suppress(world.c.logs.exceptions.ResourceAlreadyExistsException):
        world.c.logs.create_log_group(logGroupName=group)
    world.c.logs.create_log_stream(logGroupName=group, logStreamName=stream)
    world.c.logs.put_log_events(
        logGroupName=group,
        logStreamName=stream,
        logEvents=[{"timestamp": t0 + i * 1000, "message": m} for i, m in enumerate(lines)],
    )


def now_ms() -> int:
    return int(datetime.now(UTC).timestamp() * 1000) - 60_000


def test_tail_logs_reads_the_last_lines_redacted(world: World) -> None:
    t0 = now_ms()
    put_logs(world, 7, SHA1, SECRET_LINES, "superset/superset/task1", t0)
    put_logs(world, 7, SHA1, ["redis ready"], "redis/redis/task1", t0 + 1500)
    tail = aws.tail_logs(world.c.logs, 7, SHA1, 3)
    assert [line.message for line in tail.lines] == [
        "redis ready",
        "connecting to postgresql://superset:***@db:5432/superset",
        "Init done",
    ]
    assert tail.log_group == "/showtime/pr-7-aaaaaaa" and tail.sha == "aaaaaaa"
    full = aws.tail_logs(world.c.logs, 7, SHA1, 100)
    assert "hunter2" not in full.text() and "abcd1234" not in full.text()
    assert "SECRET_KEY=***" in full.text()


def test_tail_logs_of_a_missing_environment(world: World) -> None:
    with pytest.raises(LogsNotFoundError, match="never deployed or is already destroyed"):
        aws.tail_logs(world.c.logs, 8, SHA1, 10)


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ("SECRET_KEY=abcdef0123456789", "abcdef0123456789"),
        ("export SUPERSET_SECRET_KEY='my long secret'", "my long secret"),
        ('{"password": "pa ss", "user": "admin"}', "pa ss"),
        ("DATABASE_URL=postgresql+psycopg2://superset:s3cr3t@db:5432/superset", "s3cr3t"),
        ("redis://:hunter2@localhost:6379/0", "hunter2"),
        ("Authorization: Bearer eyJhbGciOi.J9abcdefghijk", "eyJhbGciOi"),
        ("key AKIAIOSFODNN7EXAMPLE in use", "AKIAIOSFODNN7EXAMPLE"),
        ("aws_secret_access_key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI"),
        ("token ghp_0123456789abcdefghijABCDEFGHIJ012345 used", "ghp_0123456789"),
        ("GITHUB_TOKEN: github_pat_11AAAAAAA0123456789_abcdefghij", "github_pat_"),
        ("MAPBOX_API_KEY=pk.abc", "pk.abc"),
        ("Authorization: Basic dXNlcjpwYXNz", "dXNlcjpwYXNz"),
        ('headers={"Authorization": "token abc123def"}', "abc123def"),
    ],
)
def test_redact_masks_secrets(line: str, secret: str) -> None:
    out = redact(line)
    assert secret not in out and "***" in out


@pytest.mark.parametrize(
    "line",
    [
        "Loaded your LOCAL configuration at [/app/pythonpath/superset_config.py]",
        '127.0.0.1 - - [15/Jan/2026] "GET /health HTTP/1.1" 200 2',
        "Creating database reference for examples: postgresql://db:5432/examples",
        "tokenizer loaded in 3.2s",
        "Basic authentication is disabled; using the database backend",
        "Bearer tokens accepted",
    ],
)
def test_redact_leaves_ordinary_lines_alone(line: str) -> None:
    assert redact(line) == line
