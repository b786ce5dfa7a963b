"""The sweep's kinds beyond ECS and ECR: what an environment stack declares in HTTPS mode and
in both modes (target group, listener rules, security group, execution role, secret, log
group), and the router stack's rule. Listing reads tags; deleting takes one resource.

Where the tags come from (each kind by its cheapest tagged listing, so a fleet of 300 costs a
few dozen calls, not one per resource):

- target groups, log groups and task definitions: the Resource Groups Tagging API
  (``GetResources`` filtered on the key ``showtime:pr``, 100 per page; none of
  ``DescribeTargetGroups``, ``DescribeLogGroups`` and ``ListTaskDefinitions`` returns tags),
  then ``DescribeLogGroups`` for the groups' ages (the task definitions: ``orphans``);
- security groups: ``DescribeSecurityGroups`` filtered on the tag key (names and tags at once);
- secrets: ``ListSecrets`` filtered on the tag key (names, tags and creation dates at once;
  a secret already scheduled for deletion is not listed);
- listener rules: the Tagging API does not cover them: the load balancers the shared stack
  manages (``showtime:managed-by=showtime-iac``), their listeners' rules, and ``DescribeTags``
  20 rules at a time; a rule's name is its host;
- IAM roles: not in the Tagging API either: ``ListRoles`` (names ``sti-pr-*``), then
  ``ListRoleTags`` per such role.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from showtime_iac.adapters.aws.errors import AwsError
from showtime_iac.adapters.aws.session import AwsClients, aws_call
from showtime_iac.core.model import LOG_GROUP_PREFIX, NAME_PREFIX
from showtime_iac.core.orphans import TaggedResource

__all__ = [
    "IN_USE",
    "delete_kind",
    "list_log_groups",
    "list_roles",
    "list_rules",
    "list_secrets",
    "list_security_groups",
    "list_target_groups",
    "tagged_by_api",
]

PR_TAG = "showtime:pr"
MANAGED = ("showtime:managed-by", "showtime-iac")
#: error codes of a resource something else still uses (a stopping task's network interface,
#: a rule that still forwards): the next sweep deletes it, nothing is wrong
IN_USE = frozenset({"DependencyViolation", "ResourceInUse", "DeleteConflict"})
_TAGGING_TYPES = ["elasticloadbalancing:targetgroup", "logs", "ecs:task-definition"]


def _tags(raw: Iterable[Mapping[str, Any]] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for t in raw or []:
        k, v = t.get("Key", t.get("key")), t.get("Value", t.get("value"))
        if isinstance(k, str) and isinstance(v, str):
            out[k] = v
    return out


def _chunks(items: Sequence[str], n: int) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def tagged_by_api(clients: AwsClients) -> dict[str, dict[str, str]]:
    """ARN → tags of every target group, log group and task definition tagged
    ``showtime:pr``."""
    tagging = clients.client("tagging")
    if tagging is None:
        return {}
    out: dict[str, dict[str, str]] = {}
    with aws_call("GetResources showtime:pr"):
        for page in tagging.get_paginator("get_resources").paginate(
            TagFilters=[{"Key": PR_TAG}],
            ResourceTypeFilters=_TAGGING_TYPES,
            ResourcesPerPage=100,
        ):
            for m in page.get("ResourceTagMappingList", []):
                out[str(m["ResourceARN"])] = _tags(m.get("Tags"))
    return out


def list_target_groups(by_arn: Mapping[str, Mapping[str, str]]) -> list[TaggedResource]:
    """Target groups from the Tagging API's answer (the name is in the ARN; AWS keeps no
    creation time for a target group)."""
    out: list[TaggedResource] = []
    for arn, tags in by_arn.items():
        if ":targetgroup/" in arn:
            name = arn.split(":targetgroup/", 1)[1].split("/", 1)[0]
            out.append(TaggedResource("target-group", name, arn, dict(tags)))
    return out


def _log_group_name(arn: str) -> str | None:
    if ":log-group:" not in arn:
        return None
    return arn.split(":log-group:", 1)[1].removesuffix(":*")


def list_log_groups(
    clients: AwsClients, by_arn: Mapping[str, Mapping[str, str]]
) -> list[TaggedResource]:
    """Log groups ``/showtime/pr-*`` with their ages, tagged from the Tagging API's answer
    (a group it did not report carries none of our tags: listed untagged, never deleted)."""
    tags_of = {n: t for a, t in by_arn.items() if (n := _log_group_name(a)) is not None}
    out: list[TaggedResource] = []
    prefix = f"{LOG_GROUP_PREFIX}pr-"
    with aws_call(f"DescribeLogGroups {prefix}"):
        for page in clients.logs.get_paginator("describe_log_groups").paginate(
            logGroupNamePrefix=prefix
        ):
            for g in page.get("logGroups", []):
                name = g["logGroupName"]
                arn = g.get("logGroupArn") or str(g.get("arn", "")).removesuffix(":*")
                created = g.get("creationTime")
                when = datetime.fromtimestamp(created / 1000, tz=UTC) if created else None
                out.append(
                    TaggedResource("log-group", name, arn, dict(tags_of.get(name, {})), when)
                )
    return out


def list_security_groups(clients: AwsClients) -> list[TaggedResource]:
    """Security groups tagged ``showtime:pr`` (AWS keeps no creation time for them)."""
    out: list[TaggedResource] = []
    with aws_call("DescribeSecurityGroups tag-key showtime:pr"):
        for page in clients.ec2.get_paginator("describe_security_groups").paginate(
            Filters=[{"Name": "tag-key", "Values": [PR_TAG]}]
        ):
            for g in page.get("SecurityGroups", []):
                out.append(
                    TaggedResource(
                        "security-group", g["GroupName"], g["GroupId"], _tags(g.get("Tags"))
                    )
                )
    return out


def list_secrets(clients: AwsClients) -> list[TaggedResource]:
    """Secrets tagged ``showtime:pr``; one scheduled for deletion is already going."""
    sm = clients.secretsmanager
    if sm is None:
        return []
    out: list[TaggedResource] = []
    with aws_call("ListSecrets tag-key showtime:pr"):
        for page in sm.get_paginator("list_secrets").paginate(
            Filters=[{"Key": "tag-key", "Values": [PR_TAG]}]
        ):
            for s in page.get("SecretList", []):
                if s.get("DeletedDate") is not None:
                    continue
                out.append(
                    TaggedResource(
                        "secret", s["Name"], s["ARN"], _tags(s.get("Tags")), s.get("CreatedDate")
                    )
                )
    return out


def _managed_load_balancers(elbv2: Any) -> list[str]:
    arns = [
        lb["LoadBalancerArn"]
        for page in elbv2.get_paginator("describe_load_balancers").paginate()
        for lb in page.get("LoadBalancers", [])
    ]
    managed: list[str] = []
    for chunk in _chunks(arns, 20):
        for d in elbv2.describe_tags(ResourceArns=list(chunk)).get("TagDescriptions", []):
            if _tags(d.get("Tags")).get(MANAGED[0]) == MANAGED[1]:
                managed.append(d["ResourceArn"])
    return managed


def _host(rule: Mapping[str, Any]) -> str:
    for c in rule.get("Conditions", []):
        if c.get("Field") == "host-header":
            values = (c.get("HostHeaderConfig") or {}).get("Values") or c.get("Values") or []
            if values:
                return str(values[0])
    return str(rule.get("RuleArn", ""))


def list_rules(clients: AwsClients) -> list[TaggedResource]:
    """The listener rules of the load balancers the shared stack manages, by host, with their
    tags (AWS keeps no creation time for a rule)."""
    elbv2 = clients.elbv2
    if elbv2 is None:
        return []
    with aws_call("DescribeRules of the shared load balancers"):
        rules: dict[str, str] = {}
        for lb in _managed_load_balancers(elbv2):
            for lpage in elbv2.get_paginator("describe_listeners").paginate(LoadBalancerArn=lb):
                for listener in lpage.get("Listeners", []):
                    for rpage in elbv2.get_paginator("describe_rules").paginate(
                        ListenerArn=listener["ListenerArn"]
                    ):
                        for r in rpage.get("Rules", []):
                            if not r.get("IsDefault"):
                                rules[r["RuleArn"]] = _host(r)
        out: list[TaggedResource] = []
        for chunk in _chunks(list(rules), 20):
            for d in elbv2.describe_tags(ResourceArns=list(chunk)).get("TagDescriptions", []):
                arn = d["ResourceArn"]
                out.append(TaggedResource("listener-rule", rules[arn], arn, _tags(d.get("Tags"))))
    return out


def list_roles(clients: AwsClients) -> list[TaggedResource]:
    """IAM roles named ``sti-pr-*`` with their tags and creation dates."""
    iam = clients.client("iam")
    if iam is None:
        return []
    out: list[TaggedResource] = []
    with aws_call("ListRoles sti-pr-*"):
        for page in iam.get_paginator("list_roles").paginate():
            for role in page.get("Roles", []):
                name = role["RoleName"]
                if not name.startswith(f"{NAME_PREFIX}pr-"):
                    continue
                tags = iam.list_role_tags(RoleName=name).get("Tags", [])
                out.append(
                    TaggedResource(
                        "iam-role", name, role["Arn"], _tags(tags), role.get("CreateDate")
                    )
                )
    return out


def _delete_role(iam: Any, name: str) -> None:
    """A role goes with its inline policies (the execution role's) and detached managed ones."""
    for page in iam.get_paginator("list_role_policies").paginate(RoleName=name):
        for policy in page.get("PolicyNames", []):
            iam.delete_role_policy(RoleName=name, PolicyName=policy)
    for page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=name):
        for attached in page.get("AttachedPolicies", []):
            iam.detach_role_policy(RoleName=name, PolicyArn=attached["PolicyArn"])
    iam.delete_role(RoleName=name)


def delete_kind(clients: AwsClients, r: TaggedResource) -> None:
    """Delete one resource of these kinds (raises :class:`AwsError`)."""
    c = clients
    with aws_call(f"delete {r.kind} {r.name}"):
        if r.kind == "listener-rule" and c.elbv2 is not None:
            c.elbv2.delete_rule(RuleArn=r.ident)
        elif r.kind == "target-group" and c.elbv2 is not None:
            c.elbv2.delete_target_group(TargetGroupArn=r.ident)
        elif r.kind == "security-group":
            c.ec2.delete_security_group(GroupId=r.ident)
        elif r.kind == "iam-role" and c.client("iam") is not None:
            _delete_role(c.client("iam"), r.name)
        elif r.kind == "secret" and c.secretsmanager is not None:
            # no recovery window: the stack's own destroy removes it at once too
            c.secretsmanager.delete_secret(SecretId=r.ident, ForceDeleteWithoutRecovery=True)
        else:
            raise AwsError(f"cannot delete a {r.kind} here: no client for it")
