"""Sleep and wake (policy ``idle_action = "sleep"``). Pure.

An idle environment is put to sleep instead of destroyed: its stack is brought up again with
``sleeping = true``, which the program turns into a desired count of 0. It is the stack that
scales the service (IaC, not a side call), so ``drift`` and ``pulumi stack ls`` tell the truth
about it. The stack, its image, 🎯, the URL and the labels stay; 🚦 says ``sleeping``.

``/showtime wake`` (write access), the start label on the same commit, or a push brings it
back: a wake is the same ``up`` with ``sleeping = false`` and the image the stack already runs
(nothing is built), claimed like any deploy (🚦 waking, 📅 now: the idle TTL counts afresh),
healthy before 🚦 says running again. A push rolls forward onto a new stack as always.

Only a running environment sleeps; the max age always destroys, asleep or not.
"""

from __future__ import annotations

from dataclasses import replace

from showtime_iac.core import labels as L
from showtime_iac.core.lifetimes import max_age_for
from showtime_iac.core.model import Show, Status, stack_name
from showtime_iac.core.plan import Ctx, Plan, StackOp, comment_text, config_for, warned_labels

__all__ = ["sleep", "wake"]


def _relabel(st: L.LabelState, old: Show, new: Show) -> L.LabelDiff:
    """``old``'s attribute labels (and every ⚠️ warning) replaced by ``new``'s; 🎯 stays."""
    attrs = {n for n in st.labels_of(old.sha) if isinstance(L.parse_label(n), L.Attr)}
    drop = set(L.render_show(old)) | attrs | set(warned_labels(st))
    desired = [n for n in st.labels if n not in drop] + L.render_show(new)
    return L.diff(st.labels, desired)


def sleep(ctx: Ctx, show: Show, why: str) -> Plan | None:
    """Scale ``show`` (the active, running environment) to zero through its stack; None when
    its ⚙️ labels are invalid (it cannot be redeployed: the caller destroys it instead)."""
    # the labels say the lifetime the stack's record holds: the max age written down
    max_at = None if show.max_lifted else max_age_for(show, ctx.now, ctx.policy.max_age)
    asleep = replace(show, status=Status.SLEEPING, warned=None, max_at=max_at)
    cfg = config_for(ctx.pr, show.sha, asleep, ctx.policy)
    if cfg is None:
        return None
    stack = stack_name(ctx.pr.number, show.sha)
    d = _relabel(ctx.st, show, asleep)
    return Plan(
        pr=ctx.pr.number,
        intent="sleep",
        add_labels=d.add,
        remove_labels=d.remove,
        stacks=(StackOp("up", stack, show.sha, config=cfg, reuse_image=True),),
        comment=comment_text(
            "Environment asleep",
            [
                f"`{show.sha}` is scaled to zero: {why}",
                "the stack, its URL and its labels stay; nothing runs, nothing is billed "
                "but its image",
                "comment `/showtime wake` or push a commit to bring it back",
            ],
        ),
        reasons=(f"{why}: asleep", f"up {stack} with desired count 0 (its image kept)"),
        warnings=ctx.st.warnings,
        sha=show.sha,
    )


def wake(ctx: Ctx, why: str, consume: tuple[str, ...] = ()) -> Plan:
    """Bring the sleeping active environment back (same SHA, same image, one task)."""
    st, pr = ctx.st, ctx.pr
    active = st.active
    if active is None or active.status is not Status.SLEEPING:
        state = f"it is {active.status or 'unknown'}" if active else "there is no active one"
        return Plan(
            pr=pr.number,
            intent="reply" if ctx.event.name == "issue_comment" or consume else "none",
            remove_labels=consume,
            comment=f"🎪 Nothing to wake: the environment is not asleep ({state})."
            if ctx.event.name == "issue_comment"
            else None,
            reasons=(f"{why}: not asleep ({state})",),
            warnings=st.warnings,
            sha=st.active_sha,
        )
    # 📅 is written afresh (the idle TTL counts from the wake), so the max age, when only
    # derived from the old 📅, is written down first: a wake never moves it
    max_at = None if active.max_lifted else max_age_for(active, ctx.now, ctx.policy.max_age)
    waking = replace(active, status=Status.WAKING, created=ctx.now, warned=None, max_at=max_at)
    cfg = config_for(pr, active.sha, waking, ctx.policy)
    if cfg is None:
        return Plan(
            pr=pr.number,
            intent="reply",
            remove_labels=consume,
            comment="🎪 Cannot wake: the ⚙️ configuration labels are invalid; "
            "`/showtime destroy` and start again.",
            reasons=(f"{why}: the ⚙️ configuration labels are invalid",),
            warnings=st.warnings,
            sha=active.sha,
        )
    stack = stack_name(pr.number, active.sha)
    d = _relabel(st, active, waking)
    return Plan(
        pr=pr.number,
        intent="wake",
        add_labels=d.add,
        remove_labels=(*d.remove, *(n for n in consume if n not in d.remove)),
        stacks=(StackOp("up", stack, active.sha, config=cfg, reuse_image=True),),
        comment=comment_text(
            "Waking up", [f"`{active.sha}` scales back to one task (its image kept)", why]
        ),
        reasons=(why, f"up {stack} with desired count 1 (its image kept)"),
        warnings=st.warnings,
        sha=active.sha,
    )
