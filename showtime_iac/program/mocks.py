"""Pulumi mocks that record every declared resource and answer lookups with plausible values."""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.runtime.mocks import MockMonitor

from showtime_iac.core.shards import shard_load_balancer_name
from showtime_iac.core.stack_config import PLACEHOLDER_LISTENER_ARN, SharedConfig

__all__ = [
    "MOCK_ACCOUNT",
    "RecordingMocks",
    "RecordingMonitor",
    "RenderedResource",
    "clean",
]

MOCK_ACCOUNT = "000000000000"  # offline render only: a placeholder account id

# Pulumi's wire marker of a secret value: {_SIG_KEY: _SECRET_SIG, "value": ...}
_SIG_KEY = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"  # noqa: S105
_SECRET_KEYS = ("password", "token", "secret")


@dataclass(frozen=True)
class RenderedResource:
    """One resource the program declared under mocks: type token, logical name, inputs, tags."""

    type: str
    name: str
    inputs: dict[str, Any] = field(hash=False)
    tags: dict[str, str] = field(hash=False)
    protect: bool = False
    retain_on_delete: bool = False

    def containers(self) -> list[dict[str, Any]]:
        """The container definitions of a task definition (empty for other types)."""
        raw = self.inputs.get("containerDefinitions")
        if not isinstance(raw, str):
            return []
        value: list[dict[str, Any]] = json.loads(raw)
        return value

    def container_env(self, container: str = "superset") -> dict[str, str]:
        """A container's environment as a dict."""
        for c in self.containers():
            if c.get("name") == container:
                return {e["name"]: e["value"] for e in c.get("environment", [])}
        return {}

    def container_secrets(self, container: str = "superset") -> dict[str, str]:
        """A container's ``secrets``: variable → ``valueFrom``."""
        for c in self.containers():
            if c.get("name") == container:
                return {e["name"]: e["valueFrom"] for e in c.get("secrets", [])}
        return {}


def clean(value: Any, key: str = "") -> Any:
    """Wire values → plain Python: secrets redacted, integral floats as ints."""
    if isinstance(value, dict):
        if value.get(_SIG_KEY) == _SECRET_SIG:
            inner = value.get("value")
            # a secret object shows its shape; its secret-named fields stay redacted
            return clean(inner, key) if isinstance(inner, dict) else "[secret]"
        return {k: clean(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [clean(v, key) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and any(s in key.lower() for s in _SECRET_KEYS):
        return "[secret]"
    return value


class RecordingMonitor(MockMonitor):
    """Pulumi's mock monitor, remembering each resource's ``protect``/``retain_on_delete`` and
    its dependencies (the mocks' ``new_resource`` does not see resource options)."""

    def __init__(self, mocks: RecordingMocks) -> None:
        super().__init__(mocks)
        self.recording = mocks

    def RegisterResource(self, request: Any) -> Any:
        self.recording.options[(request.type, request.name)] = (
            bool(request.protect),
            bool(request.retainOnDelete),
        )
        self.recording.dependencies[(request.type, request.name)] = tuple(
            sorted(request.dependencies)
        )
        return super().RegisterResource(request)  # type: ignore[no-untyped-call]


class RecordingMocks(pulumi.runtime.Mocks):
    """Records every declared resource and answers lookups with plausible values."""

    def __init__(self, region: str, shared: SharedConfig) -> None:
        self.region = region
        self.shared = shared
        self.recorded: list[RenderedResource] = []
        self.options: dict[tuple[str, str], tuple[bool, bool]] = {}
        #: each resource's dependencies as URNs, by (type, name): its ``depends_on`` and the
        #: resources its inputs come from (the SDK registers both)
        self.dependencies: dict[tuple[str, str], tuple[str, ...]] = {}
        self._lock = threading.Lock()

    def _arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{MOCK_ACCOUNT}:{resource}"

    def _registry(self) -> str:
        return f"{MOCK_ACCOUNT}.dkr.ecr.{self.region}.amazonaws.com"

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[str, Any]]:
        inputs = dict(args.inputs)
        raw_tags = inputs.pop("tags", None) or {}
        protect, retain = self.options.get((args.typ, args.name), (False, False))
        with self._lock:
            self.recorded.append(
                RenderedResource(
                    type=args.typ,
                    name=args.name,
                    inputs=clean(inputs),
                    tags={str(k): str(v) for k, v in raw_tags.items()},
                    protect=protect,
                    retain_on_delete=retain,
                )
            )
        state: dict[str, Any] = dict(args.inputs)
        name = str(inputs.get("name") or inputs.get("namePrefix") or args.name)
        digest = hashlib.sha256(f"{args.typ}/{args.name}/{name}".encode()).hexdigest()
        if args.typ == "pulumi:pulumi:StackReference":
            state["outputs"] = self._shared_outputs()
            return args.resource_id or args.name, state
        state.update(self._state(args.typ, name, inputs, digest))
        state.setdefault("arn", self._arn("mock", f"{args.name}"))
        if args.typ == "aws:ec2/securityGroup:SecurityGroup":
            return f"sg-{digest[:17]}", state
        return f"{args.name}-{digest[:12]}", state

    def _state(self, typ: str, name: str, inputs: dict[str, Any], digest: str) -> dict[str, Any]:
        """What AWS (or Docker) would answer for one created resource."""
        elb = "elasticloadbalancing"
        if typ == "docker:index/image:Image":
            image_name = str(inputs.get("imageName", ""))
            return {
                "repoDigest": f"{image_name.rsplit(':', 1)[0]}@sha256:{digest}",
                "baseImageName": image_name,
            }
        if typ == "aws:ecs/taskDefinition:TaskDefinition":
            return {
                "arn": self._arn("ecs", f"task-definition/{inputs.get('family')}:1"),
                "revision": 1,
            }
        if typ == "aws:ecr/repository:Repository":
            return {
                "repositoryUrl": f"{self._registry()}/{name}",
                "arn": self._arn("ecr", f"repository/{name}"),
                "registryId": MOCK_ACCOUNT,
            }
        if typ == "aws:lb/loadBalancer:LoadBalancer":
            return {
                "arn": self._arn(elb, f"loadbalancer/app/{name}/{digest[:16]}"),
                "dnsName": f"{name}-{digest[:10]}.{self.region}.elb.amazonaws.com",
                "zoneId": "Z1H1FL5HABSF5",
            }
        if typ == "aws:secretsmanager/secret:Secret":
            return {"arn": self._arn("secretsmanager", f"secret:{name}{digest[:6]}")}
        if typ == "aws:acm/certificate:Certificate":
            return {
                "arn": self._arn("acm", f"certificate/{digest[:36]}"),
                "domainValidationOptions": [
                    {
                        "domainName": inputs.get("domainName", ""),
                        "resourceRecordName": f"_{digest[:32]}.{inputs.get('domainName', '')}",
                        "resourceRecordType": "CNAME",
                        "resourceRecordValue": f"_{digest[32:64]}.acm-validations.aws.",
                    }
                ],
            }
        simple = {
            "aws:ecs/service:Service": ("ecs", f"service/{self.shared.cluster_name}/{name}"),
            "aws:ecs/cluster:Cluster": ("ecs", f"cluster/{name}"),
            "aws:cloudwatch/logGroup:LogGroup": ("logs", f"log-group:{name}"),
            "aws:lb/targetGroup:TargetGroup": (elb, f"targetgroup/{name}/{digest[:16]}"),
            "aws:lb/listener:Listener": (elb, f"listener/app/mock/{digest[:16]}/{digest[16:32]}"),
            "aws:lb/listenerRule:ListenerRule": (
                elb,
                f"listener-rule/app/mock/{digest[:16]}/{digest[16:32]}/{digest[32:48]}",
            ),
        }
        if typ in simple:
            return {"arn": self._arn(*simple[typ])}
        if typ == "aws:iam/role:Role":
            return {"arn": f"arn:aws:iam::{MOCK_ACCOUNT}:role/{name}"}
        if typ == "aws:iam/policy:Policy":
            return {"arn": f"arn:aws:iam::{MOCK_ACCOUNT}:policy/{name}"}
        if typ == "aws:route53/record:Record":
            return {"fqdn": str(inputs.get("name", "")).rstrip(".")}
        if typ == "aws:acm/certificateValidation:CertificateValidation":
            return {"certificateArn": inputs.get("certificateArn", "")}
        return {}

    def _shared_outputs(self) -> dict[str, Any]:
        s = self.shared
        out = {
            "region": s.region,
            "clusterName": s.cluster_name,
            "clusterArn": s.cluster_arn or self._arn("ecs", f"cluster/{s.cluster_name}"),
            "ecrRepositoryName": s.ecr_repository_name,
            "ecrRepositoryUrl": s.ecr_repository_url
            or f"{self._registry()}/{s.ecr_repository_name}",
            "permissionsBoundaryArn": s.permissions_boundary(MOCK_ACCOUNT),
            "securityGroupId": s.security_group_id or "sg-placeholder",
            "subnetIds": list(s.subnet_ids),
            "logRetentionDays": s.log_retention_days,
        }
        if s.domain is not None:
            out |= {
                "domain": s.domain,
                "httpsListenerArn": s.https_listener_arn or PLACEHOLDER_LISTENER_ARN,
                "albSecurityGroupId": s.alb_security_group_id or "sg-placeholder-alb",
                "albDnsName": f"showtime-iac.{s.region}.elb.amazonaws.com",
                "vpcId": s.vpc_id or "vpc-placeholder",
                "hostedZoneId": s.hosted_zone_id or "",
                "loadBalancerShards": {str(k): self._shard(k) for k in s.load_balancer_shards},
            }
        return out

    def _shard(self, shard: int) -> dict[str, str]:
        """What the shared stack exports of one load-balancer shard (shard 0: the listener the
        config names, as before shards)."""
        digest = hashlib.sha256(f"shard/{shard}".encode()).hexdigest()
        name = shard_load_balancer_name(self.shared.load_balancer_name, shard)
        listener = self._arn(
            "elasticloadbalancing", f"listener/app/{name}/{digest[:16]}/{digest[16:32]}"
        )
        if shard == 0:
            listener = self.shared.https_listener_arn or PLACEHOLDER_LISTENER_ARN
        return {
            "listenerArn": listener,
            "dnsName": f"{name}-{digest[:10]}.{self.region}.elb.amazonaws.com",
            "zoneId": "Z1H1FL5HABSF5",
        }

    def call(
        self, args: pulumi.runtime.MockCallArgs
    ) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return self._answer(args.token, dict(args.args)), []

    def _answer(self, tok: str, a: dict[str, Any]) -> dict[str, Any]:
        if tok == "aws:ecr/getAuthorizationToken:getAuthorizationToken":
            return {
                "id": self.region,
                "authorizationToken": "bW9jazptb2Nr",
                "userName": "AWS",
                "password": "mock-password",
                "proxyEndpoint": f"https://{self._registry()}",
                "expiresAt": "2099-01-01T00:00:00Z",
            }
        if tok == "aws:ecr/getRepository:getRepository":
            name = a.get("name", "")
            return {
                "id": name,
                "name": name,
                "arn": self._arn("ecr", f"repository/{name}"),
                "registryId": MOCK_ACCOUNT,
                "repositoryUrl": f"{self._registry()}/{name}",
            }
        if tok == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "id": MOCK_ACCOUNT,
                "accountId": MOCK_ACCOUNT,
                "arn": f"arn:aws:sts::{MOCK_ACCOUNT}:assumed-role/offline/render",
                "userId": "AROAOFFLINERENDER:render",
            }
        if tok == "aws:iam/getRole:getRole":
            name = a.get("name", "")
            return {"id": name, "name": name, "arn": f"arn:aws:iam::{MOCK_ACCOUNT}:role/{name}"}
        if tok == "aws:ecs/getCluster:getCluster":
            name = a.get("clusterName", "")
            return {"id": name, "clusterName": name, "arn": self._arn("ecs", f"cluster/{name}")}
        return a
