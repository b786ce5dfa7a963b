"""The layout holds: import-linter's layer contracts, and no module or function too big to read.

These run the real `lint-imports` over the real package; a planted violation in a copy of the
package proves the contracts can fail.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.source_ast import parse_source

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "showtime_iac"
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    if not LINT_IMPORTS.exists():
        pytest.fail(f"{LINT_IMPORTS} missing: .venv/bin/uv sync --locked")
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(cwd / "pyproject.toml"), "--no-cache"],
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(cwd)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_layer_contracts_hold() -> None:
    run = _lint_imports(ROOT)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]


@pytest.mark.parametrize(
    ("module", "planted", "contract"),
    [
        ("core/model.py", "import showtime_iac.cli.output", "layers"),
        ("core/planner.py", "import boto3", "use no outside library"),
        ("adapters/aws/__init__.py", "import showtime_iac.adapters.github", "stands alone"),
        ("cli/plan.py", "import pulumi", "only through the adapters"),
        ("cli/plan.py", "import showtime_iac.adapters.stacks", "no adapter, no program"),
        # a lazy import inside a command is an import too (only chains through app are allowed)
        ("cli/stacks.py", "def _f() -> None:\n    import showtime_iac.program", "no adapter"),
    ],
)
def test_a_planted_violation_fails_lint_imports(
    tmp_path: Path, module: str, planted: str, contract: str
) -> None:
    copy = tmp_path / "tree"
    shutil.copytree(PACKAGE, copy / "showtime_iac", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    target = copy / "showtime_iac" / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{planted}\n", encoding="utf-8")
    run = _lint_imports(copy)
    assert run.returncode != 0, run.stdout[-2000:]
    broken = " ".join(run.stdout.split("Broken contracts")[-1].split())  # undo its line wrapping
    assert contract in broken, broken[:2000]


def _product_modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def test_no_product_module_is_over_600_lines() -> None:
    big = {
        str(p.relative_to(ROOT)): n
        for p in _product_modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert big == {}, f"split these by concern (max {MAX_MODULE_LINES} lines): {big}"


def test_no_product_function_is_over_80_lines() -> None:
    long: dict[str, int] = {}
    for p in _product_modules():
        for node in ast.walk(parse_source(p.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                n = (node.end_lineno or node.lineno) - node.lineno + 1
                if n > MAX_FUNCTION_LINES:
                    long[f"{p.relative_to(ROOT)}:{node.lineno} {node.name}"] = n
    assert long == {}, f"split these (max {MAX_FUNCTION_LINES} lines): {long}"
