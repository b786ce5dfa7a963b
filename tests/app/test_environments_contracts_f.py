"""``up_request``: the environment an ``up`` asks for, from its options and the environment
variables it is given: the repository (``$GITHUB_REPOSITORY``, default apache/superset), the
commit a given image was built from (the ``--sha``), the requester (``--requester``, else
``$GITHUB_ACTOR``, else ``unknown``) (issue 29)."""

from __future__ import annotations

from pathlib import Path

import pytest

from showtime_iac.app.environments import up_request

SHA = "ABC1234def5678abc1234def5678abc1234def56"
LOWER = SHA.lower()


@pytest.fixture(autouse=True)
def _no_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no ./showtime.toml


def _fields(*args: object) -> tuple[object, ...]:
    req = up_request(*args)  # type: ignore[arg-type]
    c = req.cfg
    return (c.pr, c.sha, c.repo, c.image, c.image_sha, c.ttl.value, c.requester)


def test_an_up_in_a_workflow_takes_its_repository_and_actor() -> None:
    env = {"GITHUB_REPOSITORY": "acme/superset-fork", "GITHUB_ACTOR": "octocat"}
    assert _fields(7, None, SHA, "ghcr.io/acme/superset:latest", None, None, env) == (
        7,
        LOWER,
        "acme/superset-fork",
        "ghcr.io/acme/superset:latest",
        LOWER,
        "24h",
        "octocat",
    )
    assert _fields(7, None, SHA, None, "48h", "alice", env) == (
        7,
        LOWER,
        "acme/superset-fork",
        None,
        None,
        "48h",
        "alice",
    )


def test_an_up_outside_a_workflow_defaults_to_apache_superset_and_unknown() -> None:
    assert _fields(7, None, SHA, None, None, None, {}) == (
        7,
        LOWER,
        "apache/superset",
        None,
        None,
        "24h",
        "unknown",
    )
