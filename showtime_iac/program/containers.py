"""The containers of one environment's task: Superset (and a Redis sidecar), their environment,
their secrets and the start command.

Sizes (:data:`SIZE_SPECS`) are valid Fargate cpu/memory pairs; the port is Superset's. Every
environment variable set here is read by Superset or by :data:`START_SCRIPT`; the secrets reach
the container only through ``secrets`` (``valueFrom`` the environment's Secrets Manager secret).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi

from showtime_iac.core.model import EnvConfig, resource_names

__all__ = [
    "ADMIN_USER",
    "BOOT_SOURCE",
    "GUNICORN_KEEPALIVE",
    "HEALTH_CHECK",
    "PROXY_CONFIG",
    "CONTAINER_PORT",
    "MIN_MEMORY_MIB",
    "REDIS_CONFIG",
    "REDIS_IMAGE",
    "REDIS_PORT",
    "SECRET_ENV",
    "SIZE_SPECS",
    "START_SCRIPT",
    "SUPERSET_CONFIG_PATH",
    "SizeSpec",
    "container_definitions",
    "container_environment",
    "container_secrets",
]

CONTAINER_PORT = 8080
REDIS_PORT = 6379
# Public ECR mirror of the Docker Hub image: no Docker Hub pull rate limit, no IAM needed.
REDIS_IMAGE = "public.ecr.aws/docker/library/redis:7-alpine"
MIN_MEMORY_MIB = 2048  # Superset runs out of memory below 2 GB
ADMIN_USER = "admin"
GUNICORN_THREADS = 8  # what the image's docker-ci.sh forces, and what tests/superset measured

#: container variable → key of the environment's secret (a JSON object in Secrets Manager).
#: ADMIN_PASSWORD is also the variable the image's own docker-init.sh reads.
SECRET_ENV = {"SUPERSET_SECRET_KEY": "SUPERSET_SECRET_KEY", "ADMIN_PASSWORD": "ADMIN_PASSWORD"}


@dataclass(frozen=True)
class SizeSpec:
    """Fargate task size and Gunicorn workers of one ``conf-size-*``."""

    cpu: int  # CPU units (1024 = 1 vCPU)
    memory: int  # MiB
    workers: int  # SERVER_WORKER_AMOUNT, read by START_SCRIPT


# Valid Fargate combinations; memory never below 2 GB. The default (medium) is 1 vCPU / 2 GiB
# with one worker: tests/superset/FINDINGS.md measured Superset 6.1.0's peak at 0.87 GiB with
# examples loaded and exercised (2.4x headroom), and its first start CPU-bound at ~5 min on one
# vCPU whatever the size. small is the original Superset Showtime's 0.5 vCPU (a slower start);
# large is for PRs that need concurrency (4 workers peaked at 1.9 GiB).
SIZE_SPECS: dict[str, SizeSpec] = {
    "small": SizeSpec(cpu=512, memory=2048, workers=1),
    "medium": SizeSpec(cpu=1024, memory=2048, workers=1),
    "large": SizeSpec(cpu=2048, memory=4096, workers=4),
}

#: ECS restarts a task whose Superset stops answering: without a load balancer nothing else
#: would notice (a worker that keeps failing to boot leaves the container RUNNING). Every 5 s,
#: so a container that boots in a minute is HEALTHY within 5 s of answering (a pass in the start
#: period counts at once; an update's rollout waits for it). 10 failures in a row (50 s) after
#: the start period (ECS's maximum) mark it unhealthy; a slow first start is covered by the
#: service's health-check grace (``environment.HEALTH_GRACE_SECONDS``), which ECS applies to
#: container checks too.
HEALTH_CHECK: dict[str, Any] = {
    "command": ["CMD-SHELL", f"curl -fsS http://localhost:{CONTAINER_PORT}/health || exit 1"],
    "interval": 5,
    "timeout": 4,
    "retries": 10,
    "startPeriod": 300,
}
assert all(s.memory >= MIN_MEMORY_MIB for s in SIZE_SPECS.values())

#: where START_SCRIPT writes the generated superset_config.py (only with conf-cache-redis)
SUPERSET_CONFIG_PATH = "/tmp/showtime_superset_config.py"  # noqa: S108 (the container's /tmp)

#: Superset's caches on the Redis sidecar (awsvpc: the task's containers share localhost).
#: Superset reads no REDIS_HOST; it loads this file through SUPERSET_CONFIG_PATH.
REDIS_CONFIG = f"""\
# written by showtime-iac (conf-cache-redis): Superset's caches on the task's Redis sidecar
_REDIS = {{
    "CACHE_TYPE": "RedisCache",
    "CACHE_REDIS_HOST": "localhost",
    "CACHE_REDIS_PORT": {REDIS_PORT},
    "CACHE_DEFAULT_TIMEOUT": 300,
}}
CACHE_CONFIG = {{**_REDIS, "CACHE_KEY_PREFIX": "superset_"}}
DATA_CACHE_CONFIG = {{**_REDIS, "CACHE_KEY_PREFIX": "superset_data_"}}
FILTER_STATE_CACHE_CONFIG = {{**_REDIS, "CACHE_KEY_PREFIX": "superset_filter_"}}
EXPLORE_FORM_DATA_CACHE_CONFIG = {{**_REDIS, "CACHE_KEY_PREFIX": "superset_explore_"}}
"""

#: HTTPS mode: Superset sits behind exactly one proxy, the load balancer, and trusts its
#: ``X-Forwarded-*`` headers (Superset's ``PROXY_FIX_CONFIG``: one hop each), so the URLs it
#: builds (redirects, the API's ``servers``, e-mails) name ``https://pr-N.<domain>``, not the
#: task's ``http://10.x.x.x:8080``. Not in public-IP mode: nothing sits in front there, and a
#: client would choose the scheme and host Superset believes.
PROXY_CONFIG = """\
# written by showtime-iac (HTTPS mode): the load balancer is the one proxy in front
ENABLE_PROXY_FIX = True
"""

#: gunicorn's keep-alive: longer than the load balancer's idle timeout (120 s), so the ALB, not
#: gunicorn, closes an idle connection (else a request can race the close and get a 502)
GUNICORN_KEEPALIVE = 125

#: The start steps' Python (superset_boot.py, run by the image's own interpreter: stdlib and
#: Superset only), carried in the command itself so that an image that was not baked starts too.
BOOT_SOURCE = Path(__file__).with_name("superset_boot.py").read_text(encoding="utf-8")
_BOOT_EOF = "SHOWTIME_BOOT_PY"
assert _BOOT_EOF not in BOOT_SOURCE

#: The task's command (``bash -c``): the secrets come from the container's environment (filled
#: in by ECS from ``secrets``), never written here. One Python process does what this
#: environment needs before gunicorn serves: in an image baked by ``bake.Dockerfile`` only the
#: per-environment steps (re-encrypt under this environment's key, the admin password, the
#: examples on or off), otherwise the image's whole sequence (migrations, admin, init, examples).
START_SCRIPT = f"""\
set -eu
: "${{SUPERSET_SECRET_KEY:?missing: ECS fills it from the task secrets}}"
: "${{ADMIN_PASSWORD:?missing: ECS fills it from the task secrets}}"
if [ -n "${{SHOWTIME_SUPERSET_CONFIG:-}}" ]; then
  printf '%s\\n' "$SHOWTIME_SUPERSET_CONFIG" > "$SUPERSET_CONFIG_PATH"
fi
python - start <<'{_BOOT_EOF}'
{BOOT_SOURCE}{_BOOT_EOF}
exec gunicorn --bind "0.0.0.0:$SUPERSET_PORT" --workers "$SERVER_WORKER_AMOUNT" \\
  --worker-class gthread --threads {GUNICORN_THREADS} --timeout 120 \\
  --keep-alive {GUNICORN_KEEPALIVE} --limit-request-line 0 --limit-request-field_size 0 \\
  --log-level "$GUNICORN_LOGLEVEL" --access-logfile - --error-logfile - \\
  "superset.app:create_app()"
"""


def container_environment(cfg: EnvConfig, behind_proxy: bool) -> list[dict[str, str]]:
    """The Superset container's plain environment (no secret is ever here). ``behind_proxy``:
    HTTPS mode, the load balancer in front (:data:`PROXY_CONFIG`)."""
    spec = SIZE_SPECS[cfg.size]
    env: dict[str, str] = {
        "SERVER_WORKER_AMOUNT": str(spec.workers),
        "SUPERSET_PORT": str(CONTAINER_PORT),
        "SUPERSET_LOAD_EXAMPLES": "yes" if cfg.examples else "no",
        "FLASK_DEBUG": "True" if cfg.debug else "False",  # Superset's DEBUG and LOG_LEVEL
        "GUNICORN_LOGLEVEL": "debug" if cfg.debug else "info",
    }
    config = (PROXY_CONFIG if behind_proxy else "") + (REDIS_CONFIG if cfg.cache_redis else "")
    if config:
        env["SUPERSET_CONFIG_PATH"] = SUPERSET_CONFIG_PATH
        env["SHOWTIME_SUPERSET_CONFIG"] = config
    for name, on in cfg.flags:
        env[f"SUPERSET_FEATURE_{name}"] = "True" if on else "False"
    return [{"name": k, "value": env[k]} for k in sorted(env)]


def container_secrets(secret_arn: pulumi.Input[str]) -> list[dict[str, Any]]:
    """``secrets`` of the Superset container: each a JSON key of the environment's secret
    (``ARN:KEY::``), fetched by ECS with the environment's own execution role."""
    return [
        {"name": var, "valueFrom": pulumi.Output.concat(secret_arn, f":{json_key}::")}
        for var, json_key in sorted(SECRET_ENV.items())
    ]


def container_definitions(
    cfg: EnvConfig,
    image: pulumi.Input[str],
    log_group: pulumi.Input[str],
    region: Any,
    secret_arn: pulumi.Input[str],
    behind_proxy: bool,
) -> pulumi.Output[str]:
    names = resource_names(cfg.pr, cfg.sha)

    def logs(prefix: str) -> dict[str, Any]:
        return {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": log_group,
                "awslogs-region": region,
                "awslogs-stream-prefix": prefix,
            },
        }

    superset: dict[str, Any] = {
        "name": names.container,
        "image": image,
        "essential": True,
        "command": ["bash", "-c", START_SCRIPT],
        "portMappings": [
            {"containerPort": CONTAINER_PORT, "hostPort": CONTAINER_PORT, "protocol": "tcp"}
        ],
        "environment": container_environment(cfg, behind_proxy),
        "secrets": container_secrets(secret_arn),
        "healthCheck": HEALTH_CHECK,
        "logConfiguration": logs(names.container),
    }
    containers: list[dict[str, Any]] = [superset]
    if cfg.cache_redis:
        containers.append(
            {
                "name": "redis",
                "image": REDIS_IMAGE,
                "essential": True,
                "memoryReservation": 256,
                "portMappings": [{"containerPort": REDIS_PORT, "protocol": "tcp"}],
                "logConfiguration": logs("redis"),
            }
        )
        superset["dependsOn"] = [{"containerName": "redis", "condition": "START"}]
    return pulumi.Output.json_dumps(containers)
