"""program.shared: the shared stack under Pulumi mocks."""

from __future__ import annotations

import functools
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from showtime_iac import program
from showtime_iac.core.model import resource_names
from showtime_iac.core.stack_config import (
    SharedConfig,
)
from showtime_iac.program import (
    MOCK_ACCOUNT,
    evaluate_stack_offline,
    format_render,
    render_offline,
    render_shared_offline,
    shared_tags,
)
from tests.program.helpers import (
    TAGGABLE,
    by_type,
    stack_file,
)

# --------------------------------------------------------------------------- shared stack

CREATE_ALL = SharedConfig(
    create_cluster=True,
    create_ecr_repository=True,
    create_execution_role=True,
    create_security_group=True,
    vpc_id="vpc-0123456789abcdef0",
    subnet_ids=("subnet-0123456789abcdef0",),
    ingress_cidrs=("10.0.0.0/8",),
    pr_image_max_age_days=10,
)


def test_shared_stack_creates_everything_when_asked() -> None:
    out = render_shared_offline(CREATE_ALL)
    res = by_type(out.resources)
    assert set(res) == {
        "aws:ecs/cluster:Cluster",
        "aws:ecr/repository:Repository",
        "aws:ecr/lifecyclePolicy:LifecyclePolicy",
        "aws:iam/role:Role",
        "aws:iam/rolePolicy:RolePolicy",
        "aws:iam/policy:Policy",
        "aws:ec2/securityGroup:SecurityGroup",
    }
    assert res["aws:ecs/cluster:Cluster"].inputs["name"] == "superset-ci"
    assert res["aws:ecr/repository:Repository"].inputs["name"] == "superset-ci"
    for r in out.resources:
        if r.type in TAGGABLE:
            assert r.tags == shared_tags()
            assert "showtime:pr" not in r.tags  # the orphan sweep must never take these
    sg = res["aws:ec2/securityGroup:SecurityGroup"]
    (ingress,) = sg.inputs["ingress"]
    assert (ingress["fromPort"], ingress["toPort"], ingress["protocol"]) == (8080, 8080, "tcp")
    assert ingress["cidrBlocks"] == ["10.0.0.0/8"]
    assert sg.inputs["vpcId"] == "vpc-0123456789abcdef0"
    assert out.outputs["securityGroupId"].startswith("sg-")
    assert out.outputs["clusterArn"].endswith(":cluster/superset-ci")


def test_ecr_lifecycle_policy_expires_old_pr_images() -> None:
    res = by_type(render_shared_offline(CREATE_ALL).resources)
    policy = json.loads(res["aws:ecr/lifecyclePolicy:LifecyclePolicy"].inputs["policy"])
    pr_rule = next(r for r in policy["rules"] if r["selection"]["tagStatus"] == "tagged")
    assert pr_rule["selection"]["tagPrefixList"] == ["pr-"]
    assert pr_rule["selection"]["countNumber"] == 10
    assert pr_rule["action"] == {"type": "expire"}
    assert len({r["rulePriority"] for r in policy["rules"]}) == len(policy["rules"])


def test_execution_role_is_least_privilege() -> None:
    res = by_type(render_shared_offline(CREATE_ALL).resources)
    assume = json.loads(res["aws:iam/role:Role"].inputs["assumeRolePolicy"])
    assert assume["Statement"][0]["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
    doc = json.loads(res["aws:iam/rolePolicy:RolePolicy"].inputs["policy"])
    wildcard = [s for s in doc["Statement"] if s["Resource"] == "*"]
    assert [s["Action"] for s in wildcard] == ["ecr:GetAuthorizationToken"]
    pull = next(s for s in doc["Statement"] if s["Sid"] == "EcrPull")
    assert pull["Resource"] == f"arn:aws:ecr:us-west-2:{MOCK_ACCOUNT}:repository/superset-ci"
    logs = next(s for s in doc["Statement"] if s["Sid"] == "Logs")
    assert logs["Resource"].startswith("arn:aws:logs:us-west-2:*:log-group:/showtime/")
    actions = {
        a
        for s in doc["Statement"]
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert not any(a.endswith("*") for a in actions)


def test_shared_stack_uses_existing_resources_by_default() -> None:
    shared = SharedConfig(
        subnet_ids=("subnet-0123456789abcdef0",), security_group_id="sg-0123456789abcdef0"
    )
    out = render_shared_offline(shared)
    # what a fresh account has none of: the permissions boundary of the environments' roles
    assert [r.type for r in out.resources] == [
        "aws:ecr/lifecyclePolicy:LifecyclePolicy",
        "aws:iam/policy:Policy",
    ]
    assert out.resources[0].inputs["repository"] == "superset-ci"
    assert out.outputs["clusterName"] == "superset-ci"
    assert out.outputs["ecrRepositoryUrl"].endswith(".amazonaws.com/superset-ci")
    assert out.outputs["securityGroupId"] == "sg-0123456789abcdef0"
    assert out.outputs["subnetIds"] == ["subnet-0123456789abcdef0"]
    none = render_shared_offline(
        SharedConfig(
            ecr_lifecycle_policy=False,
            subnet_ids=("subnet-0123456789abcdef0",),
            security_group_id="sg-0123456789abcdef0",
            permissions_boundary_arn="arn:aws:iam::123456789012:policy/boundary",
        )
    )
    assert none.resources == []
    assert set(none.outputs) == set(program.SHARED_OUTPUTS)


def test_example_shared_stack_config_evaluates() -> None:
    values = stack_file("Pulumi.shared.yaml")
    shared = SharedConfig.from_stack_config(values)
    assert (shared.cluster_name, shared.ecr_repository_name) == ("superset-ci", "superset-ci")
    out = evaluate_stack_offline("shared", values)
    assert [r.type for r in out.resources] == [
        "aws:ecr/lifecyclePolicy:LifecyclePolicy",
        "aws:iam/policy:Policy",
    ]


# --------------------------------------------------------------------------- images in use


def _rule_selects(rule: dict[str, object], tag: str) -> bool:
    """ECR's selection of a tagged image by one lifecycle rule (prefix or wildcard pattern)."""
    from fnmatch import fnmatchcase

    sel = rule["selection"]
    assert isinstance(sel, dict)
    if sel["tagStatus"] == "any":
        return True
    if sel["tagStatus"] != "tagged":
        return False
    prefixes = sel.get("tagPrefixList", [])
    patterns = sel.get("tagPatternList", [])
    return any(tag.startswith(p) for p in prefixes) or any(fnmatchcase(tag, p) for p in patterns)


@given(st.integers(0, 9_999_999_999), st.text("0123456789abcdef", min_size=7, max_size=40))
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_no_lifecycle_rule_ever_expires_an_image_of_ours(pr: int, sha: str) -> None:
    """A `close`/`manual` TTL and the baseline outlive any age, and a rule cannot ask whether an
    image is in use: no rule may select our tags; the orphan sweep removes an image once its
    stack is gone."""
    policy = json.loads(_policy_of(CREATE_ALL))
    ours = resource_names(pr, sha).image_tag
    assert not any(_rule_selects(r, ours) for r in policy["rules"])
    # the check sees what it should: the original's images are still expired by age
    assert any(_rule_selects(r, f"pr-{pr}-{sha[:7]}-ci") for r in policy["rules"])


@functools.cache
def _policy_of(shared: SharedConfig) -> str:
    res = by_type(render_shared_offline(shared).resources)
    policy = res["aws:ecr/lifecyclePolicy:LifecyclePolicy"].inputs["policy"]
    assert isinstance(policy, str)
    return policy


# --------------------------------------------------------------------------- protection and HTTPS

HTTPS_ALL = SharedConfig(
    create_cluster=True,
    create_ecr_repository=True,
    create_execution_role=True,
    create_security_group=True,
    vpc_id="vpc-0123456789abcdef0",
    subnet_ids=("subnet-0123456789abcdef0", "subnet-0fedcba9876543210"),
    domain="preview.example.org",
    hosted_zone_id="Z0123456789ABCDEFGHIJ",
)


@pytest.mark.parametrize("shared", [CREATE_ALL, HTTPS_ALL], ids=["public-ip", "https"])
def test_everything_the_shared_stack_creates_is_protected(shared: SharedConfig) -> None:
    out = render_shared_offline(shared)
    assert len(out.resources) >= 6
    unprotected = [f"{r.type} {r.name}" for r in out.resources if not r.protect]
    assert unprotected == []
    assert "(protected)" in format_render(out.resources)


def test_environment_resources_are_not_protected() -> None:
    """An environment must stay destroyable by `destroy` and the sweep."""
    from tests.program.helpers import cfg_of

    assert not any(r.protect for r in render_offline(cfg_of()))


def test_https_mode_declares_the_load_balancer_its_listeners_and_certificate() -> None:
    out = render_shared_offline(HTTPS_ALL)
    types = [r.type for r in out.resources]
    lb = next(r for r in out.resources if r.type == "aws:lb/loadBalancer:LoadBalancer").inputs
    assert lb["loadBalancerType"] == "application" and lb["internal"] is False
    assert lb["subnets"] == list(HTTPS_ALL.subnet_ids)
    assert lb["dropInvalidHeaderFields"] is True
    listeners = {
        r.inputs["port"]: r.inputs for r in out.resources if r.type == "aws:lb/listener:Listener"
    }
    assert set(listeners) == {80, 443}
    https = listeners[443]
    assert https["protocol"] == "HTTPS"
    assert https["sslPolicy"].startswith("ELBSecurityPolicy-TLS13")
    assert https["certificateArn"].startswith("arn:aws:acm:")
    assert https["defaultActions"][0]["fixedResponse"]["statusCode"] == "404"
    (redirect,) = listeners[80]["defaultActions"]
    assert redirect["redirect"] == {"port": "443", "protocol": "HTTPS", "statusCode": "HTTP_301"}
    cert = next(r for r in out.resources if r.type == "aws:acm/certificate:Certificate").inputs
    assert (cert["domainName"], cert["validationMethod"]) == ("*.preview.example.org", "DNS")
    assert types.count("aws:route53/record:Record") == 2  # validation + *.<domain> alias
    alb_sg = next(r for r in out.resources if r.name == "alb-security-group").inputs
    assert sorted(i["fromPort"] for i in alb_sg["ingress"]) == [80, 443]
    for key in ("domain", "httpsListenerArn", "albSecurityGroupId", "albDnsName", "vpcId"):
        assert out.outputs[key], key
    assert out.outputs["domain"] == "preview.example.org"


def test_https_mode_with_a_configured_certificate_creates_none() -> None:
    arn = "arn:aws:acm:us-west-2:123456789012:certificate/0123"
    out = render_shared_offline(
        SharedConfig(
            subnet_ids=("subnet-0123456789abcdef0", "subnet-0fedcba9876543210"),
            security_group_id="sg-0123456789abcdef0",
            vpc_id="vpc-0123456789abcdef0",
            domain="preview.example.org",
            certificate_arn=arn,
        )
    )
    types = {r.type for r in out.resources}
    assert "aws:acm/certificate:Certificate" not in types
    assert "aws:route53/record:Record" not in types
    https = next(r for r in out.resources if r.inputs.get("port") == 443)
    assert https.inputs["certificateArn"] == arn
