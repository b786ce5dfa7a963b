"""A moto server over real HTTP for boto3 tests (pytest plugin, registered in conftest.py).

- ``moto_server`` (session): starts moto's ``ThreadedMotoServer`` on 127.0.0.1 with a free
  port (port 0: the OS picks one, so xdist workers never collide) and returns its URL.
- ``moto_env`` (function): resets the server's state, sets fake credentials, the region and
  ``AWS_ENDPOINT_URL`` for one test, and returns the URL. IMDS lookups are disabled.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator

import pytest

__all__ = ["moto_env", "moto_server", "set_moto_transition"]

FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_REGION": "us-west-2",
    "AWS_DEFAULT_REGION": "us-west-2",
    "AWS_EC2_METADATA_DISABLED": "true",
}


def _post(url: str, body: dict[str, object] | None = None) -> None:
    """A call to moto's own API. Its reset drops every service's state: on a loaded machine
    (a mutation run's stats collection traces every call) it has taken over 10 s."""
    data = json.dumps(body or {}).encode()
    req = urllib.request.Request(url, data=data, method="POST")
    with urllib.request.urlopen(req, timeout=120) as resp:
        resp.read()


def set_moto_transition(url: str, model: str, transition: dict[str, object]) -> None:
    """Moto's state manager, e.g. keep ECS tasks RUNNING however often they are described."""
    _post(
        f"{url}/moto-api/state-manager/set-transition",
        {"model_name": model, "transition": transition},
    )


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def moto_env(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    _post(f"{moto_server}/moto-api/reset")
    for key, value in FAKE_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    return moto_server
