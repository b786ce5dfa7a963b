"""Superset Showtime (``superset-showtime``, the original tool) run for real against the local
servers, so migration is tested against the environments its own code creates.

The original runs in-process, unmodified, through its own CLI (``showtime.cli.app``), with
its Docker build skipped (``--dry-run-docker``). What it needs around it:

- **GitHub**: ``GitHubInterface`` hard-codes ``base_url = "https://api.github.com"`` in its
  ``__init__`` (no environment variable): the fixture wraps ``__init__`` to point the
  instance at the GitHub test server. Its GraphQL label cleanup keeps the hard-coded
  address, so tests pass ``--no-cleanup-labels``. Its Git SHA validation is skipped because
  the working directory is not a Git repository (``should_skip_validation``).
- **AWS**: boto3 honours ``AWS_ENDPOINT_URL`` (moto's server). The original deploys into
  hard-coded subnets ``subnet-0e15a5034b4121710``/``subnet-0e8efef4a72224974`` and security
  group ``sg-092ff3a6ae0574d91``: the fixture creates them in moto with those IDs.
- **What ECS does and moto does not** (taught to moto's in-process backend, never to the
  original): a service starts its tasks (``MOTO_ECS_SERVICE_RUNNING`` makes the service
  report them, and the fixture starts one task in group ``service:NAME``), the task's ENI has
  a public IP (an Elastic IP, ``203.0.113.x``), ``ListTasks`` honours ``serviceName``,
  ``DescribeServices`` has ``createdAt``, and a Fargate task needs no container-level memory.
- **Speed**: the original opens a new ``httpx.Client`` per request, each loading certifi's
  whole CA bundle (50 ms); ``SSL_CERT_FILE`` names a one-certificate bundle instead (every
  request here is plain HTTP to a local server).
- **Superset**: the original health-checks ``http://{ip}:8080/health`` with httpx, which
  honours ``HTTP_PROXY``: a local proxy answers 200 for every such URL (``NO_PROXY`` keeps
  the local GitHub and AWS servers direct).

What this hides: no container runs, so the image is never pulled (a Docker Hub tag that does
not exist would go unnoticed), Superset never boots, the 10-minute stability wait and the
15-minute health wait pass on their first poll, the IP is whatever the fixture assigns, and
``ListServices`` returns every service at once (the original reads one page of 10).
"""

from __future__ import annotations

import types
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.doubles import manifest
from tests.github_api_server import GitHubServer
from tests.motoserver import set_moto_transition
from tests.serving import serve

__all__ = ["ORIGINAL_SECURITY_GROUP", "ORIGINAL_SUBNETS", "Original", "original"]

showtime = pytest.importorskip("showtime", reason="superset-showtime is a dev dependency")

ORIGINAL_SUBNETS = ("subnet-0e15a5034b4121710", "subnet-0e8efef4a72224974")
ORIGINAL_SECURITY_GROUP = "sg-092ff3a6ae0574d91"
CLUSTER = REPOSITORY = "superset-ci"


class _Superset(BaseHTTPRequestHandler):
    """A forward proxy that answers for every Superset: 200 on any URL, recorded."""

    hits: list[str]

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        body = b"OK"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return None


def _with_ids(module: Any, name: str, ids: Iterator[str]) -> Any:
    """Swap a moto id generator for ``ids`` while one resource is created."""
    real = getattr(module, name)
    setattr(module, name, lambda: next(ids))
    return real


def _teach_moto_ecs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Give moto's ECS backend the behaviours of ECS the original depends on (see above)."""
    from moto.core.utils import utcnow
    from moto.ec2.models import ec2_backends
    from moto.ecs.models import EC2ContainerServiceBackend as Ecs

    create, list_tasks = Ecs.create_service, Ecs.list_tasks
    calc = Ecs._calculate_task_resource_requirements
    addresses = (f"203.0.113.{n}" for n in range(10, 250))

    def create_service(
        self: Any, cluster: str, name: str, desired: int, td: Any, *a: Any, **kw: Any
    ) -> Any:
        svc = create(self, cluster, name, desired, td, *a, **kw)
        svc.created_at = utcnow()
        net = kw.get("network_configuration")
        ec2 = ec2_backends[self.account_id][self.region_name]
        tasks = self.run_task(
            cluster, td, desired, None, "ecs-svc/1", None, "FARGATE", net, group=f"service:{name}"
        )
        for t in tasks:
            eni_id = next(
                d["value"]
                for att in t.attachments
                for d in att["details"]
                if d["name"] == "networkInterfaceId"
            )
            eip = ec2.allocate_address("vpc", address=next(addresses))
            ec2.associate_address(eni=ec2.get_network_interface(eni_id), address=eip.public_ip)
        return svc

    def list_tasks_of_service(
        self: Any,
        cluster_str: Any = None,
        container_instance: Any = None,
        family: Any = None,
        started_by: Any = None,
        service_name: Any = None,
        desiredStatus: Any = None,
    ) -> Any:
        tasks = list_tasks(
            self, cluster_str, container_instance, family, started_by, None, desiredStatus
        )
        return [t for t in tasks if not service_name or t.group == f"service:{service_name}"]

    def fargate_resources(td: Any) -> Any:
        view = types.SimpleNamespace(
            container_definitions=[
                {**c, "memory": c.get("memory") or 0} for c in td.container_definitions
            ]
        )
        return calc(view)

    monkeypatch.setattr(Ecs, "create_service", create_service)
    monkeypatch.setattr(Ecs, "list_tasks", list_tasks_of_service)
    monkeypatch.setattr(
        Ecs, "_calculate_task_resource_requirements", staticmethod(fargate_resources)
    )
    monkeypatch.setenv("MOTO_ECS_SERVICE_RUNNING", "1")


def _network(clients: Any) -> None:
    """The VPC, subnets and security group the original hard-codes, with its IDs."""
    import moto.ec2.models.security_groups as sgs
    import moto.ec2.models.subnets as subnets

    ec2 = clients["ec2"]
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    real = _with_ids(subnets, "random_subnet_id", iter(ORIGINAL_SUBNETS))
    try:
        for cidr in ("10.0.1.0/24", "10.0.2.0/24"):
            ec2.create_subnet(VpcId=vpc, CidrBlock=cidr)
    finally:
        subnets.random_subnet_id = real
    real = _with_ids(sgs, "random_security_group_id", iter([ORIGINAL_SECURITY_GROUP]))
    try:
        ec2.create_security_group(GroupName="superset-ci", Description="8080 in", VpcId=vpc)
    finally:
        sgs.random_security_group_id = real


@dataclass
class Original:
    """The original tool with its world: the GitHub test server, moto, a Superset proxy."""

    gh: GitHubServer
    clients: dict[str, Any]
    health: list[str]
    outputs: list[str] = field(default_factory=list)

    def run(self, *args: str) -> tuple[int, str]:
        """``showtime ARGS`` (the original's own CLI), in-process."""
        import showtime.core.pull_request as pull_request
        from showtime.cli import app
        from typer.testing import CliRunner

        pull_request._github = pull_request._aws = None  # its lazy singletons
        result = CliRunner().invoke(app, list(args), catch_exceptions=False)
        self.outputs.append(result.output)
        return result.exit_code, result.output

    def start(self, pr: int, sha: str) -> str:
        """What a maintainer does: add the trigger label; what its workflow does: sync."""
        self.gh.add_labels(pr, "🎪 ⚡ showtime-trigger-start")
        return self.sync(pr, sha)

    def sync(self, pr: int, sha: str | None = None) -> str:
        args = ["sync", str(pr), "--dry-run-docker"]
        if sha:
            args += ["--sha", sha]
        rc, out = self.run(*args)
        assert rc == 0, out
        return out

    def push_legacy_image(self, pr: int, sha: str) -> None:
        """An ECR image ``pr-{pr}-{sha7}-ci``, as the GitHub Actions era pushed them (the
        original deletes this tag when it tears an environment down)."""
        self.clients["ecr"].put_image(
            repositoryName=REPOSITORY,
            imageManifest=manifest(f"legacy-{pr}-{sha}"),
            imageTag=f"pr-{pr}-{sha[:7]}-ci",
        )

    # -- what AWS holds ----------------------------------------------------------------------

    def services(self) -> dict[str, str]:
        """Every service of the cluster that is not INACTIVE: name → status."""
        ecs = self.clients["ecs"]
        arns = ecs.list_services(cluster=CLUSTER, maxResults=100)["serviceArns"]
        if not arns:
            return {}
        out = {}
        for i in range(0, len(arns), 10):
            for s in ecs.describe_services(cluster=CLUSTER, services=arns[i : i + 10])["services"]:
                if s["status"] != "INACTIVE":
                    out[s["serviceName"]] = s["status"]
        return out

    def task_definitions(self, family: str = "superset-ci") -> list[str]:
        ecs = self.clients["ecs"]
        return ecs.list_task_definitions(familyPrefix=family, status="ACTIVE")["taskDefinitionArns"]

    def ecr_tags(self) -> list[str]:
        ecr = self.clients["ecr"]
        details = ecr.describe_images(repositoryName=REPOSITORY)["imageDetails"]
        return sorted(t for d in details for t in d.get("imageTags", []))

    def snapshot(self) -> tuple[Any, ...]:
        """Everything migration could change in AWS (a dry run must leave it equal)."""
        ecs = self.clients["ecs"]
        services = []
        for arn in ecs.list_services(cluster=CLUSTER, maxResults=100)["serviceArns"]:
            s = ecs.describe_services(cluster=CLUSTER, services=[arn], include=["TAGS"])
            svc = s["services"][0]
            services.append((svc["serviceName"], svc["status"], svc["taskDefinition"]))
        return (
            sorted(services),
            sorted(ecs.list_task_definitions()["taskDefinitionArns"]),
            self.ecr_tags(),
        )


@pytest.fixture
def original(
    moto_env: str,
    ghserver: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> Iterator[Original]:
    import boto3
    from showtime.core.github import GitHubInterface

    monkeypatch.chdir(tmp_path)  # not a Git repository: the original skips its SHA check
    for var in ("GITHUB_ACTIONS", "GITHUB_EVENT_PATH", "GITHUB_EVENT_NAME", "ECS_CLUSTER"):
        monkeypatch.delenv(var, raising=False)
    owner, name = ghserver.repo.split("/")
    env = {
        "GITHUB_TOKEN": ghserver.token,
        "GITHUB_ORG": owner,
        "GITHUB_REPO": name,
        "GITHUB_REPOSITORY": ghserver.repo,
        "GITHUB_API_URL": ghserver.url,
        "GITHUB_ACTOR": "maintainer",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    import certifi

    bundle = Path(certifi.where()).read_text(encoding="ascii")
    end = "-----END CERTIFICATE-----"
    one_ca = tmp_path / "one-ca.pem"
    one_ca.write_text(
        bundle[bundle.index("-----BEGIN CERTIFICATE-----") : bundle.index(end) + len(end)] + "\n"
    )
    monkeypatch.setenv("SSL_CERT_FILE", str(one_ca))
    ghserver.collaborators.update({"maintainer": "write"})

    init = GitHubInterface.__init__

    def local_init(self: Any, *a: Any, **kw: Any) -> None:
        init(self, *a, **kw)
        self.base_url = ghserver.url

    monkeypatch.setattr(GitHubInterface, "__init__", local_init)

    _Superset.hits = []
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), _Superset)
    proxy.daemon_threads = True
    serve(proxy)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.server_address[1]}")

    clients = {s: boto3.client(s, endpoint_url=moto_env) for s in ("ecs", "ec2", "ecr", "logs")}
    _network(clients)
    clients["ecs"].create_cluster(clusterName=CLUSTER)
    clients["ecr"].create_repository(repositoryName=REPOSITORY)
    _teach_moto_ecs(monkeypatch)
    # tasks stay RUNNING however often they are described (moto would stop them)
    set_moto_transition(moto_env, "ecs::task", {"progression": "manual", "times": 1_000_000})
    try:
        yield Original(ghserver, clients, _Superset.hits)
    finally:
        proxy.shutdown()
        proxy.server_close()
