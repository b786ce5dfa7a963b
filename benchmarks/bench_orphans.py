"""The orphan sweep of a fleet of 300 environments, on a local moto server (real HTTP).

Run on demand:  .venv/bin/python benchmarks/bench_orphans.py [--envs 300] [--orphans 30]

The account holds what 300 HTTPS-mode environments leave, every kind the sweep knows (ECS
service, task definition, listener rule on a shared load balancer, target group, security
group, execution role with its inline policy, secret, log group, ECR image) plus each PR's
router rule, spread over shards of at most 90 rules per load balancer; ``--orphans`` of them
have lost their stack. Rows: the listing (``list_tagged``), the pure decision, a dry run and
the real deletion, each with its wall time and the AWS calls it made (counted by botocore's
``before-call`` event on every client), then the calls by operation. Exit 1 when a row is over
its target (``TARGETS``: seconds and calls).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from _targets import Target, load_average, verdict

#: (seconds, AWS calls) each row may cost for 300 environments and 30 orphans, on 2 cores
TARGETS = {
    "list_tagged": (10.0, 500),
    "classify_orphans": (0.5, 0),
    "delete_orphans, dry run": (0.1, 0),
    "delete_orphans": (10.0, 400),
}
RULES_PER_ALB = 90
POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*"}],
    }
)
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


class Calls:
    """AWS calls by ``service.Operation``, from every client's ``before-call`` event."""

    def __init__(self, clients: Any) -> None:
        self.by_op: Counter[str] = Counter()
        for name in ("ecs", "ec2", "ecr", "logs", "elbv2", "secretsmanager"):
            getattr(clients, name).meta.events.register("before-call", self._count)
        for name in ("iam", "tagging"):
            clients.client(name).meta.events.register("before-call", self._count)

    def _count(self, model: Any, **_kw: Any) -> None:
        self.by_op[f"{model.service_model.service_name}.{model.name}"] += 1

    def measure(self, fn: Callable[[], Any]) -> tuple[Any, float, Counter[str]]:
        before = Counter(self.by_op)
        t0 = time.perf_counter()
        out = fn()
        took = time.perf_counter() - t0
        return out, took, self.by_op - before


def _tags(pr: int, sha: str, upper: bool) -> list[dict[str, str]]:
    from showtime_iac.core.model import EnvConfig, resource_tags

    k, v = ("Key", "Value") if upper else ("key", "value")
    return [{k: a, v: b} for a, b in resource_tags(EnvConfig(pr=pr, sha=sha)).items()]


class Fleet:
    """A VPC, the cluster, the repository, and shards of managed load balancers."""

    def __init__(self, c: Any) -> None:
        self.c = c
        self.vpc = c.ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        self.subnets = [
            c.ec2.create_subnet(VpcId=self.vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=az)[
                "Subnet"
            ]["SubnetId"]
            for i, az in ((1, "us-west-2a"), (2, "us-west-2b"))
        ]
        c.ecs.create_cluster(clusterName="superset-ci")
        c.ecr.create_repository(
            repositoryName="superset-ci",
            tags=[{"Key": "showtime:managed-by", "Value": "showtime-iac"}],
        )
        self.listeners: list[str] = []
        self.rules = 0

    def listener(self) -> tuple[str, int]:
        """The listener with room for one more rule, and the rule's priority."""
        if self.rules % RULES_PER_ALB == 0:
            n = len(self.listeners)
            lb = self.c.elbv2.create_load_balancer(
                Name=f"showtime-shard-{n}",
                Subnets=self.subnets,
                Tags=[{"Key": "showtime:managed-by", "Value": "showtime-iac"}],
            )["LoadBalancers"][0]["LoadBalancerArn"]
            fixed = {"StatusCode": "404", "ContentType": "text/plain"}
            self.listeners.append(
                self.c.elbv2.create_listener(
                    LoadBalancerArn=lb,
                    Protocol="HTTP",
                    Port=80,
                    DefaultActions=[{"Type": "fixed-response", "FixedResponseConfig": fixed}],
                )["Listeners"][0]["ListenerArn"]
            )
        self.rules += 1
        return self.listeners[-1], self.rules % RULES_PER_ALB + 1

    def rule(self, host: str, tags: list[dict[str, str]], action: dict[str, Any]) -> None:
        listener, priority = self.listener()
        self.c.elbv2.create_rule(
            ListenerArn=listener,
            Priority=priority,
            Conditions=[{"Field": "host-header", "HostHeaderConfig": {"Values": [host]}}],
            Actions=[action],
            Tags=tags,
        )

    def environment(self, pr: int) -> None:
        from showtime_iac.core.model import resource_names

        c, sha = self.c, hashlib.sha1(str(pr).encode()).hexdigest()
        n, low, up = resource_names(pr, sha), _tags(pr, sha, False), _tags(pr, sha, True)
        td = c.ecs.register_task_definition(
            family=n.task_family,
            containerDefinitions=[{"name": "superset", "image": "x", "memory": 2048}],
            tags=low,
        )["taskDefinition"]["taskDefinitionArn"]
        c.ecs.create_service(
            cluster="superset-ci", serviceName=n.service, taskDefinition=td, tags=low
        )
        c.logs.create_log_group(logGroupName=n.log_group, tags={t["key"]: t["value"] for t in low})
        digest = hashlib.sha256(sha.encode()).hexdigest()
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {"digest": f"sha256:{digest}", "size": 1},
            "layers": [{"mediaType": "x", "digest": f"sha256:{digest}", "size": 1}],
        }
        c.ecr.put_image(
            repositoryName="superset-ci", imageManifest=json.dumps(manifest), imageTag=n.image_tag
        )
        tg = c.elbv2.create_target_group(
            Name=n.target_group,
            Protocol="HTTP",
            Port=8080,
            VpcId=self.vpc,
            TargetType="ip",
            Tags=up,
        )["TargetGroups"][0]["TargetGroupArn"]
        self.rule(f"{n.stack}.preview.example.org", up, {"Type": "forward", "TargetGroupArn": tg})
        router = [*up, {"Key": "showtime:role", "Value": "router"}]
        self.rule(f"pr-{pr}.preview.example.org", router, {"Type": "forward", "TargetGroupArn": tg})
        c.ec2.create_security_group(
            GroupName=n.security_group,
            Description=n.stack,
            VpcId=self.vpc,
            TagSpecifications=[{"ResourceType": "security-group", "Tags": up}],
        )
        c.client("iam").create_role(
            RoleName=n.execution_role, AssumeRolePolicyDocument=TRUST, Tags=up
        )
        c.client("iam").put_role_policy(
            RoleName=n.execution_role, PolicyName="execution-role-policy", PolicyDocument=POLICY
        )
        c.secretsmanager.create_secret(Name=f"{n.secret_prefix}1", SecretString="x", Tags=up)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--envs", type=int, default=300)
    parser.add_argument("--orphans", type=int, default=30)
    args = parser.parse_args()

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    os.environ.update(
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_REGION="us-west-2",
        AWS_EC2_METADATA_DISABLED="true",
        AWS_ENDPOINT_URL=f"http://{host}:{port}",
    )
    from showtime_iac.adapters.aws import AwsClients, AwsLive, classify_orphans
    from showtime_iac.core.model import router_stack_name, stack_name
    from showtime_iac.settings import Settings

    clients = AwsClients.from_settings(Settings.from_env())
    fleet = Fleet(clients)
    t0 = time.perf_counter()
    for pr in range(1, args.envs + 1):
        fleet.environment(pr)
    setup = time.perf_counter() - t0
    live, calls = AwsLive(clients), Calls(clients)
    owners = {
        name
        for pr in range(args.orphans + 1, args.envs + 1)
        for name in (
            stack_name(pr, hashlib.sha1(str(pr).encode()).hexdigest()),
            router_stack_name(pr),
        )
    }
    now = datetime.now(UTC) + timedelta(hours=2)
    found, t_list, c_list = calls.measure(live.list_tagged)
    decisions, t_cls, c_cls = calls.measure(
        lambda: classify_orphans(found, owners, range(1, args.envs + 1), now)
    )
    orphans = [d for d in decisions if d.action == "delete"]
    _dry, t_dry, c_dry = calls.measure(lambda: live.delete_orphans(decisions, dry_run=True))
    done, t_del, c_del = calls.measure(lambda: live.delete_orphans(decisions, dry_run=False))
    failed = [r for r in done if not r.deleted]
    server.stop()

    print(load_average())
    print(
        f"{args.envs} environments, {len(found)} tagged resources listed, {len(orphans)} orphans "
        f"({args.orphans} environments without a stack), {len(fleet.listeners)} load balancers; "
        f"setup {setup:.1f} s"
    )
    rows = [
        ("list_tagged", t_list, c_list),
        ("classify_orphans", t_cls, c_cls),
        ("delete_orphans, dry run", t_dry, c_dry),
        ("delete_orphans", t_del, c_del),
    ]
    print(f"{'phase':<24} {'seconds':>8} {'calls':>6}  target (s, calls)")
    targets: list[Target] = []
    for name, secs, by_op in rows:
        limit_s, limit_calls = TARGETS[name]
        n = sum(by_op.values())
        t_s, t_c = Target(name, secs, limit_s), Target(f"{name} calls", n, limit_calls, "calls")
        targets += [t_s, t_c]
        mark = "OVER" if t_s.over or t_c.over else "ok"
        print(f"{name:<24} {secs:8.2f} {n:6d}  {limit_s:g}, {limit_calls}  {mark}")
    print("calls by operation (list_tagged | delete_orphans):")
    for op in sorted(set(c_list) | set(c_del)):
        print(f"  {op:<45} {c_list.get(op, 0):5d} | {c_del.get(op, 0):5d}")
    if failed:
        print(f"not deleted: {[(r.decision.resource.name, r.error or r.deferred) for r in failed]}")
        return 1
    return verdict(targets)


if __name__ == "__main__":
    sys.exit(main())
