"""The AWS adapter's errors: each says which call failed, or what to check, in one line."""

from __future__ import annotations

from typing import TYPE_CHECKING

from showtime_iac.core.model import ShowtimeError
from showtime_iac.errors import PrerequisiteError

if TYPE_CHECKING:
    from showtime_iac.adapters.aws.live import TaskAddress

__all__ = [
    "AwsError",
    "CredentialsMissingError",
    "HealthTimeoutError",
    "LogsNotFoundError",
    "NoPublicIpError",
    "RequestsUnreadableError",
    "ServiceDrainTimeoutError",
    "TaskNotRunningError",
    "TaskStoppedError",
]


class AwsError(ShowtimeError):
    """An AWS call failed (after botocore's retries); the message names the call and code."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


class CredentialsMissingError(PrerequisiteError):
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


class RequestsUnreadableError(AwsError):
    """HTTPS mode: the load balancer's request count of an environment could not be read
    (access denied, throttled after botocore's retries, ...); the message says what to do."""
