"""A real OCI registry for tests (pytest plugin, registered in conftest.py): go-containerregistry's
``crane registry serve``, and test images built with ``crane`` itself (no Docker).

- ``crane`` (session): the ``crane`` binary on PATH (``PATH="$(bash .ci/install-crane | tail
  -n1):$PATH"``); tests that use it are skipped where it is missing (marker ``registry``;
  ``SHOWTIME_REQUIRE=registry`` turns the skip into a failure).
- ``oci_registry`` (session): a running registry, as ``127.0.0.1:PORT``, in memory.
- ``images`` (function): :class:`Images`, which pushes labelled single- and multi-platform
  images to fresh repositories of that registry.
- ``token_registry`` (function): :class:`TokenFront`, the same registry behind the bearer-token
  dance of ghcr.io and Docker Hub (401 + ``WWW-Authenticate: Bearer realm=…``, an anonymous
  token per repository and scope), with a switch that sends blobs through a redirect to
  another host (a CDN) and a record of every request and its ``Authorization``.
"""

from __future__ import annotations

import http.client
import json
import secrets
import shutil
import subprocess
import tarfile
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.serving import serve

__all__ = ["Images", "TokenFront", "crane", "images", "oci_registry", "token_registry"]


@pytest.fixture(scope="session")
def crane() -> str:
    path = shutil.which("crane")
    if path is None:
        pytest.skip('crane not on PATH: PATH="$(bash .ci/install-crane | tail -n1):$PATH"')
    return path


@pytest.fixture(scope="session")
def oci_registry(crane: str) -> Iterator[str]:
    proc = subprocess.Popen(
        [crane, "registry", "serve", "--address", "127.0.0.1:0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    line = proc.stderr.readline()  # "2026/01/01 00:00:00 serving on port 36011"
    if "serving on port" not in line:
        proc.kill()
        raise RuntimeError(f"crane registry serve did not start: {line!r}")
    port = int(line.rsplit(" ", 1)[1])
    # keep draining its log (one line per request) so it never blocks on a full pipe
    threading.Thread(target=proc.stderr.read, daemon=True).start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@dataclass
class Images:
    """Builds test images in ``registry`` with crane: an empty base, one small layer, then
    ``crane mutate`` for the platform and labels."""

    crane: str
    registry: str
    layer: Path

    def run_crane(self, *args: str) -> str:
        run = subprocess.run(
            [self.crane, *args], capture_output=True, text=True, timeout=60, check=False
        )
        if run.returncode:
            raise RuntimeError(f"crane {' '.join(args)}: {run.stderr.strip()}")
        return run.stdout.strip()

    def repo(self) -> str:
        """A fresh repository, so tests never see each other's tags."""
        return f"test/{uuid.uuid4().hex[:12]}"

    def push(
        self,
        repo: str,
        tag: str,
        *,
        labels: dict[str, str] | None = None,
        platform: str = "linux/amd64",
        oci: bool = True,
    ) -> str:
        """Push an image to ``repo:tag``; returns its manifest digest."""
        ref = f"{self.registry}/{repo}:{tag}"
        base = ["--oci-empty-base"] if oci else []
        self.run_crane("append", "-f", str(self.layer), "-t", ref, *base)
        args = ["mutate", ref, "--set-platform", platform, "-t", ref]
        for key, value in (labels or {}).items():
            args += ["-l", f"{key}={value}"]
        self.run_crane(*args)
        return self.digest(ref)

    def index(self, repo: str, tag: str, members: list[str]) -> str:
        """An index of ``members`` (tags of ``repo``) at ``repo:tag``; returns its digest."""
        ref = f"{self.registry}/{repo}:{tag}"
        args = ["index", "append", "-t", ref]
        for m in members:
            args += ["-m", f"{self.registry}/{repo}:{m}"]
        self.run_crane(*args)
        return self.digest(ref)

    def digest(self, ref: str) -> str:
        return self.run_crane("digest", ref)

    def copy(self, src: str, dst: str) -> None:
        self.run_crane("copy", src, dst)


@pytest.fixture(scope="session")
def _layer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("layer")
    (root / "hello.txt").write_text("a layer of a test image\n")
    tar = root / "layer.tar"
    with tarfile.open(tar, "w") as t:
        t.add(root / "hello.txt", arcname="hello.txt")
    return tar


@pytest.fixture
def images(crane: str, oci_registry: str, _layer: Path) -> Images:
    return Images(crane, oci_registry, _layer)


@dataclass
class TokenFront:
    """What the token-protected front saw and does."""

    address: str = ""  # 127.0.0.1:PORT, the registry host tests name
    service: str = "test-registry"
    #: repositories the token service refuses (as a private repository is to anonymous pulls)
    private: set[str] = field(default_factory=set)
    #: send blob reads through a 307 to another origin (localhost:PORT instead of 127.0.0.1)
    redirect_blobs: bool = False
    #: answer this many requests with 503 first (a registry having a bad minute)
    unavailable: int = 0
    #: send each authorised manifest read to this Location instead (a hostile registry)
    redirect_manifests_to: str | None = None
    #: send each authorised manifest read through this many redirects to itself first
    manifest_hops: int = 0
    #: the status of those redirects
    hop_status: int = 307
    #: rewrite every body the front passes on (a lying mirror, or a man in the middle)
    tamper: Callable[[bytes], bytes] | None = None
    tokens: dict[str, str] = field(default_factory=dict)  # token -> repository
    #: (path, Authorization header or None) of every request, in order
    seen: list[tuple[str, str | None]] = field(default_factory=list)


def _front_handler(front: TokenFront, backend: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def _send(self, status: int, headers: dict[str, str], body: bytes = b"") -> None:
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _proxy(self, path: str) -> None:
            conn = http.client.HTTPConnection(backend, timeout=10)
            conn.request("GET", path, headers={"Accept": self.headers.get("Accept", "*/*")})
            resp = conn.getresponse()
            body = resp.read()
            if front.tamper is not None:
                body = front.tamper(body)
            keep = ("Content-Type", "Docker-Content-Digest")
            self._send(resp.status, {k: v for k, v in resp.getheaders() if k in keep}, body)
            conn.close()

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            auth = self.headers.get("Authorization")
            front.seen.append((url.path, auth))
            if front.unavailable > 0:
                front.unavailable -= 1
                self._send(
                    503,
                    {"Content-Type": "application/json"},
                    b'{"errors":[{"code":"UNAVAILABLE","message":"try later"}]}',
                )
                return
            if url.path == "/token":
                q = parse_qs(url.query)
                scope = q.get("scope", [""])[0]
                repo = scope.removeprefix("repository:").removesuffix(":pull")
                if q.get("service") != [front.service] or not scope.endswith(":pull"):
                    self._send(400, {})
                elif repo in front.private:
                    self._send(401, {"Content-Type": "application/json"}, b'{"errors": []}')
                else:
                    token = secrets.token_urlsafe(16)
                    front.tokens[token] = repo
                    self._send(
                        200,
                        {"Content-Type": "application/json"},
                        json.dumps({"token": token}).encode(),
                    )
                return
            if url.path.startswith("/cdn/"):  # the "CDN": no token needed, none expected
                self._proxy("/v2/" + url.path.removeprefix("/cdn/"))
                return
            parts = url.path.split("/")  # /v2/<repo...>/(manifests|blobs)/<ref>
            repo = "/".join(parts[2:-2])
            if (
                url.path == "/v2/"
                or not auth
                or front.tokens.get(auth.removeprefix("Bearer ")) != repo
            ):
                realm = f"http://{front.address}/token"
                challenge = (
                    f'Bearer realm="{realm}",service="{front.service}",'
                    f'scope="repository:{repo}:pull"'
                )
                body = b'{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}'
                self._send(
                    401, {"WWW-Authenticate": challenge, "Content-Type": "application/json"}, body
                )
                return
            if parts[-2] == "manifests" and front.redirect_manifests_to is not None:
                self._send(307, {"Location": front.redirect_manifests_to})
                return
            hop = int(parse_qs(url.query).get("hop", ["0"])[0])
            if parts[-2] == "manifests" and hop < front.manifest_hops:
                self._send(front.hop_status, {"Location": f"{url.path}?hop={hop + 1}"})
                return
            if front.redirect_blobs and parts[-2] == "blobs":
                port = front.address.rsplit(":", 1)[1]
                cdn = f"http://localhost:{port}/cdn/{repo}/blobs/{parts[-1]}"
                self._send(307, {"Location": cdn})
                return
            self._proxy(url.path)

    return Handler


@pytest.fixture
def token_registry(oci_registry: str) -> Iterator[TokenFront]:
    front = TokenFront()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _front_handler(front, oci_registry))
    front.address = f"127.0.0.1:{server.server_address[1]}"
    serve(server)
    try:
        yield front
    finally:
        server.shutdown()
        server.server_close()
