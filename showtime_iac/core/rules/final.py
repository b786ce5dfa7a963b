"""The final label diffs, once the executor knows how a deploy or teardown went. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from showtime_iac.core import labels as L
from showtime_iac.core.model import Show, Status
from showtime_iac.core.plan import Plan

__all__ = ["after_healthy", "on_destroying", "on_failure", "on_success"]


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


def after_healthy(plan: Plan, labels: Iterable[str], address: str | None) -> Plan:
    """``plan`` with the labels its run writes once the new environment is healthy: what
    :func:`on_success` gives on the labels the plan's claim leaves, with ``address`` for the
    🌐 label (the PR's host in HTTPS mode; before a deploy, a placeholder for the task's
    IP). Unchanged when the plan waits for no environment."""
    op = plan.deploy
    if op is None:
        return plan
    claimed = L.apply_diff(tuple(labels), plan.label_diff)
    return replace(plan, after_healthy=on_success(claimed, op.sha, address))


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


def on_destroying(
    labels: Iterable[str], shas: Iterable[str], now: datetime | None = None
) -> L.LabelDiff:
    """Mark each SHA's environment 🚦 destroying before its stack goes (the teardown claim).

    Written first, so a token that cannot write labels fails before anything is destroyed,
    and a watcher sees the teardown while it runs. Like every claim it stamps 📅 with ``now``
    (when given): a teardown killed half-way is then known stale after the stale-claim age,
    and the lock it left is recovered. A SHA already 🚦 destroying keeps its claim's 📅 (a
    retry never makes a stale claim fresh), but its labels are still rewritten: a claim
    written half-way (additions go first) left its 🎯 and old 🚦 beside 🚦 destroying, and
    🎯 must be gone before the stack is.
    """
    current = tuple(labels)
    st = L.parse_state(current)
    desired = list(current)
    for sha in dict.fromkeys(s[:7] for s in shas):
        show = st.shows.get(sha)
        if show is None:
            continue
        drop = set(st.labels_of(sha))
        desired = [n for n in desired if n not in drop]
        if show.status == Status.DESTROYING:
            claimed = show
        else:
            claimed = replace(show, status=Status.DESTROYING, created=now or show.created)
        desired += L.render_show(claimed)
    return L.diff(current, desired)
