"""The cleanup report's totals (issue 29): an orphan that could not be deleted fails the run
(exit 1) even when every teardown worked, and with a failed teardown as well, and the report lists every warning once, the
request read's and the label prune's together."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from showtime_iac.cli import main
from tests.app.test_cleanup_orphans import OrderedLive, OrderedStacks, fleet
from tests.app.test_lifetimes_cleanup import SHA, TG1, env, https
from tests.doubles import FakeLive, FakeStacks
from tests.github_api_server import GitHubServer

__all__ = ["fleet", "https"]  # the fixtures, used by name


def test_an_orphan_that_cannot_be_deleted_fails_the_run(
    fleet: tuple[OrderedStacks, OrderedLive],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _stacks, live = fleet
    real = live.delete_orphans

    def one_refused(decisions: Any, *, dry_run: bool) -> list[Any]:
        done = real(decisions, dry_run=dry_run)
        first = replace(done[0], deleted=False, error="DeleteSecret: AccessDenied")
        return [first, *done[1:]]

    monkeypatch.setattr(live, "delete_orphans", one_refused)
    capsys.readouterr()
    rc = main(["cleanup", "--json", "--no-prune-labels"])
    doc = json.loads(capsys.readouterr().out)
    assert [o["error"] for o in doc["orphans"] if o.get("error")] == ["DeleteSecret: AccessDenied"]
    assert all(not i["result"].startswith("failed") for i in doc["items"])
    assert rc == 1


def test_a_failed_teardown_and_a_failed_orphan_deletion_together_fail_the_run(
    fleet: tuple[OrderedStacks, OrderedLive],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from showtime_iac.core.model import ShowtimeError

    stacks, live = fleet
    real = live.delete_orphans

    def one_refused(decisions: Any, *, dry_run: bool) -> list[Any]:
        done = real(decisions, dry_run=dry_run)
        return [replace(done[0], deleted=False, error="DeleteSecret: AccessDenied"), *done[1:]]

    def refused(pr: int, sha: str) -> None:
        raise ShowtimeError(f"destroy pr-{pr}-{sha[:7]}: the backend is locked")

    monkeypatch.setattr(live, "delete_orphans", one_refused)
    monkeypatch.setattr(stacks, "destroy", refused)
    capsys.readouterr()
    rc = main(["cleanup", "--json", "--no-prune-labels"])
    doc = json.loads(capsys.readouterr().out)
    failed = [(i["pr"], i["result"]) for i in doc["items"] if i["result"].startswith("failed")]
    assert failed == [(2, "failed: destroy pr-2-bbbbbbb: the backend is locked")]
    assert [o["error"] for o in doc["orphans"] if o.get("error")] == ["DeleteSecret: AccessDenied"]
    assert rc == 1  # two failures never cancel out


def test_every_warning_is_reported_once_the_request_reads_and_the_label_prune_together(
    https: tuple[GitHubServer, FakeStacks, FakeLive], capsys: pytest.CaptureFixture[str]
) -> None:
    gh, _stacks, live = https
    gh.add_pr(1, head_sha=SHA, labels=env(timedelta(hours=25)))
    live.requests[TG1] = datetime.now(UTC)  # read or not, the PR is due a warning
    live.requests_error = "requests of sti-pr-1-abc1234 not read (AccessDenied)"
    gh.fail("GET", r"/labels", 403, body={"message": "Resource not accessible"})
    capsys.readouterr()
    rc = main(["cleanup", "--json", "--no-orphans"])
    doc = json.loads(capsys.readouterr().out)
    assert rc == 0, doc
    warnings = doc["warnings"]
    assert warnings[0] == f"PR #1: {live.requests_error}"
    assert len(warnings) == 2 and warnings[1].startswith("label prune skipped: ")
