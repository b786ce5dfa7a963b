"""The type checker mutmut runs (`.ci/mutmut_mypy.py`, issue 29): a mutant counts as caught by
mypy only for an error of its own, never for one mutmut's rewriting causes in every copy."""

from __future__ import annotations

import importlib.util
import sys
import textwrap
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / ".ci" / "mutmut_mypy.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mutmut_mypy", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["mutmut_mypy"] = module
    spec.loader.exec_module(module)
    return module


tool = _load()

# The shape mutmut writes: the unchanged copy, the mutants, an __init__ copied per mutant.
MODULE = textwrap.dedent(
    """
    class Box:
        def xǁBoxǁ__init____mutmut_orig(self) -> None:
            self.size: int = 1

        def xǁBoxǁ__init____mutmut_1(self) -> None:
            self.size: int = 2


    def x_label__mutmut_orig(n: int) -> int:
        return "label"


    def x_label__mutmut_1(n: int) -> int:
        return "LABEL"


    def x_double__mutmut_orig(n: int) -> int:
        return n * 2


    def x_double__mutmut_1(n: int) -> int:
        return n * 3


    def x_double__mutmut_2(n: int) -> int:
        return None


    def x_shout__mutmut_orig(word: str) -> str:
        return str(len(word)) + "!"


    def x_shout__mutmut_1(word: str) -> str:
        return len(word) + "!"


    def plain(n: int) -> int:
        return n
    """
)


def _caught(errors: list[dict[str, object]], source: str) -> set[str]:
    ranges = tool.mutant_ranges(source)
    names = set()
    for error in errors:
        line = int(str(error["line"]))
        names.add(next(r[2] for r in ranges if r[0] <= line <= r[1]))
    return names


def test_real_mypy_catches_only_the_mutants_own_type_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "mod.py").write_text(MODULE)
    monkeypatch.chdir(tmp_path)
    errors = tool.run("pkg")
    # None for an int, an int plus a str: their own; the copied __init__ redefining `size`
    # and the str both copies of x_label return are the rewriting's (same error in the original)
    assert _caught(errors, MODULE) == {"x_double__mutmut_2", "x_shout__mutmut_1"}
    assert {e["file"] for e in errors} == {"pkg/mod.py"}


def test_an_error_the_unchanged_copy_has_too_is_not_the_mutants() -> None:
    source = MODULE
    line_of = {name: start for start, _, name in tool.mutant_ranges(source)}

    def error(name: str, code: str, message: str) -> dict[str, object]:
        return {
            "file": "m.py",
            "line": line_of[name] + 1,
            "code": code,
            "message": message,
            "severity": "error",
        }

    shared = ("arg-type", 'Argument 1 has incompatible type "Lazy"; expected "Port"')
    errors = [
        error("x_double__mutmut_orig", *shared),
        error("x_double__mutmut_1", *shared),  # the rewriting's, in every copy
        error("x_double__mutmut_2", *shared),
        error("x_double__mutmut_2", "return-value", "Incompatible return value type"),
        error("xǁBoxǁ__init____mutmut_1", "no-redef", 'Attribute "size" already defined'),
        error("x_shout__mutmut_1", "operator", "Unsupported operand types"),
        {**error("x_shout__mutmut_1", "operator", "a note"), "severity": "note"},
    ]
    kept = tool.own_errors(errors, {"m.py": source})
    assert [(e["line"], e["code"]) for e in kept] == [
        (line_of["x_double__mutmut_2"] + 1, "return-value"),
        (line_of["x_shout__mutmut_1"] + 1, "operator"),
    ]
    # an error outside any copy (a plain function) is nobody's mutant
    plain = {**error("x_double__mutmut_2", "misc", "x"), "line": len(source.splitlines())}
    assert tool.own_errors([plain], {"m.py": source}) == []


def test_the_word_mypy_is_required_last_and_the_config_names_this_script(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert tool.main(["showtime_iac"]) == 2
    assert "usage" in capsys.readouterr().err
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
    command = config["type_check_command"]
    # mutmut runs it from mutants/ (where .ci/ is copied) and reads mypy's format by the last word
    assert command[-1] == "mypy"
    assert ".ci/mutmut_mypy.py" in command
    assert ".ci/" in config["also_copy"]
