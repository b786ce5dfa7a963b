"""When the deploy may go on: the run's own push job, seen while the sync job waits. Pure.

The sync job starts beside the image's build (issue 25: one runner start and the stack's
preparation off the path) and waits for the push job of the same workflow run. The image is
ready only when that job **succeeded**: the push job checks the digest it pushed (a copy must
match the digest ``image find`` verified) after the tag exists, so a tag alone proves nothing.
Any other end of the job (failure, cancelled, skipped because the build failed, timed out)
means there is no image for this run, and sync goes on without one (it refuses the deploy
and consumes the start request, as it always did when the build failed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from showtime_iac.core.model import short_sha
from showtime_iac.core.timings import format_seconds

__all__ = ["JobState", "Verdict", "build_note", "image_tag", "judge", "note_due"]


def image_tag(pr: int, sha: str) -> str:
    """The tag the push job gives the image of ``sha`` in our ECR (``sti-pr-N-<sha7>``)."""
    return f"sti-pr-{pr}-{short_sha(sha)}"


@dataclass(frozen=True)
class JobState:
    """One job of a workflow run as the Actions API lists it: ``status`` (``queued``,
    ``in_progress``, ``waiting``, ``pending``, ``requested``, ``completed``) and, once
    completed, its ``conclusion`` (``success``, ``failure``, ``cancelled``, ``skipped``, ...)."""

    name: str
    status: str
    conclusion: str | None = None
    completed_at: str | None = None


@dataclass(frozen=True)
class Verdict:
    """``wait`` (look again), ``ready`` (deploy ``digest``) or ``none`` (no image: ``reason``)."""

    outcome: Literal["wait", "ready", "none"]
    reason: str
    digest: str | None = None


def judge(job: JobState | None, digest: str | None, *, need_image: bool = True) -> Verdict:
    """What the sync job does after one look at the push job (``None``: not listed yet) and
    at the registry (``digest`` of the commit's tag, ``None``: no such tag). Without
    ``need_image`` (the push job waiting for the build job) the job's success is enough."""
    if job is None:
        return Verdict("wait", "the push job has not started")
    if job.status != "completed":
        return Verdict("wait", f"{job.name}: {job.status}")
    if job.conclusion != "success":
        return Verdict(
            "none", f"no image: {job.name} ended {job.conclusion or 'without a conclusion'}"
        )
    if not need_image:
        return Verdict("ready", f"{job.name} succeeded")
    if digest is None:
        return Verdict("none", f"no image: {job.name} succeeded but the registry has no such tag")
    return Verdict("ready", f"{job.name} pushed {digest}", digest)


def build_note(sha: str, job: JobState | None, seconds: float) -> str:
    """The progress line: what the push job (and the build before it) is doing, and the time
    since the run began; once the push succeeded, the stack's deploy (what sync does next)."""
    spent = format_seconds(seconds)
    if job is not None and job.status == "completed" and job.conclusion == "success":
        # the image is there: sync claims and brings the stack up next (its own notes follow)
        return f"Deploying `{short_sha(sha)}`: **stack** in progress · {spent} so far"
    if job is not None and job.status == "completed":  # sync says why next
        return f"No image of `{short_sha(sha)}`: the push ended {job.conclusion} · {spent} so far"
    if job is None:
        doing = "build running"  # the push job is listed once the build is done
    else:
        doing = "pushing to ECR" if job.status == "in_progress" else f"push {job.status}"
    what = f"Building the image of `{short_sha(sha)}`"
    return f"{what}: **image** in progress ({doing}) · {spent} so far"


def note_due(said: str, doing: str, last: float | None, now: float, every: float) -> bool:
    """Whether the status comment's note is written now: the first one, one whose state
    (``doing``, the note without its time) differs from the last written (``said``), or the
    same state ``every`` seconds after the last edit (``last``, on the clock ``now`` reads)."""
    return last is None or doing != said or now - last >= every
