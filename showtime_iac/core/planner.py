"""The lifecycle planner: ``decide(event, pr, now, policy) -> Plan``. Pure.

Every rule of the environment lifecycle lives here: start, rolling update, stop, close, TTL
expiry, freeze and block, stale-lock recovery. The planner reads the PR's labels (and,
when the caller listed them, the PR's stacks) and returns what to do: a label diff, the
ordered stack operations, the comment and the reasons. It never touches the network, the
clock or the environment: ``now`` and the policy are passed in.

The executor carries a plan out, then asks :func:`on_success` / :func:`on_failure` for the
final label diff once it knows whether the new environment became healthy.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

from showtime_iac.core import labels as L
from showtime_iac.core.commands import HELP, Command, CommandError, parse_body_flags, parse_comment
from showtime_iac.core.model import (
    EnvConfig,
    Event,
    InputError,
    Policy,
    PrInfo,
    Show,
    Status,
    Ttl,
    parse_stack_name,
    stack_name,
)

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

WRITE_PERMISSIONS = frozenset({"admin", "maintain", "write"})


@dataclass(frozen=True)
class Fleet:
    """Environments alive across the repository, for quotas (counted by the caller)."""

    total: int = 0
    by_requester: tuple[tuple[str, int], ...] = ()

    def of(self, login: str) -> int:
        return dict(self.by_requester).get(login.lower(), 0)


Intent = Literal["none", "start", "update", "reconfigure", "stop", "teardown", "refuse", "reply"]


@dataclass(frozen=True)
class StackOp:
    """One stack operation. ``when="after_healthy"`` runs only once the new SHA is healthy."""

    action: Literal["up", "destroy"]
    stack: str
    sha: str
    when: Literal["now", "after_healthy"] = "now"
    config: EnvConfig | None = None

    def to_json(self) -> dict[str, Any]:
        return {"action": self.action, "stack": self.stack, "when": self.when}


@dataclass(frozen=True)
class Plan:
    """What one run should do. ``skipped`` is the reason when it does nothing at all."""

    pr: int
    intent: Intent
    add_labels: tuple[str, ...] = ()
    remove_labels: tuple[str, ...] = ()
    stacks: tuple[StackOp, ...] = ()
    comment: str | None = None
    skipped: str | None = None
    reasons: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    sha: str | None = None

    @property
    def label_diff(self) -> L.LabelDiff:
        return L.LabelDiff(self.add_labels, self.remove_labels)

    def to_json(self) -> dict[str, Any]:
        """The ``plan --json`` contract (design §5), plus ``intent``, ``sha``, reasons, warnings."""
        return {
            "pr": self.pr,
            "intent": self.intent,
            "sha": self.sha,
            "add_labels": list(self.add_labels),
            "remove_labels": list(self.remove_labels),
            "stacks": [op.to_json() for op in self.stacks],
            "comment": self.comment,
            "skipped": self.skipped,
            "reasons": list(self.reasons),
            "warnings": list(self.warnings),
        }


# --- helpers --------------------------------------------------------------------------------


def expired(show: Show, now: datetime) -> bool:
    """True when a show's TTL has run out (``close`` and ``manual`` never expire by clock)."""
    if show.ttl is None or show.created is None:
        return False
    end = show.ttl.expires_at(show.created)
    return end is not None and now >= end


def _fresh_lock(show: Show, now: datetime, policy: Policy) -> bool:
    """A job holds this show and its claim is younger than the stale limit."""
    if show.status is None or not show.status.in_progress:
        return False
    if show.created is None:
        return False  # a claim always writes 📅: without one, nobody can prove it is alive
    return now - show.created < policy.stale_lock


def _pr_stacks(pr: int, st: L.LabelState, known: Iterable[str]) -> list[str]:
    """Every stack of this PR: from the labels, plus those the caller listed."""
    names = {stack_name(pr, sha) for sha in st.shows}
    for name in known:
        parsed = parse_stack_name(name)
        if parsed is not None and parsed[0] == pr:
            names.add(name)
    return sorted(names)


def _skip(pr: int, reason: str, st: L.LabelState, sha: str | None = None) -> Plan:
    return Plan(
        pr=pr, intent="none", skipped=reason, reasons=(reason,), warnings=st.warnings, sha=sha
    )


def _config_for(pr: PrInfo, sha: str, show: Show, policy: Policy) -> EnvConfig | None:
    """The EnvConfig of the stack to bring up, or None if the labels' config is invalid."""
    try:
        return EnvConfig.from_config_items(
            pr.number,
            sha,
            show.config,
            ttl=show.ttl or policy.default_ttl,
            requester=show.requester or "unknown",
            created=show.created,
        )
    except InputError:
        return None


def _comment(title: str, lines: Iterable[str]) -> str:
    body = "\n".join(f"- {line}" for line in lines)
    return f"🎪 **{title}**\n\n{body}" if body else f"🎪 **{title}**"


# --- decide ---------------------------------------------------------------------------------


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
    policy = policy or Policy()
    st = L.parse_state(pr.labels)
    known = tuple(known_stacks)
    ctx = _Ctx(event, pr, st, now, policy, fleet)

    if st.blocked:
        return _skip(
            pr.number, "🔒 showtime-blocked: maintenance mode, no operation on this PR", st
        )

    if not pr.is_open:
        return _teardown(pr, st, known, "the PR is closed", keep_legacy=True)

    refused = _refuse_label(ctx)
    if refused is not None:
        return refused

    if event.name == "issue_comment":
        return _on_comment(ctx, known)

    if st.stop:
        return _teardown(pr, st, known, "🛑 stop requested", keep_legacy=False)

    if event.name == "pull_request" and event.action == "unlabeled" and event.label == L.LEGACY:
        if st.legacy:
            return _skip(pr.number, "testenv-up is still on the PR", st)
        if not st.shows and not known:
            return _skip(pr.number, "testenv-up removed, and there is no environment", st)
        return _teardown(pr, st, known, "testenv-up was removed", keep_legacy=False)

    if event.name == "schedule":
        active = st.active
        if active is not None and expired(active, now):
            return _teardown(pr, st, known, f"TTL {active.ttl} expired", keep_legacy=False)
        return _skip(pr.number, "not expired", st)

    head = pr.head_sha[:7] if pr.head_sha else None
    dispatch = event.name in ("workflow_dispatch", "cli")
    if dispatch and event.action == "stop":
        return _teardown(
            pr, st, known, f"stop requested by @{event.actor or 'unknown'}", keep_legacy=False
        )

    # the legacy label asks for an environment for as long as it is on
    wants_start = st.start or (dispatch and event.action == "start") or (st.legacy and not st.shows)
    if wants_start:
        if head is None:
            return _skip(pr.number, "the PR's head SHA is unknown (not in the payload)", st)
        return _start(event, pr, st, head, now, policy, fleet)

    if st.conf_requests:
        changes = [(c.kind, c.value) for c in st.conf_requests]
        consume = tuple(c.label for c in st.conf_requests)
        return _reconfigure(ctx, changes, consume, why="configuration label")

    if event.name == "pull_request" and event.action == "edited" and st.active is not None:
        body_flags = parse_body_flags(pr.body)
        changes = [("enable" if on else "disable", flag) for flag, on in body_flags]
        if changes:
            return _reconfigure(ctx, changes, (), why="feature flags in the PR description changed")

    if event.name == "pull_request" and event.action == "synchronize":
        if head is None:
            return _skip(pr.number, "the PR's head SHA is unknown", st)
        if st.freeze:
            return _skip(pr.number, "🧊 frozen: not updating on push", st, head)
        if pr.is_fork and st.shows:
            return _skip(
                pr.number,
                "fork PR: new commits deploy only when a maintainer asks "
                "(start label or `/showtime refresh`)",
                st,
                head,
            )
        return _update(event, pr, st, head, now, policy, why=f"new commit {head}")

    unfrozen = (
        event.name == "pull_request" and event.action == "unlabeled" and event.label == L.FREEZE
    )
    if unfrozen and head is not None and st.active_sha and st.active_sha != head and not st.freeze:
        return _update(event, pr, st, head, now, policy, why="unfrozen: catching up")

    if dispatch and event.action in ("sync", "refresh") and head is not None and st.shows:
        return _update(event, pr, st, head, now, policy, why="refresh requested")

    what = f"{event.name}.{event.action}" if event.action else event.name
    label = f" ({event.label})" if event.label else ""
    return _skip(pr.number, f"nothing to do for {what}{label}", st, head)


def _teardown(
    pr: PrInfo, st: L.LabelState, known: tuple[str, ...], why: str, keep_legacy: bool
) -> Plan:
    stacks = _pr_stacks(pr.number, st, known)
    remove = [n for n in st.labels if n.startswith(L.PREFIX) and n not in (L.BLOCKED, L.FREEZE)]
    if not keep_legacy and st.legacy:
        remove.append(L.LEGACY)
    if not stacks and not remove:
        return _skip(pr.number, f"{why}: no environment", st)
    ops = tuple(StackOp("destroy", name, (parse_stack_name(name) or (0, ""))[1]) for name in stacks)
    lines = [f"reason: {why}"] + [f"destroying `{op.stack}`" for op in ops]
    return Plan(
        pr=pr.number,
        intent="teardown" if "closed" in why else "stop",
        remove_labels=tuple(dict.fromkeys(remove)),
        stacks=ops,
        comment=_comment("Environment stopped", lines) if ops else None,
        reasons=(why, *(f"destroy {op.stack}" for op in ops)),
        warnings=st.warnings,
        sha=st.active_sha,
    )


def _start(
    event: Event,
    pr: PrInfo,
    st: L.LabelState,
    head: str,
    now: datetime,
    policy: Policy,
    fleet: Fleet | None = None,
) -> Plan:
    consume = tuple(n for n in (L.START,) if n in st.labels)
    show = st.shows.get(head)
    if show is not None and st.active_sha == head and show.status is Status.RUNNING:
        why = f"{head} is already running"
        return Plan(
            pr=pr.number,
            intent="none",
            remove_labels=consume,
            skipped=None if consume else why,
            reasons=(why, "start trigger consumed, nothing deployed") if consume else (why,),
            warnings=st.warnings,
            sha=head,
        )
    if show is not None and _fresh_lock(show, now, policy):
        why = (
            f"{head} is already {show.status}: claimed at {L.format_timestamp(show.created or now)}"
        )
        return Plan(
            pr=pr.number,
            intent="none",
            remove_labels=consume,
            skipped=None if consume else why,
            reasons=(why, "no second deploy"),
            warnings=st.warnings,
            sha=head,
        )
    if st.active is not None and st.active_sha != head:
        return _update(
            event,
            pr,
            st,
            head,
            now,
            policy,
            why="start requested on a newer commit",
            consume=consume,
        )
    requester = event.actor or pr.author or "unknown"
    if fleet is not None and st.active is None:
        over = None
        if fleet.total >= policy.max_environments:
            over = (
                f"{fleet.total} environments are running, the maximum is "
                f"{policy.max_environments}: stop one or wait for the cleanup"
            )
        elif fleet.of(requester) >= policy.max_per_requester:
            over = (
                f"@{requester} already has {fleet.of(requester)} environments, the maximum is "
                f"{policy.max_per_requester}: stop one (`/showtime destroy` on its PR) first"
            )
        if over is not None:
            return Plan(
                pr=pr.number,
                intent="refuse",
                remove_labels=consume,
                comment=_comment("Environment not started", [over]),
                reasons=(f"quota: {over}",),
                warnings=st.warnings,
                sha=head,
            )
    if show is None and st.active is None and not st.shows:
        flags = parse_body_flags(pr.body)
        if flags:
            items = EnvConfig(pr=pr.number, sha=head, flags=flags).config_items()
            show = Show(sha=head, config=items)
    return _claim(
        pr, st, head, now, policy, requester, base=show, consume=consume, why="start requested"
    )


def _update(
    event: Event,
    pr: PrInfo,
    st: L.LabelState,
    head: str,
    now: datetime,
    policy: Policy,
    why: str,
    consume: tuple[str, ...] = (),
) -> Plan:
    if not st.shows:
        return _skip(
            pr.number, "no environment on this PR: add the start label to create one", st, head
        )
    if st.active_sha == head:
        return _skip(pr.number, f"{head} is already the active environment", st, head)
    target = st.shows.get(head)
    if target is not None and _fresh_lock(target, now, policy):
        return _skip(pr.number, f"{head} is already {target.status} (fresh claim)", st, head)
    base = st.active or target or st.building or next(iter(st.shows.values()))
    requester = base.requester or event.actor or pr.author or "unknown"
    return _claim(pr, st, head, now, policy, requester, base=base, consume=consume, why=why)


def _claim(
    pr: PrInfo,
    st: L.LabelState,
    head: str,
    now: datetime,
    policy: Policy,
    requester: str,
    base: Show | None,
    consume: tuple[str, ...],
    why: str,
) -> Plan:
    """Claim ``head``: mark it building, bring its stack up, and plan what it replaces."""
    ttl: Ttl = (base.ttl if base and base.ttl else None) or policy.default_ttl
    new = Show(
        sha=head,
        status=Status.BUILDING,
        created=now,
        ttl=ttl,
        requester=requester if requester != "unknown" else None,
        config=base.config if base else (),
    )
    cfg = _config_for(pr, head, new, policy)
    if cfg is None:
        bad = ",".join(new.config)
        return _skip(
            pr.number, f"the ⚙️ configuration {bad[:60]!r} is invalid: fix or remove it", st, head
        )
    cfg = replace(cfg, requester=requester if requester else "unknown")

    desired = [n for n in st.labels if n not in consume]
    # replace everything said about `head`; superseded shows (neither head nor active) are
    # destroyed now, so their labels and the old building pointer go too
    drop = set(st.labels_of(head))
    for sha in st.shows:
        if sha not in (head, st.active_sha):
            drop |= set(st.labels_of(sha))
    if st.building_sha and st.building_sha != head:
        drop.add(L.render_pointer("building", st.building_sha))
    desired = [n for n in desired if n not in drop]
    desired += [*L.render_show(new), L.render_pointer("building", head)]
    d = L.diff(st.labels, desired)

    ops: list[StackOp] = [StackOp("up", stack_name(pr.number, head), head, config=cfg)]
    reasons = [why, f"claim {head}: status building", f"up {stack_name(pr.number, head)}"]
    for sha, show in sorted(st.shows.items()):
        if sha == head:
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
    if st.active_sha and st.active_sha != head:
        lines.append(f"`{st.active_sha}` keeps serving until `{head}` is healthy")
    return Plan(
        pr=pr.number,
        intent="update" if st.active_sha and st.active_sha != head else "start",
        add_labels=d.add,
        remove_labels=d.remove,
        stacks=tuple(ops),
        comment=_comment("Building preview environment", lines),
        reasons=tuple(reasons),
        warnings=st.warnings,
        sha=head,
    )


# --- permissions, comments and configuration ------------------------------------------------


@dataclass(frozen=True)
class _Ctx:
    event: Event
    pr: PrInfo
    st: L.LabelState
    now: datetime
    policy: Policy
    fleet: Fleet | None


_GUARDED = frozenset({L.START, L.STOP, L.LEGACY, L.FREEZE})


def _authorized(event: Event, policy: Policy) -> bool | None:
    """True/False when known; None when only the collaborator-permission API can tell."""
    if event.actor_permission is not None:
        return event.actor_permission in WRITE_PERMISSIONS
    if (
        event.actor_association is not None
        and event.actor_association in policy.trusted_associations
    ):
        return True
    return None


def needs_permission(event: Event) -> bool:
    """Whether the executor should look up the actor's permission before deciding.

    Label events on trigger/config labels and comment commands that change something.
    """
    if event.actor_permission is not None or not event.actor:
        return False
    if event.name == "pull_request" and event.action in ("labeled", "unlabeled"):
        label = event.label or ""
        return label in _GUARDED or label.startswith(f"{L.PREFIX}conf-")
    if event.name == "issue_comment" and event.action == "created":
        cmd = parse_comment(event.comment or "")
        return isinstance(cmd, Command) and cmd.name not in ("status", "help")
    return False


def _refuse_label(ctx: _Ctx) -> Plan | None:
    """A trigger or config label added by someone without write access: remove it, say why."""
    ev = ctx.event
    if ev.name != "pull_request" or ev.action != "labeled" or not ev.label:
        return None
    label = ev.label
    if not (label in _GUARDED or label.startswith(f"{L.PREFIX}conf-")):
        return None
    if _authorized(ev, ctx.policy) is not False:
        return None
    why = f"@{ev.actor} lacks write access to the repository"
    remove = (label,) if label in ctx.st.labels else ()
    return Plan(
        pr=ctx.pr.number,
        intent="refuse",
        remove_labels=remove,
        comment=_comment(
            "Label removed",
            [
                f"@{ev.actor}, thanks! Only maintainers (write access) can use `{label}`; "
                "please ask one to add it for you."
            ],
        ),
        reasons=(f"refused {label}: {why}",),
        warnings=ctx.st.warnings,
    )


def _reply(ctx: _Ctx, text: str, why: str) -> Plan:
    return Plan(
        pr=ctx.pr.number,
        intent="reply",
        comment=text,
        reasons=(why,),
        warnings=ctx.st.warnings,
        sha=ctx.st.active_sha,
    )


def _status_text(ctx: _Ctx) -> str:
    from showtime_iac.core.comment import status_comment

    return status_comment(ctx.pr.number, ctx.st, ctx.now, port=ctx.policy.port)


def _on_comment(ctx: _Ctx, known: tuple[str, ...]) -> Plan:
    ev, st, pr = ctx.event, ctx.st, ctx.pr
    if ev.action != "created":
        return _skip(pr.number, f"comment {ev.action or 'change'}: only new comments are read", st)
    cmd = parse_comment(ev.comment or "")
    if cmd is None:
        return _skip(pr.number, "no /showtime or /circus command in the comment", st)
    if isinstance(cmd, CommandError):
        return _reply(ctx, f"🎪 {cmd.message}.\n\n{HELP}", f"bad command: {cmd.message}")
    if cmd.name == "help":
        return _reply(ctx, HELP, "help requested")
    if cmd.name == "status":
        return _reply(ctx, _status_text(ctx), "status requested")
    # fail closed: the executor looks the permission up first (see needs_permission)
    if not _authorized(ev, ctx.policy):
        return _reply(
            ctx,
            f"🎪 @{ev.actor}, only maintainers (write access) can run `/showtime {cmd.name}`.",
            f"refused /showtime {cmd.name}: @{ev.actor} has no verified write access",
        )
    return _run_command(ctx, cmd, known)


def _run_command(ctx: _Ctx, cmd: Command, known: tuple[str, ...]) -> Plan:
    st, pr, now, policy = ctx.st, ctx.pr, ctx.now, ctx.policy
    who = f"@{ctx.event.actor or 'unknown'}"
    if cmd.name == "destroy":
        return _teardown(pr, st, known, f"/showtime destroy by {who}", keep_legacy=False)
    if not st.shows:
        return _reply(
            ctx,
            "🎪 There is no environment on this PR: add the label `🎪 ⚡ showtime-trigger-start`.",
            f"/showtime {cmd.name}: no environment",
        )
    if cmd.name == "refresh":
        if not pr.head_sha:
            return _skip(pr.number, "the PR's head SHA is unknown (not in a comment payload)", st)
        head = pr.head_sha[:7]
        if st.active_sha == head:
            return _reply(ctx, f"🎪 `{head}` is already live.", "refresh: already on the head")
        return _update(ctx.event, pr, st, head, now, policy, why=f"/showtime refresh by {who}")
    if cmd.name in ("extend", "keep-alive"):
        return _set_ttl(ctx, cmd)
    changes = [(cmd.name, cmd.arg or "")]
    return _reconfigure(
        ctx, changes, (), why=f"/showtime {cmd.name} {cmd.arg or ''} by {who}".strip()
    )


def _set_ttl(ctx: _Ctx, cmd: Command) -> Plan:
    st, policy, now = ctx.st, ctx.policy, ctx.now
    if cmd.name == "keep-alive":
        new_ttl = Ttl("manual")
        text = "🎪 The environment will stay up until the PR closes or someone stops it."
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
    # every ⌛ label goes (per-SHA, and Superset Showtime's PR-level `🎪 ⌛ 1w`); each show
    # gets its new one
    desired = [n for n in st.labels if not _is_ttl_label(n)]
    for show in st.shows.values():
        desired.append(L.render_label(L.Attr("ttl", new_ttl.value, show.sha)))
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
    )


def _is_ttl_label(name: str) -> bool:
    v = L.parse_label(name)
    return isinstance(v, L.Attr) and v.kind == "ttl"


def _apply_changes(cfg: EnvConfig, changes: Iterable[tuple[str, str]]) -> EnvConfig:
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


def _reconfigure(
    ctx: _Ctx, changes: Sequence[tuple[str, str]], consume: tuple[str, ...], why: str
) -> Plan:
    """Redeploy the active SHA with a new configuration (ECS rolls it: no downtime)."""
    st, pr, policy = ctx.st, ctx.pr, ctx.policy
    active = st.active
    if active is None or active.status is not Status.RUNNING:
        return Plan(
            pr=pr.number,
            intent="reply" if consume else "none",
            remove_labels=consume,
            comment=_comment(
                "Configuration not applied", ["configuration changes need a running environment"]
            )
            if consume or ctx.event.name == "issue_comment"
            else None,
            skipped=None if consume else "no running environment to reconfigure",
            reasons=(f"{why}: no running environment",),
            warnings=st.warnings,
        )
    base = _config_for(pr, active.sha, active, policy)
    if base is None:
        return _skip(pr.number, "the applied ⚙️ configuration labels are invalid", st)
    try:
        new_cfg = _apply_changes(base, changes)  # `replace` re-validates
    except InputError as exc:
        return _reply(ctx, f"🎪 Configuration refused: {exc}", f"{why}: {exc}")
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
        stacks=(StackOp("up", stack_name(pr.number, active.sha), active.sha, config=new_cfg),),
        comment=_comment("Reconfiguring", [f"`{active.sha}` → `{shown}`", f"reason: {why}"]),
        reasons=(why, f"up {stack_name(pr.number, active.sha)} with {shown}"),
        warnings=st.warnings,
        sha=active.sha,
    )


# --- after the deploy -------------------------------------------------------------------------


def on_success(labels: Iterable[str], sha: str, address: str | None) -> L.LabelDiff:
    """Final labels once ``sha`` is healthy: running, 🎯 moves to it, the old SHA's labels go."""
    current = tuple(labels)
    st = L.parse_state(current)
    sha = sha[:7]
    show = st.shows.get(sha, Show(sha=sha))
    new = replace(show, status=Status.RUNNING, ip=address or show.ip)
    keep = []
    for n in current:
        v = L.parse_label(n)
        if isinstance(v, L.Pointer) or (isinstance(v, L.Attr) and v.sha is not None):
            continue  # every SHA's state labels and pointers are rewritten below
        if isinstance(v, L.Attr) and v.sha is None:
            continue  # legacy SHA-less state labels are folded into the per-SHA form
        keep.append(n)
    desired = keep + L.render_show(new) + [L.render_pointer("active", sha)]
    return L.diff(current, desired)


def on_failure(labels: Iterable[str], sha: str, restore: Show | None = None) -> L.LabelDiff:
    """Final labels when ``sha`` failed: 🚦 failed, 🏗️ cleared, the active SHA untouched."""
    current = tuple(labels)
    st = L.parse_state(current)
    sha = sha[:7]
    show = st.shows.get(sha, Show(sha=sha))
    # a failed reconfiguration was rolled back by ECS: put the previous show's labels back
    failed = restore if restore is not None else replace(show, status=Status.FAILED)
    drop = set(st.labels_of(sha))
    desired = [n for n in current if n not in drop]
    desired += L.render_show(failed)
    if st.active_sha == sha:
        desired.append(L.render_pointer("active", sha))
    return L.diff(current, desired)


def on_destroying(labels: Iterable[str], shas: Iterable[str]) -> L.LabelDiff:
    """Mark each SHA's environment 🚦 destroying before its stack goes (the teardown claim).

    Written first, so a token that cannot write labels fails before anything is destroyed,
    and a watcher sees the teardown while it runs.
    """
    current = tuple(labels)
    st = L.parse_state(current)
    desired = list(current)
    for sha in dict.fromkeys(s[:7] for s in shas):
        show = st.shows.get(sha)
        if show is None or show.status == Status.DESTROYING:
            continue
        drop = set(st.labels_of(sha))
        desired = [n for n in desired if n not in drop]
        desired += L.render_show(replace(show, status=Status.DESTROYING))
    return L.diff(current, desired)
