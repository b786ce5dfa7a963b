"""How many tests need an outside program, by marker: the README's test-command line.

    .venv/bin/python -m pytest --collect-only -q -p no:cacheprovider -p tests.census

prints, after collection, one line per marker of :data:`NEEDS` with the number of tests that
carry it (``census: engine=16``). ``tests/docs/test_readme_census.py`` holds the README's
sentence to these numbers.
"""

from __future__ import annotations

from collections import Counter

import pytest

#: marker -> what the tests need (the README names them in this order)
NEEDS = {
    "engine": "the real Pulumi CLI",
    "superset": "a real Superset",
    "browser": "Chromium",
    "node": "node",
    "registry": "a real OCI registry (crane)",
}


def pytest_collection_finish(session: pytest.Session) -> None:
    counts: Counter[str] = Counter()
    for item in session.items:
        names = {m.name for m in item.iter_markers()}
        counts.update(n for n in NEEDS if n in names)
    for name in NEEDS:
        print(f"census: {name}={counts[name]}")
