"""The queue's slots (issue 29): every free slot goes to the next in line, not only the
first; an entry a maintainer 🔒 blocked while it waited is left alone, in line, and the next
one starts; one whose PR was pushed since leaves the line and does not use the slot; the cleanup retires empty load-balancer shards after the routers went."""

from __future__ import annotations

from pathlib import Path

import pytest

from showtime_iac.core import labels as L
from tests.app.test_queue_cleanup import REPOSITORY, cleanup, rows, sha, world
from tests.doubles import FakeStacks
from tests.github_api_server import GitHubServer

__all__ = ["world"]  # the fixture, used by name


def test_two_free_slots_start_the_first_two_in_line(
    world: tuple[GitHubServer, FakeStacks],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    _gh, stacks = world
    monkeypatch.setenv("SHOWTIME_IMAGE_REPOSITORY", REPOSITORY)
    (tmp_path / "showtime.toml").write_text('warn_before = "0s"\nmax_environments = 3\n')
    rc, doc = cleanup(capsys)
    assert rc == 0, doc
    assert rows(doc, "start") == [(3, "start", "started"), (4, "start", "started")]
    assert stacks.ups == [f"pr-3-{sha(3)[:7]}", f"pr-4-{sha(4)[:7]}"]


def test_an_entry_blocked_while_it_waited_keeps_its_place_and_the_next_one_starts(
    world: tuple[GitHubServer, FakeStacks],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gh, stacks = world
    monkeypatch.setenv("SHOWTIME_IMAGE_REPOSITORY", REPOSITORY)
    gh.add_labels(3, L.BLOCKED)  # a maintainer's 🔒 while PR 3 waited: no operation on it
    rc, doc = cleanup(capsys)
    assert rc == 0, doc
    assert rows(doc, "start", "unqueue") == [
        (5, "unqueue", "left the queue"),
        (4, "start", "started"),
    ]
    assert stacks.ups == [f"pr-4-{sha(4)[:7]}"]
    assert f"🎪 {sha(3)[:7]} 🚦 queued" in gh.labels_of(3)  # still in line, untouched


def test_an_entry_whose_head_moved_on_leaves_the_line_and_its_slot_goes_to_the_next(
    world: tuple[GitHubServer, FakeStacks],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gh, stacks = world
    monkeypatch.setenv("SHOWTIME_IMAGE_REPOSITORY", REPOSITORY)
    gh.push(3, sha(33))  # PR 3 was pushed while it waited, and no sync requeued it
    rc, doc = cleanup(capsys)
    assert rc == 0, doc
    [row] = [i for i in doc["items"] if i["pr"] == 3 and i["action"] != "keep"]
    s3, head = sha(3)[:7], sha(33)[:7]
    assert (row["action"], row["stacks"], row["result"]) == ("unqueue", [], "left the queue")
    assert row["reason"] == f"queued {s3} is no longer the PR's head ({head})"
    assert rows(doc, "start") == [(4, "start", "started")]  # the slot was not PR 3's to use
    assert stacks.ups == [f"pr-4-{sha(4)[:7]}"]
    assert not any(n.startswith(f"🎪 {s3}") for n in gh.labels_of(3))


class ShardedStacks(FakeStacks):
    """A stack port that also holds load-balancer shards (the real driver's)."""

    def __init__(self) -> None:
        super().__init__()
        self.retired: list[bool] = []

    def retire_empty_shards(self, *, dry_run: bool) -> tuple[int, ...]:
        self.retired.append(dry_run)
        return (2,)


def test_the_cleanup_retires_empty_shards_after_the_routers(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    ghserver: GitHubServer,
) -> None:
    from tests.doubles import FakeLive, against_server, use_doubles

    stacks = ShardedStacks()
    stacks.routers[77] = "abc1234"
    against_server(monkeypatch, ghserver.env(), tmp_path)
    use_doubles(monkeypatch, stacks, FakeLive())
    rc, doc = cleanup(capsys)
    assert rc == 0, doc
    assert [(i["action"], i["stacks"], i["reason"]) for i in doc["items"]] == [
        ("destroy", ["pr-77-router"], "router stack without an environment"),
        ("remove", ["shared"], "empty load-balancer shard 2"),
    ]
    assert doc["items"][1] == {  # a fleet row, no PR's: every key the report's rows have
        "pr": "-",
        "state": "-",
        "action": "remove",
        "stacks": ["shared"],
        "reason": "empty load-balancer shard 2",
        "result": "removed",
    }
    assert stacks.retired == [False]


def test_a_queued_start_that_fails_is_a_failed_row(
    world: tuple[GitHubServer, FakeStacks],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _gh, stacks = world
    monkeypatch.setenv("SHOWTIME_IMAGE_REPOSITORY", REPOSITORY)
    stacks.fail_up = "ECS CreateService: throttled"
    rc, doc = cleanup(capsys)
    [row] = [i for i in doc["items"] if i["action"] == "start"]
    assert row["pr"] == 3 and row["result"].startswith("failed: ")
    assert "throttled" in row["result"]
    assert rc == 1
