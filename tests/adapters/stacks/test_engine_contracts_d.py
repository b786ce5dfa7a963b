"""The real engine's import and lock age (issue 29): a deployment imported is the stack's
state (``pulumi stack export`` reads it back), and a ``file://`` backend's lock file tells
how long the lock has been held; another backend tells nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from showtime_iac.adapters.stacks.engine import AutomationEngine
from tests.adapters.stacks.engine_program import program
from tests.adapters.stacks.engine_support import World, requires_engine

pytestmark = [pytest.mark.engine, requires_engine]

STACK = "pr-1234-abc1234"


def test_an_imported_deployment_is_the_stack_s_state(world: World) -> None:
    engine = world.driver().engine
    engine.create(STACK)
    deployment = engine.export(STACK)
    assert deployment["version"] == 3 and "resources" not in deployment["deployment"]
    resource = {
        "urn": f"urn:pulumi:{STACK}::showtime-iac::pulumi:pulumi:Stack::showtime-iac-{STACK}",
        "custom": False,
        "type": "pulumi:pulumi:Stack",
    }
    deployment["deployment"]["resources"] = [resource]
    engine.import_(STACK, deployment)
    assert engine.export(STACK)["deployment"]["resources"] == [resource]
    assert [(r["name"], r["resourceCount"]) for r in world.stack_ls()] == [(STACK, 1)]


def test_a_file_backend_s_lock_file_tells_its_age_other_backends_nothing(world: World) -> None:
    engine = world.driver().engine
    assert engine.lock_age(STACK) is None  # no lock
    state = world.backend.removeprefix("file://")
    locks = f"{state}/.pulumi/locks/organization/showtime-iac/{STACK}"
    taken = datetime.now(UTC) - timedelta(hours=2)
    Path(locks).mkdir(parents=True)
    Path(locks, "f3a1.json").write_text(
        '{"pid": 1, "username": "runner", "hostname": "gone", '
        f'"timestamp": "{taken.strftime("%Y-%m-%dT%H:%M:%S.%fZ")}"}}'
    )
    age = engine.lock_age(STACK)
    assert age is not None and timedelta(hours=2) <= age < timedelta(hours=2, minutes=1)
    assert engine.lock_age("pr-1-0000000") is None
    s3 = AutomationEngine(world.project, "s3://state-bucket", world.env, program=program)
    assert s3.lock_age(STACK) is None
