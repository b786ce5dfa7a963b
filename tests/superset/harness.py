"""Start a real Superset the way the official image (6.1.0, build target ``ci``) starts it.

Stdlib only: this module runs in the project's test venv and drives the separate Superset venv
(``bash .ci/install-superset`` prints its path; tests read it from ``$SHOWTIME_SUPERSET_VENV``)
through subprocesses.

The image's start sequence, as :func:`plan_start` reproduces it (see FINDINGS.md for sources):

- ``ci`` target, ``CMD ["/app/docker/entrypoints/docker-ci.sh"]``: ``docker-init.sh`` (``set -e``):
  ``superset db upgrade``; ``superset fab create-admin --username admin --email
  admin@superset.com --password "${ADMIN_PASSWORD:-admin}" --firstname Superset --lastname
  Admin``; ``superset init``; ``superset load_examples`` when ``SUPERSET_LOAD_EXAMPLES=yes``.
  Then, whatever init's exit status (docker-ci.sh has no ``set -e``), ``export
  SERVER_THREADS_AMOUNT=8`` and ``run-server.sh``.
- ``lean`` target, ``CMD ["/app/docker/entrypoints/run-server.sh"]`` (also copied to
  ``/usr/bin/run-server.sh``): only ``run-server.sh``.
- ``run-server.sh``: ``gunicorn --bind ${SUPERSET_BIND_ADDRESS:-0.0.0.0}:${SUPERSET_PORT:-8088}
  --workers ${SERVER_WORKER_AMOUNT:-1} --worker-class ${SERVER_WORKER_CLASS:-gthread} --threads
  ${SERVER_THREADS_AMOUNT:-20} ... "${FLASK_APP}"``.

What differs from a container, on purpose, and is listed in :attr:`SupersetServer.overrides`:
the metadata and examples databases are SQLite files in a fresh temporary directory
(``SUPERSET_HOME`` and ``SUPERSET__SQLALCHEMY_*_URI`` point there, whatever the container
environment says), and gunicorn binds 127.0.0.1 on a free port instead of 0.0.0.0:$SUPERSET_PORT.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "CI_CMD",
    "IMAGE_ENV",
    "INSTALL_COMMAND",
    "INSECURE_SECRET_KEY_MESSAGE",
    "LEAN_CMD",
    "VENV_ENV_VAR",
    "MemorySample",
    "Step",
    "StepResult",
    "SupersetServer",
    "SupersetStartError",
    "container_environment",
    "find_container",
    "start_container",
    "plan_start",
    "start_steps",
    "started",
    "tree_memory",
    "venv_from_env",
]

VENV_ENV_VAR = "SHOWTIME_SUPERSET_VENV"
INSTALL_COMMAND = "bash .ci/install-superset"
INSECURE_SECRET_KEY_MESSAGE = "Refusing to start due to insecure SECRET_KEY"

CI_CMD = ("/app/docker/entrypoints/docker-ci.sh",)
LEAN_CMD = ("/app/docker/entrypoints/run-server.sh",)
_RUN_SERVER = ("/usr/bin/run-server.sh", "/app/docker/entrypoints/run-server.sh")
_TARGET_CMD: dict[str, tuple[str, ...]] = {"ci": CI_CMD, "showtime": CI_CMD, "lean": LEAN_CMD}
# docker-ci.sh: `export SERVER_THREADS_AMOUNT=8` right before run-server.sh.
CI_FORCED_THREADS = "8"

# ENV of the image's python-common stage (what a container has before ECS adds its own).
IMAGE_ENV: Mapping[str, str] = {
    "LANG": "C.UTF-8",
    "SUPERSET_ENV": "production",
    "FLASK_APP": "superset.app:create_app()",
    "SUPERSET_PORT": "8088",
    # PYTHONPATH (/app/pythonpath, empty in the image) and SUPERSET_HOME/HOME
    # (/app/superset_home) are set per run to directories of the temporary dir.
}
_PASSTHROUGH = ("TZ",)  # nothing else of the test process leaks into Superset's environment


class SupersetStartError(RuntimeError):
    """A start step failed or /health never answered OK; carries the log's tail."""

    def __init__(self, message: str, *, step: str, log_path: Path) -> None:
        self.step = step
        self.log_tail = _tail(log_path)
        try:
            log = log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            log = ""
        self.insecure_secret_key = INSECURE_SECRET_KEY_MESSAGE in log
        why = f" ({INSECURE_SECRET_KEY_MESSAGE!r})" if self.insecure_secret_key else ""
        super().__init__(f"{message}{why}\n--- log tail ---\n{self.log_tail}")


@dataclass(frozen=True)
class Step:
    """One command of the start sequence; ``argv[0]`` is an executable of the Superset venv."""

    name: str
    argv: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)  # on top of the run's environment
    init: bool = True  # part of docker-init.sh (its failure does not stop docker-ci.sh)


@dataclass(frozen=True)
class MemorySample:
    """Memory of a process tree at one instant: RSS summed (shared pages counted in every
    process) and PSS summed (shared pages split between sharers: what a cgroup roughly counts)."""

    rss_bytes: int
    pss_bytes: int
    processes: int


@dataclass
class StepResult:
    name: str
    argv: tuple[str, ...]
    returncode: int | None
    seconds: float  # wall clock
    peak_rss_bytes: int
    peak_pss_bytes: int
    cpu_seconds: float | None = None  # user + system of the step's processes (not for serve)


def venv_from_env() -> Path | None:
    """The Superset venv named by $SHOWTIME_SUPERSET_VENV, or None if unset or not a venv."""
    raw = os.environ.get(VENV_ENV_VAR, "").strip()
    if not raw:
        return None
    venv = Path(raw)
    return venv if (venv / "bin" / "superset").is_file() else None


def container_environment(
    container: Mapping[str, Any], secret_values: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The environment ECS gives a container of a task definition: its ``environment``
    (name/value pairs) plus its ``secrets`` resolved to values. A secret's value is looked up
    in ``secret_values`` by its ``valueFrom`` (ARN or parameter name), then by its ``name``;
    an unresolvable secret raises KeyError, as ECS fails to start the task."""
    secret_values = secret_values or {}
    env: dict[str, str] = {}
    for item in container.get("environment") or []:
        env[str(item["name"])] = str(item["value"])
    for item in container.get("secrets") or []:
        name, source = str(item["name"]), str(item["valueFrom"])
        if source in secret_values:
            env[name] = secret_values[source]
        elif name in secret_values:
            env[name] = secret_values[name]
        else:
            raise KeyError(f"secret {name} from {source}: no value given (ECS would not start)")
    return env


def find_container(
    definitions: str | Sequence[Mapping[str, Any]], name: str | None = None
) -> dict[str, Any]:
    """The Superset container of a task definition's ``containerDefinitions`` (a JSON string, as
    ``aws.ecs.TaskDefinition.container_definitions`` holds it, or the parsed list): the one
    named ``name``, else the only one that is not the Redis sidecar."""
    items = json.loads(definitions) if isinstance(definitions, str) else list(definitions)
    if name is not None:
        found = [c for c in items if c.get("name") == name]
    else:
        found = [c for c in items if "redis" not in str(c.get("image", "")).lower()]
    if len(found) != 1:
        names = [c.get("name") for c in items]
        raise ValueError(f"expected one Superset container (name={name!r}) among {names}")
    return dict(found[0])


def start_container(
    container: Mapping[str, Any],
    secret_values: Mapping[str, str] | None = None,
    **kwargs: Any,
) -> SupersetServer:
    """:func:`start_steps` for one container definition: its environment and secrets
    (:func:`container_environment`), its ``command`` and ``entryPoint``."""
    return start_steps(
        container_environment(container, secret_values),
        command=container.get("command"),
        entry_point=container.get("entryPoint"),
        **kwargs,
    )


def _default(env: Mapping[str, str], name: str, default: str) -> str:
    """bash ``${NAME:-default}``: unset and empty both take the default."""
    return env.get(name) or default


def _gunicorn_argv(env: Mapping[str, str]) -> tuple[str, ...]:
    """run-server.sh's gunicorn command line, from the environment it runs with."""
    statsd = f"{_default(env, 'SERVER_STATSD_HOST', 'localhost')}:" + _default(
        env, "SERVER_STATSD_PORT", "8125"
    )
    bind = f"{_default(env, 'SUPERSET_BIND_ADDRESS', '0.0.0.0')}:" + _default(
        env, "SUPERSET_PORT", "8088"
    )
    return (
        "gunicorn",
        "--bind",
        bind,
        "--access-logfile",
        _default(env, "ACCESS_LOG_FILE", "-"),
        "--error-logfile",
        _default(env, "ERROR_LOG_FILE", "-"),
        "--workers",
        _default(env, "SERVER_WORKER_AMOUNT", "1"),
        "--worker-class",
        _default(env, "SERVER_WORKER_CLASS", "gthread"),
        "--threads",
        _default(env, "SERVER_THREADS_AMOUNT", "20"),
        "--log-level",
        _default(env, "GUNICORN_LOGLEVEL", "info"),
        "--timeout",
        _default(env, "GUNICORN_TIMEOUT", "60"),
        "--keep-alive",
        _default(env, "GUNICORN_KEEPALIVE", "2"),
        "--max-requests",
        _default(env, "WORKER_MAX_REQUESTS", "0"),
        "--max-requests-jitter",
        _default(env, "WORKER_MAX_REQUESTS_JITTER", "0"),
        "--limit-request-line",
        _default(env, "SERVER_LIMIT_REQUEST_LINE", "0"),
        "--limit-request-field_size",
        _default(env, "SERVER_LIMIT_REQUEST_FIELD_SIZE", "0"),
        f"--statsd-host={statsd}",
        f"--statsd-prefix={_default(env, 'SERVER_STATSD_PREFIX', 'superset')}",
        env.get("FLASK_APP", ""),
    )


def _init_steps(env: Mapping[str, str], load_examples: bool | None) -> list[Step]:
    """docker-init.sh (docker-bootstrap.sh before it only installs requirements-local.txt,
    which the image does not have)."""
    if env.get("CYPRESS_CONFIG") == "true":
        raise ValueError("CYPRESS_CONFIG=true (test users, Cypress database) is not supported")
    password = _default(env, "ADMIN_PASSWORD", "admin")
    steps = [
        Step("db upgrade", ("superset", "db", "upgrade")),
        Step(
            "create admin",
            (
                "superset",
                "fab",
                "create-admin",
                "--username",
                "admin",
                "--email",
                "admin@superset.com",
                "--password",
                password,
                "--firstname",
                "Superset",
                "--lastname",
                "Admin",
            ),
        ),
        Step("init", ("superset", "init")),
    ]
    examples = (
        env.get("SUPERSET_LOAD_EXAMPLES") == "yes" if load_examples is None else load_examples
    )
    if examples:
        steps.append(Step("load examples", ("superset", "load_examples")))
    return steps


def plan_start(
    env: Mapping[str, str],
    *,
    command: Sequence[str] | None = None,
    entry_point: Sequence[str] | None = None,
    target: str = "ci",
    load_examples: bool | None = None,
) -> list[Step]:
    """The commands the image runs for a container environment (``env`` as the container sees
    it: image ENV, then the task definition's). ``entry_point``/``command`` are the container
    definition's ``entryPoint``/``command`` (the image has no ENTRYPOINT; its CMD is that of
    ``target``). ``load_examples`` overrides SUPERSET_LOAD_EXAMPLES when not None. The last
    step is gunicorn; every other one is ``init``. Unknown commands raise ValueError."""
    argv = tuple(entry_point or ()) + tuple(command or ())
    if not argv:
        if target not in _TARGET_CMD:
            raise ValueError(f"unknown image target {target!r} (known: {sorted(_TARGET_CMD)})")
        argv = _TARGET_CMD[target]
    if argv == CI_CMD:
        serve_env = {"SERVER_THREADS_AMOUNT": CI_FORCED_THREADS}
        steps = _init_steps(env, load_examples)
    elif len(argv) == 1 and argv[0] in _RUN_SERVER:
        serve_env, steps = {}, []
    else:
        raise ValueError(
            f"container command {list(argv)!r} is not one of the image's start scripts "
            f"({CI_CMD[0]}, {' / '.join(_RUN_SERVER)})"
        )
    run_env = {**env, **serve_env}
    steps.append(Step("serve", _gunicorn_argv(run_env), env=serve_env, init=False))
    return steps


# --------------------------------------------------------------------------- /proc


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as f:
                stat = f.read()
        except OSError:
            continue
        # pid (comm) state ppid ...; comm may hold spaces and parentheses
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    return children


def _kib(path: str, key: str) -> int:
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.startswith(key):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def tree_memory(root: int) -> MemorySample:
    """RSS and PSS summed over ``root`` and all its descendants, from /proc."""
    children = _children_map()
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo.extend(children.get(pid, ()))
    rss = pss = alive = 0
    for pid in pids:
        r = _kib(f"/proc/{pid}/status", "VmRSS:")
        if r:
            alive += 1
            rss += r
            pss += _kib(f"/proc/{pid}/smaps_rollup", "Pss:")
    return MemorySample(rss, pss, alive)


class _PeakSampler:
    """Samples :func:`tree_memory` of one process tree in a thread; keeps the peaks."""

    def __init__(self, pid: int, interval: float = 0.25) -> None:
        self.pid, self.interval = pid, interval
        self.peak_rss = self.peak_pss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def sample(self) -> None:
        m = tree_memory(self.pid)
        self.peak_rss = max(self.peak_rss, m.rss_bytes)
        self.peak_pss = max(self.peak_pss, m.pss_bytes)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


# --------------------------------------------------------------------------- server


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tail(path: Path, lines: int = 60) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def _kill_group(proc: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    """SIGTERM the process group ``proc`` leads (it was started in its own session), then
    SIGKILL what is left after ``grace`` seconds."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=grace)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # stragglers of the group, if any
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=grace)


_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _http(
    method: str,
    url: str,
    body: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 10.0,
) -> tuple[int, str]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)  # loopback only
    if data is not None:
        req.add_header("Content-Type", "application/json")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with _NO_PROXY.open(req, timeout=timeout) as resp:
            return int(resp.status), resp.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as e:
        return int(e.code), e.read().decode("utf-8", errors="replace")


@dataclass
class SupersetServer:
    """A Superset started by :func:`start_steps`; a context manager that stops it."""

    venv: Path
    workdir: Path
    log_path: Path
    port: int
    env: dict[str, str]  # the environment every step ran with (before the step's own)
    overrides: dict[str, str]  # what the harness changed against the container environment
    steps: list[StepResult]
    startup_seconds: float  # first step's start to the first /health == OK
    _proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _sampler: _PeakSampler | None = field(default=None, repr=False)
    _keep_workdir: bool = field(default=False, repr=False)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return None if self._proc is None else self._proc.pid

    def health(self) -> str:
        """The body of GET /health ("OK" when up); raises on a non-200 answer."""
        status, body = _http("GET", self.base_url + "/health")
        if status != 200:
            raise RuntimeError(f"GET /health answered {status}: {body[:200]}")
        return body

    def login(self, username: str, password: str) -> bool:
        """Whether Superset accepts this password: POST /api/v1/security/login (provider db)
        must answer 200 with an access token, and GET /api/v1/me/ with that token must name
        ``username``. A 401 is False; anything else (5xx, ...) raises. A 429 (AUTH_RATE_LIMIT,
        on since SUPERSET_ENV=production) is retried after a pause, a few times."""
        creds = {"username": username, "password": password, "provider": "db", "refresh": False}
        for _ in range(5):
            status, body = _http("POST", self.base_url + "/api/v1/security/login", creds)
            if status != 429:
                break
            time.sleep(1.5)
        if status == 401:
            return False
        if status != 200:
            raise RuntimeError(f"POST /api/v1/security/login answered {status}: {body[:300]}")
        token = json.loads(body)["access_token"]
        status, body = _http(
            "GET", self.base_url + "/api/v1/me/", headers={"Authorization": f"Bearer {token}"}
        )
        if status != 200:
            raise RuntimeError(f"GET /api/v1/me/ with the login's token answered {status}")
        return bool(json.loads(body)["result"]["username"] == username)

    def memory(self) -> MemorySample:
        """The server's process tree (gunicorn master and workers) now."""
        if self._proc is None:
            return MemorySample(0, 0, 0)
        return tree_memory(self._proc.pid)

    def peak_rss_bytes(self) -> int:
        """Peak of the server tree's summed RSS since it started (sampled every 0.25 s)."""
        if self._sampler is not None:
            self._sampler.sample()
            return self._sampler.peak_rss
        return 0

    def peak_pss_bytes(self) -> int:
        """Peak of the server tree's summed PSS (shared pages split), same sampling."""
        if self._sampler is not None:
            self._sampler.sample()
            return self._sampler.peak_pss
        return 0

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def log_tail(self, lines: int = 60) -> str:
        return _tail(self.log_path, lines)

    def stop(self) -> None:
        """Stop gunicorn (SIGTERM to its group, SIGKILL after 10 s); remove the temp dir."""
        if self._sampler is not None:
            self._sampler.stop()
        if self._proc is not None:
            _kill_group(self._proc)
            self._proc = None
        if not self._keep_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> SupersetServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _process_env(
    container_env: Mapping[str, str], workdir: Path, port: int
) -> tuple[dict[str, str], dict[str, str]]:
    """The environment of every step: image ENV, then the container's, then the harness's
    overrides (returned separately too)."""
    home = workdir / "superset_home"
    pythonpath = workdir / "pythonpath"
    home.mkdir(parents=True, exist_ok=True)
    pythonpath.mkdir(exist_ok=True)
    env = {k: os.environ[k] for k in _PASSTHROUGH if k in os.environ}
    env.update(IMAGE_ENV)
    env.update({"HOME": str(home), "SUPERSET_HOME": str(home), "PYTHONPATH": str(pythonpath)})
    env.update(container_env)
    sqlite = f"sqlite:///{home}/superset.db?check_same_thread=false"
    examples = f"sqlite:///{home}/examples.db?check_same_thread=false"
    overrides = {
        "SUPERSET_HOME": str(home),
        "HOME": str(home),
        "SUPERSET__SQLALCHEMY_DATABASE_URI": sqlite,
        "SUPERSET__SQLALCHEMY_EXAMPLES_URI": examples,
        "SUPERSET_BIND_ADDRESS": "127.0.0.1",
        "SUPERSET_PORT": str(port),
    }
    env.update(overrides)
    return env, overrides


def _with_venv_path(env: Mapping[str, str], venv: Path) -> dict[str, str]:
    out = dict(env)
    out["PATH"] = f"{venv / 'bin'}:{os.environ.get('PATH', '/usr/bin:/bin')}"
    out["VIRTUAL_ENV"] = str(venv)
    return out


def _run_step(
    step: Step, venv: Path, env: Mapping[str, str], log_path: Path, timeout: float
) -> StepResult:
    argv = (str(venv / "bin" / step.argv[0]), *step.argv[1:])
    with log_path.open("ab") as log:
        log.write(f"\n===== {step.name}: {' '.join(step.argv)}\n".encode())
        log.flush()
        t0 = time.monotonic()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        proc = subprocess.Popen(
            argv,
            env={**env, **step.env},
            cwd=env["SUPERSET_HOME"],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        sampler = _PeakSampler(proc.pid)
        try:
            rc: int | None = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            rc = None
            _kill_group(proc, grace=5)
        finally:
            sampler.stop()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return StepResult(
        step.name,
        step.argv,
        rc,
        time.monotonic() - t0,
        sampler.peak_rss,
        sampler.peak_pss,
        cpu,
    )


def start_steps(
    container_env: Mapping[str, str],
    *,
    venv: Path | None = None,
    command: Sequence[str] | None = None,
    entry_point: Sequence[str] | None = None,
    target: str = "ci",
    load_examples: bool | None = None,
    strict: bool = True,
    workdir: Path | None = None,
    keep_workdir: bool = False,
    health_timeout: float = 180.0,
    step_timeout: float = 900.0,
) -> SupersetServer:
    """Run the image's start sequence (:func:`plan_start`) for ``container_env`` — the
    environment as ECS sets it: the task definition's ``environment`` plus its ``secrets``
    resolved (see :func:`container_environment`) — in a fresh temporary directory with a fresh
    SQLite metadata database, then wait until GET /health answers OK.

    ``strict`` (default): the first failing init step raises. ``strict=False`` mirrors the
    image: docker-init.sh stops at its first failure and docker-ci.sh serves anyway.
    Raises :class:`SupersetStartError` (with the log's tail; ``insecure_secret_key`` tells
    whether Superset refused the default SECRET_KEY) when a step fails, gunicorn exits, or
    /health is not OK within ``health_timeout`` seconds. ``venv`` defaults to
    $SHOWTIME_SUPERSET_VENV."""
    venv = venv or venv_from_env()
    if venv is None:
        raise RuntimeError(f"no Superset venv: set ${VENV_ENV_VAR} (see `{INSTALL_COMMAND}`)")
    tmp = Path(tempfile.mkdtemp(prefix="superset-contract-", dir=workdir))
    log_path = tmp / "superset.log"
    log_path.touch()
    port = _free_port()
    env, overrides = _process_env(container_env, tmp, port)
    steps = plan_start(
        env, command=command, entry_point=entry_point, target=target, load_examples=load_examples
    )
    env = _with_venv_path(env, venv)
    server = SupersetServer(
        venv, tmp, log_path, port, env, overrides, [], 0.0, _keep_workdir=keep_workdir
    )
    t0 = time.monotonic()
    try:
        for step in steps[:-1]:
            result = _run_step(step, venv, env, log_path, step_timeout)
            server.steps.append(result)
            if result.returncode != 0:
                what = "timed out" if result.returncode is None else f"exited {result.returncode}"
                if strict:
                    raise SupersetStartError(
                        f"start step {step.name!r} {what}", step=step.name, log_path=log_path
                    )
                break  # docker-init.sh's set -e; docker-ci.sh goes on to run-server.sh
        serve = steps[-1]
        argv = (str(venv / "bin" / serve.argv[0]), *serve.argv[1:])
        with log_path.open("ab") as log:
            log.write(f"\n===== {serve.name}: {' '.join(serve.argv)}\n".encode())
            log.flush()
            server._proc = subprocess.Popen(
                argv,
                env={**env, **serve.env},
                cwd=env["SUPERSET_HOME"],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        server._sampler = _PeakSampler(server._proc.pid)
        serve_t0 = time.monotonic()
        deadline = serve_t0 + health_timeout
        offset = log_path.stat().st_size  # the serve step's own output starts here
        while True:
            rc = server._proc.poll()
            if rc is not None:
                raise SupersetStartError(
                    f"gunicorn exited {rc} before /health answered OK",
                    step="serve",
                    log_path=log_path,
                )
            start = max(0, offset - len(INSECURE_SECRET_KEY_MESSAGE))  # overlap: a split line
            with log_path.open("rb") as f:
                f.seek(start)
                fresh = f.read()
            offset = start + len(fresh)
            if INSECURE_SECRET_KEY_MESSAGE.encode() in fresh:
                # gunicorn does not exit: it boots a new worker, which refuses again, forever
                raise SupersetStartError(
                    "gunicorn's worker refused to start", step="serve", log_path=log_path
                )
            with contextlib.suppress(OSError):
                status, body = _http("GET", server.base_url + "/health", timeout=5)
                if status == 200 and body.strip() == "OK":
                    break
            if time.monotonic() > deadline:
                raise SupersetStartError(
                    f"/health not OK within {health_timeout:.0f} s",
                    step="serve",
                    log_path=log_path,
                )
            time.sleep(0.25)
        server.startup_seconds = time.monotonic() - t0
        server.steps.append(
            StepResult(
                "serve",
                serve.argv,
                None,
                time.monotonic() - serve_t0,
                server.peak_rss_bytes(),
                server.peak_pss_bytes(),
            )
        )
        return server
    except BaseException:
        server.stop()
        raise


@contextlib.contextmanager
def started(container_env: Mapping[str, str], **kwargs: Any) -> Iterator[SupersetServer]:
    """``with started(env) as server:`` — :func:`start_steps`, stopped on exit."""
    server = start_steps(container_env, **kwargs)
    try:
        yield server
    finally:
        server.stop()
