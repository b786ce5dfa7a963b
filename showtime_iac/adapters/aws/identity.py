"""Who the AWS credentials are: one quick STS ``GetCallerIdentity`` (for ``doctor``).

boto3 is imported inside the function only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from showtime_iac.errors import ShowtimeError

__all__ = ["CallerIdentity", "IdentityError", "caller_identity"]


class IdentityError(ShowtimeError):
    """The credentials cannot be used (none found, refused, or AWS unreachable); the message
    is botocore's own."""


@dataclass(frozen=True)
class CallerIdentity:
    account: str
    arn: str


def caller_identity(env: Mapping[str, str]) -> CallerIdentity:
    """The account and ARN of the usual ``AWS_*`` credential chain: one attempt, short
    timeouts, region from ``AWS_REGION``/``AWS_DEFAULT_REGION`` (default us-west-2)."""
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        # total_max_attempts counts the first call; max_attempts would add a retry to it
        cfg = Config(connect_timeout=3, read_timeout=5, retries={"total_max_attempts": 1})
        region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-west-2"
        sts = boto3.client("sts", region_name=region, config=cfg)
        ident = sts.get_caller_identity()
    except (BotoCoreError, ClientError) as exc:
        raise IdentityError(str(exc)) from None
    return CallerIdentity(account=str(ident["Account"]), arn=str(ident["Arn"]))
