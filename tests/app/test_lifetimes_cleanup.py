"""``showtime-iac cleanup`` and lifetimes, against the GitHub test server: it warns once, tears
down only when the warning is due, and never after a push or a command since the warning; in
HTTPS mode a request the load balancer saw in the last hour resets the idle TTL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from showtime_iac.cli import main
from showtime_iac.core import labels as L
from showtime_iac.core.model import resource_names
from tests.app.lifetimes_support import cleanup_item, show_labels, warned_label
from tests.doubles import FakeLive, FakeStacks, against_server, use_doubles
from tests.github_api_server import GitHubServer, Recorded

SHA = "abc1234" + "f" * 33
S7 = SHA[:7]
STACK = f"pr-1-{S7}"


def env(age: timedelta, *extra: str, ttl: str = "24h") -> list[str]:
    return show_labels(S7, age, *extra, ttl=ttl)


def warned(ago: timedelta) -> str:
    return warned_label(S7, ago)


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
    return cleanup_item(capsys)


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
    assert (item["action"], item["result"]) == ("warn", "warned: activity since the warning")
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


# --------------------------------------------------------------------------- HTTPS mode

SHA2 = "def5678" + "f" * 33
TG1, TG2 = resource_names(1, SHA).target_group, resource_names(2, SHA2).target_group


def add_pr2(gh: GitHubServer, stacks: FakeStacks, labels: list[str]) -> None:
    """PR 2 and its stack; ``labels`` written for SHA (PR 1's), moved to SHA2."""
    gh.add_pr(2, head_sha=SHA2, labels=[n.replace(S7, SHA2[:7]) for n in labels])
    stacks.existing.add(f"pr-2-{SHA2[:7]}")


@pytest.fixture
def https(
    ghserver: GitHubServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> tuple[GitHubServer, FakeStacks, FakeLive]:
    stacks, live = FakeStacks(domain="preview.example.org"), FakeLive()
    stacks.existing.add(STACK)
    against_server(monkeypatch, ghserver.env(), tmp_path)
    monkeypatch.setenv("SHOWTIME_DOMAIN", "preview.example.org")
    use_doubles(monkeypatch, stacks, live)
    return ghserver, stacks, live


def run_cleanup(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    capsys.readouterr()
    rc = main(["cleanup", "--json", "--no-orphans", "--no-prune-labels", *args])
    out, err = capsys.readouterr()
    assert rc == 0, out + err
    doc: dict[str, Any] = json.loads(out)
    doc["by_pr"] = {i["pr"]: i for i in doc["items"]}
    return doc


def test_https_a_request_in_the_last_hour_keeps_an_idle_environment_unwarned(
    https: tuple[GitHubServer, FakeStacks, FakeLive], capsys: pytest.CaptureFixture[str]
) -> None:
    gh, stacks, live = https
    gh.add_pr(1, head_sha=SHA, labels=env(timedelta(hours=25)))  # idle past its 24h
    add_pr2(gh, stacks, env(timedelta(hours=25)))  # the same, nobody uses it
    live.requests[TG1] = datetime.now(UTC) - timedelta(minutes=10)
    doc = run_cleanup(capsys)
    used, idle = doc["by_pr"][1], doc["by_pr"][2]
    assert (used["action"], used["result"]) == ("keep", "planned")
    assert "last request" in used["reason"] and used["reason"].startswith("not expired: idle")
    assert not any("⚠️" in n for n in gh.labels_of(1))
    assert not [c for c in gh.comments_of(1) if "expiring" in c["body"]]
    assert (idle["action"], idle["result"]) == ("warn", "warned")
    assert any("⚠️" in n for n in gh.labels_of(2))
    assert sorted(live.request_reads) == [TG1, TG2] and stacks.destroyed == []
    assert "warnings" not in doc


def test_https_a_request_after_the_warning_withdraws_it_instead_of_the_teardown(
    https: tuple[GitHubServer, FakeStacks, FakeLive], capsys: pytest.CaptureFixture[str]
) -> None:
    gh, stacks, live = https
    gh.add_pr(1, head_sha=SHA, labels=env(timedelta(hours=27), warned(timedelta(minutes=5))))
    add_pr2(gh, stacks, env(timedelta(hours=27), warned(timedelta(minutes=5))))
    live.requests[TG1] = datetime.now(UTC) - timedelta(minutes=30)
    doc = run_cleanup(capsys)
    kept = doc["by_pr"][1]
    assert kept["action"] == "warn" and "warning withdrawn" in kept["reason"]
    assert "last request" in kept["reason"]
    assert not any("⚠️" in n for n in gh.labels_of(1)) and f"🎪 {S7} 🚦 running" in gh.labels_of(1)
    assert doc["by_pr"][2]["result"] == "destroyed"
    assert stacks.destroyed == [f"pr-2-{SHA2[:7]}"]


def test_https_a_request_between_the_sweep_and_the_teardown_keeps_the_environment(
    https: tuple[GitHubServer, FakeStacks, FakeLive], capsys: pytest.CaptureFixture[str]
) -> None:
    gh, stacks, live = https
    gh.add_pr(1, head_sha=SHA, labels=env(timedelta(hours=27), warned(timedelta(minutes=5))))

    def used(_rec: Recorded) -> None:  # the re-check before the teardown sees it
        live.requests[TG1] = datetime.now(UTC)

    gh.on("GET", r"/pulls/1$", used)
    item = run_cleanup(capsys)["by_pr"][1]
    # planned as a teardown (no request yet), re-checked: the warning is withdrawn instead
    assert item["action"] == "warn" and "activity" in item["result"]
    assert stacks.destroyed == [] and live.request_reads == [TG1, TG1]
    assert not any("⚠️" in n for n in gh.labels_of(1)) and f"🎪 {S7} 🚦 running" in gh.labels_of(1)


def test_https_a_failed_read_is_a_warning_and_no_signal(
    https: tuple[GitHubServer, FakeStacks, FakeLive], capsys: pytest.CaptureFixture[str]
) -> None:
    gh, stacks, live = https
    gh.add_pr(1, head_sha=SHA, labels=env(timedelta(hours=25)))
    live.requests[TG1] = datetime.now(UTC)
    live.requests_error = (
        "requests of sti-pr-1-abc1234 not read (GetMetricData failed: AccessDenied)"
    )
    doc = run_cleanup(capsys)
    assert doc["warnings"] == [f"PR #1: {live.requests_error}"]
    assert doc["by_pr"][1]["result"] == "warned"  # treated as idle: the notice still comes
    assert stacks.destroyed == []


def test_https_reads_only_where_a_request_could_change_the_decision_and_dry_runs_write_nothing(
    https: tuple[GitHubServer, FakeStacks, FakeLive], capsys: pytest.CaptureFixture[str]
) -> None:
    gh, stacks, live = https
    gh.add_pr(1, head_sha=SHA, labels=env(timedelta(hours=25)))
    add_pr2(gh, stacks, env(timedelta(hours=25), ttl="manual"))  # pinned: no idle TTL
    sha3 = "0123456" + "f" * 33  # deployed 2 hours ago: kept whatever the requests
    gh.add_pr(3, head_sha=sha3, labels=[n.replace(S7, sha3[:7]) for n in env(timedelta(hours=2))])
    stacks.existing.add(f"pr-3-{sha3[:7]}")
    live.requests[TG1] = datetime.now(UTC) - timedelta(minutes=2)
    gh.reset_log()
    doc = run_cleanup(capsys, "--dry-run")
    assert live.request_reads == [TG1]
    assert doc["by_pr"][3]["action"] == doc["by_pr"][2]["action"] == "keep"
    assert doc["by_pr"][1]["action"] == "keep" and "last request" in doc["by_pr"][1]["reason"]
    assert {r.method for r in gh.requests} == {"GET"}


def test_public_ip_mode_has_no_request_signal(
    https: tuple[GitHubServer, FakeStacks, FakeLive],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gh, _, live = https
    monkeypatch.delenv("SHOWTIME_DOMAIN")  # no load balancer
    gh.add_pr(1, head_sha=SHA, labels=env(timedelta(hours=25)))
    live.requests[TG1] = datetime.now(UTC)
    assert run_cleanup(capsys)["by_pr"][1]["result"] == "warned"
    assert live.request_reads == []
