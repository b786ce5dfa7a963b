"""``migrate``: take over Superset Showtime's environments without a gap.

Per environment of the original (its labels on GitHub, its resources in AWS), the pure
:func:`showtime_iac.core.migration.decide` says migrate, prune or leave. Migrating one is:

1. our stack ``pr-{pr}-{sha7}`` up through the same ports ``sync`` uses (the Pulumi driver
   and the AWS live checks), with the image the original runs, its TTL and deadline, its
   requester and feature flags;
2. our task's address and ``/health``; any failure stops here: our stack is destroyed, the
   original and its labels are untouched;
3. the labels rewritten in our dialect (🎯 and 🌐 now name ours), the sticky comment and the
   deployment;
4. the original's service, task definition revisions and legacy ECR tag deleted, each one
   checked by name pattern, by tags and by what the labels said.

``--prune`` also removes what the decision marked prune (closed PRs, SHAs no longer in the PR,
failed or stray environments); ``--dry-run`` makes the same reads and writes nothing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from showtime_iac.core import labels as L
from showtime_iac.core.comment import status_comment
from showtime_iac.core.migration import (
    MigrationDecision,
    decide,
    deletions,
    migrated_labels,
    pruned_labels,
)
from showtime_iac.core.model import InputError, Policy, PrInfo, ShowtimeError
from showtime_iac.core.original import parse_original

if TYPE_CHECKING:
    from showtime_iac.adapters.aws.original import OriginalAws
    from showtime_iac.app.wiring import Ports
    from showtime_iac.core.original import OriginalInventory
    from showtime_iac.settings import Settings

__all__ = ["EnvResult", "MigrationReport", "migrate"]


@dataclass
class EnvResult:
    """One environment of the original: the decision and what was done."""

    decision: MigrationDecision
    done: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    url: str | None = None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            **self.decision.to_json(),
            "done": self.done,
            "deleted": self.deleted,
            "refused": self.refused,
            "url": self.url,
            "error": self.error,
        }


@dataclass
class MigrationReport:
    dry_run: bool
    prune: bool
    repo: str
    cluster: str
    results: list[EnvResult]
    warnings: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if any(r.error for r in self.results) else 0

    def count(self, action: str) -> int:
        return sum(r.decision.action == action for r in self.results)

    def to_json(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "prune": self.prune,
            "repo": self.repo,
            "cluster": self.cluster,
            "environments": [r.to_json() for r in self.results],
            "summary": {a: self.count(a) for a in ("migrate", "prune", "leave")},
            "warnings": self.warnings,
        }


def _open_original(settings: Settings) -> OriginalAws:
    from showtime_iac.adapters.aws.original import OriginalAws

    return OriginalAws.from_settings(settings)


def _prs(ports: Ports, inventory: OriginalInventory, warnings: list[str]) -> list[PrInfo]:
    """Open PRs with 🎪 labels, and every other PR the original has resources for."""
    prs = {p.number: p for p in ports.github.list_showtime_prs()}
    for n in sorted(inventory.prs() - prs.keys()):
        try:
            prs[n] = ports.github.get_pr(n)
        except InputError as exc:  # a service named for a PR that does not exist
            warnings.append(f"{exc}: its resources are left alone")
    return [prs[n] for n in sorted(prs)]


def _decisions(
    ports: Ports, inventory: OriginalInventory, policy: Policy, warnings: list[str]
) -> list[MigrationDecision]:
    try:
        ours: list[str] = ports.stacks.list_stacks()
    except ShowtimeError as exc:
        ours = []
        warnings.append(f"our stacks could not be listed ({exc}): none assumed")
    envs = inventory.envs()
    out: list[MigrationDecision] = []
    for pr in _prs(ports, inventory, warnings):
        shas = set(parse_original(pr.labels).shows) | {s for n, s in envs if n == pr.number}
        # the commits are read only when some SHA is not the head (one request per such PR)
        behind = pr.is_open and any(not pr.head_sha.startswith(s) for s in shas)
        commits = ports.github.pr_commits(pr.number) if behind else None
        out.extend(decide(pr, envs, commits, ours, policy))
    return out


def migrate(
    *, dry_run: bool, prune: bool, repo: str | None, policy_file: Path | None
) -> MigrationReport:
    """List the original's environments and decide; unless ``dry_run``, migrate (and with
    ``prune``, remove) them. Nothing is written in a dry run."""
    from showtime_iac.app import wiring
    from showtime_iac.app.inputs import load_policy
    from showtime_iac.settings import Settings

    settings = Settings.from_env()
    policy = load_policy(policy_file)
    ports = wiring.open_ports(settings, repo=repo, policy=policy)
    original = _open_original(settings)
    warnings: list[str] = []
    inventory = original.inventory()
    decisions = _decisions(ports, inventory, policy, warnings)
    results = [EnvResult(d) for d in decisions]
    report = MigrationReport(
        dry_run, prune, ports.github.repo_name, original.cluster, results, warnings
    )
    if dry_run:
        return report
    if any(d.action == "migrate" for d in decisions):
        ports.stacks.ready()  # no engine or backend: stop before anything is written
    runner = _Runner(ports, original, inventory, policy, ports.github.repo_name, settings)
    try:
        for r in results:
            if r.decision.action == "migrate":
                runner.migrate(r)
            elif r.decision.action == "prune" and prune:
                runner.prune(r)
    finally:
        ports.github.finish()
    return report


class _Runner:
    """Carries decisions out through the ports (one environment at a time)."""

    def __init__(
        self,
        ports: Ports,
        original: OriginalAws,
        inventory: OriginalInventory,
        policy: Policy,
        repo: str,
        settings: Settings,
    ) -> None:
        self.ports, self.original, self.inventory = ports, original, inventory
        self.policy, self.repo, self.settings = policy, repo, settings

    def _up(self, r: EnvResult) -> str:
        """Our stack up, addressed and healthy (the executor's deploy steps); ``ip:port``."""
        cfg = r.decision.target(self.repo)
        live, stacks = self.ports.live, self.ports.stacks
        t0 = time.monotonic()
        live.before_up(cfg)
        outputs = stacks.up(cfg)
        r.done.append(f"up {cfg.stack} ({time.monotonic() - t0:.1f}s)")
        address = live.address(cfg, outputs)
        live.wait_healthy(f"http://{address}/health")
        r.done.append(f"healthy at http://{address}")
        return address

    def migrate(self, r: EnvResult) -> None:
        d = r.decision
        cfg = d.target(self.repo)
        try:
            address = self._up(r)
        except Exception as exc:  # the original keeps serving; ours goes
            r.error = str(exc) if isinstance(exc, ShowtimeError) else f"{type(exc).__name__}: {exc}"
            r.done.append("the original and its labels are untouched")
            self._discard(r)
            return
        fresh = self.ports.github.get_pr(d.pr)
        if not fresh.is_open:
            r.error = f"PR #{d.pr} closed during the migration: ours destroyed, prune the rest"
            self._discard(r)
            return
        diff = migrated_labels(fresh.labels, d, address, cfg)
        self.ports.github.apply_label_diff(d.pr, diff.add, diff.remove)
        r.done.append(f"labels +{len(diff.add)} -{len(diff.remove)}")
        r.url = f"http://{address}"
        after = L.apply_diff(fresh.labels, diff)
        self._announce(d, after, r.url)
        self._delete(r)

    def _discard(self, r: EnvResult) -> None:
        d = r.decision
        try:
            self.ports.stacks.destroy(d.pr, d.sha)
            r.done.append(f"destroyed our stack pr-{d.pr}-{d.sha}")
        except ShowtimeError as exc:
            r.done.append(f"could not destroy our stack: {exc} (cleanup retries)")

    def _announce(self, d: MigrationDecision, labels: tuple[str, ...], url: str) -> None:
        gh = self.ports.github
        gh.deployment(d.pr, d.full_sha or d.sha, "in_progress")
        gh.deployment(d.pr, d.full_sha or d.sha, "success", url)
        body = status_comment(
            d.pr,
            L.parse_state(labels),
            datetime.now(UTC),
            event_line=f"moved from Superset Showtime: `{d.sha}` live at {url}",
            previous_body=gh.status_comment_body(d.pr),
            run_url=self.settings.github_run_url,
            port=self.policy.port,
        )
        gh.upsert_status_comment(d.pr, body)

    def _delete(self, r: EnvResult) -> None:
        items, refused = deletions(r.decision, self.inventory)
        r.refused.extend(refused)
        for res in self.original.delete(items, r.decision.pr):
            if res.deleted:
                r.deleted.append(f"{res.deletion.kind} {res.deletion.name}")
            else:
                r.error = res.error
        if refused and not r.error:
            r.error = f"{len(refused)} resource(s) of the original not deleted: see refused"

    def prune(self, r: EnvResult) -> None:
        d = r.decision
        self._delete(r)
        if r.error:
            return  # the labels stay, so the next run finds it again
        fresh = self.ports.github.get_pr(d.pr)
        diff = pruned_labels(fresh.labels, d.sha)
        if diff:
            self.ports.github.apply_label_diff(d.pr, diff.add, diff.remove)
            r.done.append(f"labels -{len(diff.remove)}")
