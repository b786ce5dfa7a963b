"""The host's own DNS record of a stack on a load-balancer shard other than 0 (issue 29: the
mutation run found its type, alias and overwrite unpinned). ``*.<domain>`` points at shard 0;
a host on shard 2 needs an A alias of its exact name to shard 2's load balancer, or its URL
resolves to a load balancer that has no rule for it.

Each environment is rendered afresh here (no cached fleet): a test that reads a render made
before the change cannot see the change.
"""

from __future__ import annotations

from typing import Any

from showtime_iac.core.model import EnvConfig
from showtime_iac.core.shards import RulePlacement
from showtime_iac.core.stack_config import to_stack_config
from showtime_iac.program import evaluate_stack_offline
from showtime_iac.program.inputs import Https
from showtime_iac.program.routing import _host_record
from tests.program.helpers import DOMAIN, REAL_NET, SECRETS

ZONE = "Z0123456789ABCDEFGHIJ"
SHA = "3f08ba3" + "0" * 33
RECORD = "aws:route53/record:Record"


def _records(placement: RulePlacement, **extra: str) -> list[Any]:
    cfg = EnvConfig(pr=7, sha=SHA)
    values = {
        **to_stack_config(cfg),
        **REAL_NET,
        **SECRETS,
        **placement.to_stack_config(),
        "showtime-iac:sharedStack": "shared",
        "showtime-iac:domain": DOMAIN,
        **extra,
    }
    out = evaluate_stack_offline(cfg.stack, values)
    return [r for r in out.resources if r.type == RECORD]


def test_a_host_on_shard_2_gets_an_a_alias_of_its_exact_name_to_shard_2s_load_balancer() -> None:
    (record,) = _records(RulePlacement(2, 8), **{"showtime-iac:hostedZoneId": ZONE})
    inputs = record.inputs
    assert record.name == "host-record"
    assert inputs["zoneId"] == ZONE
    assert inputs["name"] == "pr-7-3f08ba3.preview.example.org"
    assert inputs["type"] == "A"
    # a record left by an earlier stack of the same host is taken over, not a failed `up`
    assert inputs["allowOverwrite"] is True
    (alias,) = inputs["aliases"]
    assert alias["name"].startswith("showtime-iac-s2-")  # shard 2's load balancer
    assert alias["name"].endswith(".us-west-2.elb.amazonaws.com")
    assert alias["zoneId"] == "Z1H1FL5HABSF5"  # the ALB hosted zone of us-west-2
    assert alias["evaluateTargetHealth"] is False
    assert set(alias) == {"name", "zoneId", "evaluateTargetHealth"}


def test_shard_0_and_a_shard_without_a_hosted_zone_get_no_record_of_their_own() -> None:
    assert _records(RulePlacement(0, 8), **{"showtime-iac:hostedZoneId": ZONE}) == []
    assert _records(RulePlacement(2, 8)) == []  # no zone: DNS is the operator's


def test_shard_0_never_declares_a_record_even_when_given_one() -> None:
    """The wildcard of shard 0 serves its hosts: a record of the exact name there would shadow
    the wildcard for nothing (and fight the router's)."""
    on_0 = Https(DOMAIN, "listener", "sg", "vpc", RulePlacement(0, 8), (ZONE, "lb", "zone"))
    no_zone = Https(DOMAIN, "listener", "sg", "vpc", RulePlacement(2, 8), None)
    assert _host_record("host-record", on_0, "pr-7-3f08ba3." + DOMAIN) is None
    assert _host_record("host-record", no_zone, "pr-7-3f08ba3." + DOMAIN) is None


ENV_TAGS = {
    "showtime:pr": "7",
    "showtime:sha": "3f08ba3",
    "showtime:repo": "apache/superset",
    "showtime:requested-by": "unknown",
    "showtime:ttl": "24h",
    "showtime:expires-at": "never",
    "showtime:max-age-at": "never",
}
PLACED = {"showtime:alb-shard": "0", "showtime:rule-priority": "8"}
LISTENER = "arn:aws:elasticloadbalancing:us-west-2:000000000000:listener/app/placeholder/0/0"
TG_ARN = "arn:aws:elasticloadbalancing:us-west-2:000000000000:targetgroup/sti-pr-7-3f08ba3/0123456789abcdef"


def _env_route(placement: RulePlacement) -> dict[str, Any]:
    cfg = EnvConfig(pr=7, sha=SHA)
    values = {
        **to_stack_config(cfg),
        **REAL_NET,
        **SECRETS,
        **placement.to_stack_config(),
        "showtime-iac:sharedStack": "shared",
        "showtime-iac:domain": DOMAIN,
    }
    out = evaluate_stack_offline(cfg.stack, values)
    wanted = {"target-group", "task-security-group", "host-rule"}
    return {r.name: r for r in out.resources if r.name in wanted}


def test_an_environment_in_https_mode_gets_its_target_group_rule_and_security_group() -> None:
    found = _env_route(RulePlacement(0, 8))
    tg, sg, rule = found["target-group"], found["task-security-group"], found["host-rule"]
    # logical names are part of the contract: renaming one replaces the resource
    assert (tg.type, sg.type, rule.type) == (
        "aws:lb/targetGroup:TargetGroup",
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:lb/listenerRule:ListenerRule",
    )
    assert tg.inputs == {
        "name": "sti-pr-7-3f08ba3",
        "port": 8080,
        "protocol": "HTTP",
        "targetType": "ip",
        "vpcId": "vpc-placeholder",
        "deregistrationDelay": 30,
        "healthCheck": {
            "path": "/health",
            "matcher": "200",
            "interval": 5,
            "timeout": 4,
            "healthyThreshold": 2,
            "unhealthyThreshold": 9,
        },
    }
    assert sg.inputs == {
        "name": "sti-pr-7-3f08ba3",
        "description": "showtime-iac pr-7-3f08ba3: Superset, from the load balancer only",
        "vpcId": "vpc-placeholder",
        "ingress": [
            {
                "protocol": "tcp",
                "fromPort": 8080,
                "toPort": 8080,
                "securityGroups": ["sg-placeholder-alb"],
                "description": "Superset, from the load balancer",
            }
        ],
        "egress": [
            {
                "protocol": "-1",
                "fromPort": 0,
                "toPort": 0,
                "cidrBlocks": ["0.0.0.0/0"],
                "description": "image pulls, logs, secrets, examples download",
            }
        ],
    }
    (action,) = rule.inputs["actions"]
    assert action["type"] == "forward"
    assert action["targetGroupArn"].startswith(
        "arn:aws:elasticloadbalancing:us-west-2:000000000000:targetgroup/sti-pr-7-3f08ba3/"
    )
    assert rule.inputs["conditions"] == [
        {"hostHeader": {"values": ["pr-7-3f08ba3.preview.example.org"]}}
    ]
    assert rule.inputs["listenerArn"] == LISTENER
    assert rule.inputs["priority"] == 8
    assert set(rule.inputs) == {"actions", "conditions", "listenerArn", "priority"}
    assert tg.tags == ENV_TAGS
    assert sg.tags == ENV_TAGS
    assert rule.tags == {**ENV_TAGS, **PLACED}


def test_a_rule_without_a_placement_leaves_the_priority_to_the_provider() -> None:
    rule = _env_route(RulePlacement())["host-rule"]
    assert "priority" not in rule.inputs
    assert rule.inputs["listenerArn"] == LISTENER


def _router(asleep: bool = False, placement: RulePlacement | None = None) -> Any:
    from showtime_iac.core.routing import RouterConfig
    from showtime_iac.core.stack_config import SharedConfig
    from showtime_iac.program.render import evaluate_router_offline

    cfg = RouterConfig(7, SHA, TG_ARN, asleep=asleep)
    return evaluate_router_offline(cfg, SharedConfig.offline_default(DOMAIN), placement)


ROUTER_TAGS = {
    "showtime:pr": "7",
    "showtime:sha": "3f08ba3",
    "showtime:repo": "apache/superset",
    "showtime:role": "router",
}


def test_the_router_forwards_the_prs_host_to_the_active_target_group() -> None:
    out = _router(placement=RulePlacement(0, 8))
    (rule,) = out.resources
    assert (rule.type, rule.name) == ("aws:lb/listenerRule:ListenerRule", "pr-rule")
    assert rule.inputs == {
        "actions": [{"type": "forward", "targetGroupArn": TG_ARN}],
        "conditions": [{"hostHeader": {"values": ["pr-7.preview.example.org"]}}],
        "listenerArn": LISTENER,
        "priority": 8,
    }
    assert rule.tags == {**ROUTER_TAGS, **PLACED}
    outputs = dict(out.outputs)
    assert outputs.pop("ruleArn").startswith(
        "arn:aws:elasticloadbalancing:us-west-2:000000000000:listener-rule/"
    )
    assert outputs == {
        "stack": "pr-7-router",
        "host": "pr-7.preview.example.org",
        "url": "https://pr-7.preview.example.org",
        "sha": "3f08ba3",
        "targetGroupArn": TG_ARN,
    }


def test_an_asleep_router_answers_503_with_the_wake_page_at_the_same_priority() -> None:
    (rule,) = _router(asleep=True, placement=RulePlacement(0, 8)).resources
    (action,) = rule.inputs["actions"]
    assert action["type"] == "fixed-response"
    page = action["fixedResponse"]
    assert (page["contentType"], page["statusCode"]) == ("text/html", "503")
    assert "<title>PR #7 preview: asleep</title>" in page["messageBody"]
    assert "<code>/showtime wake</code>" in page["messageBody"]
    assert set(action) == {"type", "fixedResponse"}
    assert rule.inputs["conditions"] == [{"hostHeader": {"values": ["pr-7.preview.example.org"]}}]
    assert rule.inputs["listenerArn"] == LISTENER
    assert rule.inputs["priority"] == 8
    assert rule.tags == {**ROUTER_TAGS, **PLACED}
    (bare,) = _router(asleep=True).resources
    assert "priority" not in bare.inputs
    assert bare.tags == ROUTER_TAGS


def test_a_router_refuses_a_config_without_https_or_off_shard_0_without_the_shared_stack() -> None:
    import pytest

    from showtime_iac.core.routing import RouterConfig
    from showtime_iac.core.stack_config import SharedConfig, SharedStackRef, StackConfigError
    from showtime_iac.program.routing import _router_https

    no_domain = SharedConfig.offline_default(None)
    with pytest.raises(StackConfigError) as err:
        _router_https(no_domain, RulePlacement())
    assert str(err.value) == (
        "a router needs showtime-iac:domain and showtime-iac:httpsListenerArn (or "
        "showtime-iac:sharedStack)"
    )
    https = SharedConfig.offline_default(DOMAIN)
    with pytest.raises(StackConfigError) as err:
        _router_https(https, RulePlacement(2, 8))
    assert str(err.value) == "load balancer shard 2 needs showtime-iac:sharedStack"
    # a plain config names the listener itself; the router needs no security group or VPC
    assert _router_https(https, RulePlacement(0, 8)) == Https(
        DOMAIN, LISTENER, "", "", RulePlacement(0, 8)
    )
    with pytest.raises(StackConfigError) as err:
        _router_https(SharedStackRef("shared"), RulePlacement())
    assert str(err.value) == "a router needs showtime-iac:domain (HTTPS mode)"
    assert RouterConfig(7, SHA, TG_ARN).stack == "pr-7-router"


ZONE_ID = "Z0123456789ABCDEFGHIJ"


def _router_stack(placement: RulePlacement, **extra: str) -> Any:
    from showtime_iac.core.routing import RouterConfig

    values = {
        **RouterConfig(7, SHA, TG_ARN).to_stack_config(),
        **placement.to_stack_config(),
        "showtime-iac:domain": DOMAIN,
        "showtime-iac:sharedStack": "org/showtime-iac/shared",
        **extra,
    }
    return evaluate_stack_offline("pr-7-router", values)


def test_a_router_reads_the_shared_stack_its_config_names() -> None:
    ref, _rule = _router_stack(RulePlacement(0, 8)).resources
    assert (ref.type, ref.name) == ("pulumi:pulumi:StackReference", "shared")
    assert ref.inputs == {"name": "org/showtime-iac/shared"}


def test_a_router_on_shard_2_with_a_zone_gets_the_prs_own_alias_record() -> None:
    """Renaming ``pr-record`` (or ``pr-rule``) would replace it on every live router."""
    found = {
        r.name: r
        for r in _router_stack(
            RulePlacement(2, 8), **{"showtime-iac:hostedZoneId": ZONE_ID}
        ).resources
    }
    assert set(found) == {"shared", "pr-rule", "pr-record"}
    record = found["pr-record"]
    assert record.type == "aws:route53/record:Record"
    inputs = dict(record.inputs)
    (alias,) = inputs.pop("aliases")
    assert inputs == {
        "zoneId": ZONE_ID,
        "name": "pr-7.preview.example.org",
        "type": "A",
        "allowOverwrite": True,
    }
    assert alias["name"].startswith("showtime-iac-s2-")  # shard 2's load balancer
    assert (alias["zoneId"], alias["evaluateTargetHealth"]) == ("Z1H1FL5HABSF5", False)
    assert (
        found["pr-rule"]
        .inputs["listenerArn"]
        .startswith(
            "arn:aws:elasticloadbalancing:us-west-2:000000000000:listener/app/showtime-iac-s2/"
        )
    )


def test_an_asleep_routers_rule_keeps_its_logical_name() -> None:
    (rule,) = _router(asleep=True).resources
    assert (rule.type, rule.name) == ("aws:lb/listenerRule:ListenerRule", "pr-rule")


def test_a_plain_router_config_needs_both_the_domain_and_the_listener() -> None:
    from dataclasses import replace

    import pytest

    from showtime_iac.core.stack_config import SharedConfig, StackConfigError
    from showtime_iac.program.routing import _router_https

    https = SharedConfig.offline_default(DOMAIN)
    no_listener = replace(https, https_listener_arn=None)
    no_domain = replace(https, domain=None)
    for shared in (no_listener, no_domain):
        with pytest.raises(StackConfigError) as err:
            _router_https(shared, RulePlacement())
        assert str(err.value) == (
            "a router needs showtime-iac:domain and showtime-iac:httpsListenerArn (or "
            "showtime-iac:sharedStack)"
        )
