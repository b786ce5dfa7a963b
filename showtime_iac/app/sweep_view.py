"""What the dashboard shows of the last cleanup (issue 27): ``orphans: N`` with the list, and
which environments drifted. Pure: read from the cleanup's JSON report (``cleanup --report
FILE``, the same document as ``--json``), rendered as HTML the dashboard embeds.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from showtime_iac.core.model import InputError

__all__ = [
    "Orphan",
    "SweepView",
    "drift_rows",
    "orphans_section",
    "sweep_from_report",
    "sweep_totals",
]


@dataclass(frozen=True)
class Orphan:
    kind: str
    name: str
    state: str  # "would delete", "deleted", "deferred: ...", "failed: ..."
    reason: str


@dataclass(frozen=True)
class SweepView:
    """``orphan_count`` None: the sweep did not run (``reason`` says why) or was not asked;
    ``drift``: stack → the lines of its drifted resources (drifted stacks only);
    ``drift_checked``: how many stacks were checked (None: not asked)."""

    orphan_count: int | None = None
    orphans: tuple[Orphan, ...] = ()
    reason: str = ""
    drift: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    drift_checked: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "orphan_count": self.orphan_count,
            "orphans": [o.__dict__ for o in self.orphans],
            "drift_checked": self.drift_checked,
            "drifted": {s: list(lines) for s, lines in self.drift.items()},
        }


def _state(o: Mapping[str, Any], dry_run: bool) -> str:
    if o.get("error"):
        return f"failed: {o['error']}"
    if o.get("deferred"):
        return f"deferred: {o['deferred']}"
    return "would delete" if dry_run else "deleted"


def sweep_from_report(doc: Any) -> SweepView:
    """The view of a cleanup report; :class:`InputError` when it is not one."""
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        raise InputError("not a cleanup report: expected the JSON of `showtime-iac cleanup --json`")
    dry_run = bool(doc.get("dry_run"))
    try:
        raw = [o for o in doc.get("orphans", []) if isinstance(o, dict)]
        count = doc.get("orphan_count")
        orphans = tuple(
            Orphan(str(o["kind"]), str(o["name"]), _state(o, dry_run), str(o["reason"]))
            for o in raw
            if o.get("action") == "delete"
        )
        reason = str(raw[0]["reason"]) if count is None and raw else ""
        if "orphans" not in doc:
            reason = "the cleanup ran with --no-orphans"
        rows = [r for r in doc.get("drift", []) if isinstance(r, dict)]
        drift = {
            str(r["stack"]): tuple(str(x) for x in r.get("resources", []))
            for r in rows
            if r.get("drifted")
        }
    except (KeyError, TypeError) as exc:
        raise InputError(f"a cleanup report with a malformed entry ({exc})") from None
    if count is not None and (isinstance(count, bool) or not isinstance(count, int)):
        raise InputError(f"orphan_count {str(count)[:20]!r} is not a number")
    checked = len(rows) if "drift" in doc else None
    return SweepView(count, orphans, reason, drift, checked)


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def sweep_totals(view: SweepView) -> str:
    """The totals' extra items: orphans, and drifted stacks of those checked."""
    orphans = "unknown" if view.orphan_count is None else str(view.orphan_count)
    cls = "ok" if view.orphan_count == 0 else "bad"
    out = f'<li class="{cls}" id="orphans-total">Orphans <b>{_e(orphans)}</b></li>'
    if view.drift_checked is not None:
        cls = "bad" if view.drift else "ok"
        out += (
            f'<li class="{cls}" id="drift-total">Drifted <b>{len(view.drift)}</b> of '
            f"<b>{view.drift_checked}</b></li>"
        )
    return out


def orphans_section(view: SweepView) -> str:
    """``orphans: N`` and the list, under the cards."""
    if view.orphan_count is None:
        why = f": {_e(view.reason)}" if view.reason else ""
        return (
            '<section id="orphans"><h2>Orphans: unknown</h2>'
            f"<p>the sweep did not run{why}</p></section>"
        )
    items = "".join(
        f"<li><code>{_e(o.kind)}</code> {_e(o.name)}: {_e(o.state)} ({_e(o.reason)})</li>"
        for o in view.orphans
    )
    body = f"<ul>{items}</ul>" if items else "<p>AWS holds nothing of ours that no stack owns.</p>"
    return f'<section id="orphans"><h2>Orphans: {view.orphan_count}</h2>{body}</section>'


def drift_rows(stack: str, view: SweepView | None) -> Sequence[tuple[str, str]]:
    """The card rows of a drifted environment's stack (none when it did not drift)."""
    lines = view.drift.get(stack) if view is not None else None
    if not lines:
        return ()
    pr = stack.split("-")[1]
    n = len(lines)
    text = (
        f"{n} resource{'s' if n != 1 else ''} differ from the stack "
        f"(<code>showtime-iac drift {_e(pr)}</code>)"
    )
    return (("Drift", text),)
