"""Least privilege in the program (issue 27): every environment's role carries the permissions
boundary and trusts ECS tasks of this account only; the shared stack creates the boundary (or
takes an existing one) and looks up no execution role; the load balancers' deletion protection
and access logs are optional, off by default. Under Pulumi's mocks of the real program."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pulumi
import pytest

from showtime_iac import program
from showtime_iac.core.stack_config import SharedConfig, SharedStackRef, StackConfigError
from showtime_iac.program import (
    MOCK_ACCOUNT,
    RecordingMocks,
    evaluate_offline,
    evaluate_stack_offline,
    render_offline,
    render_shared_offline,
)
from showtime_iac.program.shared import declare_shared

from .helpers import DOMAIN, ROLE, by_type, cfg_of, env_values

POLICY = "aws:iam/policy:Policy"
LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
DEFAULT_BOUNDARY = f"arn:aws:iam::{MOCK_ACCOUNT}:policy/showtime-iac-task-boundary"
GIVEN = "arn:aws:iam::123456789012:policy/org/showtime-boundary"
NET = {
    "subnet_ids": ("subnet-0123456789abcdef0", "subnet-0fedcba9876543210"),
    "security_group_id": "sg-0123456789abcdef0",
}
HTTPS = SharedConfig(
    vpc_id="vpc-0123456789abcdef0",
    domain=DOMAIN,
    certificate_arn="arn:aws:acm:us-west-2:123456789012:certificate/abc",
    load_balancer_shards=(0, 1),
    **NET,  # type: ignore[arg-type]
)


# --------------------------------------------------------------------------- environment roles


def test_an_environments_role_carries_the_shared_stacks_boundary() -> None:
    role = by_type(render_offline(cfg_of()))[ROLE].inputs
    assert role["permissionsBoundary"] == DEFAULT_BOUNDARY


def test_a_configured_boundary_is_the_one_the_role_carries() -> None:
    shared = dataclasses.replace(SharedConfig.offline_default(), permissions_boundary_arn=GIVEN)
    assert by_type(render_offline(cfg_of(), shared))[ROLE].inputs["permissionsBoundary"] == GIVEN


def test_on_a_stack_reference_the_role_carries_the_shared_stacks_output() -> None:
    out = evaluate_offline(cfg_of(), SharedStackRef("org/showtime-iac/shared"))
    (role,) = [r for r in out.resources if r.type == ROLE]
    assert role.inputs["permissionsBoundary"] == DEFAULT_BOUNDARY


def test_a_shared_stack_without_the_boundary_output_is_a_clear_error() -> None:
    """A shared stack from before boundaries: the environment says to run its `up` first."""
    from showtime_iac.program.inputs import _boundary_of

    assert _boundary_of(GIVEN, "shared") == GIVEN
    for missing in (None, ""):
        with pytest.raises(StackConfigError, match="shared exports no permissionsBoundaryArn"):
            _boundary_of(missing, "shared")


def test_the_role_trusts_ecs_tasks_of_this_account_only() -> None:
    trust = json.loads(by_type(render_offline(cfg_of()))[ROLE].inputs["assumeRolePolicy"])
    assert trust == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": MOCK_ACCOUNT}},
            }
        ],
    }


# --------------------------------------------------------------------------- the boundary


def test_the_shared_stack_creates_the_boundary_on_a_fresh_account() -> None:
    out = render_shared_offline(SharedConfig(**NET))  # type: ignore[arg-type]
    (policy,) = [r for r in out.resources if r.type == POLICY]
    assert policy.inputs["name"] == "showtime-iac-task-boundary"
    assert policy.protect
    assert out.outputs["permissionsBoundaryArn"] == DEFAULT_BOUNDARY
    assert json.loads(policy.inputs["policy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "EcrAuth",
                "Effect": "Allow",
                "Action": "ecr:GetAuthorizationToken",
                "Resource": "*",
            },
            {
                "Sid": "EcrPull",
                "Effect": "Allow",
                "Action": [
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:GetDownloadUrlForLayer",
                    "ecr:BatchGetImage",
                ],
                "Resource": "arn:aws:ecr:*:*:repository/*",
            },
            {
                "Sid": "Logs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": f"arn:aws:logs:us-west-2:{MOCK_ACCOUNT}:log-group:/showtime/*:*",
            },
            {
                "Sid": "OwnSecrets",
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": f"arn:aws:secretsmanager:us-west-2:{MOCK_ACCOUNT}:secret:sti-*",
            },
        ],
    }


def test_a_configured_boundary_is_not_created() -> None:
    out = render_shared_offline(SharedConfig(permissions_boundary_arn=GIVEN, **NET))  # type: ignore[arg-type]
    assert [r for r in out.resources if r.type == POLICY] == []
    assert out.outputs["permissionsBoundaryArn"] == GIVEN


def test_the_shipped_boundary_is_the_one_the_program_creates() -> None:
    """docs/iam/task-boundary-policy.json (for an account that creates it itself) is the
    program's, for account 123456789012 in us-west-2."""
    from showtime_iac.program.access import task_boundary_policy

    from .iam_lint import IAM_DIR

    shipped = json.loads((IAM_DIR / "task-boundary-policy.json").read_text())
    assert shipped == json.loads(task_boundary_policy("123456789012", "us-west-2"))


def test_the_environments_policy_fits_within_the_boundary() -> None:
    """Every action of an environment's own policy is one the boundary allows, on a resource
    the boundary covers (its glob)."""
    from fnmatch import fnmatchcase

    res = render_offline(cfg_of())
    own = json.loads(
        next(r for r in res if r.type.endswith("rolePolicy:RolePolicy")).inputs["policy"]
    )
    shared = render_shared_offline(SharedConfig(**NET))  # type: ignore[arg-type]
    boundary = json.loads(next(r for r in shared.resources if r.type == POLICY).inputs["policy"])

    def listed(v: Any) -> list[str]:
        return [v] if isinstance(v, str) else list(v)

    for s in own["Statement"]:
        for action in listed(s["Action"]):
            for resource in listed(s["Resource"]):
                assert any(
                    action in listed(b["Action"])
                    and any(fnmatchcase(resource, g) for g in listed(b["Resource"]))
                    for b in boundary["Statement"]
                ), (action, resource)


# --------------------------------------------------------------------------- no execution role


class Lookups(RecordingMocks):
    """Mocks that record the token of every lookup (a fresh account has no role to find)."""

    def __init__(self, region: str, shared: SharedConfig) -> None:
        super().__init__(region, shared)
        self.tokens: list[str] = []

    def call(self, args: pulumi.runtime.MockCallArgs) -> Any:
        self.tokens.append(args.token)
        return super().call(args)


def _lookups(shared: SharedConfig, fn: Any = None) -> tuple[Lookups, Any]:
    mocks = Lookups(shared.region, shared)
    out = program._evaluate("shared", shared, fn or (lambda: declare_shared(shared)), mocks=mocks)
    return mocks, out


def test_the_shared_stack_looks_up_no_execution_role() -> None:
    """Before issue 27 the shared stack looked up ``showtime-ecs-execution`` by name, which a
    fresh account has not: its first `up` failed on a role nothing used."""
    shared = SharedConfig(**NET)  # type: ignore[arg-type]
    mocks, out = _lookups(shared)
    # the existing cluster and repository, and the account (the boundary's ARNs): no role
    assert sorted(set(mocks.tokens)) == [
        "aws:ecr/getRepository:getRepository",
        "aws:ecs/getCluster:getCluster",
        "aws:index/getCallerIdentity:getCallerIdentity",
    ]
    assert "executionRoleArn" not in out.outputs
    assert not any(r.type == ROLE for r in out.resources)


def test_the_lookup_recorder_sees_a_role_lookup() -> None:
    """The check above can fail: a program that looks the role up is seen doing it."""
    import pulumi_aws as aws

    shared = SharedConfig(**NET)  # type: ignore[arg-type]

    def looks_up() -> dict[str, pulumi.Output[Any]]:
        return {"arn": aws.iam.get_role_output(name=shared.execution_role_name).arn}

    mocks, _ = _lookups(shared, looks_up)
    assert mocks.tokens == ["aws:iam/getRole:getRole"]


def test_the_example_shared_stack_renders_without_an_execution_role() -> None:
    from .helpers import stack_file

    out = evaluate_stack_offline("shared", stack_file("Pulumi.shared.yaml"))
    assert not any(r.type == ROLE for r in out.resources)


def test_an_environment_needs_no_shared_execution_role() -> None:
    values = env_values(cfg_of())
    assert not any("executionRole" in k for k in values)
    res = evaluate_stack_offline(cfg_of().stack, values).resources
    (role,) = [r for r in res if r.type == ROLE]
    assert role.inputs["name"] == "sti-pr-1234-abc1234-exec"


# --------------------------------------------------------------------------- load balancers


def _albs(shared: SharedConfig) -> dict[str, dict[str, Any]]:
    res = render_shared_offline(shared).resources
    return {r.name: r.inputs for r in res if r.type == LOAD_BALANCER}


def test_deletion_protection_and_access_logs_are_off_by_default() -> None:
    albs = _albs(HTTPS)
    assert set(albs) == {"load-balancer", "load-balancer-s1"}
    for alb in albs.values():
        assert alb["enableDeletionProtection"] is False
        assert "accessLogs" not in alb


def test_deletion_protection_covers_shard_zero_only() -> None:
    """The cleanup removes an empty shard: deletion protection would refuse it."""
    albs = _albs(dataclasses.replace(HTTPS, alb_deletion_protection=True))
    assert albs["load-balancer"]["enableDeletionProtection"] is True
    assert albs["load-balancer-s1"]["enableDeletionProtection"] is False


def test_access_logs_go_to_the_configured_bucket_from_every_shard() -> None:
    shared = dataclasses.replace(
        HTTPS, alb_access_logs_bucket="my-elb-logs", alb_access_logs_prefix="showtime/preview"
    )
    for alb in _albs(shared).values():
        assert alb["accessLogs"] == {
            "bucket": "my-elb-logs",
            "prefix": "showtime/preview",
            "enabled": True,
        }
    no_prefix = dataclasses.replace(HTTPS, alb_access_logs_bucket="my-elb-logs")
    for alb in _albs(no_prefix).values():
        assert alb["accessLogs"] == {"bucket": "my-elb-logs", "enabled": True}


def test_the_options_are_read_from_stack_config() -> None:
    values = {
        "showtime-iac:albDeletionProtection": "true",
        "showtime-iac:albAccessLogsBucket": "my-elb-logs",
        "showtime-iac:albAccessLogsPrefix": "showtime",
        "showtime-iac:permissionsBoundaryArn": GIVEN,
    }
    shared = SharedConfig.from_stack_config(values)
    assert (
        shared.alb_deletion_protection,
        shared.alb_access_logs_bucket,
        shared.alb_access_logs_prefix,
        shared.permissions_boundary_arn,
    ) == (True, "my-elb-logs", "showtime", GIVEN)
    assert SharedConfig.from_stack_config(shared.to_stack_config()) == shared
    default = SharedConfig.from_stack_config({})
    assert (default.alb_deletion_protection, default.alb_access_logs_bucket) == (False, None)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"showtime-iac:albDeletionProtection": "yes"}, "must be true or false"),
        ({"showtime-iac:albAccessLogsBucket": "My_Bucket"}, "invalid S3 bucket name"),
        (
            {"showtime-iac:albAccessLogsBucket": "logs", "showtime-iac:albAccessLogsPrefix": "/x"},
            "invalid access log prefix",
        ),
        (
            {
                "showtime-iac:albAccessLogsBucket": "logs",
                "showtime-iac:albAccessLogsPrefix": "a/AWSLogs",
            },
            "invalid access log prefix",
        ),
        ({"showtime-iac:albAccessLogsPrefix": "x"}, "needs showtime-iac:albAccessLogsBucket"),
        ({"showtime-iac:permissionsBoundaryArn": "arn:aws:iam::1:role/x"}, "invalid permissions"),
        ({"showtime-iac:permissionsBoundaryName": "a b"}, "invalid IAM policy name"),
    ],
)
def test_bad_options_are_one_line_errors(values: dict[str, str], message: str) -> None:
    with pytest.raises(StackConfigError, match=message) as exc:
        SharedConfig.from_stack_config(values)
    assert "\n" not in str(exc.value)


def test_the_load_balancer_options_meet_pulumi_aws_and_botocore() -> None:
    """Rendered with both options, the load balancers validate (botocore's CreateLoadBalancer,
    pulumi_aws's typed arguments); a typo in the access logs is caught."""
    from .aws_models import ensure_ready, validate
    from .test_aws_models import mutate

    ensure_ready()
    shared = dataclasses.replace(
        HTTPS,
        alb_deletion_protection=True,
        alb_access_logs_bucket="my-elb-logs",
        alb_access_logs_prefix="showtime",
    )
    albs = [r for r in render_shared_offline(shared).resources if r.type == LOAD_BALANCER]
    assert len(albs) == 2
    assert validate(albs) == []
    typo = mutate(albs[0], "accessLogs.bucket", rename="buckett")
    assert {p.path for p in validate([typo])} == {"accessLogs.bucket", "accessLogs.buckett"}
