"""Shared helpers of the program tests: resource types, a config factory, lookups by type."""

from __future__ import annotations

from pathlib import Path

from showtime_iac.core.model import EnvConfig
from showtime_iac.core.stack_config import to_stack_config
from showtime_iac.program import RenderedResource

SHA = "abc1234def5678abc1234def5678abc1234def56"
IMAGE = "docker:index/image:Image"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
TASK_DEF = "aws:ecs/taskDefinition:TaskDefinition"
SERVICE = "aws:ecs/service:Service"
SECRET = "aws:secretsmanager/secret:Secret"
SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
RULE = "aws:lb/listenerRule:ListenerRule"
SG = "aws:ec2/securityGroup:SecurityGroup"
#: an environment in public-IP mode (with a build); HTTPS mode adds HTTPS_EXTRA
ENV_TYPES = {IMAGE, LOG_GROUP, TASK_DEF, SERVICE, SECRET, SECRET_VERSION, ROLE, ROLE_POLICY}
HTTPS_EXTRA = {TARGET_GROUP, RULE, SG}
TAGGABLE = {
    LOG_GROUP,
    TASK_DEF,
    SERVICE,
    SECRET,
    ROLE,
    TARGET_GROUP,
    RULE,
    SG,
    "aws:ecs/cluster:Cluster",
    "aws:ecr/repository:Repository",
    "aws:lb/loadBalancer:LoadBalancer",
    "aws:lb/listener:Listener",
    "aws:acm/certificate:Certificate",
}
DOMAIN = "preview.example.org"
#: secret config as the driver writes it (recognisable, so a test can look for leaks)
SECRETS = {
    "showtime-iac:secretKey": "SEKRIT-key-9f8e7d6c5b4a39281706f5e4d3c2b1a0",
    "showtime-iac:adminPassword": "SEKRIT-pw-0a1b2c3d4e5f",
}
REAL_NET = {
    "showtime-iac:subnetIds": '["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]',
    "showtime-iac:securityGroupId": "sg-0123456789abcdef0",
}


def by_type(resources: list[RenderedResource]) -> dict[str, RenderedResource]:
    out: dict[str, RenderedResource] = {}
    for r in resources:
        assert r.type not in out, f"two resources of type {r.type}"
        out[r.type] = r
    return out


def cfg_of(**kw: object) -> EnvConfig:
    base: dict[str, object] = {"pr": 1234, "sha": SHA, "requester": "octocat"}
    base.update(kw)
    return EnvConfig(**base)  # type: ignore[arg-type]


def env_values(cfg: EnvConfig, **extra: str) -> dict[str, str]:
    return {**to_stack_config(cfg), **REAL_NET, **SECRETS, **extra}


STACKS = Path(__file__).resolve().parents[2] / "stacks"


def stack_file(name: str) -> dict[str, str]:
    import yaml  # a dependency of pulumi

    data = yaml.safe_load((STACKS / name).read_text())
    config = data["config"]
    assert all(isinstance(v, str) for v in config.values()), "quote every value"
    return dict(config)
