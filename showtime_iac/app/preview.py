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
from showtime_iac.core.model import BASELINE_PR, EnvConfig, Policy

if TYPE_CHECKING:
    from showtime_iac.program import RenderedResource

__all__ = ["OfflineRender", "label_changes", "render_offline"]


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
    address: str = "{task public IP}:8080"  # what the 🌐 label would say

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


def render_offline(cfg: EnvConfig, reason: str) -> OfflineRender:
    """The program of ``cfg``'s stack under Pulumi mocks (imports pulumi: call it lazily)."""
    from showtime_iac import program
    from showtime_iac.settings import Settings

    if cfg.created is None:  # so the tags show the real expiry, as a deploy now would
        cfg = replace(cfg, created=datetime.now(UTC).replace(second=0, microsecond=0))
    d = program.dry_run(cfg, Settings.from_env().domain)
    claim, final = label_changes(cfg)
    address = d.url.removeprefix("https://") if d.mode == "https" else "{task public IP}:8080"
    extra = {k: v for k, v in d.to_json().items() if k != "warnings"}
    text = program.format_dry_run(d)
    return OfflineRender(
        cfg, reason, d.env.resources, text, claim, final, d.warnings, extra, address
    )


def label_changes(cfg: EnvConfig) -> tuple[L.LabelDiff, L.LabelDiff]:
    """The claim and final label diffs the planner gives for this config on a bare PR."""
    from showtime_iac.core.model import Event, PrInfo
    from showtime_iac.core.planner import decide, on_success

    if cfg.pr == BASELINE_PR:  # the baseline has no PR, so no labels
        return L.LabelDiff(), L.LabelDiff()
    now = cfg.created or datetime.now(UTC)
    actor = cfg.requester if cfg.requester != "unknown" else ""
    event = Event(name="cli", action="start", actor=actor)
    pr = PrInfo(number=cfg.pr, state="open", head_sha=cfg.sha, labels=())
    plan = decide(event, pr, now, Policy(default_ttl=cfg.ttl))  # the TTL this `up` asks for
    claim = plan.label_diff
    after_claim = L.apply_diff((), claim)
    final = on_success(after_claim, cfg.sha7, None)
    return claim, final
