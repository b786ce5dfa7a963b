"""program.containers: the task's containers, sizes, environment, secrets and start command.

The start command is run for real (bash) with stand-ins for ``python`` (the boot step) and
``gunicorn`` on PATH that record how they were called: the steps, their order and what reaches
them. What the boot step itself decides: tests/program/test_superset_boot.py.
"""

from __future__ import annotations

import os
import runpy
import shutil
import subprocess
from pathlib import Path

import pytest

from showtime_iac.core.stack_config import SharedConfig
from showtime_iac.program import SIZE_SPECS, render_offline, render_shared_offline
from showtime_iac.program.containers import (
    BOOT_SOURCE,
    GUNICORN_KEEPALIVE,
    REDIS_CONFIG,
    START_SCRIPT,
)
from tests.program.helpers import DOMAIN, ENV_TYPES, TASK_DEF, by_type, cfg_of

SECRET_KEY = "test-secret-key-0123456789abcdef"
PASSWORD = "test-admin-password-42"


@pytest.mark.parametrize("size", ["small", "medium", "large"])
def test_each_size_sets_cpu_memory_and_workers(size: str) -> None:
    res = by_type(render_offline(cfg_of(size=size)))
    td = res[TASK_DEF]
    spec = SIZE_SPECS[size]
    assert int(td.inputs["cpu"]) == spec.cpu
    assert int(td.inputs["memory"]) == spec.memory >= 2048
    env = td.container_env()
    assert env["SERVER_WORKER_AMOUNT"] == str(spec.workers)
    assert set(res) == ENV_TYPES


def test_sizes_grow_and_are_valid_fargate_combinations() -> None:
    # Fargate: 0.5 vCPU → 1-4 GB, 1 vCPU → 2-8 GB, 2 vCPU → 4-16 GB, 4 vCPU → 8-30 GB
    allowed = {512: (1024, 4096), 1024: (2048, 8192), 2048: (4096, 16384), 4096: (8192, 30720)}
    for spec in SIZE_SPECS.values():
        low, high = allowed[spec.cpu]
        assert low <= spec.memory <= high
        assert spec.memory % 1024 == 0
    small, medium, large = (SIZE_SPECS[s] for s in ("small", "medium", "large"))
    assert small.cpu < medium.cpu < large.cpu
    assert small.memory <= medium.memory < large.memory


def test_the_default_size_is_one_vcpu_and_two_gib() -> None:
    """As measured (tests/superset/FINDINGS.md): one worker peaks at 0.87 GiB."""
    td = by_type(render_offline(cfg_of()))[TASK_DEF]  # EnvConfig's default size: medium
    assert (td.inputs["cpu"], td.inputs["memory"]) == ("1024", "2048")
    assert td.container_env()["SERVER_WORKER_AMOUNT"] == "1"


def test_the_container_is_health_checked_on_its_own_health_endpoint() -> None:
    """Without a load balancer nothing else restarts a Superset that stopped answering."""
    (superset,) = by_type(render_offline(cfg_of()))[TASK_DEF].containers()
    check = superset["healthCheck"]
    assert check["command"][0] == "CMD-SHELL"
    assert "http://localhost:8080/health" in check["command"][1]
    assert check["startPeriod"] <= 300  # ECS's maximum
    # a serving Superset that stops answering is replaced within about a minute; a slow start
    # is the service's grace (tests/program/test_environment.py: health timings)
    assert check["interval"] * check["retries"] <= 60


def test_flags_and_options_reach_the_container_environment() -> None:
    cfg = cfg_of(flags=(("ALERTS", True), ("DASHBOARD_RBAC", False)), debug=True, examples=False)
    env = by_type(render_offline(cfg))[TASK_DEF].container_env()
    assert env["SUPERSET_FEATURE_ALERTS"] == "True"
    assert env["SUPERSET_FEATURE_DASHBOARD_RBAC"] == "False"
    assert env["SUPERSET_LOAD_EXAMPLES"] == "no"
    assert env["FLASK_DEBUG"] == "True"
    assert env["GUNICORN_LOGLEVEL"] == "debug"
    plain = by_type(render_offline(cfg_of()))[TASK_DEF].container_env()
    assert not any(k.startswith("SUPERSET_FEATURE_") for k in plain)
    assert plain["SUPERSET_LOAD_EXAMPLES"] == "yes"
    assert plain["FLASK_DEBUG"] == "False"
    assert "REDIS_HOST" not in plain


# Read by Superset itself (superset/config.py), not by the start script.
READ_BY_SUPERSET = {"FLASK_DEBUG", "SUPERSET_CONFIG_PATH"}


@pytest.mark.parametrize(
    "cfg",
    [cfg_of(), cfg_of(cache_redis=True, debug=True, flags=(("ALERTS", True),))],
    ids=["default", "everything"],
)
def test_every_environment_variable_is_read_by_superset_or_the_start_script(cfg: object) -> None:
    """No setting that does nothing: SERVER_THREADS_AMOUNT (forced by the image's own
    scripts) and SUPERSET_LOG_LEVEL (never read) are gone."""
    env = by_type(render_offline(cfg))[TASK_DEF].container_env()  # type: ignore[arg-type]
    for name in env:
        if name.startswith("SUPERSET_FEATURE_") or name in READ_BY_SUPERSET:
            continue
        in_script = f"${name}" in START_SCRIPT or f"${{{name}" in START_SCRIPT
        assert in_script or f'"{name}"' in BOOT_SOURCE, name  # or read by the boot step
    assert "SERVER_THREADS_AMOUNT" not in env
    assert "SUPERSET_LOG_LEVEL" not in env


def test_cache_redis_adds_a_sidecar_and_a_superset_config_that_uses_it() -> None:
    td = by_type(render_offline(cfg_of(cache_redis=True)))[TASK_DEF]
    containers = {c["name"]: c for c in td.containers()}
    assert set(containers) == {"superset", "redis"}
    assert containers["redis"]["image"].startswith("public.ecr.aws/docker/library/redis:")
    assert containers["superset"]["dependsOn"] == [{"containerName": "redis", "condition": "START"}]
    assert containers["redis"]["logConfiguration"]["options"]["awslogs-stream-prefix"] == "redis"
    env = td.container_env()
    assert env["SHOWTIME_SUPERSET_CONFIG"] == REDIS_CONFIG
    assert env["SUPERSET_CONFIG_PATH"].endswith(".py")


def test_only_https_mode_trusts_the_load_balancers_forwarded_headers() -> None:
    """Behind the ALB Superset must build https://pr-N.<domain> URLs (ProxyFix); in public-IP
    mode nothing sits in front, and a client must not choose the host Superset believes."""
    https = SharedConfig.offline_default(DOMAIN)
    env = by_type(render_offline(cfg_of(cache_redis=True), https))[TASK_DEF].container_env()
    assert env["SHOWTIME_SUPERSET_CONFIG"].startswith(
        "# written by showtime-iac (HTTPS mode): the load balancer is the one proxy in front\n"
        "ENABLE_PROXY_FIX = True\n"
    )
    assert "CACHE_CONFIG = " in env["SHOWTIME_SUPERSET_CONFIG"]  # the sidecar's too
    assert env["SUPERSET_CONFIG_PATH"] == "/tmp/showtime_superset_config.py"
    plain = by_type(render_offline(cfg_of()))[TASK_DEF].container_env()
    assert "SHOWTIME_SUPERSET_CONFIG" not in plain and "SUPERSET_CONFIG_PATH" not in plain
    redis_only = by_type(render_offline(cfg_of(cache_redis=True)))[TASK_DEF].container_env()
    assert "PROXY_FIX" not in redis_only["SHOWTIME_SUPERSET_CONFIG"]


def test_the_redis_config_points_every_superset_cache_at_the_sidecar(tmp_path: Path) -> None:
    path = tmp_path / "superset_config.py"
    path.write_text(REDIS_CONFIG)
    config = runpy.run_path(str(path))
    for name in (
        "CACHE_CONFIG",
        "DATA_CACHE_CONFIG",
        "FILTER_STATE_CACHE_CONFIG",
        "EXPLORE_FORM_DATA_CACHE_CONFIG",
    ):
        cache = config[name]
        assert cache["CACHE_TYPE"] == "RedisCache", name
        assert (cache["CACHE_REDIS_HOST"], cache["CACHE_REDIS_PORT"]) == ("localhost", 6379)
    prefixes = [config[n]["CACHE_KEY_PREFIX"] for n in config if n.endswith("CACHE_CONFIG")]
    assert len(set(prefixes)) == len(prefixes) == 4


# --------------------------------------------------------------------------- start command


def _stand_ins(bin_dir: Path, calls: Path) -> None:
    """``python`` records its arguments, what it was fed on stdin, the variables the boot step
    reads, and whether the Redis config was already written; it fails when STAND_IN_FAIL is set.
    ``gunicorn`` records its arguments."""
    (bin_dir / "python").write_text(
        f"""#!/bin/sh
echo "python $*" >> "{calls}"
cat > "{calls}.stdin"
echo "examples=$SUPERSET_LOAD_EXAMPLES password=$ADMIN_PASSWORD" > "{calls}.env"
if [ -n "${{SUPERSET_CONFIG_PATH:-}}" ] && [ -f "$SUPERSET_CONFIG_PATH" ]; then
  echo config-written >> "{calls}.env"
fi
[ -z "${{STAND_IN_FAIL:-}}" ]
"""
    )
    (bin_dir / "gunicorn").write_text(f'#!/bin/sh\necho "gunicorn $*" >> "{calls}"\n')
    for tool in ("python", "gunicorn"):
        (bin_dir / tool).chmod(0o755)


def _run_start(
    tmp_path: Path, env: dict[str, str], secrets: dict[str, str]
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run the task's command as ECS would: its environment plus the secrets filled in."""
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not installed")
    bin_dir, calls = tmp_path / "bin", tmp_path / "calls"
    bin_dir.mkdir(exist_ok=True)
    _stand_ins(bin_dir, calls)
    if "SUPERSET_CONFIG_PATH" in env:
        env = {**env, "SUPERSET_CONFIG_PATH": str(tmp_path / "superset_config.py")}
    run_env = {"PATH": f"{bin_dir}:{os.environ.get('PATH', '/usr/bin:/bin')}", **env, **secrets}
    td_command = by_type(render_offline(cfg_of()))[TASK_DEF].containers()[0]["command"]
    assert td_command[:2] == ["bash", "-c"]
    done = subprocess.run(
        [bash, "-c", td_command[2]],
        env=run_env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    lines = calls.read_text().splitlines() if calls.exists() else []
    return done, lines


def _env_and_secrets(**kw: object) -> tuple[dict[str, str], dict[str, str]]:
    td = by_type(render_offline(cfg_of(**kw)))[TASK_DEF]
    secrets = {"SUPERSET_SECRET_KEY": SECRET_KEY, "ADMIN_PASSWORD": PASSWORD}
    assert set(td.container_secrets()) == set(secrets)
    return td.container_env(), secrets


def test_the_command_runs_one_boot_process_then_serves(tmp_path: Path) -> None:
    """One Python process for every start step (each `superset` command costs seconds of
    imports), fed the packaged boot script, with the secret password in its environment."""
    env, secrets = _env_and_secrets()
    done, calls = _run_start(tmp_path, env, secrets)
    assert done.returncode == 0, done.stderr
    assert [c.split()[0] for c in calls] == ["python", "gunicorn"]
    assert calls[0] == "python - start"
    assert (tmp_path / "calls.stdin").read_text() == BOOT_SOURCE
    assert (tmp_path / "calls.env").read_text().split() == ["examples=yes", f"password={PASSWORD}"]
    serve = calls[-1]
    assert "--bind 0.0.0.0:8080" in serve
    assert "--workers 1" in serve and "--threads 8" in serve
    assert "--limit-request-line 0 --limit-request-field_size 0" in serve
    assert serve.endswith("superset.app:create_app()")


def test_without_examples_the_boot_step_is_told_so(tmp_path: Path) -> None:
    env, secrets = _env_and_secrets(examples=False)
    done, _ = _run_start(tmp_path, env, secrets)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "calls.env").read_text().split()[0] == "examples=no"


def test_a_failing_boot_step_stops_the_command_before_gunicorn(tmp_path: Path) -> None:
    env, secrets = _env_and_secrets()
    done, calls = _run_start(tmp_path, {**env, "STAND_IN_FAIL": "1"}, secrets)
    assert done.returncode != 0
    assert calls == ["python - start"]


def test_gunicorn_keeps_connections_longer_than_the_load_balancer() -> None:
    """An idle connection must be closed by the ALB, not by gunicorn under it (a request the
    ALB sends on a connection gunicorn is closing answers 502)."""
    shared = SharedConfig(
        vpc_id="vpc-0123456789abcdef0",
        subnet_ids=("subnet-0123456789abcdef0", "subnet-0fedcba9876543210"),
        domain=DOMAIN,
        hosted_zone_id="Z0123456789ABCDEFGHIJ",
    )
    resources = render_shared_offline(shared).resources
    (alb,) = [r for r in resources if r.type == "aws:lb/loadBalancer:LoadBalancer"]
    assert int(alb.inputs["idleTimeout"]) < GUNICORN_KEEPALIVE
    assert f"--keep-alive {GUNICORN_KEEPALIVE} " in START_SCRIPT


def test_with_redis_the_command_writes_the_superset_config_first(tmp_path: Path) -> None:
    env, secrets = _env_and_secrets(cache_redis=True)
    done, _ = _run_start(tmp_path, env, secrets)
    assert done.returncode == 0, done.stderr
    written = (tmp_path / "superset_config.py").read_text()
    assert written.rstrip("\n") == REDIS_CONFIG.rstrip("\n")
    assert "config-written" in (tmp_path / "calls.env").read_text()  # before the boot step


@pytest.mark.parametrize("missing", ["SUPERSET_SECRET_KEY", "ADMIN_PASSWORD"])
def test_a_missing_secret_stops_the_command_before_superset_starts(
    tmp_path: Path, missing: str
) -> None:
    env, secrets = _env_and_secrets()
    secrets.pop(missing)
    done, calls = _run_start(tmp_path, env, secrets)
    assert done.returncode != 0
    assert calls == []
    assert missing in done.stderr


def test_no_secret_value_is_ever_written_into_the_command() -> None:
    (superset,) = by_type(render_offline(cfg_of()))[TASK_DEF].containers()
    script = superset["command"][2]
    assert '"$ADMIN_PASSWORD"' not in script.split("<<'SHOWTIME_BOOT_PY'")[1]
    assert ': "${ADMIN_PASSWORD:?' in script
    assert "offline-placeholder" not in script
    for value in (SECRET_KEY, PASSWORD):
        assert value not in script


def test_the_redis_sidecar_is_essential_with_a_soft_memory_reservation() -> None:
    """The sidecar written out: the task stops if Redis stops (Superset's caches need it), and
    256 MiB of the task's memory are reserved for it (a soft limit: it may use more)."""
    td = by_type(render_offline(cfg_of(cache_redis=True)))[TASK_DEF]
    (redis,) = [c for c in td.containers() if c["name"] == "redis"]
    assert redis == {
        "name": "redis",
        "image": "public.ecr.aws/docker/library/redis:7-alpine",
        "essential": True,
        "memoryReservation": 256,
        "portMappings": [{"containerPort": 6379, "protocol": "tcp"}],
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": "/showtime/pr-1234-abc1234",
                "awslogs-region": "us-west-2",
                "awslogs-stream-prefix": "redis",
            },
        },
    }
