"""The containers of one environment's task: Superset (and a Redis sidecar), their environment.

Sizes (:data:`SIZE_SPECS`) are valid Fargate cpu/memory pairs; the port is Superset's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

from showtime_iac.core.model import EnvConfig, resource_names

__all__ = [
    "CONTAINER_PORT",
    "MIN_MEMORY_MIB",
    "REDIS_IMAGE",
    "REDIS_PORT",
    "SIZE_SPECS",
    "SizeSpec",
    "container_definitions",
    "container_environment",
]

CONTAINER_PORT = 8080
REDIS_PORT = 6379
# Public ECR mirror of the Docker Hub image: no Docker Hub pull rate limit, no IAM needed.
REDIS_IMAGE = "public.ecr.aws/docker/library/redis:7-alpine"
MIN_MEMORY_MIB = 2048  # Superset runs out of memory below 2 GB


@dataclass(frozen=True)
class SizeSpec:
    """Fargate task size and Gunicorn settings of one ``conf-size-*``."""

    cpu: int  # CPU units (1024 = 1 vCPU)
    memory: int  # MiB
    workers: int  # SERVER_WORKER_AMOUNT
    threads: int  # SERVER_THREADS_AMOUNT


# Valid Fargate combinations; memory never below 2 GB.
SIZE_SPECS: dict[str, SizeSpec] = {
    "small": SizeSpec(cpu=1024, memory=2048, workers=1, threads=20),
    "medium": SizeSpec(cpu=2048, memory=4096, workers=2, threads=20),
    "large": SizeSpec(cpu=4096, memory=8192, workers=4, threads=20),
}
assert all(s.memory >= MIN_MEMORY_MIB for s in SIZE_SPECS.values())


def container_environment(cfg: EnvConfig) -> list[dict[str, str]]:
    spec = SIZE_SPECS[cfg.size]
    env: dict[str, str] = {
        "SERVER_WORKER_AMOUNT": str(spec.workers),
        "SERVER_THREADS_AMOUNT": str(spec.threads),
        "SUPERSET_PORT": str(CONTAINER_PORT),
        "SUPERSET_LOAD_EXAMPLES": "yes" if cfg.examples else "no",
        "SUPERSET_LOG_LEVEL": "DEBUG" if cfg.debug else "INFO",
        "FLASK_DEBUG": "True" if cfg.debug else "False",
    }
    if cfg.cache_redis:
        # awsvpc: the containers of one task share localhost.
        env["REDIS_HOST"] = "localhost"
        env["REDIS_PORT"] = str(REDIS_PORT)
    for name, on in cfg.flags:
        env[f"SUPERSET_FEATURE_{name}"] = "True" if on else "False"
    return [{"name": k, "value": env[k]} for k in sorted(env)]


def container_definitions(
    cfg: EnvConfig, image: pulumi.Input[str], log_group: pulumi.Input[str], region: Any
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
        "portMappings": [
            {"containerPort": CONTAINER_PORT, "hostPort": CONTAINER_PORT, "protocol": "tcp"}
        ],
        "environment": container_environment(cfg),
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
