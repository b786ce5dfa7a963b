"""An environment's CloudWatch logs: the last lines of its streams, secrets redacted."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from showtime_iac.adapters.aws.errors import LogsNotFoundError
from showtime_iac.adapters.aws.session import aws_call
from showtime_iac.core.model import InputError, resource_names
from showtime_iac.core.proof import redact as _redact

if TYPE_CHECKING:
    from mypy_boto3_logs import CloudWatchLogsClient

__all__ = ["LogLine", "LogTail", "latest_sha", "redact", "tail_logs"]


def redact(text: str) -> str:
    """Mask secrets in log text: passwords in URLs, bearer tokens, ``SECRET_KEY=…`` and other
    secret-looking keys, AWS access keys, GitHub and Slack tokens, JWTs
    (:func:`showtime_iac.core.proof.redact`, the one list of patterns)."""
    return _redact(text)


@dataclass(frozen=True)
class LogLine:
    timestamp: datetime
    stream: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {
            "timestamp": self.timestamp.isoformat().replace("+00:00", "Z"),
            "stream": self.stream,
            "message": self.message,
        }

    def render(self) -> str:
        task = self.stream.rsplit("/", 1)[-1][:8]
        return f"{self.timestamp:%Y-%m-%d %H:%M:%S} {task} {self.message}"


@dataclass(frozen=True)
class LogTail:
    pr: int
    sha: str
    log_group: str
    lines: tuple[LogLine, ...]

    def text(self) -> str:
        return "\n".join(line.render() for line in self.lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "pr": self.pr,
            "sha": self.sha,
            "log_group": self.log_group,
            "lines": [line.as_dict() for line in self.lines],
        }


def tail_logs(logs: CloudWatchLogsClient, pr: int, sha: str, n: int = 50) -> LogTail:
    """The last ``n`` lines of an environment's log group (its most recent streams, merged
    by time), secrets redacted. Raises :class:`LogsNotFoundError` when the group is gone."""
    if n < 1 or n > 10_000:
        raise InputError(f"--tail {n}: expected 1 to 10000 lines")
    names = resource_names(pr, sha)
    group = names.log_group
    with aws_call(f"DescribeLogStreams {group}"):
        try:
            resp = logs.describe_log_streams(
                logGroupName=group, orderBy="LastEventTime", descending=True, limit=5
            )
        except logs.exceptions.ResourceNotFoundException:
            raise LogsNotFoundError(
                f"no log group {group}: PR #{pr} at {names.stack.rsplit('-', 1)[1]} was never "
                "deployed or is already destroyed"
            ) from None
    lines: list[LogLine] = []
    for stream in resp.get("logStreams", []):
        sname = stream["logStreamName"]
        with aws_call(f"GetLogEvents {group}/{sname}"):
            events = logs.get_log_events(
                logGroupName=group, logStreamName=sname, limit=n, startFromHead=False
            )
        for ev in events.get("events", []):
            ts = datetime.fromtimestamp(ev.get("timestamp", 0) / 1000, tz=UTC)
            for part in ev.get("message", "").rstrip("\n").splitlines() or [""]:
                lines.append(LogLine(ts, sname, redact(part)))
    lines.sort(key=lambda line: line.timestamp)  # stable: order within a stream kept
    return LogTail(pr, names.stack.rsplit("-", 1)[1], group, tuple(lines[-n:]))


def latest_sha(logs: CloudWatchLogsClient, pr: int) -> str | None:
    """The SHA of PR ``pr``'s most recently written log group (``logs`` without --sha)."""
    best: tuple[int, str] | None = None
    prefix = f"/showtime/pr-{pr}-"
    with aws_call(f"DescribeLogGroups {prefix}"):
        for page in logs.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=prefix):
            for g in page.get("logGroups", []):
                sha = g["logGroupName"].removeprefix(prefix)
                if not re.fullmatch(r"[0-9a-f]{7}", sha):
                    continue
                streams = logs.describe_log_streams(
                    logGroupName=g["logGroupName"],
                    orderBy="LastEventTime",
                    descending=True,
                    limit=1,
                ).get("logStreams", [])
                last = int(
                    (streams[0].get("lastEventTimestamp") if streams else None)
                    or g.get("creationTime", 0)
                )
                if best is None or last > best[0]:
                    best = (last, sha)
    return None if best is None else best[1]
