"""Real-shaped GitHub webhook payloads for tests, built from the stored fixtures.

The files under ``tests/fixtures/events/`` are shaped exactly as GitHub sends them; these
helpers copy one and change only what a test is about (action, labels, head SHA, state).
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures" / "events"
HEAD = "abc1234def5678901234567890abcdef12345678"


@cache
def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return data


def _label(name: str, i: int) -> dict[str, Any]:
    return {
        "id": 9000 + i,
        "node_id": f"LA_{9000 + i}",
        "url": f"https://api.github.com/repos/apache/superset/labels/{name}",
        "name": name,
        "color": "ededed",
        "default": False,
        "description": None,
    }


def pull_request(
    action: str,
    labels: list[str],
    *,
    sha: str = HEAD,
    state: str = "open",
    label: str | None = None,
    sender: str = "maintainer",
    merged: bool = False,
    fork: bool = False,
    body: str | None = None,
) -> dict[str, Any]:
    """A ``pull_request`` payload (labeled, unlabeled, synchronize, closed, reopened...).

    The stored fixture is a PR from a fork; ``fork=False`` makes it a same-repo branch.
    """
    p = copy.deepcopy(_load("pull_request.labeled"))
    p["action"] = action
    p["sender"]["login"] = sender
    pr = p["pull_request"]
    pr["labels"] = [_label(n, i) for i, n in enumerate(labels)]
    pr["head"]["sha"] = sha
    pr["state"] = state
    pr["merged"] = merged
    if not fork:
        pr["head"]["repo"] = copy.deepcopy(pr["base"]["repo"])
    if body is not None:
        pr["body"] = body
    if label is None:
        p.pop("label", None)
    else:
        p["label"] = _label(label, 99)
    return p


def issue_comment(body: str, labels: list[str], *, association: str = "MEMBER") -> dict[str, Any]:
    p = copy.deepcopy(_load("issue_comment.created"))
    p["comment"]["body"] = body
    p["comment"]["author_association"] = association
    p["issue"]["labels"] = [_label(n, i) for i, n in enumerate(labels)]
    return p


def workflow_dispatch(**inputs: str) -> dict[str, Any]:
    p = copy.deepcopy(_load("workflow_dispatch"))
    p["inputs"] = dict(inputs)
    return p
