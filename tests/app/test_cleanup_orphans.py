"""``cleanup``'s orphan sweep, wired (issue 27): ``orphans: N`` and the list, human and
``--json``; the owners are the stacks listed *after* the resources (a stack this run destroyed
owns nothing any more); a dry run deletes nothing. The AWS side is tested on moto
(tests/adapters/aws/test_orphan_kinds.py); here the doubles stand in for it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from showtime_iac.cli import main
from showtime_iac.core.orphans import TaggedResource
from tests.doubles import FakeLive, FakeStacks, against_server, use_doubles
from tests.github_api_server import GitHubServer

SHA1 = "aaaaaaa" + "1" * 33
SHA2 = "bbbbbbb" + "2" * 33
OLD = datetime.now(UTC) - timedelta(days=2)


def tags(pr: int, sha: str, **more: str) -> dict[str, str]:
    return {"showtime:pr": str(pr), "showtime:sha": sha[:7], **more}


@dataclass
class OrderedStacks(FakeStacks):
    def list_stacks(self) -> list[str]:
        self.events.append("list_stacks")
        return super().list_stacks()

    def list_routers(self) -> list[int]:
        self.events.append("list_routers")
        return super().list_routers()


@dataclass
class OrderedLive(FakeLive):
    stacks: OrderedStacks | None = None

    def list_tagged(self) -> list[TaggedResource]:
        assert self.stacks is not None
        self.stacks.events.append("list_tagged")
        return super().list_tagged()


@pytest.fixture
def fleet(
    ghserver: GitHubServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> tuple[OrderedStacks, OrderedLive]:
    """PR 1 open, its stack and router live; PR 2 closed, its stack left behind (this run
    destroys it); PR 3 closed long ago, its stack gone, a secret left."""
    ghserver.add_pr(1, head_sha=SHA1)
    ghserver.add_pr(2, head_sha=SHA2, state="closed")
    ghserver.add_pr(3, head_sha="ccccccc" + "3" * 33, state="closed")
    stacks = OrderedStacks(existing={"pr-1-aaaaaaa", "pr-2-bbbbbbb"}, routers={1: "aaaaaaa"})
    live = OrderedLive(stacks=stacks)
    live.tagged = [
        TaggedResource("target-group", "sti-pr-1-aaaaaaa", "tg1", tags(1, SHA1), None),
        TaggedResource(
            "listener-rule", "pr-1.example.org", "r1", tags(1, SHA1, **{"showtime:role": "router"})
        ),
        TaggedResource("security-group", "sti-pr-2-bbbbbbb", "sg-2", tags(2, SHA2), None),
        TaggedResource("secret", "sti-pr-3-ccccccc/x1", "s3", tags(3, "ccccccc"), OLD),
        TaggedResource("iam-role", "sti-pr-4-ddddddd-exec", "arn:role4", {}, OLD),
    ]
    against_server(monkeypatch, ghserver.env(), tmp_path)
    use_doubles(monkeypatch, stacks, live)
    return stacks, live


def test_a_dry_run_counts_the_orphans_and_deletes_nothing(
    fleet: tuple[OrderedStacks, OrderedLive], capsys: pytest.CaptureFixture[str]
) -> None:
    stacks, live = fleet
    assert main(["cleanup", "--dry-run", "--json", "--no-prune-labels"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["orphan_count"] == 1  # PR 2's stack is not destroyed in a dry run
    got = [(o["kind"], o["name"], o["action"]) for o in report["orphans"]]
    assert got == [
        ("secret", "sti-pr-3-ccccccc/x1", "delete"),
        ("target-group", "sti-pr-1-aaaaaaa", "keep"),
        ("listener-rule", "pr-1.example.org", "keep"),
        ("security-group", "sti-pr-2-bbbbbbb", "keep"),
        ("iam-role", "sti-pr-4-ddddddd-exec", "skip"),
    ]
    assert report["orphans"][0] == {  # the whole entry: what docs/commands/cleanup.md lists
        "kind": "secret",
        "name": "sti-pr-3-ccccccc/x1",
        "id": "s3",
        "pr": 3,
        "stack": "pr-3-ccccccc",
        "action": "delete",
        "reason": "stack pr-3-ccccccc no longer exists and PR #3 is closed",
        "deleted": False,
        "dry_run": True,
        "error": None,
        "deferred": None,
    }
    assert report["orphans"][1] == {
        "kind": "target-group",
        "name": "sti-pr-1-aaaaaaa",
        "id": "tg1",
        "pr": 1,
        "stack": "pr-1-aaaaaaa",
        "action": "keep",
        "reason": "stack pr-1-aaaaaaa exists (PR #1 is open)",
    }
    assert len(live.tagged) == 5 and stacks.destroyed == []


def test_cleanup_prints_orphans_n_with_the_list_after_its_own_destroys(
    fleet: tuple[OrderedStacks, OrderedLive], capsys: pytest.CaptureFixture[str]
) -> None:
    stacks, live = fleet
    capsys.readouterr()
    assert main(["cleanup", "--no-prune-labels"]) == 0
    out = capsys.readouterr().out
    assert stacks.destroyed == ["pr-2-bbbbbbb"]
    tail = out[out.index("orphans:") :].splitlines()
    assert tail == [
        "orphans: 2",
        "  security-group sti-pr-2-bbbbbbb: deleted (stack pr-2-bbbbbbb no longer exists and "
        "PR #2 is closed)",
        "  secret sti-pr-3-ccccccc/x1: deleted (stack pr-3-ccccccc no longer exists and PR #3 "
        "is closed)",
        "  not orphans: 2 kept (a live stack owns them or too new), 1 skipped (not ours)",
    ]
    assert [r.ident for r in live.tagged] == ["tg1", "r1", "arn:role4"]
    # the resources were listed before the stacks that own them (see sweep_orphans)
    last = len(stacks.events) - 1 - stacks.events[::-1].index("list_tagged")
    assert {"list_stacks", "list_routers"} <= set(stacks.events[last:])


def test_a_sweep_that_cannot_list_says_so_and_counts_nothing(
    fleet: tuple[OrderedStacks, OrderedLive],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from showtime_iac.core.model import ShowtimeError

    def denied() -> list[TaggedResource]:
        raise ShowtimeError("GetResources showtime:pr failed: AccessDenied: not allowed")

    monkeypatch.setattr(fleet[1], "list_tagged", denied)
    capsys.readouterr()
    assert main(["cleanup", "--dry-run", "--no-prune-labels"]) == 0
    out = capsys.readouterr().out
    assert (
        "orphans: unknown (the sweep did not run: GetResources showtime:pr failed: "
        "AccessDenied: not allowed)"
    ) in out.splitlines()


def test_the_report_file_is_the_json_document_the_dashboard_reads(
    fleet: tuple[OrderedStacks, OrderedLive],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    from showtime_iac.app.sweep_view import sweep_from_report

    path = tmp_path / "cleanup.json"
    capsys.readouterr()
    assert main(["cleanup", "--dry-run", "--json", "--report", str(path)]) == 0
    out = capsys.readouterr().out
    # the very document `--json` prints, byte for byte: indented, UTF-8 kept readable
    assert path.read_text(encoding="utf-8") == out
    assert not out.isascii() and out.startswith('{\n  "dry_run": true,\n')
    printed = json.loads(out)
    view = sweep_from_report(printed)
    assert (view.orphan_count, [o.name for o in view.orphans]) == (1, ["sti-pr-3-ccccccc/x1"])
    assert view.orphans[0].state == "would delete"


@pytest.mark.parametrize(
    ("given", "why"),
    [("reports", "it is a directory"), ("gone/cleanup.json", "no directory gone")],
)
def test_a_report_that_cannot_be_written_fails_before_anything_is_done(
    fleet: tuple[OrderedStacks, OrderedLive],
    ghserver: GitHubServer,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    given: str,
    why: str,
) -> None:
    stacks, _live = fleet
    (tmp_path / "reports").mkdir()
    ghserver.reset_log()
    capsys.readouterr()
    rc = main(["cleanup", "--json", "--report", given])  # a real run: it would destroy PR 2's
    err = capsys.readouterr().err
    assert stacks.existing == {"pr-1-aaaaaaa", "pr-2-bbbbbbb"} and ghserver.count() == 0
    assert rc == 2
    assert err == f"showtime-iac: error: cannot write the report to {given}: {why}\n"


def test_a_report_write_that_fails_anyway_is_one_clear_error(tmp_path: Path) -> None:
    from showtime_iac.app.cleanup import CleanupReport
    from showtime_iac.core.model import InputError

    report = CleanupReport(True, [], {}, 0)
    with pytest.raises(InputError) as raised:
        report.write(tmp_path)  # a directory: what a disk that vanished would say, after the run
    assert str(raised.value) == f"cannot write the report to {tmp_path}: Is a directory"


NOBODY = 65534


def _check_as_a_user(path: Path) -> str:
    """``CleanupReport.check_writable(path)`` as an unprivileged user: root may write any
    file, so as root the real user id (the one ``access(2)`` checks) is ``nobody`` for the
    call, in this process (where mutation testing sees it), and root again after it."""
    import os

    from showtime_iac.app.cleanup import CleanupReport
    from showtime_iac.core.model import InputError

    as_root = os.geteuid() == 0
    if as_root:
        os.setreuid(NOBODY, -1)
    try:
        CleanupReport.check_writable(path)
    except InputError as exc:
        return str(exc)
    finally:
        if as_root:
            os.setreuid(0, -1)
    return "writable"


def test_a_read_only_report_file_in_a_writable_directory_is_refused_first() -> None:
    """The file itself decides, not its directory: a report over a read-only file (in a
    directory anyone may write) would fail after the teardowns."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        shared = Path(tmp)
        shared.chmod(0o777)
        report = shared / "cleanup.json"
        report.write_text("{}\n")
        report.chmod(0o444)
        fresh = shared / "new.json"
        assert _check_as_a_user(report) == (
            f"cannot write the report to {report}: permission denied"
        )
        assert _check_as_a_user(fresh) == "writable"
