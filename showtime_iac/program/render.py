"""The offline render: the real program evaluated under ``pulumi.runtime.set_mocks``.

:func:`render_offline` returns every resource one environment declares; :func:`format_render`
prints them. Nothing is deployed and nothing leaves the process; safe to call many times.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

from showtime_iac.core.model import EnvConfig
from showtime_iac.core.stack_config import (
    BuildConfig,
    SharedConfig,
    SharedStackRef,
    StackConfigError,
)
from showtime_iac.program.config import main
from showtime_iac.program.environment import declare_environment
from showtime_iac.program.mocks import MOCK_ACCOUNT, RecordingMocks, RenderedResource, clean
from showtime_iac.program.shared import declare_shared

__all__ = [
    "OFFLINE_HEADER",
    "OfflineRender",
    "evaluate_offline",
    "evaluate_stack_offline",
    "format_render",
    "render_offline",
    "render_shared_offline",
]

OFFLINE_HEADER = "offline render under Pulumi mocks: nothing was deployed"


@dataclass(frozen=True)
class OfflineRender:
    """Resources (in declaration order) and resolved stack outputs of one mocked evaluation."""

    stack: str
    resources: list[RenderedResource]
    outputs: dict[str, Any]
    placeholders: tuple[str, ...] = ()


_TYPE_ORDER = (
    "pulumi:pulumi:StackReference",
    "aws:ecs/cluster:Cluster",
    "aws:ecr/repository:Repository",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy",
    "aws:iam/role:Role",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:ec2/securityGroup:SecurityGroup",
    "docker:index/image:Image",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:ecs/taskDefinition:TaskDefinition",
    "aws:ecs/service:Service",
)


def _render_order(r: RenderedResource) -> tuple[int, str, str]:
    """Dependency order (registration under mocks is concurrent, so not deterministic)."""
    rank = _TYPE_ORDER.index(r.type) if r.type in _TYPE_ORDER else len(_TYPE_ORDER)
    return rank, r.type, r.name


def _evaluate(
    stack: str,
    shared: SharedConfig,
    program: Callable[[], Mapping[str, pulumi.Output[Any]] | None],
    *,
    config: Mapping[str, str] | None = None,
    mocks: RecordingMocks | None = None,
) -> OfflineRender:
    """Run ``program`` under fresh mocks in a fresh context (so it can run many times).

    ``config`` becomes the stack config the program sees; ``mocks`` lets a caller keep the
    recorder (to see what was declared before an error).
    """
    from pulumi.runtime import config as runtime_config
    from pulumi.runtime import settings
    from pulumi.runtime.stack import run_pulumi_func
    from pulumi.runtime.sync_await import _sync_await

    recorder = mocks if mocks is not None else RecordingMocks(shared.region, shared)
    resolved: dict[str, Any] = {}

    def body() -> None:
        outputs = program()

        def keep(values: dict[str, Any]) -> None:
            resolved.update(values)

        if outputs:
            pulumi.Output.all(**dict(outputs)).apply(keep)

    def run() -> None:
        settings.ROOT.set(None)
        pulumi.runtime.set_mocks(recorder, project="showtime-iac", stack=stack, preview=False)
        runtime_config.set_all_config(dict(config or {}), [])
        _sync_await(run_pulumi_func(body))

    # Every event loop of the evaluation is closed here: Pulumi's mocks give each worker
    # thread a loop of its own and never close it, and a loop left for the interpreter's exit
    # is sometimes collected after its selector, printing a traceback under a good result.
    previous = asyncio.get_event_loop_policy()
    policy = _RecordingLoopPolicy()
    asyncio.set_event_loop_policy(policy)
    loop = policy.new_event_loop()
    policy.set_event_loop(loop)
    try:
        contextvars.Context().run(run)
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.run_until_complete(loop.shutdown_default_executor())
        policy.set_event_loop(None)
        asyncio.set_event_loop_policy(previous)
        for made in policy.loops:
            if not made.is_running():
                made.close()
    return OfflineRender(
        stack=stack,
        resources=sorted(recorder.recorded, key=_render_order),
        outputs={k: clean(v, k) for k, v in resolved.items()},
        placeholders=shared.placeholders,
    )


class _RecordingLoopPolicy(asyncio.DefaultEventLoopPolicy):
    """The default policy, remembering every loop it makes (so they can all be closed)."""

    def __init__(self) -> None:
        super().__init__()
        self.loops: list[asyncio.AbstractEventLoop] = []

    def new_event_loop(self) -> asyncio.AbstractEventLoop:
        loop = super().new_event_loop()
        self.loops.append(loop)
        return loop


def evaluate_offline(
    cfg: EnvConfig,
    shared: SharedConfig | SharedStackRef | None = None,
    build: BuildConfig | None = None,
) -> OfflineRender:
    """Evaluate one environment stack's real program under mocks: resources and outputs.

    ``shared`` defaults to :meth:`SharedConfig.offline_default` (the original's cluster and
    ECR repository ``superset-ci`` in us-west-2, placeholder subnets and security group). A
    :class:`SharedStackRef` is answered by the mocks with the offline default's values.
    """
    values = shared if isinstance(shared, SharedConfig) else SharedConfig.offline_default()
    source: SharedConfig | SharedStackRef = shared if shared is not None else values

    def program() -> Mapping[str, pulumi.Output[Any]]:
        return declare_environment(cfg, source, build).outputs

    return _evaluate(cfg.stack, values, program)


def evaluate_stack_offline(
    stack: str,
    values: Mapping[str, str],
    *,
    mocks: RecordingMocks | None = None,
) -> OfflineRender:
    """Run exactly what ``pulumi up`` runs (:func:`main`: stack name → program, config parsed
    from ``values``) under mocks. A :class:`SharedStackRef` is answered with the offline
    default's values; placeholder ids are accepted. Config errors raise before any resource."""
    try:
        shared = SharedConfig.from_stack_config(values)
    except StackConfigError:
        shared = SharedConfig.offline_default()  # main() reports the error itself

    return _evaluate(stack, shared, lambda: main(offline=True), config=values, mocks=mocks)


def render_offline(cfg: EnvConfig, shared: SharedConfig | None = None) -> list[RenderedResource]:
    """Every resource one environment stack declares, evaluated offline under Pulumi mocks.

    Nothing is deployed and nothing leaves the process. Safe to call many times.
    """
    return evaluate_offline(cfg, shared).resources


def render_shared_offline(shared: SharedConfig | None = None) -> OfflineRender:
    """The ``shared`` stack's program under mocks (create or existing, per the switches)."""
    values = shared or SharedConfig.offline_default()
    return _evaluate("shared", values, lambda: declare_shared(values))


# --------------------------------------------------------------------------- text


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
    for r in resources:
        lines.append("")
        lines.append(f"{r.type}  {r.name}")
        for k in sorted(r.inputs):
            v = r.inputs[k]
            if k == "containerDefinitions" and isinstance(v, str):
                for c in r.containers():
                    lines.append(f"  container {c.get('name')}: image {c.get('image')}")
                    ports = [str(p.get("containerPort")) for p in c.get("portMappings", [])]
                    if ports:
                        lines.append(f"    ports: {', '.join(ports)}")
                    for e in c.get("environment", []):
                        lines.append(f"    env {e['name']}={e['value']}")
                    opts = c.get("logConfiguration", {}).get("options", {})
                    if opts:
                        lines.append(
                            f"    logs: {opts.get('awslogs-group')} ({opts.get('awslogs-region')})"
                        )
                continue
            if v in (None, "", [], {}):
                continue
            lines.append(f"  {k}: {_short(v)}")
        if r.tags:
            lines.append("  tags: " + ", ".join(f"{k}={v}" for k, v in sorted(r.tags.items())))
    if outputs:
        lines.append("")
        lines.append("outputs:")
        for k in sorted(outputs):
            lines.append(f"  {k}: {_short(outputs[k])}")
    return "\n".join(lines)
