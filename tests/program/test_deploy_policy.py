"""The deploy policy we ship (docs/iam/deploy-policy.json) against the real things: IAM's policy
evaluation for the requests that matter (a small evaluator of Allow statements, their globs and
conditions), IAM's size quota, botocore's operations, the AWS calls our adapters make and the
resources the program declares."""

from __future__ import annotations

import ast
import json
from collections.abc import Mapping
from fnmatch import fnmatchcase
from functools import cache
from typing import Any

import pytest

from showtime_iac.core.routing import RouterConfig
from showtime_iac.core.stack_config import SharedConfig, SharedStackRef
from showtime_iac.program import (
    MOCK_ACCOUNT,
    RenderedResource,
    evaluate_router_offline,
    evaluate_stack_offline,
    render_offline,
    render_shared_offline,
)

from .aws_models import ensure_ready, validate
from .helpers import DOMAIN, SHA, cfg_of
from .iam_lint import IAM_DIR, ROOT

ACCOUNT = "123456789012"  # the placeholder the shipped policy uses
BOUNDARY = f"arn:aws:iam::{ACCOUNT}:policy/showtime-iac-task-boundary"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/sti-pr-1234-abc1234-exec"
TARGET_GROUP = f"arn:aws:elasticloadbalancing:us-west-2:{ACCOUNT}:targetgroup/sti-pr-1234-abc1234/0123456789abcdef"
ECS_SLR = f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"
ELB_SLR = (
    f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/elasticloadbalancing.amazonaws.com/"
    "AWSServiceRoleForElasticLoadBalancing"
)


@cache
def policy() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((IAM_DIR / "deploy-policy.json").read_text())
    return doc


def _listed(v: Any) -> list[Any]:
    return [v] if isinstance(v, str) else list(v)


def _condition_holds(op: str, wanted: Mapping[str, Any], context: Mapping[str, str]) -> bool:
    for k, values in wanted.items():
        got = context.get(k)
        if op == "Null":  # "false": the key is in the request
            if (got is None) != (values == "true"):
                return False
            continue
        if got is None:  # a key the request has not: the condition does not hold
            return False
        if op in ("StringEquals", "ArnEquals") and got not in _listed(values):
            return False
        if op in ("StringLike", "ArnLike") and not any(
            fnmatchcase(got, v) for v in _listed(values)
        ):
            return False
        if op not in ("StringEquals", "ArnEquals", "StringLike", "ArnLike", "Null"):
            raise AssertionError(f"the evaluator does not know {op}: add it")
    return True


def allowed(action: str, resource: str, context: Mapping[str, str] | None = None) -> bool:
    """IAM's evaluation of one request against the policy's Allow statements (it has no Deny):
    an action glob (case-insensitive), a resource glob, and every condition holding."""
    assert all(s["Effect"] == "Allow" for s in policy()["Statement"])
    for s in policy()["Statement"]:
        if not any(fnmatchcase(action.lower(), a.lower()) for a in _listed(s["Action"])):
            continue
        if not any(fnmatchcase(resource, r) for r in _listed(s["Resource"])):
            continue
        if all(
            _condition_holds(op, kv, context or {}) for op, kv in s.get("Condition", {}).items()
        ):
            return True
    return False


# --------------------------------------------------------------------------- roles


@pytest.mark.parametrize(
    "action", ["iam:CreateRole", "iam:PutRolePolicy", "iam:PutRolePermissionsBoundary"]
)
def test_roles_are_created_and_given_policies_only_with_the_boundary(action: str) -> None:
    assert allowed(action, ROLE, {"iam:PermissionsBoundary": BOUNDARY})
    assert not allowed(action, ROLE)
    other = f"arn:aws:iam::{ACCOUNT}:policy/AdministratorAccess"
    assert not allowed(action, ROLE, {"iam:PermissionsBoundary": other})
    # never a role outside our prefix, whatever the boundary
    admin = f"arn:aws:iam::{ACCOUNT}:role/deploy-admin"
    assert not allowed(action, admin, {"iam:PermissionsBoundary": BOUNDARY})


def test_the_boundary_is_the_one_the_shared_stack_creates() -> None:
    name = SharedConfig().permissions_boundary_name
    assert f"arn:aws:iam::{ACCOUNT}:policy/{name}" == BOUNDARY


def test_roles_are_passed_to_ecs_tasks_only() -> None:
    assert allowed("iam:PassRole", ROLE, {"iam:PassedToService": "ecs-tasks.amazonaws.com"})
    for service in ("ec2.amazonaws.com", "lambda.amazonaws.com", "ecs.amazonaws.com"):
        assert not allowed("iam:PassRole", ROLE, {"iam:PassedToService": service})
    assert not allowed("iam:PassRole", ROLE)
    admin = f"arn:aws:iam::{ACCOUNT}:role/deploy-admin"
    assert not allowed("iam:PassRole", admin, {"iam:PassedToService": "ecs-tasks.amazonaws.com"})


def test_a_fresh_account_gets_the_service_linked_roles_of_ecs_and_elb_only() -> None:
    assert allowed(
        "iam:CreateServiceLinkedRole", ECS_SLR, {"iam:AWSServiceName": "ecs.amazonaws.com"}
    )
    assert allowed(
        "iam:CreateServiceLinkedRole",
        ELB_SLR,
        {"iam:AWSServiceName": "elasticloadbalancing.amazonaws.com"},
    )
    rds = f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS"
    assert not allowed(
        "iam:CreateServiceLinkedRole", rds, {"iam:AWSServiceName": "rds.amazonaws.com"}
    )
    assert not allowed("iam:CreateServiceLinkedRole", ECS_SLR)


@pytest.mark.parametrize(
    "action",
    [
        "iam:CreatePolicy",
        "iam:CreatePolicyVersion",
        "iam:SetDefaultPolicyVersion",
        "iam:DeletePolicy",
        "iam:AttachRolePolicy",
        "iam:DeleteRolePermissionsBoundary",
        "iam:CreateUser",
        "iam:CreateAccessKey",
    ],
)
def test_the_boundary_and_other_identities_are_out_of_reach(action: str) -> None:
    """The deploy role can neither widen the boundary nor escape it, nor make other identities."""
    for resource in (BOUNDARY, ROLE, f"arn:aws:iam::{ACCOUNT}:user/x", "*"):
        assert not allowed(action, resource, {"iam:PermissionsBoundary": BOUNDARY})


def test_no_statement_grants_every_action_of_a_service() -> None:
    actions = [a for s in policy()["Statement"] for a in _listed(s["Action"])]
    assert not [a for a in actions if a == "*" or a.endswith(":*")]
    wild = sorted({a for a in actions if "*" in a})
    assert wild == ["elasticloadbalancing:Describe*"]  # read-only


# --------------------------------------------------------------------------- what it manages


@pytest.mark.parametrize(
    ("action", "resource", "ok"),
    [
        (
            "ecs:CreateService",
            f"arn:aws:ecs:us-west-2:{ACCOUNT}:service/superset-ci/sti-pr-1234-abc1234",
            True,
        ),
        (
            "ecs:DeleteService",
            f"arn:aws:ecs:us-west-2:{ACCOUNT}:service/superset-ci/pr-1234-abc1234-service",
            False,
        ),
        (
            "ecs:RegisterTaskDefinition",
            f"arn:aws:ecs:us-west-2:{ACCOUNT}:task-definition/showtime-pr-1234-abc1234:1",
            True,
        ),
        (
            "logs:CreateLogGroup",
            f"arn:aws:logs:us-west-2:{ACCOUNT}:log-group:/showtime/pr-1234-abc1234",
            True,
        ),
        ("logs:DeleteLogGroup", f"arn:aws:logs:us-west-2:{ACCOUNT}:log-group:/aws/lambda/x", False),
        (
            "secretsmanager:CreateSecret",
            f"arn:aws:secretsmanager:us-west-2:{ACCOUNT}:secret:sti-pr-1234-abc1234/x-AbCdEf",
            True,
        ),
        (
            "secretsmanager:GetSecretValue",
            f"arn:aws:secretsmanager:us-west-2:{ACCOUNT}:secret:prod/db-AbCdEf",
            False,
        ),
        (
            "elasticloadbalancing:CreateTargetGroup",
            f"arn:aws:elasticloadbalancing:us-west-2:{ACCOUNT}:targetgroup/sti-pr-1234-abc1234/0123456789abcdef",
            True,
        ),
        (
            "elasticloadbalancing:DeleteTargetGroup",
            f"arn:aws:elasticloadbalancing:us-west-2:{ACCOUNT}:targetgroup/prod-web/0123456789abcdef",
            False,
        ),
        (
            "elasticloadbalancing:CreateRule",
            f"arn:aws:elasticloadbalancing:us-west-2:{ACCOUNT}:listener/app/showtime-iac/0123456789abcdef/0123456789abcdef",
            True,
        ),
        (
            "elasticloadbalancing:DeleteRule",
            f"arn:aws:elasticloadbalancing:us-west-2:{ACCOUNT}:listener-rule/app/prod-alb/0123456789abcdef/0123456789abcdef/0123456789abcdef",
            False,
        ),
        (
            "elasticloadbalancing:DeleteLoadBalancer",
            f"arn:aws:elasticloadbalancing:us-west-2:{ACCOUNT}:loadbalancer/app/showtime-iac-s1/0123456789abcdef",
            True,
        ),
        (
            "elasticloadbalancing:DeleteLoadBalancer",
            f"arn:aws:elasticloadbalancing:us-west-2:{ACCOUNT}:loadbalancer/app/prod-alb/0123456789abcdef",
            False,
        ),
        ("ecr:BatchDeleteImage", f"arn:aws:ecr:us-west-2:{ACCOUNT}:repository/superset-ci", True),
        ("ecr:BatchDeleteImage", f"arn:aws:ecr:us-west-2:{ACCOUNT}:repository/prod-images", False),
        (
            "ecr:PutImage",
            f"arn:aws:ecr:us-west-2:{ACCOUNT}:repository/superset-ci",
            False,
        ),  # the push role's
    ],
)
def test_it_manages_our_resources_and_no_others(action: str, resource: str, ok: bool) -> None:
    assert allowed(action, resource) is ok


def test_security_groups_are_created_tagged_and_changed_only_when_ours() -> None:
    """An environment's security group is created with its tags (``showtime:pr``); only a group
    tagged so can be opened, closed, retagged or deleted: never the account's others."""
    sg = f"arn:aws:ec2:us-west-2:{ACCOUNT}:security-group/sg-0123456789abcdef0"
    vpc = f"arn:aws:ec2:us-west-2:{ACCOUNT}:vpc/vpc-0123456789abcdef0"
    tagged = {"aws:RequestTag/showtime:pr": "1234"}
    for resource in (sg, vpc):
        assert allowed("ec2:CreateSecurityGroup", resource, tagged)
        assert not allowed("ec2:CreateSecurityGroup", resource)
    assert allowed("ec2:CreateTags", sg, {"ec2:CreateAction": "CreateSecurityGroup"})
    ours = {"aws:ResourceTag/showtime:pr": "1234"}
    for action in (
        "ec2:DeleteSecurityGroup",
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:RevokeSecurityGroupEgress",
        "ec2:CreateTags",
    ):
        assert allowed(action, sg, ours)
        assert not allowed(action, sg)  # the account's other groups


def test_listing_tasks_is_confined_to_the_cluster() -> None:
    cluster = f"arn:aws:ecs:us-west-2:{ACCOUNT}:cluster/superset-ci"
    assert allowed("ecs:ListTasks", "*", {"ecs:cluster": cluster})
    assert not allowed(
        "ecs:ListTasks", "*", {"ecs:cluster": cluster.replace("superset-ci", "prod")}
    )


# --------------------------------------------------------------------------- IAM and botocore


def test_it_fits_iams_quota_for_a_managed_policy() -> None:
    """IAM counts a managed policy's characters without whitespace: at most 6,144."""
    text = (IAM_DIR / "deploy-policy.json").read_text()
    assert len("".join(text.split())) <= 6144


def test_it_validates_against_botocores_iam_model() -> None:
    """CreatePolicy's input shape, and every action an operation of its service."""
    ensure_ready()
    r = RenderedResource(
        "aws:iam/policy:Policy",
        "deploy-policy",
        {"name": "showtime-iac-deploy", "policy": (IAM_DIR / "deploy-policy.json").read_text()},
        {},
    )
    assert validate([r]) == []


# --------------------------------------------------------------------------- what we call


_CLIENTS = {  # attribute names our adapters give boto3 clients -> IAM prefix, botocore service
    "ecs": ("ecs", "ecs"),
    "ec2": ("ec2", "ec2"),
    "ecr": ("ecr", "ecr"),
    "logs": ("logs", "logs"),
    "elbv2": ("elasticloadbalancing", "elbv2"),
    "secretsmanager": ("secretsmanager", "secretsmanager"),
    "cloudwatch": ("cloudwatch", "cloudwatch"),
    "iam": ("iam", "iam"),
    "tagging": ("tag", "resourcegroupstaggingapi"),
    "s3": ("s3", "s3"),
}
#: operations whose permission has another name, or none
_PERMISSION_OF = {"s3:ListObjectsV2": "s3:ListBucket", "s3:ListObjects": "s3:ListBucket"}


_SERVICES = {service: prefix for prefix, service in _CLIENTS.values()}
#: operations that need no permission
_FREE = {"sts:GetCallerIdentity"}


#: the boto3-stubs client types our adapters annotate parameters with
_TYPED = {
    "CloudWatchClient": "cloudwatch",
    "CloudWatchLogsClient": "logs",
    "EC2Client": "ec2",
    "ECRClient": "ecr",
    "ECSClient": "ecs",
    "ElasticLoadBalancingv2Client": "elbv2",
    "IAMClient": "iam",
    "ResourceGroupsTaggingAPIClient": "resourcegroupstaggingapi",
    "S3Client": "s3",
    "SecretsManagerClient": "secretsmanager",
}


def _named_clients(tree: ast.AST) -> dict[str, str]:
    """``name = <x>.client("service", ...)`` and ``name: <Service>Client`` parameters in one
    module: name -> botocore service."""
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.arg) and node.annotation is not None:
            typ = ast.unparse(node.annotation).strip("'\"").rsplit(".", 1)[-1]
            if typ in _TYPED:
                out[node.arg] = _TYPED[typ]
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Attribute)
            and node.value.func.attr == "client"
            and node.value.args
            and isinstance(node.value.args[0], ast.Constant)
        ):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    out[target.id] = str(node.value.args[0].value)
    return out


def adapter_calls() -> set[str]:
    """The IAM action of every AWS operation our adapters call (``<client>.<method>(...)`` and
    ``<client>.get_paginator("<method>")``, on a client attribute of the adapters' clients or a
    variable assigned a ``.client("<service>")``), named as botocore's models name them."""
    import botocore.session

    session = botocore.session.get_session()
    found: set[str] = set()
    for path in sorted((ROOT / "showtime_iac" / "adapters").rglob("*.py")):
        tree = ast.parse(path.read_text())
        named = _named_clients(tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            owner = node.func.value
            client = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            if client in _CLIENTS:
                prefix, service = _CLIENTS[client]
            elif client in named:
                service = named[client]
                prefix = _SERVICES.get(service, service)
            else:
                continue
            method = node.func.attr
            if method == "get_paginator" and node.args and isinstance(node.args[0], ast.Constant):
                method = str(node.args[0].value)
            model = session.get_service_model(service)
            ops = {botocore_xform(op): op for op in model.operation_names}
            if method in ops:
                action = f"{prefix}:{ops[method]}"
                found.add(_PERMISSION_OF.get(action, action))
    return found - _FREE


def botocore_xform(name: str) -> str:
    from botocore import xform_name

    return str(xform_name(name))


def test_the_adapters_calls_are_found() -> None:
    """The scan below sees the calls it must (the scan can fail)."""
    calls = adapter_calls()
    assert {
        "ecs:DescribeServices",
        "ecs:ListServices",
        "elasticloadbalancing:DescribeTargetGroups",
        "cloudwatch:GetMetricData",
        "secretsmanager:DeleteSecret",
        "iam:DeleteRole",
        "tag:GetResources",
        "s3:GetObject",
        "secretsmanager:ListSecrets",  # credentials.py: a variable holding the client
        "secretsmanager:GetSecretValue",
    } <= calls


def test_every_aws_call_of_the_adapters_is_allowed() -> None:
    """The deploy role runs sync, cleanup, drift, status and logs: each AWS operation they call
    is allowed on some resource (its scope is checked above)."""
    missing = sorted(
        a
        for a in adapter_calls()
        if not any(
            fnmatchcase(a.lower(), p.lower())
            for s in policy()["Statement"]
            for p in _listed(s["Action"])
        )
    )
    assert missing == []


# --------------------------------------------------------------------------- what we declare

#: what the provider calls to create, read, tag, update and delete each type (pulumi_aws, the
#: Terraform AWS provider underneath): written out, checked against the policy
PROVIDER_ACTIONS: dict[str, tuple[str, ...]] = {
    "aws:cloudwatch/logGroup:LogGroup": (
        "logs:CreateLogGroup", "logs:DescribeLogGroups", "logs:PutRetentionPolicy",
        "logs:TagResource", "logs:ListTagsForResource", "logs:DeleteLogGroup",
    ),
    "aws:secretsmanager/secret:Secret": (
        "secretsmanager:CreateSecret", "secretsmanager:DescribeSecret",
        "secretsmanager:GetResourcePolicy", "secretsmanager:TagResource",
        "secretsmanager:DeleteSecret",
    ),
    "aws:secretsmanager/secretVersion:SecretVersion": (
        "secretsmanager:PutSecretValue", "secretsmanager:GetSecretValue",
    ),
    "aws:iam/role:Role": (
        "iam:CreateRole", "iam:GetRole", "iam:TagRole", "iam:ListRolePolicies",
        "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole",
        "iam:UpdateAssumeRolePolicy", "iam:PutRolePermissionsBoundary", "iam:DeleteRole",
    ),
    "aws:iam/rolePolicy:RolePolicy": (
        "iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy",
    ),
    "aws:ecs/taskDefinition:TaskDefinition": (
        "ecs:RegisterTaskDefinition", "ecs:DescribeTaskDefinition", "ecs:TagResource",
        "ecs:DeregisterTaskDefinition", "iam:PassRole",
    ),
    "aws:ecs/service:Service": (
        "ecs:CreateService", "ecs:DescribeServices", "ecs:UpdateService", "ecs:TagResource",
        "ecs:DeleteService",
    ),
    "aws:lb/targetGroup:TargetGroup": (
        "elasticloadbalancing:CreateTargetGroup", "elasticloadbalancing:DescribeTargetGroups",
        "elasticloadbalancing:DescribeTargetGroupAttributes",
        "elasticloadbalancing:ModifyTargetGroupAttributes", "elasticloadbalancing:AddTags",
        "elasticloadbalancing:DescribeTags", "elasticloadbalancing:DeleteTargetGroup",
    ),
    "aws:lb/listenerRule:ListenerRule": (
        "elasticloadbalancing:CreateRule", "elasticloadbalancing:DescribeRules",
        "elasticloadbalancing:ModifyRule", "elasticloadbalancing:AddTags",
        "elasticloadbalancing:DeleteRule",
    ),
    "aws:ec2/securityGroup:SecurityGroup": (
        "ec2:CreateSecurityGroup", "ec2:DescribeSecurityGroups", "ec2:CreateTags",
        "ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress",
        "ec2:RevokeSecurityGroupEgress", "ec2:DeleteSecurityGroup",
    ),
    # a shard the cleanup adds or removes (the shared stack's `up` by the deploy role)
    "aws:lb/loadBalancer:LoadBalancer": (
        "elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:DescribeLoadBalancers",
        "elasticloadbalancing:ModifyLoadBalancerAttributes",
        "elasticloadbalancing:DescribeLoadBalancerAttributes", "elasticloadbalancing:AddTags",
        "elasticloadbalancing:DeleteLoadBalancer",
    ),
    "aws:lb/listener:Listener": (
        "elasticloadbalancing:CreateListener", "elasticloadbalancing:DescribeListeners",
        "elasticloadbalancing:AddTags", "elasticloadbalancing:DeleteListener",
    ),
    "aws:route53/record:Record": (
        "route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets", "route53:GetChange",
    ),
    "pulumi:pulumi:StackReference": (),
}  # fmt: skip


def _deploy_role_renders() -> list[RenderedResource]:
    """What the deploy role's runs declare: environments (both modes, a shard other than 0 with
    a zone), the router, and the shards of the shared stack (the rest of that stack is made
    once by an administrator)."""
    from showtime_iac.core.shards import RulePlacement
    from showtime_iac.core.stack_config import to_stack_config

    from .helpers import REAL_NET, SECRETS

    https = SharedStackRef("shared", DOMAIN, "Z0123456789ABCDEFGHIJ")
    on_shard_1 = {
        **to_stack_config(cfg_of()),
        **REAL_NET,
        **SECRETS,
        **RulePlacement(1, 7).to_stack_config(),
        "showtime-iac:sharedStack": "shared",
        "showtime-iac:domain": DOMAIN,
        "showtime-iac:hostedZoneId": "Z0123456789ABCDEFGHIJ",
    }
    shard = SharedConfig(
        vpc_id="vpc-0123456789abcdef0",
        subnet_ids=("subnet-0123456789abcdef0", "subnet-0fedcba9876543210"),
        security_group_id="sg-0123456789abcdef0",
        domain=DOMAIN,
        certificate_arn=f"arn:aws:acm:us-west-2:{ACCOUNT}:certificate/abc",
        load_balancer_shards=(0, 1),
    )
    return [
        *render_offline(cfg_of(image=f"{ACCOUNT}.dkr.ecr.us-west-2.amazonaws.com/superset-ci:x")),
        *evaluate_stack_offline(cfg_of().stack, on_shard_1).resources,
        *evaluate_router_offline(RouterConfig(1234, SHA, TARGET_GROUP), https).resources,
        *[
            r
            for r in render_shared_offline(shard).resources
            if r.type in ("aws:lb/loadBalancer:LoadBalancer", "aws:lb/listener:Listener")
        ],
    ]


def test_every_type_the_deploy_role_declares_has_its_provider_actions_listed() -> None:
    types = {r.type for r in _deploy_role_renders()} - {"docker:index/image:Image"}
    assert types <= set(PROVIDER_ACTIONS), sorted(types - set(PROVIDER_ACTIONS))
    assert "aws:route53/record:Record" in types  # the shard's own host record


@pytest.mark.parametrize("typ", sorted(PROVIDER_ACTIONS))
def test_the_provider_actions_of_each_type_are_allowed(typ: str) -> None:
    listed = [p.lower() for s in policy()["Statement"] for p in _listed(s["Action"])]
    missing = [
        a for a in PROVIDER_ACTIONS[typ] if not any(fnmatchcase(a.lower(), p) for p in listed)
    ]
    assert missing == []


# --------------------------------------------------------------------------- the push role


def test_the_push_policy_is_the_push_roles_list_and_nothing_more() -> None:
    """docs/iam/push-policy.json holds exactly the actions docs/github-actions.md gives the push
    role, the registry token on ``*`` (ECR cannot scope it), the rest on the one repository."""
    import re

    doc = json.loads((IAM_DIR / "push-policy.json").read_text())
    text = (ROOT / "docs" / "github-actions.md").read_text()
    prose = text[text.index("And a **push role**") :].split("trusted by", 1)[0]
    listed = set(re.findall(r"`(ecr:[A-Za-z]+)`", prose))
    actions = {a: _listed(s["Resource"]) for s in doc["Statement"] for a in _listed(s["Action"])}
    assert set(actions) == listed
    repo = f"arn:aws:ecr:us-west-2:{ACCOUNT}:repository/superset-ci"
    assert actions == {a: ["*"] if a == "ecr:GetAuthorizationToken" else [repo] for a in listed}


def _arn_of(r: RenderedResource) -> tuple[str, str, dict[str, str]] | None:
    """(create action, ARN, request context) of a rendered resource the deploy role creates,
    its ARN built from the name the program gives it, as AWS would."""
    i, region = r.inputs, f"us-west-2:{ACCOUNT}"
    by_type: dict[str, tuple[str, str]] = {
        "aws:iam/role:Role": ("iam:CreateRole", f"arn:aws:iam::{ACCOUNT}:role/{i.get('name')}"),
        "aws:cloudwatch/logGroup:LogGroup": (
            "logs:CreateLogGroup",
            f"arn:aws:logs:{region}:log-group:{i.get('name')}",
        ),
        "aws:secretsmanager/secret:Secret": (
            "secretsmanager:CreateSecret",
            f"arn:aws:secretsmanager:{region}:secret:{i.get('namePrefix')}0123-AbCdEf",
        ),
        "aws:ecs/taskDefinition:TaskDefinition": (
            "ecs:RegisterTaskDefinition",
            f"arn:aws:ecs:{region}:task-definition/{i.get('family')}:1",
        ),
        "aws:ecs/service:Service": (
            "ecs:CreateService",
            f"arn:aws:ecs:{region}:service/superset-ci/{i.get('name')}",
        ),
        "aws:lb/targetGroup:TargetGroup": (
            "elasticloadbalancing:CreateTargetGroup",
            f"arn:aws:elasticloadbalancing:{region}:targetgroup/{i.get('name')}/0123456789abcdef",
        ),
        "aws:ec2/securityGroup:SecurityGroup": (
            "ec2:CreateSecurityGroup",
            f"arn:aws:ec2:{region}:security-group/sg-0123456789abcdef0",
        ),
        "aws:lb/loadBalancer:LoadBalancer": (
            "elasticloadbalancing:CreateLoadBalancer",
            f"arn:aws:elasticloadbalancing:{region}:loadbalancer/app/{i.get('name')}/0123456789abcdef",
        ),
    }
    if r.type not in by_type:
        return None
    context = {f"aws:RequestTag/{k}": v for k, v in r.tags.items()}
    if r.type == "aws:iam/role:Role":
        context["iam:PermissionsBoundary"] = str(i["permissionsBoundary"]).replace(
            MOCK_ACCOUNT, ACCOUNT
        )
    return (*by_type[r.type], context)


def test_every_name_the_program_gives_is_within_the_deploy_policy() -> None:
    """What the deploy role declares, named and tagged as the program does, is allowed: a
    renamed prefix, an untagged security group or a role without the boundary would not be."""
    checked = []
    for r in _deploy_role_renders():
        found = _arn_of(r)
        if found is None:
            continue
        action, arn, context = found
        assert allowed(action, arn, context), (r.type, r.name, arn)
        checked.append(r.type)
    assert set(checked) == {
        "aws:iam/role:Role",
        "aws:cloudwatch/logGroup:LogGroup",
        "aws:secretsmanager/secret:Secret",
        "aws:ecs/taskDefinition:TaskDefinition",
        "aws:ecs/service:Service",
        "aws:lb/targetGroup:TargetGroup",
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:lb/loadBalancer:LoadBalancer",
    }
