"""What the registry client does with each answer a registry or its token service may give,
against a real local HTTP server that answers as scripted (the answers crane's registry never
gives: a token service's odd bodies, a lying Content-Length, a redirect without a Location).
Each behaviour was checked by changing it and watching the test fail (issue 29)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from showtime_iac.adapters.registry import RegistryClient
from showtime_iac.adapters.registry.client import MANIFEST_LIMIT, TOKEN_LIMIT
from showtime_iac.core.registry import RegistryError
from tests.serving import serve

OCI = "application/vnd.oci.image.manifest.v1+json"


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    length: bool = True  # send a Content-Length (else the body ends with the connection)


@dataclass
class Scripted:
    """Answers per path, in order (the last one repeats); every request as (path, headers)."""

    address: str = ""
    routes: dict[str, list[Answer]] = field(default_factory=dict)
    seen: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def answer(self, path: str, *answers: Answer) -> None:
        self.routes[path] = list(answers)

    def paths(self) -> list[str]:
        return [p for p, _ in self.seen]


def _handler(script: Scripted) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            script.seen.append((path, dict(self.headers.items())))
            queue = script.routes.get(path) or [Answer(404)]
            ans = queue.pop(0) if len(queue) > 1 else queue[0]
            self.send_response(ans.status)
            for k, v in ans.headers.items():
                self.send_header(k, v)
            if ans.length:
                self.send_header("Content-Length", str(len(ans.body)))
            self.end_headers()
            self.wfile.write(ans.body)

    return Handler


@pytest.fixture
def server() -> Iterator[Scripted]:
    script = Scripted()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(script))
    script.address = f"127.0.0.1:{httpd.server_address[1]}"
    serve(httpd)
    try:
        yield script
    finally:
        httpd.shutdown()
        httpd.server_close()


def client(**kw: float) -> RegistryClient:
    return RegistryClient(**{"timeout": 5, "retries": 0, "backoff": 0, **kw})  # type: ignore[arg-type]


MANIFEST = "/v2/team/app/manifests/v1"
BLOB = "/v2/team/app/blobs/sha256:" + "a" * 64


def challenge(server: Scripted) -> Answer:
    realm = f"http://{server.address}/token"
    return Answer(
        401,
        {
            "WWW-Authenticate": f'Bearer realm="{realm}",service="reg",scope="repository:team/app:pull"'
        },
    )


def ok_manifest(body: bytes = b"{}") -> Answer:
    return Answer(200, {"Content-Type": OCI}, body)


def test_a_challenge_other_than_bearer_says_the_command_pulls_anonymously(
    server: Scripted,
) -> None:
    server.answer(MANIFEST, Answer(401, {"WWW-Authenticate": 'Basic realm="reg"'}))
    with pytest.raises(RegistryError) as err:
        client().manifest(server.address, "team/app", "v1")
    assert str(err.value) == (
        f"{server.address}/team/app asks for credentials, and this command pulls anonymously"
        " (it runs in a job with none): make the repository public, or leave it out of"
        " image_sources"
    )
    assert server.paths() == [MANIFEST]  # no token asked for


@pytest.mark.parametrize("status", [401, 403])
def test_a_token_service_that_refuses_says_the_repository_is_private(
    server: Scripted, status: int
) -> None:
    server.answer(MANIFEST, challenge(server))
    server.answer("/token", Answer(status))
    with pytest.raises(RegistryError) as err:
        client().manifest(server.address, "team/app", "v1")
    assert str(err.value) == (
        f"{server.address} gives no anonymous pull token for team/app (HTTP {status}): the"
        " repository is private or does not exist"
    )


def test_a_token_service_error_names_its_status(server: Scripted) -> None:
    server.answer(MANIFEST, challenge(server))
    server.answer("/token", Answer(404))
    with pytest.raises(RegistryError) as err:
        client().manifest(server.address, "team/app", "v1")
    assert str(err.value) == f"the token service of {server.address} answered HTTP 404"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html>sign in</html>", "answered something that is not JSON"),
        (b"\xff\xfe", "answered something that is not JSON"),
        (b'["a list"]', "answered no usable token"),
        (b'{"expires_in": 60}', "answered no usable token"),
        (b'{"token": 12345}', "answered no usable token"),
        (b'{"token": ""}', "answered no usable token"),
        # a token that would break the Authorization header, or one of 8 KiB and more
        (b'{"token": "abc\\r\\nX-Injected: 1"}', "answered no usable token"),
        (b'{"token": "has space"}', "answered no usable token"),
        (json.dumps({"token": "t" * 8193}).encode(), "answered no usable token"),
    ],
)
def test_a_token_answer_without_a_usable_token_is_refused(
    server: Scripted, body: bytes, message: str
) -> None:
    server.answer(MANIFEST, challenge(server))
    server.answer("/token", Answer(200, {"Content-Type": "application/json"}, body))
    with pytest.raises(RegistryError) as err:
        client().manifest(server.address, "team/app", "v1")
    assert str(err.value) == f"the token service of {server.address} {message}"
    assert server.paths() == [MANIFEST, "/token"]  # the manifest is not asked for again


@pytest.mark.parametrize(
    ("doc", "sent"),
    [
        ({"token": "t" * 8192}, "t" * 8192),  # the longest a header takes
        ({"access_token": "oauth2-style"}, "oauth2-style"),  # OAuth2's name for it
        ({"token": "first", "access_token": "second"}, "first"),
        ({"token": "", "access_token": "second"}, "second"),
    ],
)
def test_the_token_is_read_from_either_field_the_spec_names(
    server: Scripted, doc: dict[str, str], sent: str
) -> None:
    server.answer(MANIFEST, challenge(server), ok_manifest())
    server.answer(
        "/token", Answer(200, {"Content-Type": "application/json"}, json.dumps(doc).encode())
    )
    got = client().manifest(server.address, "team/app", "v1")
    assert got is not None and got.body == b"{}" and got.content_type == OCI
    assert server.seen[-1][0] == MANIFEST
    assert server.seen[-1][1]["Authorization"] == f"Bearer {sent}"


def test_a_token_answer_over_its_limit_is_refused(server: Scripted) -> None:
    assert TOKEN_LIMIT == 64 * 1024
    body = json.dumps({"token": "t", "pad": "x" * TOKEN_LIMIT}).encode()
    server.answer(MANIFEST, challenge(server))
    server.answer("/token", Answer(200, {}, body))
    with pytest.raises(RegistryError) as err:
        client().manifest(server.address, "team/app", "v1")
    assert str(err.value) == (
        f"the token service of {server.address} is {len(body)} bytes, over the limit of 65536"
    )


def test_a_manifest_of_4_mib_is_read_and_one_byte_more_is_refused(server: Scripted) -> None:
    """The distribution spec's advice: registries accept manifests of at least 4 MiB."""
    assert MANIFEST_LIMIT == 4 * 1024 * 1024
    at_limit = b" " * MANIFEST_LIMIT
    server.answer(MANIFEST, ok_manifest(at_limit))
    got = client().manifest(server.address, "team/app", "v1")
    assert got is not None and len(got.body) == MANIFEST_LIMIT
    server.answer(MANIFEST, ok_manifest(at_limit + b" "))
    with pytest.raises(RegistryError) as err:
        client().manifest(server.address, "team/app", "v1")
    assert str(err.value) == (
        f"the manifest {server.address}/team/app:v1 is 4194305 bytes, over the limit of 4194304"
    )


def test_a_body_longer_than_it_said_or_with_no_length_is_cut_at_the_limit(
    server: Scripted,
) -> None:
    """A registry that declares no length (or lies) is read only up to the limit."""
    server.answer(BLOB, Answer(200, {}, b"x" * 11, length=False))
    with pytest.raises(RegistryError) as err:
        client().blob(server.address, "team/app", "sha256:" + "a" * 64, 10)
    assert str(err.value) == (
        f"the blob {server.address}/team/app@sha256:{'a' * 64} is over the limit of 10 bytes"
    )
    server.answer(BLOB, Answer(200, {}, b"x" * 10, length=False))
    assert client().blob(server.address, "team/app", "sha256:" + "a" * 64, 10) == b"x" * 10


def test_a_redirect_without_a_location_is_an_error(server: Scripted) -> None:
    server.answer(MANIFEST, Answer(307))
    with pytest.raises(RegistryError) as err:
        client().manifest(server.address, "team/app", "v1")
    assert str(err.value) == f"{server.address}/team/app: a redirect without a Location"


@pytest.mark.parametrize(
    ("body", "suffix"),
    [
        (b'{"errors":[{"code":"DENIED","message":"no"}]}', ": DENIED"),
        (json.dumps({"errors": [{"code": "C" * 50}]}).encode(), ": " + "C" * 40),
        (b'{"errors":[{"code":7}]}', ""),
        (b'{"errors":[]}', ""),
        (b"<html>bad gateway</html>", ""),
    ],
)
def test_an_error_answer_names_its_status_and_the_registry_s_error_code(
    server: Scripted, body: bytes, suffix: str
) -> None:
    server.answer(MANIFEST, Answer(502, {"Content-Type": "application/json"}, body))
    with pytest.raises(RegistryError) as err:
        client().manifest(server.address, "team/app", "v1")
    assert str(err.value) == (
        f"{server.address}/team/app answered HTTP 502 for its manifest v1{suffix}"
    )


def test_a_blob_the_registry_refuses_says_the_repository_is_private(server: Scripted) -> None:
    server.answer(BLOB, Answer(403))
    with pytest.raises(RegistryError) as err:
        client().blob(server.address, "team/app", "sha256:" + "a" * 64, 10)
    assert str(err.value) == (
        f"{server.address}/team/app refused anonymous access to its blob sha256:{'a' * 64}"
        " (HTTP 403): the repository is private or does not exist"
    )


def test_throttling_is_retried_and_its_retry_after_honoured(server: Scripted) -> None:
    server.answer(MANIFEST, Answer(429, {"Retry-After": "1"}), ok_manifest())
    started = time.monotonic()
    assert client(retries=1).manifest(server.address, "team/app", "v1") is not None
    assert time.monotonic() - started >= 0.9  # waited as asked, not at once
    assert server.paths() == [MANIFEST, MANIFEST]


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_retried(server: Scripted, status: int) -> None:
    server.answer(MANIFEST, Answer(status), ok_manifest())
    assert client(retries=1).manifest(server.address, "team/app", "v1") is not None
    assert server.paths() == [MANIFEST, MANIFEST]


def test_the_default_client_retries_three_times(server: Scripted) -> None:
    server.answer(MANIFEST, Answer(503), Answer(503), Answer(503), ok_manifest())
    assert RegistryClient(backoff=0).manifest(server.address, "team/app", "v1") is not None
    assert server.paths() == [MANIFEST] * 4
    server.seen.clear()
    server.answer(MANIFEST, Answer(503), Answer(503), Answer(503), Answer(503), ok_manifest())
    with pytest.raises(RegistryError, match="answered HTTP 503"):
        RegistryClient(backoff=0).manifest(server.address, "team/app", "v1")
    assert server.paths() == [MANIFEST] * 4


@pytest.mark.parametrize("status", [400, 404, 410])
def test_a_client_error_is_not_retried(server: Scripted, status: int) -> None:
    server.answer(BLOB, Answer(status), Answer(200, {}, b"late"))
    with pytest.raises(RegistryError):
        client(retries=2).blob(server.address, "team/app", "sha256:" + "a" * 64, 10)
    assert server.paths() == [BLOB]


def test_each_request_names_the_client(server: Scripted) -> None:
    """Registries see who pulls (urllib3's own agent went out until this test was written)."""
    server.answer(MANIFEST, challenge(server), ok_manifest())
    server.answer("/token", Answer(200, {}, b'{"token": "t"}'))
    RegistryClient(retries=0).manifest(server.address, "team/app", "v1")
    RegistryClient(retries=0, user_agent="showtime-iac/9.9").manifest(
        server.address, "team/app", "v1"
    )
    agents = [h["User-Agent"] for _, h in server.seen]
    # the first: the manifest, the token service and the manifest again; the second is answered at once
    assert agents == ["showtime-iac"] * 3 + ["showtime-iac/9.9"]


# ------------------------------------------------- what each read asks for, and its failures


def test_a_manifest_read_asks_for_indexes_and_manifests_of_both_formats(
    server: Scripted,
) -> None:
    server.answer(MANIFEST, ok_manifest())
    client().manifest(server.address, "team/app", "v1")
    assert server.seen[0][1]["Accept"] == (
        "application/vnd.oci.image.index.v1+json, "
        "application/vnd.docker.distribution.manifest.list.v2+json, "
        "application/vnd.oci.image.manifest.v1+json, "
        "application/vnd.docker.distribution.manifest.v2+json"
    )


def test_a_manifest_without_a_content_type_has_an_empty_one(server: Scripted) -> None:
    server.answer(MANIFEST, Answer(200, {}, b"{}"))
    got = client().manifest(server.address, "team/app", "v1")
    assert got is not None and (got.body, got.content_type) == (b"{}", "")


def test_a_blob_refused_even_with_a_token_says_the_repository_is_private(
    server: Scripted,
) -> None:
    """401 with a token in hand: no second token dance, the refusal's own message."""
    server.answer(MANIFEST, challenge(server), ok_manifest())
    server.answer("/token", Answer(200, {}, b'{"token": "t"}'))
    server.answer(BLOB, Answer(401))
    reg = client()
    assert reg.manifest(server.address, "team/app", "v1") is not None
    with pytest.raises(RegistryError) as err:
        reg.blob(server.address, "team/app", "sha256:" + "a" * 64, 10)
    assert str(err.value) == (
        f"{server.address}/team/app refused anonymous access to its blob sha256:{'a' * 64}"
        " (HTTP 401): the repository is private or does not exist"
    )
    assert server.paths().count("/token") == 1


def test_an_error_body_over_16_kib_is_not_read_for_its_code(server: Scripted) -> None:
    body = json.dumps({"errors": [{"code": "DENIED"}], "pad": "x" * 20_000}).encode()
    server.answer(MANIFEST, Answer(503, {"Content-Type": "application/json"}, body))
    with pytest.raises(RegistryError) as err:
        client().manifest(server.address, "team/app", "v1")
    assert str(err.value) == f"{server.address}/team/app answered HTTP 503 for its manifest v1"


def test_a_transfer_that_breaks_off_is_named(server: Scripted) -> None:
    """The registry promised 100 bytes and closed after 10."""
    server.answer(BLOB, Answer(200, {"Content-Length": "100"}, b"x" * 10, length=False))
    with pytest.raises(RegistryError) as err:
        client().blob(server.address, "team/app", "sha256:" + "a" * 64, 1000)
    assert str(err.value) == (
        f"the blob {server.address}/team/app@sha256:{'a' * 64}: the transfer broke off "
        "(('Connection broken: IncompleteRead(10 bytes read, 90 more expected)', "
        "IncompleteRead(10 bytes read, 90 more expected)))"
    )


def _dead_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_unreachable_registry_is_named_with_the_connection_s_own_reason() -> None:
    port = _dead_port()
    with pytest.raises(RegistryError) as err:
        client().manifest(f"127.0.0.1:{port}", "a", "v1")
    assert str(err.value) == (
        f"cannot reach 127.0.0.1:{port}/a: HTTPConnection(host='127.0.0.1', port={port}): "
        "Failed to establish a new connection: [Errno 111] Connection refused"
    )


def test_an_unreachable_token_service_is_named(server: Scripted) -> None:
    port = _dead_port()
    server.answer(
        MANIFEST,
        Answer(401, {"WWW-Authenticate": f'Bearer realm="http://127.0.0.1:{port}/token"'}),
    )
    with pytest.raises(RegistryError) as err:
        client().manifest(server.address, "team/app", "v1")
    assert str(err.value) == (
        f"cannot reach the token service of {server.address}: HTTPConnection(host='127.0.0.1', "
        f"port={port}): Failed to establish a new connection: [Errno 111] Connection refused"
    )


def test_a_registry_that_never_answers_costs_one_timeout() -> None:
    """A registry that accepts the connection and says nothing: the read timeout ends it."""
    import socket

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        raised: list[BaseException] = []

        def read() -> None:
            try:
                client(timeout=0.3).manifest(f"127.0.0.1:{port}", "a", "v1")
            except RegistryError as exc:
                raised.append(exc)

        worker = threading.Thread(target=read, daemon=True)
        worker.start()
        worker.join(10)
        assert not worker.is_alive() and len(raised) == 1
        assert str(raised[0]).startswith(f"cannot reach 127.0.0.1:{port}/a: ")
        assert "Read timed out. (read timeout=0.3)" in str(raised[0])


def test_a_redirect_to_https_is_followed(server: Scripted) -> None:
    """Up to https is allowed (only https → http is refused): the client goes there."""
    port = _dead_port()
    server.answer(MANIFEST, Answer(307, {"Location": f"https://127.0.0.1:{port}/elsewhere"}))
    with pytest.raises(RegistryError) as err:
        client().manifest(server.address, "team/app", "v1")
    assert str(err.value).startswith(f"cannot reach {server.address}/team/app: ")


def test_a_refused_redirect_names_at_most_60_characters_of_it(server: Scripted) -> None:
    target = "ftp://example.org/" + "x" * 100
    server.answer(MANIFEST, Answer(307, {"Location": target}))
    with pytest.raises(RegistryError) as err:
        client().manifest(server.address, "team/app", "v1")
    assert str(err.value) == (
        f"{server.address}/team/app: refused a redirect to {target[:59] + '…'!r}"
    )


def test_the_first_read_carries_no_credentials(server: Scripted) -> None:
    server.answer(MANIFEST, ok_manifest())
    client().manifest(server.address, "team/app", "v1")
    assert "Authorization" not in server.seen[0][1]


def test_a_401_without_any_challenge_says_the_command_pulls_anonymously(
    server: Scripted,
) -> None:
    server.answer(MANIFEST, Answer(401))
    with pytest.raises(RegistryError) as err:
        client().manifest(server.address, "team/app", "v1")
    assert str(err.value).startswith(f"{server.address}/team/app asks for credentials")


def test_throttling_without_retry_after_is_retried_too(server: Scripted) -> None:
    server.answer(MANIFEST, Answer(429), ok_manifest())
    assert client(retries=1).manifest(server.address, "team/app", "v1") is not None
    assert server.paths() == [MANIFEST, MANIFEST]
