"""``sync --prepare``: the environment's stack made while its image builds, and what ``sync``
and ``cleanup`` do with a prepared stack.

:func:`prepare` reads the event and the PR and plans exactly as ``sync`` does (the same
reads, the same trust rules), and only when that plan starts or rolls forward onto the run's
commit, and the actor has write access (the collaborator permission, never the author
association), creates the commit's stack in prepared mode: role, policy, secret, log group
and, in HTTPS mode, target group, host rule and security group; no image, no task definition,
no service. It never writes a label or a comment (``sync`` does, after its claim), and never
touches a stack that exists.

``sync`` then plans at the moment the same run prepared the stack (:func:`prepared_time`), so
its ``up`` finds every prepared resource exactly as it would declare it and only adds the task
definition and the service. A ``sync`` of that run that deploys nothing (the build failed, a
refusal) destroys what the run prepared (:func:`discard_prepared`); the cleanup destroys one a
killed run left (:func:`sweep_prepared`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from showtime_iac.core.model import InputError, ShowtimeError
from showtime_iac.core.prepared import prepare_target, stale_prepared

if TYPE_CHECKING:
    from showtime_iac.app.wiring import Ports
    from showtime_iac.core.model import PrInfo
    from showtime_iac.core.planner import Plan

__all__ = [
    "PrepareResult",
    "discard_prepared",
    "prepare",
    "prepared_time",
    "run_of",
    "sweep_prepared",
]


def run_of(env: Mapping[str, str]) -> str | None:
    """This workflow run (``run:<GITHUB_RUN_ID>``; the same in every job and attempt of the
    run), or None outside GitHub Actions."""
    rid = (env.get("GITHUB_RUN_ID") or "").strip()
    return f"run:{rid}" if rid.isdigit() else None


@dataclass(frozen=True)
class PrepareResult:
    """What ``sync --prepare`` did: ``prepared`` True when it created the stack (or, with
    ``dry_run``, would); ``reason`` says why, or why nothing was done."""

    pr: int
    sha: str | None
    stack: str | None
    prepared: bool
    reason: str
    dry_run: bool = False
    resources: tuple[str, ...] = ()
    seconds: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "pr": self.pr,
            "sha": self.sha,
            "stack": self.stack,
            "prepared": self.prepared,
            "dry_run": self.dry_run,
            "reason": self.reason,
            "resources": list(self.resources),
            "seconds": None if self.seconds is None else round(self.seconds, 1),
        }


def _declared(cfg: Any) -> tuple[str, ...]:
    """``type name`` of every resource the prepared stack declares (the offline render)."""
    from showtime_iac.core.stack_config import SharedConfig
    from showtime_iac.program import evaluate_offline
    from showtime_iac.settings import Settings

    shared = SharedConfig.offline_default(Settings.from_env().domain)
    return tuple(f"{r.type} {r.name}" for r in evaluate_offline(cfg, shared).resources)


def prepare(
    pr: int,
    *,
    event_path: Path | None,
    event_name: str | None,
    repo: str | None,
    policy_file: Path | None,
    dry_run: bool,
    now: datetime | None = None,
) -> PrepareResult:
    """Plan as ``sync`` would and, when that plan deploys the run's commit and the actor may
    write, create its stack in prepared mode (``dry_run``: say so, write nothing). A no-op
    (``prepared`` False, with the reason) otherwise, and when the stack exists already."""
    from showtime_iac.app import wiring
    from showtime_iac.app.inputs import load_policy
    from showtime_iac.app.sync import _resolved, plan_for, snapshot
    from showtime_iac.core.planner import WRITE_PERMISSIONS
    from showtime_iac.settings import Settings

    settings = Settings.from_env()
    policy = load_policy(policy_file)
    ev, snap = snapshot(pr, event_path, event_name, os.environ.get("GITHUB_ACTOR", ""))
    ev = _resolved(ev, os.environ)
    now = now or datetime.now(UTC)
    if not settings.github_token:
        raise InputError("sync --prepare reads the PR and the actor's permission: set GITHUB_TOKEN")
    ports = wiring.open_ports(settings, repo=repo, policy=policy)
    fresh = snap or ports.github.get_pr(pr)
    sha = ev.sha or fresh.head_sha

    def nothing(why: str, stack: str | None = None) -> PrepareResult:
        return PrepareResult(pr, sha[:7] or None, stack, False, why, dry_run)

    # exactly sync's plan: the permission, the labels re-read, the quota, the stacks
    plan, fresh = plan_for(ev, fresh, policy, ports, now, stale=snap is not None, bind=False)
    target = prepare_target(plan, sha)
    if isinstance(target, str):
        return nothing(target)
    role = ports.github.permission(ev.actor) if ev.actor else "none"
    if role not in WRITE_PERMISSIONS:  # what the plan job checks before any build
        return nothing(f"@{ev.actor or 'unknown'} has {role!r} access: nothing prepared")
    assert target.config is not None
    cfg = replace(target.config, prepared=True, image=None, image_sha=None)
    if dry_run:
        return PrepareResult(
            pr, cfg.sha7, cfg.stack, True, "would prepare (dry run)", True, _declared(cfg)
        )
    ports.stacks.ready()
    t0 = time.perf_counter()
    outputs = ports.stacks.prepare(cfg, run_of(os.environ) or "cli")
    if outputs is None:
        return nothing(f"stack {cfg.stack} exists already: left as it is", cfg.stack)
    why = f"{plan.intent} of {cfg.sha7}: everything but the task definition and the service"
    return PrepareResult(
        pr, cfg.sha7, cfg.stack, True, why, False, _declared(cfg), time.perf_counter() - t0
    )


def _up_now(plan: Plan) -> Any:
    for op in plan.stacks:
        if op.action == "up" and op.when == "now" and not op.reuse_image and op.config:
            return op
    return None


def prepared_time(plan: Plan, ports: Ports, env: Mapping[str, str]) -> datetime | None:
    """When this very run prepared the stack ``plan`` brings up (None: it did not): ``sync``
    plans at that moment, so the stack's creation time, its lifetimes and every tag are
    what the prepared resources carry, and its ``up`` only adds."""
    op, run = _up_now(plan), run_of(env)
    if op is None or run is None:
        return None
    try:
        record = ports.stacks.prepared(plan.pr, op.sha)
    except ShowtimeError:
        return None
    if record is None or record.run != run or record.created is None:
        return None
    return record.created


def discard_prepared(ports: Ports, pr: int, sha: str, env: Mapping[str, str]) -> str | None:
    """After a ``sync`` that brought nothing up: destroy the stack of ``sha`` when this run
    prepared it and it is still prepared-only (no service: nothing was served). Returns what
    was done, or None when there was nothing of this run's."""
    run = run_of(env)
    if run is None or not sha:
        return None
    try:
        record = ports.stacks.prepared(pr, sha)
        if record is None or record.run != run:
            return None
        kept = ports.stacks.destroy_prepared(pr, sha, run=run)
    except ShowtimeError as exc:
        return f"the stack this run prepared for {sha[:7]} was not destroyed: {exc}"
    if kept is not None:
        return f"prepared stack kept: {kept}"
    return f"destroyed {record.stack}: prepared by this run, never deployed"


def sweep_prepared(
    ports: Ports,
    stacks: Iterable[str],
    prs: Iterable[PrInfo],
    now: datetime,
    dry_run: bool,
) -> tuple[set[str], list[dict[str, Any]]]:
    """The cleanup's part: the prepared stacks among ``stacks`` (their tags), and one row per
    prepared stack of an open PR (destroyed when no label claims it and it is older than
    :data:`PREPARED_MAX_AGE`: its run is gone; a serving stack is never destroyed)."""
    names = list(stacks)
    prepared = ports.stacks.prepared_stacks(names)
    rows: list[dict[str, Any]] = []
    for item in stale_prepared(prepared, prs, now):  # older than PREPARED_MAX_AGE: gone
        row = {
            "pr": item.pr,
            "state": "open",
            "action": item.action,
            "stacks": [item.stack],
            "reason": item.reason,
            "result": "planned",
        }
        if item.action == "destroy" and not dry_run:
            try:
                kept = ports.stacks.destroy_prepared(item.pr, item.sha7)
                row["result"] = "destroyed" if kept is None else f"kept: {kept}"
            except ShowtimeError as exc:
                row["result"] = f"failed: {exc}"
        rows.append(row)
    return set(prepared), rows
