"""Run the Superset container of the task definition the real program renders, as ECS would,
with the real Superset of the contract venv; and bake its image the way ``bake.Dockerfile`` does.

The program is evaluated under Pulumi's mocks; from its task definition we take the Superset
container exactly as ECS would get it: its ``environment``, its ``secrets`` (filled in the way
ECS fills ``valueFrom`` ``ARN:KEY::``: the JSON key of the environment's secret) and its
``command``. That command then runs with the Superset venv's ``bin`` first on PATH and the
image's ENV, as the image has them. The only changes are a free port, a temporary
``$SUPERSET_HOME`` (ECS gives each task its own network namespace and disk) and the path of
the Redis config file the command writes.

An image's baked ``$SUPERSET_HOME`` is a directory here: :func:`bake` runs the ``RUN`` step of
``bake.Dockerfile`` (its ``COPY`` destination mapped back to the package's file) with the image's
ENV; each container starts on a fresh copy of it (:func:`run_container` ``home=``), as each task
starts on a fresh copy of the image's layers.

Stdlib only (urllib), like harness.py; used by the contract tests and benchmarks/bench_boot.py.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from showtime_iac.core.model import EnvConfig
from showtime_iac.core.stack_config import SharedConfig
from showtime_iac.program import render_offline
from tests.superset.harness import IMAGE_ENV, SupersetServer, venv_from_env

__all__ = [
    "BAKE_DOCKERFILE",
    "REFUSAL",
    "Container",
    "api_token",
    "bake",
    "bake_step",
    "examples_present",
    "free_port",
    "probe",
    "rendered_superset_container",
    "resolve_secrets",
    "run_container",
    "stop",
    "wait_healthy",
    "web_login",
]

ROOT = Path(__file__).resolve().parents[2]
BAKE_DOCKERFILE = ROOT / "showtime_iac" / "program" / "bake.Dockerfile"
TASK_DEF = "aws:ecs/taskDefinition:TaskDefinition"
REFUSAL = "Refusing to start due to insecure SECRET_KEY"
IMAGE_HOME = "/app/superset_home"  # the image's $SUPERSET_HOME (bake.Dockerfile bakes into it)


@dataclass(frozen=True)
class Container:
    environment: dict[str, str]
    secrets: dict[str, str]  # variable -> valueFrom
    command: list[str]


def rendered_superset_container(cfg: EnvConfig, shared: SharedConfig | None = None) -> Container:
    """The Superset container of the task definition the real program renders for ``cfg``
    (on ``shared``: HTTPS mode when it has a domain)."""
    task = next(r for r in render_offline(cfg, shared) if r.type == TASK_DEF)
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _image_env(venv: Path, home: Path, pythonpath: Path) -> dict[str, str]:
    """The image's ENV with this machine's venv and directories in place of /app's."""
    return {
        **IMAGE_ENV,
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "VIRTUAL_ENV": str(venv),
        "HOME": str(home),
        "SUPERSET_HOME": str(home),
        "PYTHONPATH": str(pythonpath),
    }


def run_container(
    container: Container,
    secret_value: Mapping[str, str],
    workdir: Path,
    home: Path | None = None,
) -> tuple[subprocess.Popen[bytes], int, Path]:
    """Start the container's command; ``home`` (default: a new empty directory) is copied to
    ``workdir/home`` first, as a task starts on a fresh copy of its image."""
    venv = venv_from_env()
    assert venv is not None
    port = free_port()
    task_home = workdir / "home"
    if home is None:
        task_home.mkdir(parents=True)
    else:
        shutil.copytree(home, task_home)
    pythonpath = workdir / "pythonpath"
    pythonpath.mkdir(exist_ok=True)
    env = {
        **_image_env(venv, task_home, pythonpath),
        **container.environment,
        **resolve_secrets(container, secret_value),
        # the task's own disk and network namespace, here: a temp home and a free port
        "SUPERSET_HOME": str(task_home),
        "SUPERSET__SQLALCHEMY_DATABASE_URI": f"sqlite:///{task_home}/superset.db",
        "SUPERSET__SQLALCHEMY_EXAMPLES_URI": f"sqlite:///{task_home}/examples.db",
        "SUPERSET_PORT": str(port),
    }
    if "SUPERSET_CONFIG_PATH" in env:  # /tmp of the container: here, the task's own dir
        env["SUPERSET_CONFIG_PATH"] = str(workdir / "superset_config.py")
    log = workdir / "container.log"
    proc = subprocess.Popen(
        container.command,
        env=env,
        cwd=task_home,
        stdin=subprocess.DEVNULL,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return proc, port, log


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def probe(port: int) -> SupersetServer:
    """A :class:`SupersetServer` handle on a port (health and API login only)."""
    here = Path("/nonexistent")
    return SupersetServer(here, here, here, port, {}, {}, [], 0.0)


def wait_healthy(
    proc: subprocess.Popen[bytes], port: int, log: Path, timeout: float, poll: float = 1.0
) -> float:
    """Wait for GET /health == OK; returns the seconds waited. Fails when the container exits,
    when Superset refuses its secret key, or after ``timeout`` seconds."""
    server = probe(port)
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        text = log.read_text(errors="replace")
        if proc.poll() is not None:
            raise AssertionError(f"the container exited ({proc.returncode}):\n{text[-3000:]}")
        if REFUSAL in text:  # gunicorn would reboot the refusing worker forever
            raise AssertionError(f"Superset refused to start:\n{text[-3000:]}")
        try:
            if server.health() == "OK":
                return time.monotonic() - t0
        except (OSError, RuntimeError):
            pass
        time.sleep(poll)
    raise AssertionError("no /health OK in time:\n" + log.read_text(errors="replace")[-3000:])


# --------------------------------------------------------------------------- the web UI

_NO_PROXY = urllib.request.ProxyHandler({})
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def web_login(port: int, username: str, password: str) -> bool:
    """Log in through the login form as a browser does (GET /login/ for the CSRF token, POST
    the form, keep the session cookie), then load the welcome page: True when it is served to
    ``username`` (its bootstrap data names the user), False when Superset keeps us anonymous."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(_NO_PROXY, urllib.request.HTTPCookieProcessor(jar))
    base = f"http://127.0.0.1:{port}"
    for attempt in range(5):  # AUTH_RATE_LIMIT (SUPERSET_ENV=production): 5 logins a second
        with opener.open(f"{base}/login/", timeout=30) as resp:
            match = _CSRF.search(resp.read().decode("utf-8", "replace"))
        assert match, "no csrf_token in the login page"
        form = urllib.parse.urlencode(
            {"csrf_token": match.group(1), "username": username, "password": password}
        ).encode()
        try:
            with opener.open(f"{base}/login/", data=form, timeout=30):
                break
        except urllib.error.HTTPError as e:
            if e.code != 429 or attempt == 4:
                raise
            time.sleep(1.5)
    with opener.open(f"{base}/superset/welcome/", timeout=30) as resp:
        page = resp.read().decode("utf-8", "replace").replace("&#34;", '"')
        final = resp.geturl()
    if "/login/" in urllib.parse.urlparse(final).path:
        return False
    return f'"username": "{username}"' in page and '"user_is_anonymous": false' in page


# --------------------------------------------------------------------------- the examples


def api(
    port: int,
    token: str,
    path: str,
    body: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Any:
    """One JSON request to Superset's API as the token's user (``headers``: extra ones, e.g.
    what the load balancer adds)."""
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=None if body is None else json.dumps(body).encode(),
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            **(headers or {}),
        },
    )
    with urllib.request.build_opener(_NO_PROXY).open(req, timeout=60) as resp:
        return json.loads(resp.read())


def api_token(port: int, password: str) -> str:
    """An access token of the admin (POST /api/v1/security/login)."""
    creds = {"username": "admin", "password": password, "provider": "db", "refresh": False}
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/security/login",
        data=json.dumps(creds).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.build_opener(_NO_PROXY).open(req, timeout=30) as resp:
        return str(json.loads(resp.read())["access_token"])


def examples_present(port: int, password: str) -> dict[str, int]:
    """What of the examples a reviewer would see, through the API as the admin: the number of
    dashboards, charts and datasets, and the rows counted in the first dataset's table (the
    examples' data is reachable from this container, not only their metadata)."""
    token = api_token(port, password)
    q = "?q=(page_size:100)"
    counts = {
        kind: int(api(port, token, f"/api/v1/{kind}/{q}")["count"])
        for kind in ("dashboard", "chart", "dataset")
    }
    rows = 0
    datasets = api(port, token, f"/api/v1/dataset/{q}")["result"]
    if datasets:
        query = {
            "datasource": {"id": datasets[0]["id"], "type": "table"},
            "queries": [
                {
                    "columns": [],
                    "metrics": [
                        {"expressionType": "SQL", "sqlExpression": "COUNT(*)", "label": "n"}
                    ],
                    "row_limit": 1,
                }
            ],
            "result_format": "json",
            "result_type": "full",
        }
        result = api(port, token, "/api/v1/chart/data", query)["result"][0]
        rows = int(result["data"][0]["n"])
    return {**counts, "rows": rows}


# --------------------------------------------------------------------------- the bake


def bake_step(dockerfile: Path = BAKE_DOCKERFILE) -> tuple[str, dict[str, str]]:
    """The ``RUN`` command of the bake Dockerfile, its ``COPY`` destinations replaced by the
    files of the build context (the Dockerfile's directory), and the ``ARG`` defaults."""
    args: dict[str, str] = {}
    copies: dict[str, str] = {}
    runs: list[str] = []
    for line in dockerfile.read_text().splitlines():
        word, _, rest = line.strip().partition(" ")
        if word == "ARG" and "=" in rest:
            name, _, default = rest.partition("=")
            args[name] = default
        elif word == "COPY":
            src, dst = shlex.split(rest)
            copies[dst] = str(dockerfile.parent / src)
        elif word == "RUN":
            runs.append(rest)
    assert len(runs) == 1, f"one RUN step expected in {dockerfile}: {runs}"
    command = runs[0]
    for dst, src in copies.items():
        command = command.replace(dst, src)
    return command, args


def bake(
    home: Path,
    *,
    examples: bool = True,
    timeout: float = 900,
    extra_env: Mapping[str, str] | None = None,
) -> float:
    """Bake ``home`` (a new directory standing for the image's $SUPERSET_HOME) as the build
    step would, with ``extra_env`` on top of the image's ENV; returns the CPU seconds it took.
    Raises with the log when it fails."""
    venv = venv_from_env()
    assert venv is not None
    home.mkdir(parents=True)
    pythonpath = home.parent / "pythonpath"
    pythonpath.mkdir(exist_ok=True)
    command, args = bake_step()
    args["BAKE_EXAMPLES"] = "yes" if examples else "no"
    env = {**_image_env(venv, home, pythonpath), **args, **(extra_env or {})}
    before = os.times()
    done = subprocess.run(
        ["/bin/sh", "-c", command],
        env=env,
        cwd=home,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    after = os.times()
    if done.returncode != 0:
        raise AssertionError(f"the bake failed ({done.returncode}):\n{done.stdout[-3000:]}")
    return (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
