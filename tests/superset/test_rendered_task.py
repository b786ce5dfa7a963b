"""The contract with a real Superset 6.1.0, from the task definition the real program renders.

The program is evaluated under Pulumi's mocks; from its task definition we take the Superset
container exactly as ECS would get it: its ``environment``, its ``secrets`` (filled in the way
ECS fills ``valueFrom`` ``ARN:KEY::``: the JSON key of the environment's secret) and its
``command``. That command then runs with the Superset venv's ``bin`` first on PATH, as the
image has it (tests/superset/container.py). The only changes are a free port and a temp SQLite
home (ECS gives each task its own network namespace and disk). Here the image is not baked:
the command's fallback runs the whole start sequence (tests/superset/test_boot.py: baked).
``/health`` must be ``OK`` and the admin password from the secret must log in; with no secret
key the container must refuse.

Needs the Superset venv: `export SHOWTIME_SUPERSET_VENV="$(bash .ci/install-superset | tail -n 1)"`.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from showtime_iac.core.model import EnvConfig
from showtime_iac.core.stack_config import SharedConfig
from tests.superset.container import (
    REFUSAL,
    api,
    api_token,
    probe,
    rendered_superset_container,
    run_container,
    stop,
    wait_healthy,
)
from tests.superset.harness import INSTALL_COMMAND, VENV_ENV_VAR, venv_from_env

pytestmark = [
    pytest.mark.superset,
    pytest.mark.skipif(
        venv_from_env() is None,
        reason=f"no Superset venv (${VENV_ENV_VAR} unset or not a venv): "
        f'export {VENV_ENV_VAR}="$({INSTALL_COMMAND} | tail -n 1)"',
    ),
]

SHA = "abc1234def5678901234567890abcdef12345678"
# examples off, image not baked: the start's fallback (the whole sequence) on an empty home;
# tests/superset/test_boot.py starts baked images and the examples
CFG = EnvConfig(pr=1234, sha=SHA, examples=False)
#: the served container is HTTPS mode's (behind the load balancer); the others public-IP mode's
HTTPS = SharedConfig.offline_default("preview.example.org")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, dict[str, str]]]:
    container = rendered_superset_container(CFG, HTTPS)
    value = {
        "SUPERSET_SECRET_KEY": secrets.token_urlsafe(48),
        "ADMIN_PASSWORD": secrets.token_urlsafe(24),
    }
    proc, port, log = run_container(container, value, tmp_path_factory.mktemp("superset"))
    try:
        wait_healthy(proc, port, log, timeout=400)
        yield port, value
    finally:
        stop(proc)


def test_the_rendered_container_serves_health_and_the_secret_admin_logs_in(
    served: tuple[int, dict[str, str]],
) -> None:
    port, value = served
    server = probe(port)
    assert server.health() == "OK"
    assert server.login("admin", value["ADMIN_PASSWORD"]) is True
    assert server.login("admin", "admin") is False  # Superset's default is not the password


def test_behind_the_load_balancer_superset_builds_the_prs_https_urls(
    served: tuple[int, dict[str, str]],
) -> None:
    """The ALB ends TLS and forwards plain HTTP with ``X-Forwarded-*``: the URLs Superset builds
    (here the API's ``servers``, from ``request.host_url``) must name the PR's HTTPS host."""
    port, value = served
    token = api_token(port, value["ADMIN_PASSWORD"])
    forwarded = {
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "pr-1234.preview.example.org",
        "X-Forwarded-Port": "443",
        "X-Forwarded-For": "203.0.113.9",
    }
    spec = api(port, token, "/api/v1/_openapi", headers=forwarded)
    assert spec["servers"] == [{"url": "https://pr-1234.preview.example.org/"}]


def test_the_rendered_container_keeps_its_secrets_out_of_env_and_command() -> None:
    container = rendered_superset_container(CFG)
    assert {"SUPERSET_SECRET_KEY", "ADMIN_PASSWORD"} <= set(container.secrets)
    assert not {"SUPERSET_SECRET_KEY", "ADMIN_PASSWORD"} & set(container.environment)
    assert container.command[0] in {"bash", "/bin/bash", "sh", "/bin/sh"}


def test_without_the_secret_key_the_rendered_container_refuses_to_start(tmp_path: Path) -> None:
    container = rendered_superset_container(CFG)
    value = {"ADMIN_PASSWORD": "x" * 24}  # the secret's JSON lacks the key: nothing fills it
    proc, _port, log = run_container(container, value, tmp_path)
    try:
        rc = proc.wait(timeout=120)
    finally:
        stop(proc)
    assert rc != 0
    assert "SUPERSET_SECRET_KEY" in log.read_text(errors="replace")


def test_a_planted_missing_secret_key_is_caught(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Plant the defect the review found (no secret key reaches Superset): drop it from the
    program's secrets and from the start script's guard; Superset itself must then refuse."""
    import showtime_iac.program.containers as containers

    planted = {k: v for k, v in containers.SECRET_ENV.items() if k != "SUPERSET_SECRET_KEY"}
    monkeypatch.setattr(containers, "SECRET_ENV", planted)
    script = "\n".join(  # the command's own guard (its first lines), not Superset's code
        line
        for line in containers.START_SCRIPT.splitlines()
        if not line.startswith(': "${SUPERSET_SECRET_KEY')
    )
    assert script != containers.START_SCRIPT
    monkeypatch.setattr(containers, "START_SCRIPT", script)
    container = rendered_superset_container(CFG)
    assert "SUPERSET_SECRET_KEY" not in container.secrets
    value = {"ADMIN_PASSWORD": "x" * 24, "SUPERSET_SECRET_KEY": "unused"}
    proc, port, log = run_container(container, value, tmp_path)
    try:
        with pytest.raises(AssertionError) as failed:
            wait_healthy(proc, port, log, timeout=240)
    finally:
        stop(proc)
    assert REFUSAL in str(failed.value), str(failed.value)[-2000:]


def test_json_of_the_secret_is_what_ecs_reads() -> None:
    """valueFrom names a JSON key of one secret per environment (Secrets Manager's format)."""
    container = rendered_superset_container(CFG)
    keys = {v.split(":")[7] for v in container.secrets.values()}
    assert keys == {"SUPERSET_SECRET_KEY", "ADMIN_PASSWORD"}
