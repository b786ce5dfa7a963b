"""What an HTTPS-mode environment stack and a router stack leave in AWS, made in moto the way
the program declares them (names from ``resource_names``, tags from ``resource_tags``): a
target group, its host rule on the shared load balancer's listener, the tasks' security group,
the execution role with its inline policy, the secret; and the PR's router rule."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from showtime_iac.core.model import EnvConfig, resource_names, resource_tags
from tests.doubles import World, tag_list

DOMAIN = "preview.example.org"
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)
POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*"}],
    }
)


@dataclass
class Alb:
    """The shared stack's load balancer (tagged as managed) and its listener."""

    vpc: str
    listener: str
    priority: int = 1

    def next_priority(self) -> int:
        self.priority += 1
        return self.priority


def shared_alb(world: World, managed: bool = True) -> Alb:
    c = world.c
    assert c.elbv2 is not None
    vpc = c.ec2.describe_subnets(SubnetIds=[world.subnet])["Subnets"][0]["VpcId"]
    cidr = "10.0.2.0/24" if managed else "10.0.3.0/24"
    other = c.ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone="us-west-2b")
    tags = {"showtime:stack": "shared", "showtime:managed-by": "showtime-iac"} if managed else {}
    lb = c.elbv2.create_load_balancer(
        Name="showtime-shared" if managed else "someone-else",
        Subnets=[world.subnet, other["Subnet"]["SubnetId"]],
        SecurityGroups=[world.sg],
        **({"Tags": tag_list(tags, upper=True)} if tags else {}),
    )["LoadBalancers"][0]["LoadBalancerArn"]
    listener = c.elbv2.create_listener(
        LoadBalancerArn=lb,
        Protocol="HTTP",
        Port=80,
        DefaultActions=[
            {
                "Type": "fixed-response",
                "FixedResponseConfig": {"StatusCode": "404", "ContentType": "text/plain"},
            }
        ],
    )["Listeners"][0]["ListenerArn"]
    return Alb(vpc, listener)


def _rule(world: World, alb: Alb, host: str, tags: dict[str, str], action: Any) -> str:
    assert world.c.elbv2 is not None
    kw: Any = {"Tags": tag_list(tags, upper=True)} if tags else {}
    return str(
        world.c.elbv2.create_rule(
            ListenerArn=alb.listener,
            Priority=alb.next_priority(),
            Conditions=[{"Field": "host-header", "HostHeaderConfig": {"Values": [host]}}],
            Actions=[action],
            **kw,
        )["Rules"][0]["RuleArn"]
    )


def https_environment(world: World, alb: Alb, pr: int, sha: str, tagged: bool = True) -> None:
    """Everything ``World.environment`` makes, plus what HTTPS mode and the secret add."""
    world.environment(pr, sha, tagged=tagged)
    c, n = world.c, resource_names(pr, sha)
    assert c.elbv2 is not None and c.client("iam") is not None and c.secretsmanager is not None
    tags = resource_tags(EnvConfig(pr=pr, sha=sha)) if tagged else {}
    upper: Any = {"Tags": tag_list(tags, upper=True)} if tags else {}
    tg = c.elbv2.create_target_group(
        Name=n.target_group, Protocol="HTTP", Port=8080, VpcId=alb.vpc, TargetType="ip", **upper
    )["TargetGroups"][0]["TargetGroupArn"]
    forward = {"Type": "forward", "TargetGroupArn": tg}
    _rule(world, alb, f"{n.stack}.{DOMAIN}", tags, forward)
    c.ec2.create_security_group(
        GroupName=n.security_group,
        Description=f"showtime-iac {n.stack}",
        VpcId=alb.vpc,
        **(
            {"TagSpecifications": [{"ResourceType": "security-group", "Tags": upper["Tags"]}]}
            if tags
            else {}
        ),
    )
    c.client("iam").create_role(RoleName=n.execution_role, AssumeRolePolicyDocument=TRUST, **upper)
    c.client("iam").put_role_policy(
        RoleName=n.execution_role, PolicyName="execution-role-policy-1a2b3c", PolicyDocument=POLICY
    )
    c.secretsmanager.create_secret(
        Name=f"{n.secret_prefix}20261205000000000000000001", SecretString="x", **upper
    )


def router_rule(world: World, alb: Alb, pr: int, sha: str) -> str:
    """The router stack's rule ``pr-N.<domain>`` → the SHA's target group (a fixed response
    stands in: the rule's own tags and host are what the sweep reads)."""
    tags = {
        "showtime:pr": str(pr),
        "showtime:sha": sha[:7],
        "showtime:repo": "apache/superset",
        "showtime:role": "router",
    }
    page = {
        "Type": "fixed-response",
        "FixedResponseConfig": {"StatusCode": "503", "ContentType": "text/plain"},
    }
    return _rule(world, alb, f"pr-{pr}.{DOMAIN}", tags, page)
