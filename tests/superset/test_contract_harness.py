"""Contract test against a real Superset 6.1.0: the container environment our program gives
the Superset container, plus its secrets filled in as ECS fills them, started through the
official image's start steps (tests/superset/harness.py), must serve /health == OK and accept
the admin password from the secret; without SUPERSET_SECRET_KEY it must refuse to start.

Needs the Superset venv: `export SHOWTIME_SUPERSET_VENV="$(bash .ci/install-superset | tail -n 1)"`.
One server is started (about a minute on an idle 2-core machine); the two tests without a
secret key take seconds each.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest

from tests.superset.harness import (
    INSECURE_SECRET_KEY_MESSAGE,
    INSTALL_COMMAND,
    VENV_ENV_VAR,
    SupersetServer,
    SupersetStartError,
    container_environment,
    start_container,
    start_steps,
    venv_from_env,
)

pytestmark = [
    pytest.mark.superset,
    pytest.mark.skipif(
        venv_from_env() is None,
        reason=f"no Superset venv (${VENV_ENV_VAR} unset or not a venv): "
        f'export {VENV_ENV_VAR}="$({INSTALL_COMMAND} | tail -n 1)"',
    ),
]

SECRET_KEY_ARN = "arn:aws:secretsmanager:us-west-2:000000000000:secret:showtime/superset-secret-key"
ADMIN_PASSWORD_ARN = "arn:aws:secretsmanager:us-west-2:000000000000:secret:showtime/admin-password"


def superset_container(*, with_secret_key: bool = True) -> dict[str, Any]:
    """The Superset container definition as program._container_definitions renders it today
    (size small, no examples, no debug, Redis sidecar on), with the two secrets a deployable one
    needs. Mirrors program._container_environment's names by hand for now; later this comes
    from the task definition the program renders under mocks."""
    env = {
        "SERVER_WORKER_AMOUNT": "1",
        "SERVER_THREADS_AMOUNT": "20",
        "SUPERSET_PORT": "8080",
        "SUPERSET_LOAD_EXAMPLES": "no",
        "SUPERSET_LOG_LEVEL": "INFO",
        "FLASK_DEBUG": "False",
        "REDIS_HOST": "localhost",  # nothing listens there: Superset must not need it
        "REDIS_PORT": "6379",
        "SUPERSET_FEATURE_DASHBOARD_RBAC": "True",
    }
    container_secrets = [{"name": "ADMIN_PASSWORD", "valueFrom": ADMIN_PASSWORD_ARN}]
    if with_secret_key:
        container_secrets.append({"name": "SUPERSET_SECRET_KEY", "valueFrom": SECRET_KEY_ARN})
    return {
        "name": "superset",
        "environment": [{"name": k, "value": env[k]} for k in sorted(env)],
        "secrets": container_secrets,
    }


@pytest.fixture(scope="module")
def admin_password() -> str:
    return "pw-" + secrets.token_urlsafe(12)


@pytest.fixture(scope="module")
def server(admin_password: str) -> Iterator[SupersetServer]:
    values = {SECRET_KEY_ARN: secrets.token_urlsafe(42), ADMIN_PASSWORD_ARN: admin_password}
    with start_container(superset_container(), values) as started:
        yield started


def test_our_container_env_serves_and_the_secret_password_logs_in(
    server: SupersetServer, admin_password: str
) -> None:
    """One test on the one server (a module fixture would start one per xdist worker that
    gets a test of this module)."""
    assert server.health() == "OK"
    assert [s.name for s in server.steps] == ["db upgrade", "create admin", "init", "serve"]
    assert all(s.returncode == 0 for s in server.steps[:-1]), server.steps
    # the set key is accepted: no refusal, not even the default-key warning
    log = server.log_text()
    assert INSECURE_SECRET_KEY_MESSAGE not in log
    assert "A Default SECRET_KEY was detected" not in log
    # docker-ci.sh exports SERVER_THREADS_AMOUNT=8 over the task definition's 20
    serve = server.steps[-1].argv
    assert serve[serve.index("--threads") + 1] == "8"
    assert serve[serve.index("--workers") + 1] == "1"
    # the admin password is the secret's, and only it
    assert server.login("admin", admin_password) is True
    assert server.login("admin", admin_password + "x") is False
    assert server.login("admin", "admin") is False  # the image's default is not in force


def test_without_a_secret_key_superset_refuses_to_start(admin_password: str) -> None:
    env = container_environment(
        superset_container(with_secret_key=False), {ADMIN_PASSWORD_ARN: admin_password}
    )
    assert "SUPERSET_SECRET_KEY" not in env
    with pytest.raises(SupersetStartError) as info:
        start_steps(env, health_timeout=60)
    assert info.value.insecure_secret_key, str(info.value)
    assert info.value.step == "db upgrade"
    assert INSECURE_SECRET_KEY_MESSAGE in str(info.value)


def test_without_a_secret_key_the_image_serves_nothing(admin_password: str) -> None:
    """As the image runs it (docker-ci.sh goes on after docker-init.sh fails): gunicorn starts,
    and each worker it boots refuses the default key and exits; /health never answers OK."""
    env = container_environment(
        superset_container(with_secret_key=False), {ADMIN_PASSWORD_ARN: admin_password}
    )
    with pytest.raises(SupersetStartError) as info:
        start_steps(env, strict=False, health_timeout=120)
    assert info.value.step == "serve"
    assert info.value.insecure_secret_key, str(info.value)
