"""``/showtime`` and ``/circus`` comment commands: help and status for everyone, the rest
for people with write access. Pure."""

from __future__ import annotations

from showtime_iac.core import labels as L
from showtime_iac.core.commands import HELP, Command, CommandError, parse_comment
from showtime_iac.core.lifetimes import max_age_for
from showtime_iac.core.model import Status, Ttl, stack_name
from showtime_iac.core.plan import Ctx, Plan, skip
from showtime_iac.core.record import lifetime_tags
from showtime_iac.core.rules.config import reconfigure
from showtime_iac.core.rules.lifecycle import teardown
from showtime_iac.core.rules.rolling import update
from showtime_iac.core.rules.sleep import wake
from showtime_iac.core.rules.trust import authorized

__all__ = ["on_comment"]


def _reply(ctx: Ctx, text: str, why: str) -> Plan:
    return Plan(
        pr=ctx.pr.number,
        intent="reply",
        comment=text,
        reasons=(why,),
        warnings=ctx.st.warnings,
        sha=ctx.st.active_sha,
    )


def _status_text(ctx: Ctx) -> str:
    from showtime_iac.core.comment import status_comment

    return status_comment(
        ctx.pr.number,
        ctx.st,
        ctx.now,
        port=ctx.policy.port,
        sticky=False,
        idle_action=ctx.policy.idle_action,
    )


def on_comment(ctx: Ctx) -> Plan:
    ev, st, pr = ctx.event, ctx.st, ctx.pr
    if ev.action != "created":
        return skip(pr.number, f"comment {ev.action or 'change'}: only new comments are read", st)
    cmd = parse_comment(ev.comment or "")
    if cmd is None:
        return skip(pr.number, "no /showtime or /circus command in the comment", st)
    if isinstance(cmd, CommandError):
        return _reply(ctx, f"🎪 {cmd.message}.\n\n{HELP}", f"bad command: {cmd.message}")
    if cmd.name == "help":
        return _reply(ctx, HELP, "help requested")
    if cmd.name == "status":
        return _reply(ctx, _status_text(ctx), "status requested")
    # fail closed: the executor looks the permission up first (see needs_permission)
    if not authorized(ev, ctx.policy):
        return _reply(
            ctx,
            f"🎪 @{ev.actor}, only maintainers (write access) can run `/showtime {cmd.name}`.",
            f"refused /showtime {cmd.name}: @{ev.actor} has no verified write access",
        )
    return _run_command(ctx, cmd)


def _run_command(ctx: Ctx, cmd: Command) -> Plan:
    st, pr = ctx.st, ctx.pr
    who = f"@{ctx.event.actor or 'unknown'}"
    if cmd.name == "destroy":
        return teardown(pr, st, ctx.known, f"/showtime destroy by {who}", keep_legacy=False)
    if not st.shows:
        return _reply(
            ctx,
            "🎪 There is no environment on this PR: add the label `🎪 ⚡ showtime-trigger-start`.",
            f"/showtime {cmd.name}: no environment",
        )
    if cmd.name == "refresh":
        # the commit the workflow's plan job resolved (and built), else the head as read
        sha = ctx.event.sha or pr.head_sha
        if not sha:
            return skip(pr.number, "the PR's head SHA is unknown (not in a comment payload)", st)
        if cmd.arg and not sha.startswith(cmd.arg):
            # never another commit than the one the writer named (the workflow resolves it)
            return _reply(
                ctx,
                f"🎪 `{cmd.arg}` was not resolved to a commit of this PR: nothing was deployed.",
                f"/showtime refresh {cmd.arg}: the run is about {sha[:7]}",
            )
        head = sha[:7]
        if st.active_sha == head and st.active and st.active.status is Status.SLEEPING:
            return wake(ctx, why=f"/showtime refresh by {who}: waking")
        if st.active_sha == head:
            return _reply(ctx, f"🎪 `{head}` is already live.", "refresh: already on the head")
        return update(ctx, head, why=f"/showtime refresh by {who}")
    if cmd.name == "wake":
        return wake(ctx, why=f"/showtime wake by {who}")
    if cmd.name in ("extend", "keep-alive"):
        return _set_ttl(ctx, cmd)
    changes = [(cmd.name, cmd.arg or "")]
    return reconfigure(
        ctx, changes, (), why=f"/showtime {cmd.name} {cmd.arg or ''} by {who}".strip()
    )


def _set_ttl(ctx: Ctx, cmd: Command) -> Plan:
    st, policy, now = ctx.st, ctx.policy, ctx.now
    lift = False
    if cmd.name == "keep-alive":
        new_ttl = Ttl("manual")
        # a pin lifts the idle TTL; only an admin's pin lifts the max age too
        lift = ctx.event.actor_permission == "admin"
        limit_text = (
            "the PR closes or someone stops it"
            if lift
            else f"the PR closes, someone stops it, or its max age of {policy.max_age.days}d ends"
        )
        text = f"🎪 The environment will stay up until {limit_text}."
    else:
        ext = Ttl(cmd.arg or "24h").duration
        limit = policy.max_ttl.duration
        assert ext is not None
        if limit is not None and ext > limit:
            return _reply(
                ctx,
                f"🎪 `extend {cmd.arg}` is above the maximum of {policy.max_ttl}; nothing changed.",
                f"extend {cmd.arg} refused: above {policy.max_ttl}",
            )
        target = st.active or st.building or next(iter(st.shows.values()))
        created = target.created or now
        hours = -(-int((now - created + ext).total_seconds()) // 3600)
        new_ttl = Ttl(f"{max(hours, 1)}h")
        text = f"🎪 Extended: the environment now lives {cmd.arg} from now (TTL {new_ttl})."
        cap = max_age_for(target, now, policy.max_age)
        if not target.max_lifted and now + ext > cap:
            text += f" Its max age still ends it at {cap:%Y-%m-%d %H:%M} UTC."
    if st.active is not None and st.active.status is Status.SLEEPING:
        text += " It is asleep: `/showtime wake` brings it back."
    # every ⌛ label goes (per-SHA, and Superset Showtime's PR-level `🎪 ⌛ 1w`); each show
    # gets its new one
    desired = [n for n in st.labels if not _is_ttl_label(n)]
    retag: list[tuple[str, tuple[tuple[str, str], ...]]] = []
    for show in st.shows.values():
        max_at = max_age_for(show, now, policy.max_age)
        lifted = lift or show.max_lifted
        value = L.render_lifetime(new_ttl, max_at, lifted)
        desired.append(L.render_label(L.Attr("ttl", value, show.sha)))
        idle_at = new_ttl.expires_at(show.created) if show.created else None
        tags = lifetime_tags(new_ttl, idle_at, None if lifted else max_at, ctx.event.actor)
        retag.append((stack_name(ctx.pr.number, show.sha), tags))
    d = L.diff(st.labels, desired)
    return Plan(
        pr=ctx.pr.number,
        intent="reply",
        add_labels=d.add,
        remove_labels=d.remove,
        comment=text,
        reasons=(f"TTL set to {new_ttl}",),
        warnings=st.warnings,
        sha=st.active_sha,
        retag=tuple(sorted(retag)),
    )


def _is_ttl_label(name: str) -> bool:
    v = L.parse_label(name)
    return isinstance(v, L.Attr) and v.kind == "ttl"
