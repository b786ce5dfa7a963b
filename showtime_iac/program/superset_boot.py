"""Prepare Superset once per image (``bake``) and start it in each task (``start``).

This file runs inside the Superset image, with the image's own Python (stdlib and Superset
only; nothing of showtime-iac is installed there). It is used twice:

- ``python superset_boot.py bake``: a build step after ``docker build --target ci``
  (``bake.Dockerfile`` next to this file). In the image's ``$SUPERSET_HOME`` it runs what
  the image's ``docker-init.sh`` runs on every start — migrations, the admin user, ``init``,
  the examples — once, with a throwaway secret key, keeps a copy of the metadata database as
  it was before the examples, and writes the marker :data:`MARKER`.
- ``python - start`` (the task's command feeds this file on stdin; see
  ``containers.START_SCRIPT``): one Python process does what the environment needs before
  gunicorn serves. In a baked image: re-encrypt what the bake encrypted with its throwaway
  key under the environment's ``SUPERSET_SECRET_KEY``, set the admin password from
  ``ADMIN_PASSWORD``, put the metadata database without examples in place when the
  environment has examples off, and re-run ``init`` only when the feature flags differ from
  the bake's. In an image that was not baked (no marker, or a marker for another metadata
  database): the whole sequence, as ``docker-init.sh`` would.

Loading the examples: Superset 6.1 reads them from Parquet files shipped in its source tree
(no network) and writes them with ``DataFrame.to_sql(method="multi", chunksize=500)``, which
on SQLite spends ~97 % of its ~250 CPU-seconds compiling 500-row INSERT statements in
SQLAlchemy. Here the same rows are written with ``executemany`` (``method=None``) when the
examples database is SQLite: the same tables, a fraction of the time.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

ADMIN = {"username": "admin", "first_name": "Superset", "last_name": "Admin"}
ADMIN_EMAIL = "admin@example.org"
#: the bake's marker and the metadata database without examples, in $SUPERSET_HOME
MARKER = "showtime-bake.json"
NO_EXAMPLES_DB = "showtime-bake-no-examples.db"
METADATA_DB = "superset.db"  # Superset's default, in $SUPERSET_HOME
MARKER_VERSION = 1


def say(message: str) -> None:
    """One line on stderr (the task's log). Not ``logging``: create_app() reconfigures it."""
    sys.stderr.write(f"showtime-iac boot: {message}\n")
    sys.stderr.flush()


# --------------------------------------------------------------------------- decisions (pure)


def flags_fingerprint(flags: Mapping[str, Any]) -> str:
    """A short digest of the feature flags in force: ``init`` registers permissions for the
    views the flags turn on, so a start whose flags differ from the bake's runs it again."""
    text = json.dumps(dict(flags), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def baked_for(marker: Mapping[str, Any] | None, metadata_path: str | None, home: str) -> bool:
    """Whether the bake's files are the ones this start uses: a marker of a version we know,
    and Superset's metadata database is the baked SQLite file in ``home``."""
    if not marker or marker.get("version") != MARKER_VERSION or metadata_path is None:
        return False
    expected = os.path.join(home, str(marker.get("metadata_db", METADATA_DB)))
    return os.path.realpath(metadata_path) == os.path.realpath(expected)


def start_plan(
    marker: Mapping[str, Any] | None,
    *,
    metadata_path: str | None,
    home: str,
    examples: bool,
    flags: str,
) -> list[str]:
    """The steps of a start, in order: a baked image only does what is per environment
    (``drop-examples`` puts the baked database without examples in place, ``re-encrypt``,
    ``admin-password``, ``init`` when the flags differ, ``examples-uri`` points the baked
    examples at this container's file); anything else runs the image's whole sequence."""
    if not baked_for(marker, metadata_path, home):
        return ["upgrade", "admin", "init", *(["examples"] if examples else [])]
    assert marker is not None
    baked_examples = bool(marker.get("examples"))
    steps = []
    if baked_examples and not examples:
        steps.append("drop-examples")
    steps += ["re-encrypt", "admin-password"]
    if flags != marker.get("feature_flags"):
        steps.append("init")
    if examples:
        steps.append("examples-uri" if baked_examples else "examples")
    return steps


def read_marker(home: str) -> dict[str, Any] | None:
    try:
        with open(os.path.join(home, MARKER), encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def wants_examples(env: Mapping[str, str]) -> bool:
    """``SUPERSET_LOAD_EXAMPLES`` exactly ``yes``, as the image's docker-init.sh reads it."""
    return env.get("SUPERSET_LOAD_EXAMPLES") == "yes"


# --------------------------------------------------------------------------- Superset


@contextmanager
def _timed(name: str) -> Iterator[None]:
    t0, c0 = time.monotonic(), time.process_time()
    yield
    say(f"{name}: {time.monotonic() - t0:.1f} s ({time.process_time() - c0:.1f} CPU-s)")


def _app() -> Any:
    from superset.app import create_app  # type: ignore[import-not-found]

    return create_app()


def _db() -> Any:
    from superset.extensions import db  # type: ignore[import-not-found]

    return db


def _metadata_path(app: Any) -> str | None:
    """The file of Superset's metadata database, when it is SQLite."""
    from sqlalchemy.engine import make_url  # type: ignore[import-not-found]

    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if not url.drivername.startswith("sqlite") or not url.database:
        return None
    return str(url.database)


def _feature_flags() -> dict[str, Any]:
    from superset import feature_flag_manager  # type: ignore[import-not-found]

    return dict(feature_flag_manager.get_feature_flags())


def _upgrade() -> None:
    from flask_migrate import upgrade  # type: ignore[import-untyped]

    upgrade()  # `superset db upgrade`: the directory Superset registered with Flask-Migrate


def _init() -> None:
    from superset import appbuilder, security_manager

    appbuilder.add_permissions(update_perms=True)  # `superset init`
    security_manager.sync_role_definitions()


def _admin(password: str, *, create: bool) -> None:
    """``superset fab create-admin`` when ``create`` and the user is missing; else set the
    password of the existing admin."""
    from superset import security_manager

    user = security_manager.find_user(username=ADMIN["username"])
    if user is None:
        if not create:
            say("no admin user in the baked database: creating it")
        role = security_manager.find_role(security_manager.auth_role_admin)
        if not security_manager.add_user(
            ADMIN["username"], ADMIN["first_name"], ADMIN["last_name"], ADMIN_EMAIL, role, password
        ):
            raise RuntimeError("could not create the admin user")
    else:
        security_manager.reset_password(user.id, password)


def _re_encrypt(previous_key: str) -> None:
    """``superset re-encrypt-secrets --previous_secret_key``, over every model's table:
    Superset 6.1's own SecretsMigrator looks for encrypted columns in Flask-SQLAlchemy's
    ``db.metadata``, which holds none (Superset's models are declared on Flask-AppBuilder's
    ``Model``), so that command re-encrypts nothing; here the migrator gets both."""
    from flask_appbuilder import Model  # type: ignore[import-not-found]
    from sqlalchemy_utils import EncryptedType  # type: ignore[import-not-found]
    from superset.utils.encrypt import SecretsMigrator  # type: ignore[import-not-found]

    class Migrator(SecretsMigrator):  # type: ignore[misc]
        def discover_encrypted_fields(self) -> dict[str, dict[str, Any]]:
            found: dict[str, dict[str, Any]] = dict(super().discover_encrypted_fields())
            for name, table in Model.metadata.tables.items():
                for column, col in table.columns.items():
                    if isinstance(col.type, EncryptedType):
                        found.setdefault(name, {})[column] = col.type
            return found

    Migrator(previous_secret_key=previous_key).run()


@contextmanager
def _fast_sqlite_inserts() -> Iterator[None]:
    """Within: ``DataFrame.to_sql(method="multi")`` on a SQLite engine uses executemany."""
    import pandas as pd  # type: ignore[import-untyped]

    original: Callable[..., Any] = pd.DataFrame.to_sql

    def to_sql(self: Any, name: str, con: Any, *args: Any, **kwargs: Any) -> Any:
        dialect = getattr(getattr(con, "dialect", None), "name", "")
        if kwargs.get("method") == "multi" and dialect == "sqlite":
            kwargs["method"] = None
        return original(self, name, con, *args, **kwargs)

    pd.DataFrame.to_sql = to_sql
    try:
        yield
    finally:
        pd.DataFrame.to_sql = original


def _load_examples() -> None:
    from superset.cli.examples import load_examples_run  # type: ignore[import-not-found]

    with _fast_sqlite_inserts():
        load_examples_run()


def _examples_uri() -> None:
    """Point the examples database at this container's file (Superset's own get-or-update)."""
    from superset.utils.database import get_example_database  # type: ignore[import-not-found]

    get_example_database()


def _run(step: str, env: Mapping[str, str], marker: Mapping[str, Any] | None, app: Any) -> None:
    db = _db()
    password = env.get("ADMIN_PASSWORD", "")
    if step == "drop-examples":
        path = _metadata_path(app)
        assert path is not None
        db.session.remove()
        db.engine.dispose()  # no connection may hold the file we replace
        shutil.copyfile(os.path.join(os.path.dirname(path), NO_EXAMPLES_DB), path)
        return
    if step == "re-encrypt":
        assert marker is not None
        _re_encrypt(str(marker["secret_key"]))
    elif step in {"admin", "admin-password"}:
        _admin(password, create=step == "admin")
    elif step == "upgrade":
        _upgrade()
    elif step == "init":
        _init()
    elif step == "examples":
        try:
            _load_examples()
        except Exception:  # serving without examples beats not serving
            db.session.rollback()
            say("loading the examples failed; serving without")
            traceback.print_exc()
            return
    elif step == "examples-uri":
        _examples_uri()
    else:
        raise ValueError(f"unknown step {step!r}")
    db.session.commit()


def _bake_examples(path: str, home: str) -> bool:
    """Load the examples into the bake; whether they are in. A failure leaves the image as it
    was before them (a start with examples on then tries again, and serves without)."""
    db = _db()
    try:
        _load_examples()
        db.session.commit()
    except Exception:
        db.session.rollback()
        say("loading the examples failed: baking the image without them")
        traceback.print_exc()
        db.session.remove()
        db.engine.dispose()
        shutil.copyfile(os.path.join(home, NO_EXAMPLES_DB), path)
        return False
    return True


def start(env: Mapping[str, str]) -> None:
    """Everything before gunicorn, in this one process (see the module's docstring)."""
    if not env.get("ADMIN_PASSWORD"):
        raise SystemExit("showtime-iac boot: ADMIN_PASSWORD is missing (ECS fills it)")
    home = env.get("SUPERSET_HOME") or os.path.expanduser("~/.superset")
    marker = read_marker(home)
    with _timed("app"):
        app = _app()
    with app.app_context():
        plan = start_plan(
            marker,
            metadata_path=_metadata_path(app),
            home=home,
            examples=wants_examples(env),
            flags=flags_fingerprint(_feature_flags()),
        )
        what = "baked image" if baked_for(marker, _metadata_path(app), home) else "not baked"
        say(f"{what}: {', '.join(plan)}")
        for step in plan:
            with _timed(step):
                _run(step, env, marker, app)
        _db().engine.dispose()  # gunicorn's workers open their own connections


def bake(env: Mapping[str, str]) -> dict[str, Any]:
    """Run the whole start sequence once, into the image's $SUPERSET_HOME; returns the marker.
    ``SHOWTIME_BAKE_EXAMPLES=no`` bakes without examples (a start with examples on then
    loads them itself)."""
    home = env.get("SUPERSET_HOME") or os.path.expanduser("~/.superset")
    # the bake's own throwaway key: the start re-encrypts under the environment's key
    key = secrets.token_urlsafe(48)
    os.environ["SUPERSET_SECRET_KEY"] = key
    examples = env.get("SHOWTIME_BAKE_EXAMPLES", "yes") == "yes"
    with _timed("app"):
        app = _app()
    with app.app_context():
        path = _metadata_path(app)
        if path is None or os.path.realpath(path) != os.path.realpath(
            os.path.join(home, METADATA_DB)
        ):
            raise SystemExit(
                f"showtime-iac bake: the metadata database must be $SUPERSET_HOME/{METADATA_DB}"
                f" (SQLite), not {app.config['SQLALCHEMY_DATABASE_URI']}"
            )
        for step in ("upgrade", "admin", "init"):
            with _timed(step):
                _run(step, {"ADMIN_PASSWORD": secrets.token_urlsafe(24)}, None, app)
        db = _db()
        db.session.remove()
        db.engine.dispose()
        shutil.copyfile(path, os.path.join(home, NO_EXAMPLES_DB))
        if examples:
            with _timed("examples"):
                examples = _bake_examples(path, home)
        db.session.remove()
        db.engine.dispose()
        marker = {
            "version": MARKER_VERSION,
            "metadata_db": METADATA_DB,
            "examples": examples,
            "feature_flags": flags_fingerprint(_feature_flags()),
            "secret_key": key,
            "superset_version": str(app.config.get("VERSION_STRING", "")),
        }
    with open(os.path.join(home, MARKER), "w", encoding="utf-8") as f:
        json.dump(marker, f, indent=1)
    return marker


def main(argv: list[str]) -> int:
    mode = argv[1] if len(argv) > 1 else "start"
    if mode == "start":
        start(os.environ)
    elif mode == "bake":
        bake(os.environ)
    else:
        sys.stderr.write(f"usage: {argv[0]} [start|bake]\n")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
