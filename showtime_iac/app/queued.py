"""The cleanup starts the head of the queue when environments freed slots (issue 27).

The queue is the open PRs' labels (:mod:`showtime_iac.core.queue`); after its teardowns and
sleeps, the cleanup lists the PRs again, counts the fleet and gives each free slot to the
next in line (:func:`~showtime_iac.core.queue.admit`). Each start is decided by the planner
(:func:`~showtime_iac.core.rules.queueing.dequeue`: exactly the queued commit, and only while it
is the PR's head) and carried out by the executor, like any start.

Trust. A triage user can add or change any 🎪 label, so a queued entry is believed only when
the issue's events show that each of its labels (🚦 queued, 📅, 👤) was last added by the
token's own identity: only a run of this tool writes them, and only after a writer asked. An
entry that fails the check leaves the queue (its labels are removed, and the next in line
takes the slot).

The image. The run of the writer's request built and pushed the queued commit's image, tagged
``sti-pr-{N}-{sha7}``, to the repository ``$SHOWTIME_IMAGE_REPOSITORY`` names (the push job's
``$REGISTRY/$ECR_REPOSITORY``; the ECR lifecycle policy never selects that tag). The start
binds that tag, which names the PR and the commit, so the stack ``pr-N-S`` only ever runs an
image built from S. Without ``$SHOWTIME_IMAGE_REPOSITORY`` nothing is started, and the
report says so: the cleanup never builds a PR's code.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from showtime_iac.core import labels as L
from showtime_iac.core.model import Event, Policy, PrInfo, ShowtimeError, stack_name
from showtime_iac.core.plan import for_repository
from showtime_iac.core.planner import Plan, decide
from showtime_iac.core.queue import Queued, fleet_of
from showtime_iac.core.rules.queueing import DEQUEUE, leave_queue

if TYPE_CHECKING:
    from showtime_iac.adapters.github import GitHubClient
    from showtime_iac.app.executor import Executor
    from showtime_iac.app.wiring import Ports

__all__ = [
    "IMAGE_REPOSITORY_VAR",
    "QUEUE_EVENT",
    "QUEUE_WORKFLOW_VAR",
    "hand_on_slots",
    "queued_labels_verified",
    "refresh_places",
    "start_queued",
]

#: the cleanup's decision for the head of the queue
QUEUE_EVENT = Event(name="schedule", action=DEQUEUE, actor="showtime-cleanup")
#: where the writer's run pushed the queued commit's image (``…/superset-ci``)
IMAGE_REPOSITORY_VAR = "SHOWTIME_IMAGE_REPOSITORY"
#: the workflow a teardown by ``sync`` starts when someone waits (``showtime-cleanup.yml``)
QUEUE_WORKFLOW_VAR = "SHOWTIME_QUEUE_WORKFLOW"


def hand_on_slots(
    ports: Ports, plan: Plan, exit_code: int, env: Mapping[str, str] | None = None
) -> str | None:
    """After ``sync`` freed slots (a stop or a teardown that succeeded): when anyone waits in
    the queue, start the cleanup workflow (``$SHOWTIME_QUEUE_WORKFLOW``) now, so the first in
    line starts within minutes rather than at the cleanup's next schedule. ``sync`` itself
    deploys no other PR: the cleanup does, with its trust check and the queued commit's
    image. Best effort; the line for the run's actions, or None when nothing was asked."""
    from showtime_iac.core.queue import queue_of

    env = os.environ if env is None else env
    workflow = (env.get(QUEUE_WORKFLOW_VAR) or "").strip()
    if not workflow or exit_code or plan.intent not in ("stop", "teardown") or not plan.stacks:
        return None
    try:
        if not queue_of(ports.github.list_showtime_prs()):
            return None
        ports.github.dispatch_workflow(workflow)
    except ShowtimeError as exc:
        return f"queue: could not start {workflow} ({exc}); its next schedule starts the line"
    return f"queue: started {workflow}: the slot freed goes to the first in line"


def queued_labels_verified(github: GitHubClient, pr: PrInfo, entry: Queued) -> bool:
    """Each label of the queued entry was last added by the token's own identity (any error
    reading the events: not verified)."""
    from showtime_iac.core.guarded import adders

    st = L.parse_state(pr.labels)
    mine = [n for n in st.labels_of(entry.sha) if isinstance(L.parse_label(n), L.Attr)]
    try:
        me = github.own_login().lower()
        events = github.label_events(pr.number)
    except ShowtimeError:
        return False
    return bool(mine) and all([a.lower() for a in adders([name], events)] == [me] for name in mine)


def _row(pr: PrInfo, entry: Queued, action: str, reason: str) -> dict[str, Any]:
    return {
        "pr": pr.number,
        "state": pr.state,
        "action": action,
        "stacks": [stack_name(pr.number, entry.sha)] if action == "start" else [],
        "reason": reason,
        "result": "planned",
    }


def _unverified(pr: PrInfo, now: datetime, policy: Policy) -> Plan:
    from showtime_iac.core.plan import Ctx

    st = L.parse_state(pr.labels, now)
    ctx = Ctx(QUEUE_EVENT, pr, st, now, policy, None)
    why = "its queued labels were not all written by showtime-iac"
    return leave_queue(
        ctx, f"left the queue: {why}", [why, "a maintainer adds the start label again"]
    )


def start_queued(
    ports: Ports,
    executor: Executor,
    policy: Policy,
    now: datetime,
    dry_run: bool,
    listed: Iterable[PrInfo] = (),
) -> list[dict[str, Any]]:
    """Give each free slot to the next in line: one cleanup row per PR it starts (or that
    leaves the queue). ``listed``: the PRs as the cleanup read them first; nobody queued
    there, nothing to do (no read). Otherwise the PRs are read again: the teardowns since
    freed the slots."""
    from showtime_iac.app.images import ImageRecord, bind_images
    from showtime_iac.core.queue import queue_of

    if not queue_of(listed):
        return []
    prs = {p.number: p for p in ports.github.list_showtime_prs()}
    fleet = fleet_of(prs.values())
    free = policy.max_environments - fleet.total
    repository = (os.environ.get(IMAGE_REPOSITORY_VAR) or "").strip().rstrip("/")
    rows: list[dict[str, Any]] = []
    for entry in fleet.queue:
        if free <= 0:
            break
        pr = prs[entry.pr]
        since = L.format_timestamp(entry.since)
        if not queued_labels_verified(ports.github, pr, entry):
            plan = _unverified(pr, now, policy)
            rows.append(_row(pr, entry, "unqueue", plan.reasons[0]))
        else:
            plan = decide(QUEUE_EVENT, pr, now, policy)
            if plan.intent == "start":
                if not repository:
                    rows.append(
                        _row(
                            pr,
                            entry,
                            "keep",
                            f"queued since {since}: a slot is free, but "
                            f"${IMAGE_REPOSITORY_VAR} is not set (the cleanup never builds)",
                        )
                    )
                    break
                image = f"{repository}:sti-pr-{pr.number}-{entry.sha}"
                plan = for_repository(plan, ports.github.repo_name)
                plan = bind_images(plan, ImageRecord(image, entry.sha), None, require=True)
                free -= 1
            action = "start" if plan.intent == "start" else "unqueue"
            rows.append(_row(pr, entry, action, plan.reasons[0] if plan.reasons else since))
        if dry_run:
            continue
        out = executor.execute(plan, pr)
        done = "started" if rows[-1]["action"] == "start" else "left the queue"
        rows[-1]["result"] = "failed: " + (out.error or "") if out.exit_code else done
    if not dry_run:
        handled = {r["pr"] for r in rows if r["action"] != "keep"}
        waiting = [prs[e.pr] for e in fleet.queue if e.pr not in handled]
        refresh_places(ports, waiting, now, policy)
    return rows


def refresh_places(ports: Ports, waiting: list[PrInfo], now: datetime, policy: Policy) -> None:
    """The status comment of each PR still in line says its place now (first in line
    first): edited only when its last line says another place (one read per queued PR)."""
    from showtime_iac.core.comment import history_of, status_comment
    from showtime_iac.core.queue import place_line

    for place, pr in enumerate(waiting, start=1):
        line = place_line(place)
        try:
            previous = ports.github.status_comment_body(pr.number)
            hist = history_of(previous)
            if hist and hist[-1].endswith(line):
                continue
            body = status_comment(
                pr.number,
                L.parse_state(pr.labels),
                now,
                event_line=line,
                previous_body=previous,
                port=policy.port,
                idle_action=policy.idle_action,
            )
            ports.github.upsert_status_comment(pr.number, body)
        except ShowtimeError:
            continue  # a place not shown is no harm: the labels give the order
