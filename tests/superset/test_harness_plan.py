"""The harness's model of the image's start steps, without Superset: runs everywhere."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from tests.superset.harness import (
    CI_CMD,
    LEAN_CMD,
    container_environment,
    find_container,
    plan_start,
    tree_memory,
)


def _opt(argv: tuple[str, ...], flag: str) -> str:
    return argv[argv.index(flag) + 1]


def test_ci_target_runs_init_then_gunicorn_with_eight_threads() -> None:
    env = {"SERVER_WORKER_AMOUNT": "2", "SERVER_THREADS_AMOUNT": "20", "SUPERSET_PORT": "8080"}
    steps = plan_start(env)
    assert [s.name for s in steps] == ["db upgrade", "create admin", "init", "serve"]
    serve = steps[-1].argv
    assert serve[0] == "gunicorn"
    assert _opt(serve, "--threads") == "8"  # docker-ci.sh overrides the task definition
    assert _opt(serve, "--workers") == "2"
    assert _opt(serve, "--bind") == "0.0.0.0:8080"
    assert _opt(serve, "--worker-class") == "gthread"
    assert steps == plan_start(env, command=list(CI_CMD))


def test_lean_target_only_serves_and_keeps_the_threads() -> None:
    env = {"SERVER_THREADS_AMOUNT": "20"}
    for steps in (plan_start(env, target="lean"), plan_start(env, command=list(LEAN_CMD))):
        assert [s.name for s in steps] == ["serve"]
        assert _opt(steps[0].argv, "--threads") == "20"
        assert _opt(steps[0].argv, "--bind") == "0.0.0.0:8088"


def test_examples_load_only_on_yes() -> None:
    def names(**kw: object) -> list[str]:
        env = {k: str(v) for k, v in kw.items()}
        return [s.name for s in plan_start(env)]

    assert "load examples" in names(SUPERSET_LOAD_EXAMPLES="yes")
    assert "load examples" not in names(SUPERSET_LOAD_EXAMPLES="true")  # docker-init.sh: = "yes"
    assert "load examples" not in names(SUPERSET_LOAD_EXAMPLES="no")
    assert "load examples" not in names()
    assert "load examples" not in [
        s.name for s in plan_start({"SUPERSET_LOAD_EXAMPLES": "yes"}, load_examples=False)
    ]


def test_admin_password_comes_from_admin_password_default_admin() -> None:
    def password(env: dict[str, str]) -> str:
        create = next(s for s in plan_start(env) if s.name == "create admin")
        return _opt(create.argv, "--password")

    assert password({"ADMIN_PASSWORD": "s3cret"}) == "s3cret"
    assert password({}) == "admin"
    assert password({"ADMIN_PASSWORD": ""}) == "admin"  # bash ${ADMIN_PASSWORD:-admin}


def test_empty_values_take_the_scripts_defaults() -> None:
    serve = plan_start({"SERVER_WORKER_AMOUNT": "", "GUNICORN_TIMEOUT": ""}, target="lean")[0]
    assert _opt(serve.argv, "--workers") == "1"
    assert _opt(serve.argv, "--timeout") == "60"


def test_unknown_commands_and_targets_are_refused() -> None:
    with pytest.raises(ValueError, match="not one of the image's start scripts"):
        plan_start({}, command=["bash", "-c", "superset run"])
    with pytest.raises(ValueError, match="unknown image target"):
        plan_start({}, target="dev")
    with pytest.raises(ValueError, match="CYPRESS_CONFIG"):
        plan_start({"CYPRESS_CONFIG": "true"})


def test_container_environment_resolves_secrets_as_ecs() -> None:
    container = {
        "environment": [{"name": "A", "value": "1"}],
        "secrets": [
            {"name": "SUPERSET_SECRET_KEY", "valueFrom": "arn:aws:secretsmanager:x:secret:k"},
            {"name": "ADMIN_PASSWORD", "valueFrom": "arn:aws:ssm:x:parameter/p"},
        ],
    }
    env = container_environment(
        container, {"arn:aws:secretsmanager:x:secret:k": "key", "ADMIN_PASSWORD": "pw"}
    )
    assert env == {"A": "1", "SUPERSET_SECRET_KEY": "key", "ADMIN_PASSWORD": "pw"}
    with pytest.raises(KeyError, match="ADMIN_PASSWORD"):
        container_environment(container, {"arn:aws:secretsmanager:x:secret:k": "key"})


def test_tree_memory_counts_children() -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", "import time; b = bytearray(64 << 20); time.sleep(30)"]
    )
    try:
        for _ in range(100):
            alone = tree_memory(child.pid)
            if alone.rss_bytes > 64 << 20:
                break
            time.sleep(0.05)
        both = tree_memory(os.getpid())
        assert alone.processes == 1
        assert alone.rss_bytes > 64 << 20
        assert alone.pss_bytes > 32 << 20
        assert both.processes >= 2
        assert both.rss_bytes > alone.rss_bytes
    finally:
        child.kill()
        child.wait()


def test_find_container_picks_superset_out_of_the_task_definition() -> None:
    definitions = json.dumps(
        [
            {"name": "pr-1-abc1234", "image": "x.dkr.ecr/superset@sha256:1", "essential": True},
            {"name": "redis", "image": "public.ecr.aws/docker/library/redis:7-alpine"},
        ]
    )
    assert find_container(definitions)["name"] == "pr-1-abc1234"
    assert find_container(json.loads(definitions), name="redis")["name"] == "redis"
    with pytest.raises(ValueError, match="expected one Superset container"):
        find_container(definitions, name="nope")
