"""The cleanup's expiry decision for one PR: warn once, then tear down. Pure.

The warning is a label, ``🎪 {sha7} ⚠️ {teardown time}``, plus a comment that says how to keep
the environment. A label because the planner reads only labels: the next cleanup sees that
(and when) it warned, with no extra API read and nothing to find in the comment's history; and
a push or a command withdraws it in the same label diff that records the activity. The comment
is a new one (not the sticky comment's edit), because only a new comment notifies.

The teardown time is ``max(deadline, now + warn_before)`` rounded up to the minute, so the
promised notice holds even when the cleanup runs less often than ``warn_before``. A teardown
happens only while a warning is on the PR and its time has come: a push or a command after the
warning removes it (rolling.claim, planner.decide), so that environment is warned again first.
``warn_before = 0`` turns warnings off (the old behaviour: torn down once expired).

With ``idle_action = "sleep"`` an idle *running* environment is put to sleep instead
(:mod:`core.rules.sleep`), warned the same way; the max age always destroys.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from showtime_iac.core import labels as L
from showtime_iac.core.lifetimes import Deadlines, deadlines, goes_to_sleep
from showtime_iac.core.model import Show
from showtime_iac.core.plan import Ctx, Plan, comment_text, skip, warned_labels
from showtime_iac.core.rules.lifecycle import teardown
from showtime_iac.core.rules.sleep import sleep

__all__ = ["on_schedule"]


def _ceil_minute(when: datetime) -> datetime:
    floor = when.replace(second=0, microsecond=0)
    return floor if floor == when else floor + timedelta(minutes=1)


def _fmt(when: datetime) -> str:
    return f"{when:%Y-%m-%d %H:%M} UTC"


def _seen(dl: Deadlines) -> str:
    """`` (last request …)`` when the first deadline is the idle one, counted from a request."""
    if dl.last_request is None or dl.reason != "idle":
        return ""
    return f" (last request {_fmt(dl.last_request)})"


def _why(show: Show, dl: Deadlines, ctx: Ctx) -> str:
    if dl.reason == "max age":
        return f"max age of {_days(ctx.policy.max_age)} reached"
    return f"idle TTL {show.ttl} expired"


def _days(d: timedelta) -> str:
    return f"{d.days}d" if d.days and not d.seconds else f"{int(d.total_seconds()) // 3600}h"


def _sleeps(show: Show, dl: Deadlines, ctx: Ctx, at: datetime) -> bool:
    return goes_to_sleep(show, dl, ctx.policy.idle_action, at)


def _end(ctx: Ctx, show: Show, dl: Deadlines) -> Plan:
    """The deadline has come (and was announced): sleep, or tear down."""
    why = _why(show, dl, ctx)
    if dl.max_at is not None and ctx.now >= dl.max_at:
        why = f"max age of {_days(ctx.policy.max_age)} reached"
    if _sleeps(show, dl, ctx, ctx.now):
        plan = sleep(ctx, show, why)
        if plan is not None:
            return plan
        why += " (its ⚙️ labels are invalid: it cannot sleep)"
    return teardown(ctx.pr, ctx.st, ctx.known, why, keep_legacy=False)


def on_schedule(ctx: Ctx) -> Plan:
    """The cleanup's decision for one open PR's active environment."""
    st, pr, now, policy = ctx.st, ctx.pr, ctx.now, ctx.policy
    active = st.active
    if active is None:
        return skip(pr.number, "not expired", st)
    dl = deadlines(active, now, policy, ctx.last_request)
    end = dl.end
    if end is None:
        return skip(pr.number, "not expired: no deadline (pinned, or until the PR closes)", st)
    if policy.warn_before <= timedelta(0):
        if dl.expired(now):
            return _end(ctx, active, dl)
        return skip(pr.number, f"not expired: {dl.reason} deadline {_fmt(end)}{_seen(dl)}", st)
    if active.warned is None:
        if now < end - policy.warn_before:
            return skip(pr.number, f"not expired: {dl.reason} deadline {_fmt(end)}{_seen(dl)}", st)
        return _warn(ctx, active, dl, _ceil_minute(max(end, now + policy.warn_before)))
    if _ceil_minute(end) > active.warned:
        # the deadline moved after the warning (an extend, a pin, requests): warning withdrawn
        return Plan(
            pr=pr.number,
            intent="warn",
            remove_labels=warned_labels(st),
            reasons=(
                f"deadline moved to {_fmt(end)}{_seen(dl)} after the warning: warning withdrawn",
            ),
            warnings=st.warnings,
            sha=active.sha,
        )
    if now < active.warned:
        return skip(pr.number, f"warned: goes at {_fmt(active.warned)}", st)
    return _end(ctx, active, dl)


def _warn(ctx: Ctx, show: Show, dl: Deadlines, at: datetime) -> Plan:
    label = L.render_label(L.Attr("warned", L.format_timestamp(at), show.sha))
    sleeps = _sleeps(show, dl, ctx, at)
    what = "put to sleep (scaled to zero: the URL stays)" if sleeps else "torn down"
    if dl.reason == "max age":
        why = f"it reaches the max age of {_days(ctx.policy.max_age)}"
        keep = [
            "a push or a `/showtime` command postpones it once more by "
            f"{_days(ctx.policy.warn_before)}",
            "only an admin's `/showtime keep-alive` lifts the max age",
        ]
    else:
        why = f"it has been idle for its TTL of {show.ttl}"
        keep = [
            "push a commit, or comment `/showtime extend 24h`",
            "`/showtime keep-alive` pins it: no idle expiry (the max age still applies)",
        ]
    return Plan(
        pr=ctx.pr.number,
        intent="warn",
        add_labels=(label,),
        comment=comment_text(
            "Environment expiring",
            [f"`{show.sha}` will be {what} at {_fmt(at)}: {why}", *keep],
        ),
        reasons=(
            f"{dl.reason} deadline {_fmt(dl.end or at)}: warned, "
            f"{'sleep' if sleeps else 'teardown'} at {_fmt(at)}",
        ),
        warnings=ctx.st.warnings,
        sha=show.sha,
    )
