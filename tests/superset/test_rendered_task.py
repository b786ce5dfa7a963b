"""The contract with a real Superset 6.1.0, from the task definition the real program renders.

The program is evaluated under Pulumi's mocks; from its task definition we take the Superset
container exactly as ECS would get it: its ``environment``, its ``secrets`` (filled in the way
ECS fills ``valueFrom`` ``ARN:KEY::``: the JSON key of the environment's secret) and its
``command`` (the image's start steps). That command then runs with the Superset venv's ``bin``
first on PATH, as the image has it. The only changes are a free port and a temp SQLite home
(ECS gives each task its own network namespace and disk). ``/health`` must be ``OK`` and the
admin password from the secret must log in; with no secret key the container must refuse.

Needs the Superset venv: `export SHOWTIME_SUPERSET_VENV="$(bash .ci/install-superset | tail -n 1)"`.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from showtime_iac.core.model import EnvConfig
from showtime_iac.program import render_offline
from tests.superset.harness import INSTALL_COMMAND, VENV_ENV_VAR, SupersetServer, venv_from_env

pytestmark = [
    pytest.mark.superset,
    pytest.mark.skipif(
        venv_from_env() is None,
        reason=f"no Superset venv (${VENV_ENV_VAR} unset or not a venv): "
        f'export {VENV_ENV_VAR}="$({INSTALL_COMMAND} | tail -n 1)"',
    ),
]

SHA = "abc1234def5678901234567890abcdef12345678"
# examples off: loading them is ~5 CPU-minutes (tests/superset/FINDINGS.md measures it)
CFG = EnvConfig(pr=1234, sha=SHA, examples=False)
TASK_DEF = "aws:ecs/taskDefinition:TaskDefinition"
REFUSAL = "Refusing to start due to insecure SECRET_KEY"


@dataclass(frozen=True)
class Container:
    environment: dict[str, str]
    secrets: dict[str, str]  # variable -> valueFrom
    command: list[str]


def rendered_superset_container(cfg: EnvConfig) -> Container:
    """The Superset container of the task definition the real program renders for ``cfg``."""
    task = next(r for r in render_offline(cfg) if r.type == TASK_DEF)
    containers = task.containers()
    superset = next(c for c in containers if c.get("essential") and "command" in c)
    return Container(
        environment={e["name"]: e["value"] for e in superset.get("environment", [])},
        secrets={s["name"]: s["valueFrom"] for s in superset.get("secrets", [])},
        command=list(superset["command"]),
    )


def resolve_secrets(container: Container, secret_value: Mapping[str, str]) -> dict[str, str]:
    """What ECS puts in the environment for ``secrets``: ``ARN:KEY::`` → that JSON key."""
    out: dict[str, str] = {}
    for var, value_from in container.secrets.items():
        parts = value_from.split(":")
        # arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME:JSON_KEY:VERSION_STAGE:VERSION_ID
        assert len(parts) == 10 and parts[2] == "secretsmanager", value_from
        key = parts[7]
        if key in secret_value:  # ECS refuses to start a task whose secret key is missing
            out[var] = secret_value[key]
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_container(
    container: Container, secret_value: Mapping[str, str], workdir: Path, timeout: float = 400
) -> tuple[subprocess.Popen[bytes], int, Path]:
    venv = venv_from_env()
    assert venv is not None
    port = _free_port()
    home = workdir / "home"
    home.mkdir(parents=True)
    env = {
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "VIRTUAL_ENV": str(venv),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        **container.environment,
        **resolve_secrets(container, secret_value),
        # the task's own disk and network namespace, here: a temp home and a free port
        "SUPERSET_HOME": str(home),
        "SUPERSET__SQLALCHEMY_DATABASE_URI": f"sqlite:///{home}/superset.db",
        "SUPERSET__SQLALCHEMY_EXAMPLES_URI": f"sqlite:///{home}/examples.db",
        "SUPERSET_PORT": str(port),
    }
    log = workdir / "container.log"
    proc = subprocess.Popen(
        container.command,
        env=env,
        cwd=home,
        stdin=subprocess.DEVNULL,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return proc, port, log


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def wait_healthy(proc: subprocess.Popen[bytes], port: int, log: Path, timeout: float) -> None:
    server = _probe(port)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        if proc.poll() is not None:
            raise AssertionError(f"the container exited ({proc.returncode}):\n{text[-3000:]}")
        if REFUSAL in text:  # gunicorn would reboot the refusing worker forever
            raise AssertionError(f"Superset refused to start:\n{text[-3000:]}")
        try:
            if server.health() == "OK":
                return
        except (OSError, RuntimeError):
            pass
        time.sleep(1)
    raise AssertionError("no /health OK in time:\n" + log.read_text(errors="replace")[-3000:])


def _probe(port: int) -> SupersetServer:
    here = Path("/nonexistent")
    return SupersetServer(here, here, here, port, {}, {}, [], 0.0)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, dict[str, str]]]:
    container = rendered_superset_container(CFG)
    value = {
        "SUPERSET_SECRET_KEY": secrets.token_urlsafe(48),
        "ADMIN_PASSWORD": secrets.token_urlsafe(24),
    }
    proc, port, log = run_container(container, value, tmp_path_factory.mktemp("superset"))
    try:
        wait_healthy(proc, port, log, timeout=400)
        yield port, value
    finally:
        _stop(proc)


def test_the_rendered_container_serves_health_and_the_secret_admin_logs_in(
    served: tuple[int, dict[str, str]],
) -> None:
    port, value = served
    server = _probe(port)
    assert server.health() == "OK"
    assert server.login("admin", value["ADMIN_PASSWORD"]) is True
    assert server.login("admin", "admin") is False  # Superset's default is not the password


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
        _stop(proc)
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
    script = "\n".join(
        line for line in containers.START_SCRIPT.splitlines() if "SUPERSET_SECRET_KEY" not in line
    )
    monkeypatch.setattr(containers, "START_SCRIPT", script)
    container = rendered_superset_container(CFG)
    assert "SUPERSET_SECRET_KEY" not in container.secrets
    value = {"ADMIN_PASSWORD": "x" * 24, "SUPERSET_SECRET_KEY": "unused"}
    proc, port, log = run_container(container, value, tmp_path)
    try:
        with pytest.raises(AssertionError) as failed:
            wait_healthy(proc, port, log, timeout=240)
    finally:
        _stop(proc)
    assert REFUSAL in str(failed.value), str(failed.value)[-2000:]


def test_json_of_the_secret_is_what_ecs_reads() -> None:
    """valueFrom names a JSON key of one secret per environment (Secrets Manager's format)."""
    container = rendered_superset_container(CFG)
    keys = {v.split(":")[7] for v in container.secrets.values()}
    assert keys == {"SUPERSET_SECRET_KEY", "ADMIN_PASSWORD"}
