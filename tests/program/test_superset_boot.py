"""program/superset_boot.py without Superset: what a start decides from the bake's marker, and
how the bake is wired into ``bake.Dockerfile`` and the task's command. The real Superset runs
both in tests/superset/test_boot.py."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from showtime_iac.program import superset_boot as boot
from showtime_iac.program.containers import BOOT_SOURCE, START_SCRIPT

HOME = "/app/superset_home"
DB = f"{HOME}/superset.db"
FLAGS = boot.flags_fingerprint({"ALERT_REPORTS": False})
MARKER = {
    "version": boot.MARKER_VERSION,
    "metadata_db": "superset.db",
    "examples": True,
    "feature_flags": FLAGS,
    "secret_key": "throwaway",
}
FULL = ["upgrade", "admin", "init"]


def plan(
    marker: dict[str, object] | None,
    *,
    path: str | None = DB,
    examples: bool = True,
    flags: str = FLAGS,
) -> list[str]:
    return boot.start_plan(marker, metadata_path=path, home=HOME, examples=examples, flags=flags)


def test_a_baked_image_only_does_what_is_per_environment() -> None:
    assert plan(MARKER) == ["re-encrypt", "admin-password", "examples-uri"]
    assert plan(MARKER, examples=False) == ["drop-examples", "re-encrypt", "admin-password"]


def test_an_image_without_a_marker_runs_the_whole_sequence() -> None:
    assert plan(None) == [*FULL, "examples"]
    assert plan(None, examples=False) == FULL


@pytest.mark.parametrize(
    "why",
    ["postgres", "another file", "unknown marker version", "no version"],
)
def test_a_marker_that_does_not_describe_this_database_is_ignored(why: str) -> None:
    """The baked files only count when they are the database Superset opens."""
    marker: dict[str, object] = dict(MARKER)
    path: str | None = DB
    if why == "postgres":
        path = None  # not SQLite
    elif why == "another file":
        path = "/data/superset.db"
    elif why == "unknown marker version":
        marker["version"] = boot.MARKER_VERSION + 1
    else:
        del marker["version"]
    assert plan(marker, path=path) == [*FULL, "examples"]


def test_other_feature_flags_than_the_bakes_rerun_init() -> None:
    other = boot.flags_fingerprint({"ALERT_REPORTS": True})
    assert other != FLAGS
    assert plan(MARKER, flags=other) == ["re-encrypt", "admin-password", "init", "examples-uri"]


def test_a_bake_without_examples_loads_them_at_start_when_asked() -> None:
    marker = {**MARKER, "examples": False}
    assert plan(marker) == ["re-encrypt", "admin-password", "examples"]
    assert plan(marker, examples=False) == ["re-encrypt", "admin-password"]


def test_every_plan_sets_the_admin_password_once_and_re_encrypts_before_writing_secrets() -> None:
    """Whatever the marker: the environment's password is set exactly once, and in a baked
    image nothing is written under the environment's key before the bake's is replaced."""
    for marker in (None, MARKER, {**MARKER, "examples": False}):
        for examples in (True, False):
            for flags in (FLAGS, "other"):
                steps = plan(marker, examples=examples, flags=flags)
                assert sum(s in {"admin", "admin-password"} for s in steps) == 1, steps
                if "re-encrypt" in steps:
                    assert steps.index("re-encrypt") < steps.index("admin-password")
                    assert "upgrade" not in steps
                    for later in ("examples", "examples-uri", "init"):
                        if later in steps:
                            assert steps.index("re-encrypt") < steps.index(later)
                if "drop-examples" in steps:
                    assert steps[0] == "drop-examples"


def test_the_marker_is_read_from_home_and_a_broken_one_counts_as_none(tmp_path: Path) -> None:
    assert boot.read_marker(str(tmp_path)) is None
    (tmp_path / boot.MARKER).write_text("{not json")
    assert boot.read_marker(str(tmp_path)) is None
    (tmp_path / boot.MARKER).write_text("[1, 2]")
    assert boot.read_marker(str(tmp_path)) is None
    (tmp_path / boot.MARKER).write_text(json.dumps(MARKER))
    assert boot.read_marker(str(tmp_path)) == MARKER


def test_examples_are_on_only_for_the_images_own_yes() -> None:
    assert boot.wants_examples({"SUPERSET_LOAD_EXAMPLES": "yes"})
    for value in ("no", "YES", "true", ""):
        assert not boot.wants_examples({"SUPERSET_LOAD_EXAMPLES": value})
    assert not boot.wants_examples({})


def test_the_boot_script_imports_no_superset_until_it_runs() -> None:
    """It is fed to the image's Python and imported by this package: stdlib at the top."""
    code = "import sys; import showtime_iac.program.superset_boot; print(sorted(sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    modules = set(done.stdout.strip().strip("[]").replace("'", "").split(", "))
    assert not {m for m in modules if m.split(".")[0] in {"superset", "flask", "pandas"}}


def test_an_unknown_mode_is_a_usage_error() -> None:
    done = subprocess.run(
        [sys.executable, "-", "explode"], input=BOOT_SOURCE, capture_output=True, text=True
    )
    assert done.returncode == 2
    assert done.stderr.strip() == "usage: - [start|bake]"


# --------------------------------------------------------------------------- wiring


def test_the_task_command_carries_the_boot_script_verbatim() -> None:
    """The image may not be baked (or baked by another version): the start's code travels in
    the task definition, never read from the image."""
    assert (Path(boot.__file__)).read_text(encoding="utf-8") == BOOT_SOURCE
    head, _, rest = START_SCRIPT.partition("python - start <<'SHOWTIME_BOOT_PY'\n")
    body, _, tail = rest.partition("SHOWTIME_BOOT_PY\n")
    assert body == BOOT_SOURCE
    assert "exec gunicorn" in tail and "exec gunicorn" not in head


def test_the_bake_dockerfile_runs_the_packaged_script_from_the_base_image() -> None:
    dockerfile = Path(boot.__file__).with_name("bake.Dockerfile")
    lines = [
        line.split(" ", 1)
        for line in dockerfile.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    words = [w for w, _ in lines]
    assert words[:2] == ["ARG", "FROM"] and lines[0][1] == "BASE" and lines[1][1] == "${BASE}"
    copies = [r.split() for w, r in lines if w == "COPY"]
    assert len(copies) == 1
    src, dst = copies[0]
    assert (dockerfile.parent / src).resolve() == Path(boot.__file__).resolve()
    (run,) = [r for w, r in lines if w == "RUN"]
    assert run.endswith(f"python {dst} bake")
