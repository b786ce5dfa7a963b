"""aws.py against a moto server over real HTTP, a local /health server, and its pure parts."""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from showtime_iac.adapters import aws
from showtime_iac.adapters.aws import (
    AwsClients,
    AwsLive,
    CredentialsMissingError,
    FargatePrices,
    HealthTimeoutError,
    LogsNotFoundError,
    NoPublicIpError,
    PhaseTimer,
    TaggedResource,
    TaskStoppedError,
    classify_orphans,
    hourly_cost,
    redact,
    total_hourly_cost,
    wait_for_health,
)
from showtime_iac.cli import main
from showtime_iac.core.model import EnvConfig, InputError, resource_names, resource_tags
from showtime_iac.settings import Settings
from tests.motoserver import set_moto_transition

SHA1 = "aaaaaaa1111111111111111111111111111111aa"
SHA2 = "bbbbbbb2222222222222222222222222222222bb"
SHA3 = "ccccccc3333333333333333333333333333333cc"
CLUSTER = "superset-ci"
REPO = "superset-ci"


def live_from_env() -> AwsLive:
    return AwsLive.from_settings(Settings.from_env(), sleep=lambda _s: None, poll_interval=0.01)


def manifest(seed: str) -> str:
    """A distinct image manifest per seed (moto digests the layers)."""
    digest = hashlib.sha256(seed.encode()).hexdigest()
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {"digest": f"sha256:{digest}", "size": 1},
            "layers": [
                {
                    "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                    "digest": f"sha256:{digest}",
                    "size": 1,
                }
            ],
        }
    )


def tag_list(tags: dict[str, str], upper: bool = False) -> list[dict[str, str]]:
    k, v = ("Key", "Value") if upper else ("key", "value")
    return [{k: key, v: value} for key, value in tags.items()]


# ------------------------------------------------------------------------------------------
# moto world: a VPC, a cluster, environments of three PRs and some untagged neighbours
# ------------------------------------------------------------------------------------------


class World:
    def __init__(self, clients: AwsClients) -> None:
        self.c = clients
        vpc = clients.ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        # moto's awsvpc tasks need DNS hostnames on (as a Fargate VPC has them)
        clients.ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
        self.subnet = clients.ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"][
            "SubnetId"
        ]
        self.sg = clients.ec2.create_security_group(
            GroupName="showtime", Description="8080 in", VpcId=vpc
        )["GroupId"]
        clients.ecs.create_cluster(clusterName=CLUSTER)
        clients.ecr.create_repository(repositoryName=REPO)
        self.net: Any = {
            "awsvpcConfiguration": {
                "subnets": [self.subnet],
                "securityGroups": [self.sg],
                "assignPublicIp": "ENABLED",
            }
        }

    def environment(self, pr: int, sha: str, tagged: bool = True) -> dict[str, str]:
        """Declare what program.py declares for one environment (names and tags from model)."""
        names = resource_names(pr, sha)
        tags = resource_tags(EnvConfig(pr=pr, sha=sha)) if tagged else {}
        c = self.c
        td_kw: Any = {"tags": tag_list(tags)} if tags else {}
        td = c.ecs.register_task_definition(
            family=names.task_family,
            networkMode="awsvpc",
            requiresCompatibilities=["FARGATE"],
            cpu="1024",
            memory="2048",
            containerDefinitions=[
                {"name": "superset", "image": "superset:ci", "memory": 2048, "essential": True}
            ],
            **td_kw,
        )["taskDefinition"]["taskDefinitionArn"]
        svc_kw: Any = {"tags": tag_list(tags)} if tags else {}
        c.ecs.create_service(
            cluster=CLUSTER,
            serviceName=names.service,
            taskDefinition=td,
            desiredCount=1,
            launchType="FARGATE",
            networkConfiguration=self.net,
            **svc_kw,
        )
        lg_kw: Any = {"tags": tags} if tags else {}
        c.logs.create_log_group(logGroupName=names.log_group, **lg_kw)
        c.ecr.put_image(
            repositoryName=REPO,
            imageManifest=manifest(f"{pr}-{sha}"),
            # ECR images carry no AWS tags: the image tag is ours or not
            imageTag=names.image_tag if tagged else f"manual-{sha[:7]}",
        )
        return {"task_definition": td, "service": names.service}

    def run_service_task(self, pr: int, sha: str, td: str) -> tuple[str, str]:
        """What ECS does for a service (moto doesn't): start a task in group service:NAME."""
        names = resource_names(pr, sha)
        task = self.c.ecs.run_task(
            cluster=CLUSTER,
            taskDefinition=td,
            launchType="FARGATE",
            networkConfiguration=self.net,
            group=f"service:{names.service}",
            startedBy="ecs-svc/1234567890",
        )["tasks"][0]
        eni = next(
            d["value"]
            for a in task["attachments"]
            for d in a["details"]
            if d["name"] == "networkInterfaceId"
        )
        return task["taskArn"], eni


@pytest.fixture
def world(moto_env: str) -> World:
    # keep tasks RUNNING however often they are described (moto advances them otherwise)
    set_moto_transition(moto_env, "ecs::task", {"progression": "manual", "times": 1_000_000})
    return World(AwsClients.from_settings(Settings.from_env()))


# ------------------------------------------------------------------------------------------
# address (moto: run_task gives an ENI; an Elastic IP on it stands in for the public IP)
# ------------------------------------------------------------------------------------------


def test_address_is_the_public_ip_of_the_running_tasks_eni(world: World) -> None:
    env = world.environment(1234, SHA1)
    task_arn, eni = world.run_service_task(1234, SHA1, env["task_definition"])
    alloc = world.c.ec2.allocate_address(Domain="vpc")
    world.c.ec2.associate_address(AllocationId=alloc["AllocationId"], NetworkInterfaceId=eni)

    live = live_from_env()
    addr = live.task_address(CLUSTER, env["service"])
    assert addr.ip == alloc["PublicIp"]
    assert (addr.task_arn, addr.eni_id, addr.last_status) == (task_arn, eni, "RUNNING")
    assert addr.private_ip is not None and addr.private_ip != addr.ip
    assert addr.url() == f"http://{alloc['PublicIp']}:8080"
    # the executor's port: ip:port from the stack outputs
    outputs = {"serviceName": env["service"], "clusterName": CLUSTER}
    assert live.address(EnvConfig(pr=1234, sha=SHA1), outputs) == f"{alloc['PublicIp']}:8080"


def test_task_of_another_service_is_not_taken_for_ours(world: World) -> None:
    ours = world.environment(1234, SHA1)
    other = world.environment(99, SHA2)
    _, eni = world.run_service_task(99, SHA2, other["task_definition"])
    alloc = world.c.ec2.allocate_address(Domain="vpc")
    world.c.ec2.associate_address(AllocationId=alloc["AllocationId"], NetworkInterfaceId=eni)
    with pytest.raises(aws.TaskNotRunningError, match=ours["service"]):
        live_from_env().task_address(CLUSTER, ours["service"])


def test_running_task_without_public_ip_is_a_clear_error(world: World) -> None:
    env = world.environment(1234, SHA1)
    world.run_service_task(1234, SHA1, env["task_definition"])
    with pytest.raises(NoPublicIpError, match="no public IP") as info:
        live_from_env().task_address(CLUSTER, env["service"])
    assert info.value.address.last_status == "RUNNING"


def test_stopped_task_surfaces_its_reason(world: World) -> None:
    env = world.environment(1234, SHA1)
    task_arn, _ = world.run_service_task(1234, SHA1, env["task_definition"])
    world.c.ecs.stop_task(
        cluster=CLUSTER, task=task_arn, reason="Essential container in task exited"
    )
    with pytest.raises(TaskStoppedError) as info:
        live_from_env().task_address(CLUSTER, env["service"])
    assert info.value.reason == "Essential container in task exited"
    assert "Essential container in task exited" in str(info.value)
    assert info.value.address.task_arn == task_arn


# ------------------------------------------------------------------------------------------
# DRAINING over real HTTP: moto marks a deleted service INACTIVE at once
# ------------------------------------------------------------------------------------------


def test_deleted_service_is_gone_and_missing_service_needs_no_wait(world: World) -> None:
    env = world.environment(1234, SHA1)
    live = live_from_env()
    assert live.service_state(CLUSTER, env["service"]) == "ACTIVE"
    world.c.ecs.delete_service(cluster=CLUSTER, service=env["service"], force=True)
    assert live.service_state(CLUSTER, env["service"]) == "INACTIVE"
    done = live.wait_for_service_gone(CLUSTER, env["service"], deadline=5)
    assert done.states == ("INACTIVE",) and not done.waited
    assert live.service_state(CLUSTER, "pr-1-0000000-service") is None
    assert live.service_state("no-such-cluster", env["service"]) is None


# ------------------------------------------------------------------------------------------
# orphan sweep: listing, deciding, deleting (and never what is open and live, or untagged)
# ------------------------------------------------------------------------------------------


def sweep_world(world: World) -> None:
    world.environment(1, SHA1)  # PR 1 open, stack live: kept
    world.environment(2, SHA2)  # PR 2 closed, stack gone: orphan
    world.environment(3, SHA3)  # PR 3 open, stack gone: orphan
    world.environment(4, SHA1, tagged=False)  # our names, no tags: never touched
    # an image of PR 2 that also carries another tag, and an image that is not ours
    shared = manifest("shared")
    world.c.ecr.put_image(repositoryName=REPO, imageManifest=shared, imageTag="pr-2-ddddddd-ci")
    world.c.ecr.put_image(repositoryName=REPO, imageManifest=shared, imageTag="release-6.0")
    world.c.ecr.put_image(
        repositoryName=REPO,
        imageManifest=manifest("x"),
        imageTag="latest",
    )


def inventory(live: AwsLive) -> set[tuple[str, str]]:
    return {(r.kind, r.name.split(":")[0]) for r in live.list_tagged()}


def test_list_tagged_reads_the_tags_of_every_kind(world: World) -> None:
    world.environment(1, SHA1)
    found = {r.kind: r for r in live_from_env().list_tagged()}
    assert set(found) == {"ecs-service", "task-definition", "log-group", "ecr-image"}
    for kind in ("ecs-service", "task-definition", "log-group"):
        assert found[kind].tags == resource_tags(EnvConfig(pr=1, sha=SHA1)), kind
    assert found["ecr-image"].tags == {"showtime:pr": "1", "showtime:sha": SHA1[:7]}
    # moto gives task definitions no registeredAt (AWS does); the rest carry their age
    assert all(r.created is not None for k, r in found.items() if k != "task-definition")


def test_sweep_deletes_orphans_only_and_dry_run_writes_nothing(world: World) -> None:
    sweep_world(world)
    live = live_from_env()
    before = inventory(live)
    later = datetime.now(UTC) + timedelta(hours=2)
    decisions = live.find_orphans({"pr-1-aaaaaaa", "shared"}, {1, 3, 4}, later)
    delete = {
        (d.resource.kind, d.resource.name.split(":")[0]) for d in decisions if d.action == "delete"
    }
    n2, n3 = resource_names(2, SHA2), resource_names(3, SHA3)
    expected = {
        (k, n)
        for nm in (n2, n3)
        for k, n in (
            ("ecs-service", nm.service),
            ("task-definition", nm.task_family),
            ("log-group", nm.log_group),
            ("ecr-image", nm.image_tag),
        )
    }
    assert delete == expected
    reasons = {d.resource.name: d.reason for d in decisions}
    assert reasons[n2.service] == "stack pr-2-bbbbbbb no longer exists and PR #2 is closed"
    assert reasons[n3.service] == "stack pr-3-ccccccc no longer exists"
    assert "no showtime:pr" in reasons[resource_names(4, SHA1).service]
    assert "not ours alone" in reasons["pr-2-ddddddd-ci"]

    dry = live.delete_orphans(decisions, dry_run=True)
    assert len(dry) == len(expected) and not any(r.deleted for r in dry)
    assert inventory(live) == before

    done = live.delete_orphans(decisions, dry_run=False)
    assert all(r.deleted and r.error is None for r in done), [r.error for r in done]
    assert inventory(live) == before - expected
    # untouched: PR 1 (open, live), untagged PR 4, the shared and the foreign images
    n1, n4 = resource_names(1, SHA1), resource_names(4, SHA1)
    svc = world.c.ecs.describe_services(cluster=CLUSTER, services=[n1.service, n4.service])
    assert [s["status"] for s in svc["services"]] == ["ACTIVE", "ACTIVE"]
    tags = {
        t
        for i in world.c.ecr.describe_images(repositoryName=REPO)["imageDetails"]
        for t in i.get("imageTags", [])
    }
    assert tags == {n1.image_tag, "manual-aaaaaaa", "pr-2-ddddddd-ci", "release-6.0", "latest"}
    assert live.find_orphans({"pr-1-aaaaaaa"}, {1, 3, 4}, later) == [
        d for d in live.find_orphans({"pr-1-aaaaaaa"}, {1, 3, 4}, later) if d.action != "delete"
    ]


def test_sweep_keeps_fresh_resources_inside_the_grace_period(world: World) -> None:
    world.environment(2, SHA2)
    decisions = live_from_env().find_orphans(set(), set(), datetime.now(UTC))
    dated = [d for d in decisions if d.resource.created is not None]
    assert len(dated) == 3 and all(d.action == "keep" for d in dated)
    assert all("grace period" in d.reason for d in dated)


def test_delete_failure_is_reported_and_the_rest_goes_on(world: World) -> None:
    world.environment(2, SHA2)
    live = live_from_env()
    decisions = live.find_orphans(set(), set(), datetime.now(UTC) + timedelta(hours=2))
    world.c.logs.delete_log_group(logGroupName=resource_names(2, SHA2).log_group)
    results = live.delete_orphans(decisions, dry_run=False)
    failed = [r for r in results if r.error]
    assert [r.decision.resource.kind for r in failed] == ["log-group"]
    assert "ResourceNotFoundException" in (failed[0].error or "")
    assert sum(r.deleted for r in results) == 3


# ------------------------------------------------------------------------------------------
# logs
# ------------------------------------------------------------------------------------------

SECRET_LINES = [
    "Loading examples",
    "SECRET_KEY=abcd1234efgh5678",
    "connecting to postgresql://superset:hunter2@db:5432/superset",
    "Init done",
]


def put_logs(world: World, pr: int, sha: str, lines: list[str], stream: str, t0: int) -> None:
    group = resource_names(pr, sha).log_group
    with contextlib.suppress(world.c.logs.exceptions.ResourceAlreadyExistsException):
        world.c.logs.create_log_group(logGroupName=group)
    world.c.logs.create_log_stream(logGroupName=group, logStreamName=stream)
    world.c.logs.put_log_events(
        logGroupName=group,
        logStreamName=stream,
        logEvents=[{"timestamp": t0 + i * 1000, "message": m} for i, m in enumerate(lines)],
    )


def now_ms() -> int:
    return int(datetime.now(UTC).timestamp() * 1000) - 60_000


def test_tail_logs_reads_the_last_lines_redacted(world: World) -> None:
    t0 = now_ms()
    put_logs(world, 7, SHA1, SECRET_LINES, "superset/superset/task1", t0)
    put_logs(world, 7, SHA1, ["redis ready"], "redis/redis/task1", t0 + 1500)
    tail = aws.tail_logs(world.c.logs, 7, SHA1, 3)
    assert [line.message for line in tail.lines] == [
        "redis ready",
        "connecting to postgresql://superset:***@db:5432/superset",
        "Init done",
    ]
    assert tail.log_group == "/showtime/pr-7-aaaaaaa" and tail.sha == "aaaaaaa"
    full = aws.tail_logs(world.c.logs, 7, SHA1, 100)
    assert "hunter2" not in full.text() and "abcd1234" not in full.text()
    assert "SECRET_KEY=***" in full.text()


def test_tail_logs_of_a_missing_environment(world: World) -> None:
    with pytest.raises(LogsNotFoundError, match="never deployed or is already destroyed"):
        aws.tail_logs(world.c.logs, 8, SHA1, 10)


def test_logs_cli_json_and_latest_sha(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    put_logs(world, 7, SHA1, ["old environment"], "superset/superset/a", now_ms() - 600_000)
    put_logs(world, 7, SHA2, SECRET_LINES, "superset/superset/b", now_ms())
    assert main(["logs", "7", "--sha", SHA1[:10], "--tail", "5", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["log_group"] == "/showtime/pr-7-aaaaaaa"
    assert [x["message"] for x in doc["lines"]] == ["old environment"]
    assert main(["logs", "7", "-n", "2"]) == 0  # no --sha: the newest environment
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "# /showtime/pr-7-bbbbbbb (last 2 lines, redacted)"
    assert "hunter2" not in out and out.rstrip().endswith("Init done")


def test_logs_cli_input_errors(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["logs", "7", "--sha", "not-a-sha"]) == 2
    assert "invalid commit SHA" in capsys.readouterr().err
    assert main(["logs", "7"]) == 2
    assert "PR #7 has no environment logs" in capsys.readouterr().err
    assert main(["logs", "7", "--sha", SHA1]) == 1
    assert "never deployed" in capsys.readouterr().err


# ------------------------------------------------------------------------------------------
# credentials and retries over real HTTP
# ------------------------------------------------------------------------------------------


def no_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    import os

    for key in list(os.environ):
        if key.startswith("AWS_"):
            monkeypatch.delenv(key)
    empty = tmp_path / "empty"
    empty.write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def test_missing_credentials_exit_2_naming_them(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    no_credentials(monkeypatch, tmp_path)
    assert main(["logs", "1", "--sha", SHA1]) == 2
    err = capsys.readouterr().err
    assert "AWS_ACCESS_KEY_ID" in err and "AWS_SECRET_ACCESS_KEY" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_half_set_credentials_name_the_missing_half(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    no_credentials(monkeypatch, tmp_path)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    with pytest.raises(CredentialsMissingError, match="AWS_SECRET_ACCESS_KEY is not set") as info:
        AwsClients.from_settings(Settings.from_env())
    assert info.value.exit_code == 2


class _Throttler(http.server.BaseHTTPRequestHandler):
    """An ECS endpoint that throttles the first request, then answers DescribeServices."""

    calls: list[str]

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        self.rfile.read(length)
        self.calls.append(self.headers.get("X-Amz-Target", ""))
        body: dict[str, Any]
        if len(self.calls) == 1:
            body = {"__type": "ThrottlingException", "message": "Rate exceeded"}
            status = 400
        else:
            body = {"services": [{"serviceName": "pr-1-aaaaaaa-service", "status": "DRAINING"}]}
            status = 200
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def local_server() -> Iterator[tuple[str, type[http.server.BaseHTTPRequestHandler]]]:
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(handler: type[http.server.BaseHTTPRequestHandler]) -> str:
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
        return f"http://127.0.0.1:{srv.server_address[1]}"

    yield start  # type: ignore[misc]
    for srv in servers:
        srv.shutdown()
        srv.server_close()


def test_throttling_is_retried_by_botocore_standard_mode(
    local_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler: Any = type("H", (_Throttler,), {"calls": []})
    url = local_server(handler)
    for k, v in {
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "y",
        "AWS_ENDPOINT_URL": url,
    }.items():
        monkeypatch.setenv(k, v)
    clients = AwsClients.from_settings(Settings.from_env())
    assert clients.ecs.meta.config.retries["mode"] == "standard"  # type: ignore[attr-defined]
    state = AwsLive(clients).service_state(CLUSTER, "pr-1-aaaaaaa-service")
    assert state == "DRAINING"
    assert handler.calls == ["AmazonEC2ContainerServiceV20141113.DescribeServices"] * 2


# ------------------------------------------------------------------------------------------
# health against a local HTTP server: 503, then 200
# ------------------------------------------------------------------------------------------


class _Health(http.server.BaseHTTPRequestHandler):
    statuses: list[int]
    paths: list[str]

    def do_GET(self) -> None:
        self.paths.append(self.path)
        status = self.statuses.pop(0) if self.statuses else 200
        body = b"OK" if status == 200 else b"loading"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def test_health_polls_through_503_until_200(local_server: Any) -> None:
    handler: Any = type("H", (_Health,), {"statuses": [503, 503], "paths": []})
    url = local_server(handler) + "/health"
    slept: list[float] = []
    result = wait_for_health(url, timeout=30, sleep=slept.append)
    assert result.attempts == 3 and handler.paths == ["/health"] * 3
    assert slept == [2.0, 3.0]  # backoff grows
    assert 0 <= result.seconds < 5
    # the executor's port returns the seconds it took
    live = AwsLive(None, sleep=lambda _s: None)  # type: ignore[arg-type]
    handler.statuses[:] = [503]
    assert live.wait_healthy(url) >= 0
    assert handler.paths[-2:] == ["/health", "/health"]


def test_health_deadline_with_fake_clock_and_refused_connections() -> None:
    now = [0.0]

    def sleep(s: float) -> None:
        now[0] += s

    def refused(url: str, timeout: float) -> int:
        now[0] += 0.5
        raise ConnectionRefusedError("connection refused")

    with pytest.raises(HealthTimeoutError, match="not healthy after 60s") as info:
        wait_for_health(
            "http://10.0.0.1:8080/health",
            timeout=60,
            clock=lambda: now[0],
            sleep=sleep,
            get=refused,
        )
    assert "ConnectionRefusedError" in str(info.value)
    assert 60 <= now[0] <= 60.5  # never sleeps past the deadline


def test_health_backoff_is_capped_and_default_deadline_is_policy() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(s: float) -> None:
        slept.append(s)
        now[0] += s

    with pytest.raises(HealthTimeoutError, match="after 900s"):
        wait_for_health("http://h/health", clock=lambda: now[0], sleep=sleep, get=lambda u, t: 502)
    assert max(slept) == 15.0 and slept[:3] == [2.0, 3.0, 4.5]
    assert sum(slept) == pytest.approx(900.0)


def test_probe_health_is_one_look(local_server: Any) -> None:
    handler: Any = type("H", (_Health,), {"statuses": [503], "paths": []})
    url = local_server(handler) + "/health"
    assert aws.probe_health(url) == aws.HealthProbe(url, False, "HTTP 503")
    assert aws.probe_health(url).ok and handler.paths == ["/health", "/health"]
    down = aws.probe_health("http://127.0.0.1:9/health", timeout=0.5)
    assert not down.ok and down.detail.startswith("unreachable")


def test_health_url_must_be_http() -> None:
    with pytest.raises(InputError):
        wait_for_health("file:///etc/passwd")


# ------------------------------------------------------------------------------------------
# phase timings
# ------------------------------------------------------------------------------------------


def test_phase_timer_records_each_phase() -> None:
    now = [100.0]
    timer = PhaseTimer(clock=lambda: now[0])
    for name, secs in (("image", 40.0), ("stack", 95.0), ("task start", 5.0), ("health", 61.0)):
        with timer.phase(name):
            now[0] += secs
    assert timer.items() == [
        ("image", 40.0),
        ("stack", 95.0),
        ("task start", 5.0),
        ("health", 61.0),
    ]
    assert timer.as_dict()["total"] == 201.0
    assert timer.within_target("new") and not timer.within_target("update")
    assert timer.summary("update") == (
        "image 40.0s · stack 95.0s · task start 5.0s · health 61.0s · total 201.0s "
        "(over the 3 min goal for an update)"
    )

    def broken() -> None:
        with timer.phase("broken"):
            now[0] += 2
            raise RuntimeError

    with pytest.raises(RuntimeError):
        broken()
    assert timer.items()[-1] == ("broken", 2.0)


# ------------------------------------------------------------------------------------------
# pure: orphan decisions, redaction, cost
# ------------------------------------------------------------------------------------------

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
OLD = NOW - timedelta(days=2)


def res(kind: Any, pr: int, sha: str, **kw: Any) -> TaggedResource:
    n = resource_names(pr, sha)
    name = {
        "ecs-service": n.service,
        "task-definition": n.task_family + ":3",
        "log-group": n.log_group,
        "ecr-image": n.image_tag,
    }[kind]
    tags = kw.pop("tags", {"showtime:pr": str(pr), "showtime:sha": sha[:7]})
    return TaggedResource(kind, kw.pop("name", name), "id", tags, kw.pop("created", OLD), **kw)


def test_classify_rules() -> None:
    rs = [
        res("ecs-service", 1, SHA1),
        res("ecs-service", 2, SHA2),
        res("log-group", 1, SHA1, tags={"showtime:pr": "1"}),
        res("log-group", 1, SHA1, tags={"showtime:pr": "01", "showtime:sha": "aaaaaaa"}),
        res("ecs-service", 2, SHA2, name="production-service"),
        res("ecr-image", 2, SHA2, other_image_tags=("latest",)),
        res("task-definition", 2, SHA2, created=NOW - timedelta(minutes=5)),
        res("task-definition", 2, SHA2, created=None),
    ]
    got = [(d.action, d.reason) for d in classify_orphans(rs, ["pr-1-aaaaaaa"], [1], NOW)]
    assert [a for a, _ in got] == [
        "keep",
        "delete",
        "skip",
        "skip",
        "skip",
        "skip",
        "keep",
        "delete",
    ]
    assert "does not match its tags" in got[4][1]
    naive = [d.action for d in classify_orphans(rs[-2:], [], [], NOW.replace(tzinfo=None))]
    assert naive == ["keep", "delete"]
    assert got[6][1].startswith("created 5 min ago")


ALL_KINDS = st.sampled_from(aws.KINDS)


@given(
    kind=ALL_KINDS,
    pr=st.integers(1, 10**6),
    sha=st.from_regex(r"[0-9a-f]{40}", fullmatch=True),
    live=st.sets(st.integers(1, 50)),
    opened=st.sets(st.integers(1, 50)),
    age=st.integers(0, 10**6),
)
def test_never_deletes_an_open_pr_with_a_live_stack(
    kind: Any, pr: int, sha: str, live: set[int], opened: set[int], age: int
) -> None:
    r = res(kind, pr, sha, created=NOW - timedelta(seconds=age))
    stacks = {resource_names(p, sha).stack for p in live} | {resource_names(pr, sha).stack}
    (d,) = classify_orphans([r], stacks, opened | {pr}, NOW)
    assert d.action == "keep"
    (d2,) = classify_orphans([r], stacks - {resource_names(pr, sha).stack}, opened | {pr}, NOW)
    assert d2.action == ("delete" if age >= 3600 else "keep")


@given(tags=st.dictionaries(st.text(max_size=20), st.text(max_size=20)), kind=ALL_KINDS)
def test_untagged_or_foreign_tags_are_never_deleted(tags: dict[str, str], kind: Any) -> None:
    tags.pop("showtime:pr", None)
    r = TaggedResource(kind, "pr-1-aaaaaaa-service", "id", tags, OLD)
    (d,) = classify_orphans([r], [], [], NOW)
    assert d.action == "skip"


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ("SECRET_KEY=abcdef0123456789", "abcdef0123456789"),
        ("export SUPERSET_SECRET_KEY='my long secret'", "my long secret"),
        ('{"password": "pa ss", "user": "admin"}', "pa ss"),
        ("DATABASE_URL=postgresql+psycopg2://superset:s3cr3t@db:5432/superset", "s3cr3t"),
        ("redis://:hunter2@localhost:6379/0", "hunter2"),
        ("Authorization: Bearer eyJhbGciOi.J9abcdefghijk", "eyJhbGciOi"),
        ("key AKIAIOSFODNN7EXAMPLE in use", "AKIAIOSFODNN7EXAMPLE"),
        ("aws_secret_access_key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI"),
        ("token ghp_0123456789abcdefghijABCDEFGHIJ012345 used", "ghp_0123456789"),
        ("GITHUB_TOKEN: github_pat_11AAAAAAA0123456789_abcdefghij", "github_pat_"),
        ("MAPBOX_API_KEY=pk.abc", "pk.abc"),
        ("Authorization: Basic dXNlcjpwYXNz", "dXNlcjpwYXNz"),
        ('headers={"Authorization": "token abc123def"}', "abc123def"),
    ],
)
def test_redact_masks_secrets(line: str, secret: str) -> None:
    out = redact(line)
    assert secret not in out and "***" in out


@pytest.mark.parametrize(
    "line",
    [
        "Loaded your LOCAL configuration at [/app/pythonpath/superset_config.py]",
        '127.0.0.1 - - [15/Jan/2026] "GET /health HTTP/1.1" 200 2',
        "Creating database reference for examples: postgresql://db:5432/examples",
        "tokenizer loaded in 3.2s",
        "Basic authentication is disabled; using the database backend",
        "Bearer tokens accepted",
    ],
)
def test_redact_leaves_ordinary_lines_alone(line: str) -> None:
    assert redact(line) == line


def test_size_table_matches_the_program() -> None:
    from showtime_iac.program import SIZE_SPECS

    assert {k: (s.cpu / 1024, s.memory / 1024) for k, s in SIZE_SPECS.items()} == aws.SIZE_RESOURCES
    assert all(gib >= 2 for _, gib in aws.SIZE_RESOURCES.values())


def test_hourly_cost_from_the_price_table() -> None:
    p = FargatePrices(vcpu_hour=0.04, gb_hour=0.005, ipv4_hour=0.01)
    assert hourly_cost("small", p) == pytest.approx(0.04 + 2 * 0.005 + 0.01)
    assert hourly_cost("large", p) == pytest.approx(4 * 0.04 + 8 * 0.005 + 0.01)
    assert hourly_cost("small") < hourly_cost("medium") < hourly_cost("large")
    assert total_hourly_cost(["small", "large", "large"], p) == pytest.approx(
        hourly_cost("small", p) + 2 * hourly_cost("large", p)
    )
    assert total_hourly_cost([]) == 0
    with pytest.raises(InputError, match="unknown size"):
        hourly_cost("huge")


def test_prices_overridable_by_config_and_env() -> None:
    p = FargatePrices.from_mapping({"vcpu_hour": 0.05, "gb_hour": "0.006"})
    assert (p.vcpu_hour, p.gb_hour, p.ipv4_hour) == (0.05, 0.006, aws.DEFAULT_PRICES.ipv4_hour)
    e = FargatePrices.from_env({"SHOWTIME_PRICE_IPV4_HOUR": "0", "HOME": "/"})
    assert e.ipv4_hour == 0 and e.vcpu_hour == aws.DEFAULT_PRICES.vcpu_hour
    for bad in ({"cpu": 1}, {"gb_hour": "cheap"}, {"vcpu_hour": -1}):
        with pytest.raises(InputError):
            FargatePrices.from_mapping(bad)
