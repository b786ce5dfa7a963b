"""The registry client against a real OCI registry (crane's), plain and behind the bearer-token
dance of ghcr.io and Docker Hub."""

from __future__ import annotations

import hashlib
import json

import pytest

from showtime_iac.adapters.registry import RegistryClient
from showtime_iac.core.registry import RegistryError
from tests.registry_server import Images, TokenFront

pytestmark = pytest.mark.registry


def _client() -> RegistryClient:
    return RegistryClient(timeout=5, retries=2, backoff=0)


def test_manifests_and_blobs_are_read_as_the_registry_stores_them(images: Images) -> None:
    repo = images.repo()
    digest = images.push(repo, "v1", labels={"a": "b"})
    reg = _client()
    got = reg.manifest(images.registry, repo, "v1")
    assert got is not None
    assert "sha256:" + hashlib.sha256(got.body).hexdigest() == digest
    assert got.content_type == "application/vnd.oci.image.manifest.v1+json"
    config = json.loads(got.body)["config"]
    blob = reg.blob(images.registry, repo, config["digest"], 1 << 20)
    assert json.loads(blob)["config"]["Labels"] == {"a": "b"}
    by_digest = reg.manifest(images.registry, repo, digest)
    assert by_digest is not None and by_digest.body == got.body


def test_a_missing_tag_is_none_and_a_missing_blob_an_error(images: Images) -> None:
    repo = images.repo()
    images.push(repo, "v1")
    reg = _client()
    assert reg.manifest(images.registry, repo, "nope") is None
    assert reg.manifest(images.registry, images.repo(), "v1") is None
    with pytest.raises(RegistryError, match="has no blob"):
        reg.blob(images.registry, repo, "sha256:" + "0" * 64, 1024)


def test_a_body_over_the_limit_is_refused(images: Images) -> None:
    repo = images.repo()
    images.push(repo, "v1")
    reg = _client()
    got = reg.manifest(images.registry, repo, "v1")
    assert got is not None
    config = json.loads(got.body)["config"]
    with pytest.raises(RegistryError, match="over the limit of 10"):
        reg.blob(images.registry, repo, config["digest"], 10)


def test_the_token_dance_gets_an_anonymous_pull_token(
    images: Images, token_registry: TokenFront
) -> None:
    repo = images.repo()
    digest = images.push(repo, "v1")
    reg = _client()
    got = reg.manifest(token_registry.address, repo, "v1")
    assert got is not None and "sha256:" + hashlib.sha256(got.body).hexdigest() == digest
    paths = [p for p, _ in token_registry.seen]
    assert paths == [f"/v2/{repo}/manifests/v1", "/token", f"/v2/{repo}/manifests/v1"]
    assert token_registry.seen[1][1] is None  # no credentials: anonymous
    (token,) = token_registry.tokens
    assert token_registry.tokens[token] == repo
    assert token_registry.seen[2][1] == f"Bearer {token}"
    # the token is kept for the repository: the next read needs no new one
    reg.manifest(token_registry.address, repo, digest)
    assert [p for p, _ in token_registry.seen].count("/token") == 1


def test_the_token_never_follows_a_redirect_to_another_host(
    images: Images, token_registry: TokenFront
) -> None:
    repo = images.repo()
    images.push(repo, "v1", labels={"k": "v"})
    token_registry.redirect_blobs = True
    reg = _client()
    got = reg.manifest(token_registry.address, repo, "v1")
    assert got is not None
    config = json.loads(got.body)["config"]["digest"]
    blob = reg.blob(token_registry.address, repo, config, 1 << 20)
    assert json.loads(blob)["config"]["Labels"] == {"k": "v"}
    blob_reads = [(p, a) for p, a in token_registry.seen if config in p]
    assert blob_reads[0][0].startswith("/v2/") and blob_reads[0][1] is not None
    assert blob_reads[1] == (f"/cdn/{repo}/blobs/{config}", None)


def test_a_private_repository_fails_with_a_clear_message(
    images: Images, token_registry: TokenFront
) -> None:
    repo = images.repo()
    images.push(repo, "v1")
    token_registry.private.add(repo)
    with pytest.raises(RegistryError, match=r"no anonymous pull token .* private or does not"):
        _client().manifest(token_registry.address, repo, "v1")


def test_an_unreachable_registry_is_a_registry_error() -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(RegistryError, match=f"cannot reach 127.0.0.1:{port}/a"):
        _client().manifest(f"127.0.0.1:{port}", "a", "v1")


def test_a_registry_having_a_bad_minute_is_retried_then_reported(
    images: Images, token_registry: TokenFront
) -> None:
    repo = images.repo()
    images.push(repo, "v1")
    token_registry.unavailable = 2
    assert _client().manifest(token_registry.address, repo, "v1") is not None  # 2 retries
    token_registry.unavailable = 10
    with pytest.raises(RegistryError, match=r"answered HTTP 503 .*: UNAVAILABLE"):
        RegistryClient(timeout=5, retries=2, backoff=0).manifest(token_registry.address, repo, "v1")


def test_a_redirect_to_a_scheme_other_than_http_is_refused_and_names_it(
    images: Images, token_registry: TokenFront
) -> None:
    """Redirects are followed by hand (``_fetch``): only to http(s), never from https to http,
    and the refusal names where it was sent."""
    repo = images.repo()
    images.push(repo, "v1")
    token_registry.redirect_manifests_to = "file:///etc/passwd"
    with pytest.raises(
        RegistryError,
        match=f"^{token_registry.address}/{repo}: refused a redirect to 'file:///etc/passwd'$",
    ):
        _client().manifest(token_registry.address, repo, "v1")


def test_five_redirects_are_followed_and_a_sixth_is_refused(
    images: Images, token_registry: TokenFront
) -> None:
    repo = images.repo()
    images.push(repo, "v1")
    token_registry.manifest_hops = 5
    assert _client().manifest(token_registry.address, repo, "v1") is not None
    hops = [p for p, _ in token_registry.seen if p == f"/v2/{repo}/manifests/v1"]
    assert len(hops) == 1 + 1 + 5  # the challenge, the authorised read, its five redirects
    token_registry.manifest_hops = 6
    with pytest.raises(RegistryError, match=r": more than 5 redirects$"):
        _client().manifest(token_registry.address, repo, "v1")


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_every_redirect_status_is_followed(
    images: Images, token_registry: TokenFront, status: int
) -> None:
    repo = images.repo()
    images.push(repo, "v1")
    token_registry.manifest_hops, token_registry.hop_status = 1, status
    assert _client().manifest(token_registry.address, repo, "v1") is not None
    assert [p for p, _ in token_registry.seen if p == f"/v2/{repo}/manifests/v1"] == [
        f"/v2/{repo}/manifests/v1"
    ] * 3  # the challenge, the authorised read answered with the redirect, the one followed
