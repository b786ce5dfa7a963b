"""program.shared: the shared stack under Pulumi mocks."""

from __future__ import annotations

import json

from showtime_iac import program
from showtime_iac.core.stack_config import (
    SharedConfig,
)
from showtime_iac.program import (
    MOCK_ACCOUNT,
    evaluate_stack_offline,
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
    assert [r.type for r in out.resources] == ["aws:ecr/lifecyclePolicy:LifecyclePolicy"]
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
        )
    )
    assert none.resources == []
    assert set(none.outputs) == set(program.SHARED_OUTPUTS)


def test_example_shared_stack_config_evaluates() -> None:
    values = stack_file("Pulumi.shared.yaml")
    shared = SharedConfig.from_stack_config(values)
    assert (shared.cluster_name, shared.ecr_repository_name) == ("superset-ci", "superset-ci")
    out = evaluate_stack_offline("shared", values)
    assert [r.type for r in out.resources] == ["aws:ecr/lifecyclePolicy:LifecyclePolicy"]
