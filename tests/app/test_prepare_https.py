"""`sync --prepare --dry-run` in HTTPS mode (issue 29): the resources it lists are the HTTPS
stack's (target group, host rule, the tasks' security group), from the offline render of the
deployment's own domain, not the public-IP default."""

from __future__ import annotations

import pytest

from showtime_iac.core import labels as L
from tests.adapters.stacks.engine_support import World, requires_engine
from tests.app.test_prepare import START, _run, world
from tests.github_api_server import GitHubServer
from tests.payloads import HEAD

__all__ = ["world"]  # the fixture, used by name

pytestmark = [pytest.mark.engine, requires_engine]
PR = 1234


def test_a_dry_run_in_https_mode_lists_the_https_stacks_resources(
    world: tuple[World, GitHubServer],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    w, gh = world
    monkeypatch.setenv("SHOWTIME_DOMAIN", "preview.example.org")
    gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    rc, doc, err = _run(w.root, capsys, "sync", str(PR), "--prepare", "--dry-run", payload=START)
    assert rc == 0, err
    types = {r.split()[0] for r in doc["resources"]}
    assert {
        "aws:lb/targetGroup:TargetGroup",
        "aws:lb/listenerRule:ListenerRule",
        "aws:ec2/securityGroup:SecurityGroup",
    } <= types
