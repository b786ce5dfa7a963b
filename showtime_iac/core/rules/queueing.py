"""The queue of starts over ``max_environments``: join it, keep one's place, leave it, and start
its head when a slot frees. Pure. The queue itself is :mod:`showtime_iac.core.queue`.

- A writer's start (⚡, ``testenv-up``) with the fleet full, or with anyone already waiting,
  is queued: ⚡ is consumed, ``🎪 {sha7} 🚦 queued`` with its 📅 and 👤 is written, and the
  comment says the place in line. Nothing is built into a stack and nothing runs.
- The same request again keeps the place (📅 stays); one for a newer head moves the entry to
  that commit, still in the same place (a writer approved it).
- A push to a same-repository branch (write access) moves the entry to the new head, in the
  same place; a push to a fork leaves the queue: only a writer's ⚡ puts the new head in line.
- 🛑, closing the PR or removing ``testenv-up`` leave the queue (the teardown removes every 🎪
  state label).
- :func:`dequeue` starts the head of the line (the cleanup decides who, with
  :func:`~showtime_iac.core.queue.admit`): exactly the queued commit, and only while it is the
  PR's head.
"""

from __future__ import annotations

from showtime_iac.core import labels as L
from showtime_iac.core.model import Show, Status
from showtime_iac.core.plan import Ctx, Plan, comment_text, skip
from showtime_iac.core.queue import Queued, live_shows, place_line, queued_show, waiting_line
from showtime_iac.core.rules.rolling import claim

__all__ = ["DEQUEUE", "dequeue", "enqueue", "leave_queue", "requeue_on_push", "turn"]

#: the cleanup's event action that starts a PR at the head of the queue
DEQUEUE = "dequeue"


def turn(ctx: Ctx, head: str, requester: str) -> int | None:
    """The place in line a start of ``head`` must wait at, or None when it may start now:
    no fleet counted, an environment already there (an update is never queued), or a slot
    free for it and for everyone ahead of it."""
    fleet = ctx.fleet
    if fleet is None or ctx.st.active is not None or live_shows(ctx.st):
        return None
    entry = _entry(ctx, head, requester)
    place = waiting_line(fleet.queue, entry)
    if fleet.total + place - 1 < ctx.policy.max_environments:
        return None
    return place


def _entry(ctx: Ctx, head: str, requester: str) -> Queued:
    mine = queued_show(ctx.st)
    since = mine.created if mine is not None and mine.created is not None else ctx.now
    return Queued(since, ctx.pr.number, head, requester)


def _queued_labels(st: L.LabelState) -> set[str]:
    """Every label of the PR's queued SHAs."""
    return {n for s in st.shows.values() if s.status is Status.QUEUED for n in st.labels_of(s.sha)}


def enqueue(
    ctx: Ctx,
    head: str,
    requester: str,
    place: int,
    consume: tuple[str, ...],
    config: tuple[str, ...] = (),
    why: str = "start requested",
) -> Plan:
    """Put (or keep) the PR in line at ``place`` for ``head``."""
    st, pr = ctx.st, ctx.pr
    entry = _entry(ctx, head, requester)
    show = Show(
        sha=head,
        status=Status.QUEUED,
        created=entry.since,
        requester=requester if requester != "unknown" else None,
        config=config,
    )
    drop = _queued_labels(st) | set(consume) | set(st.labels_of(head))
    desired = [n for n in st.labels if n not in drop] + L.render_show(show)
    d = L.diff(st.labels, desired)
    fleet = ctx.fleet
    running = fleet.total if fleet is not None else 0
    line = place_line(place)
    lines = [
        line,
        f"{running} environments are running, the maximum is {ctx.policy.max_environments}",
        f"`{head}` for @{requester}: that commit starts, nothing else",
        "a push to a fork leaves the queue; `🎪 🛑 showtime-trigger-stop` leaves it too",
    ]
    return Plan(
        pr=pr.number,
        intent="queue",
        add_labels=d.add,
        remove_labels=d.remove,
        comment=comment_text("Environment queued", lines),
        reasons=(why, f"fleet full: {line}"),
        warnings=st.warnings,
        sha=head,
    )


def leave_queue(ctx: Ctx, why: str, lines: list[str]) -> Plan:
    """Remove the PR's queued labels and say why."""
    st = ctx.st
    gone = tuple(n for n in st.labels if n in _queued_labels(st))
    show = queued_show(st)
    return Plan(
        pr=ctx.pr.number,
        intent="refuse",
        remove_labels=gone,
        comment=comment_text("Left the queue", lines),
        reasons=(why,),
        warnings=st.warnings,
        sha=show.sha if show is not None else None,
    )


def requeue_on_push(ctx: Ctx, head: str) -> Plan | None:
    """A push to a queued PR: a fork's leaves the queue, a branch of this repository's keeps
    its place for the new head. None when the PR is not queued."""
    show = queued_show(ctx.st)
    if show is None or live_shows(ctx.st):
        return None
    if show.sha == head:
        return skip(ctx.pr.number, f"{head} is already queued", ctx.st, head)
    if ctx.pr.is_fork:
        return leave_queue(
            ctx,
            f"fork PR: new commit {head}, the queued {show.sha} no longer is the head",
            [
                f"`{show.sha}` was queued; `{head}` was pushed since",
                "a maintainer adds `🎪 ⚡ showtime-trigger-start` again to queue the new head",
            ],
        )
    place = waiting_line(ctx.fleet.queue, _entry(ctx, head, "")) if ctx.fleet else 1
    requester = show.requester or ctx.event.actor or ctx.pr.author or "unknown"
    return enqueue(
        ctx, head, requester, place, (), show.config, why=f"new commit {head}: same place"
    )


def dequeue(ctx: Ctx) -> Plan:
    """A slot freed and this PR is first in line: start the queued commit, if it still is
    the PR's head; otherwise it leaves the queue."""
    st, pr = ctx.st, ctx.pr
    show = queued_show(st)
    if show is None or live_shows(st):
        return skip(pr.number, "not queued", st)
    head = (pr.head_sha or "")[:7]
    if head != show.sha:
        return leave_queue(
            ctx,
            f"queued {show.sha} is no longer the PR's head ({head or 'unknown'})",
            [
                f"`{show.sha}` was queued; the PR's head is `{head or 'unknown'}` now",
                "a maintainer adds `🎪 ⚡ showtime-trigger-start` again to queue the new head",
            ],
        )
    since = L.format_timestamp(show.created) if show.created else "unknown"
    base = Show(sha=show.sha, config=show.config)  # the lifetime counts from the start
    return claim(
        ctx,
        show.sha,
        show.requester or "unknown",
        base=base,
        consume=(),
        why=f"a slot freed: queued since {since}",
    )
