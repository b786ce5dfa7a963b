"""Drift from engine events: refresh (changed outside Pulumi) and preview (program differs)."""

from __future__ import annotations

import pytest

from showtime_iac.adapters import stacks as S
from tests.adapters.stacks.support import SHA, driver
from tests.doubles import FakeEngine, event


def test_drift_item_from_events() -> None:
    assert S.drift_item(event("same", "aws:ecs/service:Service", "service"), "refresh") is None
    assert S.drift_item(event("update", "pulumi:pulumi:Stack", "x"), "refresh") is None
    item = S.drift_item(
        event("update", "aws:cloudwatch/logGroup:LogGroup", "log-group", ["retentionInDays"]),
        "refresh",
    )
    assert item == S.DriftItem(
        "refresh", "update", "aws:cloudwatch/logGroup:LogGroup", "log-group", ("retentionInDays",)
    )
    assert item.line("pr-1234-abc1234") == (
        "pr-1234-abc1234: update aws:cloudwatch/logGroup:LogGroup log-group (retentionInDays): changed outside Pulumi"
    )
    assert S.drift_item(object(), "refresh") is None


def test_drift_none_and_found() -> None:
    e = FakeEngine()
    e.add("pr-1234-abc1234")
    assert not driver(e).drift(1234, SHA).drifted
    e.refresh_events = [
        event("update", "aws:cloudwatch/logGroup:LogGroup", "log-group", ["retentionInDays"]),
        event("same", "aws:ecs/service:Service", "service"),
    ]
    e.preview_events = [event("update", "aws:ecs/service:Service", "service", ["desiredCount"])]
    e.preview_error = "error: no changes were expected but changes were proposed"
    report = driver(e).drift(1234, SHA)
    assert report.drifted and len(report.lines()) == 2
    assert report.to_json()["resources"][1]["diffs"] == ["desiredCount"]


def test_drift_reports_expect_no_changes_even_without_events() -> None:
    e = FakeEngine()
    e.add("pr-1234-abc1234")
    e.preview_error = "error: no changes were expected but changes were proposed"
    report = driver(e).drift(1234, SHA)
    assert report.lines() == [
        "pr-1234-abc1234: update stack pr-1234-abc1234: program or config differs"
    ]


def test_drift_engine_failure_is_an_error_not_drift() -> None:
    e = FakeEngine()
    e.add("pr-1234-abc1234")
    e.preview_error = "error: program failed: boom"
    with pytest.raises(S.StackError, match="boom"):
        driver(e).drift(1234, SHA)
    with pytest.raises(S.StackError, match="no stack"):
        driver(FakeEngine()).drift(1234, SHA)


def test_a_refresh_step_without_diffs_names_the_outputs_it_changed() -> None:
    from pulumi.automation.events import StepEventStateMetadata

    def state(outputs: dict[str, object]) -> StepEventStateMetadata:
        return StepEventStateMetadata(
            type="fake:Service",
            urn="urn:pulumi:s::p::fake:Service::service",
            id="x",
            parent="",
            provider="",
            inputs={},
            outputs=outputs,
        )

    e = event("update", "fake:Service", "service")
    meta = e.res_outputs_event.metadata  # type: ignore[union-attr]
    meta.old = state({"size": "medium", "image": "a", "__provider": "p1"})
    meta.new = state({"size": "large", "image": "a", "__provider": "p2", "extra": 1})
    item = S.drift_item(e, "refresh")
    assert item is not None and item.diffs == ("extra", "size")
