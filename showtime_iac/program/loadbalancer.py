"""HTTPS mode of the shared stack: Application Load Balancers (shards) for every environment.

One load balancer per shard (:mod:`showtime_iac.core.shards`: each kept within AWS's 100 target
groups and 100 rules), each with an HTTPS listener (the ACM certificate of ``*.<domain>``,
configured, or created and validated in the Route 53 zone ``hostedZoneId``) and an HTTP listener
that redirects to HTTPS; one security group for all of them (the only source the tasks accept);
with a zone, the alias record ``*.<domain>`` to shard 0 (a stack on another shard adds its own
host's record). Environments and routers add host rules to their shard's HTTPS listener; a host
no rule knows gets a plain 404.

Both optional, both off by default: ``showtime-iac:albDeletionProtection`` (shard 0 only: the
cleanup removes an empty shard, which deletion protection would refuse) and
``showtime-iac:albAccessLogsBucket`` / ``albAccessLogsPrefix`` (every shard's access logs, to a
bucket whose policy lets Elastic Load Balancing write; this stack does not create it).
"""

from __future__ import annotations

from typing import Any

import pulumi

from showtime_iac.core.shards import SHARD_TAG, shard_load_balancer_name
from showtime_iac.core.stack_config import SharedConfig
from showtime_iac.program.containers import CONTAINER_PORT

__all__ = ["TLS_POLICY", "declare_load_balancer"]

TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"  # TLS 1.3 and 1.2 only


def _certificate(shared: SharedConfig, tags: dict[str, str], opts: Any) -> pulumi.Input[str]:
    """The ARN of the wildcard certificate: configured, or created with DNS validation."""
    if shared.certificate_arn is not None:
        return shared.certificate_arn
    import pulumi_aws as aws

    cert = aws.acm.Certificate(
        "certificate",
        domain_name=f"*.{shared.domain}",
        validation_method="DNS",
        tags=tags,
        opts=opts,
    )
    option = cert.domain_validation_options[0]
    record = aws.route53.Record(
        "certificate-validation-record",
        zone_id=shared.hosted_zone_id,
        name=option.resource_record_name,
        type=option.resource_record_type,
        records=[option.resource_record_value],
        ttl=300,
        allow_overwrite=True,
        opts=opts,
    )
    validation = aws.acm.CertificateValidation(
        "certificate-validation",
        certificate_arn=cert.arn,
        validation_record_fqdns=[record.fqdn],
        opts=opts,
    )
    return validation.certificate_arn


def _security_group(shared: SharedConfig, tags: dict[str, str], opts: Any) -> Any:
    import pulumi_aws as aws

    web: list[Any] = [
        {
            "protocol": "tcp",
            "from_port": port,
            "to_port": port,
            "cidr_blocks": list(shared.ingress_cidrs),
            "description": what,
        }
        for port, what in ((443, "HTTPS"), (80, "HTTP, redirected to HTTPS"))
    ]
    return aws.ec2.SecurityGroup(
        "alb-security-group",
        name=f"{shared.load_balancer_name}-alb",
        description="showtime-iac load balancer: HTTPS in, Superset tasks out",
        vpc_id=shared.vpc_id,
        ingress=web,
        egress=[
            {
                "protocol": "tcp",
                "from_port": CONTAINER_PORT,
                "to_port": CONTAINER_PORT,
                "cidr_blocks": ["0.0.0.0/0"],
                "description": "Superset tasks (their own groups admit this group only)",
            }
        ],
        tags=tags,
        opts=opts,
    )


def _shard(
    shared: SharedConfig, shard: int, sg: Any, certificate: pulumi.Input[str], tags: Any, opts: Any
) -> tuple[Any, Any]:
    """One shard: a load balancer, its HTTPS listener (404 for an unknown host) and its HTTP
    listener (redirect). Shard 0 keeps the names it had before shards."""
    import pulumi_aws as aws

    suffix = "" if shard == 0 else f"-s{shard}"
    extra: dict[str, Any] = {}
    if shared.alb_access_logs_bucket is not None:
        extra["access_logs"] = {
            "bucket": shared.alb_access_logs_bucket,
            "enabled": True,
            **({"prefix": shared.alb_access_logs_prefix} if shared.alb_access_logs_prefix else {}),
        }
    alb = aws.lb.LoadBalancer(
        f"load-balancer{suffix}",
        name=shard_load_balancer_name(shared.load_balancer_name, shard),
        load_balancer_type="application",
        internal=False,
        subnets=list(shared.subnet_ids),
        security_groups=[sg.id],
        drop_invalid_header_fields=True,
        idle_timeout=120,
        enable_deletion_protection=shared.alb_deletion_protection and shard == 0,
        tags={**tags, SHARD_TAG: str(shard)},
        opts=opts,
        **extra,
    )
    https = aws.lb.Listener(
        f"https-listener{suffix}",
        load_balancer_arn=alb.arn,
        port=443,
        protocol="HTTPS",
        ssl_policy=TLS_POLICY,
        certificate_arn=certificate,
        default_actions=[
            {
                "type": "fixed-response",
                "fixed_response": {
                    "content_type": "text/plain",
                    "status_code": "404",
                    "message_body": "no preview environment at this address (showtime-iac)",
                },
            }
        ],
        tags=tags,
        opts=opts,
    )
    aws.lb.Listener(
        f"http-listener{suffix}",
        load_balancer_arn=alb.arn,
        port=80,
        protocol="HTTP",
        default_actions=[
            {
                "type": "redirect",
                "redirect": {"protocol": "HTTPS", "port": "443", "status_code": "HTTP_301"},
            }
        ],
        tags=tags,
        opts=opts,
    )
    return alb, https


def declare_load_balancer(
    shared: SharedConfig, tags: dict[str, str], opts: Any
) -> dict[str, pulumi.Output[Any]]:
    """Declare the load balancers (one per shard, ``showtime-iac:loadBalancerShards``) and
    their listeners; returns the outputs environments read. Shard 0 is protected like the rest
    of the shared stack; the others are not, so that the stack removes an empty one."""
    import pulumi_aws as aws

    sg = _security_group(shared, tags, opts)
    certificate = _certificate(shared, tags, opts)
    shards: dict[int, tuple[Any, Any]] = {
        k: _shard(shared, k, sg, certificate, tags, opts if k == 0 else None)
        for k in shared.load_balancer_shards
    }
    alb, https = shards[0]
    if shared.hosted_zone_id is not None:
        aws.route53.Record(
            "wildcard-record",
            zone_id=shared.hosted_zone_id,
            name=f"*.{shared.domain}",
            type="A",
            aliases=[
                {"name": alb.dns_name, "zone_id": alb.zone_id, "evaluate_target_health": False}
            ],
            opts=opts,
        )
    return {
        "domain": pulumi.Output.from_input(shared.domain or ""),
        "httpsListenerArn": https.arn,
        "albSecurityGroupId": sg.id,
        "albDnsName": alb.dns_name,
        "vpcId": pulumi.Output.from_input(shared.vpc_id or ""),
        "hostedZoneId": pulumi.Output.from_input(shared.hosted_zone_id or ""),
        # {"0": {"listenerArn", "dnsName", "zoneId"}, "1": ...}: what a shard's stacks read
        "loadBalancerShards": pulumi.Output.all(
            **{
                str(k): pulumi.Output.all(
                    listenerArn=lst.arn, dnsName=lb.dns_name, zoneId=lb.zone_id
                )
                for k, (lb, lst) in shards.items()
            }
        ),
    }
