"""The orphan sweep's decision, pure: which tagged AWS resources may be deleted, and why.

The AWS adapter lists the candidates (:class:`TaggedResource`: kind, name, id, tags, age) of
every kind an environment stack or a router stack leaves (:data:`KINDS`) and deletes what
:func:`classify_orphans` marks ``delete``, in :data:`KINDS` order (a service before its
security group, a listener rule before its target group, a role's policies with the role).
Nothing without our tags is ever touched; nothing whose stack exists is ever deleted (the
stack owns it: a 🔒 blocked PR's stack stays whole); an ECR image, which carries no AWS tags,
is deleted only when more than its tag name says it is ours.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, get_args

from showtime_iac.core.model import SHA_RE, resource_names, router_stack_name

__all__ = [
    "KINDS",
    "DeleteResult",
    "OrphanDecision",
    "ResourceKind",
    "TaggedResource",
    "classify_orphans",
    "deletion_order",
    "orphan_count",
]

#: every kind the sweep knows, in the order it deletes them: the service first (its tasks'
#: network interfaces hold the security group), a listener rule before the target group it
#: forwards to, the image last (a service may still be pulling it)
ResourceKind = Literal[
    "ecs-service",
    "listener-rule",
    "target-group",
    "security-group",
    "task-definition",
    "iam-role",
    "secret",
    "log-group",
    "ecr-image",
]
#: :data:`ResourceKind`'s kinds, in that order (the deletion order)
KINDS: tuple[ResourceKind, ...] = get_args(ResourceKind)
#: the tag a router stack's resources carry (``core.routing.router_tags``)
ROUTER_ROLE = ("showtime:role", "router")


@dataclass(frozen=True)
class TaggedResource:
    """One AWS resource found by the sweep. ``ident`` is what deletion needs (ARN, name,
    or for an ECR image its digest); ``tags`` are its AWS tags (for an ECR image, which
    cannot carry tags, those its image tag encodes). ``unproven`` is the adapter's reason
    when nothing but the name says the resource is ours (an ECR image in a repository that
    showtime-iac does not manage, with no tagged resource of the same PR and SHA): never
    deleted."""

    kind: ResourceKind
    name: str
    ident: str
    tags: Mapping[str, str]
    created: datetime | None = None
    other_image_tags: tuple[str, ...] = ()
    unproven: str | None = None


@dataclass(frozen=True)
class OrphanDecision:
    resource: TaggedResource
    action: Literal["delete", "keep", "skip"]
    reason: str
    pr: int | None = None
    stack: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.resource.kind,
            "name": self.resource.name,
            "id": self.resource.ident,
            "pr": self.pr,
            "stack": self.stack,
            "action": self.action,
            "reason": self.reason,
        }


def _expected_name(kind: ResourceKind, pr: int, sha: str) -> str:
    """The name (or, for a secret and a listener rule, the start of the name) the program
    gives resource ``kind`` of PR ``pr`` at ``sha``; a listener rule's name is its host."""
    n = resource_names(pr, sha)
    return {
        "ecs-service": n.service,
        "task-definition": n.task_family,
        "log-group": n.log_group,
        "ecr-image": n.image_tag,
        "target-group": n.target_group,
        "security-group": n.security_group,
        "iam-role": n.execution_role,
        "secret": n.secret_prefix,  # name_prefix: Pulumi appends a unique suffix
        "listener-rule": f"{n.stack}.",  # host pr-N-sha7.<domain>
    }[kind]


def _name_matches(kind: ResourceKind, name: str, expected: str) -> bool:
    if kind in ("secret", "listener-rule"):
        return name.startswith(expected) and len(name) > len(expected)
    return name == expected


def _owner(r: TaggedResource, pr: int, sha7: str) -> tuple[str | None, str]:
    """The stack that owns ``r`` by its tags, and the name its tags give it. A router stack's
    rule (``showtime:role=router``, host ``pr-N.<domain>``) is owned by ``pr-N-router``, not
    by a SHA's stack; a router's tags on any other kind: no owner (never ours)."""
    if r.tags.get(ROUTER_ROLE[0]) == ROUTER_ROLE[1]:
        if r.kind != "listener-rule":
            return None, ""
        return router_stack_name(pr), f"pr-{pr}."
    return resource_names(pr, sha7).stack, _expected_name(r.kind, pr, sha7)


def _decide(
    r: TaggedResource,
    live_stacks: frozenset[str],
    open_prs: frozenset[int],
    now: datetime,
    min_age: timedelta,
) -> OrphanDecision:
    pr_tag, sha_tag = r.tags.get("showtime:pr"), r.tags.get("showtime:sha")
    if pr_tag is None or sha_tag is None:
        return OrphanDecision(r, "skip", "no showtime:pr/showtime:sha tags: never touched")
    if not pr_tag.isdigit() or pr_tag.startswith("0") or not SHA_RE.match(sha_tag):
        return OrphanDecision(
            r, "skip", f"malformed tags showtime:pr={pr_tag[:20]!r} showtime:sha={sha_tag[:50]!r}"
        )
    pr = int(pr_tag)
    owner, expected = _owner(r, pr, sha_tag[:7])
    name = r.name.split(":", 1)[0] if r.kind == "task-definition" else r.name
    if owner is None:
        return OrphanDecision(r, "skip", f"a router's tags on a {r.kind}: not ours", pr)
    if not _name_matches(r.kind, name, expected):
        shown = expected + ("…" if r.kind in ("secret", "listener-rule") else "")
        return OrphanDecision(
            r, "skip", f"name {name!r} does not match its tags (expected {shown!r})", pr
        )
    if r.kind == "ecr-image" and r.other_image_tags:
        return OrphanDecision(
            r,
            "skip",
            f"image also tagged {', '.join(r.other_image_tags)}: not ours alone",
            pr,
            owner,
        )
    if r.unproven is not None:
        return OrphanDecision(r, "skip", r.unproven, pr, owner)
    live, is_open = owner in live_stacks, pr in open_prs
    if live:
        # the stack owns it, open PR or not (a 🔒 blocked closed PR keeps its stack whole):
        # only destroying the stack removes it
        state = "open" if is_open else "closed"
        return OrphanDecision(r, "keep", f"stack {owner} exists (PR #{pr} is {state})", pr, owner)
    if r.created is not None and now - r.created < min_age:
        # a resource AWS dates a little after our clock (skew) was made just now, not "-1 min ago"
        age = max(0, int((now - r.created).total_seconds() // 60))
        return OrphanDecision(
            r,
            "keep",
            f"created {age} min ago, inside the {min_age} grace period (a deploy may be running)",
            pr,
            owner,
        )
    why = []
    if not live:
        why.append(f"stack {owner} no longer exists")
    if not is_open:
        why.append(f"PR #{pr} is closed")
    return OrphanDecision(r, "delete", " and ".join(why), pr, owner)


def classify_orphans(
    resources: Iterable[TaggedResource],
    live_stacks: Iterable[str],
    open_prs: Iterable[int],
    now: datetime,
    min_age: timedelta = timedelta(hours=1),
) -> list[OrphanDecision]:
    """Decide, purely, what the sweep deletes.

    A resource is deleted only when all hold: it carries ``showtime:pr`` and
    ``showtime:sha``; its name is exactly the one :func:`model.resource_names` gives those
    tags (a secret's and a listener rule's host: starts with it; a router's rule: ``pr-N.``,
    owned by ``pr-N-router``); its ownership is not ``unproven``; it is older than
    ``min_age`` when its age is known (a deploy between listing stacks and listing resources
    is not an orphan; the cleanup also lists the stacks *after* the resources, which covers
    the kinds AWS gives no creation time); and its stack is not in ``live_stacks``.
    A resource whose stack exists is always kept, whatever its PR's state.
    """
    live, opened = frozenset(live_stacks), frozenset(open_prs)
    if now.tzinfo is None:  # AWS timestamps are aware: read a naive ``now`` as UTC
        now = now.replace(tzinfo=UTC)
    return [_decide(r, live, opened, now, min_age) for r in resources]


def deletion_order(decisions: Iterable[OrphanDecision]) -> list[OrphanDecision]:
    """The ``delete`` decisions in the order the sweep carries them out: by :data:`KINDS`
    (dependents first), the listing's order within a kind."""
    rank = {k: i for i, k in enumerate(KINDS)}
    todo = [d for d in decisions if d.action == "delete"]
    return sorted(todo, key=lambda d: rank[d.resource.kind])


def orphan_count(decisions: Iterable[OrphanDecision]) -> int:
    """The sweep's number: resources with our tags that no live stack owns (``delete``)."""
    return sum(1 for d in decisions if d.action == "delete")


@dataclass(frozen=True)
class DeleteResult:
    """One deletion: done, failed (``error``) or ``deferred`` (something still uses the
    resource, e.g. a stopping task's network interface holds a security group: the next
    sweep deletes it; not a failure)."""

    decision: OrphanDecision
    deleted: bool
    dry_run: bool
    error: str | None = None
    deferred: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.decision.as_dict(),
            "deleted": self.deleted,
            "dry_run": self.dry_run,
            "error": self.error,
            "deferred": self.deferred,
        }
