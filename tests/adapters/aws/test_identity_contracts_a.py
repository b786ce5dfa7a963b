"""``caller_identity`` gives up quickly on an STS endpoint that accepts and never answers
(doctor's check must not hang: one attempt, short timeouts)."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Callable

import pytest

from showtime_iac.adapters.aws.identity import IdentityError, caller_identity


def test_an_endpoint_that_never_answers_fails_within_seconds(
    local_server: Callable[[type[http.server.BaseHTTPRequestHandler]], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    release = threading.Event()

    class Silent(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            release.wait(90)  # holds the request open; answers nothing

    monkeypatch.setenv("AWS_ENDPOINT_URL", local_server(Silent))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    started = time.monotonic()
    try:
        with pytest.raises(IdentityError):
            caller_identity({})
        assert time.monotonic() - started < 40  # read timeout 5 s (botocore's default: 60)
    finally:
        release.set()


def test_an_endpoint_that_never_accepts_fails_within_seconds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A listener whose accept queue is full: the kernel drops further connection attempts,
    as a firewalled host does."""
    import socket

    with socket.socket() as listener, socket.socket() as first:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        first.connect(("127.0.0.1", port))  # fills the queue; never accepted
        monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
        monkeypatch.delenv("AWS_PROFILE", raising=False)
        started = time.monotonic()
        with pytest.raises(IdentityError):
            caller_identity({})
        assert time.monotonic() - started < 40  # connect timeout 3 s (botocore's default: 60)
