"""The status comment while the image builds (issue 28): ``image wait --comment``.

The sync job waits for this run's push job (:mod:`showtime_iac.app.image_wait`) and, with
``--comment``, says so in the PR's sticky comment, edited in place when the push job's state
changes and at most once a minute otherwise:

    ⏳ Building the image of `abc1234`: **image** in progress (build running) · 4 min so far
    ⏳ Deploying `abc1234`: **stack** in progress · 9 min 12 s so far   (the push succeeded)

It only ever edits the one comment (never a label, never the claim: ``sync`` takes the claim
after the wait, and its own notes and final comment replace this one). The state table under
it is rendered from the PR's labels as they are when the note is written. A failed read or
edit is ignored: the notes are cosmetic and never stop the wait.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from showtime_iac.core import labels as L
from showtime_iac.core.comment import status_comment
from showtime_iac.core.image_wait import JobState, build_note, note_due
from showtime_iac.core.model import PrInfo, ShowtimeError

__all__ = ["NOTE_EVERY", "BuildNotes"]

#: at most one edit this often while nothing changes (seconds)
NOTE_EVERY = 60.0


class _Comments(Protocol):
    def get_pr(self, number: int) -> PrInfo: ...
    def status_comment_body(self, number: int) -> str | None: ...
    def upsert_status_comment(self, number: int, body: str) -> int: ...


@dataclass
class BuildNotes:
    """``on_look`` for :func:`~showtime_iac.app.image_wait.wait_for_image`: edits the sticky
    comment when the note's state changes, and every :data:`NOTE_EVERY` seconds."""

    github: _Comments
    pr: int
    sha: str
    started: datetime
    run_url: str | None = None
    port: int = 8080
    every: float = NOTE_EVERY
    now: Callable[[], datetime] = lambda: datetime.now(UTC)
    clock: Callable[[], float] = time.monotonic
    edits: int = 0
    _last: float | None = field(default=None, repr=False)
    _doing: str = field(default="", repr=False)

    def __call__(self, job: JobState | None) -> None:
        now = self.now()
        note = build_note(self.sha, job, (now - self.started).total_seconds())
        doing = note.split(" · ", 1)[0]
        if not note_due(self._doing, doing, self._last, self.clock(), self.every):
            return
        with contextlib.suppress(ShowtimeError):
            labels = self.github.get_pr(self.pr).labels
            body = status_comment(
                self.pr,
                L.parse_state(labels),
                now,
                previous_body=self.github.status_comment_body(self.pr),
                run_url=self.run_url,
                port=self.port,
                progress=note,
            )
            self.github.upsert_status_comment(self.pr, body)
            self.edits += 1
        self._doing, self._last = doing, self.clock()
