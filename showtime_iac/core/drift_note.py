"""The drift note of a PR's status comment, pure: what the scheduled drift check (``cleanup
--drift``) writes into the comment of an environment whose stack drifted, and takes out again
once it no longer does.

One note per comment, between two HTML markers, so it is replaced in place and never
duplicated; the rest of the comment is left exactly as it was. A note rather than a label:
drift is something to read (which resources, what to run), not a state to filter PRs by, and
it adds nothing to the 🎪 label namespace. The next ``sync`` rewrites the comment from its plan
(the note goes; the next check puts it back while the drift lasts).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

__all__ = ["DRIFT_END", "DRIFT_START", "MAX_LINES", "drift_note", "with_drift_note"]

DRIFT_START = "<!-- showtime:drift -->"
DRIFT_END = "<!-- /showtime:drift -->"
MAX_LINES = 10


def _clean(text: str) -> str:
    # one line, no markdown code fence breaking out, no marker forged inside
    return text.replace("\n", " ").replace("`", "'").replace("<!--", "")[:300]


def drift_note(pr: int, stack: str, lines: Sequence[str], when: datetime) -> str:
    """The note for ``stack``'s drift: when it was seen, how many resources, the first
    :data:`MAX_LINES` of them, and what to run."""
    at = when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    n = len(lines)
    shown = [f"> - `{_clean(line)}`" for line in lines[:MAX_LINES]]
    if n > MAX_LINES:
        shown.append(f"> - and {n - MAX_LINES} more")
    return "\n".join(
        [
            DRIFT_START,
            "> [!WARNING]",
            f"> **Drift** on `{stack}` ({at}): {n} resource{'s' if n != 1 else ''} "
            "differ from the stack. `showtime-iac drift "
            f"{pr}` shows them; a redeploy (`showtime-iac up {pr}`) puts the stack's "
            "version back.",
            *shown,
            DRIFT_END,
        ]
    )


def with_drift_note(body: str, note: str | None) -> str:
    """``body`` with its drift note replaced by ``note`` (appended when it had none), or
    removed (``note`` None). Everything else in ``body`` is kept as it was."""
    start = body.find(DRIFT_START)
    end = body.find(DRIFT_END, start + 1) if start >= 0 else -1
    if note is None and end < 0:
        return body
    if start >= 0 and end >= 0:
        before, after = body[:start].rstrip("\n"), body[end + len(DRIFT_END) :].lstrip("\n")
        base = before + ("\n\n" + after if after else "")
    else:
        base = body.rstrip("\n")
    if note is None:
        return base + ("\n" if body.endswith("\n") else "")
    return f"{base}\n\n{note}\n"
