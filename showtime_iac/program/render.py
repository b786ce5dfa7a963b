"""The offline render: the real program evaluated under ``pulumi.runtime.set_mocks``.

:func:`render_offline` returns every resource one environment declares
(:func:`.listing.format_render` prints them); :func:`evaluate_router_offline` the PR's router.
Each :class:`OfflineRender` says which made-up values it used (``warnings``): placeholder ids,
the mock account, a made-up image digest, placeholder secrets. Nothing is deployed and nothing
leaves the process; safe to call many times.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pulumi

from showtime_iac.core.model import EnvConfig
from showtime_iac.core.routing import RouterConfig
from showtime_iac.core.shards import RulePlacement, ShardError
from showtime_iac.core.stack_config import (
    BuildConfig,
    SharedConfig,
    SharedStackRef,
    StackConfigError,
)
from showtime_iac.program.access import OFFLINE_SECRETS, EnvSecrets
from showtime_iac.program.config import main
from showtime_iac.program.environment import declare_environment
from showtime_iac.program.mocks import (
    MOCK_ACCOUNT,
    RecordingMocks,
    RecordingMonitor,
    RenderedResource,
    clean,
)
from showtime_iac.program.routing import declare_router
from showtime_iac.program.shared import declare_shared

__all__ = [
    "OFFLINE_HEADER",
    "OfflineRender",
    "evaluate_offline",
    "evaluate_router_offline",
    "evaluate_stack_offline",
    "placeholder_warnings",
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
    warnings: tuple[str, ...] = ()


def placeholder_warnings(
    ids: Sequence[str], resources: Sequence[RenderedResource], *, secrets: bool
) -> tuple[str, ...]:
    """One line per made-up value a render used (the dry run prints them on stderr)."""
    lines = [f"placeholder id {p}: set the real one in the shared stack's config" for p in ids]
    lines.append(
        f"placeholder AWS account {MOCK_ACCOUNT} in every ARN and the registry: the real one "
        "is your credentials' account"
    )
    if any(r.type == "docker:index/image:Image" for r in resources):
        lines.append(
            "made-up image digest (sha256 of the resource name): the real one is the build's, "
            "at deploy time"
        )
    if secrets:
        lines.append(
            "placeholder SECRET_KEY and admin password: `up` generates real ones once, when it "
            "creates the stack"
        )
    return tuple(lines)


_TYPE_ORDER = (
    "pulumi:pulumi:StackReference",
    "aws:ecs/cluster:Cluster",
    "aws:acm/certificate:Certificate",
    "aws:route53/record:Record",
    "aws:acm/certificateValidation:CertificateValidation",
    "aws:lb/loadBalancer:LoadBalancer",
    "aws:lb/listener:Listener",
    "aws:ecr/repository:Repository",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy",
    "aws:iam/policy:Policy",
    "aws:iam/role:Role",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:ec2/securityGroup:SecurityGroup",
    "docker:index/image:Image",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:secretsmanager/secret:Secret",
    "aws:secretsmanager/secretVersion:SecretVersion",
    "aws:lb/targetGroup:TargetGroup",
    "aws:lb/listenerRule:ListenerRule",
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
    placeholder_secrets: bool = False,
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
        if outputs is None:  # a program that only exports (main): the root stack's outputs
            from pulumi.runtime.settings import get_root_resource

            root = get_root_resource()
            outputs = dict(getattr(root, "outputs", None) or {})

        def keep(values: dict[str, Any]) -> None:
            resolved.update(values)

        if outputs:
            pulumi.Output.all(**dict(outputs)).apply(keep)

    def run() -> None:
        settings.ROOT.set(None)
        pulumi.runtime.set_mocks(
            recorder,
            project="showtime-iac",
            stack=stack,
            preview=False,
            monitor=RecordingMonitor(recorder),
        )
        # The mocks' settings leave the set of pending outputs as it was: a set every context
        # shares, where an evaluation that raised leaves tasks of its closed loop behind.
        settings.SETTINGS.outputs = set()
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
    resources = sorted(recorder.recorded, key=_render_order)
    return OfflineRender(
        stack=stack,
        resources=resources,
        outputs={k: clean(v, k) for k, v in resolved.items()},
        placeholders=shared.placeholders,
        warnings=placeholder_warnings(shared.placeholders, resources, secrets=placeholder_secrets),
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
    placement: RulePlacement | None = None,
) -> OfflineRender:
    """Evaluate one environment stack's real program under mocks: resources and outputs.

    ``shared`` defaults to :meth:`SharedConfig.offline_default` (the original's cluster and
    ECR repository ``superset-ci`` in us-west-2, placeholder subnets and security group). A
    :class:`SharedStackRef` is answered by the mocks with the offline default's values (in
    HTTPS mode when it names a domain). The secrets are clear placeholders.
    """
    if isinstance(shared, SharedConfig):
        values = shared
    else:
        values = SharedConfig.offline_default(shared.domain if shared else None)
    source: SharedConfig | SharedStackRef = shared if shared is not None else values

    def program() -> Mapping[str, pulumi.Output[Any]]:
        return declare_environment(cfg, source, build, OFFLINE_SECRETS, placement).outputs

    return _evaluate(cfg.stack, values, program, placeholder_secrets=True)


def evaluate_router_offline(
    cfg: RouterConfig,
    shared: SharedConfig | SharedStackRef | None = None,
    placement: RulePlacement | None = None,
) -> OfflineRender:
    """The PR's router stack under mocks (HTTPS mode: ``shared`` must name a domain)."""
    if isinstance(shared, SharedConfig):
        values = shared
    else:
        values = SharedConfig.offline_default(shared.domain if shared else None)
    source: SharedConfig | SharedStackRef = shared if shared is not None else values
    return _evaluate(cfg.stack, values, lambda: declare_router(cfg, source, placement))


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
    if shared.domain is None and values.get("showtime-iac:domain"):
        shared = SharedConfig.offline_default(values["showtime-iac:domain"])
    shared = _with_shard_of(values, shared)
    secrets = EnvSecrets.from_stack_config(values, offline=True)
    return _evaluate(
        stack,
        shared,
        lambda: main(offline=True),
        config=values,
        mocks=mocks,
        placeholder_secrets=secrets.placeholder and stack != "shared",
    )


def _with_shard_of(values: Mapping[str, str], shared: SharedConfig) -> SharedConfig:
    """The mocked shared stack declares the load-balancer shard the stack's config names (a
    shared stack's config names none: shard 0, which it always declares)."""
    try:
        shard = RulePlacement.from_stack_config(values).shard
    except ShardError:
        return shared  # main() reports it
    if shard in shared.load_balancer_shards:
        return shared
    return replace(shared, load_balancer_shards=(*shared.load_balancer_shards, shard))


def render_offline(cfg: EnvConfig, shared: SharedConfig | None = None) -> list[RenderedResource]:
    """Every resource one environment stack declares, evaluated offline under Pulumi mocks.

    Nothing is deployed and nothing leaves the process. Safe to call many times.
    """
    return evaluate_offline(cfg, shared).resources


def render_shared_offline(shared: SharedConfig | None = None) -> OfflineRender:
    """The ``shared`` stack's program under mocks (create or existing, per the switches)."""
    values = shared or SharedConfig.offline_default()
    return _evaluate("shared", values, lambda: declare_shared(values))
