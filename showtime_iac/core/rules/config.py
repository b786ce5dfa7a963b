"""Configuration changes of the running SHA: ``conf-*`` labels, ``/showtime size|enable|
disable|debug`` and feature flags in the PR description. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from showtime_iac.core import labels as L
from showtime_iac.core.commands import parse_body_flags
from showtime_iac.core.model import EnvConfig, InputError, Status, stack_name
from showtime_iac.core.plan import Ctx, Plan, StackOp, comment_text, config_for, skip
from showtime_iac.core.rules.trust import authorized

__all__ = ["apply_changes", "body_edited", "reconfigure"]


def apply_changes(cfg: EnvConfig, changes: Iterable[tuple[str, str]]) -> EnvConfig:
    flags = dict(cfg.flags)
    for kind, value in changes:
        if kind in ("enable", "disable"):
            flags[value] = kind == "enable"
        elif kind == "size":
            cfg = replace(cfg, size=value)  # type: ignore[arg-type]
        elif kind == "debug":
            cfg = replace(cfg, debug=value == "on")
        elif kind == "examples":
            cfg = replace(cfg, examples=value == "on")
        elif kind == "cache":
            cfg = replace(cfg, cache_redis=True)
    return replace(cfg, flags=tuple(sorted(flags.items())))


def _not_running(ctx: Ctx, consume: tuple[str, ...], why: str, asleep: bool = False) -> Plan:
    need = "configuration changes need a running environment"
    if asleep:
        need += ": it is asleep, `/showtime wake` it first"
    return Plan(
        pr=ctx.pr.number,
        intent="reply" if consume else "none",
        remove_labels=consume,
        comment=comment_text("Configuration not applied", [need])
        if consume or ctx.event.name == "issue_comment"
        else None,
        skipped=None if consume else "no running environment to reconfigure",
        reasons=(f"{why}: no running environment",),
        warnings=ctx.st.warnings,
    )


def reconfigure(
    ctx: Ctx, changes: Sequence[tuple[str, str]], consume: tuple[str, ...], why: str
) -> Plan:
    """Redeploy the active SHA with a new configuration (ECS rolls it: no downtime)."""
    st, pr, policy = ctx.st, ctx.pr, ctx.policy
    active = st.active
    if active is None or active.status is not Status.RUNNING:
        asleep = active is not None and active.status is Status.SLEEPING
        return _not_running(ctx, consume, why, asleep)
    base = config_for(pr, active.sha, active, policy)
    if base is None:
        return skip(pr.number, "the applied ⚙️ configuration labels are invalid", st)
    try:
        new_cfg = apply_changes(base, changes)  # `replace` re-validates
    except InputError as exc:
        return Plan(
            pr=pr.number,
            intent="reply",
            comment=f"🎪 Configuration refused: {exc}",
            reasons=(f"{why}: {exc}",),
            warnings=st.warnings,
            sha=st.active_sha,
        )
    items = new_cfg.config_items()
    if items == active.config:
        return Plan(
            pr=pr.number,
            intent="none",
            remove_labels=consume,
            skipped=None if consume else "configuration already applied",
            reasons=(f"{why}: already applied",),
            warnings=st.warnings,
            sha=active.sha,
        )
    new = replace(active, status=Status.CONFIGURING, config=items)
    drop = set(L.render_show(active)) | set(consume)
    desired = [n for n in st.labels if n not in drop] + L.render_show(new)
    d = L.diff(st.labels, desired)
    shown = ",".join(items) or "defaults"
    return Plan(
        pr=pr.number,
        intent="reconfigure",
        add_labels=d.add,
        remove_labels=d.remove,
        stacks=(
            StackOp(
                "up",
                stack_name(pr.number, active.sha),
                active.sha,
                config=new_cfg,
                reuse_image=True,
            ),
        ),
        comment=comment_text("Reconfiguring", [f"`{active.sha}` → `{shown}`", f"reason: {why}"]),
        reasons=(why, f"up {stack_name(pr.number, active.sha)} with {shown}"),
        warnings=st.warnings,
        sha=active.sha,
    )


def body_edited(ctx: Ctx) -> Plan | None:
    """``FEATURE_X=true`` lines of an edited description: a reconfiguration of the active SHA
    (its image kept), only when the editor has write access and the PR is not 🧊 frozen."""
    ev, st, pr = ctx.event, ctx.st, ctx.pr
    changes = [("enable" if on else "disable", flag) for flag, on in parse_body_flags(pr.body)]
    if not changes:
        return None
    # None: not looked up (an offline plan); sync always looks it up first (needs_permission)
    if authorized(ev, ctx.policy) is False:
        why = f"description edited by @{ev.actor} without write access: nothing changes"
        return skip(pr.number, why, st, st.active_sha)
    if st.freeze:
        return skip(pr.number, "🧊 frozen: description edits change nothing", st, st.active_sha)
    return reconfigure(ctx, changes, (), why="feature flags in the PR description changed")
