"""The ``shared`` stack: what every environment uses (cluster, ECR repository and its lifecycle
policy, security group, the permissions boundary of the environments' roles; in HTTPS mode the
load balancers), created or looked up per the ``create*`` switches.

The permissions boundary (:func:`access.task_boundary_policy`) is a managed policy created here
unless ``showtime-iac:permissionsBoundaryArn`` names an existing one; every environment's role
carries it, and the deploy policy (``docs/iam/deploy-policy.json``) creates roles only with it.

No execution role is looked up: each environment has its own (``access.py``). A stack from
before that created one (``createExecutionRole=true``) keeps it, protected, until retired.

Everything this stack creates is ``protect``-ed: a ``pulumi destroy`` of it (or a replacement
by a config change) fails instead of taking every environment's cluster, images and address
with it. Unprotect on purpose (``pulumi state unprotect``) to retire it.

The ECR lifecycle policy never expires an image a running environment uses: our tags start with
``sti-pr-`` (:data:`model.IMAGE_TAG_PREFIX`), which no rule selects, and a lifecycle rule can
only count age, never "in use" (a ``close``/``manual`` TTL or the baseline lives longer than
any age). Our images go when their stack does: the orphan sweep deletes an image whose stack
no longer exists. The age rule stays for the original Superset Showtime's ``pr-*-ci`` images.
"""

from __future__ import annotations

import json
from typing import Any

import pulumi

from showtime_iac.core.stack_config import SharedConfig
from showtime_iac.program.access import (
    assume_ecs_tasks,
    ecr_pull_statements,
    task_boundary_policy,
)
from showtime_iac.program.containers import CONTAINER_PORT
from showtime_iac.program.loadbalancer import declare_load_balancer

__all__ = ["SHARED_OUTPUTS", "declare_shared", "shared_tags"]

Out = pulumi.Output[str]
#: every resource the shared stack creates
PROTECT = pulumi.ResourceOptions(protect=True)

# What the shared stack exports (and an environment's StackReference reads).
SHARED_OUTPUTS = (
    "region",
    "clusterName",
    "clusterArn",
    "ecrRepositoryName",
    "ecrRepositoryUrl",
    "permissionsBoundaryArn",
    "securityGroupId",
    "subnetIds",
    "logRetentionDays",
)


def shared_tags() -> dict[str, str]:
    """Tags of the shared stack's resources. Deliberately without ``showtime:pr``: the orphan
    sweep deletes what carries a PR tag, and the shared resources belong to no PR."""
    return {"showtime:stack": "shared", "showtime:managed-by": "showtime-iac"}


def _lifecycle_policy(max_age_days: int) -> str:
    return json.dumps(
        {
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
                    "description": (
                        f"expire the original Showtime's images (pr-*) after {max_age_days} days"
                    ),
                    "selection": {
                        "tagStatus": "tagged",
                        "tagPrefixList": ["pr-"],
                        "countType": "sinceImagePushed",
                        "countUnit": "days",
                        "countNumber": max_age_days,
                    },
                    "action": {"type": "expire"},
                },
            ]
        }
    )


def _execution_policy(repository_arn: str, region: str) -> str:
    """Least privilege: pull from the one repository, write to ``/showtime/*`` log groups."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                *ecr_pull_statements(repository_arn),
                {
                    "Sid": "Logs",
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                    "Resource": f"arn:aws:logs:{region}:*:log-group:/showtime/*:*",
                },
            ],
        }
    )


def _cluster(shared: SharedConfig, tags: dict[str, str]) -> tuple[Out, Out]:
    """(name, ARN) of the ECS cluster: created, or the existing one."""
    import pulumi_aws as aws

    if shared.create_cluster:
        cluster = aws.ecs.Cluster("cluster", name=shared.cluster_name, tags=tags, opts=PROTECT)
        return cluster.name, cluster.arn
    name = pulumi.Output.from_input(shared.cluster_name)
    if shared.cluster_arn:
        return name, pulumi.Output.from_input(shared.cluster_arn)
    return name, aws.ecs.get_cluster_output(cluster_name=shared.cluster_name).arn


def _repository(shared: SharedConfig, tags: dict[str, str]) -> tuple[Out, Out]:
    """(URL, ARN) of the ECR repository (created, or the existing one) and its lifecycle."""
    import pulumi_aws as aws

    repo = None
    if shared.create_ecr_repository:
        repo = aws.ecr.Repository(
            "ecr-repository",
            name=shared.ecr_repository_name,
            image_tag_mutability="MUTABLE",  # a PR image is re-pushed under the same tag
            image_scanning_configuration={"scan_on_push": True},
            tags=tags,
            opts=PROTECT,
        )
        url, arn = repo.repository_url, repo.arn
    else:
        existing = aws.ecr.get_repository_output(name=shared.ecr_repository_name)
        url = (
            pulumi.Output.from_input(shared.ecr_repository_url)
            if shared.ecr_repository_url
            else existing.repository_url
        )
        arn = existing.arn
    if shared.ecr_lifecycle_policy:
        aws.ecr.LifecyclePolicy(
            "ecr-lifecycle",
            repository=shared.ecr_repository_name,
            policy=_lifecycle_policy(shared.pr_image_max_age_days),
            opts=pulumi.ResourceOptions(protect=True, depends_on=[repo] if repo else []),
        )
    return url, arn


def _legacy_execution_role(
    shared: SharedConfig, repo_arn: Out, account: Out, boundary: Out, tags: dict[str, str]
) -> None:
    """The execution role a shared stack from before per-environment roles created: nothing
    uses it, but it is protected, so it stays declared while ``createExecutionRole`` is true
    (``pulumi state unprotect``, then ``false``, retires it). Never looked up."""
    import pulumi_aws as aws

    if not shared.create_execution_role:
        return
    role = aws.iam.Role(
        "execution-role",
        name=shared.execution_role_name,
        description="showtime-iac: unused since each environment has its own execution role",
        assume_role_policy=account.apply(assume_ecs_tasks),
        permissions_boundary=boundary,
        tags=tags,
        opts=PROTECT,
    )
    aws.iam.RolePolicy(
        "execution-role-policy",
        role=role.name,
        policy=repo_arn.apply(lambda arn: _execution_policy(arn, shared.region)),
        opts=PROTECT,
    )


def _permissions_boundary(shared: SharedConfig, account: Out, tags: dict[str, str]) -> Out:
    """The ARN of the environments' roles' permissions boundary: the configured policy, or
    the one this stack creates."""
    import pulumi_aws as aws

    if shared.permissions_boundary_arn is not None:
        return pulumi.Output.from_input(shared.permissions_boundary_arn)
    policy = aws.iam.Policy(
        "permissions-boundary",
        name=shared.permissions_boundary_name,
        description="showtime-iac: the most a preview environment's role may ever do",
        policy=account.apply(lambda a: task_boundary_policy(a, shared.region)),
        tags=tags,
        opts=PROTECT,
    )
    arn: Out = policy.arn
    return arn


def _security_group(shared: SharedConfig, tags: dict[str, str]) -> Out:
    """The id of the tasks' security group: created, or the configured one."""
    import pulumi_aws as aws

    if not shared.create_security_group:
        return pulumi.Output.from_input(shared.security_group_id or "")
    sg = aws.ec2.SecurityGroup(
        "security-group",
        name=f"showtime-{shared.cluster_name}"[:255],  # EC2: ≤255 (cluster names: ≤255 too)
        description=f"showtime-iac preview environments: Superset on {CONTAINER_PORT}",
        vpc_id=shared.vpc_id,
        ingress=[
            {
                "protocol": "tcp",
                "from_port": CONTAINER_PORT,
                "to_port": CONTAINER_PORT,
                "cidr_blocks": list(shared.ingress_cidrs),
                "description": "Superset",
            }
        ],
        egress=[
            {
                "protocol": "-1",
                "from_port": 0,
                "to_port": 0,
                "cidr_blocks": ["0.0.0.0/0"],
                "description": "image pulls, logs, examples download",
            }
        ],
        tags=tags,
        opts=PROTECT,
    )
    return sg.id


def declare_shared(shared: SharedConfig) -> dict[str, pulumi.Output[Any]]:
    """Declare (or look up) what every environment shares, and export it (SHARED_OUTPUTS)."""
    import pulumi_aws as aws

    tags = shared_tags()
    account = aws.get_caller_identity_output().account_id
    boundary = _permissions_boundary(shared, account, tags)
    cluster_name, cluster_arn = _cluster(shared, tags)
    repo_url, repo_arn = _repository(shared, tags)
    outputs: dict[str, pulumi.Output[Any]] = {
        "region": pulumi.Output.from_input(shared.region),
        "clusterName": cluster_name,
        "clusterArn": cluster_arn,
        "ecrRepositoryName": pulumi.Output.from_input(shared.ecr_repository_name),
        "ecrRepositoryUrl": repo_url,
        "permissionsBoundaryArn": boundary,
        "securityGroupId": _security_group(shared, tags),
        "subnetIds": pulumi.Output.from_input(list(shared.subnet_ids)),
        "logRetentionDays": pulumi.Output.from_input(shared.log_retention_days),
    }
    _legacy_execution_role(shared, repo_arn, account, boundary, tags)
    if shared.domain is not None:
        outputs.update(declare_load_balancer(shared, tags, PROTECT))
    for k, v in outputs.items():
        pulumi.export(k, v)
    return outputs
