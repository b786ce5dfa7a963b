"""Contracts of a drift report's JSON (what `drift --json` prints, key by key) and of the stack
file a drift preview runs with (only the stack's secrets are kept from its own config)."""

from __future__ import annotations

from showtime_iac.adapters import stacks as S
from showtime_iac.adapters.stacks.drift import DriftItem, DriftReport


def test_a_reports_json_names_the_stack_whether_it_drifted_and_each_resource_whole() -> None:
    report = DriftReport(
        "pr-1234-abc1234",
        (
            DriftItem("refresh", "update", "aws:cloudwatch/logGroup:LogGroup", "log-group", ("a",)),
            DriftItem("preview", "create", "aws:ecs/service:Service", "service"),
        ),
    )
    assert report.to_json() == {
        "stack": "pr-1234-abc1234",
        "drifted": True,
        "resources": [
            {
                "source": "refresh",
                "op": "update",
                "type": "aws:cloudwatch/logGroup:LogGroup",
                "name": "log-group",
                "diffs": ["a"],
            },
            {
                "source": "preview",
                "op": "create",
                "type": "aws:ecs/service:Service",
                "name": "service",
                "diffs": [],
            },
        ],
    }
    assert DriftReport("pr-7-def5678").to_json() == {
        "stack": "pr-7-def5678",
        "drifted": False,
        "resources": [],
    }


def test_a_preview_drops_the_stacks_plain_values_even_one_that_reads_secure() -> None:
    own = {
        "encryptionsalt": "v1:abc",
        "config": {
            "showtime-iac:secretKey": {"secure": "v1:cipher1"},
            "showtime-iac:note": "insecure on purpose",  # plain, though it says "secure"
            "showtime-iac:object": {"nested": "value"},  # structured, yet no secret
        },
    }
    out = S.preview_settings(own, {"aws:region": "us-west-2"})
    assert out == {
        "encryptionsalt": "v1:abc",
        "config": {
            "showtime-iac:secretKey": {"secure": "v1:cipher1"},
            "aws:region": "us-west-2",
        },
    }
