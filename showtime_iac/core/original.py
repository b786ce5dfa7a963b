"""Superset Showtime (the original tool, 0.7.x): its names, its label dialect and what AWS
holds of it. Pure: no I/O. Read from its code (``superset-showtime`` 0.7.1 on PyPI):

- ECS service ``pr-{pr}-{sha7}-service`` in cluster ``superset-ci`` (``ECS_CLUSTER``), tagged
  ``pr``, ``github_user``, ``showtime_created``, ``showtime_expires`` (+48 h) and
  ``showtime_managed=true`` (``AWSInterface._create_ecs_service``);
- a revision of the **shared** task definition family ``superset-ci`` whose one container
  runs the Docker Hub image ``apache/superset:pr-{pr}-{sha7}-ci``
  (``_create_task_definition_with_image_and_flags``; never deregistered by the original);
- at teardown it also deletes the ECR tag ``pr-{pr}-{sha7}-ci`` of repository ``superset-ci``
  (``ECR_REPOSITORY``; ``delete_environment``), a leftover of the GitHub Actions era;
- labels (``Show.to_circus_labels``, ``PullRequest``): ``🎪 {sha7} 🚦 {status}``,
  ``🎪 {sha7} 📅 {YYYY-MM-DDTHH-MM}``, ``🎪 {sha7} 🌐 {ip}:8080``, ``🎪 {sha7} 🤡 {login}``,
  the pointer ``🎪 🎯 {sha7}`` and one PR-level ``🎪 ⌛ {ttl}`` (default ``48h``). It never
  writes a per-SHA ``⌛`` nor ``👤``: those are ours.

:func:`parse_original` reads the labels exactly as the original does (quirks included; a
hypothesis test runs both parsers on the same labels).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from showtime_iac.core import labels as L
from showtime_iac.core.model import SHA_RE

__all__ = [
    "ORIGINAL_CLUSTER",
    "ORIGINAL_DEFAULT_TTL",
    "ORIGINAL_PORT",
    "ORIGINAL_REPOSITORY",
    "ORIGINAL_TASK_FAMILY",
    "OriginalEnv",
    "OriginalInventory",
    "OriginalLabels",
    "OriginalNames",
    "OriginalService",
    "OriginalShow",
    "OriginalTaskDefinition",
    "labels_of",
    "original_names",
    "parse_original",
    "parse_original_image",
    "parse_original_service",
]

ORIGINAL_CLUSTER = "superset-ci"
ORIGINAL_REPOSITORY = "superset-ci"
ORIGINAL_TASK_FAMILY = "superset-ci"
ORIGINAL_DEFAULT_TTL = "48h"  # showtime.core.constants.DEFAULT_TTL
ORIGINAL_PORT = 8080
_IMAGE_REPO = "apache/superset"

_SERVICE_RE = re.compile(r"^pr-([1-9][0-9]{0,9})-([0-9a-f]{7})-service$")
_IMAGE_RE = re.compile(r"^(?:docker\.io/)?apache/superset:pr-([1-9][0-9]{0,9})-([0-9a-f]{7})-ci$")
_TIME_FORMAT = "%Y-%m-%dT%H-%M"  # showtime.core.date_utils.CIRCUS_TIME_FORMAT


# --- names ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OriginalNames:
    """The names the original gives one environment (``showtime.core.show.Show``)."""

    pr: int
    sha: str

    @property
    def service(self) -> str:
        return f"pr-{self.pr}-{self.sha}-service"

    @property
    def image_tag(self) -> str:
        return f"pr-{self.pr}-{self.sha}-ci"

    @property
    def image(self) -> str:
        return f"{_IMAGE_REPO}:{self.image_tag}"


def original_names(pr: int, sha: str) -> OriginalNames:
    return OriginalNames(pr, sha[:7])


def parse_original_service(name: str) -> tuple[int, str] | None:
    """``pr-1234-abc1234-service`` → ``(1234, "abc1234")``; None for anything else."""
    m = _SERVICE_RE.match(name)
    return (int(m.group(1)), m.group(2)) if m else None


def parse_original_image(image: str) -> tuple[int, str] | None:
    """``apache/superset:pr-1234-abc1234-ci`` → ``(1234, "abc1234")``; None otherwise."""
    m = _IMAGE_RE.match(image)
    return (int(m.group(1)), m.group(2)) if m else None


# --- the original's labels ------------------------------------------------------------------


@dataclass(frozen=True)
class OriginalShow:
    """One SHA's environment as the original's labels describe it (``Show``)."""

    sha: str
    status: str
    ip: str | None = None
    created: str | None = None
    requester: str | None = None
    conflicts: tuple[str, ...] = ()
    ours: bool = False  # written by showtime-iac (a per-SHA ⌛, 👤 or ⚙️ label)

    @property
    def created_at(self) -> datetime | None:
        if self.created is None:
            return None
        try:
            return datetime.strptime(self.created, _TIME_FORMAT).replace(tzinfo=UTC)
        except ValueError:
            return None


@dataclass(frozen=True)
class OriginalLabels:
    """What the original reads from one PR's labels (``PullRequest``)."""

    shows: Mapping[str, OriginalShow]
    active: tuple[str, ...] = ()  # SHAs of the 🎯 pointers (the original keeps one)
    ttls: tuple[str, ...] = ()  # values of the PR-level ``🎪 ⌛`` labels
    blocked: bool = False
    freeze: bool = False

    @property
    def active_sha(self) -> str | None:
        """The 🎯 SHA when there is exactly one pointer (the original picks one at random)."""
        return self.active[0] if len(self.active) == 1 else None

    @property
    def active_show(self) -> OriginalShow | None:
        sha = self.active_sha
        return self.shows.get(sha) if sha else None

    @property
    def serving_sha(self) -> str | None:
        """The SHA whose environment serves the PR: the 🎯 one; without a pointer, the only
        (else the newest) 🚦 running show. 0.7.1 drops its own 🎯 right after writing it
        (``_update_show_labels`` removes what ``to_circus_labels`` does not list), so most
        of its PRs have none; its next sync still treats the running show as the one."""
        if self.active:
            return self.active_sha
        running = [s for s in self.shows.values() if s.status == "running"]
        if len(running) <= 1:
            return running[0].sha if running else None
        when = sorted(((s.created_at, s.sha) for s in running if s.created_at), reverse=True)
        if len(when) == len(running) and when[0][0] != when[1][0]:
            return when[0][1]
        return None

    @property
    def ttl(self) -> str:
        """The effective TTL as the original displays it (``_get_effective_ttl_display``)."""
        return self.ttls[0] if self.ttls else ORIGINAL_DEFAULT_TTL


_FIELDS = {"🚦": "status", "📅": "created", "🌐": "ip", "🤡": "requester"}
_OURS = ("⌛", "👤", "⚙️", "⚙")  # per-SHA emoji only showtime-iac writes


def _show_of(sha: str, labels: Sequence[str]) -> OriginalShow | None:
    """``Show.from_circus_labels``: values of every ``🎪 {sha} {emoji} {value}`` label."""
    if not any(n.startswith(f"🎪 {sha} 🚦 ") for n in labels):
        return None
    seen: dict[str, list[str]] = {}
    ours = False
    for n in labels:
        parts = n.split(" ")
        if not n.startswith("🎪") or len(parts) < 3 or parts[1] != sha:
            continue
        ours = ours or (n.startswith("🎪 ") and parts[2] in _OURS)
        key = _FIELDS.get(parts[2])
        if key is not None:
            value = " ".join(parts[3:])
            seen.setdefault(key, [])
            if value not in seen[key]:
                seen[key].append(value)
    conflicts = tuple(sorted(k for k, v in seen.items() if len(v) > 1))
    one = {k: v[0] for k, v in seen.items()}
    ip = one.get("ip")
    return OriginalShow(
        sha=sha,
        status=one.get("status", "building"),
        ip=ip.replace(":8080", "") if ip is not None else None,
        created=one.get("created"),
        requester=one.get("requester"),
        conflicts=conflicts,
        ours=ours,
    )


def parse_original(labels: Iterable[str]) -> OriginalLabels:
    """The PR's state as the original reads it. Never raises.

    Where the original's answer depends on the iteration order of a set (two 🚦 values of one
    SHA, two 🎯 pointers, two PR-level TTLs), every value is kept: ``conflicts`` and the tuples
    say so, and :func:`decide` leaves such an environment alone.
    """
    names = list(dict.fromkeys(labels))
    candidates = sorted(
        {
            p[1]
            for n in names
            if n.startswith("🎪") and len(p := n.split(" ")) >= 3 and len(p[1]) == 7
        }
    )
    shows = {sha: s for sha in candidates if (s := _show_of(sha, names)) is not None}
    active = tuple(sorted({n.split(" ")[2] for n in names if n.startswith("🎪 🎯 ")}))
    ttls = tuple(
        dict.fromkeys(n.replace("🎪 ⌛ ", "").strip() for n in names if n.startswith("🎪 ⌛ "))
    )
    return OriginalLabels(
        shows=shows,
        active=active,
        ttls=ttls,
        blocked=L.BLOCKED in names,
        freeze=L.FREEZE in names,
    )


def _names_sha(token: str, sha: str) -> bool:
    """``token`` names ``sha`` for the original (exactly) or for us (7-40 hex, any case)."""
    t = token.lower()
    return token == sha or (t[:7] == sha and SHA_RE.match(t) is not None)


def labels_of(labels: Iterable[str], sha: str) -> list[str]:
    """The labels that describe ``sha`` for either tool: per-SHA labels and its pointers."""
    out = []
    for n in labels:
        parts = n.split(" ")
        per_sha = n.startswith("🎪") and len(parts) >= 3 and _names_sha(parts[1], sha)
        pointer = (
            len(parts) == 3
            and n.startswith("🎪 ")
            and parts[1].rstrip("\ufe0f") in ("🎯", "🏗")
            and _names_sha(parts[2], sha)
        )
        if per_sha or pointer:
            out.append(n)
    return out


# --- what AWS holds of the original ---------------------------------------------------------


@dataclass(frozen=True)
class OriginalService:
    """An ECS service named like the original's, as AWS describes it."""

    name: str
    arn: str
    status: str
    tags: Mapping[str, str]
    task_definition: str | None = None
    image: str | None = None
    created: datetime | None = None
    desired: int = 0
    running: int = 0
    ip: str | None = None
    flags: tuple[tuple[str, str], ...] = ()  # SUPERSET_FEATURE_* of its task definition

    @property
    def pr_sha(self) -> tuple[int, str] | None:
        return parse_original_service(self.name)


@dataclass(frozen=True)
class OriginalTaskDefinition:
    arn: str
    family: str
    revision: int
    image: str | None
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class OriginalEnv:
    """Everything of the original's for one PR SHA: its service, task definition revisions
    and legacy ECR tag."""

    pr: int
    sha: str
    service: OriginalService | None = None
    task_definitions: tuple[OriginalTaskDefinition, ...] = ()
    ecr_tags: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return self.service is None and not self.task_definitions and not self.ecr_tags

    def to_json(self) -> dict[str, Any]:
        s = self.service
        return {
            "service": s.name if s else None,
            "service_status": s.status if s else None,
            "task_definition": s.task_definition if s else None,
            "image": s.image if s else None,
            "ip": s.ip if s else None,
            "created": s.created.strftime("%Y-%m-%dT%H:%M:%SZ") if s and s.created else None,
            "running": f"{s.running}/{s.desired}" if s else None,
            "task_definitions": [t.arn for t in self.task_definitions],
            "ecr_tags": list(self.ecr_tags),
        }


@dataclass(frozen=True)
class OriginalInventory:
    """What the AWS adapter found: services, task definitions of family ``superset-ci`` and
    ECR tags named like the original's."""

    services: tuple[OriginalService, ...] = ()
    task_definitions: tuple[OriginalTaskDefinition, ...] = ()
    ecr_tags: tuple[str, ...] = ()

    def envs(self) -> dict[tuple[int, str], OriginalEnv]:
        """Grouped per (PR, SHA): a task definition belongs to the environment whose service
        runs it, else to the one its image names; an ECR tag to the one it names."""
        by_arn = {s.task_definition: s for s in self.services if s.task_definition}
        keys: set[tuple[int, str]] = {k for s in self.services if (k := s.pr_sha)}
        tds: dict[tuple[int, str], list[OriginalTaskDefinition]] = {}
        for td in self.task_definitions:
            svc = by_arn.get(td.arn)
            key = svc.pr_sha if svc else (parse_original_image(td.image) if td.image else None)
            if key is not None:
                tds.setdefault(key, []).append(td)
                keys.add(key)
        tags: dict[tuple[int, str], list[str]] = {}
        for tag in self.ecr_tags:
            key = parse_original_image(f"{_IMAGE_REPO}:{tag}")
            if key is not None:
                tags.setdefault(key, []).append(tag)
                keys.add(key)
        services = {k: s for s in self.services if (k := s.pr_sha)}
        return {
            k: OriginalEnv(
                k[0], k[1], services.get(k), tuple(tds.get(k, ())), tuple(tags.get(k, ()))
            )
            for k in sorted(keys)
        }

    def prs(self) -> set[int]:
        return {pr for pr, _sha in self.envs()}
