"""``showtime-iac cleanup`` and lifetimes, against the GitHub test server: it warns once, tears
down only when the warning is due, and never after a push or a command since the warning."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from showtime_iac.cli import main
from showtime_iac.core import labels as L
from tests.doubles import FakeLive, FakeStacks, against_server, use_doubles
from tests.github_api_server import GitHubServer, Recorded

SHA = "abc1234" + "f" * 33
S7 = SHA[:7]
STACK = f"pr-1-{S7}"


def env(age: timedelta, *extra: str, ttl: str = "24h") -> list[str]:
    created = L.format_timestamp(datetime.now(UTC) - age)
    return [
        f"🎪 {S7} 🚦 running",
        f"🎪 🎯 {S7}",
        f"🎪 {S7} 📅 {created}",
        f"🎪 {S7} ⌛ {ttl}",
        f"🎪 {S7} 👤 alice",
        *extra,
    ]


def warned(ago: timedelta) -> str:
    return f"🎪 {S7} ⚠️ {L.format_timestamp(datetime.now(UTC) - ago)}"


@pytest.fixture
def repo(
    ghserver: GitHubServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> tuple[GitHubServer, FakeStacks]:
    stacks = FakeStacks()
    stacks.existing.add(STACK)
    against_server(monkeypatch, ghserver.env(), tmp_path)
    use_doubles(monkeypatch, stacks, FakeLive())
    return ghserver, stacks


def cleanup(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    capsys.readouterr()
    rc = main(["cleanup", "--json", "--no-orphans", "--no-prune-labels"])
    out = capsys.readouterr().out
    assert rc == 0, out
    [item] = json.loads(out)["items"]
    return dict(item)


def test_an_idle_environment_is_warned_once_then_torn_down_when_due(
    repo: tuple[GitHubServer, FakeStacks], capsys: pytest.CaptureFixture[str]
) -> None:
    gh, stacks = repo
    gh.add_pr(1, head_sha=SHA, labels=env(timedelta(hours=23)))
    item = cleanup(capsys)
    assert (item["action"], item["result"]) == ("warn", "warned")
    [label] = [n for n in gh.labels_of(1) if "⚠️" in n]
    at = L.parse_timestamp(label.rsplit(" ", 1)[1])
    assert at is not None and at - datetime.now(UTC) > timedelta(hours=1, minutes=58)
    [comment] = [c["body"] for c in gh.comments_of(1) if "expiring" in c["body"]]
    assert "/showtime extend" in comment and "keep-alive" in comment
    # the next run, before the warning's time: nothing new, no second warning
    assert cleanup(capsys)["action"] == "keep"
    assert len([c for c in gh.comments_of(1) if "expiring" in c["body"]]) == 1
    assert stacks.destroyed == []
    # the warning's time has come
    gh.add_pr(1, head_sha=SHA, labels=env(timedelta(hours=26), warned(timedelta(minutes=1))))
    item = cleanup(capsys)
    assert (item["action"], item["result"]) == ("destroy", "destroyed")
    assert stacks.destroyed == [STACK] and not any("🎪" in n for n in gh.labels_of(1))


def test_a_push_between_the_sweep_and_the_teardown_keeps_the_environment(
    repo: tuple[GitHubServer, FakeStacks], capsys: pytest.CaptureFixture[str]
) -> None:
    gh, stacks = repo
    due = env(timedelta(hours=26), warned(timedelta(minutes=1)))
    gh.add_pr(1, head_sha=SHA, labels=due)

    def pushed(_rec: Recorded) -> None:  # the push's run withdrew the warning meanwhile
        gh.add_pr(1, head_sha=SHA, labels=[n for n in due if "⚠️" not in n])

    gh.on("GET", r"/pulls/1$", pushed)
    item = cleanup(capsys)
    # not torn down: warned afresh, with the full notice again
    assert item["action"] == "warn" and "activity" in item["result"]
    assert stacks.destroyed == []
    assert f"🎪 {S7} 🚦 running" in gh.labels_of(1)
    [label] = [n for n in gh.labels_of(1) if "⚠️" in n]
    at = L.parse_timestamp(label.rsplit(" ", 1)[1])
    assert at is not None and at - datetime.now(UTC) > timedelta(hours=1, minutes=58)


def test_the_max_age_ends_a_pinned_environment(
    repo: tuple[GitHubServer, FakeStacks], capsys: pytest.CaptureFixture[str]
) -> None:
    gh, stacks = repo
    gh.add_pr(1, head_sha=SHA, labels=env(timedelta(days=8), ttl="manual"))
    item = cleanup(capsys)
    assert item["action"] == "warn" and "max age" in item["reason"]
    [comment] = [c["body"] for c in gh.comments_of(1) if "expiring" in c["body"]]
    assert "admin" in comment
    gh.add_pr(1, head_sha=SHA, labels=[*gh.labels_of(1)[:-1], warned(timedelta(minutes=1))])
    assert cleanup(capsys)["result"] == "destroyed" and stacks.destroyed == [STACK]
