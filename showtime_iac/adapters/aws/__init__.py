"""What only AWS knows at run time, read with boto3: address, health, DRAINING, orphans, logs.

Pulumi declares what should exist; this module asks AWS what does:

- :meth:`AwsLive.task_address` — the service's running task → its ENI → the public IP
  (:class:`TaskAddress`); a STOPPED task raises :class:`TaskStoppedError` with ECS's reason.
- :func:`wait_for_health` — poll ``http://IP:8080/health`` with backoff under one deadline
  (clock, sleeper and HTTP getter injectable); :class:`PhaseTimer` records how long each
  phase of a deploy took.
- :meth:`AwsLive.wait_for_service_gone` — the ECS DRAINING race: ``describe_services`` (which
  sees ACTIVE, DRAINING and INACTIVE services; ``list_services`` hides DRAINING ones) until
  the name is INACTIVE or missing, bounded.
- :func:`classify_orphans` (pure) + :meth:`AwsLive.list_tagged` / :meth:`AwsLive.delete_orphans`
  — the orphan sweep. Nothing without our tags is ever touched.
- :func:`tail_logs` — the environment's CloudWatch log streams, secrets redacted (:func:`redact`).
- :func:`hourly_cost` — a Fargate estimate from the environment's size.

:class:`AwsLive` satisfies :class:`showtime_iac.app.executor.LivePort`. boto3 is imported only
inside constructors and functions, never at module import.
"""

from __future__ import annotations

import os
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from showtime_iac.core.model import (
    SHA_RE,
    SIZES,
    EnvConfig,
    InputError,
    Policy,
    ShowtimeError,
    Size,
    resource_names,
)
from showtime_iac.settings import Settings

if TYPE_CHECKING:
    import boto3
    from botocore.config import Config
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_ecr import ECRClient
    from mypy_boto3_ecs import ECSClient
    from mypy_boto3_logs import CloudWatchLogsClient

__all__ = [
    "DEFAULT_PRICES",
    "PHASES",
    "SIZE_RESOURCES",
    "AwsClients",
    "AwsError",
    "AwsLive",
    "CredentialsMissingError",
    "DeleteResult",
    "DrainResult",
    "FargatePrices",
    "HealthProbe",
    "HealthResult",
    "HealthTimeoutError",
    "LogLine",
    "LogTail",
    "LogsNotFoundError",
    "NoPublicIpError",
    "OrphanDecision",
    "PhaseTimer",
    "ServiceDrainTimeoutError",
    "TaggedResource",
    "TaskAddress",
    "TaskNotRunningError",
    "TaskStoppedError",
    "check_credentials",
    "classify_orphans",
    "client_config",
    "hourly_cost",
    "make_session",
    "probe_health",
    "redact",
    "tail_logs",
    "total_hourly_cost",
    "wait_for_health",
]

Clock = Callable[[], float]
Sleeper = Callable[[float], None]
HttpGet = Callable[[str, float], int]
"""``get(url, timeout) -> HTTP status``; raises ``OSError`` when nothing answers."""

ServiceState = Literal["ACTIVE", "DRAINING", "INACTIVE"]
ResourceKind = Literal["ecs-service", "task-definition", "log-group", "ecr-image"]
KINDS: tuple[ResourceKind, ...] = ("ecs-service", "task-definition", "log-group", "ecr-image")
PHASES = ("image", "stack", "task start", "health")
TARGET_SECONDS = {"new": 300.0, "update": 180.0}  # issue 8: new < 5 min, update < 3 min

# ------------------------------------------------------------------------------------------
# errors
# ------------------------------------------------------------------------------------------


class AwsError(ShowtimeError):
    """An AWS call failed (after botocore's retries); the message names the call and code."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


class CredentialsMissingError(InputError):
    """No usable AWS credentials: exit 2, the message names what is missing."""


class TaskStoppedError(ShowtimeError):
    """The environment's task stopped; ``reason`` is ECS's stopped reason."""

    def __init__(self, address: TaskAddress) -> None:
        reason = address.stopped_reason or "no reason given by ECS"
        super().__init__(
            f"task {address.task_id} stopped: {reason} "
            "(see `showtime-iac logs PR` for its last log lines)"
        )
        self.address = address
        self.reason = reason


class NoPublicIpError(ShowtimeError):
    """The task runs but its ENI has no public IP (assign_public_ip off, or a private subnet)."""

    def __init__(self, address: TaskAddress) -> None:
        super().__init__(
            f"task {address.task_id} is {address.last_status} but has no public IP: "
            "check that the service assigns a public IP and uses public subnets"
        )
        self.address = address


class TaskNotRunningError(ShowtimeError):
    """No task of the service reached RUNNING before the deadline."""


class HealthTimeoutError(ShowtimeError):
    """``/health`` did not answer 200 before the deadline."""


class ServiceDrainTimeoutError(ShowtimeError):
    """A service of the same name was still ACTIVE or DRAINING at the deadline."""


class LogsNotFoundError(ShowtimeError):
    """The environment has no log group (never deployed, or already destroyed)."""


# ------------------------------------------------------------------------------------------
# session and clients
# ------------------------------------------------------------------------------------------


def client_config(
    max_attempts: int = 5, *, connect_timeout: float = 5, read_timeout: float = 30
) -> Config:
    """botocore's ``standard`` retry mode (throttling and transient errors retried with
    jittered backoff), short connect timeout. ``status`` uses a quicker one (fewer attempts,
    shorter timeouts): it shows what it can and moves on."""
    from botocore.config import Config

    return Config(
        retries={"mode": "standard", "max_attempts": max_attempts},
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
    )


def make_session(settings: Settings) -> boto3.session.Session:
    """A boto3 session in the configured region; credentials from the usual ``AWS_*`` chain."""
    import boto3

    return boto3.session.Session(region_name=settings.aws_region)


def check_credentials(session: boto3.session.Session, env: Mapping[str, str] | None = None) -> None:
    """Raise :class:`CredentialsMissingError` naming what is missing; no network call."""
    from botocore.exceptions import BotoCoreError, PartialCredentialsError

    e = os.environ if env is None else env
    has_id, has_secret = bool(e.get("AWS_ACCESS_KEY_ID")), bool(e.get("AWS_SECRET_ACCESS_KEY"))
    if has_id != has_secret:
        missing = "AWS_SECRET_ACCESS_KEY" if has_id else "AWS_ACCESS_KEY_ID"
        present = "AWS_ACCESS_KEY_ID" if has_id else "AWS_SECRET_ACCESS_KEY"
        raise CredentialsMissingError(
            f"{missing} is not set but {present} is: export both (and AWS_SESSION_TOKEN "
            "for temporary credentials)"
        )
    try:
        creds = session.get_credentials()
    except PartialCredentialsError as exc:
        raise CredentialsMissingError(f"incomplete AWS credentials: {exc}") from None
    except BotoCoreError as exc:
        raise CredentialsMissingError(f"AWS credentials could not be loaded: {exc}") from None
    if creds is None:
        raise CredentialsMissingError(
            "AWS credentials not found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
            "(or AWS_PROFILE, or run with an IAM role, e.g. GitHub OIDC)"
        )


@dataclass(frozen=True)
class AwsClients:
    """The four boto3 clients this module uses; inject Stubber-wrapped ones in tests."""

    ecs: ECSClient
    ec2: EC2Client
    ecr: ECRClient
    logs: CloudWatchLogsClient

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        env: Mapping[str, str] | None = None,
        config: Config | None = None,
    ) -> AwsClients:
        """Clients honouring ``AWS_ENDPOINT_URL`` and the ``AWS_*`` chain, standard retries
        (``config``, default :func:`client_config`).

        Raises :class:`CredentialsMissingError` (exit 2) before any request when no
        credentials are found.
        """
        session = make_session(settings)
        check_credentials(session, env)
        cfg = config or client_config()
        url = settings.aws_endpoint_url
        return cls(
            ecs=session.client("ecs", endpoint_url=url, config=cfg),
            ec2=session.client("ec2", endpoint_url=url, config=cfg),
            ecr=session.client("ecr", endpoint_url=url, config=cfg),
            logs=session.client("logs", endpoint_url=url, config=cfg),
        )


def _error_code(exc: BaseException) -> str | None:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        code = response.get("Error", {}).get("Code")
        return str(code) if code else None
    return None


@contextmanager
def _aws(what: str) -> Iterator[None]:
    """Turn botocore's exceptions into ours, with the call named."""
    from botocore.exceptions import (
        BotoCoreError,
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
    )

    try:
        yield
    except NoCredentialsError:
        raise CredentialsMissingError(
            "AWS credentials not found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
            "(or AWS_PROFILE)"
        ) from None
    except ClientError as exc:
        code = _error_code(exc) or "Error"
        msg = exc.response.get("Error", {}).get("Message", "")
        raise AwsError(f"{what} failed: {code}: {msg}".rstrip(": "), code) from None
    except EndpointConnectionError as exc:
        raise AwsError(f"{what} failed: cannot reach AWS ({exc})") from None
    except BotoCoreError as exc:
        raise AwsError(f"{what} failed: {exc}") from None


_TRANSIENT = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "ServerException",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "InternalServerError",
    }
)

# ------------------------------------------------------------------------------------------
# address
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskAddress:
    """One task of an environment's service, and where it answers."""

    ip: str | None
    task_arn: str
    last_status: str
    stopped_reason: str | None = None
    private_ip: str | None = None
    eni_id: str | None = None

    @property
    def task_id(self) -> str:
        return self.task_arn.rsplit("/", 1)[-1]

    def url(self, port: int = 8080) -> str | None:
        return None if self.ip is None else f"http://{self.ip}:{port}"


def _eni_id(task: Mapping[str, Any]) -> str | None:
    for att in task.get("attachments", []):
        if att.get("type") != "ElasticNetworkInterface":
            continue
        for d in att.get("details", []):
            if d.get("name") == "networkInterfaceId":
                return str(d["value"])
    return None


def _started(task: Mapping[str, Any]) -> float:
    for key in ("startedAt", "createdAt", "stoppedAt"):
        v = task.get(key)
        if isinstance(v, datetime):
            return v.timestamp()
    return 0.0


# ------------------------------------------------------------------------------------------
# health and phase timings
# ------------------------------------------------------------------------------------------


_DEFAULT_HEALTH_TIMEOUT = Policy().health_timeout  # 15 min: Superset loads its examples


def _urllib_get(url: str, timeout: float) -> int:
    req = urllib.request.Request(url, headers={"User-Agent": "showtime-iac"})  # noqa: S310
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


@dataclass(frozen=True)
class HealthResult:
    url: str
    seconds: float
    attempts: int


def wait_for_health(
    url: str,
    *,
    timeout: float | timedelta = _DEFAULT_HEALTH_TIMEOUT,
    clock: Clock = time.monotonic,
    sleep: Sleeper = time.sleep,
    get: HttpGet = _urllib_get,
    first_interval: float = 2.0,
    factor: float = 1.5,
    max_interval: float = 15.0,
    request_timeout: float = 5.0,
) -> HealthResult:
    """Poll ``url`` until it answers HTTP 200, with exponential backoff (2 s, 3 s, 4.5 s …
    capped at 15 s) under one overall deadline. Raises :class:`HealthTimeoutError`."""
    if not url.startswith(("http://", "https://")):
        raise InputError(f"health URL {url[:80]!r} must start with http:// or https://")
    limit = timeout.total_seconds() if isinstance(timeout, timedelta) else float(timeout)
    start = clock()
    deadline = start + limit
    interval, attempts, last = first_interval, 0, "no answer"
    while True:
        attempts += 1
        remaining = deadline - clock()
        try:
            status = get(url, max(0.1, min(request_timeout, remaining)))
            last = f"HTTP {status}"
            if status == 200:
                return HealthResult(url, clock() - start, attempts)
        except (OSError, ValueError) as exc:
            last = f"{type(exc).__name__}: {exc}"[:200]
        remaining = deadline - clock()
        if remaining <= 0:
            raise HealthTimeoutError(
                f"{url} not healthy after {limit:.0f}s ({attempts} attempts, last: {last}); "
                "the failure comment carries the last log lines"
            )
        sleep(min(interval, remaining))
        interval = min(interval * factor, max_interval)


@dataclass(frozen=True)
class HealthProbe:
    """One look at ``/health`` for ``status``: ``ok`` and what was seen."""

    url: str
    ok: bool
    detail: str


def probe_health(url: str, *, get: HttpGet = _urllib_get, timeout: float = 3.0) -> HealthProbe:
    """A single ``GET url`` (no retries): ``healthy``, ``HTTP 503`` or ``unreachable: …``."""
    try:
        status = get(url, timeout)
    except (OSError, ValueError) as exc:
        return HealthProbe(url, False, f"unreachable: {type(exc).__name__}")
    return HealthProbe(url, status == 200, "healthy" if status == 200 else f"HTTP {status}")


@dataclass
class PhaseTimer:
    """How long each phase of a deploy took (image, stack, task start, health).

    ``with timer.phase("stack"): ...`` records one phase; :meth:`items` is the
    ``[(name, seconds)]`` form the executor's ``Outcome.timings`` uses.
    """

    clock: Clock = time.monotonic
    phases: list[tuple[str, float]] = field(default_factory=list)

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        t0 = self.clock()
        try:
            yield
        finally:
            self.record(name, self.clock() - t0)

    def record(self, name: str, seconds: float) -> None:
        self.phases.append((name, max(0.0, float(seconds))))

    def items(self) -> list[tuple[str, float]]:
        return list(self.phases)

    @property
    def total(self) -> float:
        return sum(s for _, s in self.phases)

    def as_dict(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for name, s in self.phases:
            out[name] = round(out.get(name, 0.0) + s, 3)
        out["total"] = round(self.total, 3)
        return out

    def within_target(self, kind: Literal["new", "update"]) -> bool:
        """New environment under 5 minutes, update under 3 (issue 8's goal)."""
        return self.total <= TARGET_SECONDS[kind]

    def summary(self, kind: Literal["new", "update"] | None = None) -> str:
        """``image 40.0s · stack 95.2s · task start 4.1s · health 61.0s · total 200.3s``."""
        parts = [f"{name} {s:.1f}s" for name, s in self.phases]
        parts.append(f"total {self.total:.1f}s")
        text = " · ".join(parts)
        if kind is not None:
            goal = TARGET_SECONDS[kind]
            verdict = "within" if self.within_target(kind) else "over"
            what = "a new environment" if kind == "new" else "an update"
            text += f" ({verdict} the {goal / 60:.0f} min goal for {what})"
        return text


# ------------------------------------------------------------------------------------------
# DRAINING race
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DrainResult:
    """What :meth:`AwsLive.wait_for_service_gone` saw: the states in order and the wait."""

    service: str
    states: tuple[str, ...]
    seconds: float

    @property
    def waited(self) -> bool:
        return any(s in ("ACTIVE", "DRAINING") for s in self.states)


# ------------------------------------------------------------------------------------------
# orphan sweep (pure decision)
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaggedResource:
    """One AWS resource found by the sweep. ``ident`` is what deletion needs (ARN, name,
    or for an ECR image its digest); ``tags`` are its AWS tags (for an ECR image, which
    cannot carry tags, those its image tag encodes)."""

    kind: ResourceKind
    name: str
    ident: str
    tags: Mapping[str, str]
    created: datetime | None = None
    other_image_tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class OrphanDecision:
    resource: TaggedResource
    action: Literal["delete", "keep", "skip"]
    reason: str
    pr: int | None = None
    stack: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.resource.kind,
            "name": self.resource.name,
            "id": self.resource.ident,
            "pr": self.pr,
            "stack": self.stack,
            "action": self.action,
            "reason": self.reason,
        }


_IMAGE_TAG_RE = re.compile(r"^pr-(0|[1-9][0-9]{0,9})-([0-9a-f]{7})-ci$")


def _expected_name(kind: ResourceKind, pr: int, sha: str) -> str:
    n = resource_names(pr, sha)
    return {
        "ecs-service": n.service,
        "task-definition": n.task_family,
        "log-group": n.log_group,
        "ecr-image": n.image_tag,
    }[kind]


def _decide(
    r: TaggedResource,
    live_stacks: frozenset[str],
    open_prs: frozenset[int],
    now: datetime,
    min_age: timedelta,
) -> OrphanDecision:
    pr_tag, sha_tag = r.tags.get("showtime:pr"), r.tags.get("showtime:sha")
    if pr_tag is None or sha_tag is None:
        return OrphanDecision(r, "skip", "no showtime:pr/showtime:sha tags: never touched")
    if not pr_tag.isdigit() or pr_tag.startswith("0") or not SHA_RE.match(sha_tag):
        return OrphanDecision(
            r, "skip", f"malformed tags showtime:pr={pr_tag[:20]!r} showtime:sha={sha_tag[:50]!r}"
        )
    pr, sha7 = int(pr_tag), sha_tag[:7]
    names = resource_names(pr, sha7)
    name = r.name.split(":", 1)[0] if r.kind == "task-definition" else r.name
    expected = _expected_name(r.kind, pr, sha7)
    if name != expected:
        return OrphanDecision(
            r, "skip", f"name {name!r} does not match its tags (expected {expected!r})", pr
        )
    if r.kind == "ecr-image" and r.other_image_tags:
        return OrphanDecision(
            r,
            "skip",
            f"image also tagged {', '.join(r.other_image_tags)}: not ours alone",
            pr,
            names.stack,
        )
    live, is_open = names.stack in live_stacks, pr in open_prs
    if live and is_open:
        return OrphanDecision(
            r, "keep", f"PR #{pr} is open and stack {names.stack} exists", pr, names.stack
        )
    if r.created is not None and now - r.created < min_age:
        age = int((now - r.created).total_seconds() // 60)
        return OrphanDecision(
            r,
            "keep",
            f"created {age} min ago, inside the {min_age} grace period (a deploy may be running)",
            pr,
            names.stack,
        )
    why = []
    if not live:
        why.append(f"stack {names.stack} no longer exists")
    if not is_open:
        why.append(f"PR #{pr} is closed")
    return OrphanDecision(r, "delete", " and ".join(why), pr, names.stack)


def classify_orphans(
    resources: Iterable[TaggedResource],
    live_stacks: Iterable[str],
    open_prs: Iterable[int],
    now: datetime,
    min_age: timedelta = timedelta(hours=1),
) -> list[OrphanDecision]:
    """Decide, purely, what the sweep deletes.

    A resource is deleted only when all hold: it carries ``showtime:pr`` and
    ``showtime:sha``; its name is exactly the one :func:`model.resource_names` gives those
    tags; it is older than ``min_age`` (a deploy between listing stacks and listing
    resources is not an orphan); and its stack is not in ``live_stacks`` or its PR is not
    in ``open_prs``. A resource of an open PR with a live stack is always kept.
    """
    live, opened = frozenset(live_stacks), frozenset(open_prs)
    if now.tzinfo is None:  # AWS timestamps are aware: read a naive ``now`` as UTC
        now = now.replace(tzinfo=UTC)
    return [_decide(r, live, opened, now, min_age) for r in resources]


@dataclass(frozen=True)
class DeleteResult:
    decision: OrphanDecision
    deleted: bool
    dry_run: bool
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.decision.as_dict(),
            "deleted": self.deleted,
            "dry_run": self.dry_run,
            "error": self.error,
        }


# ------------------------------------------------------------------------------------------
# logs and redaction
# ------------------------------------------------------------------------------------------

_MASK = "***"
_REDACTIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    # user:password@ in URLs (postgresql://superset:pw@db/..., https://user:token@host)
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s:/@]*:)[^\s@/]+(@)"), r"\1" + _MASK + r"\2"),
    # Authorization headers
    (re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]{8,}"), r"\1" + _MASK),
    (
        re.compile(
            r"(?i)\b(authorization[\"']?\s*[:=]\s*[\"']?(?:basic\s+|token\s+|bearer\s+)?)[^\s\"',;]+"
        ),
        r"\1" + _MASK,
    ),
    # KEY=value / KEY: value / "key": "value" for secret-looking keys
    (
        re.compile(
            r"""(?ix)
            (["']?[A-Za-z0-9_.-]*(?:secret|passw(?:or)?d|passwd|pwd|token|api[_-]?key|
              private[_-]?key|credentials?|auth[_-]?key|access[_-]?key)[A-Za-z0-9_.-]*["']?
             \s*[=:]\s*)
            ("[^"]*"|'[^']*'|[^\s,;&"'}]+)
            """
        ),
        r"\1" + _MASK,
    ),
    # AWS access key ids, GitHub / Slack tokens, JWTs
    (re.compile(r"\b(?:AKIA|ASIA|AIDA|AROA)[A-Z0-9]{16}\b"), _MASK),
    (re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{20,})\b"), _MASK),
    (re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b"), _MASK),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b"), _MASK),
    # a bare 40-char AWS secret access key next to the word "secret"/"aws"
    (re.compile(r"(?i)((?:aws|secret)\S{0,30}\s+)[A-Za-z0-9/+=]{40}\b"), r"\1" + _MASK),
)


def redact(text: str) -> str:
    """Mask secrets in log text: passwords in URLs, bearer tokens, ``SECRET_KEY=…`` and other
    secret-looking keys, AWS access keys, GitHub and Slack tokens, JWTs."""
    for pattern, repl in _REDACTIONS:
        text = pattern.sub(repl, text)
    return text


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
    with _aws(f"DescribeLogStreams {group}"):
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
        with _aws(f"GetLogEvents {group}/{sname}"):
            events = logs.get_log_events(
                logGroupName=group, logStreamName=sname, limit=n, startFromHead=False
            )
        for ev in events.get("events", []):
            ts = datetime.fromtimestamp(ev.get("timestamp", 0) / 1000, tz=UTC)
            for part in ev.get("message", "").rstrip("\n").splitlines() or [""]:
                lines.append(LogLine(ts, sname, redact(part)))
    lines.sort(key=lambda line: line.timestamp)  # stable: order within a stream kept
    return LogTail(pr, names.stack.rsplit("-", 1)[1], group, tuple(lines[-n:]))


# ------------------------------------------------------------------------------------------
# cost
# ------------------------------------------------------------------------------------------

# (vCPU, GiB) of each size; must equal program.SIZE_SPECS (a test holds them together):
# program.py imports pulumi, which `status` and `list` should not pay for.
SIZE_RESOURCES: dict[str, tuple[float, float]] = {
    "small": (1.0, 2.0),
    "medium": (2.0, 4.0),
    "large": (4.0, 8.0),
}


@dataclass(frozen=True)
class FargatePrices:
    """On-demand Fargate, Linux/x86, USD per hour (us-east-1/us-west-2, 2025 list prices),
    plus the public IPv4 address each task holds. Override with :meth:`from_mapping`
    (a ``[cost]`` table) or :meth:`from_env` (``SHOWTIME_PRICE_*``)."""

    vcpu_hour: float = 0.04048
    gb_hour: float = 0.004445
    ipv4_hour: float = 0.005
    currency: str = "USD"

    _KEYS = ("vcpu_hour", "gb_hour", "ipv4_hour")

    @classmethod
    def from_mapping(
        cls, data: Mapping[str, object], base: FargatePrices | None = None
    ) -> FargatePrices:
        b = base or cls()
        values = {k: getattr(b, k) for k in cls._KEYS}
        for key, raw in data.items():
            if key not in cls._KEYS:
                raise InputError(
                    f"unknown price key {key!r}: expected one of {', '.join(cls._KEYS)}"
                )
            try:
                value = float(raw)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                raise InputError(f"price {key}={raw!r} is not a number") from None
            if not 0 <= value < 100:
                raise InputError(f"price {key}={value} is out of range (0 to 100 per hour)")
            values[key] = value
        return cls(**values, currency=b.currency)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> FargatePrices:
        e = os.environ if env is None else env
        data = {
            k: e[f"SHOWTIME_PRICE_{k.upper()}"]
            for k in cls._KEYS
            if e.get(f"SHOWTIME_PRICE_{k.upper()}")
        }
        return cls.from_mapping(data)


DEFAULT_PRICES = FargatePrices()


def hourly_cost(size: Size | str, prices: FargatePrices = DEFAULT_PRICES) -> float:
    """Estimated USD per hour of one environment of ``size`` (vCPU + memory + public IPv4)."""
    if size not in SIZE_RESOURCES:
        raise InputError(f"unknown size {size!r}: choose one of {', '.join(SIZES)}")
    vcpu, gib = SIZE_RESOURCES[size]
    return round(vcpu * prices.vcpu_hour + gib * prices.gb_hour + prices.ipv4_hour, 5)


def total_hourly_cost(sizes: Iterable[Size | str], prices: FargatePrices = DEFAULT_PRICES) -> float:
    """The sum of :func:`hourly_cost` over a fleet."""
    return round(sum(hourly_cost(s, prices) for s in sizes), 5)


# ------------------------------------------------------------------------------------------
# the adapter
# ------------------------------------------------------------------------------------------


def _first_deployment(deployments: Iterable[Mapping[str, Any]] | None) -> datetime | None:
    times = [d["createdAt"] for d in deployments or [] if isinstance(d.get("createdAt"), datetime)]
    return min(times) if times else None


def _tags(raw: Iterable[Mapping[str, Any]] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for t in raw or []:
        k = t.get("key", t.get("Key"))
        v = t.get("value", t.get("Value"))
        if isinstance(k, str) and isinstance(v, str):
            out[k] = v
    return out


class AwsLive:
    """boto3 live checks of one deployment (cluster, ECR repository); clients injectable.

    Build it with :meth:`from_settings` in the CLI, or pass Stubber-wrapped clients in tests.
    """

    def __init__(
        self,
        clients: AwsClients,
        *,
        cluster: str = "superset-ci",
        ecr_repository: str = "superset-ci",
        policy: Policy | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleeper = time.sleep,
        http_get: HttpGet = _urllib_get,
        drain_timeout: float = 600.0,
        task_timeout: float = 300.0,
        poll_interval: float = 5.0,
    ) -> None:
        self.clients = clients
        self.cluster = cluster
        self.ecr_repository = ecr_repository
        self.policy = policy or Policy()
        self.clock, self.sleep, self.http_get = clock, sleep, http_get
        self.drain_timeout = drain_timeout
        self.task_timeout = task_timeout
        self.poll_interval = poll_interval

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        policy: Policy | None = None,
        *,
        config: Config | None = None,
        **kw: Any,
    ) -> AwsLive:
        return cls(
            AwsClients.from_settings(settings, config=config),
            cluster=settings.ecs_cluster,
            ecr_repository=settings.ecr_repository,
            policy=policy,
            **kw,
        )

    # -- DRAINING ------------------------------------------------------------------------

    def service_state(self, cluster: str, name: str) -> ServiceState | None:
        """The service's status in ANY state via ``describe_services``; None when missing.

        Never ``list_services``: it returns ACTIVE services only, so a DRAINING one (which
        still blocks ``CreateService`` of the same name) would look absent.
        """
        ecs = self.clients.ecs
        with _aws(f"DescribeServices {name}"):
            try:
                resp = ecs.describe_services(cluster=cluster, services=[name])
            except ecs.exceptions.ClusterNotFoundException:
                return None
        for svc in resp.get("services", []):
            if svc.get("serviceName") == name or str(svc.get("serviceArn", "")).endswith(
                "/" + name
            ):
                status = svc.get("status")
                if status in ("ACTIVE", "DRAINING", "INACTIVE"):
                    return status  # type: ignore[return-value]
                return "ACTIVE"  # unknown status: treat as present (the safe side)
        return None  # reported under "failures" with reason MISSING

    def wait_for_service_gone(
        self, cluster: str, name: str, deadline: float | timedelta
    ) -> DrainResult:
        """Wait until service ``name`` is INACTIVE or missing, through ACTIVE and DRAINING.

        ``deadline`` is the most time to wait. A throttled poll is retried (after botocore's
        own retries) until the deadline. Raises :class:`ServiceDrainTimeoutError`.
        """
        limit = deadline.total_seconds() if isinstance(deadline, timedelta) else float(deadline)
        start = self.clock()
        states: list[str] = []
        while True:
            try:
                state: str | None = self.service_state(cluster, name)
            except AwsError as exc:
                if exc.code not in _TRANSIENT:
                    raise
                state = f"error:{exc.code}"
            states.append(state or "MISSING")
            if state in (None, "INACTIVE"):
                return DrainResult(name, tuple(states), self.clock() - start)
            remaining = start + limit - self.clock()
            if remaining <= 0:
                raise ServiceDrainTimeoutError(
                    f"ECS service {name} in cluster {cluster} is still {states[-1]} after "
                    f"{limit:.0f}s: a previous deployment is draining; retry in a few minutes, "
                    f"or check it with `aws ecs describe-services --cluster {cluster} "
                    f"--services {name}`"
                )
            self.sleep(min(self.poll_interval, remaining))

    def before_up(self, cfg: EnvConfig) -> DrainResult | None:
        """Wait out a DRAINING service of this environment's name before its stack creates it.

        An ACTIVE service is the stack's own (an update): Pulumi updates it in place.
        """
        name = resource_names(cfg.pr, cfg.sha).service
        if self.service_state(self.cluster, name) != "DRAINING":
            return None
        return self.wait_for_service_gone(self.cluster, name, self.drain_timeout)

    # -- address -------------------------------------------------------------------------

    def _service_tasks(self, cluster: str, service: str, desired: str) -> list[dict[str, Any]]:
        ecs = self.clients.ecs
        with _aws(f"ListTasks {service}"):
            arns = ecs.list_tasks(
                cluster=cluster,
                serviceName=service,
                desiredStatus=desired,  # type: ignore[arg-type]
            ).get("taskArns", [])
        if not arns:
            return []
        with _aws(f"DescribeTasks {service}"):
            tasks = ecs.describe_tasks(cluster=cluster, tasks=arns[:100]).get("tasks", [])
        # a service's tasks carry group "service:NAME" (also guards against ListTasks
        # implementations that ignore serviceName)
        return [dict(t) for t in tasks if t.get("group") in (None, f"service:{service}")]

    def _public_ip(self, eni: str) -> tuple[str | None, str | None]:
        with _aws(f"DescribeNetworkInterfaces {eni}"):
            resp = self.clients.ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])
        for ni in resp.get("NetworkInterfaces", []):
            return ni.get("Association", {}).get("PublicIp"), ni.get("PrivateIpAddress")
        return None, None

    def task_address(self, cluster: str, service: str) -> TaskAddress:
        """One look: the newest RUNNING task's public IP.

        Returns a :class:`TaskAddress` with ``ip`` None while a task is still PENDING/
        PROVISIONING. Raises :class:`NoPublicIpError` for a running task without one,
        :class:`TaskStoppedError` when no task runs and the last one stopped (with ECS's
        reason), :class:`TaskNotRunningError` when the service has no task at all.
        """
        tasks = self._service_tasks(cluster, service, "RUNNING")
        tasks.sort(key=_started, reverse=True)
        for t in tasks:
            if t.get("lastStatus") != "RUNNING":
                continue
            eni = _eni_id(t)
            ip, private = self._public_ip(eni) if eni else (None, None)
            addr = TaskAddress(ip, t["taskArn"], "RUNNING", None, private, eni)
            if ip is None:
                raise NoPublicIpError(addr)
            return addr
        if tasks:
            t = tasks[0]
            return TaskAddress(None, t["taskArn"], str(t.get("lastStatus", "PENDING")))
        stopped = self._service_tasks(cluster, service, "STOPPED")
        if stopped:
            t = max(stopped, key=_started)
            addr = TaskAddress(
                None,
                t["taskArn"],
                str(t.get("lastStatus", "STOPPED")),
                t.get("stoppedReason") or None,
            )
            raise TaskStoppedError(addr)
        raise TaskNotRunningError(
            f"ECS service {service} in cluster {cluster} has no task: check its events with "
            f"`aws ecs describe-services --cluster {cluster} --services {service}`"
        )

    def wait_for_address(
        self, cluster: str, service: str, deadline: float | timedelta | None = None
    ) -> TaskAddress:
        """Poll :meth:`task_address` until a task runs with a public IP, bounded."""
        limit = self.task_timeout if deadline is None else deadline
        secs = limit.total_seconds() if isinstance(limit, timedelta) else float(limit)
        start = self.clock()
        while True:
            try:
                addr = self.task_address(cluster, service)
                if addr.ip is not None:
                    return addr
                last = f"task {addr.task_id} is {addr.last_status}"
            except TaskNotRunningError as exc:
                last = str(exc)
            except AwsError as exc:
                if exc.code not in _TRANSIENT:
                    raise
                last = str(exc)
            remaining = start + secs - self.clock()
            if remaining <= 0:
                raise TaskNotRunningError(f"no running task after {secs:.0f}s: {last}")
            self.sleep(min(self.poll_interval, remaining))

    def address(self, cfg: EnvConfig, outputs: Mapping[str, Any]) -> str:
        """``ip:port`` of the environment's running task (the executor's LivePort)."""
        service = str(outputs.get("serviceName") or resource_names(cfg.pr, cfg.sha).service)
        cluster = str(outputs.get("clusterName") or self.cluster)
        addr = self.wait_for_address(cluster, service)
        return f"{addr.ip}:{self.policy.port}"

    # -- health --------------------------------------------------------------------------

    def wait_healthy(self, url: str) -> float:
        """Seconds until ``url`` answered 200 (the executor's LivePort)."""
        return wait_for_health(
            url,
            timeout=self.policy.health_timeout,
            clock=self.clock,
            sleep=self.sleep,
            get=self.http_get,
        ).seconds

    # -- logs ----------------------------------------------------------------------------

    def tail_logs(self, cfg: EnvConfig, lines: int) -> str:
        """The last ``lines`` log lines, redacted, as text (the executor's LivePort)."""
        return tail_logs(self.clients.logs, cfg.pr, cfg.sha, lines).text()

    def logs(self, pr: int, sha: str, n: int = 50) -> LogTail:
        return tail_logs(self.clients.logs, pr, sha, n)

    def latest_sha(self, pr: int) -> str | None:
        """The SHA of PR ``pr``'s most recently written log group (``logs`` without --sha)."""
        logs = self.clients.logs
        best: tuple[int, str] | None = None
        prefix = f"/showtime/pr-{pr}-"
        with _aws(f"DescribeLogGroups {prefix}"):
            for page in logs.get_paginator("describe_log_groups").paginate(
                logGroupNamePrefix=prefix
            ):
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

    # -- orphan sweep --------------------------------------------------------------------

    def list_tagged(self) -> list[TaggedResource]:
        """Every candidate of the sweep: ECS services of the cluster, task definitions of
        family ``showtime-pr-*``, log groups ``/showtime/pr-*`` (with their tags), and the
        ECR repository's images tagged ``pr-*-ci``."""
        return [
            *self._list_services(),
            *self._list_task_definitions(),
            *self._list_log_groups(),
            *self._list_images(),
        ]

    def _list_services(self) -> list[TaggedResource]:
        ecs = self.clients.ecs
        out: list[TaggedResource] = []
        with _aws(f"ListServices {self.cluster}"):
            try:
                arns = [
                    a
                    for page in ecs.get_paginator("list_services").paginate(cluster=self.cluster)
                    for a in page.get("serviceArns", [])
                ]
            except ecs.exceptions.ClusterNotFoundException:
                return []
            for i in range(0, len(arns), 10):
                resp = ecs.describe_services(
                    cluster=self.cluster, services=arns[i : i + 10], include=["TAGS"]
                )
                for s in resp.get("services", []):
                    if s.get("status") != "ACTIVE":
                        continue  # DRAINING/INACTIVE: already on their way out
                    out.append(
                        TaggedResource(
                            "ecs-service",
                            s["serviceName"],
                            s["serviceArn"],
                            _tags(s.get("tags")),
                            s.get("createdAt") or _first_deployment(s.get("deployments")),
                        )
                    )
        return out

    def _list_task_definitions(self) -> list[TaggedResource]:
        ecs = self.clients.ecs
        out: list[TaggedResource] = []
        # ListTaskDefinitions' familyPrefix is a whole family name, not a prefix: list the
        # ACTIVE ones and keep our families by ARN before describing any
        with _aws("ListTaskDefinitions"):
            pages = ecs.get_paginator("list_task_definitions").paginate(status="ACTIVE")
            arns = [a for p in pages for a in p.get("taskDefinitionArns", [])]
            for arn in (a for a in arns if ":task-definition/showtime-pr-" in a):
                resp = ecs.describe_task_definition(taskDefinition=arn, include=["TAGS"])
                td = resp["taskDefinition"]
                out.append(
                    TaggedResource(
                        "task-definition",
                        f"{td['family']}:{td['revision']}",
                        td["taskDefinitionArn"],
                        _tags(resp.get("tags")),
                        td.get("registeredAt"),
                    )
                )
        return out

    def _list_log_groups(self) -> list[TaggedResource]:
        logs = self.clients.logs
        out: list[TaggedResource] = []
        with _aws("DescribeLogGroups /showtime/pr-"):
            for page in logs.get_paginator("describe_log_groups").paginate(
                logGroupNamePrefix="/showtime/pr-"
            ):
                for g in page.get("logGroups", []):
                    arn = g.get("logGroupArn") or str(g.get("arn", "")).removesuffix(":*")
                    tags = logs.list_tags_for_resource(resourceArn=arn).get("tags", {})
                    created = g.get("creationTime")
                    out.append(
                        TaggedResource(
                            "log-group",
                            g["logGroupName"],
                            arn,
                            dict(tags),
                            datetime.fromtimestamp(created / 1000, tz=UTC) if created else None,
                        )
                    )
        return out

    def _list_images(self) -> list[TaggedResource]:
        ecr = self.clients.ecr
        out: list[TaggedResource] = []
        with _aws(f"DescribeImages {self.ecr_repository}"):
            try:
                pages = list(
                    ecr.get_paginator("describe_images").paginate(
                        repositoryName=self.ecr_repository, filter={"tagStatus": "TAGGED"}
                    )
                )
            except ecr.exceptions.RepositoryNotFoundException:
                return []
        for page in pages:
            for img in page.get("imageDetails", []):
                image_tags = list(img.get("imageTags", []))
                ours = [t for t in image_tags if _IMAGE_TAG_RE.match(t)]
                if not ours:
                    continue  # untagged or not ours: never touched
                m = _IMAGE_TAG_RE.match(ours[0])
                assert m is not None
                out.append(
                    TaggedResource(
                        "ecr-image",
                        ours[0],
                        img["imageDigest"],
                        {"showtime:pr": m.group(1), "showtime:sha": m.group(2)},
                        img.get("imagePushedAt"),
                        tuple(t for t in image_tags if t != ours[0]),
                    )
                )
        return out

    def find_orphans(
        self,
        live_stacks: Iterable[str],
        open_prs: Iterable[int],
        now: datetime,
        min_age: timedelta = timedelta(hours=1),
    ) -> list[OrphanDecision]:
        """:meth:`list_tagged` judged by :func:`classify_orphans`."""
        return classify_orphans(self.list_tagged(), live_stacks, open_prs, now, min_age)

    def delete_orphans(
        self, decisions: Sequence[OrphanDecision], *, dry_run: bool = True
    ) -> list[DeleteResult]:
        """Delete the ``delete`` decisions (each one independently; an error is reported and
        the rest go on). ``dry_run`` (the default) calls nothing that writes."""
        results: list[DeleteResult] = []
        for d in decisions:
            if d.action != "delete":
                continue
            if dry_run:
                results.append(DeleteResult(d, deleted=False, dry_run=True))
                continue
            try:
                self._delete(d.resource)
                results.append(DeleteResult(d, deleted=True, dry_run=False))
            except AwsError as exc:
                results.append(DeleteResult(d, deleted=False, dry_run=False, error=str(exc)))
        return results

    def _delete(self, r: TaggedResource) -> None:
        c = self.clients
        with _aws(f"delete {r.kind} {r.name}"):
            if r.kind == "ecs-service":
                c.ecs.delete_service(cluster=self.cluster, service=r.name, force=True)
            elif r.kind == "task-definition":
                c.ecs.deregister_task_definition(taskDefinition=r.ident)
            elif r.kind == "log-group":
                c.logs.delete_log_group(logGroupName=r.name)
            else:
                resp = c.ecr.batch_delete_image(
                    repositoryName=self.ecr_repository, imageIds=[{"imageDigest": r.ident}]
                )
                for f in resp.get("failures", []):
                    raise AwsError(
                        f"BatchDeleteImage {r.name} failed: {f.get('failureCode')}: "
                        f"{f.get('failureReason')}",
                        str(f.get("failureCode")),
                    )
