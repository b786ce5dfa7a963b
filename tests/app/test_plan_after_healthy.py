"""`plan` shows what a run writes, all of it (issue 24): the claim's labels, and the labels
written once the new environment is healthy. Each scenario plans an event offline, then
carries the same event out with `sync` (the GitHub test server, the stack and live doubles)
and compares the PR's labels with what the plan said, up to the task's IP (a placeholder
before the deploy) and the minute the clock read."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from showtime_iac.cli import main
from showtime_iac.core import labels as L
from tests.app.test_sync import OLD, PR, SHA7, Scenario, running
from tests.payloads import HEAD, pull_request

_MINUTE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}-\d{2}")


def _masked(labels: Any) -> set[str]:
    return {_MINUTE.sub("<time>", n) for n in labels}


def _plan(run: Scenario, payload: dict[str, Any]) -> dict[str, Any]:
    path = run.tmp_path / "plan-event.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    run.capsys.readouterr()
    rc = main(["plan", "--event", str(path), "--event-name", "pull_request_target", "--json"])
    out = run.capsys.readouterr().out
    assert rc == 0, out
    doc: dict[str, Any] = json.loads(out)
    return doc


def _start(run: Scenario) -> dict[str, Any]:
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START, "size/M"])
    return pull_request("labeled", [L.START, "size/M"], label=L.START)


def _push(run: Scenario) -> dict[str, Any]:
    run.stacks.existing.add(f"pr-{PR}-{OLD[:7]}")
    run.gh.add_pr(PR, head_sha=HEAD, labels=running(OLD[:7]))
    return pull_request("synchronize", running(OLD[:7]))


@pytest.mark.parametrize("scenario", [_start, _push], ids=["start", "push"])
def test_plan_shows_every_label_the_run_writes(run: Scenario, scenario: Any) -> None:
    payload = scenario(run)
    before = run.gh.labels_of(PR)
    plan = _plan(run, payload)
    healthy = plan["after_healthy"]
    assert healthy is not None and f"🎪 {SHA7} 🚦 running" in healthy["add"]
    [address] = [n for n in healthy["add"] if "🌐" in n]
    assert address == f"🎪 {SHA7} 🌐 {{task public IP}}:8080"  # only AWS knows the IP

    rc, doc, err = run.sync(payload)
    assert rc == 0, err

    claimed = L.apply_diff(
        before, L.LabelDiff(tuple(plan["add_labels"]), tuple(plan["remove_labels"]))
    )
    final = L.apply_diff(claimed, L.LabelDiff(tuple(healthy["add"]), tuple(healthy["remove"])))
    expected = [n.replace("{task public IP}:8080", "10.0.0.5:8080") for n in final]
    assert _masked(run.gh.labels_of(PR)) == _masked(expected)
    assert doc is not None and doc["plan"]["after_healthy"] is not None  # sync's plan says so too


def test_a_plan_that_waits_for_no_environment_says_so(run: Scenario) -> None:
    """A teardown writes all its labels at once: nothing is written "once healthy"."""
    run.gh.add_pr(PR, head_sha=HEAD, labels=running(SHA7))
    plan = _plan(run, pull_request("closed", running(SHA7), state="closed"))
    assert plan["intent"] == "teardown" and plan["after_healthy"] is None


def test_in_https_mode_the_plan_knows_the_address(
    run: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOWTIME_DOMAIN", "preview.example.org")
    plan = _plan(run, _start(run))
    assert f"🎪 {SHA7} 🌐 pr-{PR}.preview.example.org" in plan["after_healthy"]["add"]
