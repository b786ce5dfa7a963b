"""The executor's proof steps (issue 28), kept apart from its claim and deploy logic: the
progress notes of a deploy, and the picture of a healthy environment (taken, judged and
published through a :class:`ProofPort`; removed with the environment).

:class:`ProofSteps` is mixed into :class:`~showtime_iac.app.executor.Executor`, which provides
the attributes it names.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

from showtime_iac.core.model import ShowtimeError, stack_name
from showtime_iac.core.proof import PHASE_TAG, PICTURE_TAG, Failure, Picture
from showtime_iac.core.timings import format_seconds

__all__ = ["ProofPort", "ProofSteps"]


class ProofPort(Protocol):
    def picture(self, pr: int, sha: str, url: str) -> Picture:
        """Log in, picture the page, judge it, publish it; ShowtimeError when it is not
        proof (an error page, the login form, a blank page) or cannot be published."""
        ...

    def remove(self, pr: int, sha: str) -> bool:
        """Remove the published picture of PR ``pr`` at ``sha``; False when there was none."""
        ...


class _Outcome(Protocol):
    url: str | None
    actions: list[str]


class ProofSteps:
    """Progress notes and the picture, over the executor's own sticky comment and audit."""

    proof: ProofPort | None
    progress: bool
    marks: list[tuple[str, datetime]]
    clock: Callable[[], datetime]
    run_url: str | None
    secrets: tuple[str, ...]
    _deploying: tuple[int, str, Sequence[str]] | None  # pr, sha, labels of the deploy
    stacks: Any  # the executor's StackPort (``retag``)
    _sticky: Callable[..., None]
    _audit: Callable[[Any, str, str, str], None]

    def _progress(self, phase: str) -> None:
        """The sticky comment says the phase in progress and the time so far (cosmetic: a
        failed edit is ignored, the deploy goes on). Not before the stack's ``up``: a start
        reaches its ``up`` within 7 requests (🚦 deploying and the deployment say it)."""
        if not self.progress or self._deploying is None or not self.marks or phase == "up":
            return
        pr, sha, labels = self._deploying
        spent = (self.clock() - self.marks[0][1]).total_seconds()
        note = f"Deploying `{sha}`: **{phase}** in progress · {format_seconds(spent)} so far"
        with contextlib.suppress(ShowtimeError):
            self._sticky(pr, labels, "", progress=note)
        self._note_phase(pr, sha, phase)

    def _note_phase(self, pr: int, sha: str, phase: str, **more: str) -> None:
        """The phase (and ``more`` tags) in the stack's record, so ``status`` says what the
        comment says (best effort; only with ``progress``, or when ``more`` has something)."""
        if not (self.progress or more):
            return
        tags = {PHASE_TAG: phase, **more} if self.progress else dict(more)
        with contextlib.suppress(ShowtimeError):
            self.stacks.retag(stack_name(pr, sha), tags)

    def _failure(self, phase: str, exc: Exception, logs: str | None) -> Failure:
        """What the sticky comment says about a failed deploy: the phase, the error, the
        failed resources' diagnostics (a StackError's), the task's last log lines."""
        if self._deploying is not None:
            self._note_phase(self._deploying[0], self._deploying[1], f"failed: {phase}")
        return Failure(
            phase,
            str(exc),
            tuple(getattr(exc, "diagnostics", ())),
            tuple((logs or "").splitlines()),
            self.run_url,
            self.secrets,
        )

    def _picture(self, pr: int, sha: str, out: _Outcome) -> Picture | str | None:
        """The healthy environment pictured logged in (None: no proof step); a picture that
        is not proof is a failed check: its reason (str) is reported, nothing is posted."""
        if self.proof is None or not out.url:
            self._note_phase(pr, sha, "ready")
            return None
        try:
            picture = self.proof.picture(pr, sha, out.url)
        except ShowtimeError as exc:
            out.actions.append(f"screenshot check failed: {exc}")
            self._audit(out, "screenshot", "failed", str(exc))
            self._note_phase(pr, sha, "ready")
            return str(exc)
        out.actions.append(f"pictured {picture.page}: {picture.url}")
        self._note_phase(pr, sha, "ready", **{PICTURE_TAG: picture.url})
        return picture

    def _unpicture(self, pr: int, sha: str, out: _Outcome) -> None:
        """The picture of a destroyed environment goes with it (best effort)."""
        if self.proof is None:
            return
        try:
            if self.proof.remove(pr, sha):
                out.actions.append(f"removed the picture of {sha}")
        except ShowtimeError as exc:
            out.actions.append(f"could not remove the picture of {sha}: {exc}")
