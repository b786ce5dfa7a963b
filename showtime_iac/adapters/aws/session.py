"""boto3 sessions and clients: standard retries, credentials checked before any request, and
botocore's exceptions turned into ours (:func:`aws_call`).

boto3 and botocore are imported inside the functions only, never at module import.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from showtime_iac.adapters.aws.errors import AwsError, CredentialsMissingError
from showtime_iac.settings import Settings

if TYPE_CHECKING:
    import boto3
    from botocore.config import Config
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_ecr import ECRClient
    from mypy_boto3_ecs import ECSClient
    from mypy_boto3_elbv2 import ElasticLoadBalancingv2Client
    from mypy_boto3_logs import CloudWatchLogsClient
    from mypy_boto3_secretsmanager import SecretsManagerClient

__all__ = [
    "TRANSIENT",
    "AwsClients",
    "aws_call",
    "check_credentials",
    "client_config",
    "make_session",
]


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


_SERVICES = {"iam": "iam", "tagging": "resourcegroupstaggingapi"}


@dataclass(frozen=True)
class AwsClients:
    """The boto3 clients the adapter uses; inject Stubber-wrapped ones in tests. The load
    balancer, Secrets Manager and CloudWatch clients are optional for callers that need none of
    them. The IAM and Resource Groups Tagging clients, which only the orphan sweep uses, are
    made on first use (:meth:`client`; typed ``Any``: the project installs no boto3 stubs for
    them), so a deploy does not load their models."""

    ecs: ECSClient
    ec2: EC2Client
    ecr: ECRClient
    logs: CloudWatchLogsClient
    elbv2: ElasticLoadBalancingv2Client | None = None
    secretsmanager: SecretsManagerClient | None = None
    cloudwatch: CloudWatchClient | None = None
    iam: Any = None
    tagging: Any = None  # resourcegroupstaggingapi
    factory: Callable[[str], Any] | None = field(default=None, repr=False, compare=False)
    _made: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def client(self, name: str) -> Any:
        """``iam`` or ``tagging``: the one given, else made now by ``factory`` (once); None
        when there is neither."""
        given = getattr(self, name)
        if given is not None or self.factory is None:
            return given
        if name not in self._made:
            self._made[name] = self.factory(_SERVICES[name])
        return self._made[name]

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
            elbv2=session.client("elbv2", endpoint_url=url, config=cfg),
            secretsmanager=session.client("secretsmanager", endpoint_url=url, config=cfg),
            cloudwatch=session.client("cloudwatch", endpoint_url=url, config=cfg),
            factory=lambda service: _any(session).client(service, endpoint_url=url, config=cfg),
        )


def _any(session: boto3.session.Session) -> Any:
    """The session untyped: the stubs type ``client`` by service name literals only."""
    return session


def _error_code(exc: BaseException) -> str | None:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        code = response.get("Error", {}).get("Code")
        return str(code) if code else None
    return None


@contextmanager
def aws_call(what: str) -> Iterator[None]:
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


#: error codes of a throttled or transiently failing call: a poll may try again
TRANSIENT = frozenset(
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
