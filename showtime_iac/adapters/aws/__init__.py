"""What only AWS knows at run time, read with boto3: address, health, DRAINING, orphans, logs.

Pulumi declares what should exist; this package asks AWS what does. One module per concern:

- :mod:`.errors` — :class:`AwsError`, :class:`CredentialsMissingError` and the live-check
  errors (:class:`TaskStoppedError` with ECS's reason, :class:`NoPublicIpError`, ...).
- :mod:`.session` — :func:`client_config` (botocore standard retries), :func:`make_session`,
  :func:`check_credentials`, :class:`AwsClients`, and :func:`~.session.aws_call`, which turns
  botocore's exceptions into ours with the call named.
- :mod:`.live` — :class:`AwsLive` (the executor's ``LivePort``): the service's running task
  → its ENI → the public IP (:class:`TaskAddress`), and the ECS DRAINING race
  (:meth:`AwsLive.wait_for_service_gone`, :class:`DrainResult`).
- :mod:`.health` — :func:`wait_for_health` (every :data:`POLL_SECONDS` under one deadline)
  and :func:`probe_health` (one look).
- :mod:`.orphans` — the sweep's AWS side: list what carries our tags, delete the orphans
  dependents first (:mod:`.orphan_kinds`: listener rules, target groups, security groups,
  roles, secrets, log groups). The decision itself is pure, in
  :mod:`showtime_iac.core.orphans` (:func:`classify_orphans`).
- :mod:`.logs` — :func:`tail_logs` (CloudWatch streams, secrets masked by :func:`redact`).
- :mod:`.identity` — who the credentials are (one quick STS call, for ``doctor``).
- :mod:`.request_count` — HTTPS mode's request signal: :func:`last_request` (the target
  group's ``RequestCount`` in CloudWatch), which resets an environment's idle TTL.

The cost estimate (:func:`hourly_cost`, :class:`FargatePrices`) is pure arithmetic and lives
in :mod:`showtime_iac.core.cost`; it is re-exported here until its callers import it there.

boto3 is imported only inside constructors and functions, never at module import.
"""

from __future__ import annotations

from showtime_iac.adapters.aws.errors import (
    AwsError,
    CredentialsMissingError,
    HealthTimeoutError,
    LogsNotFoundError,
    NoPublicIpError,
    RequestsUnreadableError,
    ServiceDrainTimeoutError,
    TaskNotRunningError,
    TaskStoppedError,
)
from showtime_iac.adapters.aws.health import (
    POLL_SECONDS,
    HealthProbe,
    HealthResult,
    probe_health,
    wait_for_health,
)
from showtime_iac.adapters.aws.live import AwsLive, DrainResult, TaskAddress
from showtime_iac.adapters.aws.logs import LogLine, LogTail, redact, tail_logs
from showtime_iac.adapters.aws.request_count import REQUEST_PERMISSIONS, last_request
from showtime_iac.adapters.aws.session import (
    AwsClients,
    check_credentials,
    client_config,
    make_session,
)
from showtime_iac.core.cost import (
    DEFAULT_PRICES,
    SIZE_RESOURCES,
    FargatePrices,
    hourly_cost,
    total_hourly_cost,
)
from showtime_iac.core.orphans import (
    KINDS,
    DeleteResult,
    OrphanDecision,
    TaggedResource,
    classify_orphans,
)

__all__ = [
    "DEFAULT_PRICES",
    "KINDS",
    "POLL_SECONDS",
    "REQUEST_PERMISSIONS",
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
    "RequestsUnreadableError",
    "ServiceDrainTimeoutError",
    "TaggedResource",
    "TaskAddress",
    "TaskNotRunningError",
    "TaskStoppedError",
    "check_credentials",
    "classify_orphans",
    "client_config",
    "hourly_cost",
    "last_request",
    "make_session",
    "probe_health",
    "redact",
    "tail_logs",
    "total_hourly_cost",
    "wait_for_health",
]
