"""Lifetimes: the idle TTL and the hard max age of one environment, from its labels. Pure.

The idle TTL counts from the last activity the labels record: 📅 (every deploy writes a new
one) and ``/showtime extend`` (which re-writes ⌛ so that the idle deadline is ``extend``
from the command), or from the last request the load balancer saw (HTTPS mode: the caller
reads it and passes it in), whichever is later. The max age counts from the PR's first
environment: the claim of every later commit carries the ⌛ label's ``max`` forward. A pin
(``/showtime keep-alive``, TTL ``manual``) lifts the idle TTL; only an admin's pin lifts the
max age too (``max never``). A sleeping environment (``idle_action = "sleep"``) has no idle
deadline left: only its max age ends it.

Every reading errs towards the earlier end: a 📅 or a request in the future (clock skew
between runners) counts from ``now``; a recorded max age is never later than 📅 plus the
policy's max age; a request never moves the max age.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from showtime_iac.core.model import Policy, Show, Status

__all__ = ["Deadlines", "deadlines", "goes_to_sleep", "max_age_for"]


@dataclass(frozen=True)
class Deadlines:
    """When an environment ends. ``idle_at`` None: no idle expiry (pinned, ``close``,
    ``manual``, or no 📅); ``max_at`` None: no max age (lifted by an admin, or no 📅).
    ``last_request``: the request ``idle_at`` counts from (None: it counts from 📅)."""

    idle_at: datetime | None
    max_at: datetime | None
    last_request: datetime | None = None

    @property
    def end(self) -> datetime | None:
        """The first of the two deadlines; None when neither applies."""
        ends = [d for d in (self.idle_at, self.max_at) if d is not None]
        return min(ends) if ends else None

    @property
    def reason(self) -> Literal["idle", "max age"] | None:
        if self.end is None:
            return None
        return "max age" if self.end == self.max_at else "idle"

    def expired(self, now: datetime) -> bool:
        """Exactly at the deadline counts as expired."""
        end = self.end
        return end is not None and now >= end


def deadlines(
    show: Show, now: datetime, policy: Policy, last_request: datetime | None = None
) -> Deadlines:
    """The deadlines of one show at ``now`` (``now`` only caps a 📅 or a request from the
    future). ``last_request``: when the load balancer last saw a request for the show (None:
    unknown, or public-IP mode): it keeps the environment one idle period from then (its TTL,
    at most the policy's ``default_ttl``), never less than 📅 plus the TTL."""
    if show.created is None:
        # no 📅: nothing to count from, except a recorded max age
        return Deadlines(None, None if show.max_lifted else show.max_at)
    start = min(show.created, now)
    duration = show.ttl.duration if show.ttl is not None else None
    if show.status is Status.SLEEPING:
        duration = None  # asleep already: idleness costs nothing more, the max age still ends it
    seen = None if last_request is None or duration is None else min(last_request, now)
    if seen is not None and seen <= start:
        seen = None  # 📅 is the later activity
    idle_at = None if duration is None else start + duration
    if idle_at is not None and duration is not None and seen is not None:
        # a request keeps it one idle period from then: the TTL, but no more than the
        # policy's default (an `extend` writes a TTL counted from 📅, e.g. 144h on day 5,
        # which must not become 144h from every request)
        period = min(duration, policy.default_ttl.duration or duration)
        idle_at = max(idle_at, seen + period)
    if show.max_lifted:
        return Deadlines(idle_at, None, seen)
    cap = start + policy.max_age
    max_at = cap if show.max_at is None else min(show.max_at, cap)
    return Deadlines(idle_at, max_at, seen)


def goes_to_sleep(show: Show, dl: Deadlines, idle_action: str, at: datetime) -> bool:
    """At ``at`` (its deadline, or the time a warning announced) the environment is put to
    sleep rather than torn down: the policy says so, it is running, and idleness ends it,
    not the max age (which is hard: past it, nothing sleeps)."""
    return (
        idle_action == "sleep"
        and dl.reason == "idle"
        and show.status is Status.RUNNING
        and (dl.max_at is None or at < dl.max_at)
    )


def max_age_for(base: Show | None, now: datetime, max_age: timedelta) -> datetime:
    """The max-age deadline a new claim records: its predecessor's, else the predecessor's
    📅 plus the max age (a label of the original tool), else ``now`` plus the max age."""
    if base is not None and base.max_at is not None:
        return base.max_at
    if base is not None and base.created is not None:
        return min(base.created, now) + max_age
    return now + max_age
