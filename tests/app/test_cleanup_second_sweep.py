"""HTTPS mode: when a request the load balancer saw moves one PR's idle TTL, the cleanup decides
the whole fleet again (issue 29), and that second decision keeps everything the first one
honoured: the policy file, the guarded labels no writer added (disregarded), and the stacks'
record (it decides over the labels). What the run writes follows the policy (the warning says
the environment will sleep) and links the run (the torn-down one's status comment). The real CLI over PyGithub against the GitHub test
server; the stacks and the load balancer behind their ports (``tests/doubles.py``).

A fleet of five, each PR pinning one input of that second decision:

- PR 1: idle past its TTL, a request 10 minutes ago: kept (this is what makes the fleet
  decided again);
- PR 2: 10 minutes left: warned, and its comment says it will be *put to sleep* (the policy's
  ``idle_action``) and links the run;
- PR 3: 90 minutes left: kept, as the policy warns only 30 minutes ahead (the default, 2 h,
  would warn);
- PR 4: past its max age, warned a minute ago, with a 🔒 a triage user added: torn down (an
  unverified 🔒 is disregarded);
- PR 1234: its labels replaced by a triage user's ``🎪 🎯 deadbee``: kept, and its labels put
  back from the stack's record.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from showtime_iac.cli import main
from showtime_iac.core import labels as L
from showtime_iac.core.model import resource_names
from tests.app.lifetimes_support import show_labels, warned_label
from tests.app.test_record_attacks import (
    PR,
    TRIAGER,
    forge,
    real_labels,
    recorded,
)
from tests.app.test_record_attacks import STACK as RECORDED
from tests.doubles import FakeLive, FakeStacks, against_server, use_doubles
from tests.github_api_server import GitHubServer
from tests.payloads import HEAD

DOMAIN = "preview.example.org"
RUN = "https://github.example/apache/superset/actions/runs/4242"


def sha(n: int) -> str:
    return f"{n:07x}" + "d" * 33


def labels(n: int, age: timedelta, *extra: str, ttl: str = "24h") -> list[str]:
    return show_labels(sha(n)[:7], age, *extra, ttl=ttl)


@pytest.fixture
def fleet(
    ghserver: GitHubServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> tuple[GitHubServer, FakeStacks, FakeLive]:
    stacks, live = FakeStacks(domain=DOMAIN), FakeLive()
    against_server(monkeypatch, ghserver.env(), tmp_path)
    monkeypatch.setenv("SHOWTIME_DOMAIN", DOMAIN)
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.example")
    monkeypatch.setenv("GITHUB_RUN_ID", "4242")
    (tmp_path / "showtime.toml").write_text(
        'idle_action = "sleep"\nwarn_before = "30m"\n', encoding="utf-8"
    )
    use_doubles(monkeypatch, stacks, live)
    ghserver.collaborators.update({TRIAGER: "triage", "alice": "write"})
    hours = {1: 25.0, 2: 23 + 50 / 60, 3: 22.5}
    for n, age in hours.items():
        ghserver.add_pr(n, head_sha=sha(n), labels=labels(n, timedelta(hours=age)))
    live.requests[resource_names(1, sha(1)).target_group] = datetime.now(UTC) - timedelta(
        minutes=10
    )
    past_max = labels(4, timedelta(days=8), warned_label(sha(4)[:7], timedelta(minutes=1)))
    ghserver.add_pr(4, head_sha=sha(4), labels=[*past_max[:3], *past_max[4:]])
    ghserver.add_labels(4, f"🎪 {sha(4)[:7]} ⌛ manual")
    ghserver.add_labels(4, L.BLOCKED, by=TRIAGER)
    stacks.existing |= {f"pr-{n}-{sha(n)[:7]}" for n in hours.keys() | {4}}
    # PR 1234's environment as a real run left it: its stack's record, then a triage user's edit
    recorded(stacks)
    ghserver.add_pr(PR, head_sha=HEAD, labels=real_labels())
    forge(ghserver, real_labels(), ["🎪 🎯 deadbee"])
    return ghserver, stacks, live


def run(capsys: pytest.CaptureFixture[str]) -> dict[int, dict[str, Any]]:
    capsys.readouterr()
    rc = main(["cleanup", "--json", "--no-orphans", "--no-prune-labels"])
    out, err = capsys.readouterr()
    assert rc == 0, out + err
    return {i["pr"]: i for i in json.loads(out)["items"]}


def test_the_fleet_decided_again_after_a_request_keeps_every_input(
    fleet: tuple[GitHubServer, FakeStacks, FakeLive], capsys: pytest.CaptureFixture[str]
) -> None:
    gh, stacks, _live = fleet
    rows = run(capsys)
    assert (rows[1]["action"], rows[1]["result"]) == ("keep", "planned")
    assert "last request" in rows[1]["reason"]
    # the policy file: warned 30 minutes ahead, not 2 hours
    assert (rows[2]["action"], rows[2]["result"]) == ("warn", "warned")
    assert (rows[3]["action"], rows[3]["result"]) == ("keep", "planned")
    assert not any("⚠️" in n for n in gh.labels_of(3))
    # the unverified 🔒 is disregarded: the max age ends PR 4
    assert (rows[4]["action"], rows[4]["result"]) == ("destroy", "destroyed")
    assert f"pr-4-{sha(4)[:7]}" in stacks.destroyed
    # the record decides PR 1234: kept, its labels put back
    assert rows[PR]["action"] == "repair" and RECORDED not in stacks.destroyed
    assert sorted(gh.labels_of(PR)) == sorted(real_labels())
    assert stacks.destroyed == [f"pr-4-{sha(4)[:7]}"]


def test_the_warning_says_what_the_policy_does_and_the_teardown_links_the_run(
    fleet: tuple[GitHubServer, FakeStacks, FakeLive], capsys: pytest.CaptureFixture[str]
) -> None:
    gh, _stacks, _live = fleet
    run(capsys)
    [warning] = [c["body"] for c in gh.comments_of(2)]
    assert f"`{sha(2)[:7]}` will be put to sleep (scaled to zero: the URL stays) at" in warning
    [status] = [c["body"] for c in gh.comments_of(4)]
    assert "No preview environment." in status and f"[Workflow run]({RUN})" in status
