"""Views of ``plan``, ``sync`` and ``cleanup``."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from showtime_iac.cli.output import emit_json

if TYPE_CHECKING:
    from showtime_iac.app.cleanup import CleanupReport
    from showtime_iac.app.sync import SyncResult
    from showtime_iac.core.planner import Plan

__all__ = ["format_outcome", "format_plan", "show_cleanup", "show_plan", "show_sync"]


def format_plan(plan: Plan) -> str:
    """Plain-text rendering of a :class:`~showtime_iac.core.planner.Plan` for people."""
    out = [f"PR #{plan.pr}  intent: {plan.intent}" + (f"  sha: {plan.sha}" if plan.sha else "")]
    if plan.skipped:
        out.append(f"skipped: {plan.skipped}")
    out.extend(f"  + label   {n}" for n in plan.add_labels)
    out.extend(f"  - label   {n}" for n in plan.remove_labels)
    for op in plan.stacks:
        when = "  (after the new one is healthy)" if op.when == "after_healthy" else ""
        out.append(f"  {op.action:<7} stack {op.stack}{when}")
    if plan.after_healthy is not None:
        out.append("once healthy:")
        out.extend(f"  + label   {n}" for n in plan.after_healthy.add)
        out.extend(f"  - label   {n}" for n in plan.after_healthy.remove)
    if plan.reasons and not plan.skipped:
        out.append("why:")
        out.extend(f"  {r}" for r in plan.reasons)
    if plan.comment:
        out.append("comment:")
        out.extend(f"  | {line}" for line in plan.comment.splitlines())
    out.extend(f"warning: {w}" for w in plan.warnings)
    return "\n".join(out)


def show_plan(plan: Plan, as_json: bool) -> None:
    if as_json:
        emit_json(plan.to_json())
    else:
        sys.stdout.write(format_plan(plan) + "\n")


def show_sync(result: SyncResult, as_json: bool) -> None:
    """A dry run's plan, or the audit lines and the summary of what was done."""
    if as_json:
        emit_json(result.to_json())
        return
    if result.outcome is None:
        sys.stdout.write("dry run: nothing was written\n" + format_plan(result.plan) + "\n")
        return
    for line in result.outcome.audit:
        sys.stdout.write(line + "\n")
    sys.stdout.write(format_outcome(result) + "\n")


def format_outcome(result: SyncResult) -> str:
    """What a run did, as plain text (the job summary has the markdown): one line when there
    was nothing to do, else a line with the result and one line per action."""
    out, plan = result.outcome, result.plan
    assert out is not None
    if plan.skipped is not None and not out.error:
        return f"PR #{out.pr}: {plan.skipped}"
    head = f"PR #{out.pr} {out.intent}: " + ("failed" if out.error else "done")
    if out.url:
        head += f", {out.url}"
    lines = [head, *(f"  {a}" for a in out.actions)]
    if out.error:
        lines.append(f"  error: {out.error}")
    return "\n".join(lines)


def show_cleanup(report: CleanupReport, as_json: bool) -> None:
    """A table of the swept PRs, then the orphans, the pruned labels and the warnings."""
    if as_json:
        emit_json(report.to_json())
        return
    from showtime_iac.cli.output import table

    dry_run, extra = report.dry_run, report.extra
    rows = [
        (
            str(r["pr"]),
            r["state"],
            r["action"],
            ", ".join(r["stacks"]) or "-",
            r["reason"],
            r["result"],
        )
        for r in report.rows
    ]
    title = f"cleanup {'(dry run: nothing changed)' if dry_run else ''}".strip()
    table(("PR", "STATE", "ACTION", "STACKS", "REASON", "RESULT"), rows, title=title, right=("PR",))
    verb = "would delete" if dry_run else "deleted"
    if "orphans" in extra:
        _show_orphans(extra["orphans"], extra.get("orphan_count"), verb)
    if "drift" in extra:
        _show_drift(extra["drift"])
    if "pruned_labels" in extra:
        sys.stdout.write(f"label definitions: {verb} {len(extra['pruned_labels'])} unused\n")
    for w in extra.get("warnings", []):
        sys.stdout.write(f"warning: {w}\n")


def _show_orphans(orphans: list[dict[str, Any]], count: int | None, verb: str) -> None:
    """``orphans: N``, one line per orphan (in the order they are deleted), then how many
    tagged resources are not orphans: kept (a live stack owns them) or skipped (not ours)."""
    if count is None:
        why = next((o["reason"] for o in orphans), "")
        sys.stdout.write(f"orphans: unknown (the sweep did not run: {why})\n")
        return
    sys.stdout.write(f"orphans: {count}\n")
    for o in (o for o in orphans if o.get("action") == "delete"):
        state = o.get("error") or (f"deferred: {o['deferred']}" if o.get("deferred") else verb)
        sys.stdout.write(f"  {o['kind']} {o['name']}: {state} ({o['reason']})\n")
    kept = sum(1 for o in orphans if o.get("action") == "keep")
    skipped = sum(1 for o in orphans if o.get("action") == "skip")
    if kept or skipped:
        sys.stdout.write(
            f"  not orphans: {kept} kept (a live stack owns them or too new), "
            f"{skipped} skipped (not ours)\n"
        )


def _show_drift(rows: list[dict[str, Any]]) -> None:
    """``drift: N of M stacks``, then one line per drifted resource and per failed check."""
    drifted = [r for r in rows if r["drifted"]]
    sys.stdout.write(f"drift: {len(drifted)} of {len(rows)} serving stacks\n")
    for r in rows:
        if r["error"] is not None:
            sys.stdout.write(f"  {r['stack']}: not checked: {r['error']}\n")
            continue
        for line in r["resources"]:
            sys.stdout.write(f"  {line}\n")
        if r["marked"]:
            sys.stdout.write(f"  {r['stack']}: {r['marked']}\n")
