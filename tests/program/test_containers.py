"""program.containers: the task's containers, sizes and environment."""

from __future__ import annotations

import pytest

from showtime_iac.program import (
    SIZE_SPECS,
    render_offline,
)
from tests.program.helpers import (
    IMAGE,
    LOG_GROUP,
    SERVICE,
    TASK_DEF,
    by_type,
    cfg_of,
)


@pytest.mark.parametrize("size", ["small", "medium", "large"])
def test_each_size_sets_cpu_memory_and_workers(size: str) -> None:
    res = by_type(render_offline(cfg_of(size=size)))
    td = res[TASK_DEF]
    spec = SIZE_SPECS[size]
    assert int(td.inputs["cpu"]) == spec.cpu
    assert int(td.inputs["memory"]) == spec.memory >= 2048
    env = td.container_env()
    assert env["SERVER_WORKER_AMOUNT"] == str(spec.workers)
    assert env["SERVER_THREADS_AMOUNT"] == str(spec.threads)
    assert set(res) == {IMAGE, LOG_GROUP, TASK_DEF, SERVICE}


def test_sizes_grow_and_are_valid_fargate_combinations() -> None:
    # Fargate: 1 vCPU → 2-8 GB, 2 vCPU → 4-16 GB, 4 vCPU → 8-30 GB
    allowed = {1024: (2048, 8192), 2048: (4096, 16384), 4096: (8192, 30720)}
    for spec in SIZE_SPECS.values():
        low, high = allowed[spec.cpu]
        assert low <= spec.memory <= high
    small, medium, large = (SIZE_SPECS[s] for s in ("small", "medium", "large"))
    assert small.memory < medium.memory < large.memory


def test_flags_and_options_reach_the_container_environment() -> None:
    cfg = cfg_of(flags=(("ALERTS", True), ("DASHBOARD_RBAC", False)), debug=True, examples=False)
    env = by_type(render_offline(cfg))[TASK_DEF].container_env()
    assert env["SUPERSET_FEATURE_ALERTS"] == "True"
    assert env["SUPERSET_FEATURE_DASHBOARD_RBAC"] == "False"
    assert env["SUPERSET_LOAD_EXAMPLES"] == "no"
    assert env["SUPERSET_LOG_LEVEL"] == "DEBUG"
    assert env["FLASK_DEBUG"] == "True"
    plain = by_type(render_offline(cfg_of()))[TASK_DEF].container_env()
    assert not any(k.startswith("SUPERSET_FEATURE_") for k in plain)
    assert plain["SUPERSET_LOAD_EXAMPLES"] == "yes"
    assert plain["SUPERSET_LOG_LEVEL"] == "INFO"
    assert "REDIS_HOST" not in plain


def test_cache_redis_adds_a_sidecar_and_points_superset_at_it() -> None:
    td = by_type(render_offline(cfg_of(cache_redis=True)))[TASK_DEF]
    containers = {c["name"]: c for c in td.containers()}
    assert set(containers) == {"superset", "redis"}
    assert containers["redis"]["image"].startswith("public.ecr.aws/docker/library/redis:")
    assert containers["superset"]["dependsOn"] == [{"containerName": "redis", "condition": "START"}]
    env = td.container_env()
    assert (env["REDIS_HOST"], env["REDIS_PORT"]) == ("localhost", "6379")
    assert containers["redis"]["logConfiguration"]["options"]["awslogs-stream-prefix"] == "redis"
