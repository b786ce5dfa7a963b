"""Mutation verdicts carried from one machine to the next (`.ci/mutmut_state.py`, issue 29).

The real mutmut (the pinned 3.8.1) runs on a small project of the package's shape: its
verdicts are saved, `mutants/` is deleted as a new machine would not have it, they are
restored, and the next `mutmut run` runs no mutant again, except those of a function whose
code changed. The merge and the score are checked on written-out state.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / ".ci" / "mutmut_state.py"
MUTMUT = Path(sys.executable).with_name("mutmut")


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mutmut_state", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["mutmut_state"] = module
    spec.loader.exec_module(module)
    return module


tool = _load()

CALC = """\
def clamp(n: int, low: int, high: int) -> int:
    return max(low, min(n, high))


def label(n: int) -> str:
    return "big" if n > 10 else "small"
"""

TESTS = """\
import os
from pathlib import Path

from showtime_iac.calc import clamp, label


def _seen() -> None:  # every test run under a mutant says which
    name = os.environ.get("MUTANT_UNDER_TEST", "")
    if "__mutmut_" in name:
        with Path(os.environ["SEEN_LOG"]).open("a") as f:
            f.write(name + "\\n")


def test_clamp() -> None:
    _seen()
    assert clamp(5, 0, 10) == 5
    assert clamp(-1, 0, 10) == 0
    assert clamp(11, 0, 10) == 10


def test_label() -> None:  # weak: 10 and 11 are never tried
    _seen()
    assert label(50) == "big"
"""


def _project(root: Path) -> Path:
    (root / "showtime_iac").mkdir(parents=True)
    (root / "showtime_iac" / "__init__.py").write_text("")
    (root / "showtime_iac" / "calc.py").write_text(CALC)
    (root / "tests").mkdir()
    (root / "tests" / "test_calc.py").write_text(TESTS)
    (root / "pyproject.toml").write_text(
        textwrap.dedent("""\
        [tool.mutmut]
        source_paths = ["showtime_iac"]
        pytest_add_cli_args = ["-p", "no:cacheprovider"]
        """)
    )
    return root


def _mutmut_run(root: Path, seen: Path) -> list[str]:
    """``mutmut run`` in ``root``; the mutants whose tests ran, in no order."""
    seen.write_text("")
    env = {**os.environ, "SEEN_LOG": str(seen), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTEST_ADDOPTS", None)
    done = subprocess.run(
        [str(MUTMUT), "run", "--max-children", "2"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return sorted(set(seen.read_text().split()))


def _state(root: Path, *args: str) -> tuple[int, str]:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done.returncode, done.stdout + done.stderr


@pytest.mark.skipif(not MUTMUT.exists(), reason="mutmut is not installed next to this Python")
def test_verdicts_survive_a_new_machine_and_only_changed_functions_run_again(
    tmp_path: Path,
) -> None:
    root, seen = _project(tmp_path / "p"), tmp_path / "seen.txt"
    (root / "tests" / "mutation_state.json").parent.mkdir(exist_ok=True)
    first = _mutmut_run(root, seen)
    assert any("x_clamp" in n for n in first) and any("x_label" in n for n in first)

    rc, out = _state(root, "save")
    assert rc == 0, out
    saved = json.loads((root / "tests" / "mutation_state.json").read_text())
    entries = saved["files"]["showtime_iac/calc.py"]
    clamp_letters = entries["showtime_iac.calc.x_clamp"].split(":")[1]
    label_letters = entries["showtime_iac.calc.x_label"].split(":")[1]
    assert clamp_letters and set(clamp_letters) == {"k"}  # the strong test kills every one
    assert "s" in label_letters  # `n >= 10` survives the weak one
    assert len(clamp_letters) + len(label_letters) == len(first)

    # a new machine: no mutants/; restored, nothing runs again
    shutil.rmtree(root / "mutants")
    rc, out = _state(root, "restore")
    assert rc == 0 and f"restored {len(first)} verdicts" in out, out
    assert _mutmut_run(root, seen) == []
    rc, out = _state(root, "save")
    assert rc == 0, out
    assert json.loads((root / "tests" / "mutation_state.json").read_text()) == saved

    # the code of one function changes: only its mutants run again
    shutil.rmtree(root / "mutants")
    (root / "showtime_iac" / "calc.py").write_text(CALC.replace('"small"', '"little"'))
    (root / "tests" / "test_calc.py").write_text(TESTS)
    rc, out = _state(root, "restore")
    assert rc == 0, out
    again = _mutmut_run(root, seen)
    assert again and all("x_label" in n for n in again)


def test_a_run_keeps_earlier_verdicts_of_unchanged_code_and_drops_those_of_changed_code() -> None:
    old = {"m.x_f": "aaa:kks.", "m.x_g": "bbb:kk", "m.x_gone": "ccc:k"}
    new = {"m.x_f": "aaa:..ks", "m.x_g": "BBB:.s"}
    assert tool.merge(old, new) == {"m.x_f": "aaa:kkks", "m.x_g": "BBB:.s"}


def test_only_verdicts_are_saved_a_mutant_without_tests_runs_again() -> None:
    meta = {
        "hash_by_function_name": {"x_f": "h1", "xǁCǁm": "h2"},
        "exit_code_by_key": {
            "pkg.mod.x_f__mutmut_1": 1,
            "pkg.mod.x_f__mutmut_2": 0,
            "pkg.mod.x_f__mutmut_3": 37,
            "pkg.mod.x_f__mutmut_4": 33,  # no tests
            "pkg.mod.x_f__mutmut_5": None,
            "pkg.mod.x_f__mutmut_7": -24,  # a timeout; 6 is missing
            "pkg.mod.xǁCǁm__mutmut_1": 35,  # suspicious
        },
    }
    assert tool.entries_of(meta) == {"pkg.mod.x_f": "h1:kst...o", "pkg.mod.xǁCǁm": "h2:."}


def test_restore_fills_only_mutants_without_a_verdict_of_unchanged_functions(
    tmp_path: Path,
) -> None:
    state, mutants = tmp_path / "state.json", tmp_path / "mutants"
    state.write_text(
        tool.dump_state(
            {"showtime_iac/a.py": {"showtime_iac.a.x_f": "h1:ks.", "showtime_iac.a.x_g": "h2:k"}}
        )
    )
    meta = mutants / "showtime_iac" / "a.py.meta"
    meta.parent.mkdir(parents=True)
    meta.write_text(
        json.dumps(
            {
                "exit_code_by_key": {
                    "showtime_iac.a.x_f__mutmut_1": None,
                    "showtime_iac.a.x_f__mutmut_2": 1,  # this machine's own verdict stays
                    "showtime_iac.a.x_f__mutmut_3": None,
                    "showtime_iac.a.x_g__mutmut_1": None,
                },
                "hash_by_function_name": {"x_f": "h1", "x_g": "CHANGED"},
                "type_check_error_by_key": {},
                "durations_by_key": {},
                "estimated_durations_by_key": {},
            }
        )
    )
    assert tool.restore(state, mutants) == 1
    codes = json.loads(meta.read_text())["exit_code_by_key"]
    assert codes == {
        "showtime_iac.a.x_f__mutmut_1": 1,
        "showtime_iac.a.x_f__mutmut_2": 1,
        "showtime_iac.a.x_f__mutmut_3": None,
        "showtime_iac.a.x_g__mutmut_1": None,
    }


def test_the_score_counts_per_package_and_survivors_listed_apart(tmp_path: Path) -> None:
    files = {
        "showtime_iac/core/a.py": {"showtime_iac.core.a.x_f": "h:kkkts"},
        "showtime_iac/adapters/github/b.py": {"showtime_iac.adapters.github.b.x_g": "h:ks"},
        "showtime_iac/adapters/aws/c.py": {"showtime_iac.adapters.aws.c.x_h": "h:o.s"},
    }
    listed = tmp_path / "eq.txt"
    listed.write_text("# header  # not a name\nshowtime_iac.core.a.x_f__mutmut_5  # same\n")
    rows = {r["package"]: r for r in tool.score(files, tool.equivalents(listed))}
    assert [r["package"] for r in tool.score(files, set())] == [
        "core",
        "adapters/github",
        "adapters",
    ]
    core = rows["core"]
    assert (core["killed"], core["mypy"], core["survived"], core["listed"]) == (3, 1, 1, 1)
    assert (core["unexplained"], core["score"]) == (0, 80.0)
    assert (rows["adapters/github"]["unexplained"], rows["adapters/github"]["score"]) == (1, 50.0)
    aws = rows["adapters"]
    assert (aws["timeout"], aws["no_verdict"], aws["score"]) == (1, 1, 50.0)


def test_survivors_names_each_survivor_no_line_excuses(tmp_path: Path) -> None:
    state = tmp_path / "tests" / "mutation_state.json"
    state.parent.mkdir()
    state.write_text(
        tool.dump_state(
            {
                "showtime_iac/core/a.py": {"showtime_iac.core.a.x_f": "h:ksks"},
                "showtime_iac/app/b.py": {"showtime_iac.app.b.xǁCǁm": "h:s.t"},
            }
        )
    )
    equivalents = tmp_path / "tests" / "mutation_equivalents.txt"
    equivalents.write_text("showtime_iac.core.a.x_f__mutmut_2  # the same\n")
    rc, out = _state(tmp_path, "survivors")
    assert (rc, out) == (
        0,
        "showtime_iac.app.b.xǁCǁm__mutmut_1\nshowtime_iac.core.a.x_f__mutmut_4\n",
    )
    equivalents.write_text(
        "showtime_iac.core.a.x_f__mutmut_2  # a\n"
        "showtime_iac.core.a.x_f__mutmut_4  # b\n"
        "showtime_iac.app.b.xǁCǁm__mutmut_1  # c\n"
    )
    assert _state(tmp_path, "survivors") == (0, "no survivor left to triage\n")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not a mutation state file"),
        ('{"files": {"a.py": {"m.x_f": "h:kz"}}}', "is not `<hash>:<letters>`"),
        ('{"files": {"a.py": {"m.x_f": "kk"}}}', "is not `<hash>:<letters>`"),
    ],
)
def test_a_broken_state_file_is_a_clear_error_not_a_traceback(
    tmp_path: Path, text: str, message: str
) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "mutation_state.json").write_text(text)
    rc, out = _state(tmp_path, "score")
    assert rc == 1
    assert out.startswith("mutmut_state.py: error: ") and message in out
    assert "Traceback" not in out


def test_save_without_a_run_says_to_run_mutmut_first(tmp_path: Path) -> None:
    rc, out = _state(tmp_path, "save")
    assert (rc, out) == (
        1,
        "mutmut_state.py: error: no mutmut results under mutants/: run `mutmut run` first\n",
    )


def test_an_empty_meta_file_is_skipped_by_save_and_rewritten_by_restore(tmp_path: Path) -> None:
    """mutmut stopped while it rewrote a meta file leaves it empty: `save` keeps what the
    state had for that source file (and says so), saves the others, and `restore` writes the
    state's verdicts into it again."""
    mutants = tmp_path / "mutants" / "showtime_iac"
    mutants.mkdir(parents=True)
    (mutants / "a.py.meta").write_text("")
    (mutants / "b.py.meta").write_text(
        json.dumps(
            {
                "exit_code_by_key": {"showtime_iac.b.x_g__mutmut_1": 1},
                "hash_by_function_name": {"x_g": "h2"},
            }
        )
    )
    state = tmp_path / "tests" / "mutation_state.json"
    state.parent.mkdir()
    state.write_text(tool.dump_state({"showtime_iac/a.py": {"showtime_iac.a.x_f": "h1:ks"}}))
    rc, out = _state(tmp_path, "save")
    assert rc == 0, out
    assert out.splitlines()[0] == (
        "skipped mutants/showtime_iac/a.py.meta: empty (mutmut stopped while writing it); "
        "kept as saved"
    )
    assert tool.load_state(state) == {
        "showtime_iac/a.py": {"showtime_iac.a.x_f": "h1:ks"},
        "showtime_iac/b.py": {"showtime_iac.b.x_g": "h2:k"},
    }
    assert tool.restore(state, tmp_path / "mutants") == 2  # a.py's two; b.py has its own
    codes = json.loads((mutants / "a.py.meta").read_text())["exit_code_by_key"]
    assert codes == {"showtime_iac.a.x_f__mutmut_1": 1, "showtime_iac.a.x_f__mutmut_2": 0}
