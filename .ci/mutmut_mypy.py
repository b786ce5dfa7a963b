"""mypy --strict as mutmut's type checker, without the false catches of mutmut's copies.

mutmut (`type_check_command` in pyproject.toml) runs this from `mutants/` and marks every mutant
whose function copy has a type error as caught (🧙 37) without running its tests: `.ci/run`
runs `mypy --strict` on every change, so such a mutant would never be merged. Two kinds of
error in mutmut's rewritten modules are not the mutant's own and are dropped here:

- an error its unchanged copy (`x_f__mutmut_orig`) has too (code and message): the rewriting
  itself caused it (a trampolined class no longer matching a Protocol), not the mutation;
- `no-redef` and `has-type`: each copy of an `__init__` declares the same attributes again;
  and the `# type: ignore` comments mutmut adds are never reported as unused.

Prints the kept errors as mypy's JSON lines (`--output json`), which mutmut reads. The last
argument must be the word `mypy`: mutmut picks the report's format by that word.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

#: error codes mutmut's copies raise by themselves, whatever the mutation
ARTIFACT_CODES = frozenset({"no-redef", "has-type", "unused-ignore"})
ORIG = "__mutmut_orig"


def mutant_ranges(source: str) -> list[tuple[int, int, str]]:
    """(first line, last line, name) of each function copy mutmut wrote, at any class depth."""
    found: list[tuple[int, int, str]] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                if child.name.startswith(("x_", "xǁ")) and "__mutmut_" in child.name:
                    found.append((child.lineno, child.end_lineno or child.lineno, child.name))
            elif isinstance(child, ast.ClassDef):
                visit(child)

    visit(ast.parse(source))
    return found


def own_errors(
    errors: Iterable[Mapping[str, Any]], sources: Mapping[str, str]
) -> list[Mapping[str, Any]]:
    """The errors that are a mutant's own: inside a mutant's copy, not an artifact code, and not
    also raised (same code and message) by the unchanged copy of the same function."""
    by_copy: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    ranges = {file: mutant_ranges(source) for file, source in sources.items()}
    for error in errors:
        if error.get("severity") != "error" or error.get("code") in ARTIFACT_CODES:
            continue
        line = int(error["line"])
        inside = [r for r in ranges.get(str(error["file"]), []) if r[0] <= line <= r[1]]
        if inside:
            by_copy.setdefault((str(error["file"]), inside[-1][2]), []).append(error)
    kept: list[Mapping[str, Any]] = []
    for (file, name), found in by_copy.items():
        if name.endswith(ORIG):
            continue
        orig = {(e["code"], e["message"]) for e in by_copy.get((file, _orig_of(name)), [])}
        kept.extend(e for e in found if (e["code"], e["message"]) not in orig)
    return kept


def _orig_of(name: str) -> str:
    return name.rsplit("__mutmut_", 1)[0] + ORIG


def run(package: str = "showtime_iac") -> list[Mapping[str, Any]]:
    """mypy --strict over `package` in the current directory; the mutants' own errors."""
    done = subprocess.run(  # noqa: S603 (our interpreter, fixed arguments)
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-warn-unused-ignores",
            "--output",
            "json",
            package,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode not in (0, 1):  # 2: mypy itself failed; say so rather than catch nothing
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(done.returncode)
    errors = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    files = {str(e["file"]) for e in errors}
    sources = {f: Path(f).read_text(encoding="utf-8") for f in files if Path(f).is_file()}
    return own_errors(errors, sources)


def main(argv: list[str]) -> int:
    if not argv or argv[-1] != "mypy":
        sys.stderr.write("usage: python .ci/mutmut_mypy.py [PACKAGE] mypy\n")
        return 2
    package = argv[0] if len(argv) > 1 else "showtime_iac"
    for error in run(package):
        sys.stdout.write(json.dumps(error) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
