"""What an ``up`` would do, without an engine: the program rendered under Pulumi mocks, and
the labels ``sync`` would write on a PR that has no environment yet (a baseline has none).

The render is made of placeholders where only AWS knows the answer (network ids, the account,
the image digest of a build, the secrets a new stack gets): :attr:`OfflineRender.warnings`
names them, one line each. In HTTPS mode (``$SHOWTIME_DOMAIN``) the render includes the PR's
router stack and the address the PR would get.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from showtime_iac.core import labels as L
from showtime_iac.core.model import BASELINE_PR, EnvConfig, Policy, pr_host

if TYPE_CHECKING:
    from showtime_iac.program import RenderedResource

__all__ = ["OfflineRender", "healthy_address", "label_changes", "render_offline"]


def healthy_address(pr: int, port: int, domain: str | None) -> str:
    """What the 🌐 label will say once the environment is healthy, as far as it is known
    before a deploy: the PR's host in HTTPS mode, else the task's public IP, which only AWS
    knows (a placeholder)."""
    return pr_host(pr, domain) if domain else f"{{task public IP}}:{port}"


@dataclass(frozen=True)
class OfflineRender:
    """The resources one environment stack declares (nothing deployed), as data and as text,
    with the label diffs of the claim and of the healthy end."""

    cfg: EnvConfig
    reason: str
    resources: list[RenderedResource]
    text: str
    claim: L.LabelDiff
    final: L.LabelDiff
    warnings: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)  # address_mode, url, sha_url, router

    @property
    def stack(self) -> str:
        return self.cfg.stack

    @property
    def baseline(self) -> bool:
        """The baseline environment (``up --ref``): no PR, so no labels."""
        return self.cfg.pr == BASELINE_PR

    def to_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "mode": "offline",
            "reason": self.reason,
            "resources": [asdict(r) for r in self.resources],
            "labels": {
                "claim": {"add": list(self.claim.add), "remove": list(self.claim.remove)},
                "after_healthy": {"add": list(self.final.add), "remove": list(self.final.remove)},
            },
            **self.extra,
            "warnings": list(self.warnings),
        }


def render_offline(cfg: EnvConfig, reason: str, policy: Policy | None = None) -> OfflineRender:
    """The program of ``cfg``'s stack under Pulumi mocks (imports pulumi: call it lazily),
    with the labels ``sync`` would write. The tags record what the labels say: the creation
    time (now, unless ``cfg`` has one) and, for a PR, the max age of ``policy`` from then."""
    from showtime_iac import program
    from showtime_iac.settings import Settings

    policy = policy or Policy()
    # so the tags show the real expiry, as a deploy now would (labels and tags keep the minute)
    created = cfg.created or datetime.now(UTC)
    cfg = replace(cfg, created=created)
    if cfg.max_age_at is None and cfg.pr != BASELINE_PR:
        cfg = replace(cfg, max_age_at=created + policy.max_age)  # what `up` records
    domain = Settings.from_env().domain
    d = program.dry_run(cfg, domain)
    address = (
        d.url.removeprefix("https://") if d.mode == "https" else healthy_address(cfg.pr, 8080, None)
    )
    claim, final = label_changes(cfg, created, policy, address)
    extra = {k: v for k, v in d.to_json().items() if k != "warnings"}
    text = program.format_dry_run(d)
    return OfflineRender(cfg, reason, d.env.resources, text, claim, final, d.warnings, extra)


def label_changes(
    cfg: EnvConfig, now: datetime, policy: Policy, address: str
) -> tuple[L.LabelDiff, L.LabelDiff]:
    """The claim and final label diffs the planner gives for this config on a bare PR at
    ``now`` (the final one with the 🌐 label of ``address``), under ``policy`` with this
    ``up``'s TTL."""
    from showtime_iac.core.model import Event, PrInfo
    from showtime_iac.core.planner import after_healthy, decide

    if cfg.pr == BASELINE_PR:  # the baseline has no PR, so no labels
        return L.LabelDiff(), L.LabelDiff()
    actor = cfg.requester if cfg.requester != "unknown" else ""
    event = Event(name="cli", action="start", actor=actor)
    pr = PrInfo(number=cfg.pr, state="open", head_sha=cfg.sha)
    policy = replace(policy, default_ttl=cfg.ttl)  # the TTL this `up` asks for
    plan = after_healthy(decide(event, pr, now, policy), (), address)
    return plan.label_diff, plan.after_healthy or L.LabelDiff()
