"""HTTPS mode of the shared stack (program/loadbalancer.py), written out resource by resource:
the load balancers' security group, one load balancer and two listeners per shard, the
wildcard certificate and its DNS validation, the ``*.<domain>`` alias, and the outputs the
environments read. Rendered afresh (no cached render: a mutation run must see each change).

Values the mocks make up (ids, ARN suffixes) are checked by what they point at, not by value.
"""

from __future__ import annotations

from typing import Any

import pytest

from showtime_iac.core.stack_config import SharedConfig
from showtime_iac.program import render_shared_offline

SUBNETS = ("subnet-0123456789abcdef0", "subnet-0fedcba9876543210")
ZONE = "Z0123456789ABCDEFGHIJ"
SHARED_TAGS = {"showtime:managed-by": "showtime-iac", "showtime:stack": "shared"}
NOT_FOUND = {
    "type": "fixed-response",
    "fixedResponse": {
        "contentType": "text/plain",
        "statusCode": "404",
        "messageBody": "no preview environment at this address (showtime-iac)",
    },
}
REDIRECT = {
    "type": "redirect",
    "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"},
}


def _shared(**kw: Any) -> SharedConfig:
    base: dict[str, Any] = {
        "create_cluster": True,
        "create_ecr_repository": True,
        "create_execution_role": True,
        "create_security_group": True,
        "vpc_id": "vpc-0123456789abcdef0",
        "subnet_ids": SUBNETS,
        "domain": "preview.example.org",
        "hosted_zone_id": ZONE,
        "ingress_cidrs": ("10.0.0.0/8", "192.0.2.0/24"),
    }
    return SharedConfig(**{**base, **kw})


def _by_name(shared: SharedConfig) -> tuple[dict[str, Any], dict[str, Any]]:
    out = render_shared_offline(shared)
    return {r.name: r for r in out.resources}, dict(out.outputs)


def test_the_load_balancers_security_group_admits_the_web_and_reaches_only_superset() -> None:
    found, outputs = _by_name(_shared())
    sg = found["alb-security-group"]
    assert sg.type == "aws:ec2/securityGroup:SecurityGroup"
    assert sg.protect is True
    assert sg.inputs == {
        "name": "showtime-iac-alb",
        "description": "showtime-iac load balancer: HTTPS in, Superset tasks out",
        "vpcId": "vpc-0123456789abcdef0",
        "ingress": [
            {
                "protocol": "tcp",
                "fromPort": 443,
                "toPort": 443,
                "cidrBlocks": ["10.0.0.0/8", "192.0.2.0/24"],
                "description": "HTTPS",
            },
            {
                "protocol": "tcp",
                "fromPort": 80,
                "toPort": 80,
                "cidrBlocks": ["10.0.0.0/8", "192.0.2.0/24"],
                "description": "HTTP, redirected to HTTPS",
            },
        ],
        "egress": [
            {
                "protocol": "tcp",
                "fromPort": 8080,
                "toPort": 8080,
                "cidrBlocks": ["0.0.0.0/0"],
                "description": "Superset tasks (their own groups admit this group only)",
            }
        ],
    }
    assert sg.tags == SHARED_TAGS
    # the environments' task groups admit exactly this group
    assert outputs["albSecurityGroupId"].startswith("sg-")
    lb = found["load-balancer"].inputs
    assert lb["securityGroups"] == [outputs["albSecurityGroupId"]]


def test_each_shard_has_a_load_balancer_a_404_https_listener_and_an_http_redirect() -> None:
    found, outputs = _by_name(
        _shared(
            load_balancer_shards=(0, 2),
            alb_access_logs_bucket="logs-bucket",
            alb_access_logs_prefix="alb",
            alb_deletion_protection=True,
        )
    )
    logs = {"bucket": "logs-bucket", "enabled": True, "prefix": "alb"}
    for suffix, name, protected in (("", "showtime-iac", True), ("-s2", "showtime-iac-s2", False)):
        lb = found[f"load-balancer{suffix}"]
        assert lb.type == "aws:lb/loadBalancer:LoadBalancer"
        inputs = dict(lb.inputs)
        assert inputs.pop("securityGroups") == [outputs["albSecurityGroupId"]]
        assert inputs == {
            "name": name,
            "loadBalancerType": "application",
            "internal": False,
            "subnets": list(SUBNETS),
            "dropInvalidHeaderFields": True,
            "idleTimeout": 120,
            # deletion protection on shard 0 only: the cleanup removes an empty shard
            "enableDeletionProtection": protected,
            "accessLogs": logs,
        }
        assert lb.tags == {**SHARED_TAGS, "showtime:alb-shard": suffix[2:] or "0"}
        # shard 0 is protected like the rest of the shared stack; another shard is not
        assert lb.protect is protected
        https, http = found[f"https-listener{suffix}"], found[f"http-listener{suffix}"]
        for listener in (https, http):
            assert listener.type == "aws:lb/listener:Listener"
            assert listener.inputs["loadBalancerArn"].split("/")[-2] == name
            assert listener.tags == SHARED_TAGS
            assert listener.protect is protected
        assert {k: v for k, v in https.inputs.items() if k != "loadBalancerArn"} == {
            "port": 443,
            "protocol": "HTTPS",
            "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "certificateArn": found["certificate-validation"].inputs["certificateArn"],
            "defaultActions": [NOT_FOUND],
        }
        assert {k: v for k, v in http.inputs.items() if k != "loadBalancerArn"} == {
            "port": 80,
            "protocol": "HTTP",
            "defaultActions": [REDIRECT],
        }
    shards = outputs["loadBalancerShards"]
    assert sorted(shards) == ["0", "2"]
    assert shards["0"]["listenerArn"] == outputs["httpsListenerArn"]
    assert shards["0"]["dnsName"] == outputs["albDnsName"]
    assert shards["0"]["dnsName"].startswith("showtime-iac-")
    assert shards["2"]["dnsName"].startswith("showtime-iac-s2-")
    assert shards["2"]["listenerArn"] != shards["0"]["listenerArn"]
    assert {s["zoneId"] for s in shards.values()} == {"Z1H1FL5HABSF5"}  # us-west-2's ALB zone
    assert set(shards["2"]) == {"listenerArn", "dnsName", "zoneId"}


def test_access_logs_without_a_prefix_and_no_logs_at_all() -> None:
    found, _ = _by_name(_shared(alb_access_logs_bucket="logs-bucket"))
    assert found["load-balancer"].inputs["accessLogs"] == {"bucket": "logs-bucket", "enabled": True}
    assert found["load-balancer"].inputs["enableDeletionProtection"] is False
    found, _ = _by_name(_shared())
    assert "accessLogs" not in found["load-balancer"].inputs


def test_the_wildcard_certificate_is_validated_in_the_zone_and_the_wildcard_points_at_shard_0() -> (
    None
):
    found, outputs = _by_name(_shared(load_balancer_shards=(0, 1)))
    cert = found["certificate"]
    assert (cert.type, cert.protect, cert.tags) == (
        "aws:acm/certificate:Certificate",
        True,
        SHARED_TAGS,
    )
    assert cert.inputs == {"domainName": "*.preview.example.org", "validationMethod": "DNS"}
    record = found["certificate-validation-record"]
    assert record.type == "aws:route53/record:Record"
    inputs = dict(record.inputs)
    assert inputs.pop("name").endswith(".*.preview.example.org")
    assert inputs.pop("records")[0].endswith(".acm-validations.aws.")
    assert inputs == {"zoneId": ZONE, "type": "CNAME", "ttl": 300, "allowOverwrite": True}
    validation = found["certificate-validation"]
    assert validation.type == "aws:acm/certificateValidation:CertificateValidation"
    assert validation.inputs["validationRecordFqdns"] == [record.inputs["name"]]
    assert validation.inputs["certificateArn"].startswith("arn:aws:acm:us-west-2:")
    wildcard = found["wildcard-record"]
    assert wildcard.protect is True
    assert wildcard.inputs == {
        "zoneId": ZONE,
        "name": "*.preview.example.org",
        "type": "A",
        "aliases": [
            {
                "name": outputs["albDnsName"],
                "zoneId": "Z1H1FL5HABSF5",
                "evaluateTargetHealth": False,
            }
        ],
    }
    assert outputs["albDnsName"].startswith("showtime-iac-")  # shard 0's, not shard 1's
    assert (outputs["domain"], outputs["vpcId"], outputs["hostedZoneId"]) == (
        "preview.example.org",
        "vpc-0123456789abcdef0",
        ZONE,
    )


@pytest.mark.parametrize("zone", [None, ZONE])
def test_a_configured_certificate_is_used_as_is(zone: str | None) -> None:
    arn = "arn:aws:acm:us-west-2:123456789012:certificate/0123"
    found, outputs = _by_name(_shared(certificate_arn=arn, hosted_zone_id=zone))
    assert not {"certificate", "certificate-validation", "certificate-validation-record"} & set(
        found
    )
    assert found["https-listener"].inputs["certificateArn"] == arn
    assert ("wildcard-record" in found) is (zone is not None)
    assert outputs["hostedZoneId"] == (zone or "")
