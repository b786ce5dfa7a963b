"""Every environment belongs to the repository of the run that deploys it. The labels never
name a repository, so on any fleet but apache/superset's a stack declared from them alone
would be tagged ``showtime:repo=apache/superset`` (``pulumi stack ls --tag`` would not find
it) and its asleep page would link another repository's PR. A start by ``sync``, a sleep and a
wake by the cleanup, and a start from the queue each deploy an environment of the run's own
repository, and route the PR's host for it. The real CLI over PyGithub against a GitHub test
server of ``acme/widgets``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from showtime_iac.core import labels as L
from showtime_iac.core.model import stack_name
from tests.app.test_queue_cleanup import ago, cleanup, queued, rows, running, sha
from tests.app.test_sleep_contracts import TG as SLEEP_TG
from tests.app.test_sleep_contracts import due
from tests.app.test_sleep_wake import PR as SLEEP_PR
from tests.app.test_sleep_wake import S7, STACK, world
from tests.app.test_sync import PR, SHA7, Scenario
from tests.doubles import FakeLive, FakeStacks, against_server, use_doubles
from tests.github_api_server import BOT, GitHubServer
from tests.payloads import HEAD, pull_request

__all__ = ["world"]  # the sleep tests' fixture, over this module's server

REPO = "acme/widgets"
DOMAIN = "preview.example.org"
REGISTRY = "123456789012.dkr.ecr.us-west-2.amazonaws.com/superset-ci"
TG = (
    "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/"
    f"sti-{stack_name(PR, SHA7)}/0123456789abcdef"
)


@pytest.fixture
def ghserver() -> Iterator[GitHubServer]:
    """The GitHub test server of another repository than apache/superset."""
    server = GitHubServer(repo=REPO)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_a_start_deploys_and_routes_an_environment_of_the_runs_repository(run: Scenario) -> None:
    run.stacks.domain = DOMAIN
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    rc, doc, _err = run.sync(pull_request("labeled", [L.START], label=L.START))
    assert rc == 0, doc
    [cfg] = run.stacks.configs
    assert cfg.repo == REPO
    assert run.stacks.tags[stack_name(PR, SHA7)]["showtime:repo"] == REPO
    assert run.stacks.route_calls == [(PR, SHA7, TG, REPO, False)]


def test_a_sleep_routes_to_an_asleep_page_of_the_runs_repository(
    world: tuple[GitHubServer, FakeStacks, FakeLive, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    gh, stacks, _live, _tmp = world
    stacks.domain, stacks.routers[SLEEP_PR] = DOMAIN, S7
    due(gh)
    rc, doc = cleanup(capsys)
    assert rc == 0, doc
    assert [i["action"] for i in doc["items"]] == ["sleep"]
    [cfg] = stacks.configs
    assert (cfg.stack, cfg.repo, cfg.sleeping) == (STACK, REPO, True)
    assert stacks.route_calls == [(SLEEP_PR, S7, SLEEP_TG, REPO, True)]


def test_the_queue_starts_an_environment_of_the_runs_repository(
    ghserver: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    stacks = FakeStacks()
    ghserver.add_pr(1, head_sha=sha(1), labels=running(1, timedelta(days=3)))  # expired
    stacks.existing.add(stack_name(1, sha(1)))
    ghserver.add_pr(3, head_sha=sha(3), labels=queued(3, ago(hours=2)), labels_by=BOT)
    against_server(monkeypatch, ghserver.env(), tmp_path)
    (tmp_path / "showtime.toml").write_text('warn_before = "0s"\nmax_environments = 1\n')
    monkeypatch.setenv("SHOWTIME_IMAGE_REPOSITORY", REGISTRY)
    use_doubles(monkeypatch, stacks, FakeLive())
    rc, doc = cleanup(capsys)
    assert rc == 0, doc
    assert rows(doc, "start") == [(3, "start", "started")]
    [cfg] = stacks.configs
    assert (cfg.pr, cfg.repo) == (3, REPO)
    assert stacks.tags[stack_name(3, sha(3))]["showtime:repo"] == REPO


def test_cleanup_repo_names_the_fleet_and_its_ports_run_under_the_policy_file(
    ghserver: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``cleanup --repo acme/widgets --policy FILE`` where ``$GITHUB_REPOSITORY`` names another
    repository: the run reads and writes acme/widgets (its closed PR's stack goes), and the
    stacks and live ports are opened for that repository under that policy (the stale-lock
    age the stacks driver recovers locks by)."""
    stacks = FakeStacks()
    opened: list[tuple[str | None, Any]] = []
    ghserver.add_pr(1, head_sha=sha(1), labels=running(1, timedelta(hours=1)), state="closed")
    stacks.existing.add(stack_name(1, sha(1)))
    against_server(monkeypatch, ghserver.env(), tmp_path)
    monkeypatch.setenv("GITHUB_REPOSITORY", "apache/superset")
    policy = tmp_path / "fleet.toml"
    policy.write_text('stale_lock = "5m"\n')
    use_doubles(monkeypatch, stacks, FakeLive(), opened=opened)
    rc, doc = cleanup(capsys, "--repo", REPO, "--policy", str(policy))
    assert rc == 0, doc
    assert rows(doc, "destroy") == [(1, "destroy", "destroyed")]
    assert stacks.destroyed == [stack_name(1, sha(1))]
    assert not any(n.startswith("🎪") for n in ghserver.labels_of(1))
    [(repo, used)] = opened
    assert repo == REPO and used.stale_lock == timedelta(minutes=5)


def test_sync_repo_and_policy_flags_decide_over_the_environment(
    ghserver: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``sync --repo acme/widgets --policy FILE`` where ``$GITHUB_REPOSITORY`` and the
    working directory's ``showtime.toml`` say otherwise: the run reads and writes acme/widgets,
    and decides, deploys and comments under FILE (its TTL; its idle action in the comment)."""
    import json

    from showtime_iac.cli import main
    from showtime_iac.core.comment import MARKER

    stacks = FakeStacks()
    opened: list[tuple[str | None, Any]] = []
    ghserver.collaborators.update({"maintainer": "write"})
    ghserver.add_pr(PR, head_sha=HEAD, labels=[L.START])
    against_server(monkeypatch, ghserver.env(), tmp_path)
    for var in ("GITHUB_EVENT_PATH", "GITHUB_EVENT_NAME", "GITHUB_RUN_ID", "SHOWTIME_IMAGE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("GITHUB_REPOSITORY", "apache/superset")
    (tmp_path / "showtime.toml").write_text('default_ttl = "48h"\n', encoding="utf-8")
    policy = tmp_path / "fleet.toml"
    policy.write_text('default_ttl = "3h"\nidle_action = "sleep"\n', encoding="utf-8")
    use_doubles(monkeypatch, stacks, FakeLive(), opened=opened)
    event = tmp_path / "event.json"
    event.write_text(json.dumps(pull_request("labeled", [L.START], label=L.START)))
    capsys.readouterr()
    args = ["sync", str(PR), "--json", "--event", str(event), "--event-name", "pull_request"]
    rc = main([*args, "--repo", REPO, "--policy", str(policy)])
    out = capsys.readouterr().out
    assert rc == 0, out
    [cfg] = stacks.configs
    assert (cfg.repo, str(cfg.ttl)) == (REPO, "3h")
    assert f"🎪 {SHA7} ⌛ idle 3h" in " ".join(ghserver.labels_of(PR))
    [sticky] = [c["body"] for c in ghserver.comments_of(PR) if MARKER in c["body"]]
    assert "Sleeps at " in sticky
    [(repo, used)] = opened
    assert repo == REPO and str(used.default_ttl) == "3h"
