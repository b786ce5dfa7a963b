"""``sync`` (one PR brought to what its labels and event ask for) and ``plan`` (offline).

:func:`snapshot` reads the event file (no network), :func:`plan_for` decides and refines the
plan with what only the adapters know (permission, quota, stacks), :func:`sync` carries it
out through the executor and writes the job summary.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from showtime_iac.core.model import InputError

if TYPE_CHECKING:
    from showtime_iac.app.executor import Outcome
    from showtime_iac.app.wiring import Ports
    from showtime_iac.core.model import Event, Policy, PrInfo
    from showtime_iac.core.planner import Plan

__all__ = ["SyncResult", "plan_event", "plan_for", "snapshot", "sync", "with_image"]


def _event_path(event_path: Path | None, env: Mapping[str, str]) -> Path | None:
    return event_path or (Path(p) if (p := env.get("GITHUB_EVENT_PATH")) else None)


def plan_event(
    event_path: Path | None, event_name: str | None, now: datetime, policy_file: Path | None
) -> Plan:
    """What an event would do, offline: the payload's PR (labels, head SHA, state, actor)
    through the pure planner; never the network."""
    from showtime_iac.app.inputs import load_payload, load_policy
    from showtime_iac.core.events import parse_event
    from showtime_iac.core.planner import decide

    path = _event_path(event_path, os.environ)
    if path is None:
        raise InputError("no event: pass --event PATH or set GITHUB_EVENT_PATH")
    payload = load_payload(path)
    name = event_name or os.environ.get("GITHUB_EVENT_NAME")
    ev, pr = parse_event(payload, name)
    if pr is None:
        raise InputError(f"{ev.name} event names no pull request: plan needs one (use cleanup)")
    if not pr.head_sha and ev.name == "workflow_dispatch":
        raise InputError("workflow_dispatch without inputs.sha: plan is offline; use sync")
    return decide(ev, pr, now, load_policy(policy_file))


def snapshot(
    number: int, event_path: Path | None, event_name: str | None, actor: str
) -> tuple[Event, PrInfo | None]:
    """The event and, when the payload carries it completely, the PR (no network)."""
    from showtime_iac.app.inputs import load_payload
    from showtime_iac.core.events import parse_event
    from showtime_iac.core.model import Event

    path = _event_path(event_path, os.environ)
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


def plan_for(ev: Event, pr: PrInfo, policy: Policy, ports: Ports | None, now: Any) -> Plan:
    """Decide, then refine with what only the adapters know (permission, quota, stacks)."""
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
    ops = tuple(
        replace(op, config=replace(op.config, image=image))
        if op.action == "up" and op.config is not None
        else op
        for op in plan.stacks
    )
    return replace(plan, stacks=ops)


@dataclass(frozen=True)
class SyncResult:
    """The plan, and what carrying it out did (``outcome`` None: a dry run, nothing written)."""

    plan: Plan
    outcome: Outcome | None = None

    @property
    def exit_code(self) -> int:
        return self.outcome.exit_code if self.outcome is not None else 0

    def to_json(self) -> dict[str, Any]:
        if self.outcome is None:
            return {"dry_run": True, "plan": self.plan.to_json()}
        return {
            "plan": self.plan.to_json(),
            "outcome": self.outcome.to_json(),
            "audit": [json.loads(a) for a in self.outcome.audit],
        }


def sync(
    pr: int,
    *,
    event_path: Path | None,
    event_name: str | None,
    repo: str | None,
    policy_file: Path | None,
    dry_run: bool,
) -> SyncResult:
    """Plan from the event (or the PR as it is on GitHub) and, unless ``dry_run``, claim,
    deploy or destroy, check health, and write labels, comment, deployment and summary."""
    from showtime_iac.app import wiring
    from showtime_iac.app.inputs import load_policy
    from showtime_iac.settings import Settings

    settings = Settings.from_env()
    policy = load_policy(policy_file)
    actor = os.environ.get("GITHUB_ACTOR", "")
    ev, snap = snapshot(pr, event_path, event_name, actor)
    now = datetime.now(UTC)
    if dry_run and snap is not None:
        return SyncResult(plan_for(ev, snap, policy, None, now))
    ports = wiring.open_ports(settings, repo=repo, policy=policy)
    fresh = snap or ports.github.get_pr(pr)
    plan = plan_for(ev, fresh, policy, ports if not dry_run else None, now)
    if dry_run:
        return SyncResult(plan)
    from showtime_iac.app.executor import Executor

    if plan.stacks:
        ports.stacks.ready()  # no engine or backend: fail here, before any label is written

    def replan(p: PrInfo) -> Plan:
        return plan_for(ev, p, policy, ports, datetime.now(UTC))

    executor = Executor(
        ports.github,
        ports.stacks,
        ports.live,
        policy=policy,
        actor=ev.actor or actor,
        run_url=settings.github_run_url,
    )
    outcome = executor.execute(plan, fresh, replan=replan)
    if settings.github_step_summary:
        with open(settings.github_step_summary, "a", encoding="utf-8") as fh:
            fh.write(outcome.summary_markdown() + "\n")
            fh.write("\n".join(f"    {a}" for a in outcome.audit) + "\n")
    return SyncResult(plan, outcome)
