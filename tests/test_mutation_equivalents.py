"""tests/mutation_equivalents.txt names real functions, each survivor once, each with a reason.

A line there excuses a surviving mutant from the mutation score. A line whose function was
renamed or removed would keep excusing nothing while it looks like coverage, and a line
without a reason is a survivor nobody looked at: both fail here.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.source_ast import parse_source

ROOT = Path(__file__).resolve().parents[1]
FILE = ROOT / "tests" / "mutation_equivalents.txt"
#: mutmut 3's names: module, then `x_<function>` or `xǁ<Class>ǁ<method>`, then the number
NAME = re.compile(
    r"^showtime_iac\.(?P<module>[a-z_.]+)\."
    r"x(?:_(?P<function>[A-Za-z0-9_]+?)|ǁ(?P<cls>[A-Za-z0-9_]+)ǁ(?P<method>[A-Za-z0-9_]+?))"
    r"__mutmut_(?P<n>[1-9][0-9]*)$"
)


def _entries() -> list[tuple[int, str, str]]:
    out = []
    for number, line in enumerate(FILE.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        name, sep, reason = line.partition("  # ")
        assert sep, f"line {number}: `<mutant name>  # <reason>` expected: {line!r}"
        out.append((number, name.strip(), reason.strip()))
    return out


def _defined(module: str) -> set[str]:
    """`function` and `Class.method` names defined in a module of the package."""
    path = ROOT / "showtime_iac" / Path(*module.split("."))
    source = path.with_suffix(".py")
    if not source.is_file():  # a package's own code: pkg/__init__.py
        source = path / "__init__.py"
    assert source.is_file(), f"no module showtime_iac/{module.replace('.', '/')}.py"
    tree = parse_source(source.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    names.add(f"{node.name}.{item.name}")
    return names


def test_every_line_names_a_mutant_of_an_existing_function_with_a_reason() -> None:
    entries = _entries()
    assert len(entries) >= 90  # the file is read, not skipped
    defined: dict[str, set[str]] = {}
    for number, name, reason in entries:
        m = NAME.match(name)
        assert m, f"line {number}: not a mutmut mutant name: {name!r}"
        assert len(reason) >= 8, f"line {number}: say why {name} is equivalent"
        module = m["module"]
        names = defined.setdefault(module, _defined(module))
        wanted = m["function"] or f"{m['cls']}.{m['method']}"
        assert wanted in names, f"line {number}: {module} defines no {wanted} (renamed?)"


def test_no_survivor_is_listed_twice() -> None:
    names = [name for _, name, _ in _entries()]
    assert len(names) == len(set(names)), sorted({n for n in names if names.count(n) > 1})
