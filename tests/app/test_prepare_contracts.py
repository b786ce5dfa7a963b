"""What `sync --prepare` prints and what the sync after it destroys (issue 29): the `--json`
keys docs/commands/sync.md lists, its seconds to a tenth, and the run's own stack handed to
the driver, never "whichever run prepared it"."""

from __future__ import annotations

from typing import Any

from showtime_iac.app.prepare import PrepareResult, discard_prepared
from showtime_iac.app.wiring import LazyStacks, Ports

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

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def prepared(self, pr: int, sha: str) -> Any:
        self.calls.append(("prepared", pr, sha))
        return None

    def destroy_prepared(self, pr: int, sha: str, *, run: str | None = None) -> str | None:
        self.calls.append(("destroy_prepared", pr, sha, run))
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
