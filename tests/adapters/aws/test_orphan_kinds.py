"""The sweep over every kind an environment or router stack leaves (issue 27), on moto's
server: a leftover of each kind is found and removed in dependency order; what a live stack
owns, untagged resources and foreign ones survive; a dry run writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from showtime_iac.adapters.aws import AwsLive
from showtime_iac.core.model import EnvConfig, resource_names, resource_tags
from showtime_iac.core.orphans import KINDS
from tests.adapters.aws.orphan_world import (
    DOMAIN,
    TRUST,
    https_environment,
    router_rule,
    shared_alb,
)
from tests.adapters.aws.support import SHA1, SHA2, SHA3, live_from_env
from tests.doubles import World, tag_list

LATER = datetime.now(UTC) + timedelta(hours=2)
SHA4 = "ddddddd4444444444444444444444444444444dd"


def inventory(live: AwsLive) -> set[tuple[str, str]]:
    return {(r.kind, r.name.split(":")[0]) for r in live.list_tagged()}


def every_kind(pr: int, sha: str) -> set[tuple[str, str]]:
    n = resource_names(pr, sha)
    return {
        ("ecs-service", n.service),
        ("listener-rule", f"{n.stack}.{DOMAIN}"),
        ("target-group", n.target_group),
        ("security-group", n.security_group),
        ("task-definition", n.task_family),
        ("iam-role", n.execution_role),
        ("secret", f"{n.secret_prefix}20261205000000000000000001"),
        ("log-group", n.log_group),
        ("ecr-image", n.image_tag),
    }


def fleet(world: World) -> None:
    alb = shared_alb(world)
    https_environment(world, alb, 1, SHA1)  # PR 1 open, its stack live: kept whole
    router_rule(world, alb, 1, SHA1)  # and its router stack live: kept
    https_environment(world, alb, 2, SHA2)  # PR 2 closed, its stack gone: every kind an orphan
    router_rule(world, alb, 3, SHA3)  # PR 3's router stack gone: its rule an orphan
    https_environment(world, alb, 4, SHA4, tagged=False)  # our names, no tags: never touched
    # foreign: a security group tagged like PR 2 but named otherwise; a role named like ours
    # without tags; a load balancer the shared stack does not manage, with a rule tagged ours
    c = world.c
    assert c.client("iam") is not None and c.elbv2 is not None
    c.ec2.create_security_group(
        GroupName="production-db",
        Description="not ours",
        VpcId=alb.vpc,
        TagSpecifications=[
            {
                "ResourceType": "security-group",
                "Tags": tag_list(resource_tags(EnvConfig(pr=2, sha=SHA2)), upper=True),
            }
        ],
    )
    c.client("iam").create_role(RoleName="sti-pr-5-eeeeeee-exec", AssumeRolePolicyDocument=TRUST)
    router_rule(world, shared_alb(world, managed=False), 3, SHA3)


def test_every_kind_is_listed_with_its_tags(world: World) -> None:
    fleet(world)
    found = inventory(live_from_env())
    assert every_kind(1, SHA1) <= found and every_kind(2, SHA2) <= found
    assert ("listener-rule", f"pr-1.{DOMAIN}") in found
    assert ("listener-rule", f"pr-3.{DOMAIN}") in found
    assert {k for k, _ in found} == set(KINDS)
    # the untagged environment's role is listed (named ours) and judged untagged: skipped
    by_name = {d.resource.name: d for d in live_from_env().find_orphans(set(), set(), LATER)}
    assert by_name["sti-pr-5-eeeeeee-exec"].action == "skip"
    assert by_name["production-db"].action == "skip"
    assert by_name[resource_names(4, SHA4).execution_role].reason.startswith("no showtime:pr")


def test_the_sweep_removes_a_leftover_of_every_kind_and_nothing_a_live_stack_owns(
    world: World,
) -> None:
    fleet(world)
    live = live_from_env()
    before = inventory(live)
    decisions = live.find_orphans({"pr-1-aaaaaaa", "pr-1-router", "shared"}, {1, 3}, LATER)
    orphans = {
        (d.resource.kind, d.resource.name.split(":")[0]) for d in decisions if d.action == "delete"
    }
    expected = every_kind(2, SHA2) | {("listener-rule", f"pr-3.{DOMAIN}")}
    assert orphans == expected
    reasons = {d.resource.name: d.reason for d in decisions}
    assert reasons[f"pr-3.{DOMAIN}"] == "stack pr-3-router no longer exists"
    assert reasons[f"pr-1.{DOMAIN}"] == "stack pr-1-router exists (PR #1 is open)"

    dry = live.delete_orphans(decisions, dry_run=True)
    assert [r.decision.resource.kind for r in dry] == [
        "ecs-service",
        "listener-rule",
        "listener-rule",
        "target-group",
        "security-group",
        "task-definition",
        "iam-role",
        "secret",
        "log-group",
        "ecr-image",
    ]
    assert inventory(live) == before

    done = live.delete_orphans(decisions, dry_run=False)
    assert [(r.deleted, r.error, r.deferred) for r in done] == [(True, None, None)] * 10
    assert inventory(live) == before - expected
    # the role's inline policy went first (a role with one cannot be deleted), the rule
    # before its target group (one a rule forwards to is in use): no DeleteConflict
    c = world.c
    assert c.client("iam") is not None
    roles = {r["RoleName"] for r in c.client("iam").list_roles()["Roles"]}
    assert resource_names(2, SHA2).execution_role not in roles
    assert {resource_names(1, SHA1).execution_role, "sti-pr-5-eeeeeee-exec"} <= roles
    # the unmanaged load balancer's rule tagged like PR 3 is still there
    assert c.elbv2 is not None
    lbs = c.elbv2.describe_load_balancers()["LoadBalancers"]
    other = next(lb for lb in lbs if lb["LoadBalancerName"] == "someone-else")
    listener = c.elbv2.describe_listeners(LoadBalancerArn=other["LoadBalancerArn"])["Listeners"]
    rules = c.elbv2.describe_rules(ListenerArn=listener[0]["ListenerArn"])["Rules"]
    assert len([r for r in rules if not r["IsDefault"]]) == 1
    # a second sweep finds nothing left to delete
    again = live.find_orphans({"pr-1-aaaaaaa", "pr-1-router"}, {1, 3}, LATER)
    assert [d for d in again if d.action == "delete"] == []


def test_a_target_group_still_in_use_is_deferred_not_failed(world: World) -> None:
    alb = shared_alb(world)
    https_environment(world, alb, 2, SHA2)
    live = live_from_env()
    decisions = live.find_orphans(set(), set(), LATER)
    # the rule that forwards to the target group is not deleted in this run (kept by a stack)
    tg_only = [d for d in decisions if d.resource.kind == "target-group"]
    (result,) = live.delete_orphans(tg_only, dry_run=False)
    assert (result.deleted, result.error) == (False, None)
    assert "ResourceInUse" in (result.deferred or "")


def test_the_sweeps_own_clients_are_made_on_first_use_only(moto_env: str) -> None:
    from showtime_iac.adapters.aws import AwsClients
    from showtime_iac.settings import Settings

    clients = AwsClients.from_settings(Settings.from_env())
    assert (clients.iam, clients.tagging) == (None, None)  # a deploy never loads them
    iam = clients.client("iam")
    assert iam.meta.service_model.service_name == "iam"
    assert clients.client("iam") is iam
    assert clients.client("tagging").meta.service_model.service_name == "resourcegroupstaggingapi"
    assert AwsClients(clients.ecs, clients.ec2, clients.ecr, clients.logs).client("iam") is None
