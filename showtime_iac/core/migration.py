"""Migration from Superset Showtime, pure: per environment of the original, ``migrate`` /
``prune`` / ``leave`` and why (:func:`decide`); what may be deleted for it, checked by name
pattern, by tags and by what the labels said (:func:`deletions`); the labels rewritten in our
dialect (:func:`migrated_labels`, :func:`pruned_labels`). No I/O, no clock.

What the original is (its names, its label dialect, what AWS holds of it) is in
:mod:`showtime_iac.core.original`; the AWS side of a migration in
:mod:`showtime_iac.adapters.aws.original`; the run in :mod:`showtime_iac.app.migrate`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

from showtime_iac.core import labels as L
from showtime_iac.core.model import (
    FLAG_RE,
    LOGIN_RE,
    SHA_RE,
    EnvConfig,
    InputError,
    Policy,
    PrInfo,
    Show,
    Status,
    Ttl,
    resource_names,
    stack_name,
)
from showtime_iac.core.original import (
    ORIGINAL_DEFAULT_TTL,
    ORIGINAL_TASK_FAMILY,
    OriginalEnv,
    OriginalInventory,
    OriginalLabels,
    OriginalService,
    OriginalShow,
    labels_of,
    original_names,
    parse_original,
)

__all__ = [
    "Action",
    "Deletion",
    "MigrationDecision",
    "decide",
    "deletions",
    "migrated_labels",
    "names_collide",
    "pruned_labels",
]

_IN_PROGRESS = frozenset({"building", "built", "deploying", "updating"})


def names_collide(pr: int, sha: str) -> list[str]:
    """Our AWS names that equal the original's for one environment (must be none: deleting
    the original's would delete ours, and its sweep would reach them)."""
    ours, theirs = resource_names(pr, sha), original_names(pr, sha)
    out = []
    if ours.service == theirs.service:
        out.append(f"service {ours.service}")
    if ours.image_tag == theirs.image_tag:
        out.append(f"image tag {ours.image_tag}")
    if ours.task_family == ORIGINAL_TASK_FAMILY:
        out.append(f"task family {ours.task_family}")
    return out


# --- the decision ---------------------------------------------------------------------------

Action = Literal["migrate", "prune", "leave"]


@dataclass(frozen=True)
class MigrationDecision:
    """One environment of the original and what migration does with it, and why."""

    pr: int
    sha: str
    action: Action
    reasons: tuple[str, ...]
    env: OriginalEnv
    show: OriginalShow | None = None
    active: bool = False  # the environment serving the PR (🎯, or the running one without)
    pointer: bool = False  # a 🎯 label names it
    pr_state: str = "open"
    full_sha: str | None = None
    ttl: str = ORIGINAL_DEFAULT_TTL
    requester: str = "unknown"
    created: datetime | None = None
    flags: tuple[tuple[str, bool], ...] = ()

    def target(self, repo: str) -> EnvConfig:
        """Our environment for this SHA: same SHA, image, TTL (and deadline), requester."""
        return EnvConfig(
            pr=self.pr,
            sha=self.full_sha or self.sha,
            repo=repo,
            image=self.env.service.image if self.env.service else None,
            ttl=Ttl(self.ttl),
            requester=self.requester,
            created=self.created,
            flags=self.flags,
        )

    def to_json(self) -> dict[str, Any]:
        s = self.show
        return {
            "pr": self.pr,
            "sha": self.sha,
            "pr_state": self.pr_state,
            "action": self.action,
            "reasons": list(self.reasons),
            "labels": None
            if s is None
            else {
                "status": s.status,
                "active": self.active,
                "pointer": self.pointer,
                "ip": s.ip,
                "created": s.created,
                "requester": s.requester,
                "ttl": self.ttl,
            },
            "aws": self.env.to_json(),
            "stack": stack_name(self.pr, self.sha) if SHA_RE.match(self.sha) else None,
        }


def _ttl(raw: str, policy: Policy) -> tuple[str, list[str]]:
    try:
        ttl = Ttl.parse(raw)
    except InputError:
        return ORIGINAL_DEFAULT_TTL, [f"TTL {raw[:20]!r} unreadable: {ORIGINAL_DEFAULT_TTL}"]
    d, cap = ttl.duration, policy.max_ttl.duration
    if d is not None and cap is not None and d > cap:
        return policy.max_ttl.value, [f"TTL {ttl} above the policy maximum: {policy.max_ttl}"]
    return ttl.value, []


def _flags(svc: OriginalService | None) -> tuple[tuple[tuple[str, bool], ...], list[str]]:
    out: list[tuple[str, bool]] = []
    notes: list[str] = []
    for name, value in svc.flags if svc else ():
        flag = name.removeprefix("SUPERSET_FEATURE_")
        if FLAG_RE.match(flag) and not any(f == flag for f, _ in out):
            out.append((flag, value.lower() in ("true", "1", "yes")))
        else:
            notes.append(f"feature flag {name[:40]!r} not carried over")
    return tuple(out), notes


def _full_sha(sha: str, pr: PrInfo, commits: Sequence[str] | None) -> tuple[str | None, bool]:
    """The full SHA, and whether it is gone (known not to be a commit of the PR)."""
    if pr.head_sha.startswith(sha):
        return pr.head_sha, False
    for c in commits or ():
        if c.startswith(sha):
            return c, False
    # GitHub lists at most 250 commits of a PR: beyond that, absence proves nothing
    complete = commits is not None and len(commits) < 250
    return None, complete


def _blocker(st: OriginalLabels, show: OriginalShow | None, env: OriginalEnv) -> str | None:
    """Why this environment must be left alone, if it must."""
    if st.blocked:
        return "🎪 🔒 showtime-blocked: no operation on this PR (remove it and migrate again)"
    if len(st.active) > 1:
        return f"several 🎯 pointers ({', '.join(st.active)}): fix the labels first"
    if show is not None and show.conflicts:
        return f"conflicting {', '.join(show.conflicts)} labels for {show.sha}: fix them first"
    if show is not None and show.status in _IN_PROGRESS:
        return f"the original is working on it (🚦 {show.status}): migrate again once it settles"
    if not SHA_RE.match(env.sha):
        return f"{env.sha!r} is not a commit SHA"
    return None


def _one(
    pr: PrInfo,
    st: OriginalLabels,
    env: OriginalEnv,
    commits: Sequence[str] | None,
    our_stacks: frozenset[str],
    policy: Policy,
) -> MigrationDecision:
    show = st.shows.get(env.sha)
    active, pointer = st.serving_sha == env.sha, env.sha in st.active
    base = MigrationDecision(pr.number, env.sha, "leave", (), env, show, active, pointer, pr.state)
    stack = stack_name(pr.number, env.sha) if SHA_RE.match(env.sha) else None
    if env.empty and ((show is not None and show.ours) or stack in our_stacks):
        return _with(base, "leave", "already ours: nothing of the original is left")
    if not pr.is_open:
        return _prune(base, f"PR #{pr.number} is closed")
    blocker = _blocker(st, show, env)
    if blocker:
        return _with(base, "leave", blocker)
    if show is None:
        return _prune_by_labels(base, "left behind by the original: no 🎪 label names it")
    if show.status != "running":
        return _prune_by_labels(base, f"🚦 {show.status} in the original")
    if not active:
        serving = st.serving_sha
        if serving is None and not st.active:
            return _with(base, "leave", "several running, no 🎯 and no newest: fix the labels")
        that = f"{serving} is" if serving else "none is"
        return _prune_by_labels(base, f"not the environment serving the PR ({that})")
    if env.service is None:
        return _with(
            base,
            "leave",
            f"labels say running but there is no service {_svc(env)}: check"
            " ECS_CLUSTER and AWS_REGION",
        )
    full, gone = _full_sha(env.sha, pr, commits)
    if gone:
        return _prune(base, f"{env.sha} is no longer a commit of PR #{pr.number}")
    collide = names_collide(pr.number, env.sha)
    if collide:
        return _with(base, "leave", f"our {', '.join(collide)} equal the original's: upgrade first")
    return _migrate(base, st, show, full, policy)


def _svc(env: OriginalEnv) -> str:
    return original_names(env.pr, env.sha).service


def _with(d: MigrationDecision, action: Action, *reasons: str) -> MigrationDecision:
    return replace(d, action=action, reasons=reasons)


def _prune(d: MigrationDecision, reason: str) -> MigrationDecision:
    if d.env.empty:
        return _with(d, "prune", reason, "labels only: nothing of the original in AWS")
    return _with(d, "prune", reason)


def _prune_by_labels(d: MigrationDecision, reason: str) -> MigrationDecision:
    """A prune only labels argue for: anyone who may label the PR can strip or forge them, so
    a service of the original that AWS says still runs (desired or running tasks) is left."""
    svc = d.env.service
    if svc is not None and (svc.desired > 0 or svc.running > 0):
        return _with(
            d,
            "leave",
            f"its service still runs in AWS ({svc.running}/{svc.desired} tasks): never pruned"
            " from labels alone",
            reason,
        )
    return _prune(d, reason)


def _migrate(
    d: MigrationDecision,
    st: OriginalLabels,
    show: OriginalShow,
    full: str | None,
    policy: Policy,
) -> MigrationDecision:
    notes: list[str] = []
    ttl, n = _ttl(st.ttl, policy)
    notes += n
    requester = show.requester or "unknown"
    if requester != "unknown" and not LOGIN_RE.match(requester):
        notes.append(f"requester {requester[:40]!r} is not a GitHub login: unknown")
        requester = "unknown"
    flags, n = _flags(d.env.service)
    notes += n
    svc = d.env.service
    created = show.created_at or (svc.created if svc else None)
    why = f"running in the original at {show.ip or '?'}: ours takes over, same SHA and TTL"
    return replace(
        d,
        action="migrate",
        reasons=(why, *notes),
        full_sha=full,
        ttl=ttl,
        requester=requester,
        created=created,
        flags=flags,
    )


def decide(
    pr: PrInfo,
    envs: Mapping[tuple[int, str], OriginalEnv],
    commits: Sequence[str] | None,
    our_stacks: Iterable[str],
    policy: Policy,
) -> list[MigrationDecision]:
    """Every environment of the original on one PR (from its labels and from AWS), decided.

    - **migrate**: the 🎯 SHA, 🚦 running, its service there, the PR open, the SHA still one
      of the PR's commits, and our names distinct from the original's;
    - **prune** (only with ``--prune``): on a closed PR, a SHA no longer in the PR, a failed
      or non-active environment, or AWS resources no label names;
    - **leave**: blocked PR, ambiguous labels, a deploy of the original in progress, labels
      without a service, or nothing of the original left.
    """
    st = parse_original(pr.labels)
    mine = {k: e for k, e in envs.items() if k[0] == pr.number}
    for sha in st.shows:
        mine.setdefault((pr.number, sha), OriginalEnv(pr.number, sha))
    stacks = frozenset(our_stacks)
    return [_one(pr, st, mine[k], commits, stacks, policy) for k in sorted(mine)]


# --- what may be deleted --------------------------------------------------------------------


@dataclass(frozen=True)
class Deletion:
    kind: Literal["ecs-service", "task-definition", "ecr-image"]
    name: str
    ident: str


def _ours(tags: Mapping[str, str]) -> bool:
    return any(k.startswith("showtime:") for k in tags)


def deletions(
    d: MigrationDecision, inventory: OriginalInventory
) -> tuple[list[Deletion], list[str]]:
    """What may be deleted for one environment, and what is refused (and why).

    A service only when its name is exactly ``pr-{pr}-{sha}-service``, its tags say
    ``showtime_managed=true`` and ``pr={pr}``, it carries none of our ``showtime:*`` tags and,
    for a migration, the labels said this SHA runs; a task definition only of family
    ``superset-ci``, run by that service or naming its image, and run by no other service; an
    ECR tag only ``pr-{pr}-{sha}-ci``.
    """
    names = original_names(d.pr, d.sha)
    out: list[Deletion] = []
    refused: list[str] = []
    svc = d.env.service
    if d.action == "migrate" and (d.show is None or d.show.status != "running" or not d.active):
        return [], [f"the labels do not say {d.sha} runs in the original: nothing deleted"]
    if svc is not None:
        tags = svc.tags
        if svc.name != names.service:
            refused.append(f"service {svc.name}: not named {names.service}")
        elif _ours(tags):
            refused.append(f"service {svc.name}: carries showtime:* tags (ours)")
        elif tags.get("showtime_managed") != "true" or tags.get("pr") != str(d.pr):
            refused.append(f"service {svc.name}: tags do not say showtime_managed, pr={d.pr}")
        else:
            out.append(Deletion("ecs-service", svc.name, svc.arn))
    others = {
        s.task_definition
        for s in inventory.services
        if s.name != names.service and s.status != "INACTIVE"
    }
    for td in d.env.task_definitions:
        mine = (svc is not None and td.arn == svc.task_definition) or td.image == names.image
        if td.family != ORIGINAL_TASK_FAMILY or not mine or _ours(td.tags):
            refused.append(f"task definition {td.arn}: not the original's for {d.sha}")
        elif td.arn in others:
            refused.append(f"task definition {td.arn}: another service runs it")
        else:
            out.append(Deletion("task-definition", f"{td.family}:{td.revision}", td.arn))
    for tag in d.env.ecr_tags:
        if tag == names.image_tag:
            out.append(Deletion("ecr-image", tag, tag))
        else:
            refused.append(f"ECR tag {tag}: not {names.image_tag}")
    return out, refused


# --- labels ---------------------------------------------------------------------------------


def _drop_pr_ttl(labels: Sequence[str], sha: str) -> list[str]:
    """The PR-level ``🎪 ⌛`` labels, once no other show of the original relies on them."""
    st = parse_original(labels)
    if set(st.shows) - {sha}:
        return []
    return [n for n in labels if n.startswith("🎪 ⌛ ")]


def migrated_labels(
    labels: Iterable[str], d: MigrationDecision, address: str, cfg: EnvConfig
) -> L.LabelDiff:
    """The PR's labels once ours serves ``d.sha`` at ``address``: the original's labels of
    that SHA become ours (👤 for 🤡, a per-SHA ⌛, the new 🌐); labels both dialects write
    the same (🚦 running, 📅, 🎯) stay; other SHAs' labels are untouched."""
    current = tuple(labels)
    drop = set(labels_of(current, d.sha)) | set(_drop_pr_ttl(current, d.sha))
    show = Show(
        sha=d.sha,
        status=Status.RUNNING,
        ip=address,
        created=cfg.created,
        ttl=cfg.ttl,
        requester=cfg.requester if cfg.requester != "unknown" else None,
        config=cfg.config_items(),
    )
    desired = [n for n in current if n not in drop]
    desired += [*L.render_show(show), L.render_pointer("active", d.sha)]
    return L.diff(current, desired)


def pruned_labels(labels: Iterable[str], sha: str) -> L.LabelDiff:
    """The PR's labels without the original's environment ``sha`` (and its 🎯)."""
    current = tuple(labels)
    drop = set(labels_of(current, sha)) | set(_drop_pr_ttl(current, sha))
    return L.diff(current, [n for n in current if n not in drop])
