"""The lifecycle planner: ``decide(event, pr, now, policy) -> Plan``. Pure.

Every rule of the environment lifecycle lives in :mod:`showtime_iac.core.rules` (start, rolling
update, stop, close, TTL expiry, freeze and block, stale-lock recovery, comment commands,
configuration changes, who may do what); this module reads the PR's labels and dispatches
one event to the rule that owns it. It never touches the network, the clock or the
environment: ``now`` and the policy are passed in.

The executor carries a plan out, then asks :func:`on_success` / :func:`on_failure` for the
final label diff once it knows whether the new environment became healthy.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from showtime_iac.core import labels as L
from showtime_iac.core.model import Event, Policy, PrInfo
from showtime_iac.core.plan import Ctx, Fleet, Intent, Plan, StackOp, expired, skip, warned_labels
from showtime_iac.core.rules.comments import on_comment
from showtime_iac.core.rules.config import body_edited, reconfigure
from showtime_iac.core.rules.expiry import on_schedule
from showtime_iac.core.rules.final import after_healthy, on_destroying, on_failure, on_success
from showtime_iac.core.rules.lifecycle import stale_start, start, teardown
from showtime_iac.core.rules.queueing import DEQUEUE, dequeue, requeue_on_push
from showtime_iac.core.rules.rolling import update
from showtime_iac.core.rules.trust import (
    WRITE_PERMISSIONS,
    authorized,
    needs_permission,
    refuse_label,
    restore_label,
)

__all__ = [
    "StackOp",
    "Plan",
    "Fleet",
    "decide",
    "after_healthy",
    "on_success",
    "on_failure",
    "on_destroying",
    "expired",
    "Intent",
    "needs_permission",
    "WRITE_PERMISSIONS",
]


def decide(
    event: Event,
    pr: PrInfo,
    now: datetime,
    policy: Policy | None = None,
    known_stacks: Iterable[str] = (),
    fleet: Fleet | None = None,
    last_request: datetime | None = None,
) -> Plan:
    """Decide what one event means for one PR. Pure and total: never raises on any labels.

    ``known_stacks`` are stack names the caller listed (so stacks whose labels were lost are
    still destroyed); ``fleet`` counts live environments for quotas (None: not checked);
    ``last_request`` is the load balancer's last request for the PR's active environment
    (the cleanup reads it in HTTPS mode: it resets the idle TTL).
    """
    st = L.parse_state(pr.labels, now)
    ctx = Ctx(event, pr, st, now, policy or Policy(), fleet, tuple(known_stacks), last_request)
    if event.label == L.BLOCKED and pr.is_open:  # 🔒 itself is guarded, even while on
        refused = refuse_label(ctx) or restore_label(ctx)
        if refused is not None:
            return refused
    if st.blocked:
        return skip(pr.number, "🔒 showtime-blocked: maintenance mode, no operation on this PR", st)
    if not pr.is_open:
        return teardown(pr, st, ctx.known, "the PR is closed", keep_legacy=True)
    refused = refuse_label(ctx) or restore_label(ctx)
    if refused is not None:
        return refused
    if event.name == "issue_comment":
        return _withdraw_warning(ctx, on_comment(ctx))
    plan = _lifecycle(ctx) or _changes(ctx) or _nothing(ctx)
    return _withdraw_warning(ctx, plan) if _pr_event(event, "synchronize") else plan


def _withdraw_warning(ctx: Ctx, plan: Plan) -> Plan:
    """A push, or a command someone with write access gave, after the cleanup's warning: the
    ⚠️ label goes, so the cleanup warns again before any teardown (never tears it down now)."""
    ev = ctx.event
    if ev.name == "issue_comment" and (plan.intent == "none" or not authorized(ev, ctx.policy)):
        return plan
    if ctx.pr.is_fork and not any(op.action == "up" for op in plan.stacks):
        return plan  # a fork author's push deploys nothing: it is no one's use of the env
    gone = [n for n in warned_labels(ctx.st) if n not in plan.remove_labels]
    if not gone or (plan.stacks and all(op.action == "destroy" for op in plan.stacks)):
        return plan
    return replace(
        plan,
        remove_labels=(*plan.remove_labels, *gone),
        reasons=(*plan.reasons, "activity after the teardown warning: warning withdrawn"),
    )


def _head(ctx: Ctx) -> str | None:
    """The commit this event is about: the payload's, else the PR's head as read."""
    sha = ctx.event.sha or ctx.pr.head_sha
    return sha[:7] if sha else None


def _dispatch(ev: Event) -> bool:
    return ev.name in ("workflow_dispatch", "cli")


def _pr_event(ev: Event, action: str, label: str | None = None) -> bool:
    return (
        ev.name == "pull_request" and ev.action == action and (label is None or ev.label == label)
    )


def _wants_start(ctx: Ctx) -> bool:
    """A start request, tied to its own event: ⚡ starts only in the run of the event that
    added it (or a dispatch); a ⚡ left on the PR never starts a later push's head."""
    ev, st = ctx.event, ctx.st
    if _dispatch(ev):
        sync = ev.action == "sync" and (st.start or (st.legacy and not st.shows))
        return ev.action == "start" or sync
    if _pr_event(ev, "labeled", L.START):
        return st.start
    if st.legacy and not st.shows:  # the legacy label asks for an environment while it is on
        if _pr_event(ev, "labeled", L.LEGACY):
            return True
        return _pr_event(ev, "reopened") and authorized(ev, ctx.policy) is not False
    return False


def _lifecycle(ctx: Ctx) -> Plan | None:
    """Stop, the legacy label's removal, TTL expiry and starts."""
    ev, st, pr, known = ctx.event, ctx.st, ctx.pr, ctx.known
    if st.stop:
        return teardown(pr, st, known, "🛑 stop requested", keep_legacy=False)
    if _pr_event(ev, "unlabeled", L.LEGACY):
        if st.legacy:
            return skip(pr.number, "testenv-up is still on the PR", st)
        if not st.shows and not known:
            return skip(pr.number, "testenv-up removed, and there is no environment", st)
        return teardown(pr, st, known, "testenv-up was removed", keep_legacy=False)
    if ev.name == "schedule":
        return dequeue(ctx) if ev.action == DEQUEUE else on_schedule(ctx)
    if _dispatch(ev) and ev.action == "stop":
        return teardown(
            pr, st, known, f"stop requested by @{ev.actor or 'unknown'}", keep_legacy=False
        )
    if _wants_start(ctx):
        head = _head(ctx)
        if head is None:
            return skip(pr.number, "the PR's head SHA is unknown (not in the payload)", st)
        return start(ctx, head)
    if st.start and _pr_event(ev, "synchronize"):
        return stale_start(ctx)
    return None


def _changes(ctx: Ctx) -> Plan | None:
    """Configuration requests, description edits, pushes, unfreezing and refreshes."""
    ev, st, pr = ctx.event, ctx.st, ctx.pr
    head = _head(ctx)
    conf_event = _pr_event(ev, "labeled") and (ev.label or "").startswith(f"{L.PREFIX}conf-")
    if st.conf_requests and (conf_event or _dispatch(ev)):
        changes = [(c.kind, c.value) for c in st.conf_requests]
        consume = tuple(c.label for c in st.conf_requests)
        return reconfigure(ctx, changes, consume, why="configuration label")
    if _pr_event(ev, "edited") and st.active is not None:
        return body_edited(ctx)
    if _pr_event(ev, "synchronize"):
        if head is None:
            return skip(pr.number, "the PR's head SHA is unknown", st)
        requeued = requeue_on_push(ctx, head)
        if requeued is not None:
            return requeued
        if st.freeze:
            return skip(pr.number, "🧊 frozen: not updating on push", st, head)
        if pr.is_fork and st.shows:
            return skip(
                pr.number,
                "fork PR: new commits deploy only when a maintainer asks "
                "(start label or `/showtime refresh`)",
                st,
                head,
            )
        return update(ctx, head, why=f"new commit {head}")
    unfrozen = _pr_event(ev, "unlabeled", L.FREEZE)
    if unfrozen and head is not None and st.active_sha and st.active_sha != head and not st.freeze:
        return update(ctx, head, why="unfrozen: catching up")
    if _dispatch(ev) and ev.action in ("sync", "refresh") and head is not None and st.shows:
        return update(ctx, head, why="refresh requested")
    return None


def _nothing(ctx: Ctx) -> Plan:
    ev = ctx.event
    what = f"{ev.name}.{ev.action}" if ev.action else ev.name
    label = f" ({ev.label})" if ev.label else ""
    return skip(ctx.pr.number, f"nothing to do for {what}{label}", ctx.st, _head(ctx))
