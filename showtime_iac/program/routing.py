"""HTTPS mode: an environment's target group, host rule and security group, and the PR's router.

Every environment gets ``pr-1234-abc1234.<domain>`` (its own host rule on the shared HTTPS
listener, health checked on ``/health``); the PR's own host ``pr-1234.<domain>`` belongs to the
router stack ``pr-1234-router``, whose one rule forwards to the active SHA's target group. The
executor moves it only once the new environment is healthy. Each stack sits on its PR's
load-balancer shard with a rule priority from the PR's slot (:mod:`showtime_iac.core.shards`);
a stack made before shards has no priority and the provider picks the next free one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

import pulumi

from showtime_iac.core.model import EnvConfig, env_host, pr_host, resource_names
from showtime_iac.core.routing import RouterConfig, asleep_page, router_tags
from showtime_iac.core.shards import RulePlacement
from showtime_iac.core.stack_config import SharedConfig, SharedStackRef, StackConfigError
from showtime_iac.program.containers import CONTAINER_PORT
from showtime_iac.program.inputs import Https, https_from_reference

__all__ = ["EnvRoute", "HEALTH_PATH", "TARGET_HEALTH_CHECK", "declare_env_route", "declare_router"]

HEALTH_PATH = "/health"  # Superset answers "OK"

#: The load balancer's check of a task (``/health``): every 5 s, healthy after 2 passes (AWS
#: counts one pass for a newly registered target), so a task that answers is routable within
#: 5-10 s. ELB wants the timeout below the interval. 9 failures in a row (45 s, as the 3 x 15 s
#: before) take a serving task out: a worker restart is not a dead task. The start itself is
#: the service's health-check grace (``environment.HEALTH_GRACE_SECONDS``), not these numbers.
TARGET_HEALTH_CHECK: dict[str, Any] = {
    "path": HEALTH_PATH,
    "matcher": "200",
    "interval": 5,
    "timeout": 4,
    "healthy_threshold": 2,
    "unhealthy_threshold": 9,
}


@dataclass(frozen=True)
class EnvRoute:
    """What HTTPS mode adds to one environment."""

    target_group: Any
    rule: Any
    security_group: Any
    host: str
    pr_host: str


def _host_rule(name: str, https: Https, host: str, target_group_arn: Any, **kw: Any) -> Any:
    import pulumi_aws as aws

    if https.placement.priority is not None:  # allocated (core.shards); else the provider's
        kw["priority"] = https.placement.priority
    return aws.lb.ListenerRule(
        name,
        listener_arn=https.listener_arn,
        conditions=[{"host_header": {"values": [host]}}],
        actions=[{"type": "forward", "target_group_arn": target_group_arn}],
        **kw,
    )


def _host_record(name: str, https: Https, host: str) -> Any:
    """On a shard other than 0, with a hosted zone: the host's own alias to its shard's load
    balancer (a record of the exact name wins over the ``*.<domain>`` wildcard of shard 0)."""
    if https.record is None or https.placement.shard == 0:
        return None
    import pulumi_aws as aws

    zone, dns_name, alb_zone = https.record
    return aws.route53.Record(
        name,
        zone_id=zone,
        name=host,
        type="A",
        aliases=[{"name": dns_name, "zone_id": alb_zone, "evaluate_target_health": False}],
        allow_overwrite=True,
    )


def declare_env_route(cfg: EnvConfig, https: Https, tags: Mapping[str, str]) -> EnvRoute:
    """Target group (IP targets on the container port, ``/health``), the host rule of
    ``pr-N-sha7.<domain>``, and the tasks' security group: the load balancer's only."""
    import pulumi_aws as aws

    names = resource_names(cfg.pr, cfg.sha)
    target_group = aws.lb.TargetGroup(
        "target-group",
        name=names.target_group,
        port=CONTAINER_PORT,
        protocol="HTTP",
        target_type="ip",  # awsvpc tasks register by IP
        vpc_id=https.vpc_id,
        deregistration_delay=30,
        health_check=cast("Any", dict(TARGET_HEALTH_CHECK)),  # keys of HealthCheckArgsDict
        tags=dict(tags),
    )
    host = env_host(cfg.pr, cfg.sha, https.domain)
    placed = {**tags, **https.placement.tags()}
    rule = _host_rule("host-rule", https, host, target_group.arn, tags=placed)
    _host_record("host-record", https, host)
    security_group = aws.ec2.SecurityGroup(
        "task-security-group",
        name=names.security_group,
        description=f"showtime-iac {names.stack}: Superset, from the load balancer only",
        vpc_id=https.vpc_id,
        ingress=[
            {
                "protocol": "tcp",
                "from_port": CONTAINER_PORT,
                "to_port": CONTAINER_PORT,
                "security_groups": [https.alb_security_group_id],
                "description": "Superset, from the load balancer",
            }
        ],
        egress=[
            {
                "protocol": "-1",
                "from_port": 0,
                "to_port": 0,
                "cidr_blocks": ["0.0.0.0/0"],
                "description": "image pulls, logs, secrets, examples download",
            }
        ],
        tags=dict(tags),
    )
    return EnvRoute(target_group, rule, security_group, host, pr_host(cfg.pr, https.domain))


def _router_https(shared: SharedConfig | SharedStackRef, placement: RulePlacement) -> Https:
    if isinstance(shared, SharedStackRef):
        if shared.domain is None:
            raise StackConfigError("a router needs showtime-iac:domain (HTTPS mode)")
        ref = pulumi.StackReference("shared", stack_name=shared.name)
        https = https_from_reference(ref, shared, placement)
        assert https is not None  # a domain is set
        return https
    if shared.domain is None or shared.https_listener_arn is None:
        raise StackConfigError(
            "a router needs showtime-iac:domain and showtime-iac:httpsListenerArn (or "
            "showtime-iac:sharedStack)"
        )
    if placement.shard != 0:
        raise StackConfigError(
            f"load balancer shard {placement.shard} needs showtime-iac:sharedStack"
        )
    return Https(shared.domain, shared.https_listener_arn, "", "", placement)


def declare_router(
    cfg: RouterConfig,
    shared: SharedConfig | SharedStackRef,
    placement: RulePlacement | None = None,
) -> dict[str, pulumi.Output[Any]]:
    """The router stack: one rule, ``pr-N.<domain>`` → the active SHA's target group, on the
    PR's load-balancer shard (``placement``) with its router priority."""
    https = _router_https(shared, placement or RulePlacement())
    host = pr_host(cfg.pr, https.domain)
    tags = {**router_tags(cfg), **https.placement.tags()}
    if cfg.asleep:  # the environment is scaled to zero: say so, and how to wake it
        import pulumi_aws as aws

        page = asleep_page(cfg.pr, cfg.repo)
        extra: dict[str, Any] = {}
        if https.placement.priority is not None:
            extra["priority"] = https.placement.priority
        rule = aws.lb.ListenerRule(
            "pr-rule",
            listener_arn=https.listener_arn,
            conditions=[{"host_header": {"values": [host]}}],
            actions=[
                {
                    "type": "fixed-response",
                    "fixed_response": {
                        "content_type": "text/html",
                        "message_body": page,
                        "status_code": "503",
                    },
                }
            ],
            tags=tags,
            **extra,
        )
    else:
        rule = _host_rule("pr-rule", https, host, cfg.target_group_arn, tags=tags)
    _host_record("pr-record", https, host)
    outputs: dict[str, pulumi.Output[Any]] = {
        "stack": pulumi.Output.from_input(cfg.stack),
        "host": pulumi.Output.from_input(host),
        "url": pulumi.Output.from_input(f"https://{host}"),
        "sha": pulumi.Output.from_input(cfg.sha7),
        "targetGroupArn": pulumi.Output.from_input(cfg.target_group_arn),
        "ruleArn": rule.arn,
    }
    for k, v in outputs.items():
        pulumi.export(k, v)
    return outputs
