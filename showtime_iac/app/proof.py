"""Proof on the PR (issue 28), the application's side: the picture of a healthy environment
(:class:`BrowserProof`, the executor's ``ProofPort``), which values of this run a failure
report must mask, and whether the sticky comment reports a deploy's progress.

Each is read from the process environment once, by ``sync`` (docs/proof.md: the picture is on
with ``SHOWTIME_SCREENSHOT=on``; the progress notes are off with ``SHOWTIME_PROGRESS=off``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from showtime_iac.core.model import ShowtimeError, short_sha
from showtime_iac.core.proof import Picture, judge, landed_page, picture_path

__all__ = [
    "DEFAULT_BRANCH",
    "SECRET_VARS",
    "BrowserProof",
    "ProofRejectedError",
    "open_proof",
    "progress_enabled",
    "proof_options",
    "run_secrets",
    "screenshot_enabled",
]

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


# -- the picture of a healthy environment --------------------------------------------------

#: the branch the pictures are published on (``SHOWTIME_PROOF_BRANCH``)
DEFAULT_BRANCH = "showtime-previews"


class ProofRejectedError(ShowtimeError):
    """The picture was not taken as proof (an error page, the login form, a blank page), or
    could not be taken or published: a failed check, reported on the PR, never posted."""


def screenshot_enabled(env: Mapping[str, str] | None = None) -> bool:
    """The picture is taken only when ``SHOWTIME_SCREENSHOT`` is ``on`` (or ``1``, ``true``,
    ``yes``): it needs Chromium on the runner and a token that may write the branch."""
    e = os.environ if env is None else env
    return e.get("SHOWTIME_SCREENSHOT", "off").strip().lower() in ("on", "1", "true", "yes")


class _Files(Protocol):
    def put_file(self, branch: str, path: str, data: bytes, message: str) -> str: ...

    def delete_file(self, branch: str, path: str, message: str) -> bool: ...


@dataclass
class BrowserProof:
    """The executor's ``ProofPort``: log in with the environment's own admin login, picture
    the page, judge it (:func:`~showtime_iac.core.proof.judge`), publish it on ``branch``."""

    files: _Files
    login: Callable[[int, str], tuple[str, str]]  # (pr, sha) -> (username, password)
    branch: str = DEFAULT_BRANCH
    exe: str | None = None
    timeout: float = 90.0

    def picture(self, pr: int, sha: str, url: str) -> Picture:
        from showtime_iac.adapters.browser import capture

        sha7 = short_sha(sha)
        try:
            username, password = self.login(pr, sha7)
            shot = capture(url, username, password, exe=self.exe, timeout=self.timeout)
        except ShowtimeError as exc:
            raise ProofRejectedError(f"no picture of {url}: {exc}") from None
        verdict = judge(shot.signals, username)
        if not verdict.ok:
            raise ProofRejectedError(f"the picture of {url} is not proof: {verdict.reason}")
        path = picture_path(pr, sha7)
        try:
            link = self.files.put_file(
                self.branch, path, shot.png, f"showtime: picture of PR #{pr} at {sha7}"
            )
        except ShowtimeError as exc:
            raise ProofRejectedError(f"the picture could not be published: {exc}") from None
        return Picture(link, landed_page(shot.signals.url))

    def remove(self, pr: int, sha: str) -> bool:
        """Remove the picture of PR ``pr`` at ``sha``; False when there was none."""
        sha7 = short_sha(sha)
        return self.files.delete_file(
            self.branch, picture_path(pr, sha7), f"showtime: PR #{pr} at {sha7} is gone"
        )


def open_proof(files: _Files, env: Mapping[str, str] | None = None) -> BrowserProof | None:
    """The picture step for ``sync``, or None when it is off (:func:`screenshot_enabled`).
    The admin login is read from the environment's secret (Secrets Manager) when needed."""
    e = os.environ if env is None else env
    if not screenshot_enabled(e):
        return None

    def login(pr: int, sha7: str) -> tuple[str, str]:
        from showtime_iac.app.credentials import admin_login

        found = admin_login(pr, sha7)
        return str(found["username"]), str(found["password"])

    return BrowserProof(files, login, e.get("SHOWTIME_PROOF_BRANCH") or DEFAULT_BRANCH)


def proof_options(files: _Files, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The executor's proof options for ``sync``: ``progress``, ``secrets``, ``proof``."""
    return {
        "progress": progress_enabled(env),
        "secrets": run_secrets(env),
        "proof": open_proof(files, env),
    }
