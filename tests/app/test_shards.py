"""The cleanup's hook: an empty load-balancer shard is removed (a row per shard), a failure is
a row, and a stacks port that knows no shards is left alone."""

from __future__ import annotations

from showtime_iac.adapters import stacks as S
from showtime_iac.app.shards import retire_empty_shards
from showtime_iac.core.shards import PRIORITY_TAG, SHARD_TAG
from tests.adapters.stacks.support import ENV, NOW
from tests.doubles import FakeEngine

HTTPS = {"showtime-iac:sharedStack": "shared", "showtime-iac:domain": "preview.example.org"}


def _driver(e: FakeEngine) -> S.PulumiDriver:
    return S.PulumiDriver(e, env=ENV, base_config=HTTPS, sleep=lambda _s: None, clock=lambda: NOW)


def test_the_cleanup_lists_then_removes_an_empty_shard() -> None:
    e = FakeEngine()
    e.add("shared")
    e.stacks["shared"]["config"]["showtime-iac:loadBalancerShards"] = "[0, 1, 2]"
    e.add("pr-5-abc1234", {SHARD_TAG: "2", PRIORITY_TAG: "8"})
    d = _driver(e)
    dry = retire_empty_shards(d, dry_run=True)
    assert [(r["reason"], r["result"]) for r in dry] == [("empty load-balancer shard 1", "planned")]
    assert ("up", "shared") not in e.calls
    done = retire_empty_shards(d, dry_run=False)
    assert [r["result"] for r in done] == ["removed"]
    assert e.stacks["shared"]["config"]["showtime-iac:loadBalancerShards"][0] == "[0, 2]"
    assert retire_empty_shards(d, dry_run=False) == []  # nothing left to remove


def test_a_failure_is_a_row_and_a_port_without_shards_is_left_alone() -> None:
    e = FakeEngine()  # no shared stack
    e.add("pr-5-abc1234", {SHARD_TAG: "1", PRIORITY_TAG: "5"})
    (row,) = retire_empty_shards(_driver(e), dry_run=False)
    failed = row.pop("result")
    assert failed.startswith("failed: ") and "no shared stack" in failed
    assert row == {  # the whole row: the report's keys, what failed and why it was tried
        "pr": "-",
        "state": "-",
        "action": "remove",
        "stacks": ["shared"],
        "reason": "empty load-balancer shards",
    }
    assert retire_empty_shards(object(), dry_run=False) == []
