"""``logs``: an environment's CloudWatch logs for people without AWS access, redacted."""

from __future__ import annotations

from typing import TYPE_CHECKING

from showtime_iac.app import wiring
from showtime_iac.core.model import InputError, short_sha

if TYPE_CHECKING:
    from showtime_iac.adapters.aws import LogTail

__all__ = ["read_logs"]


def read_logs(pr: int, sha: str | None, tail: int) -> LogTail:
    """The last ``tail`` lines of the environment of ``pr`` at ``sha`` (default: the PR's
    most recently written log group), secrets redacted."""
    from showtime_iac.settings import Settings

    given = short_sha(sha) if sha is not None else None  # bad input first, before AWS
    live = wiring.open_aws(Settings.from_env())
    sha7 = given if given is not None else live.latest_sha(pr)
    if sha7 is None:
        raise InputError(
            f"PR #{pr} has no environment logs: pass --sha SHA, "
            "or check that the environment was deployed"
        )
    return live.logs(pr, sha7, tail)
