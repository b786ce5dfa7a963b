"""What `sync --prepare` prints and what the sync after it destroys (issue 29): the `--json`
keys docs/commands/sync.md lists, its seconds to a tenth, and the run's own stack handed to
the driver, never "whichever run prepared it"."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from showtime_iac.adapters.stacks.prepared import PreparedRecord
from showtime_iac.app.prepare import PrepareResult, discard_prepared, prepared_time
from showtime_iac.app.wiring import LazyStacks, Ports
from showtime_iac.core.model import EnvConfig, ShowtimeError
from showtime_iac.core.plan import Plan, StackOp
from showtime_iac.core.prepared import PREPARED_MAX_AGE

__all__: list[str] = []

SHA = "abc1234def5678901234567890abcdef12345678"


def test_the_json_is_the_documented_keys_with_seconds_to_a_tenth() -> None:
    done = PrepareResult(
        1234, "abc1234", "pr-1234-abc1234", True, "start of abc1234", False, ("a b",), 3.4567
    )
    assert done.to_json() == {
        "pr": 1234,
        "sha": "abc1234",
        "stack": "pr-1234-abc1234",
        "prepared": True,
        "dry_run": False,
        "reason": "start of abc1234",
        "resources": ["a b"],
        "seconds": 3.5,
    }
    dry = PrepareResult(7, None, None, False, "nothing", True)
    assert dry.to_json()["seconds"] is None and dry.to_json()["pr"] == 7


class Recorder:
    """The driver's two prepared-stack calls, recorded."""

    def __init__(self, record: PreparedRecord | None = None, fail: str = "") -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.record, self.fail = record, fail

    def prepared(self, pr: int, sha: str) -> Any:
        self.calls.append(("prepared", pr, sha))
        return self.record

    def destroy_prepared(self, pr: int, sha: str, *, run: str | None = None) -> str | None:
        self.calls.append(("destroy_prepared", pr, sha, run))
        if self.fail:
            raise ShowtimeError(self.fail)
        return "kept: prepared by another run"


def test_the_port_hands_the_run_through_to_the_driver() -> None:
    driver = Recorder()
    stacks = LazyStacks(lambda: driver)  # type: ignore[arg-type,return-value]
    assert stacks.destroy_prepared(7, SHA, run="run:42") == "kept: prepared by another run"
    assert driver.calls == [("destroy_prepared", 7, SHA, "run:42")]


def test_no_commit_or_no_run_reads_no_stack() -> None:
    driver = Recorder()
    ports = Ports(github=None, stacks=LazyStacks(lambda: driver), live=None)  # type: ignore[arg-type,return-value]
    assert discard_prepared(ports, 7, "", {"GITHUB_RUN_ID": "42"}) is None
    assert discard_prepared(ports, 7, SHA, {}) is None
    assert driver.calls == []
    assert discard_prepared(ports, 7, SHA, {"GITHUB_RUN_ID": "42"}) is None  # none prepared
    assert driver.calls == [("prepared", 7, SHA)]


def _ports(driver: Recorder) -> Ports:
    return Ports(github=None, stacks=LazyStacks(lambda: driver), live=None)  # type: ignore[arg-type,return-value]


def test_the_stack_this_run_prepared_is_destroyed_as_this_runs() -> None:
    record = PreparedRecord("pr-7-abc1234", None, "run:42")
    driver = Recorder(record)
    said = discard_prepared(_ports(driver), 7, SHA, {"GITHUB_RUN_ID": "42"})
    # the driver checks the run again (a stack re-prepared by another run meanwhile stays)
    assert driver.calls[-1] == ("destroy_prepared", 7, SHA, "run:42")
    assert said == "prepared stack kept: kept: prepared by another run"
    # another run's stack is not even asked for
    other = Recorder(PreparedRecord("pr-7-abc1234", None, "run:41"))
    assert discard_prepared(_ports(other), 7, SHA, {"GITHUB_RUN_ID": "42"}) is None
    assert other.calls == [("prepared", 7, SHA)]


def test_a_failed_destroy_names_the_commit_by_its_seven_characters() -> None:
    driver = Recorder(PreparedRecord("pr-7-abc1234", None, "run:42"), fail="engine exited 255")
    said = discard_prepared(_ports(driver), 7, SHA, {"GITHUB_RUN_ID": "42"})
    assert said == "the stack this run prepared for abc1234 was not destroyed: engine exited 255"


# -- when this run prepared the stack it brings up (sync plans at that moment) ------------------

PREPARED_AT = datetime(2026, 1, 15, 14, 0, tzinfo=UTC)


def _plan(*ops: StackOp) -> Plan:
    return Plan(pr=7, intent="start", stacks=ops)


def _up(**kw: Any) -> StackOp:
    return StackOp("up", "pr-7-abc1234", "abc1234", config=EnvConfig(pr=7, sha=SHA), **kw)


def test_the_time_a_stack_was_prepared_is_its_runs_own() -> None:
    mine = Recorder(PreparedRecord("pr-7-abc1234", PREPARED_AT, "run:42"))
    assert prepared_time(_plan(_up()), _ports(mine), {"GITHUB_RUN_ID": "42"}) == PREPARED_AT
    assert mine.calls == [("prepared", 7, "abc1234")]
    # another run's preparation is not this run's moment, whenever it was
    theirs = Recorder(PreparedRecord("pr-7-abc1234", PREPARED_AT, "run:41"))
    assert prepared_time(_plan(_up()), _ports(theirs), {"GITHUB_RUN_ID": "42"}) is None
    # a record with no time gives none
    undated = Recorder(PreparedRecord("pr-7-abc1234", None, "run:42"))
    assert prepared_time(_plan(_up()), _ports(undated), {"GITHUB_RUN_ID": "42"}) is None


def test_outside_a_workflow_run_no_stack_is_read() -> None:
    """No run id: nothing was prepared by "this run", even a record that names no run."""
    driver = Recorder(PreparedRecord("pr-7-abc1234", PREPARED_AT, None))
    assert prepared_time(_plan(_up()), _ports(driver), {}) is None
    assert driver.calls == []


@pytest.mark.parametrize(
    "ops",
    [
        (_up(reuse_image=True),),  # a reconfigure, a wake: its stack was never prepared
        (_up(when="after_healthy"),),
        (StackOp("destroy", "pr-7-1111111", "1111111"),),
        (),
    ],
)
def test_only_an_up_now_that_builds_its_stack_asks_for_a_prepared_one(
    ops: tuple[StackOp, ...],
) -> None:
    driver = Recorder(PreparedRecord("pr-7-abc1234", PREPARED_AT, "run:42"))
    assert prepared_time(_plan(*ops), _ports(driver), {"GITHUB_RUN_ID": "42"}) is None
    assert driver.calls == []


class Sweepable(Recorder):
    """One prepared-only stack of PR 7, prepared long ago; the driver keeps it (a service
    appeared since the cleanup listed it) or destroys it."""

    def __init__(self, kept: str | None) -> None:
        super().__init__()
        self.kept = kept

    def prepared_stacks(self, names: list[str]) -> dict[str, datetime | None]:
        return {n: PREPARED_AT for n in names}

    def destroy_prepared(self, pr: int, sha: str, *, run: str | None = None) -> str | None:
        self.calls.append(("destroy_prepared", pr, sha, run))
        return self.kept


@pytest.mark.parametrize(
    ("kept", "result"),
    [(None, "destroyed"), ("it serves since", "kept: it serves since")],
)
def test_the_sweeps_row_says_what_the_driver_did(kept: str | None, result: str) -> None:
    from showtime_iac.app.prepare import sweep_prepared
    from showtime_iac.core.model import PrInfo

    driver = Sweepable(kept)
    pr = PrInfo(number=7, state="open", head_sha=SHA, labels=())
    later = PREPARED_AT + PREPARED_MAX_AGE * 2
    names, rows = sweep_prepared(_ports(driver), ["pr-7-abc1234"], [pr], later, dry_run=False)
    assert names == {"pr-7-abc1234"}
    assert [(r["pr"], r["action"], r["result"]) for r in rows] == [(7, "destroy", result)]
    assert driver.calls == [("destroy_prepared", 7, "abc1234", None)]
