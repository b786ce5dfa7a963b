"""``sync`` (one PR brought to what its labels and event ask for) and ``plan`` (offline).

:func:`snapshot` reads the event file (no network), :func:`plan_for` decides and refines the
plan with what only the adapters know (permission, quota, stacks), :func:`sync` carries it
out through the executor and writes the job summary.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from showtime_iac.core.model import InputError, short_sha, stack_name

if TYPE_CHECKING:
    from showtime_iac.app.executor import Outcome
    from showtime_iac.app.wiring import Ports
    from showtime_iac.core.model import Event, Policy, PrInfo
    from showtime_iac.core.planner import Plan

__all__ = [
    "SyncResult",
    "plan_event",
    "plan_for",
    "run_times",
    "snapshot",
    "stale_claims",
    "sync",
]


def run_times(
    options: Mapping[str, str | None], env: Mapping[str, str]
) -> dict[str, datetime | None]:
    """The workflow's moments of this run (the option, else its variable; empty: not given),
    parsed; :class:`InputError` naming the option or variable of one that is not a time."""
    from showtime_iac.core.timings import GIVEN, TIME_VARS, parse_time

    out: dict[str, datetime | None] = {}
    for key in GIVEN:
        source, value = f"--{key}", options.get(key)
        if not value:
            source, value = TIME_VARS[key], env.get(TIME_VARS[key])
        out[key] = parse_time(source, value) if value and value.strip() else None
    return out


def _event_path(event_path: Path | None, env: Mapping[str, str]) -> Path | None:
    return event_path or (Path(p) if (p := env.get("GITHUB_EVENT_PATH")) else None)


def plan_event(
    event_path: Path | None, event_name: str | None, now: datetime, policy_file: Path | None
) -> Plan:
    """What an event would do, offline: the payload's PR (labels, head SHA, state, actor)
    through the pure planner, with the labels written once healthy; never the network."""
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
    policy = load_policy(policy_file)
    return _after_healthy(decide(_resolved(ev, os.environ), pr, now, policy), pr, policy)


def _after_healthy(plan: Plan, pr: PrInfo, policy: Policy) -> Plan:
    """``plan`` with the labels its run writes once the new environment is healthy, the 🌐
    address as far as it is known before the deploy (the PR's host in HTTPS mode)."""
    from showtime_iac.app.preview import healthy_address
    from showtime_iac.core.planner import after_healthy
    from showtime_iac.settings import Settings

    address = healthy_address(pr.number, policy.port, Settings.from_env().domain)
    return after_healthy(plan, pr.labels, address)


def _resolved(ev: Event, env: Mapping[str, str]) -> Event:
    """A comment names no commit. The workflow's plan job resolves one (``SHOWTIME_SHA``)
    and builds its image (whose record ``SHOWTIME_IMAGE_SHA`` says the same): the run is
    about that commit, never a head read later."""
    from showtime_iac.app.images import image_from_env

    if ev.name != "issue_comment" or ev.sha:
        return ev
    sha = (env.get("SHOWTIME_SHA") or "").strip().lower()
    if sha:
        short_sha(sha)  # validates
        return replace(ev, sha=sha)
    record = image_from_env(env)
    return replace(ev, sha=record.sha) if record is not None else ev


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


def _fresh_labels(ports: Ports, pr: PrInfo, listed: list[PrInfo] | None) -> PrInfo:
    """The PR with its labels and state as GitHub has them now; the payload's head SHA and
    description stay (they are what the event was about). A listing of the repository's
    🎪 PRs, when the run made one anyway, saves the read."""
    from showtime_iac.core import labels as L

    mine = [p for p in listed or [] if p.number == pr.number]
    fresh = mine[0] if mine else ports.github.get_pr(pr.number)
    # the ⚡ trigger is the event's own: its DELETE is the atomic claim (a 404 means another
    # run took it), so the payload's word on it stands until then
    labels = [n for n in fresh.labels if n != L.START] + [n for n in pr.labels if n == L.START]
    return replace(pr, labels=tuple(labels), state=fresh.state)


def plan_for(
    ev: Event,
    pr: PrInfo,
    policy: Policy,
    ports: Ports | None,
    now: datetime,
    *,
    stale: bool = False,
    bind: bool = True,
    dry_run: bool = False,
) -> tuple[Plan, PrInfo]:
    """Decide, then refine with what only the adapters know (permission, fresh labels, quota,
    stacks, the image each stack runs). ``stale``: ``pr`` comes from the event payload, whose
    labels may be older than what earlier runs wrote; they are re-read before any stack
    operation is planned for good. Without ``ports`` (no token): offline, from the payload.

    Returns the plan and the PR as the plan saw it (its labels re-read when ``stale``): the
    executor carries the plan out on those labels, never on the payload's older ones (a
    teardown's claim and final labels computed from them would leave 🎯 on what it destroys).
    ``bind=False``: no image is bound (``sync --prepare`` runs before the image exists).
    ``dry_run``: a record that cannot be read is a warning (the labels stand), not an error.
    """
    from showtime_iac.app.cleanup import fleet_of
    from showtime_iac.app.guarded import Verifier
    from showtime_iac.app.images import bind_images, image_from_env, require_image
    from showtime_iac.app.record import RecordView
    from showtime_iac.core.guarded import with_unverified_removed, without
    from showtime_iac.core.plan import for_repository
    from showtime_iac.core.planner import decide as decide_labels
    from showtime_iac.core.planner import needs_permission

    record = image_from_env(os.environ)
    if ports is not None and needs_permission(ev):
        ev = replace(ev, actor_permission=ports.github.permission(ev.actor))
    verify = Verifier(ports.github if ports is not None else None, ev, pr.number)
    view = RecordView(ports, pr.number, tolerant=dry_run)

    def decide(pr: PrInfo, **kw: Any) -> Plan:
        # the state labels as the stacks' record says them; then a guarded label whose
        # adder is not verified is decided as if absent, and removed. Every decision of this
        # call is made at one ``now`` under one policy: only what the adapters add differs
        seen = view(pr.labels)
        shown = replace(pr, labels=seen.labels)
        hidden = verify(shown.labels)
        plan = decide_labels(ev, without(shown, hidden), now, policy, **kw)
        return view.repaired(with_unverified_removed(plan, hidden), seen)

    plan = decide(pr)
    if ports is None:  # only shown: no output names the repository
        return _after_healthy(bind_images(plan, record, None), pr, policy), pr
    listed: list[PrInfo] | None = None
    waits = plan.intent in ("start", "queue")  # the fleet decides: start now, or queue
    if waits and not any(op.when == "after_healthy" for op in plan.stacks):
        listed = ports.github.list_showtime_prs()
    if stale and (plan.stacks or view.disagreed):
        # the payload's labels may be older than what earlier runs wrote: neither a stack
        # operation nor a repair of the labels is decided from them
        pr = _fresh_labels(ports, pr, listed)
        plan = decide(pr)
    if listed is not None and plan.intent in ("start", "queue"):
        fleet = fleet_of(p for p in listed if p.number != pr.number)
        plan = decide(pr, fleet=fleet)
    if plan.intent in ("stop", "teardown"):
        plan = decide(pr, known_stacks=ports.stacks.list_stacks())
    plan = for_repository(plan, ports.github.repo_name)
    gone = stale_claims(plan, pr.labels, policy, now)
    if gone:
        ports.stacks.stale_claims(gone)
    if not bind:
        return _after_healthy(plan, pr, policy), pr
    bound = bind_images(plan, record, ports.stacks.current_image, require=require_image(os.environ))
    return _after_healthy(bound, pr, policy), pr


def stale_claims(plan: Plan, labels: Sequence[str], policy: Policy, now: datetime) -> list[str]:
    """The plan's stacks whose claim on the PR (🚦 in progress or destroying, 📅 when
    claimed) is past the stale-claim age: the run that held them is gone, so a lock it left
    may be cancelled."""
    from showtime_iac.core import labels as L
    from showtime_iac.core.model import Status

    st = L.parse_state(labels)
    out = []
    for op in plan.stacks:
        show = st.shows.get(op.sha[:7])
        if show is None or show.status is None:
            continue
        claimed = show.status.in_progress or show.status is Status.DESTROYING
        if claimed and (show.created is None or now - show.created >= policy.stale_lock):
            out.append(op.stack)
    return sorted(set(out))


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
    now: datetime | None = None,
    times: Mapping[str, str | None] | None = None,
    clock: Callable[[], datetime] | None = None,
) -> SyncResult:
    """Plan from the event (or the PR as it is on GitHub) and, unless ``dry_run``, claim,
    deploy or destroy, check health, and write labels, comment, deployment and summary.
    ``now``: the time a dry run plans at (default the clock). ``times``: the workflow's
    moments of this run (``started-at``, ``planned-at``, ``image-at``; else their
    ``SHOWTIME_*`` variables), so a deploy reports every phase from the run's start.
    ``clock``: the run's time (what it plans at, and what its own phases are measured with)."""
    from showtime_iac.app import wiring
    from showtime_iac.app.inputs import load_policy
    from showtime_iac.core.timings import workflow_marks
    from showtime_iac.settings import Settings

    clock = clock or (lambda: datetime.now(UTC))
    given = run_times(times or {}, os.environ)  # a malformed time fails before any request
    started = clock()
    marks, dropped = workflow_marks(given, started)
    settings = Settings.from_env()
    policy = load_policy(policy_file)
    actor = os.environ.get("GITHUB_ACTOR", "")
    ev, snap = snapshot(pr, event_path, event_name, actor)
    ev = _resolved(ev, os.environ)
    now = now or started
    if dry_run and snap is not None and not settings.github_token:
        return SyncResult(plan_for(ev, snap, policy, None, now)[0])  # offline: nothing to ask
    ports = wiring.open_ports(settings, repo=repo, policy=policy)
    fresh = snap or ports.github.get_pr(pr)
    from showtime_iac.app.images import ImageMissingError

    try:
        # a dry run makes the same reads as a real run (permission, labels, quota, stacks)
        plan, fresh = plan_for(
            ev, fresh, policy, ports, now, stale=snap is not None, dry_run=dry_run
        )
    except ImageMissingError as exc:
        if dry_run:
            raise
        return _refuse_without_image(ports, ev, fresh, exc)
    if dry_run:
        return SyncResult(plan)
    from showtime_iac.app.executor import Executor
    from showtime_iac.app.proof import proof_options
    from showtime_iac.app.queued import hand_on_slots

    plan, fresh = _at_prepare(plan, ev, fresh, policy, ports, now)
    if plan.stacks:
        ports.stacks.ready()  # no engine or backend: fail here, before any label is written

    executor = Executor(
        ports.github,
        ports.stacks,
        ports.live,
        policy=policy,
        actor=ev.actor or actor,
        run_url=settings.github_run_url,
        clock=clock,
        marks=marks,
        **proof_options(ports.github),
    )
    outcome = _discard_prepared(executor.execute(plan, fresh), ports, fresh, ev)
    outcome.actions += filter(None, [hand_on_slots(ports, plan, outcome.exit_code)])
    _report(outcome, dropped, settings.github_step_summary)
    return SyncResult(plan, outcome)


def _report(outcome: Outcome, dropped: Sequence[str], summary: str | None) -> None:
    """Name the workflow times this run ignored, and append the run to the step summary."""
    from showtime_iac.core.timings import MAX_RUN_SPAN, format_seconds

    span = format_seconds(MAX_RUN_SPAN.total_seconds())
    outcome.actions += [
        f"timings: {k} ignored (not this run's: after the sync started, or over {span} before)"
        for k in dropped
    ]
    if summary:
        with open(summary, "a", encoding="utf-8") as fh:
            fh.write(outcome.summary_markdown() + "\n")
            fh.write("\n".join(f"    {a}" for a in outcome.audit) + "\n")


def _at_prepare(
    plan: Plan, ev: Event, fresh: PrInfo, policy: Policy, ports: Ports, now: datetime
) -> tuple[Plan, PrInfo]:
    """When this run prepared the stack while the image built: the plan made at that moment,
    so the up finds every prepared resource as it declares it (its tags too) and only adds."""
    from showtime_iac.app.prepare import prepared_time

    at = prepared_time(plan, ports, os.environ)
    if at is None or at == now:
        return plan, fresh
    return plan_for(ev, fresh, policy, ports, at)


def _discard_prepared(outcome: Outcome, ports: Ports, pr: PrInfo, ev: Event) -> Outcome:
    """``outcome``, after what this run prepared while the image built is destroyed, unless
    the run brought that commit's stack up (:func:`~showtime_iac.app.prepare.discard_prepared`).
    The commit is the one the run is about: the event's, else the PR's head."""
    from showtime_iac.app.prepare import discard_prepared

    sha = ev.sha or pr.head_sha
    if not sha or f"up {stack_name(pr.number, sha)}" in outcome.actions:
        return outcome
    note = discard_prepared(ports, pr.number, sha, os.environ)
    if note is not None:
        outcome.actions.append(note)
    return outcome


def _refuse_without_image(ports: Ports, ev: Event, pr: PrInfo, exc: Exception) -> SyncResult:
    """No image for a deploy, and this job never builds: nothing is deployed, and a ⚡ that
    asked for it is consumed (never left for a later push to act on), with the reason."""
    from showtime_iac.app.executor import Outcome
    from showtime_iac.core import labels as L
    from showtime_iac.core.plan import Plan, comment_text

    started = ev.name == "pull_request" and ev.label == L.START and L.START in pr.labels
    consumed = started and ports.github.remove_label(pr.number, L.START)
    lines = [str(exc)]
    if consumed:
        lines.append(f"`{L.START}` was consumed: a maintainer can add it again once it builds")
    ports.github.post_comment(pr.number, comment_text("Nothing deployed", lines))
    plan = Plan(
        pr=pr.number,
        intent="refuse",
        remove_labels=(L.START,) if consumed else (),
        reasons=(str(exc),),
        sha=ev.sha[:7] or None,
    )
    out = Outcome(pr=pr.number, intent="refuse", exit_code=1, sha=plan.sha, error=str(exc))
    out.actions.append("refused: no image" + (f"; {L.START} consumed" if consumed else ""))
    _discard_prepared(out, ports, pr, ev)  # e.g. its build failed: what it prepared goes
    return SyncResult(plan, out)
