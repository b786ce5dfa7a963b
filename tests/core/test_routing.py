"""core.routing: the router stack's config."""

from __future__ import annotations

import pytest

from showtime_iac.core.routing import RouterConfig, router_tags
from showtime_iac.core.stack_config import StackConfigError

TG = "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/sti-pr-1-abc1234/0123abcd"


def test_router_config_round_trips() -> None:
    cfg = RouterConfig(1, "abc1234def", TG, "apache/superset")
    assert RouterConfig.from_stack_config(cfg.to_stack_config()) == cfg
    assert cfg.stack == "pr-1-router"
    assert router_tags(cfg) == {
        "showtime:pr": "1",
        "showtime:sha": "abc1234",
        "showtime:repo": "apache/superset",
        "showtime:role": "router",
    }


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({}, "missing router config"),
        (
            {
                "showtime-iac:pr": "x",
                "showtime-iac:sha": "abc1234",
                "showtime-iac:targetGroupArn": TG,
            },
            "whole number",
        ),
        (
            {
                "showtime-iac:pr": "1",
                "showtime-iac:sha": "abc1234",
                "showtime-iac:targetGroupArn": "arn:aws:iam::1:role/x",
            },
            "target group ARN",
        ),
    ],
)
def test_bad_router_config_is_refused(values: dict[str, str], message: str) -> None:
    with pytest.raises(StackConfigError, match=message):
        RouterConfig.from_stack_config(values)
