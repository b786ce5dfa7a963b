"""The stacks are the record, the labels its view (issue 26, items 1 and 2): each attack of the
issue's security review, run through the real CLI (``cleanup``, ``sync``) over PyGithub against
the GitHub test server, with the stacks behind their port (``tests/doubles.py``, whose record
is the tags the driver writes). A triage user edits the 🎪 state labels; the next run decides
from the record and puts the labels back, naming who changed them.

Each test fails when the record is not read (``RecordView`` returning the labels as they are,
``sweep`` without ``records``): checked by removing it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from showtime_iac.cli import main
from showtime_iac.core import labels as L
from showtime_iac.core.model import EnvConfig, ShowtimeError, Ttl
from showtime_iac.core.record import healthy_tags
from tests.app.lifetimes_support import cleanup_item
from tests.doubles import FakeLive, FakeStacks, against_server, use_doubles
from tests.github_api_server import GitHubServer
from tests.payloads import HEAD, issue_comment, pull_request

PR = 1234
S7 = HEAD[:7]
STACK = f"pr-{PR}-{S7}"
IMAGE = f"123456789012.dkr.ecr.us-west-2.amazonaws.com/superset-ci:sti-{STACK}"
NEW = "2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
TRIAGER = "triager"
ADDRESS = "10.0.0.9:8080"


def minute(when: datetime) -> datetime:
    return when.replace(second=0, microsecond=0)


CREATED = minute(datetime.now(UTC) - timedelta(hours=2))
MAX_AT = CREATED + timedelta(days=7)


def real_labels(*, created: datetime = CREATED, warned: datetime | None = None) -> list[str]:
    """What the tool wrote when the environment became healthy."""
    out = [
        f"🎪 {S7} 🚦 running",
        f"🎪 🎯 {S7}",
        f"🎪 {S7} 📅 {L.format_timestamp(created)}",
        f"🎪 {S7} ⌛ idle 24h · max {L.format_timestamp(MAX_AT)}",
        f"🎪 {S7} 👤 alice",
        f"🎪 {S7} 🌐 {ADDRESS}",
    ]
    if warned is not None:
        out.append(f"🎪 {S7} ⚠️ {L.format_timestamp(warned)}")
    return out


class Stacks(FakeStacks):
    """The stacks, with a tag write that can fail."""

    fail_retag: bool = False

    def retag(self, stack: str, tags: Any) -> None:
        if self.fail_retag:
            raise ShowtimeError(f"{stack}: the backend refused the tag write")
        super().retag(stack, tags)


@pytest.fixture
def world(
    ghserver: GitHubServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> tuple[GitHubServer, Stacks, Path]:
    stacks, live = Stacks(), FakeLive()
    recorded(stacks)
    stacks.configs.clear()
    stacks.events.clear()
    against_server(monkeypatch, ghserver.env(), tmp_path)
    for var in ("GITHUB_EVENT_PATH", "GITHUB_EVENT_NAME", "GITHUB_RUN_ID", "SHOWTIME_IMAGE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    ghserver.collaborators.update({"maintainer": "write", TRIAGER: "triage", "alice": "write"})
    use_doubles(monkeypatch, stacks, live)
    return ghserver, stacks, tmp_path


def recorded(stacks: FakeStacks) -> None:
    """PR 1234's environment as a real run left it: its stack's record, written by its ``up``
    and its health check."""
    cfg = EnvConfig(
        pr=PR,
        sha=HEAD,
        image=IMAGE,
        image_sha=HEAD,
        ttl=Ttl("24h"),
        requester="alice",
        created=CREATED,
        max_age_at=MAX_AT,
    )
    stacks.up(cfg)
    stacks.retag(STACK, healthy_tags(ADDRESS))
    stacks.ups.clear()


def forge(gh: GitHubServer, remove: list[str], add: list[str]) -> None:
    """A triage user's edit of the PR's labels in the web UI."""
    gh.remove_labels(PR, *remove, by=TRIAGER)
    gh.add_labels(PR, *add, by=TRIAGER)


def sync(
    tmp: Path, capsys: pytest.CaptureFixture[str], payload: dict[str, Any], name: str
) -> tuple[int, dict[str, Any]]:
    path = tmp / "event.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    capsys.readouterr()
    rc = main(["sync", str(PR), "--json", "--event", str(path), "--event-name", name])
    out = capsys.readouterr().out
    return rc, json.loads(out)


def test_a_forged_pointer_with_the_real_labels_stripped_destroys_nothing(
    world: tuple[GitHubServer, Stacks, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """The review: remove the labels naming the running SHA, add ``🎪 🎯 deadbee``: the next
    cleanup destroyed the stack as a stray. Now it is the record's environment: kept, and its
    labels put back."""
    gh, stacks, _tmp = world
    gh.add_pr(PR, head_sha=HEAD, labels=real_labels())
    forge(gh, real_labels(), ["🎪 🎯 deadbee"])
    item = cleanup_item(capsys)
    assert stacks.destroyed == [] and STACK in stacks.existing
    assert item["action"] == "repair", item
    assert item["result"] == "put the labels back from the stacks' record", item
    assert sorted(gh.labels_of(PR)) == sorted(real_labels())


def test_a_forged_creation_date_neither_warns_nor_destroys(
    world: tuple[GitHubServer, Stacks, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """``🎪 <sha> 📅 2020-01-01T00-00`` and a max age in the past: the cleanup warned, then
    destroyed for "max age reached". The record's dates decide."""
    gh, stacks, _tmp = world
    gh.add_pr(PR, head_sha=HEAD, labels=real_labels())
    ttl = f"🎪 {S7} ⌛ idle 24h · max {L.format_timestamp(MAX_AT)}"
    old = f"🎪 {S7} 📅 {L.format_timestamp(CREATED)}"
    forge(
        gh,
        [ttl, old],
        [f"🎪 {S7} 📅 2020-01-01T00-00", f"🎪 {S7} ⌛ idle 24h · max 2020-01-08T00-00"],
    )
    item = cleanup_item(capsys)
    assert item["action"] == "repair", item
    assert stacks.destroyed == []
    assert not [c for c in gh.comments_of(PR) if "expiring" in c["body"]]
    assert sorted(gh.labels_of(PR)) == sorted(real_labels())


@pytest.mark.parametrize(
    "forged",
    [f"🎪 {S7} ⌛ pinned · max never", f"🎪 {S7} ⚙️ large,debug"],
    ids=["pinned-forever", "configuration"],
)
def test_a_forged_lifetime_or_configuration_is_not_carried_into_the_next_stack(
    world: tuple[GitHubServer, Stacks, Path], capsys: pytest.CaptureFixture[str], forged: str
) -> None:
    """A triage user swaps ⌛ for ``pinned · max never`` or adds ⚙️; a writer's next push
    carried it into the new stack. The new stack gets the record's lifetime and config."""
    gh, stacks, tmp = world
    gh.add_pr(PR, head_sha=NEW, labels=real_labels())
    ttl = f"🎪 {S7} ⌛ idle 24h · max {L.format_timestamp(MAX_AT)}"
    forge(gh, [ttl] if "⌛" in forged else [], [forged])
    rc, doc = sync(
        tmp, capsys, pull_request("synchronize", gh.labels_of(PR), sha=NEW), "pull_request"
    )
    assert rc == 0, doc
    [cfg] = stacks.configs
    assert cfg.sha == NEW[:7]
    assert (cfg.size, cfg.debug) == ("medium", False)
    assert cfg.ttl == Ttl("24h") and cfg.max_age_at == MAX_AT and not cfg.max_lifted
    assert any(
        r.startswith("labels put back from the stacks' record") for r in doc["plan"]["reasons"]
    )


def test_the_repair_names_who_changed_the_labels(
    world: tuple[GitHubServer, Stacks, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Any run puts the record's labels back, with one audit line naming the person."""
    gh, stacks, tmp = world
    gh.add_pr(PR, head_sha=HEAD, labels=real_labels())
    forge(gh, [f"🎪 {S7} 👤 alice"], [f"🎪 {S7} 👤 {TRIAGER}", "🎪 cafe123 🚦 running"])
    rc, doc = sync(
        tmp, capsys, pull_request("labeled", gh.labels_of(PR), label="bug"), "pull_request"
    )
    assert rc == 0, doc
    assert sorted(gh.labels_of(PR)) == sorted(real_labels())
    [line] = [a for a in doc["audit"] if a["action"] == "label-repair"]
    assert f"@{TRIAGER}" in line["reason"]
    assert stacks.ups == [] and stacks.destroyed == []


def test_a_fork_authors_pushes_do_not_withdraw_the_expiry_warning(
    world: tuple[GitHubServer, Stacks, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """A fork author pushing every few hours withdrew the cleanup's warning each time (a fork's
    push deploys nothing): the environment lived forever. The warning stays."""
    gh, _stacks, tmp = world
    warned = minute(datetime.now(UTC) + timedelta(hours=1))
    gh.add_pr(PR, head_sha=NEW, labels=real_labels(warned=warned), fork=True)
    payload = pull_request("synchronize", gh.labels_of(PR), sha=NEW, fork=True, sender="author")
    rc, doc = sync(tmp, capsys, payload, "pull_request_target")
    assert rc == 0, doc
    assert f"🎪 {S7} ⚠️ {L.format_timestamp(warned)}" in gh.labels_of(PR)


def test_an_extend_is_recorded_before_its_labels_and_not_at_all_when_the_record_fails(
    world: tuple[GitHubServer, Stacks, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    gh, stacks, tmp = world
    gh.add_pr(PR, head_sha=HEAD, labels=real_labels())
    before = sorted(gh.labels_of(PR))
    stacks.fail_retag = True
    rc, doc = sync(tmp, capsys, issue_comment("/showtime extend 48h", before), "issue_comment")
    assert rc == 1, doc
    assert sorted(gh.labels_of(PR)) == before  # the labels never say what the record does not
    assert "could not record" in doc["outcome"]["error"]
    stacks.fail_retag = False
    rc, doc = sync(tmp, capsys, issue_comment("/showtime extend 48h", before), "issue_comment")
    assert rc == 0, doc
    tags = stacks.tags[STACK]
    assert tags["showtime:ttl"] != "24h" and tags["showtime:lifetime-by"] == "maintainer"
    # the labels show the recorded TTL, and the next run finds nothing to put back
    assert f"🎪 {S7} ⌛ idle {tags['showtime:ttl']} · max {L.format_timestamp(MAX_AT)}" in (
        gh.labels_of(PR)
    )
    rc, doc = sync(
        tmp, capsys, issue_comment("/showtime status", gh.labels_of(PR)), "issue_comment"
    )
    assert rc == 0 and not [a for a in doc["audit"] if a["action"] == "label-repair"]


def test_a_forged_address_is_neither_shown_by_status_nor_kept(
    world: tuple[GitHubServer, Stacks, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """``🎪 <sha> 🌐 pr-1234.elsewhere.example`` pointed ``/showtime status`` at another host.
    The reply shows the address the stack recorded, and the label is put back."""
    gh, _stacks, tmp = world
    gh.add_pr(PR, head_sha=HEAD, labels=real_labels())
    forged = "pr-1234.elsewhere.example"
    forge(gh, [f"🎪 {S7} 🌐 {ADDRESS}"], [f"🎪 {S7} 🌐 {forged}"])
    payload = issue_comment("/showtime status", gh.labels_of(PR), association="NONE")
    rc, doc = sync(tmp, capsys, payload, "issue_comment")
    assert rc == 0, doc
    [reply] = [
        c["body"] for c in gh.comments_of(PR) if "elsewhere" in c["body"] or ADDRESS in c["body"]
    ]
    assert ADDRESS in reply and forged not in reply
    assert sorted(gh.labels_of(PR)) == sorted(real_labels())
