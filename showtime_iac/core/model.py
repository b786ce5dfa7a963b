"""Domain types: one PR's environments, their status and TTL, and an environment's config.

Pure: no I/O, no clock, no environment variables. Everything here is immutable and
validated on construction, so a value that exists is a value that is valid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

from showtime_iac.errors import InputError, ShowtimeError

if TYPE_CHECKING:
    from showtime_iac.core.registry import ImageSource

__all__ = [
    "FLAG_RE",
    "IMAGE_TAG_PREFIX",
    "LOG_GROUP_PREFIX",
    "NAME_PREFIX",
    "TASK_FAMILY_PREFIX",
    "LOGIN_RE",
    "PINNED",
    "REPO_RE",
    "SHA_RE",
    "SIZES",
    "TAG_KEYS",
    "EnvConfig",
    "Event",
    "IdleAction",
    "ImageMismatchError",
    "InputError",
    "Policy",
    "PrInfo",
    "ResourceNames",
    "Show",
    "ShowtimeError",
    "Status",
    "Ttl",
    "image_built_from",
    "parse_stack_name",
    "resource_names",
    "resource_tags",
    "env_host",
    "login_from_tag",
    "parse_router_name",
    "pr_host",
    "router_stack_name",
    "short_sha",
    "stack_name",
    "tag_time",
    "tag_value",
]

SHA_RE = re.compile(r"^[0-9a-f]{7,40}$")
FLAG_RE = re.compile(r"^[A-Z][A-Z0-9_]{0,63}$")
# GitHub logins: 1-39 alphanumerics or single hyphens, not starting or ending with a hyphen.
# Bots appear as "name[bot]".
LOGIN_RE = re.compile(r"^(?!-)(?!.*--)[A-Za-z0-9-]{1,39}(?<!-)(\[bot\])?$")
IMAGE_RE = re.compile(r"^[\w.\-/:@]{1,512}$")
REPO_RE = re.compile(r"^[A-Za-z0-9_.-]{1,39}/[A-Za-z0-9_.-]{1,100}$")
STACK_RE = re.compile(r"^pr-(0|[1-9][0-9]{0,9})-([0-9a-f]{7})$")
# the tag the workflow and the program give a PR image, `<repo>:sti-pr-<N>-<sha7>[@digest]`,
# or the original Showtime's `<repo>:pr-<N>-<sha7>-ci[@digest]`
_IMAGE_TAG_RE = re.compile(
    r":(?:sti-pr-(0|[1-9][0-9]{0,9})-([0-9a-f]{7})|pr-(0|[1-9][0-9]{0,9})-([0-9a-f]{7})-ci)(?:@|$)"
)
#: the baseline environment of the default branch (`up --ref master`) is "PR 0"
BASELINE_PR = 0

Size = Literal["small", "medium", "large"]
SIZES: tuple[Size, ...] = ("small", "medium", "large")


class Status(StrEnum):
    """The lifecycle status of one SHA's environment (the 🚦 label)."""

    BUILDING = "building"
    BUILT = "built"
    DEPLOYING = "deploying"
    RUNNING = "running"
    UPDATING = "updating"
    CONFIGURING = "configuring"
    FAILED = "failed"
    DESTROYING = "destroying"
    #: scaled to zero by ``idle_action = "sleep"``: stack, URL and labels stay
    SLEEPING = "sleeping"
    #: a sleeping environment scaling back to one task (``/showtime wake``, ⚡)
    WAKING = "waking"
    #: a start over the fleet's ``max_environments``, waiting its turn (no stack, no image
    #: deployed): :mod:`showtime_iac.core.queue`
    QUEUED = "queued"

    @property
    def in_progress(self) -> bool:
        """True while a job holds this environment (a claim, or lock)."""
        return self in _IN_PROGRESS


_IN_PROGRESS = frozenset(
    {
        Status.BUILDING,
        Status.BUILT,
        Status.DEPLOYING,
        Status.UPDATING,
        Status.CONFIGURING,
        Status.WAKING,
    }
)

_TTL_RE = re.compile(r"^([1-9][0-9]{0,4})([hdw])$")

#: what TTL ``manual`` (``/showtime keep-alive``, the ``⌛ pinned · max …`` label) means, in
#: the words every output uses: no idle expiry, and the max age still ends it (an admin's pin
#: lifts that too, ``max never``)
PINNED = "pinned (no idle expiry; the max age still applies)"


@dataclass(frozen=True, order=True)
class Ttl:
    """The idle lifetime of an environment: ``24h``, ``7d``, ``close`` (until the PR closes) or
    ``manual`` (:data:`PINNED`). The max age ends every one of them."""

    value: str

    def __post_init__(self) -> None:
        if self.value not in ("close", "manual") and not _TTL_RE.match(self.value):
            raise InputError(
                f"invalid TTL {self.value[:40]!r}: use hours, days or weeks (24h, 7d, 1w), "
                f"'close' (until the PR closes) or 'manual' ({PINNED})"
            )

    @classmethod
    def parse(cls, text: str) -> Ttl:
        return cls(text.strip().lower())

    @property
    def duration(self) -> timedelta | None:
        """The idle lifetime, or None for ``close`` and ``manual`` (no idle expiry)."""
        m = _TTL_RE.match(self.value)
        if m is None:
            return None
        n, unit = int(m.group(1)), m.group(2)
        return {"h": timedelta(hours=n), "d": timedelta(days=n), "w": timedelta(weeks=n)}[unit]

    def expires_at(self, created: datetime) -> datetime | None:
        d = self.duration
        return None if d is None else created + d

    def __str__(self) -> str:
        return self.value


def short_sha(sha: str) -> str:
    """The 7-character form used in labels and stack names; validates the SHA."""
    s = sha.strip().lower()
    if not SHA_RE.match(s):
        raise InputError(f"invalid commit SHA {sha[:60]!r}: expected 7 to 40 hex characters")
    return s[:7]


def stack_name(pr: int, sha: str) -> str:
    """The stack of one PR SHA: ``pr-{number}-{sha7}`` (a contract, see design §4)."""
    if isinstance(pr, bool) or not isinstance(pr, int) or pr < 0 or pr > 9_999_999_999:
        raise InputError(f"invalid PR number {pr!r}: expected a positive integer (0: baseline)")
    return f"pr-{pr}-{short_sha(sha)}"


def parse_stack_name(name: str) -> tuple[int, str] | None:
    """``pr-1234-abc1234`` → ``(1234, "abc1234")``; None for any other stack (e.g. ``shared``)."""
    m = STACK_RE.match(name)
    if m is None:
        return None
    return int(m.group(1)), m.group(2)


class ImageMismatchError(InputError):
    """An image built from one commit offered to the stack of another: refused (exit 2)."""


def image_built_from(image: str) -> tuple[int, str] | None:
    """``(pr, sha7)`` that an image reference's own tag names (``…:sti-pr-1234-abc1234``, or
    the original's ``…:pr-1234-abc1234-ci``)."""
    m = _IMAGE_TAG_RE.search(image)
    if m is None:
        return None
    pr, sha7 = (m.group(1), m.group(2)) if m.group(1) is not None else (m.group(3), m.group(4))
    return int(pr), sha7


def same_commit(a: str, b: str) -> bool:
    """Two SHAs (7 to 40 hex) name the same commit as far as both say."""
    a, b = a.lower(), b.lower()
    return len(a) >= 7 and len(b) >= 7 and (a.startswith(b) or b.startswith(a))


@dataclass(frozen=True)
class Show:
    """One SHA's environment as the labels describe it."""

    sha: str
    status: Status | None = None
    ip: str | None = None
    created: datetime | None = None
    ttl: Ttl | None = None
    requester: str | None = None
    config: tuple[str, ...] = ()
    #: the hard max-age deadline the ⌛ label records (None: not recorded, derived from 📅)
    max_at: datetime | None = None
    #: an admin lifted the max age (``⌛ pinned · max never``)
    max_lifted: bool = False
    #: the teardown time a cleanup warning announced (the ⚠️ label), None: not warned
    warned: datetime | None = None


IdleAction = Literal["sleep", "destroy"]


@dataclass(frozen=True)
class Policy:
    """Operator policy: lifetimes, locks, quotas. Loaded and validated by ``settings``."""

    default_ttl: Ttl = Ttl("24h")
    max_ttl: Ttl = Ttl("7d")
    stale_lock: timedelta = timedelta(hours=1)
    max_environments: int = 50
    max_per_requester: int = 3
    port: int = 8080
    health_timeout: timedelta = timedelta(minutes=15)
    default_size: Size = "medium"
    #: the hard max age: no environment of a PR lives longer (a pin does not lift it)
    max_age: timedelta = timedelta(days=7)
    #: what an idle environment becomes: scaled to zero ("sleep") or destroyed
    idle_action: IdleAction = "destroy"
    #: how long ahead of its teardown the cleanup warns on the PR (once)
    warn_before: timedelta = timedelta(hours=2)
    # author associations allowed to operate environments without an API permission check
    trusted_associations: frozenset[str] = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})
    #: where an image of the exact commit may already exist, tried in order (docs/images.md)
    image_sources: tuple[ImageSource, ...] = ()

    def clamp_ttl(self, ttl: Ttl) -> Ttl:
        """Refuse a TTL above the policy maximum (``close``/``manual`` are judged elsewhere)."""
        d, m = ttl.duration, self.max_ttl.duration
        if d is not None and m is not None and d > m:
            raise InputError(
                f"TTL {ttl} is above the policy's max_ttl of {self.max_ttl}: give at most"
                f" {self.max_ttl}, or close or manual"
            )
        return ttl


@dataclass(frozen=True)
class EnvConfig:
    """Everything one environment stack is built from. Validated on construction."""

    pr: int
    sha: str
    repo: str = "apache/superset"
    size: Size = "medium"
    flags: tuple[tuple[str, bool], ...] = ()
    debug: bool = False
    examples: bool = True
    cache_redis: bool = False
    image: str | None = None
    ttl: Ttl = field(default_factory=lambda: Ttl("24h"))
    requester: str = "unknown"
    created: datetime | None = None
    #: the commit ``image`` was built from (its record): must be this stack's SHA
    image_sha: str | None = None
    #: the hard max-age deadline of the PR's environment (stack tag ``showtime:max-age-at``)
    max_age_at: datetime | None = None
    #: scaled to zero (``idle_action = "sleep"``): the program sets the desired count to 0
    sleeping: bool = False
    #: an admin lifted the max age (``max_age_at`` is None because of it, not unknown): a
    #: stack tag only (``showtime:max-age-lifted``), the program never reads it
    max_lifted: bool = False
    #: prepared while its image builds: only what needs no image (role, secret, log group,
    #: target group, rule ...); no task definition, no service, and so never an image
    prepared: bool = False

    def __post_init__(self) -> None:
        stack_name(self.pr, self.sha)  # validates both
        if not SHA_RE.match(self.sha):
            raise InputError(f"invalid commit SHA {self.sha[:60]!r}: expected lowercase hex")
        if self.size not in SIZES:
            raise InputError(f"unknown size {self.size!r}: choose one of {', '.join(SIZES)}")
        if not REPO_RE.match(self.repo):
            raise InputError(f"invalid repository {self.repo!r}: expected OWNER/NAME")
        seen: set[str] = set()
        for name, _ in self.flags:
            if not FLAG_RE.match(name):
                raise InputError(
                    f"invalid feature flag {name[:70]!r}: "
                    "use A-Z, 0-9 and _, starting with a letter"
                )
            if name in seen:
                raise InputError(f"feature flag {name} given twice")
            seen.add(name)
        if self.image is not None and not IMAGE_RE.match(self.image):
            raise InputError(f"invalid image reference {self.image[:80]!r}")
        if self.requester != "unknown" and not LOGIN_RE.match(self.requester):
            raise InputError(f"invalid GitHub login {self.requester[:60]!r}")
        if self.image_sha is not None:
            self._check_image_binding(self.image_sha)
        if self.prepared and (self.image is not None or self.sleeping):
            raise InputError("a prepared stack runs nothing: it takes no image and cannot sleep")

    def _check_image_binding(self, built: str) -> None:
        """The trust contract: stack ``pr-N-S`` only ever runs an image built from S."""
        if not SHA_RE.match(built):
            raise InputError(f"invalid image commit {built[:60]!r}: expected 7 to 40 hex")
        if self.image is None:
            raise InputError("an image commit was given without an image")
        tagged = image_built_from(self.image)
        other = None if same_commit(built, self.sha) else built
        elsewhere = tagged is not None and (
            tagged[0] != self.pr or not same_commit(tagged[1], self.sha)
        )
        if other is None and tagged is not None and elsewhere:
            other = f"{tagged[1]} (its tag names PR {tagged[0]})"
        if other is not None:
            raise ImageMismatchError(
                f"image {self.image[:120]} was built from {other[:40]}, "
                f"not {self.sha7}: stack {self.stack} only runs an image built from "
                f"{self.sha7}; refused, nothing changed"
            )

    @property
    def sha7(self) -> str:
        return self.sha[:7]

    @property
    def stack(self) -> str:
        return stack_name(self.pr, self.sha)

    @property
    def expires_at(self) -> datetime | None:
        return None if self.created is None else self.ttl.expires_at(self.created)

    def config_items(self) -> tuple[str, ...]:
        """The applied configuration as the ⚙️ label shows it, e.g. ``("large", "debug", "ALERTS")``.

        Defaults are omitted; a disabled flag is written ``-FLAG``.
        """
        items: list[str] = []
        if self.size != "medium":
            items.append(self.size)
        if self.debug:
            items.append("debug")
        if not self.examples:
            items.append("no-examples")
        if self.cache_redis:
            items.append("redis")
        for name, on in sorted(self.flags):
            items.append(name if on else f"-{name}")
        return tuple(items)

    @classmethod
    def from_config_items(
        cls, pr: int, sha: str, items: tuple[str, ...], **kw: object
    ) -> EnvConfig:
        """Inverse of :meth:`config_items`; unknown items raise :class:`InputError`."""
        size: Size = "medium"
        debug, examples, redis = False, True, False
        flags: list[tuple[str, bool]] = []
        for item in items:
            if item in ("small", "medium", "large"):
                size = item  # type: ignore[assignment]
            elif item == "debug":
                debug = True
            elif item == "no-examples":
                examples = False
            elif item == "redis":
                redis = True
            elif item.startswith("-") and FLAG_RE.match(item[1:]):
                flags.append((item[1:], False))
            elif FLAG_RE.match(item):
                flags.append((item, True))
            else:
                raise InputError(f"unknown configuration item {item[:70]!r}")
        return cls(
            pr=pr,
            sha=sha,
            size=size,
            debug=debug,
            examples=examples,
            cache_redis=redis,
            flags=tuple(flags),
            **kw,  # type: ignore[arg-type]
        )


@dataclass(frozen=True)
class PrInfo:
    """What GitHub says about one pull request (from the event payload or one API read)."""

    number: int
    state: Literal["open", "closed"]
    head_sha: str
    labels: tuple[str, ...] = ()
    author: str = ""
    title: str = ""
    body: str = ""
    html_url: str = ""
    is_fork: bool = False
    merged: bool = False

    @property
    def is_open(self) -> bool:
        return self.state == "open"


@dataclass(frozen=True)
class Event:
    """The trigger of one run, reduced to what the planner needs.

    ``name`` is GitHub's event name (``pull_request``, ``pull_request_target``,
    ``issue_comment``, ``workflow_dispatch``, ``schedule``) or ``cli`` for a manual call.
    ``actor_association`` is GitHub's author association of the actor where the payload has
    it (comments), and ``actor_permission`` the collaborator permission when it was looked up.
    ``sha`` is the commit the event is about, as its payload says (a PR event's head, a
    dispatch's ``inputs.sha``; empty for comments): a start deploys that commit and no later
    one, even when the PR is re-read before the claim.
    """

    name: str
    action: str | None = None
    actor: str = ""
    label: str | None = None
    comment: str | None = None
    comment_id: int | None = None
    actor_association: str | None = None
    actor_permission: str | None = None
    inputs: tuple[tuple[str, str], ...] = ()
    sha: str = ""

    def input(self, key: str) -> str | None:
        return dict(self.inputs).get(key)


#: The prefix of every AWS name of ours that the original Superset Showtime could also use:
#: its names are ``pr-{n}-{sha}-service`` / ``pr-{n}-{sha}-ci`` in the same cluster and
#: repository, and its cleanup deletes any ``pr-*`` service older than 48 h without looking at
#: tags. ``sti-`` (showtime-iac) keeps both tools apart during a migration.
NAME_PREFIX = "sti-"
#: ECR tags of our images start with this; no lifecycle rule may match it (see program.shared).
IMAGE_TAG_PREFIX = f"{NAME_PREFIX}pr-"
LOG_GROUP_PREFIX = "/showtime/"
TASK_FAMILY_PREFIX = "showtime-"
ROUTER_RE = re.compile(r"^pr-(0|[1-9][0-9]{0,9})-router$")


@dataclass(frozen=True)
class ResourceNames:
    """AWS names of one environment, all derived from its stack name (unique per PR and SHA)."""

    stack: str
    service: str
    task_family: str
    log_group: str
    image_tag: str
    container: str = "superset"
    target_group: str = ""
    execution_role: str = ""
    secret_prefix: str = ""
    security_group: str = ""


def resource_names(pr: int, sha: str) -> ResourceNames:
    """Every AWS name of one environment. Within limits: ECS service and family ≤255
    (``[A-Za-z0-9_-]``), log group ≤512, ECR tag ≤128, target group ≤32, IAM role ≤64; the
    longest stack name is 21 chars."""
    stack = stack_name(pr, sha)
    return ResourceNames(
        stack=stack,
        service=f"{NAME_PREFIX}{stack}",
        task_family=f"{TASK_FAMILY_PREFIX}{stack}",
        log_group=f"{LOG_GROUP_PREFIX}{stack}",
        image_tag=f"{NAME_PREFIX}{stack}",
        target_group=f"{NAME_PREFIX}{stack}",
        execution_role=f"{NAME_PREFIX}{stack}-exec",
        secret_prefix=f"{NAME_PREFIX}{stack}/",
        security_group=f"{NAME_PREFIX}{stack}",
    )


def router_stack_name(pr: int) -> str:
    """The PR's router stack: ``pr-{number}-router``, which owns the listener rule of the PR's
    own host. Never a ``pr-{n}-{sha7}`` name: ``router`` is not hex."""
    stack_name(pr, "0000000")  # validates the number
    return f"pr-{pr}-router"


def parse_router_name(name: str) -> int | None:
    """``pr-1234-router`` → 1234; None for any other stack."""
    m = ROUTER_RE.match(name)
    return None if m is None else int(m.group(1))


def env_host(pr: int, sha: str, domain: str) -> str:
    """The host of one SHA's environment: ``pr-1234-abc1234.<domain>``.

    One DNS label under the domain (not ``abc1234.pr-1234.<domain>``): a wildcard certificate
    ``*.<domain>`` covers exactly one label, so a deeper name would need a certificate per PR.
    """
    return f"{stack_name(pr, sha)}.{domain}"


def pr_host(pr: int, domain: str) -> str:
    """The PR's own host, which follows 🎯: ``pr-1234.<domain>``."""
    return f"pr-{pr}.{domain}"


# AWS tag values (ECS, CloudWatch Logs, ELB, IAM, Secrets Manager): letters, digits, spaces
# and _.:/=+-@. A GitHub bot login `name[bot]` is written `name+bot` (no login has a `+`).
_TAG_VALUE_BAD = re.compile(r"[^\w .:/=+\-@]", re.ASCII)


def tag_value(text: str) -> str:
    """``text`` within AWS's tag value charset (≤256): ``dependabot[bot]`` → ``dependabot+bot``;
    any other character outside it becomes ``_``."""
    if text.endswith("[bot]"):
        text = text[: -len("[bot]")] + "+bot"
    return _TAG_VALUE_BAD.sub("_", text)[:256]


def login_from_tag(value: str) -> str:
    """Inverse of :func:`tag_value` for logins: ``dependabot+bot`` → ``dependabot[bot]``."""
    return value[: -len("+bot")] + "[bot]" if value.endswith("+bot") else value


TAG_KEYS = (
    "showtime:pr",
    "showtime:sha",
    "showtime:repo",
    "showtime:requested-by",
    "showtime:ttl",
    "showtime:expires-at",
    "showtime:max-age-at",
)


def tag_time(when: datetime | None) -> str:
    """A deadline as a tag value: ISO 8601 UTC without offset, or ``never``."""
    return when.strftime("%Y-%m-%dT%H:%M:%SZ") if when else "never"


def resource_tags(cfg: EnvConfig) -> dict[str, str]:
    """The tags of design §4, on the stack and on every AWS resource: one source for both.

    Values stay within AWS's tag value rules (≤256 chars of letters, digits, spaces and
    ``_.:/=+-@``), so ``expires-at`` (the idle deadline) and ``max-age-at`` (the hard max
    age) are ISO 8601 in UTC without offset, or ``never``, and a bot's login ``name[bot]`` is
    written ``name+bot`` (:func:`tag_value`).
    """
    return {
        "showtime:pr": str(cfg.pr),
        "showtime:sha": cfg.sha7,
        "showtime:repo": cfg.repo,
        "showtime:requested-by": tag_value(cfg.requester),
        "showtime:ttl": cfg.ttl.value,
        "showtime:expires-at": tag_time(cfg.expires_at),
        "showtime:max-age-at": tag_time(cfg.max_age_at),
    }
