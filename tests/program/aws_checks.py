"""Checks of rendered resources that the AWS API models do not hold (tests/program/aws_models.py).

Each check takes one rendered resource and the whole render (for cross-resource rules) and
yields ``(path, message)`` findings, the path in the render's input names. The numbers and
grammars are AWS's documented limits: Fargate task sizes, name lengths and charsets, tag
rules, the ECR lifecycle policy grammar, IAM policy documents (actions checked against the
service's operations in botocore's model), ECS container wiring.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import botocore.session

from showtime_iac.program import RenderedResource

Finding = tuple[str, str]  # (path, message) inside one check
#: a check beyond the models: (resource, every resource of the render) → findings
Check = Callable[[RenderedResource, Sequence[RenderedResource]], Iterable[Finding]]


def join_path(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def kind_of(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def unknown_key(key: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.75)
    return f"unknown key {key!r}" + (f" (did you mean {close[0]!r}?)" if close else "")


@functools.cache
def botocore_session() -> botocore.session.Session:
    return botocore.session.get_session()


@functools.cache
def operations_of(service: str) -> frozenset[str]:
    return frozenset(botocore_session().get_service_model(service).operation_names)


# --------------------------------------------------------------------------- checks

#: Fargate's task sizes: CPU units → the memory (MiB) each takes.
FARGATE_MEMORY: Mapping[int, frozenset[int]] = {
    256: frozenset((512, 1024, 2048)),
    512: frozenset(range(1024, 4096 + 1, 1024)),
    1024: frozenset(range(2048, 8192 + 1, 1024)),
    2048: frozenset(range(4096, 16384 + 1, 1024)),
    4096: frozenset(range(8192, 30720 + 1, 1024)),
    8192: frozenset(range(16384, 61440 + 1, 4096)),
    16384: frozenset(range(32768, 122880 + 1, 8192)),
}


def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


def fargate_size(r: RenderedResource, _: Sequence[RenderedResource]) -> Iterator[Finding]:
    """A Fargate task's cpu and memory form one of Fargate's sizes."""
    if "FARGATE" not in (r.inputs.get("requiresCompatibilities") or []):
        return
    cpu, memory = _int(r.inputs.get("cpu")), _int(r.inputs.get("memory"))
    if cpu is None or cpu not in FARGATE_MEMORY:
        yield "cpu", f"Fargate takes cpu {', '.join(map(str, FARGATE_MEMORY))}, not {cpu}"
        return
    allowed = sorted(FARGATE_MEMORY[cpu])
    if memory not in allowed:
        yield (
            "memory",
            (
                f"Fargate cpu {cpu} takes memory {allowed[0]}..{allowed[-1]} "
                f"in steps of {allowed[1] - allowed[0]} MiB, not {memory}"
            ),
        )
    if r.inputs.get("networkMode") != "awsvpc":
        yield "networkMode", "Fargate tasks need networkMode awsvpc"


def name_limit(key: str, pattern: str, what: str) -> Check:
    """A check that input ``key`` (when set) fully matches ``pattern``."""
    rx = re.compile(pattern)

    def check(r: RenderedResource, _: Sequence[RenderedResource]) -> Iterator[Finding]:
        value = r.inputs.get(key)
        if value is not None and not (isinstance(value, str) and rx.fullmatch(value)):
            yield key, f"{value!r} is not a valid {what} ({pattern})"

    check.__name__ = "name"
    return check


ECS_NAME = r"[A-Za-z0-9_-]{1,255}"
ELB_NAME = r"(?!internal-)[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?"  # ≤32, no edge "-"
LOG_GROUP_NAME = r"[.\-_/#A-Za-z0-9]{1,512}"
IAM_NAME = r"[\w+=,.@-]{1,64}"
ECR_NAME = r"(?=.{2,256}$)[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*"
#: EC2 (VPC) security group names and descriptions, rule descriptions: ≤255 of these
EC2_TEXT = r"[A-Za-z0-9 ._\-:/()#,@\[\]+=&;{}!$*]{0,255}"
SG_NAME = r"(?!sg-)(?=.)" + EC2_TEXT
SECRET_NAME = r"[A-Za-z0-9/_+=.@-]{1,512}"
SSM_NAME = r"[A-Za-z0-9_.\-/]{1,2048}"

_TAG_PUNCTUATION = frozenset("_.:/=+-@")


def _tag_text_ok(text: str) -> bool:
    """AWS's tag charset ``^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$``."""
    return all(c in _TAG_PUNCTUATION or unicodedata.category(c)[0] in "LZN" for c in text)


def tag_rules(r: RenderedResource, _: Sequence[RenderedResource]) -> Iterator[Finding]:
    """Tags every AWS service takes: ≤50; key 1-128, value ≤256 characters of letters, digits,
    spaces and ``_.:/=+-@``; no ``aws:`` prefix (reserved, ECS rejects it)."""
    if len(r.tags) > 50:
        yield "tags", f"{len(r.tags)} tags, AWS takes at most 50"
    for key, value in r.tags.items():
        at = join_path("tags", key)
        if not 1 <= len(key) <= 128 or not _tag_text_ok(key):
            yield at, f"tag key {key!r}: 1-128 letters, digits, spaces or _.:/=+-@"
        if key.lower().startswith("aws:"):
            yield at, f"tag key {key!r}: the aws: prefix is reserved"
        if len(value) > 256 or not _tag_text_ok(value):
            yield at, f"tag value {value!r}: up to 256 letters, digits, spaces or _.:/=+-@"


def _document(r: RenderedResource, key: str) -> tuple[Any, Finding | None]:
    raw = r.inputs.get(key)
    if not isinstance(raw, str):
        return None, None if raw is None else (key, f"expected a JSON string, got {kind_of(raw)}")
    try:
        return json.loads(raw), None
    except json.JSONDecodeError as e:
        return None, (key, f"not a JSON document: {e}")


# ECR lifecycle policy grammar (docs: "Lifecycle policy properties").
_LIFECYCLE_RULE_KEYS = frozenset(("rulePriority", "description", "selection", "action"))
_LIFECYCLE_SELECTION_KEYS = frozenset(
    ("tagStatus", "tagPrefixList", "tagPatternList", "countType", "countUnit", "countNumber")
)
_TAG_STATUS = ("tagged", "untagged", "any")
_COUNT_TYPE = ("imageCountMoreThan", "sinceImagePushed")


def ecr_lifecycle_policy(key: str) -> Check:
    """The ECR lifecycle policy grammar of input ``key``."""

    def check(r: RenderedResource, _: Sequence[RenderedResource]) -> Iterator[Finding]:
        doc, bad = _document(r, key)
        if bad is not None:
            yield bad
            return
        if doc is None:
            return
        if not isinstance(doc, dict) or set(doc) != {"rules"} or not doc["rules"]:
            yield key, 'a lifecycle policy is {"rules": [at least one rule]}'
            return
        priorities: list[int] = []
        for i, rule in enumerate(doc["rules"]):
            yield from _lifecycle_rule(rule, f"{key}.rules[{i}]", priorities)
        if len(set(priorities)) != len(priorities):
            yield f"{key}.rules", f"rulePriority values must be unique: {priorities}"

    check.__name__ = "ecr_lifecycle_policy"
    return check


def _lifecycle_rule(rule: Any, at: str, priorities: list[int]) -> Iterator[Finding]:
    if not isinstance(rule, dict):
        yield at, "a rule is an object"
        return
    for k in set(rule) - _LIFECYCLE_RULE_KEYS:
        yield join_path(at, k), unknown_key(k, _LIFECYCLE_RULE_KEYS) + " in a lifecycle rule"
    for k in ("rulePriority", "selection", "action"):
        if k not in rule:
            yield join_path(at, k), f"a lifecycle rule requires {k!r}"
    p = rule.get("rulePriority")
    if p is not None:
        if isinstance(p, bool) or not isinstance(p, int) or p < 1:
            yield join_path(at, "rulePriority"), f"a positive integer, not {p!r}"
        else:
            priorities.append(p)
    action = rule.get("action")
    if action is not None and action != {"type": "expire"}:
        yield join_path(at, "action"), f'the action is {{"type": "expire"}}, not {action!r}'
    if isinstance(rule.get("selection"), dict):
        yield from _lifecycle_selection(rule["selection"], join_path(at, "selection"))
    elif "selection" in rule:
        yield join_path(at, "selection"), "the selection is an object"


def _lifecycle_selection(sel: dict[str, Any], at: str) -> Iterator[Finding]:
    for k in set(sel) - _LIFECYCLE_SELECTION_KEYS:
        yield join_path(at, k), unknown_key(k, _LIFECYCLE_SELECTION_KEYS) + " in a selection"
    for k in ("tagStatus", "countType", "countNumber"):
        if k not in sel:
            yield join_path(at, k), f"a selection requires {k!r}"
    status, count_type = sel.get("tagStatus"), sel.get("countType")
    if status is not None and status not in _TAG_STATUS:
        yield join_path(at, "tagStatus"), f"{status!r} is not one of {', '.join(_TAG_STATUS)}"
    if count_type is not None and count_type not in _COUNT_TYPE:
        yield join_path(at, "countType"), f"{count_type!r} is not one of {', '.join(_COUNT_TYPE)}"
    lists = [k for k in ("tagPrefixList", "tagPatternList") if k in sel]
    if status == "tagged" and len(lists) != 1:
        yield at, "tagStatus tagged takes exactly one of tagPrefixList, tagPatternList"
    if status != "tagged" and lists:
        yield join_path(at, lists[0]), f"only tagStatus tagged takes {lists[0]}"
    for k in lists:
        v = sel[k]
        if not isinstance(v, list) or not v or not all(isinstance(x, str) and x for x in v):
            yield join_path(at, k), "a non-empty list of non-empty strings"
    if count_type == "sinceImagePushed" and sel.get("countUnit") != "days":
        yield join_path(at, "countUnit"), 'countType sinceImagePushed takes countUnit "days"'
    if count_type == "imageCountMoreThan" and "countUnit" in sel:
        yield join_path(at, "countUnit"), "countType imageCountMoreThan takes no countUnit"
    n = sel.get("countNumber")
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
        yield join_path(at, "countNumber"), f"a positive integer, not {n!r}"


# IAM policy documents (docs: "IAM JSON policy element reference").
_POLICY_KEYS = frozenset(("Version", "Id", "Statement"))
_STATEMENT_KEYS = frozenset(
    (
        "Sid",
        "Effect",
        "Principal",
        "NotPrincipal",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
    )
)
_PRINCIPAL_KEYS = frozenset(("AWS", "Service", "Federated", "CanonicalUser"))
_ACTION_RE = re.compile(r"[a-z0-9-]+:[A-Za-z0-9*?]+")
#: IAM service prefixes whose botocore service has another name
_IAM_PREFIX_SERVICE = {"elasticloadbalancing": "elbv2"}
#: actions that are permissions only, not API operations
_PERMISSION_ONLY = frozenset(("iam:PassRole", "s3:ListBucket"))  # ListBucket: ListObjects*


def iam_policy(key: str, *, principal: bool) -> Check:
    """A check of the IAM policy document in input ``key``: a trust or resource policy
    (``principal``: every statement names a Principal) or an identity policy (every statement
    names a Resource, none a Principal). Actions must be operations of their service."""

    def check(r: RenderedResource, _: Sequence[RenderedResource]) -> Iterator[Finding]:
        doc, bad = _document(r, key)
        if bad is not None:
            yield bad
            return
        if doc is None:
            return
        if not isinstance(doc, dict):
            yield key, "a policy is an object"
            return
        for k in set(doc) - _POLICY_KEYS:
            yield join_path(key, k), unknown_key(k, _POLICY_KEYS) + " in a policy"
        if doc.get("Version") not in ("2012-10-17", "2008-10-17"):
            yield join_path(key, "Version"), f'"2012-10-17", not {doc.get("Version")!r}'
        statements = doc.get("Statement")
        if isinstance(statements, dict):
            statements = [statements]
        if not isinstance(statements, list) or not statements:
            yield join_path(key, "Statement"), "one statement or a non-empty list of them"
            return
        for i, s in enumerate(statements):
            yield from _statement(s, f"{key}.Statement[{i}]", principal=principal)

    check.__name__ = "iam_policy"
    return check


def _statement(s: Any, at: str, *, principal: bool) -> Iterator[Finding]:
    if not isinstance(s, dict):
        yield at, "a statement is an object"
        return
    for k in set(s) - _STATEMENT_KEYS:
        yield join_path(at, k), unknown_key(k, _STATEMENT_KEYS) + " in a statement"
    if s.get("Effect") not in ("Allow", "Deny"):
        yield join_path(at, "Effect"), f'"Allow" or "Deny", not {s.get("Effect")!r}'
    if not re.fullmatch(r"[A-Za-z0-9]*", str(s.get("Sid", ""))):
        yield join_path(at, "Sid"), "letters and digits only"
    if ("Action" in s) == ("NotAction" in s):
        yield join_path(at, "Action"), "exactly one of Action, NotAction"
    for k in ("Action", "NotAction"):
        for j, action in _each(s.get(k)):
            yield from _action(action, f"{at}.{k}" + (f"[{j}]" if j is not None else ""))
    has_principal = "Principal" in s or "NotPrincipal" in s
    if principal and not has_principal:
        yield join_path(at, "Principal"), "a trust or resource policy names a Principal"
    if not principal:
        if has_principal:
            yield join_path(at, "Principal"), "an identity policy names no Principal"
        if ("Resource" in s) == ("NotResource" in s):
            yield join_path(at, "Resource"), "exactly one of Resource, NotResource"
    for k in ("Resource", "NotResource"):
        for j, res in _each(s.get(k)):
            if not (isinstance(res, str) and (res == "*" or res.startswith("arn:"))):
                yield f"{at}.{k}" + (f"[{j}]" if j is not None else ""), f"an ARN, not {res!r}"
    p = s.get("Principal")
    if isinstance(p, dict):
        for k in set(p) - _PRINCIPAL_KEYS:
            yield (
                join_path(f"{at}.Principal", k),
                unknown_key(k, _PRINCIPAL_KEYS) + " in a Principal",
            )
    elif p is not None and p != "*":
        yield join_path(at, "Principal"), f'"*" or an object, not {p!r}'
    if "Condition" in s and not all(isinstance(v, dict) for v in _values(s["Condition"])):
        yield join_path(at, "Condition"), "operator → {key: value}"


def _each(value: Any) -> Iterator[tuple[int | None, Any]]:
    if isinstance(value, list):
        yield from enumerate(value)
    elif value is not None:
        yield None, value


def _values(value: Any) -> list[Any]:
    return list(value.values()) if isinstance(value, dict) else [None]


def _action(action: Any, at: str) -> Iterator[Finding]:
    if action == "*":
        return
    if not isinstance(action, str) or not _ACTION_RE.fullmatch(action):
        yield at, f"service:Action, not {action!r}"
        return
    prefix, name = action.split(":")
    service = _IAM_PREFIX_SERVICE.get(prefix, prefix)
    if (
        "*" in name
        or "?" in name
        or action in _PERMISSION_ONLY
        or service not in botocore_session().get_available_services()
    ):
        return
    if name not in operations_of(service):
        close = difflib.get_close_matches(name, list(operations_of(service)), n=1)
        hint = f" (did you mean {prefix}:{close[0]}?)" if close else ""
        yield at, f"{service} has no operation {name!r}{hint}"


_LOG_RETENTION = frozenset(
    (0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192)
)
_LOG_RETENTION |= {2557, 2922, 3288, 3653}


def log_retention(r: RenderedResource, _: Sequence[RenderedResource]) -> Iterator[Finding]:
    """CloudWatch Logs keeps logs for one of its fixed periods (0: forever)."""
    days = r.inputs.get("retentionInDays")
    if days is not None and days not in _LOG_RETENTION:
        yield "retentionInDays", f"{days} is not a retention CloudWatch Logs offers"


_AWSLOGS_OPTIONS = frozenset(
    (
        "awslogs-group",
        "awslogs-region",
        "awslogs-stream-prefix",
        "awslogs-create-group",
        "awslogs-datetime-format",
        "awslogs-multiline-pattern",
        "awslogs-endpoint",
        "mode",
        "max-buffer-size",
    )
)
_IMAGE_RE = re.compile(r"[A-Za-z0-9_.:/@#-]{1,255}")


@functools.cache
def container_health_ranges() -> Mapping[str, tuple[int, int]]:
    """ECS's ranges of a container ``healthCheck`` (interval 5-300 s, ...): botocore's model
    holds them only in each member's documentation ("You may specify between 5 and 300
    seconds"), so they are read from there, never copied."""
    shape = botocore_session().get_service_model("ecs").shape_for("HealthCheck")
    out: dict[str, tuple[int, int]] = {}
    for name, member in shape.members.items():  # type: ignore[attr-defined]
        m = re.search(r"between (\d+) and (\d+)", member.documentation or "")
        if m:
            out[name] = (int(m.group(1)), int(m.group(2)))
    return out


def _health_check(check: Any, at: str) -> Iterator[Finding]:
    if not isinstance(check, dict):
        return
    for key, (low, high) in container_health_ranges().items():
        value = check.get(key)
        if value is not None and not (isinstance(value, int) and low <= value <= high):
            yield join_path(at, key), f"{low}-{high}, not {value!r}"


def task_containers(r: RenderedResource, every: Sequence[RenderedResource]) -> Iterator[Finding]:
    """Container wiring ECS checks at registration and at start: unique names, one essential
    container, ``dependsOn`` naming a sibling, awsvpc port mappings, awslogs options (Fargate:
    group, region and stream prefix; the group one this render declares), sizes within the
    task's."""
    containers = r.containers()
    names = [c.get("name") for c in containers]
    fargate = "FARGATE" in (r.inputs.get("requiresCompatibilities") or [])
    if not any(c.get("essential", True) for c in containers):
        yield "containerDefinitions", "at least one container must be essential"
    log_groups = {x.inputs.get("name") for x in every if x.type.endswith("logGroup:LogGroup")}
    for i, c in enumerate(containers):
        at = f"containerDefinitions[{i}]"
        if names.count(c.get("name")) > 1 or not re.fullmatch(ECS_NAME, str(c.get("name"))):
            yield (
                join_path(at, "name"),
                f"a unique container name ({ECS_NAME}), not {c.get('name')!r}",
            )
        if not _IMAGE_RE.fullmatch(str(c.get("image", ""))):
            yield join_path(at, "image"), "an image reference of up to 255 characters"
        for j, dep in enumerate(c.get("dependsOn") or []):
            other = dep.get("containerName") if isinstance(dep, dict) else None
            if other not in names or other == c.get("name"):
                yield f"{at}.dependsOn[{j}].containerName", f"no sibling container {other!r}"
        for j, pm in enumerate(c.get("portMappings") or []):
            host, port = pm.get("hostPort"), pm.get("containerPort")
            if port is None:
                yield f"{at}.portMappings[{j}].containerPort", "a port mapping needs containerPort"
            elif r.inputs.get("networkMode") == "awsvpc" and host is not None and host != port:
                yield f"{at}.portMappings[{j}].hostPort", "awsvpc: hostPort equals containerPort"
        env = [e.get("name") for e in c.get("environment") or [] if isinstance(e, dict)]
        for j, n in enumerate(env):
            if not n or env.count(n) > 1:
                yield f"{at}.environment[{j}].name", f"a unique, non-empty name, not {n!r}"
        yield from _awslogs(
            c.get("logConfiguration"), f"{at}.logConfiguration", fargate, log_groups
        )
        yield from _health_check(c.get("healthCheck"), f"{at}.healthCheck")
    yield from _container_sizes(r, containers)


def _awslogs(conf: Any, at: str, fargate: bool, log_groups: set[Any]) -> Iterator[Finding]:
    if not isinstance(conf, dict):
        return
    driver = conf.get("logDriver")
    if fargate and driver not in ("awslogs", "splunk", "awsfirelens"):
        yield (
            join_path(at, "logDriver"),
            f"Fargate takes awslogs, splunk or awsfirelens, not {driver!r}",
        )
    if driver != "awslogs":
        return
    options = conf.get("options") or {}
    for k in set(options) - _AWSLOGS_OPTIONS:
        yield join_path(f"{at}.options", k), unknown_key(k, _AWSLOGS_OPTIONS) + " awslogs option"
    needed = ("awslogs-group", "awslogs-region") + (("awslogs-stream-prefix",) if fargate else ())
    for k in needed:
        if not options.get(k):
            yield join_path(f"{at}.options", k), f"awslogs needs {k!r}"
    group = options.get("awslogs-group")
    if group and log_groups - {None} and group not in log_groups:
        yield (
            join_path(f"{at}.options", "awslogs-group"),
            f"{group!r} is no log group of this stack",
        )


def _container_sizes(r: RenderedResource, containers: list[dict[str, Any]]) -> Iterator[Finding]:
    task_cpu, task_memory = _int(r.inputs.get("cpu")), _int(r.inputs.get("memory"))
    for k, total in (
        ("cpu", task_cpu),
        ("memory", task_memory),
        ("memoryReservation", task_memory),
    ):
        used = sum(int(c.get(k) or 0) for c in containers)
        if total is not None and used > total:
            yield "containerDefinitions", f"containers' {k} {used} exceeds the task's {total}"
    for i, c in enumerate(containers):
        low, high = c.get("memoryReservation"), c.get("memory")
        if low is not None and high is not None and low > high:
            yield f"containerDefinitions[{i}].memoryReservation", "above the container's memory"


def ecs_service(r: RenderedResource, every: Sequence[RenderedResource]) -> Iterator[Finding]:
    """A Fargate service has an awsvpc network; a load balancer targets a container port of
    the service's task definition (when this render declares it)."""
    if r.inputs.get("launchType") == "FARGATE" and not r.inputs.get("networkConfiguration"):
        yield "networkConfiguration", "a Fargate service needs networkConfiguration"
    net = r.inputs.get("networkConfiguration") or {}
    if net and not 1 <= len(net.get("subnets") or []) <= 16:
        yield "networkConfiguration.subnets", "1 to 16 subnets"
    if len(net.get("securityGroups") or []) > 5:
        yield "networkConfiguration.securityGroups", "at most 5 security groups"
    family = str(r.inputs.get("taskDefinition", "")).rsplit("/", 1)[-1].split(":")[0]
    tasks = [x for x in every if x.type.endswith("taskDefinition:TaskDefinition")]
    task = next((x for x in tasks if x.inputs.get("family") == family), None)
    yield from _grace_period(r, task)
    if task is None:
        return
    ports = {
        (c.get("name"), pm.get("containerPort"))
        for c in task.containers()
        for pm in c.get("portMappings") or []
    }
    for i, lb in enumerate(r.inputs.get("loadBalancers") or []):
        target = (lb.get("containerName"), lb.get("containerPort"))
        if target not in ports:
            yield (
                f"loadBalancers[{i}]",
                f"{target} is no container port of {family}: {sorted(ports)}",
            )


@functools.cache
def grace_covers_container_checks() -> bool:
    """Whether ECS's model says the service's health-check grace covers container health
    checks (it did not always: it once applied to load balancer checks only, and a service
    without a load balancer was refused one)."""
    shape = botocore_session().get_service_model("ecs").operation_model("CreateService")
    doc = shape.input_shape.members["healthCheckGracePeriodSeconds"].documentation or ""
    return "container health checks" in doc


def _grace_period(r: RenderedResource, task: RenderedResource | None) -> Iterator[Finding]:
    """A grace period needs a health check it applies to: a load balancer's, or (as botocore's
    model documents it) a container ``healthCheck`` of the service's task definition."""
    if r.inputs.get("healthCheckGracePeriodSeconds") is None or r.inputs.get("loadBalancers"):
        return
    if not grace_covers_container_checks():
        yield "healthCheckGracePeriodSeconds", "only a service with loadBalancers takes it"
    elif task is not None and not any(c.get("healthCheck") for c in task.containers()):
        yield (
            "healthCheckGracePeriodSeconds",
            "no health check to apply it to: no load balancer, no container healthCheck",
        )


def secret_recovery(r: RenderedResource, _: Sequence[RenderedResource]) -> Iterator[Finding]:
    """Secrets Manager waits 7-30 days before deleting a secret (0: at once)."""
    days = r.inputs.get("recoveryWindowInDays")
    if days is not None and days != 0 and not 7 <= days <= 30:
        yield "recoveryWindowInDays", f"0 or 7-30 days, not {days}"


def target_group_attributes(
    r: RenderedResource, _: Sequence[RenderedResource]
) -> Iterator[Finding]:
    """The target group attributes CreateTargetGroup does not take, within their ranges, and
    its health check's timeout below its interval (ELB refuses it otherwise)."""
    delay, slow = r.inputs.get("deregistrationDelay"), r.inputs.get("slowStart")
    if delay is not None and not 0 <= int(delay) <= 3600:
        yield "deregistrationDelay", f"0-3600 seconds, not {delay}"
    if slow is not None and slow != 0 and not 30 <= slow <= 900:
        yield "slowStart", f"0 or 30-900 seconds, not {slow}"
    sticky = r.inputs.get("stickiness") or {}
    if sticky.get("type") not in (
        None,
        "lb_cookie",
        "app_cookie",
        "source_ip",
        "source_ip_dest_ip",
        "source_ip_dest_ip_proto",
    ):
        yield "stickiness.type", f"{sticky.get('type')!r} is no stickiness type"
    if r.inputs.get("targetType") != "ip":
        yield "targetType", "Fargate tasks (awsvpc) register by IP: targetType ip"
    check = r.inputs.get("healthCheck") or {}
    interval, timeout = check.get("interval"), check.get("timeout")
    if isinstance(interval, int) and isinstance(timeout, int) and timeout >= interval:
        # CreateTargetGroup: "Health check interval must be greater than the timeout."
        yield "healthCheck.timeout", f"below the interval ({interval} s), not {timeout}"


def ec2_descriptions(r: RenderedResource, _: Sequence[RenderedResource]) -> Iterator[Finding]:
    """A security group's description and its rules' descriptions in EC2's charset."""
    rx = re.compile(EC2_TEXT)
    texts = [("description", r.inputs.get("description"))]
    for side in ("ingress", "egress"):
        for i, rule in enumerate(r.inputs.get(side) or []):
            texts.append((f"{side}[{i}].description", rule.get("description")))
    for at, text in texts:
        if text is not None and not (isinstance(text, str) and rx.fullmatch(text)):
            yield at, f"{text!r}: up to 255 of a-z A-Z 0-9 space ._-:/()#,@[]+=&;{{}}!$*"
