"""The contract of a baked image with a real Superset 6.1.0: the bake step of
``bake.Dockerfile`` prepares the image's $SUPERSET_HOME once (migrations, admin, init,
examples), and the rendered task's command then starts each environment from a fresh copy of
it doing only what is per environment — serving the examples the environment promises (and
none when it has them off), under its own secret key and admin password.

Needs the Superset venv: `export SHOWTIME_SUPERSET_VENV="$(bash .ci/install-superset | tail -n 1)"`.
One bake (about half a minute), then one start per test (seconds each; the unbaked one loads
the examples itself, under a minute).
"""

from __future__ import annotations

import contextlib
import json
import secrets
import shutil
import sqlite3
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from showtime_iac.core.model import EnvConfig
from showtime_iac.program.superset_boot import MARKER, NO_EXAMPLES_DB
from tests.superset.container import (
    api_token,
    bake,
    examples_present,
    probe,
    rendered_superset_container,
    run_container,
    stop,
    wait_healthy,
    web_login,
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
#: a start of a baked image: seconds to /health here (a loaded 2-core machine), generously
BAKED_START_S = 120


@dataclass
class Started:
    port: int
    password: str
    log: Path

    def boot_lines(self) -> list[str]:
        text = self.log.read_text(errors="replace")
        return [line for line in text.splitlines() if line.startswith("showtime-iac boot: ")]


@pytest.fixture(scope="module")
def baked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("image") / "superset_home"
    bake(home)
    return home


@pytest.fixture
def start(tmp_path: Path) -> Iterator[object]:
    procs: list[subprocess.Popen[bytes]] = []

    def run(cfg: EnvConfig, home: Path | None, timeout: float = BAKED_START_S) -> Started:
        value = {
            "SUPERSET_SECRET_KEY": secrets.token_urlsafe(48),
            "ADMIN_PASSWORD": secrets.token_urlsafe(24),
        }
        workdir = tmp_path / f"task{len(procs)}"
        workdir.mkdir()
        proc, port, log = run_container(rendered_superset_container(cfg), value, workdir, home)
        procs.append(proc)
        wait_healthy(proc, port, log, timeout=timeout)
        return Started(port, value["ADMIN_PASSWORD"], log)

    yield run
    for proc in procs:
        stop(proc)


def test_the_bake_leaves_a_marker_and_a_database_without_examples(baked: Path) -> None:
    marker = json.loads((baked / MARKER).read_text())
    assert marker["examples"] is True and marker["metadata_db"] == "superset.db"
    assert (baked / "superset.db").is_file() and (baked / "examples.db").is_file()
    assert (baked / NO_EXAMPLES_DB).is_file()


def test_a_baked_image_serves_the_examples_under_its_own_secrets(baked: Path, start) -> None:  # type: ignore[no-untyped-def]
    """Examples on (the default): the dashboards, charts and datasets are there, and their
    rows are readable from this container's copy of the examples database."""
    env = start(EnvConfig(pr=1234, sha=SHA), baked)
    found = examples_present(env.port, env.password)
    assert found["dashboard"] > 0 and found["chart"] > 0 and found["dataset"] > 0, found
    assert found["rows"] > 0, found
    assert env.boot_lines()[1] == (
        "showtime-iac boot: baked image: re-encrypt, admin-password, examples-uri"
    )
    assert web_login(env.port, "admin", env.password) is True
    assert web_login(env.port, "admin", "admin") is False
    assert probe(env.port).login("admin", env.password) is True


PLANT = """
from superset.app import create_app
with create_app().app_context():
    from superset.extensions import db
    from superset.models.core import Database
    examples = db.session.query(Database).filter_by(database_name="examples").one()
    examples.encrypted_extra = '{"showtime": "planted"}'
    db.session.commit()
    print(examples.id)
"""


def _encrypted_extra(home: Path) -> bytes:
    with contextlib.closing(sqlite3.connect(home / "superset.db")) as db:
        (value,) = db.execute("SELECT encrypted_extra FROM dbs WHERE database_name = 'examples'")
    return bytes(value[0])


def test_what_the_bake_encrypted_is_read_under_the_environments_key(
    baked: Path,
    tmp_path: Path,
    start,  # type: ignore[no-untyped-def]
) -> None:
    """Plant an encrypted value in the baked database (with the bake's throwaway key, as the
    examples of a Superset that carried a secret would): the start re-encrypts it under the
    environment's own key, and Superset reads it (the examples database's connection, which
    decrypts it, answers 200; without the re-encryption the start itself fails on it)."""
    venv = venv_from_env()
    assert venv is not None
    image = tmp_path / "image"
    shutil.copytree(baked, image)
    bake_key = json.loads((image / MARKER).read_text())["secret_key"]
    planted = subprocess.run(
        [str(venv / "bin" / "python"), "-c", PLANT],
        env={
            "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
            "SUPERSET_HOME": str(image),
            "HOME": str(image),
            "SUPERSET_SECRET_KEY": bake_key,
        },
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    db_id = int(planted.stdout.split()[-1])
    before = _encrypted_extra(image)
    env = start(EnvConfig(pr=1234, sha=SHA), image)
    assert _encrypted_extra(env.log.parent / "home") not in {before, b""}
    status, body = _get(env.port, env.password, f"/api/v1/database/{db_id}/connection")
    assert status == 200, body[:500]


def _get(port: int, password: str, path: str) -> tuple[int, str]:
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        headers={"Authorization": f"Bearer {api_token(port, password)}"},
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(req, timeout=60) as resp:
            return int(resp.status), resp.read().decode()
    except urllib.error.HTTPError as e:
        return int(e.code), e.read().decode()


def test_examples_off_serves_none_and_flags_rerun_init(baked: Path, start) -> None:  # type: ignore[no-untyped-def]
    """conf-no-examples, debug and a feature flag on a baked image: the database without the
    examples is put in place, and `init` runs again for the flags the bake did not have."""
    cfg = EnvConfig(pr=1234, sha=SHA, examples=False, debug=True, flags=(("TAGGING_SYSTEM", True),))
    env = start(cfg, baked)
    assert env.boot_lines()[1] == (
        "showtime-iac boot: baked image: drop-examples, re-encrypt, admin-password, init"
    )
    found = examples_present(env.port, env.password)
    assert found == {"dashboard": 0, "chart": 0, "dataset": 0, "rows": 0}
    assert web_login(env.port, "admin", env.password) is True


def test_with_redis_the_config_is_loaded_by_the_boot_and_the_server(baked: Path, start) -> None:  # type: ignore[no-untyped-def]
    """conf-cache-redis: the command writes the config before the boot step reads it (no Redis
    runs here: Superset starts and serves without reaching it)."""
    env = start(EnvConfig(pr=1234, sha=SHA, cache_redis=True), baked)
    text = env.log.read_text(errors="replace")
    assert text.count("Loaded your LOCAL configuration at") >= 2  # the boot step and the worker
    assert web_login(env.port, "admin", env.password) is True


def test_an_image_that_was_not_baked_starts_with_its_examples(start) -> None:  # type: ignore[no-untyped-def]
    """No marker: the command falls back to the whole sequence, examples included."""
    env = start(EnvConfig(pr=1234, sha=SHA), None, timeout=600)
    assert env.boot_lines()[1] == "showtime-iac boot: not baked: upgrade, admin, init, examples"
    found = examples_present(env.port, env.password)
    assert found["dashboard"] > 0 and found["chart"] > 0 and found["rows"] > 0, found
    assert web_login(env.port, "admin", env.password) is True


def test_a_bake_whose_examples_fail_still_gives_an_image_whose_start_loads_them(
    tmp_path: Path,
    start,  # type: ignore[no-untyped-def]
) -> None:
    """The examples fail to load at build time (here: their database cannot be opened): the
    build still succeeds, without them, and a start with examples on loads them itself."""
    home = tmp_path / "image" / "superset_home"
    broken = {"SUPERSET__SQLALCHEMY_EXAMPLES_URI": "sqlite:////nonexistent/examples.db"}
    bake(home, extra_env=broken)
    assert json.loads((home / MARKER).read_text())["examples"] is False
    env = start(EnvConfig(pr=1234, sha=SHA), home, timeout=600)
    found = examples_present(env.port, env.password)
    assert found["dashboard"] > 0 and found["chart"] > 0 and found["rows"] > 0, found
    assert (
        env.boot_lines()[1]
        == "showtime-iac boot: baked image: re-encrypt, admin-password, examples"
    )
