"""What the engine tests share: a project and a backend of their own, the real ``pulumi`` CLI,
the test program (:mod:`tests.adapters.stacks.engine_program`), and ways to run
``showtime-iac`` as a process (the same driver the product uses, opened by app/wiring with
``SHOWTIME_PROGRAM`` naming the test program).

Tests marked ``engine`` run wherever ``pulumi`` is on PATH (``.ci/run`` puts the one
``.ci/install-pulumi`` builds there and sets ``SHOWTIME_REQUIRE=engine``, which turns a skip
into a failure); elsewhere they skip with the command that installs it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from showtime_iac.adapters import stacks as S
from showtime_iac.core.model import EnvConfig, Ttl
from tests.adapters.stacks.engine_program import ENV_CLOUD, ENV_CREATE_SLEEP, program

REPO = Path(__file__).resolve().parents[3]
PROGRAM = "tests.adapters.stacks.engine_program:program"
SHA = "abc1234def5678abc1234def5678abc1234def56"
PASSPHRASE = "engine-tests-only"
SKIP_REASON = (
    "pulumi CLI not on PATH: build it with `bash .ci/install-pulumi` and put the directory "
    'it prints on PATH (PATH="$(bash .ci/install-pulumi | tail -n1):$PATH")'
)

requires_engine = pytest.mark.skipif(S.find_engine() is None, reason=SKIP_REASON)


def cfg(pr: int = 1234, sha: str = SHA, **kw: Any) -> EnvConfig:
    base: dict[str, Any] = {"requester": "octocat", "ttl": Ttl("24h")}
    return EnvConfig(pr=pr, sha=sha, **{**base, **kw})


@dataclass
class World:
    """One test's project (the repo's Pulumi.yaml), backend, fake cloud and environment."""

    root: Path
    project: Path
    cloud: Path
    backend: str
    env: dict[str, str]

    # ---- the driver in this process

    def driver(self, **kw: Any) -> S.PulumiDriver:
        kw.setdefault("base", {"aws:region": "us-west-2"})
        return S.open_driver(program=program, project_dir=self.project, env=self.env, **kw)

    # ---- showtime-iac and pulumi as processes

    def child_env(self, extra: Mapping[str, str | None] | None = None) -> dict[str, str]:
        """The environment of a process of ours the test starts (``extra``: None removes)."""
        env = dict(self.env)
        if env.get("MUTANT_UNDER_TEST") == "stats":
            env["MUTANT_UNDER_TEST"] = ""  # unrecorded in the child: see _python_cmd
        for k, v in (extra or {}).items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = v
        return env

    def cli(
        self, *args: str, extra: Mapping[str, str | None] | None = None, timeout: float = 300
    ) -> subprocess.CompletedProcess[str]:
        """``showtime-iac ARGS`` in a process of its own; returns code, stdout, stderr."""
        return subprocess.run(
            [sys.executable, "-m", "showtime_iac.cli", *args],
            cwd=self.root,
            env=self.child_env(extra),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def start_cli(
        self, *args: str, extra: Mapping[str, str | None] | None = None
    ) -> subprocess.Popen[str]:
        """``showtime-iac ARGS`` started in a session of its own (so ``kill -9`` can take the
        whole run: our process, its ``pulumi`` and the provider)."""
        return subprocess.Popen(
            [sys.executable, "-m", "showtime_iac.cli", *args],
            cwd=self.root,
            env=self.child_env(extra),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )

    def pulumi(
        self, *args: str, cwd: Path | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        exe = S.find_engine(self.env)
        assert exe is not None
        done = subprocess.run(
            [str(exe), "--non-interactive", *args],
            cwd=cwd or self.project,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if check and done.returncode:
            raise AssertionError(f"pulumi {' '.join(args)}: {done.stderr}")
        return done

    def stack_ls(self, *args: str, cwd: Path | None = None) -> list[dict[str, Any]]:
        """``pulumi stack ls --json`` (as the infra team runs it)."""
        rows: list[dict[str, Any]] = json.loads(
            self.pulumi("stack", "ls", "--json", *args, cwd=cwd).stdout
        )
        return rows

    def tags(self, stack: str) -> dict[str, str]:
        out: dict[str, str] = json.loads(
            self.pulumi("stack", "tag", "ls", "--json", "--stack", stack).stdout
        )
        return out

    # ---- the fake cloud

    def objects(self) -> dict[str, dict[str, Any]]:
        """Every resource in the fake cloud: file name → its JSON."""
        return {p.name: json.loads(p.read_text()) for p in sorted(self.cloud.glob("*.json"))}

    def change_outside_pulumi(self, name: str, **changes: Any) -> None:
        path = self.cloud / name
        path.write_text(json.dumps({**json.loads(path.read_text()), **changes}))


def _python_cmd(root: Path) -> str:
    """The Python the engine runs the program with: this one, except under mutmut's stats
    collection (``MUTANT_UNDER_TEST=stats``), whose hit recorder reads mutmut's configuration
    from the working directory and so cannot run in the program's process (the project
    directory). There the program runs unmutated and unrecorded, through a wrapper that clears
    the variable; every mutant run (the variable names a mutant) runs the mutant there too."""
    if os.environ.get("MUTANT_UNDER_TEST") != "stats":
        return sys.executable
    wrapper = root / "python-unrecorded"
    wrapper.write_text(f'#!/bin/sh\nMUTANT_UNDER_TEST= exec "{sys.executable}" "$@"\n')
    wrapper.chmod(0o755)
    return str(wrapper)


def make_world(
    root: Path, monkeypatch: pytest.MonkeyPatch | None, backend: str | None = None, **extra: str
) -> World:
    """A project directory (the repo's Pulumi.yaml, the package by symlink: parallel-safe
    stack files), a ``file://`` backend unless ``backend`` is given, a PULUMI_HOME of its own,
    and the environment every process gets (also set in this one, for in-process runs:
    through ``monkeypatch``, or for good without one, as the benchmarks do)."""
    project = root / "project"
    (project / "stacks").mkdir(parents=True)
    shutil.copy(REPO / "Pulumi.yaml", project / "Pulumi.yaml")
    (project / "showtime_iac").symlink_to(REPO / "showtime_iac")
    cloud = root / "cloud"
    cloud.mkdir()
    url = backend or f"file://{root / 'state'}"
    env = {
        **os.environ,
        "PULUMI_BACKEND_URL": url,
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        "PULUMI_HOME": str(root / "pulumi-home"),
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PULUMI_PYTHON_CMD": _python_cmd(root),
        "SHOWTIME_PROGRAM": PROGRAM,
        "SHOWTIME_PROJECT_DIR": str(project),
        ENV_CLOUD: str(cloud),
        "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p),
        "AWS_REGION": "us-west-2",
        **extra,
    }
    env.pop("PULUMI_CONFIG_PASSPHRASE_FILE", None)
    env.pop(ENV_CREATE_SLEEP, None)
    for k, v in env.items():
        if os.environ.get(k) != v:
            if monkeypatch is None:
                os.environ[k] = v
            else:
                monkeypatch.setenv(k, v)
    if monkeypatch is None:
        os.environ.pop("PULUMI_CONFIG_PASSPHRASE_FILE", None)
    else:
        monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    return World(root, project, cloud, url, env)


def wait_for(what: str, check: Callable[[], bool], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.1)


@contextmanager
def running(proc: subprocess.Popen[str]) -> Iterator[subprocess.Popen[str]]:
    """A started run, killed with its whole session if the test leaves before it ended."""
    try:
        yield proc
    finally:
        if proc.poll() is None:
            kill_run(proc)


def _session(sid: int) -> list[int]:
    """Every process of session ``sid`` (``pulumi`` starts each plugin in a process group of
    its own, so the group of the run is not all of it; the session is)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if len(fields) > 3 and int(fields[3]) == sid:
            pids.append(int(entry.name))
    return pids


def kill_run(proc: subprocess.Popen[str]) -> None:
    """``kill -9`` of a whole run: our process, its ``pulumi`` and the provider plugin."""
    pids = _session(proc.pid) if Path("/proc/self/stat").exists() else []
    if not pids:
        os.killpg(proc.pid, signal.SIGKILL)
    for pid in pids:
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    wait_for("the killed run's processes to go", lambda: not _alive(pids), timeout=30)


def _alive(pids: list[int]) -> bool:
    return any(S.pid_alive(pid) for pid in pids)


def last_line(text: str) -> str:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return lines[-1] if lines else ""
