"""The Pulumi program: one environment stack per PR SHA, and the ``shared`` stack.

Plain functions that declare resources from typed config (Pulumi's examples style), one module
per concern:

- :mod:`.environment` — :func:`declare_environment`: image (build+push, or a prebuilt URI), log
  group, Fargate task definition, ECS service, stack outputs.
- :mod:`.containers` — the task's container definitions and their environment; sizes.
- :mod:`.shared` — :func:`declare_shared`: ECS cluster, ECR repository + lifecycle policy,
  execution role, security group; or existing ones by name.
- :mod:`.config` — :func:`select_program`, :func:`main`: stack name + stack config → program.
- :mod:`.access` — the environment's secret and its own execution role.
- :mod:`.inputs`, :mod:`.routing`, :mod:`.loadbalancer` — HTTPS mode: the shared load balancer,
  each environment's target group and host rule, the PR's router stack.
- :mod:`.mocks`, :mod:`.render`, :mod:`.listing` — :func:`render_offline` evaluates the real
  program under ``pulumi.runtime.set_mocks`` and returns every resource it declares;
  :func:`format_render` prints them, :func:`dry_run` is ``up --dry-run``. Nothing is deployed.

``__main__.py`` is what ``Pulumi.yaml`` names. Pulumi's Python host runs this directory with it
on ``sys.path``: no module here may be named like a top-level library (a test holds that).
Heavy imports (``pulumi_aws``, ``pulumi_docker``) happen inside the functions that need them.
"""

from __future__ import annotations

from showtime_iac.program.config import all_config, main, select_program
from showtime_iac.program.containers import (
    CONTAINER_PORT,
    MIN_MEMORY_MIB,
    REDIS_IMAGE,
    REDIS_PORT,
    SIZE_SPECS,
    SizeSpec,
)
from showtime_iac.program.environment import EnvResources, declare_environment, environment_tags
from showtime_iac.program.listing import DryRun, dry_run, format_dry_run, format_render
from showtime_iac.program.mocks import MOCK_ACCOUNT, RecordingMocks, RenderedResource
from showtime_iac.program.render import (
    OFFLINE_HEADER,
    OfflineRender,
    _evaluate,
    evaluate_offline,
    evaluate_router_offline,
    evaluate_stack_offline,
    render_offline,
    render_shared_offline,
)
from showtime_iac.program.shared import SHARED_OUTPUTS, declare_shared, shared_tags

__all__ = [
    "CONTAINER_PORT",
    "DryRun",
    "MIN_MEMORY_MIB",
    "MOCK_ACCOUNT",
    "OFFLINE_HEADER",
    "REDIS_IMAGE",
    "REDIS_PORT",
    "SHARED_OUTPUTS",
    "SIZE_SPECS",
    "EnvResources",
    "OfflineRender",
    "RecordingMocks",
    "RenderedResource",
    "SizeSpec",
    "_evaluate",  # for tests that evaluate a program of their own
    "all_config",
    "declare_environment",
    "declare_shared",
    "dry_run",
    "environment_tags",
    "evaluate_offline",
    "evaluate_router_offline",
    "evaluate_stack_offline",
    "format_dry_run",
    "format_render",
    "main",
    "render_offline",
    "render_shared_offline",
    "select_program",
    "shared_tags",
]
