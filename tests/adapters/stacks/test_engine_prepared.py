"""Prepared stacks on the real Pulumi engine (``file://`` backend, the test program of dynamic
resources): a prepare creates only what needs no image, the full ``up`` of the same stack only
adds (the engine's own summary says so), and ``destroy_prepared`` destroys a stack only while
it is prepared-only, never one that serves, never one another run holds.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from showtime_iac.core.prepared import PREPARED_AT_TAG, PREPARED_BY_TAG
from tests.adapters.stacks.engine_program import ENV_CREATE_SLEEP
from tests.adapters.stacks.engine_support import (
    SHA,
    World,
    cfg,
    requires_engine,
    running,
    wait_for,
)

pytestmark = [pytest.mark.engine, requires_engine]

STACK = "pr-1234-abc1234"
SERVICE = f"{STACK}-service.json"
LOGS = f"showtime_{STACK}.json"
IMAGE = "registry.test/superset-ci:sti-pr-1234-abc1234"
CREATED = datetime(2026, 1, 15, 14, 30, 5, tzinfo=UTC)


def _summary(lines: list[str]) -> dict[str, int]:
    """The engine's ``Resources:`` summary of an update: ``{"created": 1, "unchanged": 2}``."""
    text = "\n".join(lines)
    tail = text[text.rindex("Resources:") :]
    out = {}
    pattern = r"^\s+(?:[+~-] )?(\d+) (created|updated|deleted|replaced|unchanged)"
    for m in re.finditer(pattern, tail, re.M):
        out[m.group(2)] = int(m.group(1))
    return out


def test_prepare_then_the_full_up_only_creates_what_runs(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    full = cfg(image=IMAGE, image_sha=SHA, created=CREATED)
    prepared = replace(full, image=None, image_sha=None, prepared=True)
    lines: list[str] = []
    d = world.driver(on_output=lines.append)
    t0 = time.perf_counter()
    outputs = d.prepare(prepared, "run:77")
    t_prepare = time.perf_counter() - t0
    assert outputs == {"logGroup": f"/showtime/{STACK}", "prepared": True}
    assert set(world.objects()) == {LOGS}  # nothing that runs
    assert _summary(lines) == {"created": 2}  # the stack and its log group
    tags = world.tags(STACK)
    assert tags[PREPARED_BY_TAG] == "run:77" and tags[PREPARED_AT_TAG] == "2026-01-15T14:30:05Z"
    record = d.prepared(1234, SHA)
    assert record is not None and (record.created, record.run) == (CREATED, "run:77")
    assert d.prepared_stacks([STACK, "pr-1-0000000"]) == {STACK: CREATED.replace(second=5)}

    # a second prepare (another run, a re-run) leaves the stack as it is
    lines.clear()
    assert d.prepare(prepared, "run:78") is None
    assert lines == [] and world.tags(STACK)[PREPARED_BY_TAG] == "run:77"

    t0 = time.perf_counter()
    outputs = d.up(full)
    t_rest = time.perf_counter() - t0
    assert _summary(lines) == {"created": 1, "unchanged": 2}, "\n".join(lines)
    assert outputs["serviceName"] == f"{STACK}-service"
    assert set(world.objects()) == {LOGS, SERVICE}
    assert world.objects()[SERVICE]["image"] == IMAGE
    # the full stack: its config says so, the prepare's tags are gone, no drift
    assert d.engine.get_config(STACK)["showtime-iac:prepared"] == "false"
    assert not {PREPARED_AT_TAG, PREPARED_BY_TAG} & set(world.tags(STACK))
    assert d.prepared(1234, SHA) is None and d.prepared_stacks([STACK]) == {}
    assert d.drift(1234, SHA).lines() == []
    with capsys.disabled():
        print(f"\n[engine] prepare {t_prepare:.1f} s, then the full up {t_rest:.1f} s")


def test_destroy_prepared_destroys_only_a_prepared_only_stack_of_that_run(world: World) -> None:
    d = world.driver()
    prepared = cfg(created=CREATED, prepared=True)
    d.prepare(prepared, "run:77")
    assert d.destroy_prepared(1234, SHA, run="run:78") is not None  # another run's: kept
    assert set(world.objects()) == {LOGS}
    assert d.destroy_prepared(1234, SHA, run="run:77") is None
    assert world.stack_ls() == [] and world.objects() == {}


def test_a_stack_that_serves_is_never_destroyed_as_prepared(world: World) -> None:
    """Taken to full, the stack is kept; even when its config is made to say prepared again
    (by hand, or a bug), its outputs and state name a service: kept."""
    d = world.driver()
    d.prepare(cfg(created=CREATED, prepared=True), "run:77")
    d.up(cfg(image=IMAGE, image_sha=SHA, created=CREATED))
    why = d.destroy_prepared(1234, SHA)
    assert why is not None and "not a prepared-only stack" in why
    world.pulumi("config", "set", "showtime-iac:prepared", "true", "--stack", STACK)
    why = d.destroy_prepared(1234, SHA)
    assert why is not None and "service" in why, why
    assert set(world.objects()) == {LOGS, SERVICE}


def test_a_prepared_stack_another_run_holds_is_kept_at_once(world: World) -> None:
    """A run holds the stack's lock (here: its prepare, mid-create): the destroy neither
    waits for it (that run may be taking the stack to full) nor touches it."""
    d = world.driver()
    # a prepare in another process that sleeps inside the log group's create
    script = (
        "from showtime_iac.adapters import stacks as S\n"
        "from tests.adapters.stacks.engine_program import program\n"
        "from tests.adapters.stacks.engine_support import cfg\n"
        "from datetime import datetime, UTC\n"
        "d = S.open_driver(program=program, base={'aws:region': 'us-west-2'})\n"
        "d.prepare(cfg(created=datetime(2026, 1, 15, 14, 30, 5, tzinfo=UTC), prepared=True),"
        " 'run:77')\n"
    )
    other = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=world.root,
        env=world.child_env({ENV_CREATE_SLEEP: "60"}),
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    with running(other):
        wait_for("the other run's create", lambda: any(world.cloud.glob("*.creating")))
        t0 = time.perf_counter()
        why = d.destroy_prepared(1234, SHA, run="run:77")
        waited = time.perf_counter() - t0
        assert why is not None and "locked by another run" in why, why
        assert waited < 20, waited
        assert LOGS in world.objects()
