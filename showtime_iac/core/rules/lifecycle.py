"""Start, stop, close and TTL expiry of one PR's environment. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from math import inf

from showtime_iac.core import labels as L
from showtime_iac.core.commands import parse_body_flags
from showtime_iac.core.model import EnvConfig, PrInfo, Show, Status, parse_stack_name
from showtime_iac.core.plan import (
    Ctx,
    Plan,
    StackOp,
    comment_text,
    fresh_lock,
    pr_stacks,
    skip,
)
from showtime_iac.core.queue import queued_show
from showtime_iac.core.rules.queueing import enqueue, turn
from showtime_iac.core.rules.rolling import claim, update
from showtime_iac.core.rules.sleep import wake

__all__ = ["stale_start", "start", "teardown"]


def teardown(
    pr: PrInfo, st: L.LabelState, known: tuple[str, ...], why: str, keep_legacy: bool
) -> Plan:
    """Destroy every stack of the PR and remove its 🎪 labels (🔒 and 🧊 stay)."""
    stacks = pr_stacks(pr.number, st, known)
    remove = [n for n in st.labels if n.startswith(L.PREFIX) and n not in (L.BLOCKED, L.FREEZE)]
    if not keep_legacy and st.legacy:
        remove.append(L.LEGACY)
    if not stacks and not remove:
        return skip(pr.number, f"{why}: no environment", st)
    ops = tuple(StackOp("destroy", name, (parse_stack_name(name) or (0, ""))[1]) for name in stacks)
    lines = [f"reason: {why}"] + [f"destroying `{op.stack}`" for op in ops]
    queued = queued_show(st)
    comment = comment_text("Environment stopped", lines) if ops else None
    if queued is not None and not ops and pr.is_open:
        comment = comment_text("Left the queue", [f"reason: {why}", f"`{queued.sha}` not started"])
    return Plan(
        pr=pr.number,
        intent="teardown" if "closed" in why else "stop",
        remove_labels=tuple(dict.fromkeys(remove)),
        stacks=ops,
        comment=comment,
        reasons=(why, *(f"destroy {op.stack}" for op in ops)),
        warnings=st.warnings,
        sha=st.active_sha,
    )


def _over_quota(ctx: Ctx, requester: str) -> str | None:
    """The requester's own quota (a refusal: they can free one of theirs). The fleet's
    ``max_environments`` queues instead (:mod:`showtime_iac.core.rules.queueing`)."""
    fleet, policy = ctx.fleet, ctx.policy
    if fleet is None or ctx.st.active is not None:
        return None
    if fleet.of(requester) >= policy.max_per_requester:
        return (
            f"@{requester} already has {fleet.of(requester)} environments, the maximum is "
            f"{policy.max_per_requester}: stop one (`/showtime destroy` on its PR) first"
        )
    return None


def start(ctx: Ctx, head: str) -> Plan:
    """A start request for ``head``: claim it, or say why nothing is deployed."""
    st, pr, now = ctx.st, ctx.pr, ctx.now
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
    if show is not None and st.active_sha == head and show.status is Status.SLEEPING:
        return wake(ctx, why="start requested on the sleeping commit: waking", consume=consume)
    if show is not None and fresh_lock(show, now, ctx.policy):
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
        return update(ctx, head, why="start requested on a newer commit", consume=consume)
    requester = ctx.event.actor or pr.author or "unknown"
    over = _over_quota(ctx, requester)
    if over is not None:
        return Plan(
            pr=pr.number,
            intent="refuse",
            remove_labels=consume,
            comment=comment_text("Environment not started", [over]),
            reasons=(f"quota: {over}",),
            warnings=st.warnings,
            sha=head,
        )
    queued = queued_show(st)
    if queued is not None:  # the queued request's config; the lifetime counts from the start
        show = Show(sha=head, config=queued.config)
    elif show is None and st.active is None:
        # nothing serves: the configuration of the PR's newest earlier show (a failed start,
        # an earlier head), as a push would carry it; else the description's FEATURE_* lines
        carried = _newest_config(st.shows.values())
        flags = parse_body_flags(pr.body) if not carried else ()
        if flags:
            carried = EnvConfig(pr=pr.number, sha=head, flags=flags).config_items()
        if carried:
            show = Show(sha=head, config=carried)
    place = turn(ctx, head, requester)
    if place is not None:
        config = show.config if show is not None else ()
        return enqueue(ctx, head, requester, place, consume, config)
    return claim(ctx, head, requester, base=show, consume=consume, why="start requested")


def _newest_config(shows: Iterable[Show]) -> tuple[str, ...]:
    """The ⚙️ configuration of the newest show that carries one (an undated show counts as
    the oldest); none when no show carries any."""
    newest = sorted(shows, key=lambda s: s.created.timestamp() if s.created else -inf)
    return next((s.config for s in reversed(newest) if s.config), ())


def stale_start(ctx: Ctx) -> Plan:
    """A ⚡ still on the PR when a push arrives: its own run never took it (the run failed,
    was refused or never ran). It was asked for an older commit, so it is consumed and
    nothing is deployed; a maintainer adds it again to start the new head."""
    head = (ctx.event.sha or ctx.pr.head_sha)[:7]
    why = f"{L.START} was asked for an earlier commit than {head}: consumed, nothing deployed"
    return Plan(
        pr=ctx.pr.number,
        intent="refuse",
        remove_labels=(L.START,),
        comment=comment_text(
            "Start request withdrawn",
            [
                f"`{L.START}` was added for an earlier commit and was not carried out; "
                f"a maintainer can add it again to deploy `{head}`."
            ],
        ),
        reasons=(why,),
        warnings=ctx.st.warnings,
        sha=head or None,
    )
