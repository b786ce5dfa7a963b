"""The per-PR router stack's config: which SHA's target group the PR's own host points at.

Pure. The stack ``pr-{n}-router`` owns one listener rule, ``pr-{n}.<domain>`` → the target
group of the active SHA's environment; the executor runs its ``up`` (with the new target group)
only once the new environment is healthy, so the PR's address follows 🎯 and never points at
an environment that does not serve.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from showtime_iac.core.config_keys import StackConfigError, bool_value, key
from showtime_iac.core.model import REPO_RE, SHA_RE, router_stack_name, stack_name, tag_value

__all__ = ["ASLEEP_PAGE_LIMIT", "RouterConfig", "asleep_page", "router_tags"]

#: what ELB takes as a fixed response's body (``FixedResponseActionConfig.MessageBody``)
ASLEEP_PAGE_LIMIT = 1024

_TG_ARN_RE = re.compile(
    r"^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup/[A-Za-z0-9-]{1,32}/[0-9a-f]{1,16}$"
)


@dataclass(frozen=True)
class RouterConfig:
    """One router stack: the PR, the active SHA and its environment's target group."""

    pr: int
    sha: str
    target_group_arn: str
    repo: str = "apache/superset"
    #: the environment sleeps: the PR's host answers with :func:`asleep_page` (503)
    asleep: bool = False

    def __post_init__(self) -> None:
        stack_name(self.pr, self.sha)  # validates both
        if not SHA_RE.match(self.sha):
            raise StackConfigError(f"invalid commit SHA {self.sha[:60]!r}")
        if not REPO_RE.match(self.repo):
            raise StackConfigError(f"invalid repository {self.repo[:80]!r}: expected OWNER/NAME")
        if not _TG_ARN_RE.match(self.target_group_arn):
            raise StackConfigError(
                f"invalid target group ARN {self.target_group_arn[:120]!r} in "
                f"{key('targetGroupArn')}"
            )

    @property
    def stack(self) -> str:
        return router_stack_name(self.pr)

    @property
    def sha7(self) -> str:
        return self.sha[:7]

    def to_stack_config(self) -> dict[str, str]:
        return {
            key("pr"): str(self.pr),
            key("sha"): self.sha,
            key("repo"): self.repo,
            key("targetGroupArn"): self.target_group_arn,
            # always written: config is merged, so a wake must overwrite a sleep's "true"
            key("asleep"): "true" if self.asleep else "false",
        }

    @classmethod
    def from_stack_config(cls, values: Mapping[str, str]) -> RouterConfig:
        missing = [key(k) for k in ("pr", "sha", "targetGroupArn") if not values.get(key(k))]
        if missing:
            raise StackConfigError(
                f"missing router config {', '.join(missing)}: `showtime-iac` writes it when an "
                "environment of the PR becomes healthy"
            )
        pr_text = values[key("pr")].strip()
        if not pr_text.isdigit():
            raise StackConfigError(f"{key('pr')} must be a whole number, not {pr_text[:40]!r}")
        return cls(
            pr=int(pr_text),
            sha=values[key("sha")],
            target_group_arn=values[key("targetGroupArn")],
            repo=values.get(key("repo")) or "apache/superset",
            asleep=bool_value("asleep", values.get(key("asleep")) or "false"),
        )


def asleep_page(pr: int, repo: str) -> str:
    """The page the PR's host shows while its environment sleeps: what happened and how to
    wake it. ``repo`` is a validated ``OWNER/NAME`` (no markup can come from it); at most
    :data:`ASLEEP_PAGE_LIMIT` characters."""
    link = f"https://github.com/{repo}/pull/{pr}"
    return (
        f"<!doctype html><meta charset=utf-8><title>PR #{pr} preview: asleep</title>"
        "<h1>This preview is asleep</h1>"
        f'<p>The environment of <a href="{link}">{repo}#{pr}</a> was idle, so it was '
        "scaled to zero. It keeps its URL and its configuration; a wake starts it afresh from "
        "its image, so users, charts and dashboards made in it are not kept.</p>"
        "<p>To bring it back, a maintainer comments <code>/showtime wake</code> on the pull "
        "request; it is back here in a few minutes. A new commit rolls it forward too.</p>"
    )


def router_tags(cfg: RouterConfig) -> dict[str, str]:
    """The router's stack and AWS tags: its PR and active SHA, marked as the router (no
    ``showtime:ttl``: it lives as long as the PR's last environment)."""
    return {
        "showtime:pr": str(cfg.pr),
        "showtime:sha": cfg.sha7,
        "showtime:repo": tag_value(cfg.repo),
        "showtime:role": "router",
    }
