"""``ast.parse`` for the tests that read the product's source."""

from __future__ import annotations

import ast


def parse_source(text: str) -> ast.Module:
    """``ast.parse``, once more after CPython 3.11's spurious "AST constructor recursion depth
    mismatch" SystemError: 3.11.7 (this machine's) counts the parser's depth per interpreter,
    so a module another thread imports at the same moment can upset it (seen in full runs, in
    test_mutation_equivalents.py and test_architecture.py)."""
    for _ in range(2):
        try:
            return ast.parse(text)
        except SystemError as exc:
            if "recursion depth mismatch" not in str(exc):
                raise
    return ast.parse(text)
