"""The claim of a new SHA and the rolling update onto it (push, refresh, start on a newer
commit): the new stack comes up, 🎯 moves once it is healthy, then the old one goes. Pure."""

from __future__ import annotations

from dataclasses import replace

from showtime_iac.core import labels as L
from showtime_iac.core.lifetimes import max_age_for
from showtime_iac.core.model import Show, Status, Ttl, stack_name
from showtime_iac.core.plan import (
    Ctx,
    Plan,
    StackOp,
    comment_text,
    config_for,
    fresh_lock,
    skip,
    warned_labels,
)
from showtime_iac.core.queue import live_shows

__all__ = ["claim", "update"]


def update(ctx: Ctx, head: str, why: str, consume: tuple[str, ...] = ()) -> Plan:
    """Roll the PR's environment forward to ``head``."""
    st, pr, event = ctx.st, ctx.pr, ctx.event
    if not st.shows:
        return skip(
            pr.number, "no environment on this PR: add the start label to create one", st, head
        )
    if not live_shows(st):
        return skip(pr.number, "queued: it starts when an environment frees, not before", st, head)
    if st.active_sha == head:
        return skip(pr.number, f"{head} is already the active environment", st, head)
    target = st.shows.get(head)
    if target is not None and fresh_lock(target, ctx.now, ctx.policy):
        return skip(pr.number, f"{head} is already {target.status} (fresh claim)", st, head)
    base = st.active or target or st.building or next(iter(st.shows.values()))
    requester = base.requester or event.actor or pr.author or "unknown"
    return claim(ctx, head, requester, base=base, consume=consume, why=why)


def _claim_labels(st: L.LabelState, head: str, new: Show, consume: tuple[str, ...]) -> L.LabelDiff:
    desired = [n for n in st.labels if n not in consume]
    # replace everything said about `head`; superseded shows (neither head nor active) are
    # destroyed now, so their labels and the old building pointer go too
    drop = set(st.labels_of(head))
    # a push or a command is activity: every teardown warning (⚠️) is withdrawn
    drop |= set(warned_labels(st))
    for sha in st.shows:
        if sha not in (head, st.active_sha):
            drop |= set(st.labels_of(sha))
    if st.building_sha and st.building_sha != head:
        drop.add(L.render_pointer("building", st.building_sha))
    desired = [n for n in desired if n not in drop]
    desired += [*L.render_show(new), L.render_pointer("building", head)]
    return L.diff(st.labels, desired)


def claim(
    ctx: Ctx, head: str, requester: str, base: Show | None, consume: tuple[str, ...], why: str
) -> Plan:
    """Claim ``head``: mark it building, bring its stack up, and plan what it replaces."""
    st, pr, policy = ctx.st, ctx.pr, ctx.policy
    ttl: Ttl = (base.ttl if base and base.ttl else None) or policy.default_ttl
    new = Show(
        sha=head,
        status=Status.BUILDING,
        created=ctx.now,
        ttl=ttl,
        requester=requester if requester != "unknown" else None,
        config=base.config if base else (),
        max_at=max_age_for(base, ctx.now, policy.max_age),
        max_lifted=base.max_lifted if base else False,
    )
    cfg = config_for(pr, head, new, policy)
    if cfg is None:
        bad = ",".join(new.config)
        return skip(
            pr.number, f"the ⚙️ configuration {bad[:60]!r} is invalid: fix or remove it", st, head
        )
    cfg = replace(cfg, requester=requester if requester else "unknown")
    d = _claim_labels(st, head, new, consume)

    ops: list[StackOp] = [StackOp("up", stack_name(pr.number, head), head, config=cfg)]
    reasons = [why, f"claim {head}: status building", f"up {stack_name(pr.number, head)}"]
    for sha, show in sorted(st.shows.items()):
        if sha == head:
            continue
        if show.status is Status.QUEUED:  # a queued request has no stack: its labels go
            reasons.append(f"{sha} leaves the queue")
            continue
        if sha == st.active_sha:
            ops.append(StackOp("destroy", stack_name(pr.number, sha), sha, when="after_healthy"))
            reasons.append(f"destroy {stack_name(pr.number, sha)} once {head} is healthy")
        else:
            ops.append(StackOp("destroy", stack_name(pr.number, sha), sha))
            reasons.append(
                f"destroy superseded {stack_name(pr.number, sha)} ({show.status or 'unknown'})"
            )
    lines = [f"building `{head}` for @{requester}", f"TTL: {ttl}"]
    if new.max_at is not None and not new.max_lifted:
        lines.append(f"max age: until {new.max_at:%Y-%m-%dT%H:%MZ}")
    if st.active_sha and st.active_sha != head:
        lines.append(f"`{st.active_sha}` keeps serving until `{head}` is healthy")
    return Plan(
        pr=pr.number,
        intent="update" if st.active_sha and st.active_sha != head else "start",
        add_labels=d.add,
        remove_labels=d.remove,
        stacks=tuple(ops),
        comment=comment_text("Building preview environment", lines),
        reasons=tuple(reasons),
        warnings=st.warnings,
        sha=head,
    )
