"""The fleet's queue (core/queue, docs/lifecycle.md): the contracts the mutation run (issue 29)
found no test pinning down. Each test was checked by making the change and watching it fail.

Pure: open PRs' labels in, the queue and the fleet out, expected values written out.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from showtime_iac.core import labels as L
from showtime_iac.core.model import PrInfo
from showtime_iac.core.queue import (
    Queued,
    entry_of,
    fleet_of,
    ordinal,
    queue_of,
    queued_show,
    waiting_line,
)

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def pr(number: int, *labels: str) -> PrInfo:
    return PrInfo(number, "open", "f" * 40, tuple(labels), "author")


def queued(sha: str, stamp: str | None = "2026-12-01T09-00", who: str = "alice") -> list[str]:
    out = [f"🎪 {sha} 🚦 queued", f"🎪 {sha} 👤 {who}"]
    return [*out, f"🎪 {sha} 📅 {stamp}"] if stamp else out


def test_of_several_queued_shas_the_earliest_asked_is_the_prs() -> None:
    st = L.parse_state(
        [
            *queued("bbbbbbb", "2026-12-01T08-00"),
            *queued("aaaaaaa", "2026-12-01T09-00"),
            *queued("ccccccc", None),
        ]
    )
    show = queued_show(st)
    assert show is not None and show.sha == "bbbbbbb"
    # the same minute: the SHA decides; no date: last
    st = L.parse_state([*queued("ddddddd"), *queued("aaaaaaa"), *queued("ccccccc", None)])
    show = queued_show(st)
    assert show is not None and show.sha == "aaaaaaa"
    undated = queued_show(L.parse_state([*queued("ddddddd", None), *queued("aaaaaaa", None)]))
    assert undated is not None and undated.sha == "aaaaaaa"


def test_an_entry_says_who_asked() -> None:
    assert entry_of(pr(7, *queued("aaaaaaa", who="bob"))) == Queued(T0, 7, "aaaaaaa", "bob")


def test_a_pr_read_twice_keeps_its_earliest_entry() -> None:
    early = pr(7, *queued("aaaaaaa", "2026-12-01T08-00"))
    late = pr(7, *queued("aaaaaaa", "2026-12-01T09-00"))
    first = Queued(datetime(2026, 12, 1, 8, 0, tzinfo=UTC), 7, "aaaaaaa", "alice")
    assert queue_of([late, early]) == (first,)
    assert queue_of([early, late]) == (first,)
    same = pr(7, *queued("aaaaaaa", "2026-12-01T08-00", who="carol"))
    assert queue_of([early, same])[0].requester == "alice"  # the first read of equals stays


def test_an_equal_entry_of_another_pr_is_not_ahead() -> None:
    me = Queued(T0, 7, "aaaaaaa")
    assert waiting_line([Queued(T0, 7, "aaaaaaa"), Queued(T0, 8, "bbbbbbb")], me) == 1
    assert waiting_line([Queued(T0, 6, "bbbbbbb")], me) == 2


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (9, "9th"), (10, "10th"), (11, "11th"),
        (12, "12th"), (13, "13th"), (20, "20th"), (21, "21st"), (22, "22nd"), (101, "101st"),
        (110, "110th"), (111, "111th"), (120, "120th"), (121, "121st"),
    ],
)  # fmt: skip
def test_ordinals(n: int, text: str) -> None:
    assert ordinal(n) == text


def test_the_fleet_counts_each_pr_once_under_its_serving_environments_requester() -> None:
    prs = [
        pr(
            1,
            "🎪 🎯 aaaaaaa",
            "🎪 aaaaaaa 🚦 running",
            "🎪 aaaaaaa 👤 Alice",
            "🎪 bbbbbbb 🚦 building",
            "🎪 bbbbbbb 👤 bob",
        ),
        pr(
            2,
            "🎪 🏗️ ccccccc",
            "🎪 ccccccc 🚦 building",
            "🎪 ccccccc 👤 alice",
            "🎪 ddddddd 🚦 failed",
            "🎪 ddddddd 👤 dan",
        ),
        pr(3, *queued("eeeeeee", who="erin")),  # queued: no environment
        pr(4, "🎪 fffffff 🚦 failed", "🎪 fffffff 👤 fay"),  # no pointer: its first
        PrInfo(5, "closed", "f" * 40, ("🎪 1111111 🚦 running", "🎪 1111111 👤 zed"), "a"),
        pr(6, "bug"),
        pr(8, "🎪 🎯 2222222", "🎪 2222222 🚦 running"),  # nobody's
    ]
    fleet = fleet_of(prs)
    assert fleet.total == 4
    assert fleet.by_requester == (("alice", 2), ("fay", 1))
    assert fleet.queue == (Queued(T0, 3, "eeeeeee", "erin"),)


def test_the_fleet_counts_the_serving_environment_not_the_first_listed() -> None:
    prs = [
        pr(1, "🎪 🎯 bbbbbbb", "🎪 bbbbbbb 🚦 running", "🎪 bbbbbbb 👤 bob",
           "🎪 aaaaaaa 🚦 failed", "🎪 aaaaaaa 👤 alice"),
        # a pointer at a queued request (labels can say anything): not an environment
        pr(2, "🎪 🎯 ccccccc", *queued("ccccccc", who="erin"), "🎪 ddddddd 🚦 failed",
           "🎪 ddddddd 👤 dan"),
    ]  # fmt: skip
    assert fleet_of(prs).by_requester == (("bob", 1), ("dan", 1))
