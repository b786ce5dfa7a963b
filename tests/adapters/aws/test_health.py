"""``/health`` against a local HTTP server (503, then 200), and deadlines on a fake clock."""

from __future__ import annotations

import http.server
from typing import Any

import pytest

from showtime_iac.adapters import aws
from showtime_iac.adapters.aws import POLL_SECONDS, AwsLive, HealthTimeoutError, wait_for_health
from showtime_iac.adapters.aws.health import urllib_get
from showtime_iac.core.model import InputError


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
    assert slept == [2.0, 2.0]  # every 2 s: a Superset that answers is seen within 2 s
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


def test_health_polls_every_two_seconds_up_to_the_policys_deadline() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(s: float) -> None:
        slept.append(s)
        now[0] += s

    with pytest.raises(HealthTimeoutError, match="after 900s"):
        wait_for_health("http://h/health", clock=lambda: now[0], sleep=sleep, get=lambda u, t: 502)
    assert POLL_SECONDS == 2.0 and set(slept) == {2.0}  # no backoff: 900 s is 450 looks
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


# ----------------------------------------------------------- what each look sends and says (issue 29)


def test_each_look_names_the_client_and_returns_any_status(local_server: Any) -> None:
    seen: list[str | None] = []

    class Agent(_Health):
        def do_GET(self) -> None:
            seen.append(self.headers.get("User-Agent"))
            super().do_GET()

    handler: Any = type("A", (Agent,), {"statuses": [503], "paths": []})
    url = local_server(handler) + "/health"
    assert urllib_get(url, 2.0) == 503  # an error status is an answer, not an exception
    assert urllib_get(url, 2.0) == 200
    assert seen == ["showtime-iac", "showtime-iac"]


def test_a_look_gives_up_after_its_own_timeout() -> None:
    """A task that accepts the connection and never answers costs one look, not the deadline."""
    import socket
    import threading

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)  # connections are accepted by the kernel, and never answered
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/health"
        raised: list[BaseException] = []

        def look() -> None:
            try:
                urllib_get(url, 0.3)
            except OSError as exc:
                raised.append(exc)

        worker = threading.Thread(target=look, daemon=True)
        worker.start()
        worker.join(10)
        assert not worker.is_alive() and len(raised) == 1 and isinstance(raised[0], TimeoutError)


def test_each_look_waits_at_most_five_seconds_and_never_past_the_deadline() -> None:
    now = [1000.0]  # the clock's origin is not zero: only differences count
    timeouts: list[float] = []

    def get(url: str, timeout: float) -> int:
        timeouts.append(timeout)
        return 502

    def sleep(s: float) -> None:
        now[0] += s

    with pytest.raises(HealthTimeoutError) as err:
        wait_for_health("http://h/health", timeout=7, clock=lambda: now[0], sleep=sleep, get=get)
    assert timeouts == [5.0, 5.0, 3.0, 1.0, 0.1]  # 0.1 s at least, even at the deadline
    assert str(err.value) == (
        "http://h/health not healthy after 7s (5 attempts, last: HTTP 502); the failure "
        "comment carries the last log lines"
    )


def test_a_healthy_answer_reports_its_url_time_and_attempts() -> None:
    now = [500.0]
    answers = [503, 200]

    def get(url: str, timeout: float) -> int:
        now[0] += 0.25
        return answers.pop(0)

    def sleep(s: float) -> None:
        now[0] += s

    result = wait_for_health(
        "https://pr-1.example.org/health", timeout=30, clock=lambda: now[0], sleep=sleep, get=get
    )
    assert result == aws.HealthResult("https://pr-1.example.org/health", 2.5, 2)


def test_a_failed_look_is_named_by_its_error_cut_at_200_characters() -> None:
    now = [0.0]

    def get(url: str, timeout: float) -> int:
        now[0] += 1
        raise OSError("x" * 300)

    with pytest.raises(HealthTimeoutError) as err:
        wait_for_health("http://h/health", timeout=1, clock=lambda: now[0], get=get)
    last = ("OSError: " + "x" * 300)[:200]
    assert str(err.value) == (
        f"http://h/health not healthy after 1s (1 attempts, last: {last}); the failure comment "
        "carries the last log lines"
    )


def test_a_health_url_that_is_not_http_is_refused_by_name() -> None:
    url = "file:///" + "e" * 100
    with pytest.raises(InputError) as err:
        wait_for_health(url)
    assert str(err.value) == f"health URL {url[:80]!r} must start with http:// or https://"
