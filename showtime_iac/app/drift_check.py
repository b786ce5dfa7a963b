"""The cleanup's scheduled drift check (``cleanup --drift``): the ``drift`` command's refresh
preview of every serving environment, and a note on the PR's status comment.

Which stacks: the active (🎯) stack of each open PR that this run did not tear down, and the
baseline's (``pr-0-*``, no PR to mark). A roll's new stack is not checked: its deploy is
running. Each check is ``StackPort.drift`` (a refresh preview plus ``preview
--expect-no-changes``: nothing is written to the stack), :data:`cleanup_workers` at a time.

The mark: a drifted environment gets a note in its PR's status comment
(:mod:`showtime_iac.core.drift_note`), one that no longer drifts has it taken out; a PR with no
status comment of ours is not marked (a new comment every 6 hours would be noise). A dry run
checks and reports, and writes nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING, Any

from showtime_iac.core import labels as L
from showtime_iac.core.drift_note import drift_note, with_drift_note
from showtime_iac.core.model import BASELINE_PR, PrInfo, ShowtimeError, parse_stack_name, stack_name

if TYPE_CHECKING:
    from showtime_iac.app.ports import GitHubPort
    from showtime_iac.app.wiring import Ports

__all__ = ["check_drift", "drift_targets", "mark_drift"]


def drift_targets(
    stacks: Sequence[str], gone: Collection[str], prs: Sequence[PrInfo]
) -> list[tuple[int, str]]:
    """(PR, SHA) of the stacks to check: each open PR's active stack, and the baseline's;
    none of ``gone`` (torn down or put to sleep by this run)."""
    active: set[str] = set()
    for pr in prs:
        st = L.parse_state(pr.labels)
        if pr.is_open and not st.blocked and st.active is not None:
            active.add(stack_name(pr.number, st.active.sha))
    out: list[tuple[int, str]] = []
    for name in stacks:
        parsed = parse_stack_name(name)
        if parsed is None or name in gone:
            continue
        if name in active or parsed[0] == BASELINE_PR:
            out.append(parsed)
    return out


def mark_drift(
    github: GitHubPort, pr: int, stack: str, lines: Sequence[str], now: datetime, dry_run: bool
) -> str:
    """Put the drift note into (``lines``) or take it out of (none) the PR's status comment;
    returns what was done."""
    body = github.status_comment_body(pr)
    if body is None:
        return "no status comment to mark" if lines else ""
    new = with_drift_note(body, drift_note(pr, stack, lines, now) if lines else None)
    if new == body:
        return ""
    if dry_run:
        return "would note it on the PR" if lines else "would take the note off the PR"
    github.upsert_status_comment(pr, new)
    return "noted on the PR" if lines else "note taken off the PR"


def check_drift(
    ports: Ports,
    targets: Sequence[tuple[int, str]],
    now: datetime,
    dry_run: bool,
    workers: int = 1,
) -> list[dict[str, Any]]:
    """One row per checked stack: ``stack``, ``pr``, ``drifted`` (None: the check failed),
    ``resources`` (one line each), ``error``, ``marked`` (what the PR got)."""

    def one(target: tuple[int, str]) -> dict[str, Any]:
        pr, sha = target
        row: dict[str, Any] = {"stack": stack_name(pr, sha), "pr": pr, "drifted": None}
        try:
            report = ports.stacks.drift(pr, sha)
        except ShowtimeError as exc:
            return row | {"resources": [], "error": str(exc), "marked": ""}
        return row | {"drifted": report.drifted, "resources": report.lines(), "error": None}

    if workers <= 1 or len(targets) <= 1:
        rows = [one(t) for t in targets]
    else:
        with ThreadPoolExecutor(max_workers=min(workers, len(targets))) as pool:
            rows = list(pool.map(one, targets))
    for row in rows:  # the PR marks one by one, after the checks
        if row["error"] is not None or row["pr"] == BASELINE_PR:
            row.setdefault("marked", "")
            continue
        try:
            row["marked"] = mark_drift(
                ports.github, row["pr"], row["stack"], row["resources"], now, dry_run
            )
        except ShowtimeError as exc:
            row["marked"] = f"failed: {exc}"
    return rows
