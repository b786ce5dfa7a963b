"""The ``plan --json`` contract's ``intent`` values: the docs list exactly the planner's, and
the workflow builds an image for exactly the intents the docs say need one."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

from showtime_iac.core.plan import Intent

ROOT = Path(__file__).resolve().parents[2]


def _documented() -> tuple[set[str], str]:
    text = (ROOT / "docs/commands/plan.md").read_text(encoding="utf-8")
    m = re.search(r"`intent` is one of (.+?);", text, re.DOTALL)
    assert m is not None, "docs/commands/plan.md lists the intents"
    return set(re.findall(r"`([a-z]+)`", m.group(1))), text


def test_the_docs_list_every_intent_of_the_planner() -> None:
    documented, _ = _documented()
    assert documented == set(get_args(Intent))


def test_the_workflow_builds_only_for_the_intents_that_need_an_image() -> None:
    workflow = (ROOT / ".github/workflows/showtime.yml").read_text(encoding="utf-8")
    m = re.search(r"needs_image=\$\(jq -r '(.+?)' plan\.json", workflow, re.DOTALL)
    assert m is not None
    built = set(re.findall(r'\.intent == "([a-z]+)"', m.group(1)))
    _, text = _documented()
    said = re.search(r"only (.+?) need an image", text, re.DOTALL)
    assert said is not None
    # a queued start is built when it is asked for: the cleanup starts it later, never building
    expected = {"start", "update", "queue"}
    assert built == set(re.findall(r"`([a-z]+)`", said.group(1))) == expected
