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

    live = wiring.open_aws(Settings.from_env())
    if sha is None:
        found = live.latest_sha(pr)
        if found is None:
            raise InputError(
                f"PR #{pr} has no environment logs: pass --sha SHA, "
                "or check that the environment was deployed"
            )
        sha7 = found
    else:
        sha7 = short_sha(sha)
    return live.logs(pr, sha7, tail)
