"""What the planner returns: a :class:`Plan` of label changes, stack operations and a comment.

Pure value types plus the small helpers every rule module shares (``skip``, the comment
layout, the stacks of one PR, the config of a show, TTL expiry and lock freshness).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from showtime_iac.core import labels as L
from showtime_iac.core.model import (
    EnvConfig,
    Event,
    InputError,
    Policy,
    PrInfo,
    Show,
    Status,
    parse_stack_name,
    stack_name,
)

if TYPE_CHECKING:
    from showtime_iac.core.queue import Queued

__all__ = [
    "Ctx",
    "Fleet",
    "Intent",
    "Plan",
    "StackOp",
    "comment_text",
    "config_for",
    "expired",
    "for_repository",
    "fresh_lock",
    "pr_stacks",
    "skip",
    "warned_labels",
]


@dataclass(frozen=True)
class Fleet:
    """Environments alive across the repository, for quotas (counted by the caller), and
    the queued starts waiting for a slot (:mod:`showtime_iac.core.queue`, first in line first;
    the PR being decided is not among them)."""

    total: int = 0
    by_requester: tuple[tuple[str, int], ...] = ()
    queue: tuple[Queued, ...] = ()

    def of(self, login: str) -> int:
        return dict(self.by_requester).get(login.lower(), 0)


Intent = Literal[
    "none",
    "start",
    "update",
    "reconfigure",
    "stop",
    "teardown",
    "refuse",
    "reply",
    "sweep",
    "warn",
    "sleep",
    "wake",
    "queue",
]
"""``sweep``: the cleanup destroys stacks that no label references (nothing else changes);
``warn``: the cleanup warns that an environment will go (or withdraws that warning);
``sleep``: the cleanup scales an idle environment to zero through its stack
(``idle_action = "sleep"``); ``wake``: it comes back (same SHA, same image); ``queue``: a
start over ``max_environments`` waits in the queue (labels and a comment, no stack)."""


@dataclass(frozen=True)
class StackOp:
    """One stack operation. ``when="after_healthy"`` runs only once the new SHA is healthy.

    An ``up`` deploys an image built from ``sha`` (the trust contract: stack ``pr-N-S`` only
    ever runs an image built from S). ``reuse_image`` marks a reconfiguration: the stack keeps
    the image it runs now, and no image of any other build may be applied to it.
    """

    action: Literal["up", "destroy"]
    stack: str
    sha: str
    when: Literal["now", "after_healthy"] = "now"
    config: EnvConfig | None = None
    reuse_image: bool = False

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
    #: stack tags to refresh without an ``up`` (a lifetime change: ``extend``, ``keep-alive``),
    #: ``((stack, ((key, value), ...)), ...)``
    retag: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()
    #: the labels the run writes once the new environment is healthy (🚦 running, 🌐, 🎯
    #: moved, the replaced SHA's labels gone), as the caller that knows the address sees
    #: them (:func:`~showtime_iac.core.rules.final.after_healthy`); None: nothing to wait
    #: for, or not worked out. The executor works them out again from the labels it reads.
    after_healthy: L.LabelDiff | None = None

    @property
    def label_diff(self) -> L.LabelDiff:
        return L.LabelDiff(self.add_labels, self.remove_labels)

    @property
    def deploy(self) -> StackOp | None:
        """The ``up`` whose health the run waits for before its final labels (None for a
        teardown, a reply, a sweep, and a sleep, whose labels are all in the claim)."""
        if self.intent in ("reply", "refuse", "sweep", "sleep"):
            return None
        return next((op for op in self.stacks if op.action == "up"), None)

    def to_json(self) -> dict[str, Any]:
        """The ``plan --json`` contract (design §5), plus ``intent``, ``sha``, reasons, warnings."""
        return {
            "pr": self.pr,
            "intent": self.intent,
            "sha": self.sha,
            "add_labels": list(self.add_labels),
            "remove_labels": list(self.remove_labels),
            "stacks": [op.to_json() for op in self.stacks],
            "after_healthy": None
            if self.after_healthy is None
            else {"add": list(self.after_healthy.add), "remove": list(self.after_healthy.remove)},
            "comment": self.comment,
            "skipped": self.skipped,
            "reasons": list(self.reasons),
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class Ctx:
    """Everything one decision reads: the event, the PR, its parsed labels, time and policy;
    ``last_request``: when the load balancer last saw a request (HTTPS mode's cleanup)."""

    event: Event
    pr: PrInfo
    st: L.LabelState
    now: datetime
    policy: Policy
    fleet: Fleet | None
    known: tuple[str, ...] = ()
    last_request: datetime | None = None


# --- helpers --------------------------------------------------------------------------------


def expired(show: Show, now: datetime, policy: Policy | None = None) -> bool:
    """True when a show's idle TTL or its max age has run out (:mod:`core.lifetimes`)."""
    from showtime_iac.core.lifetimes import deadlines

    return deadlines(show, now, policy or Policy()).expired(now)


def fresh_lock(show: Show, now: datetime, policy: Policy) -> bool:
    """A job holds this show and its claim is younger than the stale limit."""
    if show.status is None or not show.status.in_progress:
        return False
    if show.created is None:
        return False  # a claim always writes 📅: without one, nobody can prove it is alive
    return now - show.created < policy.stale_lock


def pr_stacks(pr: int, st: L.LabelState, known: Iterable[str]) -> list[str]:
    """Every stack of this PR: from the labels, plus those the caller listed."""
    # a queued request has no stack (it never started)
    names = {stack_name(pr, sha) for sha, s in st.shows.items() if s.status is not Status.QUEUED}
    for name in known:
        parsed = parse_stack_name(name)
        if parsed is not None and parsed[0] == pr:
            names.add(name)
    return sorted(names)


def warned_labels(st: L.LabelState) -> tuple[str, ...]:
    """Every ⚠️ label on the PR: the cleanup's teardown (or sleep) warnings, which a push or
    a command withdraws."""
    return tuple(
        n for n in st.labels if isinstance(v := L.parse_label(n), L.Attr) and v.kind == "warned"
    )


def skip(pr: int, reason: str, st: L.LabelState, sha: str | None = None) -> Plan:
    return Plan(
        pr=pr, intent="none", skipped=reason, reasons=(reason,), warnings=st.warnings, sha=sha
    )


def config_for(pr: PrInfo, sha: str, show: Show, policy: Policy) -> EnvConfig | None:
    """The EnvConfig of the stack to bring up, or None if the labels' config is invalid."""
    try:
        return EnvConfig.from_config_items(
            pr.number,
            sha,
            show.config,
            ttl=show.ttl or policy.default_ttl,
            requester=show.requester or "unknown",
            created=show.created,
            # recorded whole: ``never`` in the record means lifted, never "not known"
            max_age_at=None if show.max_lifted else _max_at(show, policy),
            max_lifted=show.max_lifted,
            sleeping=show.status is Status.SLEEPING,
        )
    except InputError:
        return None


def for_repository(plan: Plan, repo: str) -> Plan:
    """``plan`` with every ``up`` declaring an environment of ``repo`` (its ``showtime:repo``
    tags, the asleep page's link to the PR). The labels never name a repository: the run that
    carries the plan out knows it, so it is bound here, as the image is."""
    ops = tuple(
        replace(op, config=replace(op.config, repo=repo))
        if op.action == "up" and op.config is not None
        else op
        for op in plan.stacks
    )
    return replace(plan, stacks=ops)


def _max_at(show: Show, policy: Policy) -> datetime | None:
    """The max-age deadline to record: the label's, else its 📅 plus the max age (a label of
    the original tool); None only when neither is known (the driver records one then)."""
    if show.max_at is not None:
        return show.max_at
    return show.created + policy.max_age if show.created is not None else None


def comment_text(title: str, lines: Iterable[str]) -> str:
    body = "\n".join(f"- {line}" for line in lines)
    return f"🎪 **{title}**\n\n{body}" if body else f"🎪 **{title}**"
