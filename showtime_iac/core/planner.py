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
from datetime import datetime

from showtime_iac.core import labels as L
from showtime_iac.core.commands import parse_body_flags
from showtime_iac.core.model import Event, Policy, PrInfo
from showtime_iac.core.plan import Ctx, Fleet, Intent, Plan, StackOp, expired, skip
from showtime_iac.core.rules.comments import on_comment
from showtime_iac.core.rules.config import reconfigure
from showtime_iac.core.rules.final import on_destroying, on_failure, on_success
from showtime_iac.core.rules.lifecycle import start, teardown
from showtime_iac.core.rules.rolling import update
from showtime_iac.core.rules.trust import WRITE_PERMISSIONS, needs_permission, refuse_label

__all__ = [
    "StackOp",
    "Plan",
    "Fleet",
    "decide",
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
) -> Plan:
    """Decide what one event means for one PR. Pure and total: never raises on any labels.

    ``known_stacks`` are stack names the caller listed (so stacks whose labels were lost are
    still destroyed); ``fleet`` counts live environments for quotas (None: not checked).
    """
    st = L.parse_state(pr.labels)
    ctx = Ctx(event, pr, st, now, policy or Policy(), fleet, tuple(known_stacks))
    if st.blocked:
        return skip(pr.number, "🔒 showtime-blocked: maintenance mode, no operation on this PR", st)
    if not pr.is_open:
        return teardown(pr, st, ctx.known, "the PR is closed", keep_legacy=True)
    refused = refuse_label(ctx)
    if refused is not None:
        return refused
    if event.name == "issue_comment":
        return on_comment(ctx)
    return _lifecycle(ctx) or _changes(ctx) or _nothing(ctx)


def _head(ctx: Ctx) -> str | None:
    return ctx.pr.head_sha[:7] if ctx.pr.head_sha else None


def _dispatch(ev: Event) -> bool:
    return ev.name in ("workflow_dispatch", "cli")


def _lifecycle(ctx: Ctx) -> Plan | None:
    """Stop, the legacy label's removal, TTL expiry and starts."""
    ev, st, pr, known = ctx.event, ctx.st, ctx.pr, ctx.known
    if st.stop:
        return teardown(pr, st, known, "🛑 stop requested", keep_legacy=False)
    if ev.name == "pull_request" and ev.action == "unlabeled" and ev.label == L.LEGACY:
        if st.legacy:
            return skip(pr.number, "testenv-up is still on the PR", st)
        if not st.shows and not known:
            return skip(pr.number, "testenv-up removed, and there is no environment", st)
        return teardown(pr, st, known, "testenv-up was removed", keep_legacy=False)
    if ev.name == "schedule":
        active = st.active
        if active is not None and expired(active, ctx.now):
            return teardown(pr, st, known, f"TTL {active.ttl} expired", keep_legacy=False)
        return skip(pr.number, "not expired", st)
    if _dispatch(ev) and ev.action == "stop":
        return teardown(
            pr, st, known, f"stop requested by @{ev.actor or 'unknown'}", keep_legacy=False
        )
    # the legacy label asks for an environment for as long as it is on
    wants_start = (
        st.start or (_dispatch(ev) and ev.action == "start") or (st.legacy and not st.shows)
    )
    if wants_start:
        head = _head(ctx)
        if head is None:
            return skip(pr.number, "the PR's head SHA is unknown (not in the payload)", st)
        return start(ctx, head)
    return None


def _changes(ctx: Ctx) -> Plan | None:
    """Configuration requests, description edits, pushes, unfreezing and refreshes."""
    ev, st, pr = ctx.event, ctx.st, ctx.pr
    head = _head(ctx)
    if st.conf_requests:
        changes = [(c.kind, c.value) for c in st.conf_requests]
        consume = tuple(c.label for c in st.conf_requests)
        return reconfigure(ctx, changes, consume, why="configuration label")
    if ev.name == "pull_request" and ev.action == "edited" and st.active is not None:
        body_flags = parse_body_flags(pr.body)
        changes = [("enable" if on else "disable", flag) for flag, on in body_flags]
        if changes:
            return reconfigure(ctx, changes, (), why="feature flags in the PR description changed")
    if ev.name == "pull_request" and ev.action == "synchronize":
        if head is None:
            return skip(pr.number, "the PR's head SHA is unknown", st)
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
    unfrozen = ev.name == "pull_request" and ev.action == "unlabeled" and ev.label == L.FREEZE
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
