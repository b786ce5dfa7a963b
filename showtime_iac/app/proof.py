"""Proof on the PR (issue 28), the application's side: which values of this run a failure
report must mask, and whether the sticky comment reports a deploy's progress.

Both are read from the process environment once, by ``sync`` (docs/proof.md says how to turn
the progress notes off: ``SHOWTIME_PROGRESS=off``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

__all__ = ["SECRET_VARS", "progress_enabled", "run_secrets"]

#: the environment variables of a job whose values never appear in a comment
SECRET_VARS = (
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "PULUMI_CONFIG_PASSPHRASE",
    "PULUMI_ACCESS_TOKEN",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    "ACTIONS_RUNTIME_TOKEN",
)


def run_secrets(env: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The values of :data:`SECRET_VARS` this run holds (unset and empty ones left out)."""
    e = os.environ if env is None else env
    return tuple(v for k in SECRET_VARS if (v := e.get(k)))


def progress_enabled(env: Mapping[str, str] | None = None) -> bool:
    """Progress notes in the sticky comment: on unless ``SHOWTIME_PROGRESS`` is ``off``
    (or ``0``, ``false``, ``no``)."""
    e = os.environ if env is None else env
    return e.get("SHOWTIME_PROGRESS", "on").strip().lower() not in ("off", "0", "false", "no")
