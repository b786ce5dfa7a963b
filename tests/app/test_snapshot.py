"""``sync``'s first step, with no network (issue 29): the event, and the PR when the payload
carries it completely. Without an event file the run is the CLI's own, by ``$GITHUB_ACTOR``;
the event's name comes from ``--event-name``, else ``$GITHUB_EVENT_NAME``; an event about
another PR is refused; a dispatch names its PR by number (its labels come from the API) or
carries the PR whole."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from showtime_iac.app.sync import snapshot
from showtime_iac.core import labels as L
from showtime_iac.errors import InputError
from tests.payloads import HEAD, issue_comment, pull_request, workflow_dispatch

PR = 1234


@pytest.fixture(autouse=True)
def no_job(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("GITHUB_EVENT_PATH", "GITHUB_EVENT_NAME"):
        monkeypatch.delenv(var, raising=False)


def event_file(tmp_path: Path, payload: dict[str, Any]) -> Path:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    return path


def test_without_an_event_the_run_is_the_clis_by_its_actor() -> None:
    ev, pr = snapshot(PR, None, None, "maintainer")
    assert (ev.name, ev.action, ev.actor, pr) == ("cli", "sync", "maintainer", None)


def test_the_event_name_comes_from_the_flag_else_from_the_job(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = event_file(tmp_path, issue_comment("/showtime status", []))
    assert snapshot(PR, path, None, "x")[0].name == "issue_comment"  # the payload's shape
    monkeypatch.setenv("GITHUB_EVENT_NAME", "schedule")
    assert snapshot(PR, path, None, "x")[0].name == "schedule"
    assert snapshot(PR, path, "issue_comment", "x")[0].name == "issue_comment"


def test_an_event_about_another_pr_is_refused(tmp_path: Path) -> None:
    path = event_file(tmp_path, pull_request("labeled", [L.START], label=L.START))
    with pytest.raises(InputError) as raised:
        snapshot(99, path, "pull_request", "x")
    assert str(raised.value) == f"the event is about PR #{PR}, not #99"


def test_a_dispatch_by_number_leaves_the_pr_to_the_api(tmp_path: Path) -> None:
    path = event_file(tmp_path, workflow_dispatch(pr_number=str(PR), sha=HEAD))
    ev, pr = snapshot(PR, path, "workflow_dispatch", "x")
    assert (ev.name, ev.sha, pr) == ("workflow_dispatch", HEAD, None)


def test_a_dispatch_that_carries_the_pr_keeps_it(tmp_path: Path) -> None:
    payload = workflow_dispatch(sha=HEAD)
    payload["pull_request"] = pull_request("labeled", [L.START], label=L.START)["pull_request"]
    ev, pr = snapshot(PR, event_file(tmp_path, payload), "workflow_dispatch", "x")
    assert ev.name == "workflow_dispatch"
    assert pr is not None and (pr.number, pr.head_sha, pr.labels) == (PR, HEAD, (L.START,))
