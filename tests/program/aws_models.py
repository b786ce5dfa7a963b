"""Validation that Pulumi's mocks cannot do: what the program declares, checked against AWS.

Under ``pulumi.runtime.set_mocks`` every input is accepted, so a typo in a nested key, an enum
value AWS does not know or a Fargate size that does not exist pass every program test and fail
only at ``pulumi up``. :func:`validate` takes the resources of an offline render
(:class:`showtime_iac.program.RenderedResource`) and checks each one, by its Pulumi type token
(table :data:`RULES`), against:

(a) the AWS API models botocore ships: the resource's inputs become the request of the API
    operation that creates it (:class:`Call`: renames, provider-only inputs dropped, JSON
    documents parsed), walked against the operation's input shape: member names, required
    members, types, enum values, lengths, ranges and patterns;
(b) pulumi_aws's typed arguments (the ``@input_type`` ``*Args`` classes behind the ``*ArgsDict``
    TypedDicts): every nested key must be one the SDK knows, by its wire (camelCase) name, as
    the mocks record it; required nested keys must be there;
(c) rules the models do not hold (the checks in ``aws_checks.py``): Fargate cpu/memory pairs,
    name lengths and charsets, tag keys and values (every resource), the ECR lifecycle policy
    grammar, IAM policy documents (actions checked against the service's operations), container
    wiring and other cross-resource rules.

Problems are reported by the path of the resource's inputs as the render shows them
(``containerDefinitions[0].portMappings[0].protocol``, ``tags.showtime:requested-by``).
A resource type without a rule is itself a problem: adding a resource means adding its line.
Nothing here touches the network.
"""

from __future__ import annotations

import collections.abc as cabc
import functools
import importlib
import inspect
import json
import re
import sys
import typing
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.model import OperationNotFoundError, Shape
from pulumi import _types as pulumi_types

from showtime_iac.program import RenderedResource

from .aws_checks import (
    ECR_NAME,
    ECS_NAME,
    ELB_NAME,
    FARGATE_MEMORY,
    IAM_NAME,
    LOG_GROUP_NAME,
    SECRET_NAME,
    SG_NAME,
    SSM_NAME,
    Check,
    Finding,
    botocore_session,
    ec2_descriptions,
    ecr_lifecycle_policy,
    ecs_service,
    fargate_size,
    iam_policy,
    join_path,
    kind_of,
    log_retention,
    name_limit,
    secret_recovery,
    tag_rules,
    target_group_attributes,
    task_containers,
    unknown_key,
)

__all__ = [
    "FARGATE_MEMORY",
    "RULES",
    "Call",
    "Problem",
    "Rule",
    "args_class",
    "check_pulumi",
    "check_shape",
    "ensure_ready",
    "input_shape",
    "validate",
    "validate_resource",
]

# --------------------------------------------------------------------------- problems


@dataclass(frozen=True, order=True)
class Problem:
    """One defect: which resource, where in its inputs, which check found it, and why."""

    resource: str  # "type logical-name"
    path: str  # in the render's input names: "runtimePlatform.cpuArchitecture"
    check: str  # "ecs.RegisterTaskDefinition", "pulumi_aws", "fargate", "tags", ...
    message: str

    def __str__(self) -> str:
        return f"{self.resource}: {self.path or '(inputs)'}: {self.message} [{self.check}]"


# --------------------------------------------------------------------------- (a) AWS models


@functools.cache
def input_shape(service: str, operation: str) -> Shape:
    """The request shape of one API operation, from the model botocore ships."""
    shape = botocore_session().get_service_model(service).operation_model(operation).input_shape
    assert shape is not None, f"{service}.{operation} takes no input"
    return shape


@functools.cache
def _unicode_ranges(categories: str) -> str:
    """Python character-class ranges of every code point whose category starts with one of
    ``categories`` (Java's ``\\p{L}``; Python's ``re`` has no Unicode property classes)."""
    out: list[str] = []
    start = prev = -2
    for cp in range(sys.maxunicode + 1):
        if unicodedata.category(chr(cp))[0] in categories:
            if cp != prev + 1:
                if start >= 0:
                    out.append(f"\\U{start:08x}-\\U{prev:08x}")
                start = cp
            prev = cp
    out.append(f"\\U{start:08x}-\\U{prev:08x}")
    return "".join(out)


@functools.cache
def _pattern(java: str) -> re.Pattern[str] | None:
    """A model's (Java/ECMA) pattern as a Python regex; None where it cannot be translated."""
    translated = re.sub(r"\\p\{(\w)\}", lambda m: _unicode_ranges(m.group(1)), java)
    try:
        return re.compile(translated)
    except re.error:
        return None


def check_shape(value: Any, shape: Shape, path: str, *, exact: bool) -> Iterator[Finding]:
    """Walk ``value`` against a botocore shape. ``exact``: member names must match exactly
    (JSON documents sent as they are); otherwise case-insensitively (Pulumi's names of the
    same members: ``enableEcsManagedTags`` / ``enableECSManagedTags``, ``port`` / ``Port``)."""
    kind = shape.type_name
    if kind == "structure":
        yield from _check_structure(value, shape, path, exact=exact)
    elif kind == "list":
        yield from _check_list(value, shape, path, exact=exact)
    elif kind == "map":
        if not isinstance(value, dict):
            yield path, f"expected an object ({shape.name}), got {kind_of(value)}"
            return
        key_shape, value_shape = shape.key, shape.value  # type: ignore[attr-defined]
        for k, v in value.items():
            yield from check_shape(k, key_shape, join_path(path, k), exact=exact)
            yield from check_shape(v, value_shape, join_path(path, k), exact=exact)
    elif kind == "string":
        yield from _check_string(value, shape, path)
    elif kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            yield path, f"expected an integer ({shape.name}), got {kind_of(value)}: {value!r}"
            return
        low, high = shape.metadata.get("min"), shape.metadata.get("max")
        if (low is not None and value < low) or (high is not None and value > high):
            yield path, f"{value} is outside {low}..{high} ({shape.name})"
    elif kind in ("float", "double"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            yield path, f"expected a number ({shape.name}), got {kind_of(value)}"
    elif kind == "boolean" and not isinstance(value, bool):
        yield path, f"expected a boolean ({shape.name}), got {kind_of(value)}: {value!r}"


def _check_structure(value: Any, shape: Shape, path: str, *, exact: bool) -> Iterator[Finding]:
    if shape.metadata.get("document"):
        return
    if not isinstance(value, dict):
        yield path, f"expected an object ({shape.name}), got {kind_of(value)}"
        return
    members: Mapping[str, Shape] = shape.members  # type: ignore[attr-defined]
    folded = {k.lower(): k for k in members}
    seen: set[str] = set()
    for key, v in value.items():
        name = key if key in members else None if exact else folded.get(key.lower())
        if name is None:
            yield join_path(path, key), f"{unknown_key(key, members)} in {shape.name}"
            continue
        seen.add(name)
        if v is not None:
            yield from check_shape(v, members[name], join_path(path, key), exact=exact)
    for name in shape.required_members:
        if name not in seen:
            yield (
                join_path(path, name if exact else _camel(name)),
                f"{shape.name} requires {name!r}",
            )


def _camel(name: str) -> str:
    """An API member name in Pulumi's case (``HealthCheckPath`` → ``healthCheckPath``)."""
    return name[:1].lower() + name[1:]


def _tag_members(shape: Shape) -> tuple[str, str] | None:
    """(key, value) member names if ``shape`` is a list of {Key, Value} (AWS tag lists)."""
    member = shape.member  # type: ignore[attr-defined]
    if member.type_name != "structure":
        return None
    names = {k.lower(): k for k in member.members}
    return (names["key"], names["value"]) if set(names) == {"key", "value"} else None


def _check_list(value: Any, shape: Shape, path: str, *, exact: bool) -> Iterator[Finding]:
    member: Shape = shape.member  # type: ignore[attr-defined]
    pair = _tag_members(shape)
    if isinstance(value, dict) and pair is not None:  # Pulumi's tag map → the API's tag list
        for k, v in value.items():
            yield from check_shape(k, member.members[pair[0]], join_path(path, k), exact=exact)  # type: ignore[attr-defined]
            yield from check_shape(v, member.members[pair[1]], join_path(path, k), exact=exact)  # type: ignore[attr-defined]
        return
    if not isinstance(value, list):
        yield path, f"expected a list ({shape.name}), got {kind_of(value)}"
        return
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if (low is not None and len(value) < low) or (high is not None and len(value) > high):
        yield path, f"{len(value)} items, {shape.name} takes {low or 0}..{high or 'any'}"
    for i, item in enumerate(value):
        yield from check_shape(item, member, f"{path}[{i}]", exact=exact)


def _check_string(value: Any, shape: Shape, path: str) -> Iterator[Finding]:
    if not isinstance(value, str):
        yield path, f"expected a string ({shape.name}), got {kind_of(value)}: {value!r}"
        return
    enum: list[str] = getattr(shape, "enum", None) or []
    if enum and value not in enum:
        yield path, f"{value!r} is not one of {shape.name}: {', '.join(enum)}"
        return
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if (low is not None and len(value) < low) or (high is not None and len(value) > high):
        yield path, f"{len(value)} characters, {shape.name} takes {low or 0}..{high or 'any'}"
    java = shape.metadata.get("pattern")
    compiled = _pattern(java) if java else None
    if compiled is not None and not compiled.fullmatch(value):
        yield path, f"{value[:80]!r} does not match {shape.name}'s pattern {java}"


# --------------------------------------------------------------------------- resource → request


Convert = Callable[[Any], Any]


@dataclass(frozen=True)
class Call:
    """How a resource's inputs become the request of one AWS API operation.

    ``moves`` (applied in order) take the value at an input path to a request path; ``[]``
    steps into every list item (``"loadBalancers[].elbName": "loadBalancers[].loadBalancerName"``);
    ``""`` drops what only the provider reads (``waitForSteadyState``); a key ending in ``*``
    drops every input key with that prefix. ``only`` keeps just those input keys (one resource,
    several calls). ``convert`` changes the value at a request path (``""``: the whole request),
    ``defaults`` fill what the provider fills (auto-names), ``documents`` are request keys whose
    value is a JSON document of the member's shape (checked with exact member names). The
    resource's tags go into the request where its shape takes ``tags`` (as a map or a list of
    key/value pairs). Request paths use the input's case: members match case-insensitively.
    """

    service: str
    operation: str
    moves: Mapping[str, str] = field(default_factory=dict)
    only: frozenset[str] | None = None
    convert: Mapping[str, Convert] = field(default_factory=dict)
    defaults: Mapping[str, Any] = field(default_factory=dict)
    documents: frozenset[str] = frozenset()

    @property
    def check(self) -> str:
        return f"{self.service}.{self.operation}"

    def request(self, r: RenderedResource, shape: Shape) -> tuple[dict[str, Any], list[Finding]]:
        """The request body, and problems met building it (a JSON document that is not)."""
        body: dict[str, Any] = json.loads(json.dumps(r.inputs))  # a deep copy of plain data
        if self.only is not None:
            body = {k: v for k, v in body.items() if k in self.only}
        if r.tags and any(m.lower() == "tags" for m in shape.members):  # type: ignore[attr-defined]
            body["tags"] = dict(r.tags)
        for src, dst in self.moves.items():
            if src.endswith("*"):
                for k in [k for k in body if k.startswith(src[:-1])]:
                    del body[k]
            else:
                _move(body, _steps(src), _steps(dst))
        _prune(body)
        problems = list(self._leftovers(body))
        for key in self.documents:
            if isinstance(body.get(key), str):
                try:
                    body[key] = json.loads(body[key])
                except json.JSONDecodeError as e:
                    problems.append((key, f"not a JSON document: {e}"))
        for at, fn in self.convert.items():
            if at == "":
                body = fn(body)
            else:
                _convert(body, _steps(at), fn)
        for k, v in self.defaults.items():
            body.setdefault(k, v)
        return body, problems

    def _leftovers(self, body: dict[str, Any]) -> Iterator[Finding]:
        """Objects whose members the moves flatten into the request (``healthCheck.path`` →
        ``healthCheckPath``): what is left in them has no request member; take it out."""
        for src, dst in self.moves.items():
            *parent, _ = _steps(src)
            if not parent or "[]" in parent or _steps(dst)[: len(parent)] == parent:
                continue
            if _has(body, parent):
                for key in _pop(body, parent):
                    yield ".".join([*parent, key]), "no request member takes this input"

    def input_path(self, request_path: str) -> str:
        """A request path back in the resource's input names (the moves, undone)."""
        path = request_path
        for src, dst in reversed(list(self.moves.items())):
            if not dst or src.endswith("*"):
                continue
            rx = re.escape(dst).replace(r"\[\]", r"(\[\d+\])")
            m = re.match(rf"^{rx}(?=$|[.\[])", path, flags=re.IGNORECASE)
            if m:
                back = src
                for index in m.groups():
                    back = back.replace("[]", index, 1)
                path = back + path[m.end() :]
        return path


def _steps(path: str) -> list[str]:
    """``"a[].b.c"`` → ``["a", "[]", "b", "c"]``."""
    return re.findall(r"\[\]|[^.\[\]]+", path)


def _move(obj: Any, src: list[str], dst: list[str]) -> None:
    if not src:
        return
    if src[0] == "[]":
        assert dst and dst[0] == "[]", "a move steps into lists on both sides"
        for item in obj if isinstance(obj, list) else []:
            _move(item, src[1:], dst[1:])
        return
    if len(src) > 1 and dst and src[0] == dst[0] and "[]" in src:
        _move(obj.get(src[0]) if isinstance(obj, dict) else None, src[1:], dst[1:])
        return
    if not isinstance(obj, dict) or not _has(obj, src):
        return
    value = _pop(obj, src)
    if dst:
        _put(obj, dst, value)


def _has(obj: Any, path: list[str]) -> bool:
    for step in path:
        if not isinstance(obj, dict) or step not in obj:
            return False
        obj = obj[step]
    return True


def _pop(obj: dict[str, Any], path: list[str]) -> Any:
    for step in path[:-1]:
        obj = obj[step]
    return obj.pop(path[-1])


def _put(obj: dict[str, Any], path: list[str], value: Any) -> None:
    for step in path[:-1]:
        obj = obj.setdefault(step, {})
    obj[path[-1]] = value


def _prune(obj: Any) -> None:
    """Drop objects that moves emptied (``healthCheck`` after its members moved out)."""
    if isinstance(obj, dict):
        for k in list(obj):
            _prune(obj[k])
            if obj[k] == {}:
                del obj[k]
    elif isinstance(obj, list):
        for item in obj:
            _prune(item)


def _convert(obj: Any, path: list[str], fn: Convert) -> None:
    if not path:
        return
    if path[0] == "[]":
        for item in obj if isinstance(obj, list) else []:
            _convert(item, path[1:], fn)
    elif isinstance(obj, dict) and path[0] in obj:
        if len(path) == 1:
            obj[path[0]] = fn(obj[path[0]])
        else:
            _convert(obj[path[0]], path[1:], fn)


# --------------------------------------------------------------------------- (b) pulumi_aws types

_PACKAGES = {"aws": "pulumi_aws", "docker": "pulumi_docker"}


@dataclass(frozen=True)
class _Field:
    python: str
    type: Any
    required: bool


def args_class(token: str) -> type | None:
    """The SDK's ``*Args`` input type of a resource token (``aws:ecs/service:Service`` →
    ``pulumi_aws.ecs.ServiceArgs``); None for tokens of no SDK (``pulumi:pulumi:...``)."""
    provider, module_path, name = token.split(":")
    package = _PACKAGES.get(provider)
    if package is None:
        return None
    module = module_path.split("/")[0]
    mod = importlib.import_module(package if module == "index" else f"{package}.{module}")
    cls: type = getattr(mod, f"{name}Args")
    return cls


@functools.cache
def pulumi_fields(cls: type) -> Mapping[str, _Field]:
    """Wire name → field of an ``@input_type`` class. Required keys are the ``*ArgsDict``
    TypedDict's ``__required_keys__`` (the constructor's parameters without a default where
    no TypedDict exists)."""
    typed_dict = getattr(sys.modules[cls.__module__], f"{cls.__name__}Dict", None)
    if typed_dict is not None:
        required: frozenset[str] = typed_dict.__required_keys__
    else:
        params = inspect.signature(cls.__init__).parameters.values()  # type: ignore[misc]
        required = frozenset(
            p.name
            for p in params
            if p.default is inspect.Parameter.empty and p.kind is p.KEYWORD_ONLY
        )
    types = pulumi_types.input_type_types(cls)
    return {
        wire: _Field(py, types.get(wire, Any), py in required)
        for py, wire in pulumi_types.input_type_py_to_pulumi_names(cls).items()
    }


def check_pulumi(value: Any, typ: Any, path: str) -> Iterator[Finding]:
    """Walk a recorded input value against the SDK type it was declared with."""
    typ = pulumi_types.unwrap_type(typ)
    origin = typing.get_origin(typ)
    if isinstance(typ, type) and pulumi_types.is_input_type(typ):
        if not isinstance(value, dict):
            yield path, f"expected an object ({typ.__name__}), got {kind_of(value)}"
            return
        fields = pulumi_fields(typ)
        for key, v in value.items():
            f = fields.get(key)
            if f is None:
                yield join_path(path, key), f"{unknown_key(key, fields)} in {typ.__name__}"
            elif v is not None:
                yield from check_pulumi(v, f.type, join_path(path, key))
        for wire, f in fields.items():
            if f.required and value.get(wire) is None:
                yield join_path(path, wire), f"{typ.__name__} requires {f.python!r}"
    elif origin in (cabc.Sequence, list):
        if not isinstance(value, list):
            yield path, f"expected a list, got {kind_of(value)}"
            return
        (item,) = typing.get_args(typ)
        for i, v in enumerate(value):
            yield from check_pulumi(v, item, f"{path}[{i}]")
    elif origin in (cabc.Mapping, dict):
        if not isinstance(value, dict):
            yield path, f"expected an object, got {kind_of(value)}"
            return
        item = typing.get_args(typ)[1]
        for k, v in value.items():
            yield from check_pulumi(v, item, join_path(path, k))
    elif typ in (str, int, float, bool) and isinstance(value, dict | list):
        yield path, f"expected {typ.__name__}, got {kind_of(value)}"


# --------------------------------------------------------------------------- the table


def _enabled(value: Any) -> Any:
    return ("ENABLED" if value else "DISABLED") if isinstance(value, bool) else value


def _as_list(value: Any) -> Any:
    return value if isinstance(value, list) else [value]


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _ip_permissions(rules: Any) -> Any:
    """Pulumi's inline ``ingress``/``egress`` rules → EC2 IpPermissions."""
    if not isinstance(rules, list):
        return rules
    out = []
    for given in rules:
        rule = dict(given)
        note = rule.pop("description", None)
        perm: dict[str, Any] = {"ipProtocol": rule.pop("protocol", None)}
        for src, dst, key in (
            ("cidrBlocks", "ipRanges", "cidrIp"),
            ("ipv6CidrBlocks", "ipv6Ranges", "cidrIpv6"),
            ("prefixListIds", "prefixListIds", "prefixListId"),
            ("securityGroups", "userIdGroupPairs", "groupId"),
        ):
            if rule.get(src):
                perm[dst] = [
                    {key: x, **({"description": note} if note else {})} for x in rule.pop(src)
                ]
            rule.pop(src, None)
        rule.pop("self", None)
        out.append({**perm, **rule})
    return out


def _rule_request(body: dict[str, Any]) -> dict[str, Any]:
    """A ``vpc.SecurityGroup{In,E}gressRule`` → Authorize…'s GroupId + one IpPermission."""
    body = dict(body)
    group = body.pop("securityGroupId", None)
    perm: dict[str, Any] = {}
    note = body.pop("description", None)
    extra = {"description": note} if note else {}
    for src, dst, key in (
        ("cidrIpv4", "ipRanges", "cidrIp"),
        ("cidrIpv6", "ipv6Ranges", "cidrIpv6"),
        ("prefixListId", "prefixListIds", "prefixListId"),
        ("referencedSecurityGroupId", "userIdGroupPairs", "groupId"),
    ):
        if src in body:
            perm[dst] = [{key: body.pop(src), **extra}]
    return {"groupId": group, "ipPermissions": [{**perm, **body}]}


def _group_rule_request(body: dict[str, Any]) -> dict[str, Any]:
    """An ``ec2.SecurityGroupRule`` (``type`` ingress or egress) → GroupId + one IpPermission."""
    body = dict(body)
    body.pop("type", None)  # which of Authorize{In,E}gress: the same IpPermission
    group = body.pop("securityGroupId", None)
    source = body.pop("sourceSecurityGroupId", None)
    (perm,) = _ip_permissions([body])
    if source is not None:
        perm["userIdGroupPairs"] = [{"groupId": source}]
    return {"groupId": group, "ipPermissions": [perm]}


def _actions(prefix: str) -> dict[str, str]:
    """Moves of ELB actions (Pulumi's ``redirect`` → the API's ``redirectConfig``, ...)."""
    a = f"{prefix}[]"
    return {
        f"{a}.redirect": f"{a}.redirectConfig",
        f"{a}.fixedResponse": f"{a}.fixedResponseConfig",
        f"{a}.forward": f"{a}.forwardConfig",
        f"{a}.forwardConfig.targetGroups[].arn": f"{a}.forwardConfig.targetGroups[].targetGroupArn",
        f"{a}.forwardConfig.stickiness": f"{a}.forwardConfig.targetGroupStickinessConfig",
        f"{a}.forwardConfig.targetGroupStickinessConfig.duration": (
            f"{a}.forwardConfig.targetGroupStickinessConfig.durationSeconds"
        ),
        f"{a}.authenticateOidc": f"{a}.authenticateOidcConfig",
        f"{a}.authenticateCognito": f"{a}.authenticateCognitoConfig",
        f"{a}.jwtValidation": f"{a}.jwtValidationConfig",
    }


def _drop(words: str) -> dict[str, str]:
    """Moves that drop these input keys (what only the provider reads)."""
    return dict.fromkeys(words.split(), "")


_DROP = _drop("region skipDestroy namePrefix")  # provider-only inputs

_SERVICE_MOVES = {
    "name": "serviceName",
    "networkConfiguration": "networkConfiguration.awsvpcConfiguration",
    "deploymentCircuitBreaker": "deploymentConfiguration.deploymentCircuitBreaker",
    "deploymentMaximumPercent": "deploymentConfiguration.maximumPercent",
    "deploymentMinimumHealthyPercent": "deploymentConfiguration.minimumHealthyPercent",
    "alarms": "deploymentConfiguration.alarms",
    "capacityProviderStrategies": "capacityProviderStrategy",
    "orderedPlacementStrategies": "placementStrategy",
    "loadBalancers[].elbName": "loadBalancers[].loadBalancerName",
    "iamRole": "role",
    **_drop("waitForSteadyState forceNewDeployment forceDelete triggers sigintRollback"),
    **_DROP,
}
_TARGET_GROUP_MOVES = {
    "healthCheck.enabled": "healthCheckEnabled",
    "healthCheck.healthyThreshold": "healthyThresholdCount",
    "healthCheck.unhealthyThreshold": "unhealthyThresholdCount",
    "healthCheck.interval": "healthCheckIntervalSeconds",
    "healthCheck.timeout": "healthCheckTimeoutSeconds",
    "healthCheck.path": "healthCheckPath",
    "healthCheck.port": "healthCheckPort",
    "healthCheck.protocol": "healthCheckProtocol",
    "healthCheck.matcher": "matcher.httpCode",
    # target group attributes (ModifyTargetGroupAttributes): checked by target_group_attributes
    **_drop(
        "deregistrationDelay stickiness slowStart loadBalancingAlgorithmType"
        " loadBalancingCrossZoneEnabled loadBalancingAnomalyMitigation connectionTermination"
        " preserveClientIp proxyProtocolV2 lambdaMultiValueHeadersEnabled targetFailovers"
        " targetGroupHealth targetHealthStates"
    ),
    **_DROP,
}
_RULE_MOVES = {
    **_actions("actions"),
    "conditions[].hostHeader": "conditions[].hostHeaderConfig",
    "conditions[].pathPattern": "conditions[].pathPatternConfig",
    "conditions[].httpHeader": "conditions[].httpHeaderConfig",
    "conditions[].httpRequestMethod": "conditions[].httpRequestMethodConfig",
    "conditions[].sourceIp": "conditions[].sourceIpConfig",
    "conditions[].queryStrings": "conditions[].queryStringConfig.values",
    **_DROP,
}
_LISTENER_MOVES = {
    **_actions("defaultActions"),
    "certificateArn": "certificates",
    "routingHttp*": "",  # listener attributes
    "tcpIdleTimeoutSeconds": "",
    **_DROP,
}
_LOAD_BALANCER_MOVES = {
    "internal": "scheme",
    "loadBalancerType": "type",
    # load balancer attributes (ModifyLoadBalancerAttributes)
    **_drop(
        "accessLogs connectionLogs healthCheckLogs clientKeepAlive desyncMitigationMode"
        " dnsRecordClientRoutingPolicy dropInvalidHeaderFields enableCrossZoneLoadBalancing"
        " enableDeletionProtection enableHttp2 enableTlsVersionAndCipherSuiteHeaders"
        " enableWafFailOpen enableXffClientPort enableZonalShift"
        " enforceSecurityGroupInboundRulesOnPrivateLinkTraffic idleTimeout preserveHostHeader"
        " xffHeaderProcessingMode minimumLoadBalancerCapacity secondaryIpsAutoAssignedPerSubnet"
    ),
    **_DROP,
}
_TASK_MOVES = {"trackLatest": "", **_DROP}
_CONTAINERS = frozenset({"containerDefinitions"})
_SERVICE_CONVERT: Mapping[str, Convert] = {
    "networkConfiguration.awsvpcConfiguration.assignPublicIp": _enabled,
    "serviceRegistries": _as_list,
}
_REPOSITORY_MOVES = {
    "name": "repositoryName",
    "encryptionConfigurations": "encryptionConfiguration",
    "forceDelete": "",
    **_DROP,
}
_REPOSITORY_CONVERT: Mapping[str, Convert] = {"encryptionConfiguration": _first}
_LIFECYCLE_MOVES = {"repository": "repositoryName", "policy": "lifecyclePolicyText", **_DROP}
_LOG_GROUP_MOVES = {"name": "logGroupName", **_DROP}
_RETENTION = frozenset({"name", "retentionInDays"})
_ROLE_MOVES = {
    "name": "roleName",
    "assumeRolePolicy": "assumeRolePolicyDocument",
    **_drop("forceDetachPolicies inlinePolicies managedPolicyArns"),
    **_DROP,
}
_POLICY_MOVES = {
    "role": "roleName",
    "name": "policyName",
    "policy": "policyDocument",
    "delayAfterPolicyCreationInMs": "",
    **_DROP,
}
_GROUP_MOVES = {"name": "groupName", **_drop("ingress egress revokeRulesOnDelete"), **_DROP}
_GROUP_DEFAULTS = {"description": "Managed by Pulumi", "groupName": "autonamed-0123456"}
_SCHEME: Mapping[str, Convert] = {
    "scheme": lambda internal: "internal" if internal else "internet-facing"
}
_CERTIFICATES: Mapping[str, Convert] = {"certificates": lambda arn: [{"certificateArn": arn}]}
_SECRET_MOVES = {"replicas": "addReplicaRegions", **_drop("recoveryWindowInDays policy"), **_DROP}
_SECRET_VERSION_MOVES = {"secretStringWo": "secretString", "secretStringWoVersion": "", **_DROP}
_PARAMETER_MOVES = {
    "insecureValue": "value",
    "valueWo": "value",
    **_drop("valueWoVersion arn"),
    **_DROP,
}
_CERTIFICATE_MOVES = {
    "validationOptions": "domainValidationOptions",
    "earlyRenewalDuration": "",
    **_DROP,
}
_AUTONAME = "autonamed-0123456"  # Pulumi names what has no name
_AUTONAMED = {"name": _AUTONAME}


def _inline_rules(side: str) -> dict[str, Any]:
    """A security group's inline ``ingress``/``egress`` → Authorize…'s IpPermissions."""
    return {
        "moves": {side: "ipPermissions"},
        "only": frozenset({side}),
        "convert": {"ipPermissions": _ip_permissions},
        "defaults": {"groupId": "sg-0123456789abcdef0"},
    }


@dataclass(frozen=True)
class Rule:
    """How to validate one Pulumi resource type: the API calls it makes, the checks beyond the
    models, and whether its SDK's typed arguments apply (``sdk``: False for tokens no SDK
    types, such as ``pulumi:pulumi:StackReference``)."""

    calls: tuple[Call, ...] = ()
    checks: tuple[Check, ...] = ()
    sdk: bool = True


def _one(call: Call, *checks: Check) -> Rule:
    return Rule((call,), checks)


#: Pulumi type token → its rule. A new resource type is one line here.
RULES: Mapping[str, Rule] = {
    "pulumi:pulumi:StackReference": Rule(sdk=False),
    "pulumi:providers:aws": Rule(sdk=False),
    "docker:index/image:Image": Rule(),  # no AWS call: pulumi_docker's typed arguments only
    # ---- ECS
    "aws:ecs/cluster:Cluster": _one(
        Call("ecs", "CreateCluster", {"name": "clusterName", **_DROP}),
        name_limit("name", ECS_NAME, "ECS cluster name"),
    ),
    "aws:ecs/taskDefinition:TaskDefinition": _one(
        Call("ecs", "RegisterTaskDefinition", _TASK_MOVES, documents=_CONTAINERS),
        fargate_size,
        task_containers,
        name_limit("family", ECS_NAME, "task definition family"),
    ),
    "aws:ecs/service:Service": _one(
        Call("ecs", "CreateService", _SERVICE_MOVES, convert=_SERVICE_CONVERT),
        ecs_service,
        name_limit("name", ECS_NAME, "ECS service name"),
    ),
    # ---- ECR
    "aws:ecr/repository:Repository": _one(
        Call("ecr", "CreateRepository", _REPOSITORY_MOVES, convert=_REPOSITORY_CONVERT),
        name_limit("name", ECR_NAME, "ECR repository name"),
    ),
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": _one(
        Call("ecr", "PutLifecyclePolicy", _LIFECYCLE_MOVES), ecr_lifecycle_policy("policy")
    ),
    # ---- CloudWatch Logs
    "aws:cloudwatch/logGroup:LogGroup": Rule(
        (
            Call("logs", "CreateLogGroup", {"retentionInDays": "", **_LOG_GROUP_MOVES}),
            Call("logs", "PutRetentionPolicy", _LOG_GROUP_MOVES, only=_RETENTION),
        ),
        (log_retention, name_limit("name", LOG_GROUP_NAME, "log group name")),
    ),
    # ---- IAM
    "aws:iam/role:Role": _one(
        Call("iam", "CreateRole", _ROLE_MOVES, defaults={"roleName": _AUTONAME}),
        iam_policy("assumeRolePolicy", principal=True),
        name_limit("name", IAM_NAME, "IAM role name"),
    ),
    "aws:iam/rolePolicy:RolePolicy": _one(
        Call("iam", "PutRolePolicy", _POLICY_MOVES, defaults={"policyName": _AUTONAME}),
        iam_policy("policy", principal=False),
    ),
    "aws:iam/policy:Policy": _one(
        Call("iam", "CreatePolicy", _POLICY_MOVES, defaults={"policyName": _AUTONAME}),
        iam_policy("policy", principal=False),
    ),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": _one(
        Call("iam", "AttachRolePolicy", {"role": "roleName"})
    ),
    # ---- EC2 / VPC (EC2 tags go in TagSpecifications: tag_rules checks them)
    "aws:ec2/securityGroup:SecurityGroup": Rule(
        (
            Call("ec2", "CreateSecurityGroup", _GROUP_MOVES, defaults=_GROUP_DEFAULTS),
            Call("ec2", "AuthorizeSecurityGroupIngress", **_inline_rules("ingress")),
            Call("ec2", "AuthorizeSecurityGroupEgress", **_inline_rules("egress")),
        ),
        (name_limit("name", SG_NAME, "security group name"), ec2_descriptions),
    ),
    "aws:ec2/securityGroupRule:SecurityGroupRule": _one(
        Call("ec2", "AuthorizeSecurityGroupIngress", _DROP, convert={"": _group_rule_request})
    ),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": _one(
        Call("ec2", "AuthorizeSecurityGroupIngress", _DROP, convert={"": _rule_request})
    ),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": _one(
        Call("ec2", "AuthorizeSecurityGroupEgress", _DROP, convert={"": _rule_request})
    ),
    # ---- Elastic Load Balancing v2
    "aws:lb/loadBalancer:LoadBalancer": _one(
        Call(
            "elbv2",
            "CreateLoadBalancer",
            _LOAD_BALANCER_MOVES,
            convert=_SCHEME,
            defaults=_AUTONAMED,
        ),
        name_limit("name", ELB_NAME, "load balancer name (≤32 of A-Z a-z 0-9 -)"),
    ),
    "aws:lb/listener:Listener": _one(
        Call("elbv2", "CreateListener", _LISTENER_MOVES, convert=_CERTIFICATES)
    ),
    "aws:lb/targetGroup:TargetGroup": _one(
        Call("elbv2", "CreateTargetGroup", _TARGET_GROUP_MOVES, defaults=_AUTONAMED),
        target_group_attributes,
        name_limit("name", ELB_NAME, "target group name (≤32 of A-Z a-z 0-9 -)"),
    ),
    # no `priority`: the provider takes the highest one in use + 1 (retried on PriorityInUse)
    "aws:lb/listenerRule:ListenerRule": _one(
        Call("elbv2", "CreateRule", _RULE_MOVES, defaults={"priority": 1})
    ),
    # ---- secrets, parameters, certificates, DNS
    "aws:secretsmanager/secret:Secret": _one(
        Call("secretsmanager", "CreateSecret", _SECRET_MOVES, defaults=_AUTONAMED),
        secret_recovery,
        iam_policy("policy", principal=True),
        name_limit("name", SECRET_NAME, "secret name"),
    ),
    "aws:secretsmanager/secretVersion:SecretVersion": _one(
        Call("secretsmanager", "PutSecretValue", _SECRET_VERSION_MOVES)
    ),
    "aws:ssm/parameter:Parameter": _one(
        Call("ssm", "PutParameter", _PARAMETER_MOVES),
        name_limit("name", SSM_NAME, "parameter name"),
    ),
    "aws:acm/certificate:Certificate": _one(Call("acm", "RequestCertificate", _CERTIFICATE_MOVES)),
    "aws:acm/certificateValidation:CertificateValidation": Rule(),  # a waiter: no AWS call
    "aws:route53/record:Record": Rule(),  # pulumi_aws's typed arguments; no flat request
}


# --------------------------------------------------------------------------- entry points


def validate_resource(r: RenderedResource, every: Sequence[RenderedResource] = ()) -> list[Problem]:
    """Every problem of one rendered resource (``every``: the render it is part of)."""
    who = f"{r.type} {r.name}"
    rule = RULES.get(r.type)
    if rule is None:
        return [
            Problem(who, "", "rules", "no validation rule for this type: add its line to RULES")
        ]
    found: list[Problem] = []
    if rule.sdk:
        cls = args_class(r.type)
        if cls is not None:
            for path, message in check_pulumi(r.inputs, cls, ""):
                found.append(Problem(who, path, cls.__module__.split(".")[0], message))
    for call in rule.calls:
        try:
            shape = input_shape(call.service, call.operation)
        except OperationNotFoundError:
            found.append(Problem(who, "", call.check, "no such operation in botocore's model"))
            continue
        body, problems = call.request(r, shape)
        for path, message in problems:
            found.append(Problem(who, call.input_path(path), call.check, message))
        for key in body:
            doc = key in call.documents and not isinstance(body[key], str)
            for path, message in _check_member(body, key, shape, exact=doc):
                found.append(Problem(who, call.input_path(path), call.check, message))
        for name in shape.required_members:
            if not any(k.lower() == name.lower() for k in body):
                at = call.input_path(_camel(name))
                found.append(Problem(who, at, call.check, f"{shape.name} requires {name!r}"))
    for check in (*rule.checks, tag_rules):
        label = getattr(check, "__name__", "check")
        for path, message in check(r, every):
            found.append(Problem(who, path, label, message))
    return _merge(found)


def _check_member(
    body: dict[str, Any], key: str, shape: Shape, *, exact: bool
) -> Iterator[Finding]:
    members: Mapping[str, Shape] = shape.members  # type: ignore[attr-defined]
    name = next((m for m in members if m.lower() == key.lower()), None)
    if name is None:
        yield key, f"{unknown_key(key, members)} in {shape.name}"
    elif body[key] is not None:
        yield from check_shape(body[key], members[name], key, exact=exact)


def _merge(found: list[Problem]) -> list[Problem]:
    """One problem per path: what several checks say about the same input, joined."""
    merged: dict[tuple[str, str], Problem] = {}
    for p in found:
        seen = merged.get((p.resource, p.path))
        if seen is None:
            merged[(p.resource, p.path)] = p
        elif p.message not in seen.message:
            merged[(p.resource, p.path)] = Problem(
                p.resource, p.path, f"{seen.check}+{p.check}", f"{seen.message}; {p.message}"
            )
    return sorted(merged.values())


def validate(resources: Sequence[RenderedResource]) -> list[Problem]:
    """Every problem of every resource of one render."""
    return [p for r in resources for p in validate_resource(r, resources)]


def ensure_ready() -> None:
    """Load what validation needs once (models, SDK modules, the Unicode tables)."""
    for call in (c for rule in RULES.values() for c in rule.calls):
        input_shape(call.service, call.operation)
    _pattern(r"^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$")
