"""Typed configs ↔ Pulumi stack config (core/stack_config, docs/configuration.md): the
contracts the mutation run (issue 29) found no test pinning down. Each test was checked by
making the change and watching it fail.

Pure: the values as Pulumi stores them (strings) both ways, the defaults of absent keys, and
every refusal as the one line a user reads, expected values written out.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from showtime_iac.core.model import EnvConfig, Ttl
from showtime_iac.core.stack_config import (
    BuildConfig,
    SharedConfig,
    SharedStackRef,
    StackConfigError,
    from_stack_config,
    shared_source,
    to_stack_config,
)

SHA = "abc1234def5678abc1234def5678abc1234def56"
BASE = {"showtime-iac:pr": "12", "showtime-iac:sha": "abcdef0"}
SUBNET = "subnet-0123abcd"
SG = "sg-0123abcd"
VPC = "vpc-0123abcd"
CERT = "arn:aws:acm:us-west-2:123456789012:certificate/abc"


def _refused(values: dict[str, str]) -> str:
    with pytest.raises(StackConfigError) as err:
        from_stack_config(values)
    return str(err.value)


# --------------------------------------------------------------------------- environment


def test_an_environments_stack_config_written_out() -> None:
    cfg = EnvConfig(
        pr=1234,
        sha=SHA,
        repo="me/fork",
        size="large",
        flags=(("ALERTS", True),),
        debug=True,
        examples=False,
        cache_redis=True,
        image="123.dkr.ecr.us-west-2.amazonaws.com/superset-ci:sti-pr-1234-abc1234",
        image_sha=SHA,
        ttl=Ttl("48h"),
        requester="octocat",
        created=datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
        max_age_at=datetime(2026, 12, 8, 9, 0, tzinfo=UTC),
        sleeping=True,
    )
    assert to_stack_config(cfg) == {
        "showtime-iac:pr": "1234",
        "showtime-iac:sha": SHA,
        "showtime-iac:repo": "me/fork",
        "showtime-iac:size": "large",
        "showtime-iac:flags": '{"ALERTS":true}',
        "showtime-iac:debug": "true",
        "showtime-iac:examples": "false",
        "showtime-iac:cacheRedis": "true",
        "showtime-iac:ttl": "48h",
        "showtime-iac:requester": "octocat",
        "showtime-iac:sleeping": "true",
        "showtime-iac:prepared": "false",
        "showtime-iac:image": "123.dkr.ecr.us-west-2.amazonaws.com/superset-ci:sti-pr-1234-abc1234",
        "showtime-iac:imageSha": SHA,
        "showtime-iac:created": "2026-12-01T09:00:00+00:00",
        "showtime-iac:maxAgeAt": "2026-12-08T09:00:00+00:00",
    }
    assert from_stack_config(to_stack_config(cfg)) == cfg
    prepared = EnvConfig(pr=1, sha="abcdef0", prepared=True)
    assert to_stack_config(prepared)["showtime-iac:prepared"] == "true"
    assert from_stack_config(to_stack_config(prepared)).prepared is True


def test_empty_values_take_the_defaults() -> None:
    empty = {
        k: ""
        for k in (
            "repo",
            "size",
            "flags",
            "debug",
            "examples",
            "cacheRedis",
            "ttl",
            "requester",
            "sleeping",
            "prepared",
        )
    }
    values = {**BASE, **{f"showtime-iac:{k}": v for k, v in empty.items()}}
    assert from_stack_config(values) == EnvConfig(pr=12, sha="abcdef0")
    assert from_stack_config(values).examples is True  # examples are loaded unless said


@pytest.mark.parametrize(
    ("key", "text", "field", "value"),
    [
        ("examples", "FALSE", "examples", False),
        ("debug", " True ", "debug", True),
        ("cacheRedis", "true", "cache_redis", True),
        ("sleeping", "TRUE", "sleeping", True),
        ("prepared", "true", "prepared", True),
        ("pr", "0", "pr", 0),
        ("pr", "9999999999", "pr", 9_999_999_999),
        ("pr", " 7 ", "pr", 7),
        (
            "maxAgeAt",
            "2026-12-08T09:00:00+00:00",
            "max_age_at",
            datetime(2026, 12, 8, 9, tzinfo=UTC),
        ),
    ],
)
def test_each_key_is_read_into_its_field(key: str, text: str, field: str, value: object) -> None:
    cfg = from_stack_config({**BASE, f"showtime-iac:{key}": text})
    assert getattr(cfg, field) == value


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (
            {"showtime-iac:pr": "-1"},
            "showtime-iac:pr must be a positive integer (0: the baseline), not '-1'",
        ),
        (
            {"showtime-iac:pr": "10000000000"},
            "showtime-iac:pr must be a positive integer (0: the baseline), not '10000000000'",
        ),
        (
            {"showtime-iac:pr": "9" * 50},
            f"showtime-iac:pr must be a positive integer (0: the baseline), not '{'9' * 40}'",
        ),
        (
            {"showtime-iac:sha": "x" * 70},
            f"showtime-iac:sha must be 7 to 40 lowercase hex characters, not '{'x' * 60}'",
        ),
        (
            {"showtime-iac:size": "h" * 50},
            f"unknown size '{'h' * 40}' in showtime-iac:size: choose one of small, medium, large",
        ),
        (
            {"showtime-iac:flags": '{"A": 1}'},
            'showtime-iac:flags must be a JSON object of flag → true/false, e.g. {"ALERTS":true}',
        ),
        (
            {"showtime-iac:flags": "[true]"},
            'showtime-iac:flags must be a JSON object of flag → true/false, e.g. {"ALERTS":true}',
        ),
        (
            {"showtime-iac:flags": '{"' + "B" * 80 + '": true, "' + "B" * 80 + '": false}'},
            f"showtime-iac:flags names '{'B' * 70}' twice",
        ),
        (
            {"showtime-iac:flags": "{nope"},
            "showtime-iac:flags is not valid JSON: Expecting property name enclosed in double "
            "quotes",
        ),
        (
            {"showtime-iac:created": "d" * 50},
            f"showtime-iac:created must be an ISO 8601 time, not '{'d' * 40}'",
        ),
        (
            {"showtime-iac:maxAgeAt": "next week"},
            "showtime-iac:maxAgeAt must be an ISO 8601 time, not 'next week'",
        ),
        ({"showtime-iac:examples": "no"}, "showtime-iac:examples must be true or false, not 'no'"),
        (
            {"showtime-iac:cacheRedis": "1"},
            "showtime-iac:cacheRedis must be true or false, not '1'",
        ),
        ({"showtime-iac:sleeping": "y"}, "showtime-iac:sleeping must be true or false, not 'y'"),
        ({"showtime-iac:prepared": "n"}, "showtime-iac:prepared must be true or false, not 'n'"),
    ],
)
def test_a_bad_environment_value_is_one_line_naming_the_key(
    override: dict[str, str], message: str
) -> None:
    assert _refused({**BASE, **override}) == message


def test_each_missing_required_key_is_named() -> None:
    tail = ": set it with `pulumi config set` or let `showtime-iac up` write it"
    assert _refused({}) == "missing stack config showtime-iac:pr and showtime-iac:sha" + tail
    assert (
        _refused({"showtime-iac:sha": "abcdef0"}) == "missing stack config showtime-iac:pr" + tail
    )
    assert _refused({"showtime-iac:pr": "1"}) == "missing stack config showtime-iac:sha" + tail


# --------------------------------------------------------------------------- shared


def test_the_shared_defaults_written_out() -> None:
    assert SharedConfig().to_stack_config() == {
        "aws:region": "us-west-2",
        "showtime-iac:clusterName": "superset-ci",
        "showtime-iac:ecrRepositoryName": "superset-ci",
        "showtime-iac:executionRoleName": "showtime-ecs-execution",
        "showtime-iac:subnetIds": "[]",
        "showtime-iac:ingressCidrs": '["0.0.0.0/0"]',
        "showtime-iac:logRetentionDays": "7",
        "showtime-iac:prImageMaxAgeDays": "14",
        "showtime-iac:createCluster": "false",
        "showtime-iac:createEcrRepository": "false",
        "showtime-iac:createExecutionRole": "false",
        "showtime-iac:createSecurityGroup": "false",
        "showtime-iac:ecrLifecyclePolicy": "true",
        "showtime-iac:loadBalancerName": "showtime-iac",
        "showtime-iac:loadBalancerShards": "[0]",
        "showtime-iac:loadBalancerRules": "100",
        "showtime-iac:permissionsBoundaryName": "showtime-iac-task-boundary",
        "showtime-iac:albDeletionProtection": "false",
    }
    assert SharedConfig.from_stack_config({}) == SharedConfig()


def test_every_optional_shared_value_is_written_and_read() -> None:
    shared = SharedConfig(
        cluster_arn="arn:aws:ecs:us-west-2:123456789012:cluster/c",
        ecr_repository_url="123456789012.dkr.ecr.us-west-2.amazonaws.com/superset-ci",
        execution_role_arn="arn:aws:iam::123456789012:role/exec",
        security_group_id=SG,
        vpc_id=VPC,
        subnet_ids=(SUBNET, "subnet-0123abce"),
        create_security_group=True,
        create_cluster=True,
        create_ecr_repository=True,
        create_execution_role=True,
        ecr_lifecycle_policy=False,
        domain="preview.example.org",
        certificate_arn=CERT,
        hosted_zone_id="Z0123456789ABCDEFGHIJ",
        https_listener_arn="arn:aws:elasticloadbalancing:us-west-2:123456789012:listener/app/x/0/1",
        alb_security_group_id="sg-0123abce",
        load_balancer_shards=(0, 1),
        load_balancer_rules=50,
        permissions_boundary_arn="arn:aws:iam::123456789012:policy/boundary",
        alb_deletion_protection=True,
        alb_access_logs_bucket="my-logs",
        alb_access_logs_prefix="alb",
    )
    values = shared.to_stack_config()
    assert {k: v for k, v in values.items() if k.endswith(("Arn", "Url", "Id", "domain"))} == {
        "showtime-iac:clusterArn": "arn:aws:ecs:us-west-2:123456789012:cluster/c",
        "showtime-iac:ecrRepositoryUrl": "123456789012.dkr.ecr.us-west-2.amazonaws.com/superset-ci",
        "showtime-iac:executionRoleArn": "arn:aws:iam::123456789012:role/exec",
        "showtime-iac:securityGroupId": SG,
        "showtime-iac:vpcId": VPC,
        "showtime-iac:domain": "preview.example.org",
        "showtime-iac:certificateArn": CERT,
        "showtime-iac:hostedZoneId": "Z0123456789ABCDEFGHIJ",
        "showtime-iac:httpsListenerArn": (
            "arn:aws:elasticloadbalancing:us-west-2:123456789012:listener/app/x/0/1"
        ),
        "showtime-iac:albSecurityGroupId": "sg-0123abce",
        "showtime-iac:permissionsBoundaryArn": "arn:aws:iam::123456789012:policy/boundary",
    }
    assert values["showtime-iac:albAccessLogsBucket"] == "my-logs"
    assert values["showtime-iac:albAccessLogsPrefix"] == "alb"
    assert values["showtime-iac:loadBalancerShards"] == "[0, 1]"
    assert values["showtime-iac:loadBalancerRules"] == "50"
    assert values["showtime-iac:createCluster"] == "true"
    assert values["showtime-iac:ecrLifecyclePolicy"] == "false"
    assert SharedConfig.from_stack_config(values) == shared


def test_empty_optional_shared_values_are_unset() -> None:
    values = {
        "aws:region": "",
        "showtime-iac:domain": "",
        "showtime-iac:permissionsBoundaryArn": "",
        "showtime-iac:albAccessLogsBucket": "",
        "showtime-iac:albAccessLogsPrefix": "",
    }
    assert SharedConfig.from_stack_config(values) == SharedConfig()


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"aws:region": "r" * 50}, f"invalid AWS region '{'r' * 40}'"),
        ({"showtime-iac:clusterName": "a b"}, "invalid ECS cluster name 'a b'"),
        (
            {"showtime-iac:ecrRepositoryName": "a" * 257},
            f"invalid ECR repository name '{'a' * 80}'",
        ),
        ({"showtime-iac:executionRoleName": "a b"}, "invalid IAM role name 'a b'"),
        (
            {"showtime-iac:logRetentionDays": "2"},
            "log retention 2 days is not one CloudWatch accepts (1, 3, 5, 7, 14, 30, 60, 90, ...)",
        ),
        (
            {"showtime-iac:logRetentionDays": " 7d"},
            "showtime-iac:logRetentionDays must be a whole number, not '7d'",
        ),
        ({"showtime-iac:prImageMaxAgeDays": "0"}, "PR image max age 0 must be 1 to 3650 days"),
        (
            {"showtime-iac:prImageMaxAgeDays": "3651"},
            "PR image max age 3651 must be 1 to 3650 days",
        ),
        (
            {"showtime-iac:prImageMaxAgeDays": "-1"},
            "showtime-iac:prImageMaxAgeDays must be a whole number, not '-1'",
        ),
        ({"showtime-iac:executionRoleArn": "role/x"}, "invalid ARN 'role/x'"),
        ({"showtime-iac:ecrRepositoryUrl": "ecr/x"}, "invalid ECR repository URL 'ecr/x'"),
        ({"showtime-iac:vpcId": "net-1"}, "invalid VPC id 'net-1'"),
        (
            {"showtime-iac:subnetIds": '["vpc-123"]'},
            "showtime-iac:subnetIds: 'vpc-123' is not a valid subnet id",
        ),
        (
            {"showtime-iac:subnetIds": '{"a": 1}'},
            "showtime-iac:subnetIds must be a JSON list of subnet ids",
        ),
        (
            {"showtime-iac:ingressCidrs": "[1]"},
            "showtime-iac:ingressCidrs must be a JSON list of CIDRs",
        ),
        (
            {"showtime-iac:ingressCidrs": '["' + "c" * 70 + '"]'},
            f"showtime-iac:ingressCidrs: '{'c' * 60}' is not a valid CIDR",
        ),
        (
            {"showtime-iac:subnetIds": '["subnet-0123abcd", "subnet-0123abcd"'},
            "showtime-iac:subnetIds is not valid JSON: Expecting ',' delimiter",
        ),
        (
            {"showtime-iac:createSecurityGroup": "true"},
            "createSecurityGroup needs showtime-iac:vpcId",
        ),
        (
            {"showtime-iac:createCluster": "maybe"},
            "showtime-iac:createCluster must be true or false, not 'maybe'",
        ),
        (
            {"showtime-iac:loadBalancerRules": "x"},
            "showtime-iac:loadBalancerRules must be a whole number, not 'x'",
        ),
    ],
)
def test_a_bad_shared_value_is_one_line(values: dict[str, str], message: str) -> None:
    with pytest.raises(StackConfigError) as err:
        SharedConfig.from_stack_config(values)
    assert str(err.value) == message


def test_the_shared_numbers_at_their_bounds() -> None:
    for days in (1, 3650):
        assert SharedConfig(pr_image_max_age_days=days).pr_image_max_age_days == days
    assert SharedConfig(log_retention_days=3653).log_retention_days == 3653
    name = "a" * 256
    assert SharedConfig(ecr_repository_name=name).ecr_repository_name == name
    got = SharedConfig.from_stack_config({"showtime-iac:logRetentionDays": " 14 "})
    assert got.log_retention_days == 14


def test_the_permissions_boundary_is_the_configured_one_or_the_shared_stacks() -> None:
    assert SharedConfig().permissions_boundary("123456789012") == (
        "arn:aws:iam::123456789012:policy/showtime-iac-task-boundary"
    )
    own = "arn:aws:iam::123456789012:policy/org/b"
    assert SharedConfig(permissions_boundary_arn=own).permissions_boundary("1") == own


def test_the_offline_default_in_https_mode() -> None:
    shared = SharedConfig.offline_default("preview.example.org")
    assert (shared.vpc_id, shared.https_listener_arn, shared.alb_security_group_id) == (
        "vpc-placeholder",
        "arn:aws:elasticloadbalancing:us-west-2:000000000000:listener/app/placeholder/0/0",
        "sg-placeholder-alb",
    )
    assert shared.domain == "preview.example.org"
    assert shared.placeholders == (
        "subnet-placeholder-a",
        "subnet-placeholder-b",
        "sg-placeholder",
        "vpc-placeholder",
        "sg-placeholder-alb",
        "arn:aws:elasticloadbalancing:us-west-2:000000000000:listener/app/placeholder/0/0",
    )
    assert SharedConfig.offline_default().vpc_id is None
    with pytest.raises(StackConfigError) as err:
        shared.require_deployable()
    assert str(err.value) == (
        "placeholder ids subnet-placeholder-a, subnet-placeholder-b, sg-placeholder, "
        "vpc-placeholder, sg-placeholder-alb, "
        "arn:aws:elasticloadbalancing:us-west-2:000000000000:listener/app/placeholder/0/0 "
        "cannot be deployed: set showtime-iac:subnetIds and showtime-iac:securityGroupId to "
        "real ids"
    )
    cert = SharedConfig(certificate_arn="arn:aws:acm:us-west-2:1:certificate/placeholder")
    assert cert.placeholders == ("arn:aws:acm:us-west-2:1:certificate/placeholder",)


def test_what_a_deploy_needs_is_named() -> None:
    with pytest.raises(StackConfigError) as err:
        SharedConfig(security_group_id=SG).require_deployable()
    assert (
        str(err.value) == "no subnets: set showtime-iac:subnetIds (JSON list) on the shared stack"
    )
    with pytest.raises(StackConfigError) as err:
        SharedConfig(subnet_ids=(SUBNET,)).require_deployable()
    assert str(err.value) == (
        "no security group: set showtime-iac:securityGroupId, or "
        "showtime-iac:createSecurityGroup=true with showtime-iac:vpcId"
    )
    # a security group the shared stack creates is one
    SharedConfig(subnet_ids=(SUBNET,), create_security_group=True, vpc_id=VPC).require_deployable()
    with pytest.raises(StackConfigError) as err:
        SharedConfig(
            subnet_ids=(SUBNET,), security_group_id=SG, domain="preview.example.org"
        ).require_deployable()
    assert str(err.value) == (
        "HTTPS mode (showtime-iac:domain=preview.example.org) needs showtime-iac:vpcId "
        "(the load balancer's and the target groups' VPC)"
    )
    SharedConfig(
        subnet_ids=(SUBNET,), security_group_id=SG, domain="preview.example.org", vpc_id=VPC
    ).require_deployable()


def test_what_a_load_balancer_needs_is_named() -> None:
    SharedConfig().require_load_balancer()  # no domain: no load balancer, nothing needed
    two = (SUBNET, "subnet-0123abce")
    with pytest.raises(StackConfigError) as err:
        SharedConfig(domain="preview.example.org", subnet_ids=two).require_load_balancer()
    assert str(err.value) == (
        "HTTPS mode needs a certificate of *.preview.example.org: set "
        "showtime-iac:certificateArn, or showtime-iac:hostedZoneId to create one"
    )
    with pytest.raises(StackConfigError) as err:
        SharedConfig(
            domain="preview.example.org", certificate_arn=CERT, subnet_ids=(SUBNET,)
        ).require_load_balancer()
    assert str(err.value) == (
        "a load balancer needs subnets in two availability zones: list two or more "
        "in showtime-iac:subnetIds"
    )
    SharedConfig(
        domain="preview.example.org", certificate_arn=CERT, subnet_ids=two
    ).require_load_balancer()
    SharedConfig(
        domain="preview.example.org", hosted_zone_id="Z0123456789A", subnet_ids=two
    ).require_load_balancer()


def test_the_shared_stack_reference_and_its_https_values() -> None:
    got = shared_source(
        {
            "showtime-iac:sharedStack": "org/showtime-iac/shared",
            "showtime-iac:domain": "preview.example.org",
            "showtime-iac:hostedZoneId": "Z0123456789A",
        }
    )
    assert got == SharedStackRef("org/showtime-iac/shared", "preview.example.org", "Z0123456789A")
    empty = {
        "showtime-iac:sharedStack": "shared",
        "showtime-iac:domain": "",
        "showtime-iac:hostedZoneId": "",
    }
    assert shared_source(empty) == SharedStackRef("shared", None, None)
    with pytest.raises(StackConfigError, match="unknown config key"):
        shared_source({"showtime-iac:sharedStack": "shared", "showtime-iac:typo": "x"})
    assert isinstance(shared_source({"showtime-iac:sharedStack": ""}), SharedConfig)
    with pytest.raises(StackConfigError) as err:
        SharedStackRef("a/b/c/d")
    assert str(err.value) == "invalid shared stack name 'a/b/c/d'"
    assert SharedStackRef("o" * 100 + "/p/" + "s" * 100).name.endswith("s")
    with pytest.raises(StackConfigError, match="invalid shared stack name"):
        SharedStackRef("o" * 101)
    with pytest.raises(StackConfigError, match="invalid domain"):
        SharedStackRef("shared", "Preview.example.org")
    with pytest.raises(StackConfigError, match="invalid hosted zone id"):
        SharedStackRef("shared", "preview.example.org", "zone")


# --------------------------------------------------------------------------- build


def test_the_build_config_written_out_and_its_defaults() -> None:
    assert BuildConfig().to_stack_config() == {
        "showtime-iac:buildContext": "superset",
        "showtime-iac:platform": "linux/amd64",
        "showtime-iac:buildTarget": "ci",
    }
    assert BuildConfig("src", "src/Dockerfile", None, "linux/arm64/v8").to_stack_config() == {
        "showtime-iac:buildContext": "src",
        "showtime-iac:platform": "linux/arm64/v8",
        "showtime-iac:buildTarget": "",
        "showtime-iac:dockerfile": "src/Dockerfile",
    }
    assert BuildConfig.from_stack_config({}) == BuildConfig("superset", None, "ci", "linux/amd64")
    empty = {
        "showtime-iac:buildContext": "",
        "showtime-iac:dockerfile": "",
        "showtime-iac:buildTarget": "",
        "showtime-iac:platform": "",
    }
    assert BuildConfig.from_stack_config(empty) == BuildConfig(
        "superset", None, None, "linux/amd64"
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"context": ""}, "invalid build context ''"),
        ({"context": "a\nb"}, "invalid build context 'a\\nb'"),
        ({"target": "a b"}, "invalid build target 'a b'"),
        ({"target": "t" * 65}, f"invalid build target '{'t' * 65}'"),
        ({"platform": "linux"}, "invalid platform 'linux'"),
        ({"platform": "Linux/amd64"}, "invalid platform 'Linux/amd64'"),
    ],
)
def test_a_bad_build_config_is_named(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(StackConfigError) as err:
        BuildConfig(**kwargs)
    assert str(err.value) == message
    assert BuildConfig(target="t" * 64).target == "t" * 64


def test_the_flags_written_lower_case_both_ways() -> None:
    values = to_stack_config(EnvConfig(pr=1, sha="abcdef0"))
    flags = {
        k: values[f"showtime-iac:{k}"] for k in ("debug", "examples", "cacheRedis", "sleeping")
    }
    assert flags == {
        "debug": "false",
        "examples": "true",
        "cacheRedis": "false",
        "sleeping": "false",
    }
    on = to_stack_config(EnvConfig(pr=1, sha="abcdef0", debug=True, examples=False))
    assert (on["showtime-iac:debug"], on["showtime-iac:examples"]) == ("true", "false")


@pytest.mark.parametrize(
    "name",
    [
        "createCluster",
        "createEcrRepository",
        "createExecutionRole",
        "createSecurityGroup",
        "ecrLifecyclePolicy",
        "albDeletionProtection",
    ],
)
def test_a_bad_shared_switch_is_named(name: str) -> None:
    with pytest.raises(StackConfigError) as err:
        SharedConfig.from_stack_config({f"showtime-iac:{name}": "on"})
    assert str(err.value) == f"showtime-iac:{name} must be true or false, not 'on'"


def test_a_bad_debug_switch_is_named() -> None:
    assert _refused({**BASE, "showtime-iac:debug": "on"}) == (
        "showtime-iac:debug must be true or false, not 'on'"
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"hosted_zone_id": "zone"}, "invalid hosted zone id 'zone'"),
        ({"alb_security_group_id": "group"}, "invalid security group id 'group'"),
        (
            {"permissions_boundary_arn": "boundary"},
            "invalid permissions boundary 'boundary': the ARN of a managed policy of this "
            "account, arn:aws:iam::<account>:policy/<name>",
        ),
        (
            {"alb_access_logs_bucket": "my-logs", "alb_access_logs_prefix": "/alb"},
            "invalid access log prefix '/alb': no leading or trailing /, never AWSLogs",
        ),
        # values echoed cut to a readable length
        ({"cluster_name": "c" * 90 + " "}, f"invalid ECS cluster name '{'c' * 80}'"),
        ({"execution_role_name": "r" * 90 + " "}, f"invalid IAM role name '{'r' * 80}'"),
        ({"cluster_arn": "a" * 110}, f"invalid ARN '{'a' * 100}'"),
        ({"ecr_repository_url": "u" * 110}, f"invalid ECR repository URL '{'u' * 100}'"),
        ({"security_group_id": "s" * 70}, f"invalid security group id '{'s' * 60}'"),
        ({"subnet_ids": ("n" * 70,)}, f"invalid subnet id '{'n' * 60}'"),
        ({"ingress_cidrs": ("c" * 70,)}, f"invalid CIDR '{'c' * 60}'"),
    ],
)
def test_every_shared_value_is_checked_and_named(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(StackConfigError) as err:
        SharedConfig(**kwargs)  # type: ignore[arg-type]
    assert str(err.value) == message


def test_long_values_are_echoed_cut() -> None:
    with pytest.raises(StackConfigError) as err:
        SharedConfig.from_stack_config({"showtime-iac:loadBalancerRules": "9" * 30 + "x" * 30})
    assert str(err.value) == (
        f"showtime-iac:loadBalancerRules must be a whole number, not '{'9' * 30 + 'x' * 10}'"
    )
    with pytest.raises(StackConfigError) as err:
        SharedStackRef("n" * 90 + " ")
    assert str(err.value) == f"invalid shared stack name '{'n' * 80}'"
    for kwargs, message in (
        ({"context": "c" * 90 + "\n"}, f"invalid build context '{'c' * 80}'"),
        ({"target": "t" * 90}, f"invalid build target '{'t' * 80}'"),
        ({"platform": "p" * 50}, f"invalid platform '{'p' * 40}'"),
    ):
        with pytest.raises(StackConfigError) as err:
            BuildConfig(**kwargs)
        assert str(err.value) == message


def test_stack_and_target_names_may_be_upper_case() -> None:
    assert SharedStackRef("Org/Showtime-IAC/Shared").name == "Org/Showtime-IAC/Shared"
    assert BuildConfig(target="CI_Lean").target == "CI_Lean"
