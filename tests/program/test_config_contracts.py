"""From stack name and config to the program (program/config.py): which program each stack
runs, with which parts of its config, and the exact refusals (written out)."""

from __future__ import annotations

import pytest

from showtime_iac.core.model import EnvConfig
from showtime_iac.core.routing import RouterConfig
from showtime_iac.core.shards import RulePlacement
from showtime_iac.core.stack_config import (
    BuildConfig,
    SharedConfig,
    StackConfigError,
    to_stack_config,
)
from showtime_iac.program import evaluate_stack_offline
from showtime_iac.program.config import select_program
from tests.program.helpers import DOMAIN, REAL_NET, SECRETS

SHA = "3f08ba3" + "0" * 33
TG = "arn:aws:elasticloadbalancing:us-west-2:000000000000:targetgroup/sti-pr-7-3f08ba3/0123456789abcdef"
PLACEHOLDERS = (
    "placeholder ids subnet-placeholder-a, subnet-placeholder-b, sg-placeholder cannot be "
    "deployed: set showtime-iac:subnetIds and showtime-iac:securityGroupId to real ids"
)
ROUTER = {
    **RouterConfig(7, SHA, TG).to_stack_config(),
    **RulePlacement(0, 8).to_stack_config(),
    "showtime-iac:domain": DOMAIN,
    "showtime-iac:sharedStack": "shared",
}


def test_a_router_stack_runs_the_router_on_its_configured_priority() -> None:
    out = evaluate_stack_offline("pr-7-router", ROUTER)
    (rule,) = [r for r in out.resources if r.type == "aws:lb/listenerRule:ListenerRule"]
    assert (rule.name, rule.inputs["priority"]) == ("pr-rule", 8)
    assert rule.inputs["conditions"] == [{"hostHeader": {"values": ["pr-7.preview.example.org"]}}]
    assert rule.tags["showtime:rule-priority"] == "8"


def test_a_router_stack_holding_another_prs_config_is_refused() -> None:
    with pytest.raises(StackConfigError) as err:
        select_program("pr-8-router", ROUTER)
    assert str(err.value) == "stack pr-8-router holds the router config of PR 7: fix the config"


def test_a_stack_name_of_no_known_kind_is_refused_and_cut_at_80_characters() -> None:
    with pytest.raises(StackConfigError) as err:
        select_program("x" * 100, ROUTER)
    assert str(err.value) == (
        f"stack {'x' * 80!r} is neither 'shared' nor 'pr-{{number}}-{{sha7}}' (nor a router "
        "'pr-{number}-router'): select a stack named like pr-1234-abc1234"
    )


def test_an_environment_stack_holding_another_stacks_config_is_refused() -> None:
    values = {**to_stack_config(EnvConfig(pr=7, sha=SHA)), **REAL_NET, **SECRETS}
    with pytest.raises(StackConfigError) as err:
        select_program("pr-8-3f08ba3", values)
    assert str(err.value) == (
        "stack pr-8-3f08ba3 holds the config of pr-7-3f08ba3 (showtime-iac:pr/sha): "
        "fix the config or select the right stack"
    )


def test_an_environment_stack_builds_with_its_configured_build() -> None:
    build = BuildConfig(context="/abs/superset", dockerfile="d/Dockerfile", target="lean")
    values = {
        **to_stack_config(EnvConfig(pr=7, sha=SHA)),
        **REAL_NET,
        **SECRETS,
        **build.to_stack_config(),
    }
    out = evaluate_stack_offline("pr-7-3f08ba3", values)
    (image,) = [r for r in out.resources if r.name == "image"]
    assert image.inputs["build"] == {
        "context": "/abs/superset",
        "dockerfile": "d/Dockerfile",
        "platform": "linux/amd64",
        "target": "lean",
    }


@pytest.mark.parametrize("stack", ["shared", "pr-7-3f08ba3"])
def test_placeholder_ids_are_refused_for_a_deploy_and_accepted_offline(stack: str) -> None:
    values = {**SharedConfig.offline_default().to_stack_config(), **SECRETS}
    if stack != "shared":
        values |= to_stack_config(EnvConfig(pr=7, sha=SHA))
    assert callable(select_program(stack, values, offline=True))
    with pytest.raises(StackConfigError) as err:
        select_program(stack, values)
    assert str(err.value) == PLACEHOLDERS
