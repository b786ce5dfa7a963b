"""The registry client over TLS, against a real local HTTPS server (a certificate authority made
for the test and trusted through ``SSL_CERT_FILE``, as OpenSSL reads it): a redirect from https
to plain http is refused before anything is sent there, and one that stays on https is followed.

A downgrade would let a network attacker between the redirect and its target read the request
or answer with a manifest of its own. Each test was checked by changing the refusal and
watching it fail (issue 29)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from showtime_iac.adapters.registry import RegistryClient
from showtime_iac.core.registry import RegistryError
from tests.adapters.registry.test_client_answers import (
    MANIFEST,
    Answer,
    Scripted,
    _handler,
    ok_manifest,
)
from tests.serving import serve


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _certificates(directory: Path) -> tuple[Path, Path, Path]:
    """(the authority's certificate, the server's certificate, its key) for 127.0.0.1."""
    now = dt.datetime.now(dt.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("showtime-iac test authority"))
        .issuer_name(_name("showtime-iac test authority"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    leaf = (
        x509.CertificateBuilder()
        .subject_name(_name("127.0.0.1"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = directory / "ca.pem", directory / "server.pem", directory / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


def _serve(script: Scripted, context: ssl.SSLContext | None) -> ThreadingHTTPServer:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(script))
    if context is not None:
        httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    script.address = f"127.0.0.1:{httpd.server_address[1]}"
    serve(httpd)
    return httpd


@pytest.fixture
def servers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Scripted, Scripted]]:
    """(an HTTPS registry the client trusts, a plain-HTTP server a redirect could point at)."""
    ca, cert, key = _certificates(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(ca))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    tls, plain = Scripted(), Scripted()
    running = [_serve(tls, context), _serve(plain, None)]
    try:
        yield tls, plain
    finally:
        for httpd in running:
            httpd.shutdown()
            httpd.server_close()


def _client() -> RegistryClient:
    return RegistryClient(timeout=5, retries=0, backoff=0, base_url=lambda r: f"https://{r}")


def test_the_test_registry_is_reached_over_verified_tls(servers: tuple[Scripted, Scripted]) -> None:
    """The premise of the tests below: the client speaks TLS to the registry and trusts it."""
    tls, _plain = servers
    tls.answer(MANIFEST, ok_manifest(b'{"ok": 1}'))
    got = _client().manifest(tls.address, "team/app", "v1")
    assert got is not None and got.body == b'{"ok": 1}'
    assert tls.paths() == [MANIFEST]


def test_a_redirect_from_https_to_http_is_refused_and_nothing_goes_there(
    servers: tuple[Scripted, Scripted],
) -> None:
    tls, plain = servers
    target = f"http://{plain.address}/elsewhere"
    tls.answer(MANIFEST, Answer(307, {"Location": target}))
    plain.answer("/elsewhere", ok_manifest(b'{"forged": 1}'))
    with pytest.raises(RegistryError) as err:
        _client().manifest(tls.address, "team/app", "v1")
    assert str(err.value) == f"{tls.address}/team/app: refused a redirect to {target!r}"
    assert plain.seen == []


def test_a_redirect_that_stays_on_https_is_followed(servers: tuple[Scripted, Scripted]) -> None:
    tls, plain = servers
    tls.answer(MANIFEST, Answer(307, {"Location": f"https://{tls.address}/moved"}))
    tls.answer("/moved", ok_manifest(b'{"moved": 1}'))
    got = _client().manifest(tls.address, "team/app", "v1")
    assert got is not None and got.body == b'{"moved": 1}'
    assert tls.paths() == [MANIFEST, "/moved"]
    assert plain.seen == []
