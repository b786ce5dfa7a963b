"""``idle_action = "sleep"`` end to end: the real CLI (``cleanup``, ``sync``) over PyGithub against
the GitHub test server, with the stacks behind their protocol (``tests/doubles.py``).

The story of one environment: idle → warned ("put to sleep") → asleep (its own stack brought
up with ``sleeping``, the image it ran kept, 🎯 and the URL kept, nothing destroyed) → left
alone while asleep → woken by a writer (same image, healthy before 🚦 running, 📅 afresh) →
not woken by a reader → a push rolls it forward → the max age destroys a sleeping one.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from showtime_iac.cli import main
from showtime_iac.core import labels as L
from tests.app.lifetimes_support import cleanup_item, show_labels, warned_label
from tests.doubles import FakeLive, FakeStacks, against_server, use_doubles
from tests.github_api_server import GitHubServer
from tests.payloads import HEAD, issue_comment, pull_request

PR = 1234
S7 = HEAD[:7]
STACK = f"pr-{PR}-{S7}"
IMAGE = f"123456789012.dkr.ecr.us-west-2.amazonaws.com/superset-ci:sti-{STACK}"
NEW = "2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"


def show(status: str, age: timedelta, *extra: str, max_at: datetime | None = None) -> list[str]:
    ttl = "24h" if max_at is None else f"idle 24h · max {L.format_timestamp(max_at)}"
    return show_labels(S7, age, f"🎪 {S7} 🌐 10.0.0.9:8080", *extra, status=status, ttl=ttl)


def warned(ago: timedelta) -> str:
    return warned_label(S7, ago)


@pytest.fixture
def world(
    ghserver: GitHubServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> tuple[GitHubServer, FakeStacks, FakeLive, Path]:
    stacks, live = FakeStacks(), FakeLive()
    stacks.existing.add(STACK)
    stacks.images[STACK] = (IMAGE, S7)
    against_server(monkeypatch, ghserver.env(), tmp_path)
    for var in ("GITHUB_EVENT_PATH", "GITHUB_EVENT_NAME", "GITHUB_RUN_ID", "SHOWTIME_IMAGE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    (tmp_path / "showtime.toml").write_text('idle_action = "sleep"\n', encoding="utf-8")
    ghserver.collaborators.update({"maintainer": "write", "contributor": "read"})
    use_doubles(monkeypatch, stacks, live)
    return ghserver, stacks, live, tmp_path


def cleanup(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    return cleanup_item(capsys)


def sync(
    tmp: Path, capsys: pytest.CaptureFixture[str], payload: dict[str, Any], name: str
) -> tuple[int, dict[str, Any]]:
    path = tmp / "event.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    capsys.readouterr()
    rc = main(["sync", str(PR), "--json", "--event", str(path), "--event-name", name])
    return rc, json.loads(capsys.readouterr().out)


def sticky(gh: GitHubServer) -> str:
    [body] = [c["body"] for c in gh.comments_of(PR) if "showtime-iac:status" in c["body"]]
    return str(body)


def test_an_idle_environment_sleeps_through_its_stack_and_keeps_everything(
    world: tuple[GitHubServer, FakeStacks, FakeLive, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    gh, stacks, _live, _tmp = world
    gh.add_pr(PR, head_sha=HEAD, labels=show("running", timedelta(hours=23)))
    item = cleanup(capsys)
    assert (item["action"], item["result"]) == ("warn", "warned")
    [notice] = [c["body"] for c in gh.comments_of(PR) if "expiring" in c["body"]]
    assert "put to sleep" in notice and "torn down" not in notice
    # the warning's time has come
    gh.add_pr(
        PR, head_sha=HEAD, labels=show("running", timedelta(hours=26), warned(timedelta(minutes=1)))
    )
    item = cleanup(capsys)
    assert (item["action"], item["result"]) == ("sleep", "asleep")
    [cfg] = stacks.configs
    # the stack itself scales the service to zero, on the image it already ran
    assert (cfg.stack, cfg.sleeping, cfg.image, cfg.image_sha) == (STACK, True, IMAGE, S7)
    assert stacks.destroyed == [] and STACK in stacks.existing
    labels = gh.labels_of(PR)
    assert f"🎪 {S7} 🚦 sleeping" in labels and f"🎪 🎯 {S7}" in labels
    assert f"🎪 {S7} 🌐 10.0.0.9:8080" in labels
    assert not [n for n in labels if "⚠️" in n or "running" in n]
    assert "/showtime wake" in sticky(gh) and "asleep" in sticky(gh)
    # asleep: the idle TTL is spent, nothing more happens until its max age
    item = cleanup(capsys)
    assert item["action"] == "keep" and "max age" in item["reason"]
    assert len(stacks.configs) == 1 and stacks.destroyed == []


def test_a_writer_wakes_it_on_its_own_image_and_a_reader_cannot(
    world: tuple[GitHubServer, FakeStacks, FakeLive, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    gh, stacks, live, tmp = world
    asleep = show("sleeping", timedelta(hours=30))
    gh.add_pr(PR, head_sha=HEAD, labels=asleep)
    by_reader = issue_comment("/showtime wake", asleep, association="CONTRIBUTOR")
    by_reader["comment"]["user"]["login"] = by_reader["sender"]["login"] = "contributor"
    rc, doc = sync(tmp, capsys, by_reader, "issue_comment")
    assert rc == 0 and doc["plan"]["intent"] == "reply" and stacks.configs == []
    assert f"🎪 {S7} 🚦 sleeping" in gh.labels_of(PR)

    rc, doc = sync(tmp, capsys, issue_comment("/showtime wake", asleep), "issue_comment")
    assert rc == 0 and doc["plan"]["intent"] == "wake", doc
    [cfg] = stacks.configs
    assert (cfg.stack, cfg.sleeping, cfg.image, cfg.image_sha) == (STACK, False, IMAGE, S7)
    assert live.urls, "a wake is healthy before it says running"
    labels = gh.labels_of(PR)
    assert f"🎪 {S7} 🚦 running" in labels and f"🎪 🎯 {S7}" in labels
    [created] = [n for n in labels if "📅" in n]
    when = L.parse_timestamp(created.rsplit(" ", 1)[1])
    assert when is not None and datetime.now(UTC) - when < timedelta(minutes=5)  # idle TTL afresh
    assert stacks.destroyed == []


def test_a_push_rolls_a_sleeping_environment_forward(
    world: tuple[GitHubServer, FakeStacks, FakeLive, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    gh, stacks, _live, tmp = world
    asleep = show("sleeping", timedelta(hours=30))
    gh.add_pr(PR, head_sha=NEW, labels=asleep)
    new_image = f"123456789012.dkr.ecr.us-west-2.amazonaws.com/superset-ci:sti-pr-{PR}-2222222"
    payload = pull_request("synchronize", asleep, sha=NEW)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SHOWTIME_IMAGE", new_image)
        mp.setenv("SHOWTIME_IMAGE_SHA", NEW)
        rc, doc = sync(tmp, capsys, payload, "pull_request")
    assert rc == 0 and doc["plan"]["intent"] == "update", doc
    [cfg] = stacks.configs
    assert (cfg.stack, cfg.sleeping) == (f"pr-{PR}-2222222", False)
    assert stacks.destroyed == [STACK]  # the sleeping one goes once the new one is healthy
    assert "🎪 🎯 2222222" in gh.labels_of(PR)


def test_the_max_age_destroys_a_sleeping_environment(
    world: tuple[GitHubServer, FakeStacks, FakeLive, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    gh, stacks, _live, _tmp = world
    past = datetime.now(UTC) - timedelta(minutes=5)
    gh.add_pr(PR, head_sha=HEAD, labels=show("sleeping", timedelta(days=2), max_at=past))
    item = cleanup(capsys)
    assert item["action"] == "warn" and "max age" in item["reason"]
    [notice] = [c["body"] for c in gh.comments_of(PR) if "expiring" in c["body"]]
    assert "torn down" in notice
    labels = [*gh.labels_of(PR)]
    gh.add_pr(
        PR,
        head_sha=HEAD,
        labels=[*(n for n in labels if "⚠️" not in n), warned(timedelta(minutes=1))],
    )
    item = cleanup(capsys)
    assert (item["action"], item["result"]) == ("destroy", "destroyed")
    assert stacks.destroyed == [STACK] and stacks.configs == []


def test_a_failed_sleep_changes_no_label_and_is_retried(
    world: tuple[GitHubServer, FakeStacks, FakeLive, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    gh, stacks, _live, _tmp = world
    due = show("running", timedelta(hours=26), warned(timedelta(minutes=1)))
    gh.add_pr(PR, head_sha=HEAD, labels=due)
    stacks.fail_up = "ECS UpdateService: throttled"
    capsys.readouterr()
    rc = main(["cleanup", "--json", "--no-orphans", "--no-prune-labels"])
    [item] = json.loads(capsys.readouterr().out)["items"]
    assert rc == 1 and item["result"].startswith("failed") and "throttled" in item["result"]
    assert sorted(gh.labels_of(PR)) == sorted(due)  # still running and warned: retried next time
    stacks.fail_up = None
    assert cleanup(capsys)["result"] == "asleep"


def test_https_mode_the_prs_host_shows_the_asleep_page_until_the_wake_is_healthy(
    world: tuple[GitHubServer, FakeStacks, FakeLive, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    gh, stacks, live, tmp = world
    stacks.domain, stacks.routers[PR] = "preview.example.org", S7
    gh.add_pr(
        PR, head_sha=HEAD, labels=show("running", timedelta(hours=26), warned(timedelta(minutes=1)))
    )
    assert cleanup(capsys)["result"] == "asleep"
    assert stacks.events == [f"up {STACK}", f"route {PR} {S7} asleep"]
    rc, doc = sync(tmp, capsys, issue_comment("/showtime wake", gh.labels_of(PR)), "issue_comment")
    assert rc == 0 and doc["plan"]["intent"] == "wake"
    # the host forwards to the environment again only once its target group is healthy
    assert stacks.events[2:] == [f"up {STACK}", f"route {PR} {S7}"]
    assert live.target_groups and f"🎪 {S7} 🚦 running" in gh.labels_of(PR)


def test_https_a_request_after_the_warning_keeps_it_awake(
    world: tuple[GitHubServer, FakeStacks, FakeLive, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from showtime_iac.core.model import resource_names

    gh, stacks, live, _tmp = world
    monkeypatch.setenv("SHOWTIME_DOMAIN", "preview.example.org")
    due = show("running", timedelta(hours=26), warned(timedelta(minutes=1)))
    gh.add_pr(PR, head_sha=HEAD, labels=due)
    live.requests[resource_names(PR, HEAD).target_group] = datetime.now(UTC) - timedelta(minutes=9)
    item = cleanup(capsys)
    assert item["action"] == "warn" and "warning withdrawn" in item["reason"]
    assert stacks.configs == [] and f"🎪 {S7} 🚦 running" in gh.labels_of(PR)
    assert not [n for n in gh.labels_of(PR) if "⚠️" in n]
