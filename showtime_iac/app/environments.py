"""The stack operations of the command line: up, destroy, drift, list and status.

Each function opens what it needs (the Pulumi driver, GitHub, AWS) through
:mod:`showtime_iac.app.wiring` and returns data for the views; nothing here prints. Engine
output goes to the sink of a *display* (a context manager the caller passes in), opened only
once an engine was found.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from showtime_iac.app import wiring
from showtime_iac.app.baseline import retire_old_baselines, target
from showtime_iac.app.live import LiveView, live_views
from showtime_iac.app.sizing import SizedStack, sized, total_cost
from showtime_iac.core.labels import parse_state
from showtime_iac.core.model import (
    BASELINE_PR,
    EnvConfig,
    InputError,
    Policy,
    PrInfo,
    Status,
    Ttl,
    short_sha,
)
from showtime_iac.core.proof import PHASE_TAG, PICTURE_TAG

if TYPE_CHECKING:
    from showtime_iac.adapters.stacks import DriftReport, PulumiDriver, StackInfo
    from showtime_iac.app.preview import OfflineRender

__all__ = [
    "Deployed",
    "Destroyed",
    "Display",
    "DriftCheck",
    "DryRun",
    "Listing",
    "PrStatus",
    "StackStatus",
    "UpRequest",
    "deploy",
    "destroy",
    "drift",
    "dry_run_up",
    "list_environments",
    "pr_status",
    "up_request",
    "with_status",
]

Display = Callable[[], AbstractContextManager[wiring.Sink]]
"""Opens where engine output lines go for the length of one operation."""


@dataclass(frozen=True)
class UpRequest:
    """One ``up``: the environment to bring up, and the policy that judges it (its max age
    is recorded with the stack, as the labels of a ``sync`` would show it)."""

    cfg: EnvConfig
    policy: Policy

    @property
    def max_age(self) -> timedelta | None:
        """The max age to record for a new stack: the policy's; none for the baseline, which
        no max age ends (the next baseline replaces it)."""
        return None if self.cfg.pr == BASELINE_PR else self.policy.max_age


def up_request(
    pr: int | None,
    ref: str | None,
    sha: str | None,
    image: str | None,
    ttl: str | None,
    requester: str | None,
    env: Mapping[str, str],
    *,
    deploy: bool = False,
) -> UpRequest:
    """The environment of an ``up``: PR and SHA (or the baseline of branch ``ref``), image,
    lifetime (default: the policy's, 24h; at most its ``max_ttl``) and requester (default
    ``$GITHUB_ACTOR``); validated, the lifetime and the SHA before a branch is looked up, and,
    to ``deploy``, the engine too (a missing pulumi CLI fails before any GitHub request)."""
    from showtime_iac.app.inputs import load_policy

    policy = load_policy(env.get("SHOWTIME_POLICY") or None)
    # an empty --ttl or --requester is an error (Ttl and EnvConfig say so), never the default
    lifetime = policy.clamp_ttl(Ttl.parse(ttl)) if ttl is not None else policy.default_ttl
    if sha is not None:
        short_sha(sha)
    number, sha = target(pr, ref, sha, env, before_lookup=_require_engine if deploy else None)
    if not sha:
        raise InputError(
            f"pass --sha SHA (the commit of PR #{number} to deploy); `sync` reads it from GitHub"
        )
    cfg = EnvConfig(
        pr=number,
        sha=sha.strip().lower(),
        repo=env.get("GITHUB_REPOSITORY") or "apache/superset",
        image=image,
        # the operator's --sha says which commit the image was built from: an image whose own
        # sti-pr-N-<sha7> (or pr-N-<sha7>-ci) tag names another commit is refused
        image_sha=sha.strip().lower() if image else None,
        ttl=lifetime,
        requester=requester if requester is not None else env.get("GITHUB_ACTOR") or "unknown",
    )
    return UpRequest(cfg, policy)


def _require_engine() -> None:
    if not wiring.engine_found():
        from showtime_iac.adapters.stacks import EngineMissingError

        raise EngineMissingError


# --------------------------------------------------------------------------- up


@dataclass(frozen=True)
class DryRun:
    """``up --dry-run``: the engine's preview of an existing stack (``offline`` None), or the
    offline render."""

    stack: str
    notes: list[str]
    offline: OfflineRender | None = None


def dry_run_up(
    req: UpRequest, project_dir: Path | None, display: Display, now: datetime | None = None
) -> DryRun:
    """``pulumi preview`` of the existing stack (with the creation time and max age it
    recorded); without a pulumi CLI, or for a stack that does not exist yet, the offline
    render of the program under Pulumi mocks, as of ``now`` (default the clock: a new
    stack's creation time, so its expiry tags, its max age and its 📅 label)."""
    from showtime_iac.app.preview import render_offline

    cfg = req.cfg
    offline = cfg if now is None else replace(cfg, created=now)

    if not wiring.engine_found():
        reason = "pulumi CLI not on PATH: offline render, nothing deployed"
        return DryRun(cfg.stack, [], render_offline(offline, reason, req.policy))
    with display() as sink:
        driver = wiring.open_stacks(project_dir, sink)
        found = driver.preview(cfg, on_output=sink, max_age=req.max_age)
    if found:
        return DryRun(cfg.stack, driver.notes)
    reason = f"stack {cfg.stack} does not exist yet: offline render"
    return DryRun(cfg.stack, driver.notes, render_offline(offline, reason, req.policy))


@dataclass(frozen=True)
class Deployed:
    """A stack that is up: its outputs, what the driver noted, the baselines it replaced."""

    stack: str
    outputs: Mapping[str, Any]
    notes: list[str]
    overhead_s: float
    replaced: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "outputs": self.outputs,
            "notes": self.notes,
            "overhead_seconds": round(self.overhead_s, 3),
        }


def deploy(req: UpRequest, project_dir: Path | None, display: Display, unlock: bool) -> Deployed:
    """Create or update the stack, recording its max age (the one it recorded, else its
    creation plus the policy's, as ``sync``'s labels would say); a baseline's older stacks
    are destroyed once it is up."""
    _require_engine()
    cfg = req.cfg
    with display() as sink:
        driver = wiring.open_stacks(project_dir, sink, unlock)
        outputs = driver.up(cfg, max_age=req.max_age)
        replaced = retire_old_baselines(driver, cfg) if cfg.pr == BASELINE_PR else []
    return Deployed(cfg.stack, outputs, driver.notes, driver.stats.overhead_s, replaced)


# --------------------------------------------------------------------------- destroy


@dataclass(frozen=True)
class Destroyed:
    """The stacks destroyed (or that would be, ``dry_run``); ``checked`` False when no
    engine could confirm them."""

    pr: int
    dry_run: bool
    stacks: list[str]
    notes: list[str] = field(default_factory=list)
    checked: bool = True

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"pr": self.pr, "dry_run": self.dry_run, "stacks": self.stacks}
        if not self.checked:
            doc["checked"] = False
        return doc


def _pr_stacks(driver: PulumiDriver, pr: int) -> list[StackInfo]:
    return [s for s in driver.list() if s.pr == pr]


def destroy(
    pr: int,
    sha7: str | None,
    *,
    dry_run: bool,
    project_dir: Path | None,
    display: Display,
    unlock: bool,
) -> Destroyed:
    """Destroy a PR's stacks (or the one of ``sha7``), resources first; never forced."""
    if not wiring.engine_found():
        if dry_run and sha7:
            return Destroyed(pr, True, [f"pr-{pr}-{sha7}"], checked=False)
        _require_engine()
    with display() as sink:
        driver = wiring.open_stacks(project_dir, sink, unlock)
        targets = [s.name for s in _pr_stacks(driver, pr) if sha7 is None or s.sha7 == sha7]
        if sha7 is not None and not targets:
            targets = [f"pr-{pr}-{sha7}"]  # destroy() reports a missing stack itself
        if not dry_run:
            for name in targets:
                driver.destroy(pr, name.rsplit("-", 1)[1])
    return Destroyed(pr, dry_run, targets, driver.notes)


# --------------------------------------------------------------------------- drift


@dataclass(frozen=True)
class DriftCheck:
    reports: list[DriftReport]
    notes: list[str]

    @property
    def n_drifted(self) -> int:
        """How many stacks drifted."""
        return sum(r.drifted for r in self.reports)

    def to_json(self) -> dict[str, Any]:
        return {"drifted": self.n_drifted > 0, "stacks": [r.to_json() for r in self.reports]}


def drift(pr: int | None, project_dir: Path | None) -> DriftCheck:
    """Refresh-preview every stack (of ``pr``, or all): what changed outside Pulumi, and
    what the program or config would change. Writes nothing."""
    driver = wiring.open_stacks(project_dir)
    infos = [s for s in driver.list() if pr is None or s.pr == pr]
    reports = [driver.drift(s.pr, s.sha7) for s in infos]
    return DriftCheck(reports, driver.notes)


# --------------------------------------------------------------------------- list


def with_status(infos: list[StackInfo], prs: Iterable[PrInfo], status: Status) -> list[StackInfo]:
    """The stacks whose SHA's 🚦 label (on its open PR) says ``status``."""
    said = {
        (pr.number, sha): show.status
        for pr in prs
        for sha, show in parse_state(pr.labels).shows.items()
    }
    return [i for i in infos if said.get((i.pr, i.sha7)) == status]


@dataclass(frozen=True)
class Listing:
    """Sized stacks with their total hourly cost."""

    stacks: list[SizedStack]
    total_hourly_cost: float
    currency: str
    default_size: str

    def to_json(self, now: datetime) -> dict[str, Any]:
        return {
            "stacks": [s.to_json(now) for s in self.stacks],
            "total_hourly_cost": self.total_hourly_cost,
            "currency": self.currency,
        }


def list_environments(
    status: Status | None, project_dir: Path | None, policy_file: Path | None
) -> Listing:
    """Every PR stack (one backend listing), sized; with ``status``, only the stacks whose
    🚦 label on GitHub says it (one listing of the open PRs)."""
    from showtime_iac.app.inputs import load_policy

    policy = load_policy(policy_file)
    driver = wiring.open_stacks(project_dir)  # no engine: fail before any GitHub request
    if status is not None:
        from showtime_iac.settings import Settings

        prs = wiring.open_github(Settings.from_env()).list_showtime_prs()
    infos = driver.list()
    if status is not None:
        infos = with_status(infos, prs, status)
    stacks, prices = sized(infos, project_dir, policy)
    return Listing(stacks, total_cost(stacks), prices.currency, policy.default_size)


# --------------------------------------------------------------------------- status


@dataclass(frozen=True)
class StackStatus:
    sized: SizedStack
    outputs: dict[str, Any]
    live: LiveView | None

    def to_json(self, now: datetime) -> dict[str, Any]:
        data = self.sized.to_json(now)
        data["outputs"] = self.outputs
        data["live"] = self.live.to_json() if self.live is not None else None
        # what the status comment says (issue 28): its picture and the deploy's phase
        data["picture"] = self.sized.info.tags.get(PICTURE_TAG)
        data["phase"] = self.sized.info.tags.get(PHASE_TAG)
        return data


@dataclass(frozen=True)
class PrStatus:
    """A PR's stacks with outputs and live views; ``live_reason`` says why there are none."""

    pr: int
    stacks: list[StackStatus]
    live_reason: str | None
    total_hourly_cost: float
    currency: str

    def to_json(self, now: datetime) -> dict[str, Any]:
        return {
            "pr": self.pr,
            "live": {"available": self.live_reason is None, "reason": self.live_reason},
            "stacks": [s.to_json(now) for s in self.stacks],
            "total_hourly_cost": self.total_hourly_cost,
            "currency": self.currency,
        }


def pr_status(
    pr: int, *, live: bool, project_dir: Path | None, policy_file: Path | None
) -> PrStatus:
    """A PR's stacks: size, cost, outputs and, with ``live``, one look at AWS each."""
    from showtime_iac.app.inputs import load_policy

    policy = load_policy(policy_file)
    driver = wiring.open_stacks(project_dir)
    infos = _pr_stacks(driver, pr)
    stacks, prices = sized(infos, project_dir, policy)
    outputs = [driver.outputs(i.pr, i.sha7) for i in infos]
    views: list[LiveView | None] = [None] * len(infos)
    reason: str | None = None if live else "skipped (--no-live)"
    if infos and live:
        views, reason = live_views(list(zip(infos, outputs, strict=True)), policy)
    rows = [StackStatus(*row) for row in zip(stacks, outputs, views, strict=True)]
    return PrStatus(pr, rows, reason, total_cost(stacks), prices.currency)
