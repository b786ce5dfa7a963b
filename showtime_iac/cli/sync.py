"""``sync`` (the one entry point for workflows) and ``cleanup`` (the 6-hourly sweep)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from showtime_iac.core.model import InputError, ShowtimeError

if TYPE_CHECKING:
    from showtime_iac.app.executor import Outcome
    from showtime_iac.app.wiring import Ports
    from showtime_iac.core.model import Event, Policy, PrInfo
    from showtime_iac.core.planner import Plan

__all__ = ["register", "snapshot", "with_image"]

_Json = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
_DryRun = Annotated[bool, typer.Option("--dry-run", help="Plan only: write nothing anywhere.")]
_Repo = Annotated[
    str | None, typer.Option("--repo", help="OWNER/NAME; default $GITHUB_REPOSITORY.")
]
_PolicyOpt = Annotated[
    Path | None,
    typer.Option("--policy", help="Policy file; default $SHOWTIME_POLICY or ./showtime.toml."),
]


def snapshot(
    number: int, event_path: Path | None, event_name: str | None, actor: str
) -> tuple[Event, PrInfo | None]:
    """The event and, when the payload carries it completely, the PR (no network)."""
    from showtime_iac.app.inputs import load_payload
    from showtime_iac.core.events import parse_event
    from showtime_iac.core.model import Event

    path = event_path or (Path(p) if (p := os.environ.get("GITHUB_EVENT_PATH")) else None)
    if path is None:
        return Event(name="cli", action="sync", actor=actor), None
    payload = load_payload(path)
    ev, pr = parse_event(payload, event_name or os.environ.get("GITHUB_EVENT_NAME"))
    if pr is not None and pr.number != number:
        raise InputError(f"the event is about PR #{pr.number}, not #{number}")
    if ev.name == "workflow_dispatch" and "pull_request" not in payload:
        pr = None  # the inputs name the PR; its labels come from the API
    if pr is not None and not pr.head_sha:
        pr = None  # e.g. issue_comment: one read of the PR gives the head SHA
    return ev, pr


def _decide(ev: Event, pr: PrInfo, policy: Policy, ports: Ports | None, now: Any) -> Plan:
    """Decide, then refine with what only the adapters know (permission, quota, stacks)."""
    from dataclasses import replace

    from showtime_iac.app.cleanup import fleet_of
    from showtime_iac.core.planner import decide, needs_permission

    if ports is not None and needs_permission(ev):
        ev = replace(ev, actor_permission=ports.github.permission(ev.actor))
    image = os.environ.get("SHOWTIME_IMAGE") or None
    plan = with_image(decide(ev, pr, now, policy), image)
    if ports is None:
        return plan
    if plan.intent == "start" and not any(op.when == "after_healthy" for op in plan.stacks):
        fleet = fleet_of(p for p in ports.github.list_showtime_prs() if p.number != pr.number)
        plan = with_image(decide(ev, pr, now, policy, fleet=fleet), image)
    if plan.intent in ("stop", "teardown"):
        plan = decide(ev, pr, now, policy, known_stacks=ports.stacks.list_stacks())
    return plan


def with_image(plan: Plan, image: str | None) -> Plan:
    """Deploy a prebuilt image (``$SHOWTIME_IMAGE``: the workflow built the PR's code in a job
    without secrets) instead of building in-process. Applies to the plan's ``up``."""
    if not image:
        return plan
    from dataclasses import replace

    ops = tuple(
        replace(op, config=replace(op.config, image=image))
        if op.action == "up" and op.config is not None
        else op
        for op in plan.stacks
    )
    return replace(plan, stacks=ops)


def _print_plan(plan: Plan, as_json: bool) -> None:
    from showtime_iac.cli.output import emit_json
    from showtime_iac.cli.plan import format_plan

    if as_json:
        emit_json({"dry_run": True, "plan": plan.to_json()})
    else:
        sys.stdout.write("dry run: nothing was written\n" + format_plan(plan) + "\n")


def _print_outcome(outcome: Outcome, plan: Plan, as_json: bool) -> None:
    from showtime_iac.cli.output import emit_json

    if as_json:
        emit_json(
            {
                "plan": plan.to_json(),
                "outcome": outcome.to_json(),
                "audit": [json.loads(a) for a in outcome.audit],
            }
        )
        return
    for line in outcome.audit:
        sys.stdout.write(line + "\n")
    sys.stdout.write(outcome.summary_markdown())


def register(app: typer.Typer) -> None:
    @app.command()
    def sync(
        pr: Annotated[int, typer.Argument(help="Pull request number.", min=1)],
        event: Annotated[
            Path | None,
            typer.Option("--event", help="Webhook payload; default $GITHUB_EVENT_PATH."),
        ] = None,
        event_name: Annotated[
            str | None, typer.Option("--event-name", help="Default $GITHUB_EVENT_NAME.")
        ] = None,
        repo: _Repo = None,
        policy: _PolicyOpt = None,
        dry_run: _DryRun = False,
        as_json: _Json = False,
    ) -> None:
        """Bring one PR to the state its labels and event ask for (the workflows' entry point).

        Reads the event (labels, head SHA, state, actor) from the payload, plans with the pure
        planner, then claims, deploys or destroys the PR's stacks, checks the new environment's
        health, and writes the 🎪 labels, the sticky status comment, a GitHub deployment, the
        audit lines and the job summary. Without an event it syncs the PR as it is on GitHub.

        Examples:

            showtime-iac sync 1234                       # as it is on GitHub now
            showtime-iac sync 1234 --event event.json --dry-run --json
        """
        from datetime import UTC, datetime

        from showtime_iac.app.inputs import load_policy
        from showtime_iac.settings import Settings

        settings = Settings.from_env()
        pol = load_policy(policy)
        actor = os.environ.get("GITHUB_ACTOR", "")
        ev, snap = snapshot(pr, event, event_name, actor)
        now = datetime.now(UTC)
        if dry_run and snap is not None:
            _print_plan(_decide(ev, snap, pol, None, now), as_json)
            return
        from showtime_iac.app.wiring import open_ports

        ports = open_ports(settings, repo=repo, policy=pol)
        fresh = snap or ports.github.get_pr(pr)
        plan = _decide(ev, fresh, pol, ports if not dry_run else None, now)
        if dry_run:
            _print_plan(plan, as_json)
            return
        from showtime_iac.app.executor import Executor

        if plan.stacks:
            ports.stacks.ready()  # no engine or backend: fail here, before any label is written

        def replan(p: PrInfo) -> Plan:
            return _decide(ev, p, pol, ports, datetime.now(UTC))

        executor = Executor(
            ports.github,
            ports.stacks,
            ports.live,
            policy=pol,
            actor=ev.actor or actor,
            run_url=settings.github_run_url,
        )
        outcome = executor.execute(plan, fresh, replan=replan)
        _print_outcome(outcome, plan, as_json)
        if settings.github_step_summary:
            with open(settings.github_step_summary, "a", encoding="utf-8") as fh:
                fh.write(outcome.summary_markdown() + "\n")
                fh.write("\n".join(f"    {a}" for a in outcome.audit) + "\n")
        if outcome.exit_code:
            raise typer.Exit(outcome.exit_code)

    @app.command()
    def cleanup(
        repo: _Repo = None,
        policy: _PolicyOpt = None,
        dry_run: _DryRun = False,
        as_json: _Json = False,
        orphans: Annotated[
            bool,
            typer.Option(
                "--orphans/--no-orphans",
                help="Also delete tagged AWS resources no live stack owns (needs AWS access).",
            ),
        ] = True,
        prune_labels: Annotated[
            bool,
            typer.Option(
                "--prune-labels/--no-prune-labels",
                help="Also delete 🎪 label definitions no open PR uses.",
            ),
        ] = True,
    ) -> None:
        """Destroy expired environments and the stacks of closed PRs (the 6-hourly cron).

        Skips `close` and `manual` lifetimes and 🔒 blocked PRs; an open PR whose labels were
        lost keeps its stacks (run `sync PR` to repair). Then sweeps AWS resources tagged by
        showtime-iac that no live stack owns, and prunes unused 🎪 label definitions.
        Prints a table, or `--json`. Exit 1 when any destroy failed.

        Example:  showtime-iac cleanup --dry-run --json
        """
        from datetime import UTC, datetime

        from showtime_iac.app.cleanup import prs_to_look_up, sweep
        from showtime_iac.app.inputs import load_policy
        from showtime_iac.app.wiring import open_ports
        from showtime_iac.settings import Settings

        settings = Settings.from_env()
        pol = load_policy(policy)
        ports = open_ports(settings, repo=repo, policy=pol)
        now = datetime.now(UTC)
        prs = list(ports.github.list_showtime_prs())
        stacks = ports.stacks.list_stacks()
        prs += [ports.github.get_pr(n) for n in prs_to_look_up(prs, stacks)]
        items = sweep(prs, stacks, now, pol)
        rows: list[dict[str, Any]] = []
        failed = 0
        from showtime_iac.app.executor import Executor

        executor = Executor(
            ports.github,
            ports.stacks,
            ports.live,
            policy=pol,
            actor="showtime-cleanup",
            run_url=settings.github_run_url,
        )
        for item in items:
            row: dict[str, Any] = {
                "pr": item.pr.number,
                "state": item.pr.state,
                "action": item.action,
                "stacks": [op.stack for op in item.plan.stacks],
                "reason": item.plan.skipped or (item.plan.reasons[0] if item.plan.reasons else ""),
                "result": "planned" if dry_run or item.action == "keep" else "",
            }
            if not dry_run and item.action == "destroy":
                out = executor.execute(item.plan, item.pr)
                row["result"] = "failed: " + (out.error or "") if out.exit_code else "destroyed"
                failed += 1 if out.exit_code else 0
            rows.append(row)
        extra: dict[str, Any] = {}
        if orphans:
            extra["orphans"] = _sweep_orphans(ports, stacks, rows, prs, now, dry_run)
            failed += sum(1 for o in extra["orphans"] if o.get("error"))
        if prune_labels:
            # labels of environments this run destroyed (or would destroy) are gone
            gone = {
                r["pr"]
                for r in rows
                if r["action"] == "destroy"
                and r["result"] != ""
                and not r["result"].startswith("failed")
            }
            in_use = {n for p in prs if p.is_open and p.number not in gone for n in p.labels}
            try:
                extra["pruned_labels"] = ports.github.prune_label_definitions(
                    in_use, dry_run=dry_run
                )
            except ShowtimeError as exc:
                extra["pruned_labels"] = []
                extra["warnings"] = [f"label prune skipped: {exc}"]
        if as_json:
            from showtime_iac.cli.output import emit_json

            emit_json({"dry_run": dry_run, "items": rows, **extra})
        else:
            from rich.table import Table

            from showtime_iac.cli.output import console

            table = Table(
                title=f"cleanup {'(dry run: nothing changed)' if dry_run else ''}".strip()
            )
            for col in ("PR", "state", "action", "stacks", "reason", "result"):
                table.add_column(col)
            for r in rows:
                table.add_row(
                    str(r["pr"]),
                    r["state"],
                    r["action"],
                    ", ".join(r["stacks"]) or "-",
                    r["reason"],
                    r["result"],
                )
            console().print(table)
            verb = "would delete" if dry_run else "deleted"
            for o in extra.get("orphans", []):
                state = o.get("error") or (verb if o.get("action") == "delete" else o["action"])
                sys.stdout.write(f"orphan {o['kind']} {o['name']}: {state} ({o['reason']})\n")
            if prune_labels:
                n = len(extra.get("pruned_labels", []))
                sys.stdout.write(f"label definitions: {verb} {n} unused\n")
            for w in extra.get("warnings", []):
                sys.stdout.write(f"warning: {w}\n")
        if failed:
            raise typer.Exit(1)


def _sweep_orphans(
    ports: Ports,
    stacks: list[str],
    rows: list[dict[str, Any]],
    prs: list[PrInfo],
    now: Any,
    dry_run: bool,
) -> list[dict[str, Any]]:
    """Tagged AWS resources that no live stack owns (crashed runs, forced stack removals)."""
    destroyed = {s for r in rows if r["result"] == "destroyed" for s in r["stacks"]}
    live_stacks = [s for s in stacks if s not in destroyed]
    open_prs = {p.number for p in prs if p.is_open} | {0}  # 0: the baseline environment
    try:
        decisions = ports.live.find_orphans(live_stacks, open_prs, now)
        results = ports.live.delete_orphans(decisions, dry_run=dry_run)
    except ShowtimeError as exc:
        return [{"kind": "-", "name": "-", "action": "skip", "reason": str(exc), "error": None}]
    out = [r.as_dict() | {"action": "delete"} for r in results]
    out += [d.as_dict() | {"action": d.action} for d in decisions if d.action != "delete"]
    return out
