"""Integration: the product program on the real Pulumi engine and its AWS provider, against a
local ``file://`` backend and a moto server.

Marked ``aws_engine``: the ``pulumi-aws`` provider plugin cannot be built from Go modules, so
these run in GitHub Actions' engine job (``pytest -m "engine or aws_engine"``; the plugin is
downloaded there, AWS calls go to moto) and skip elsewhere. The engine tests that run
everywhere the CLI is (marker ``engine``) use a program of dynamic resources instead.
One full cycle: up → drift (none) → change outside Pulumi → drift (found) → destroy, and our
own overhead per engine call (time outside the ``pulumi`` processes) printed and bounded.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest

from showtime_iac.adapters import stacks as S
from showtime_iac.app.wiring import stack_program
from showtime_iac.core.model import EnvConfig, Ttl, resource_names


def _aws_plugin() -> bool:
    """The pulumi-aws plugin is installed, or GitHub Actions downloads it on first use."""
    if os.environ.get("GITHUB_ACTIONS") == "true" or shutil.which("pulumi-resource-aws"):
        return True
    homes = [os.environ.get("PULUMI_HOME"), str(Path.home() / ".pulumi")]
    return any(h and any((Path(h) / "plugins").glob("resource-aws-v*")) for h in homes)


pytestmark = [
    pytest.mark.aws_engine,
    pytest.mark.skipif(
        S.find_engine() is None or not _aws_plugin(),
        reason="needs the pulumi CLI and the pulumi-aws provider plugin, which cannot be built "
        "from Go modules: runs in GitHub Actions' engine job (pytest -m aws_engine)",
    ),
]

REPO = Path(__file__).resolve().parents[3]
MAX_OVERHEAD_S = 0.3
SERVICES = ("ecs", "ec2", "iam", "ecr", "logs", "sts", "cloudwatchlogs")


def _project(tmp_path: Path) -> Path:
    """A copy of the project (Pulumi.yaml, the package by symlink): parallel-safe stack files."""
    proj = tmp_path / "project"
    proj.mkdir()
    shutil.copy(REPO / "Pulumi.yaml", proj / "Pulumi.yaml")
    (proj / "showtime_iac").symlink_to(REPO / "showtime_iac")
    (proj / "stacks").mkdir()
    return proj


def _moto_aws(url: str) -> dict[str, str]:
    """The shared AWS pieces in moto; returns their ids as base stack config."""
    import boto3

    ec2 = boto3.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    sg = ec2.create_security_group(GroupName="showtime", Description="t", VpcId=vpc)["GroupId"]
    cluster = boto3.client("ecs").create_cluster(clusterName="superset-ci")["cluster"]["clusterArn"]
    role = boto3.client("iam").create_role(
        RoleName="showtime-ecs-execution", AssumeRolePolicyDocument="{}"
    )["Role"]["Arn"]
    base = {
        "aws:region": "us-west-2",
        "aws:accessKey": "testing",
        "aws:secretKey": "testing",
        "aws:skipCredentialsValidation": "true",
        "aws:skipRequestingAccountId": "true",
        "aws:skipMetadataApiCheck": "true",
        "aws:s3UsePathStyle": "true",
        "showtime-iac:clusterName": "superset-ci",
        "showtime-iac:clusterArn": cluster,
        "showtime-iac:executionRoleArn": role,
        "showtime-iac:ecrRepositoryUrl": "000000000000.dkr.ecr.us-west-2.amazonaws.com/superset-ci",
        "showtime-iac:subnetIds": f'["{subnet}"]',
        "showtime-iac:securityGroupId": sg,
    }
    for service in SERVICES:
        base[f"aws:endpoints[0].{service}"] = url
    return base


def test_full_cycle_up_drift_change_drift_destroy(
    moto_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import boto3

    proj = _project(tmp_path)
    env = {
        **os.environ,
        "PULUMI_BACKEND_URL": f"file://{tmp_path / 'state'}",
        "PULUMI_CONFIG_PASSPHRASE": "engine-test",
    }
    lines: list[str] = []
    driver = S.open_driver(
        program=stack_program(),
        project_dir=proj,
        env=env,
        on_output=lines.append,
        base=_moto_aws(moto_env),
    )
    pr = 1000 + uuid.uuid4().int % 9000
    cfg = EnvConfig(
        pr=pr,
        sha="abc1234def5678abc1234def5678abc1234def56",
        requester="octocat",
        ttl=Ttl("24h"),
        image="public.ecr.aws/docker/library/nginx:1.27",
    )
    overheads: list[tuple[str, float, int]] = []

    def measure(what: str) -> None:
        overheads.append((what, driver.stats.overhead_s, driver.stats.engine_calls))

    outputs = driver.up(cfg)
    measure("up")
    names = resource_names(cfg.pr, cfg.sha)
    assert outputs["serviceName"] == names.service
    assert lines, "engine output was streamed"

    listed = {s.name: s for s in driver.list()}
    measure("list")
    assert listed[cfg.stack].requester == "octocat"
    assert listed[cfg.stack].tags["showtime:pr"] == str(pr)

    report = driver.drift(pr, cfg.sha)
    measure("drift")
    assert not report.drifted, report.lines()

    boto3.client("logs").put_retention_policy(logGroupName=names.log_group, retentionInDays=30)
    report = driver.drift(pr, cfg.sha)
    measure("drift")
    assert report.drifted
    assert any("log-group" in line and "changed outside Pulumi" in line for line in report.lines())

    # a fresh checkout has no stacks/Pulumi.pr-*.yaml (git-ignored, generated): destroy still works
    for f in (proj / "stacks").glob("Pulumi.pr-*.yaml"):
        f.unlink()
    driver.destroy(pr, cfg.sha)
    measure("destroy")
    assert cfg.stack not in {s.name for s in driver.list()}

    with capsys.disabled():
        for what, overhead, calls in overheads:
            print(f"\n[engine] {what}: our overhead {overhead * 1000:.0f} ms over {calls} calls")
    worst = max(o / max(c, 1) for _, o, c in overheads)
    assert worst <= MAX_OVERHEAD_S, overheads
