"""What an ``up`` would do, without an engine: the program rendered under Pulumi mocks, and
the labels ``sync`` would write on a PR that has no environment yet (a baseline has none).

The render is made of placeholders where only AWS knows the answer (network ids, the account,
the image digest of a build): :attr:`OfflineRender.warnings` names them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from showtime_iac.core import labels as L
from showtime_iac.core.model import BASELINE_PR, EnvConfig, Policy

if TYPE_CHECKING:
    from collections.abc import Sequence

    from showtime_iac.program import RenderedResource

__all__ = ["OfflineRender", "label_changes", "placeholder_warning", "render_offline"]


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
            "warnings": list(self.warnings),
        }


def render_offline(cfg: EnvConfig, reason: str) -> OfflineRender:
    """The program of ``cfg``'s stack under Pulumi mocks (imports pulumi: call it lazily)."""
    from showtime_iac import program

    if cfg.created is None:  # so the tags show the real expiry, as a deploy now would
        cfg = replace(cfg, created=datetime.now(UTC).replace(second=0, microsecond=0))
    rendered = program.evaluate_offline(cfg)
    resources = rendered.resources
    claim, final = label_changes(cfg)
    text = program.format_render(resources, stack=cfg.stack)
    warning = placeholder_warning(rendered.placeholders, program.MOCK_ACCOUNT, resources)
    return OfflineRender(cfg, reason, resources, text, claim, final, (warning,))


def placeholder_warning(
    ids: Sequence[str], account: str, resources: Sequence[RenderedResource]
) -> str:
    """One line naming every made-up value of a render: the placeholder network ids, the mock
    account, and the digest of an image the mocks pretended to build."""
    made_up = [*ids, f"account {account}"]
    digests = {
        image.rsplit("@", 1)[1]
        for r in resources
        for c in r.containers()
        if "@sha256:" in (image := str(c.get("image", "")))
    }
    if any(r.type == "docker:index/image:Image" for r in resources):
        made_up += [f"image digest {d[:19]}…" for d in sorted(digests)]
    return (
        f"placeholders, not real values: {', '.join(made_up)}"
        " (a deploy takes them from the shared stack and the build)"
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
