"""``status``'s one look at AWS (issue 29): the view of a stopped task, of a task without a
public IP, of a service without tasks and of a task still starting, each whole; the ``/health``
probe bounded by the caller's timeout; and the quick AWS adapter (two retries, not five).
ECS is moto (real HTTP), or botocore's Stubber for what moto cannot make (a PENDING task, a
public IP that is this machine's)."""

from __future__ import annotations

import http.server
import time
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.stub import ANY, Stubber

from showtime_iac.adapters.aws import AwsClients, AwsError, AwsLive
from showtime_iac.app.live import LiveView, look_live, open_live
from showtime_iac.core.model import Policy
from showtime_iac.settings import Settings
from tests.doubles import CLUSTER, ENI, SERVICE, TASK, World, stub_clients, task
from tests.motoserver import set_moto_transition
from tests.serving import serve

SHA = "abc1234" + "0" * 33


@pytest.fixture
def world(moto_env: str) -> World:
    set_moto_transition(moto_env, "ecs::task", {"progression": "manual", "times": 1_000_000})
    return World(AwsClients.from_settings(Settings.from_env()))


def moto_live() -> AwsLive:
    return AwsLive.from_settings(Settings.from_env())


def test_a_stopped_task_is_a_view_with_its_reason(world: World) -> None:
    env = world.environment(1234, SHA)
    arn, _ = world.run_service_task(1234, SHA, env["task_definition"])
    world.c.ecs.stop_task(cluster=CLUSTER, task=arn, reason="Essential container in task exited")
    tid = arn.rsplit("/", 1)[1]
    assert look_live(moto_live(), CLUSTER, env["service"], 8080) == LiveView(
        address=None,
        task_arn=arn,
        last_status="STOPPED",
        stopped_reason="Essential container in task exited",
        healthy=None,
        health=None,
        error=f"task {tid} stopped: Essential container in task exited "
        "(see `showtime-iac logs PR` for its last log lines)",
    )


def test_a_running_task_without_a_public_ip_is_a_view_that_says_so(world: World) -> None:
    env = world.environment(1234, SHA)
    arn, _ = world.run_service_task(1234, SHA, env["task_definition"])
    tid = arn.rsplit("/", 1)[1]
    assert look_live(moto_live(), CLUSTER, env["service"], 8080) == LiveView(
        address=None,
        task_arn=arn,
        last_status="RUNNING",
        stopped_reason=None,
        healthy=None,
        health=None,
        error=f"task {tid} is RUNNING but has no public IP: check that the service assigns a "
        "public IP and uses public subnets",
    )


def test_a_service_without_tasks_is_a_view_with_the_reason_only(world: World) -> None:
    env = world.environment(1234, SHA)
    service = env["service"]
    assert look_live(moto_live(), CLUSTER, service, 8080) == LiveView(
        error=f"ECS service {service} in cluster {CLUSTER} has no task: check its events with "
        f"`aws ecs describe-services --cluster {CLUSTER} --services {service}`"
    )


# -- Stubber: a task still starting, a public IP that is this machine --------------------


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[AwsClients, Stubber, Stubber]]:
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    clients = stub_clients()
    ecs, ec2 = Stubber(clients.ecs), Stubber(clients.ec2)
    with ecs, ec2:
        yield clients, ecs, ec2
        ecs.assert_no_pending_responses()
        ec2.assert_no_pending_responses()


def running_tasks(ecs: Stubber, t: dict[str, Any]) -> None:
    ecs.add_response(
        "list_tasks",
        {"taskArns": [t["taskArn"]]},
        {"cluster": CLUSTER, "serviceName": SERVICE, "desiredStatus": "RUNNING"},
    )
    ecs.add_response(
        "describe_tasks", {"tasks": [t], "failures": []}, {"cluster": CLUSTER, "tasks": ANY}
    )


def test_a_task_still_starting_is_not_probed(
    stubbed: tuple[AwsClients, Stubber, Stubber],
) -> None:
    clients, ecs, _ec2 = stubbed
    running_tasks(ecs, task("PENDING"))
    assert look_live(AwsLive(clients, cluster=CLUSTER), CLUSTER, SERVICE, 8080) == LiveView(
        address=None,
        task_arn=TASK,
        last_status="PENDING",
        stopped_reason=None,
        healthy=None,
        health="not probed: no address yet",
        error=None,
    )


@pytest.fixture
def slow_health() -> Iterator[int]:
    """A /health that answers 200 after one second; its port."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            time.sleep(1.0)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    serve(srv)
    yield int(srv.server_address[1])
    srv.shutdown()
    srv.server_close()


def test_the_probe_waits_no_longer_than_the_callers_timeout(
    stubbed: tuple[AwsClients, Stubber, Stubber], slow_health: int
) -> None:
    clients, ecs, ec2 = stubbed
    for _ in range(2):
        running_tasks(ecs, task("RUNNING"))
        ec2.add_response(
            "describe_network_interfaces",
            {
                "NetworkInterfaces": [
                    {
                        "NetworkInterfaceId": ENI,
                        "PrivateIpAddress": "10.0.1.23",
                        "Association": {"PublicIp": "127.0.0.1"},
                    }
                ]
            },
            {"NetworkInterfaceIds": [ENI]},
        )
    live = AwsLive(clients, cluster=CLUSTER)
    url = f"http://127.0.0.1:{slow_health}"
    assert look_live(live, CLUSTER, SERVICE, slow_health, probe_timeout=0.3) == LiveView(
        url, TASK, "RUNNING", None, False, "unreachable: TimeoutError"
    )
    assert look_live(live, CLUSTER, SERVICE, slow_health) == LiveView(
        url, TASK, "RUNNING", None, True, "healthy"
    )


# -- the quick adapter ---------------------------------------------------------------------


@pytest.fixture
def ecs_503(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """A local ECS endpoint that answers every call 503; the calls' targets, in order."""
    calls: list[str] = []
    body = b'{"__type":"ServerException","message":"unavailable"}'

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            calls.append(self.headers.get("X-Amz-Target", ""))
            self.send_response(503)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    serve(srv)
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{srv.server_address[1]}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-west-2")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    yield calls
    srv.shutdown()
    srv.server_close()


def test_the_status_adapter_retries_twice_and_moves_on(ecs_503: list[str]) -> None:
    live = open_live(Settings.from_env(), Policy())
    with pytest.raises(AwsError):
        live.task_address(CLUSTER, SERVICE)
    # botocore's max_attempts of client_config(2) counts retries: the call and two more (the
    # full adapter makes six)
    assert ecs_503 == ["AmazonEC2ContainerServiceV20141113.ListTasks"] * 3


def test_each_stack_is_looked_up_by_the_service_and_cluster_its_outputs_name(
    world: World,
) -> None:
    """``status`` looks at the service a stack's outputs name, in the cluster they name; a
    stack without those outputs, at the names the program gives (``resource_names``)."""
    from showtime_iac.adapters.stacks.listing import StackInfo
    from showtime_iac.app.live import live_views

    env = world.environment(1234, SHA)
    arn, _ = world.run_service_task(1234, SHA, env["task_definition"])
    tid = arn.rsplit("/", 1)[1]
    no_ip = (
        f"task {tid} is RUNNING but has no public IP: check that the service assigns a "
        "public IP and uses public subnets"
    )
    stacks = [
        (StackInfo("pr-1234-abc1234", 1234, "abc1234"), {}),  # named as the program names it
        (StackInfo("pr-77-def5678", 77, "def5678"), {"serviceName": env["service"]}),
        (
            StackInfo("pr-78-def5678", 78, "def5678"),
            {"serviceName": env["service"], "clusterName": "elsewhere"},
        ),
    ]
    views, reason = live_views(stacks, Policy())
    assert reason is None
    assert [v.error if v is not None else None for v in views[:2]] == [no_ip, no_ip]
    assert views[2] == LiveView(  # the cluster named: moto has none by that name
        error="ListTasks sti-pr-1234-abc1234 failed: ClusterNotFoundException: Cluster not found."
    )
