"""The shared stack (program/shared.py), resource by resource and output by output, when it
creates everything and when it looks everything up. Written out; rendered afresh. The
permissions boundary's statements are access.py's contract (test_access_contracts.py)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from showtime_iac.core.stack_config import SharedConfig
from showtime_iac.program import render_shared_offline, shared_tags

TAGS = {"showtime:stack": "shared", "showtime:managed-by": "showtime-iac"}
CREATE_ALL = SharedConfig(
    create_cluster=True,
    create_ecr_repository=True,
    create_execution_role=True,
    create_security_group=True,
    vpc_id="vpc-0123456789abcdef0",
    subnet_ids=("subnet-0123456789abcdef0",),
    ingress_cidrs=("10.0.0.0/8", "192.0.2.0/24"),
    pr_image_max_age_days=10,
)
EXISTING = SharedConfig(
    subnet_ids=("subnet-0123456789abcdef0",), security_group_id="sg-0123456789abcdef0"
)
REPO_URL = "000000000000.dkr.ecr.us-west-2.amazonaws.com/superset-ci"
BOUNDARY = "arn:aws:iam::000000000000:policy/showtime-iac-task-boundary"


def _render(shared: SharedConfig) -> tuple[dict[str, Any], dict[str, Any]]:
    out = render_shared_offline(shared)
    names = [r.name for r in out.resources]
    assert len(names) == len(set(names))
    return {r.name: r for r in out.resources}, dict(out.outputs)


def test_the_shared_tags_carry_no_pr() -> None:
    assert shared_tags() == TAGS


def test_creating_everything_declares_each_resource_protected_as_written() -> None:
    found, outputs = _render(CREATE_ALL)
    assert set(found) == {
        "cluster",
        "ecr-repository",
        "ecr-lifecycle",
        "permissions-boundary",
        "execution-role",
        "execution-role-policy",
        "security-group",
    }
    assert all(r.protect for r in found.values())
    assert found["cluster"].inputs == {"name": "superset-ci"}
    assert found["ecr-repository"].inputs == {
        "name": "superset-ci",
        "imageTagMutability": "MUTABLE",
        "imageScanningConfiguration": {"scanOnPush": True},
    }
    for name in ("cluster", "ecr-repository", "permissions-boundary", "execution-role"):
        assert found[name].tags == TAGS, name
    boundary = found["permissions-boundary"].inputs
    assert (boundary["name"], boundary["description"]) == (
        "showtime-iac-task-boundary",
        "showtime-iac: the most a preview environment's role may ever do",
    )
    assert "arn:aws:logs:us-west-2:000000000000:log-group:/showtime/*:*" in boundary["policy"]
    role = found["execution-role"].inputs
    assert role["name"] == "showtime-ecs-execution"
    assert role["description"] == (
        "showtime-iac: unused since each environment has its own execution role"
    )
    assert role["permissionsBoundary"] == BOUNDARY
    assert json.loads(role["assumeRolePolicy"])["Statement"][0]["Principal"] == {
        "Service": "ecs-tasks.amazonaws.com"
    }
    policy = found["execution-role-policy"].inputs
    assert policy["role"] == "showtime-ecs-execution"
    assert json.loads(policy["policy"]) == {
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
                "Resource": "arn:aws:ecr:us-west-2:000000000000:repository/superset-ci",
            },
            {
                "Sid": "Logs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": "arn:aws:logs:us-west-2:*:log-group:/showtime/*:*",
            },
        ],
    }
    sg = found["security-group"]
    assert sg.tags == TAGS
    assert sg.inputs == {
        "name": "showtime-superset-ci",
        "description": "showtime-iac preview environments: Superset on 8080",
        "vpcId": "vpc-0123456789abcdef0",
        "ingress": [
            {
                "protocol": "tcp",
                "fromPort": 8080,
                "toPort": 8080,
                "cidrBlocks": ["10.0.0.0/8", "192.0.2.0/24"],
                "description": "Superset",
            }
        ],
        "egress": [
            {
                "protocol": "-1",
                "fromPort": 0,
                "toPort": 0,
                "cidrBlocks": ["0.0.0.0/0"],
                "description": "image pulls, logs, examples download",
            }
        ],
    }
    sg_id = outputs.pop("securityGroupId")
    assert sg_id.startswith("sg-") and sg_id != "sg-0123456789abcdef0"
    assert outputs == {
        "region": "us-west-2",
        "clusterName": "superset-ci",
        "clusterArn": "arn:aws:ecs:us-west-2:000000000000:cluster/superset-ci",
        "ecrRepositoryName": "superset-ci",
        "ecrRepositoryUrl": REPO_URL,
        "permissionsBoundaryArn": BOUNDARY,
        "subnetIds": ["subnet-0123456789abcdef0"],
        "logRetentionDays": 7,
    }


def test_the_lifecycle_policy_expires_untagged_images_and_only_the_originals_tags() -> None:
    found, _ = _render(CREATE_ALL)
    lifecycle = found["ecr-lifecycle"].inputs
    assert lifecycle["repository"] == "superset-ci"
    assert json.loads(lifecycle["policy"]) == {
        "rules": [
            {
                "rulePriority": 1,
                "description": "expire untagged images after 1 day",
                "selection": {
                    "tagStatus": "untagged",
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": 1,
                },
                "action": {"type": "expire"},
            },
            {
                "rulePriority": 2,
                "description": "expire the original Showtime's images (pr-*) after 10 days",
                "selection": {
                    "tagStatus": "tagged",
                    "tagPrefixList": ["pr-"],
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": 10,
                },
                "action": {"type": "expire"},
            },
        ]
    }
    found, _ = _render(replace(CREATE_ALL, ecr_lifecycle_policy=False))
    assert "ecr-lifecycle" not in found


def test_looking_everything_up_creates_only_the_boundary_and_the_lifecycle() -> None:
    found, outputs = _render(EXISTING)
    assert set(found) == {"ecr-lifecycle", "permissions-boundary"}
    assert outputs == {
        "region": "us-west-2",
        "clusterName": "superset-ci",
        "clusterArn": "arn:aws:ecs:us-west-2:000000000000:cluster/superset-ci",
        "ecrRepositoryName": "superset-ci",
        "ecrRepositoryUrl": REPO_URL,
        "permissionsBoundaryArn": BOUNDARY,
        "securityGroupId": "sg-0123456789abcdef0",
        "subnetIds": ["subnet-0123456789abcdef0"],
        "logRetentionDays": 7,
    }


def test_configured_arns_and_urls_are_used_as_given() -> None:
    given = replace(
        EXISTING,
        cluster_arn="arn:aws:ecs:us-west-2:123456789012:cluster/superset-ci",
        ecr_repository_url="123456789012.dkr.ecr.us-west-2.amazonaws.com/superset-ci",
        permissions_boundary_arn="arn:aws:iam::123456789012:policy/our-boundary",
    )
    found, outputs = _render(given)
    assert set(found) == {"ecr-lifecycle"}  # no boundary created: the configured one is used
    assert outputs["clusterArn"] == "arn:aws:ecs:us-west-2:123456789012:cluster/superset-ci"
    assert outputs["ecrRepositoryUrl"] == (
        "123456789012.dkr.ecr.us-west-2.amazonaws.com/superset-ci"
    )
    assert outputs["permissionsBoundaryArn"] == "arn:aws:iam::123456789012:policy/our-boundary"


def _lifecycle_dependencies(shared: SharedConfig) -> tuple[str, ...]:
    from showtime_iac.program import RecordingMocks, _evaluate, declare_shared

    mocks = RecordingMocks(shared.region, shared)
    _evaluate("shared", shared, lambda: declare_shared(shared), mocks=mocks)
    return mocks.dependencies[("aws:ecr/lifecyclePolicy:LifecyclePolicy", "ecr-lifecycle")]


def test_the_lifecycle_policy_waits_for_the_repository_the_stack_creates() -> None:
    """It names the repository by its name only: without the dependency a first `up` puts the
    policy on a repository that does not exist yet."""
    assert _lifecycle_dependencies(CREATE_ALL) == (
        "urn:pulumi:shared::showtime-iac::pulumi:pulumi:Stack$aws:ecr/repository:Repository::"
        "ecr-repository",
    )
    assert _lifecycle_dependencies(EXISTING) == ()  # an existing repository: nothing to wait for


def test_the_stack_exports_exactly_what_environments_read() -> None:
    """What ``pulumi up`` of the shared stack exports (the StackReference's outputs), as the
    real entry point declares it from the stack config."""
    from showtime_iac.program import evaluate_stack_offline

    out = evaluate_stack_offline("shared", EXISTING.to_stack_config())
    assert out.outputs == {
        "region": "us-west-2",
        "clusterName": "superset-ci",
        "clusterArn": "arn:aws:ecs:us-west-2:000000000000:cluster/superset-ci",
        "ecrRepositoryName": "superset-ci",
        "ecrRepositoryUrl": REPO_URL,
        "permissionsBoundaryArn": BOUNDARY,
        "securityGroupId": "sg-0123456789abcdef0",
        "subnetIds": ["subnet-0123456789abcdef0"],
        "logRetentionDays": 7,
    }


def test_offline_a_config_without_the_ids_exports_them_empty_never_made_up() -> None:
    """A real `up` refuses such a config (``require_deployable``); the offline render shows
    the ids the config lacks as empty, not as an invented value."""
    no_group = replace(EXISTING, security_group_id=None)
    assert _render(no_group)[1]["securityGroupId"] == ""
    https = replace(
        no_group,
        domain="preview.example.org",
        certificate_arn="arn:aws:acm:us-west-2:123456789012:certificate/0a1b2c3d",
        subnet_ids=("subnet-0123456789abcdef0", "subnet-0fedcba9876543210"),
    )
    outputs = _render(https)[1]
    assert (outputs["securityGroupId"], outputs["vpcId"], outputs["hostedZoneId"]) == ("", "", "")
