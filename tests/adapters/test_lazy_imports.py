"""Importing the AWS adapter and the Pulumi driver loads neither boto3 nor pulumi: every
submodule imports its library inside the functions that call it (``status``, ``list`` and
``--help`` stay fast)."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("boto3", "botocore", "pulumi", "pulumi_aws", "github")


@pytest.mark.parametrize("package", ["showtime_iac.adapters.aws", "showtime_iac.adapters.stacks"])
def test_importing_every_submodule_loads_no_outside_library(package: str) -> None:
    code = (
        "import importlib, pkgutil, sys\n"
        f"pkg = importlib.import_module({package!r})\n"
        "for m in pkgutil.iter_modules(pkg.__path__):\n"
        "    importlib.import_module(f'{pkg.__name__}.{m.name}')\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
