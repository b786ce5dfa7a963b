"""The README's test command says what it skips: the counts it gives are the suite's own."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.census import NEEDS
from tests.docs.markers import ROOT

README = ROOT / "README.md"

SENTENCE = re.compile(
    r"(\d+) tests need the real Pulumi CLI, (\d+) a real Superset, (\d+) Chromium, (\d+) node"
    r" and (\d+) a real OCI registry \(crane\)"
)


def test_readme_counts_the_tests_that_need_outside_programs() -> None:
    text = " ".join(README.read_text(encoding="utf-8").split())
    match = SENTENCE.search(text)
    assert match, "README: the line under the test command that says what it skips"
    claimed = dict(zip(NEEDS, map(int, match.groups()), strict=True))
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
         "-p", "tests.census"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    counts = dict(re.findall(r"^census: (\w+)=(\d+)$", done.stdout, re.M))
    actual = {k: int(v) for k, v in counts.items()}
    assert actual == claimed, f"README says {claimed}, the suite has {actual}"
    assert "bash .ci/run" in text[match.end() : match.end() + 300]
