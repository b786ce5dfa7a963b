"""Text of the offline render: :func:`format_render` lists resources; :func:`dry_run` and
:func:`format_dry_run` are what ``up --dry-run`` shows for a stack that does not exist yet: the
environment's resources, the PR's router in HTTPS mode, the address the PR would get, and one
warning per made-up value."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from showtime_iac.core.model import EnvConfig, env_host, pr_host
from showtime_iac.core.routing import RouterConfig
from showtime_iac.core.stack_config import SharedConfig
from showtime_iac.program.containers import CONTAINER_PORT
from showtime_iac.program.mocks import MOCK_ACCOUNT, RenderedResource
from showtime_iac.program.render import (
    OFFLINE_HEADER,
    OfflineRender,
    evaluate_offline,
    evaluate_router_offline,
)

__all__ = ["DryRun", "dry_run", "format_dry_run", "format_render"]


def _one_line(value: str) -> str:
    if "\n" not in value:
        return value
    first = value.splitlines()[0]
    return f"<{len(value.splitlines())} lines: {first[:60]}>"


def _command(command: Sequence[str]) -> str:
    *head, script = command
    starts = ("superset", "exec", "python - start")
    steps = [ln.split()[0:3] for ln in script.splitlines() if ln.startswith(starts)]
    said = "; ".join(" ".join(s) for s in steps)
    return f"{' '.join(head)} <start script: {said}>"


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return text if len(text) <= 160 else text[:157] + "..."


def format_render(
    resources: Sequence[RenderedResource],
    outputs: Mapping[str, Any] | None = None,
    *,
    stack: str | None = None,
    placeholders: Sequence[str] = (),
) -> str:
    """A plain-text listing: type, logical name, key inputs, tags; headed by OFFLINE_HEADER."""
    lines = [OFFLINE_HEADER]
    head = f"{len(resources)} resources"
    if stack:
        head = f"stack {stack}: {head}"
    lines.append(head)
    if placeholders:
        lines.append(
            f"placeholder ids (replace before a real deploy): {', '.join(placeholders)}; "
            f"account {MOCK_ACCOUNT} is a placeholder"
        )
    lines.extend(_body(resources))
    if outputs:
        lines.append("")
        lines.append("outputs:")
        for k in sorted(outputs):
            lines.append(f"  {k}: {_short(outputs[k])}")
    return "\n".join(lines)


def _shown(r: RenderedResource, key: str, value: Any) -> Any:
    """What the listing prints for one input: a build context inside the project as
    ``<project>/…`` (the same text on every checkout; the resource holds the absolute path)."""
    if key == "build" and isinstance(value, dict) and isinstance(value.get("context"), str):
        from pathlib import Path

        from showtime_iac.program.environment import project_root

        root, ctx = project_root(), Path(value["context"])
        if ctx.is_absolute() and ctx.is_relative_to(root):
            return {**value, "context": f"<project>/{ctx.relative_to(root)}"}
    return value


def _body(resources: Sequence[RenderedResource]) -> list[str]:
    lines: list[str] = []
    for r in resources:
        lines.append("")
        lines.append(f"{r.type}  {r.name}" + ("  (protected)" if r.protect else ""))
        for k in sorted(r.inputs):
            v = r.inputs[k]
            if k == "containerDefinitions" and isinstance(v, str):
                for c in r.containers():
                    lines.append(f"  container {c.get('name')}: image {c.get('image')}")
                    ports = [str(p.get("containerPort")) for p in c.get("portMappings", [])]
                    if ports:
                        lines.append(f"    ports: {', '.join(ports)}")
                    if c.get("command"):
                        lines.append(f"    command: {_command(c['command'])}")
                    for e in c.get("environment", []):
                        lines.append(f"    env {e['name']}={_one_line(e['value'])}")
                    for e in c.get("secrets", []):
                        lines.append(f"    secret {e['name']} from {e['valueFrom']}")
                    opts = c.get("logConfiguration", {}).get("options", {})
                    if opts:
                        lines.append(
                            f"    logs: {opts.get('awslogs-group')} ({opts.get('awslogs-region')})"
                        )
                continue
            if v in (None, "", [], {}):
                continue
            lines.append(f"  {k}: {_short(_shown(r, k, v))}")
        if r.tags:
            lines.append("  tags: " + ", ".join(f"{k}={v}" for k, v in sorted(r.tags.items())))
    return lines


@dataclass(frozen=True)
class DryRun:
    """What ``up --dry-run`` shows for one environment that does not exist yet."""

    env: OfflineRender
    router: OfflineRender | None
    mode: str  # "https" or "public-ip"
    url: str  # the address the PR would get
    sha_url: str | None
    warnings: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        from dataclasses import asdict

        return {
            "address_mode": self.mode,
            "url": self.url,
            "sha_url": self.sha_url,
            "warnings": list(self.warnings),
            "router": None
            if self.router is None
            else {
                "stack": self.router.stack,
                "resources": [asdict(r) for r in self.router.resources],
            },
        }


def dry_run(cfg: EnvConfig, domain: str | None = None) -> DryRun:
    """The environment (and in HTTPS mode its router) under mocks, with placeholder values."""
    shared = SharedConfig.offline_default(domain)
    env = evaluate_offline(cfg, shared)
    if domain is None:
        url = f"http://{{task public IP}}:{CONTAINER_PORT}"
        return DryRun(env, None, "public-ip", url, None, env.warnings)
    router = evaluate_router_offline(
        RouterConfig(cfg.pr, cfg.sha, str(env.outputs["targetGroupArn"]), cfg.repo), shared
    )
    warnings = tuple(dict.fromkeys((*env.warnings, *router.warnings)))
    return DryRun(
        env,
        router,
        "https",
        f"https://{pr_host(cfg.pr, domain)}",
        f"https://{env_host(cfg.pr, cfg.sha, domain)}",
        warnings,
    )


def format_dry_run(d: DryRun) -> str:
    """The environment's listing, the router's, then the address."""
    e = d.env
    parts = [format_render(e.resources, e.outputs, stack=e.stack, placeholders=e.placeholders)]
    if d.router is not None:
        r = d.router
        parts.append(
            "\n".join(
                [f"router stack {r.stack}: {len(r.resources)} resources", *_body(r.resources)]
            )
        )
    if d.mode == "https":
        router = d.router.stack if d.router else "-"
        parts.append(
            f"address (HTTPS mode): {d.url} follows 🎯 (router {router}); "
            f"this SHA alone: {d.sha_url}"
        )
    else:
        parts.append(
            f"address (public-IP mode, no domain configured: set SHOWTIME_DOMAIN and the shared "
            f"stack's showtime-iac:domain for HTTPS): {d.url}, a new IP on every deploy"
        )
    return "\n\n".join(parts)
