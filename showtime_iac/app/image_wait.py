"""``image wait``: the sync job, started beside the build, waits for this run's image.

The showtime workflow's sync job no longer waits for the build and push jobs to start (issue
25): it starts with the plan, prepares the stack while the image builds, then runs this wait.
It looks at the run's push job (the Actions API, ``actions: read``) and, once that job
succeeded, reads the digest of the commit's tag ``sti-pr-N-<sha7>`` in our ECR repository
(``ecr:DescribeImages``). The decision is :func:`showtime_iac.core.image_wait.judge`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from showtime_iac.core.image_wait import JobState, image_tag, judge
from showtime_iac.core.model import InputError
from showtime_iac.core.registry import FULL_SHA_RE

__all__ = ["PUSH_JOB", "WaitResult", "await_image", "wait_for_image"]

#: the push job's name in showtime.yml (what the Actions API lists)
PUSH_JOB = "push image to ECR"


class _Jobs(Protocol):
    def run_job(self, run_id: int, name: str) -> JobState | None: ...


class _Images(Protocol):
    def tagged_image(self, tag: str) -> str | None: ...


@dataclass(frozen=True)
class WaitResult:
    """How the wait ended: ``ready`` with the image pinned by digest and when its push job
    completed, or not (``reason``: the job's end, or the timeout)."""

    pr: int
    sha: str
    ready: bool
    reason: str
    image: str | None = None
    image_at: str | None = None
    seconds: float = 0.0
    looks: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "pr": self.pr,
            "sha": self.sha,
            "ready": self.ready,
            "image": self.image,
            "image_sha": self.sha if self.image else None,
            "image_at": self.image_at,
            "reason": self.reason,
            "seconds": round(self.seconds, 1),
            "looks": self.looks,
        }


def _checked(pr: int, sha: str, run_id: int, timeout: float, interval: float) -> str:
    sha = sha.strip().lower()
    if not FULL_SHA_RE.match(sha):
        raise InputError(f"--sha must be the full 40-hex commit, got {sha[:60]!r}")
    if pr < 0 or run_id <= 0:
        raise InputError("the PR must be 0 or more and the run id a positive number")
    if timeout <= 0 or interval <= 0:
        raise InputError("--timeout and --interval must be positive")
    return sha


def wait_for_image(
    pr: int,
    sha: str,
    *,
    run_id: int,
    jobs: _Jobs,
    images: _Images | None,
    job: str = PUSH_JOB,
    timeout: float = 95 * 60,
    interval: float = 5.0,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[str], None] = lambda _line: None,
    on_look: Callable[[JobState | None], None] = lambda _job: None,
) -> WaitResult:
    """Look at the push job every ``interval`` seconds until it ends or ``timeout`` passes;
    ``progress`` hears each change of what the job is doing, ``on_look`` every look (the
    status comment's notes). The registry is read only once the job succeeded; with no
    ``images`` (the push job waiting for the build), never: the job's success is the answer."""
    sha = _checked(pr, sha, run_id, timeout, interval)
    tag = image_tag(pr, sha)
    start, looks, said = clock(), 0, ""
    while True:
        looks += 1
        state = jobs.run_job(run_id, job)
        on_look(state)
        digest = None
        done = state is not None and state.status == "completed"
        if images is not None and done and state is not None and state.conclusion == "success":
            digest = images.tagged_image(tag)
        verdict = judge(state, digest, need_image=images is not None)
        waited = clock() - start
        if verdict.reason != said:
            progress(f"{verdict.reason} ({waited:.0f} s)")
            said = verdict.reason
        if verdict.outcome != "wait":
            ready = verdict.outcome == "ready"
            at = (state.completed_at if state else None) or datetime.now(UTC).strftime(
                "%Y-%m-%dT%H:%M:%SZ"
            )
            return WaitResult(
                pr, sha, ready, verdict.reason, verdict.digest, at if ready else None, waited, looks
            )
        if waited + interval > timeout:
            why = f"no image after {timeout:.0f} s: {verdict.reason}"
            return WaitResult(pr, sha, False, why, seconds=waited, looks=looks)
        sleep(interval)


def _no_notes(_job: JobState | None) -> None:
    """``on_look`` without ``--comment``: the wait writes no note."""


def await_image(
    pr: int,
    sha: str,
    *,
    run_id: int,
    repo: str | None,
    job: str,
    timeout: float,
    interval: float,
    progress: Callable[[str], None],
    comment: bool,
    started_at: datetime | None,
    job_only: bool,
) -> WaitResult:
    """:func:`wait_for_image` with the real GitHub and AWS adapters (``GITHUB_TOKEN``, the
    ``AWS_*`` chain, ``ECR_REPOSITORY``); ``comment``: the status comment's notes while it
    waits (unless ``SHOWTIME_PROGRESS=off``), timed from ``started_at`` (the run's start);
    ``job_only``: only the job's success (no registry read, no AWS credentials)."""
    from showtime_iac.app import wiring
    from showtime_iac.app.build_notes import BuildNotes
    from showtime_iac.app.inputs import load_policy
    from showtime_iac.app.proof import progress_enabled
    from showtime_iac.settings import Settings

    _checked(pr, sha, run_id, timeout, interval)
    settings = Settings.from_env()
    if not settings.github_token:
        raise InputError("image wait reads the run's jobs: set GITHUB_TOKEN")
    github = wiring.open_github(settings, repo)
    aws = None if job_only else wiring.open_aws(settings)
    notes: Callable[[JobState | None], None] = _no_notes
    if comment and progress_enabled():
        notes = BuildNotes(
            github,
            pr,
            sha,
            started_at or datetime.now(UTC),
            run_url=settings.github_run_url,
            port=load_policy(None).port,
        )
    return wait_for_image(
        pr,
        sha,
        run_id=run_id,
        jobs=github,
        images=aws,
        job=job,
        timeout=timeout,
        interval=interval,
        progress=progress,
        on_look=notes,
    )
