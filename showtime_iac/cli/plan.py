"""Core commands: ``plan`` (offline) and ``labels explain``. No heavy imports here."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from showtime_iac.core.model import InputError

__all__ = ["register", "parse_now", "format_plan"]


def parse_now(value: str | None) -> datetime:
    """``--now`` as an aware UTC datetime (default: the clock, read here at the edge)."""
    if not value:
        return datetime.now(UTC)
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InputError(
            f"--now {value[:40]!r} is not ISO 8601 (e.g. 2026-01-15T14:30:00Z)"
        ) from None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def format_plan(plan: object) -> str:
    """Plain-text rendering of a :class:`~showtime_iac.core.planner.Plan` for people."""
    from showtime_iac.core.planner import Plan

    assert isinstance(plan, Plan)
    out = [f"PR #{plan.pr}  intent: {plan.intent}" + (f"  sha: {plan.sha}" if plan.sha else "")]
    if plan.skipped:
        out.append(f"skipped: {plan.skipped}")
    out.extend(f"  + label   {n}" for n in plan.add_labels)
    out.extend(f"  - label   {n}" for n in plan.remove_labels)
    for op in plan.stacks:
        when = "  (after the new one is healthy)" if op.when == "after_healthy" else ""
        out.append(f"  {op.action:<7} stack {op.stack}{when}")
    if plan.reasons and not plan.skipped:
        out.append("why:")
        out.extend(f"  {r}" for r in plan.reasons)
    if plan.comment:
        out.append("comment:")
        out.extend(f"  | {line}" for line in plan.comment.splitlines())
    out.extend(f"warning: {w}" for w in plan.warnings)
    return "\n".join(out)


def register(app: typer.Typer) -> None:
    @app.command()
    def plan(
        event: Annotated[
            Path | None,
            typer.Option("--event", help="Webhook payload (JSON); default $GITHUB_EVENT_PATH."),
        ] = None,
        event_name: Annotated[
            str | None,
            typer.Option(
                "--event-name", help="pull_request, issue_comment, ...; default $GITHUB_EVENT_NAME."
            ),
        ] = None,
        now: Annotated[
            str | None, typer.Option("--now", help="Pretend it is this time (ISO 8601, UTC).")
        ] = None,
        policy: Annotated[
            Path | None,
            typer.Option(
                "--policy", help="Policy file; default $SHOWTIME_POLICY or ./showtime.toml."
            ),
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the plan as JSON.")] = False,
    ) -> None:
        """Show what an event would do, offline: labels, stack operations, comment.

        Reads the PR's labels, head SHA, state and the actor from the payload and never the
        network. Example:

            showtime-iac plan --event examples/pr-labeled-start.json --json
        """
        from showtime_iac.app.inputs import load_payload, load_policy
        from showtime_iac.cli.output import emit_json
        from showtime_iac.core.events import parse_event
        from showtime_iac.core.planner import decide

        path = event or (Path(p) if (p := os.environ.get("GITHUB_EVENT_PATH")) else None)
        if path is None:
            raise InputError("no event: pass --event PATH or set GITHUB_EVENT_PATH")
        payload = load_payload(path)
        name = event_name or os.environ.get("GITHUB_EVENT_NAME")
        ev, pr = parse_event(payload, name)
        if pr is None:
            raise InputError(f"{ev.name} event names no pull request: plan needs one (use cleanup)")
        if not pr.head_sha and ev.name == "workflow_dispatch":
            raise InputError("workflow_dispatch without inputs.sha: plan is offline; use sync")
        result = decide(ev, pr, parse_now(now), load_policy(policy))
        if as_json:
            emit_json(result.to_json())
        else:
            sys.stdout.write(format_plan(result) + "\n")

    @app.command(hidden=True)
    def explain() -> None:
        """Print the 🎪 label vocabulary: what each label means.

        Example:

            showtime-iac explain
        """
        from showtime_iac.core.labels import VOCABULARY

        width = max(len(name) for name, _ in VOCABULARY)
        for name, meaning in VOCABULARY:
            sys.stdout.write(f"{name:<{width}}  {meaning}\n")
