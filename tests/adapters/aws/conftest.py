"""Fixtures of the AWS adapter tests: a moto world, Stubber-wrapped clients on a fake clock,
and local HTTP servers."""

from __future__ import annotations

import http.server
from collections.abc import Iterator

import pytest
from botocore.stub import Stubber

from showtime_iac.adapters.aws import AwsClients, AwsLive
from showtime_iac.settings import Settings
from tests.doubles import CLUSTER, FakeTime, Stubbed, World, stub_clients
from tests.motoserver import set_moto_transition
from tests.serving import serve


@pytest.fixture
def world(moto_env: str) -> World:
    # keep tasks RUNNING however often they are described (moto advances them otherwise)
    set_moto_transition(moto_env, "ecs::task", {"progression": "manual", "times": 1_000_000})
    return World(AwsClients.from_settings(Settings.from_env()))


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stubbed]:
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    clients = stub_clients()
    t = FakeTime()
    live = AwsLive(clients, cluster=CLUSTER, clock=t.clock, sleep=t.sleep, poll_interval=5.0)
    ecs, ec2 = Stubber(clients.ecs), Stubber(clients.ec2)
    with ecs, ec2:
        yield Stubbed(live, ecs, ec2, t)
        ecs.assert_no_pending_responses()
        ec2.assert_no_pending_responses()


@pytest.fixture
def local_server() -> Iterator[tuple[str, type[http.server.BaseHTTPRequestHandler]]]:
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(handler: type[http.server.BaseHTTPRequestHandler]) -> str:
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        serve(srv)
        servers.append(srv)
        return f"http://127.0.0.1:{srv.server_address[1]}"

    yield start  # type: ignore[misc]
    for srv in servers:
        srv.shutdown()
        srv.server_close()
