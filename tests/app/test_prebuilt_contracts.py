"""``image find``'s verification, message by message (issue 29), against a real OCI registry
(crane's), with manifests written by hand where crane would not write them (no ``mediaType``,
an index as the amd64 entry, a config at the size limit) and the bearer-token front where the
registry must lie (a tampered manifest, blob or reply)."""

from __future__ import annotations

import hashlib
import http.client
import json
from typing import Any

import pytest

from showtime_iac.app.prebuilt import find_image
from showtime_iac.app.wiring import open_registry
from showtime_iac.core.model import ShowtimeError
from showtime_iac.core.registry import REVISION_LABEL, image_sources_from
from tests.registry_server import Images, TokenFront

pytestmark = pytest.mark.registry

SHA = "4f1e2d3c4b5a69788796a5b4c3d2e1f0a1b2c3d4"
OTHER = "0123456789abcdef0123456789abcdef01234567"
PR = 1234
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
LIMIT = 8 * 1024 * 1024


def sha256(body: bytes) -> str:
    return "sha256:" + hashlib.sha256(body).hexdigest()


class Writer:
    """Blobs and manifests written straight to the registry's HTTP API."""

    def __init__(self, registry: str, repo: str) -> None:
        self.registry, self.repo = registry, repo

    def _call(self, method: str, path: str, body: bytes = b"", ctype: str = "") -> Any:
        conn = http.client.HTTPConnection(self.registry, timeout=30)
        headers = {"Content-Type": ctype} if ctype else {}
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        resp.read()
        assert resp.status < 300, (method, path, resp.status)
        return resp

    def blob(self, body: bytes) -> dict[str, Any]:
        loc = self._call("POST", f"/v2/{self.repo}/blobs/uploads/").getheader("Location")
        sep = "&" if "?" in loc else "?"
        path = loc.split(self.registry, 1)[-1]
        self._call("PUT", f"{path}{sep}digest={sha256(body)}", body, "application/octet-stream")
        return {
            "mediaType": "application/vnd.oci.image.config.v1+json",
            "digest": sha256(body),
            "size": len(body),
        }

    def manifest(self, ref: str, doc: dict[str, Any], ctype: str = OCI_MANIFEST) -> str:
        body = json.dumps(doc).encode()
        self._call("PUT", f"/v2/{self.repo}/manifests/{ref}", body, ctype)
        return sha256(body)

    def delete(self, digest: str) -> None:
        self._call("DELETE", f"/v2/{self.repo}/manifests/{digest}")


def config(sha: str, size: int | None = None) -> bytes:
    doc = {"architecture": "amd64", "os": "linux", "config": {"Labels": {REVISION_LABEL: sha}}}
    body = json.dumps(doc).encode()
    if size is not None:  # padded with spaces after the JSON to exactly ``size`` bytes
        body += b" " * (size - len(body))
    return body


def image(cfg: dict[str, Any], media: bool = True) -> dict[str, Any]:
    doc: dict[str, Any] = {"schemaVersion": 2, "config": cfg, "layers": []}
    return {"mediaType": OCI_MANIFEST, **doc} if media else doc


def amd64(digest: str, size: int, media: str = OCI_MANIFEST) -> dict[str, Any]:
    return {
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": [
            {
                "mediaType": media,
                "digest": digest,
                "size": size,
                "platform": {"architecture": "amd64", "os": "linux"},
            }
        ],
    }


def find(registry: str, repo: str, tag: str = "{sha}") -> Any:
    sources = image_sources_from([f"{registry}/{repo}:{tag}"])
    return find_image(PR, SHA, sources, open_registry())


def refusal(registry: str, repo: str, tag: str = "{sha}") -> str:
    with pytest.raises(ShowtimeError) as err:
        find(registry, repo, tag)
    return str(err.value)


# -- found ---------------------------------------------------------------------------------


def test_a_manifest_without_a_media_type_is_read_by_its_content_type(images: Images) -> None:
    repo = images.repo()
    w = Writer(images.registry, repo)
    plain = image(w.blob(config(SHA)), media=False)
    digest = w.manifest(f"{SHA}-plain", plain)
    got = find(images.registry, repo, "{sha}-plain").found
    assert (got.digest, got.index_digest) == (digest, None)
    # the same manifest as an index's amd64 image
    body = json.dumps(plain).encode()
    index = w.manifest(SHA, amd64(digest, len(body)), OCI_INDEX)
    got = find(images.registry, repo).found
    assert (got.digest, got.index_digest) == (digest, index)


def test_a_config_of_exactly_the_limit_is_read_one_byte_more_is_refused(images: Images) -> None:
    repo = images.repo()
    w = Writer(images.registry, repo)
    digest = w.manifest(SHA, image(w.blob(config(SHA, LIMIT))))
    assert find(images.registry, repo).found.digest == digest
    big = image({**w.blob(b"{}"), "size": LIMIT + 1})
    w.manifest(f"{SHA}-big", big)
    assert refusal(images.registry, repo, "{sha}-big") == (
        f"{images.registry}/{repo}:{SHA}-big: an image config of 8388609 bytes"
    )


# -- refused, each message whole ----------------------------------------------------------


def test_an_image_of_another_commit(images: Images) -> None:
    repo = images.repo()
    digest = images.push(repo, SHA, labels={REVISION_LABEL: OTHER})
    assert refusal(images.registry, repo) == (
        f"{images.registry}/{repo}:{SHA} ({digest}) was built from '{OTHER}' "
        f"(its org.opencontainers.image.revision label), not from {SHA}: refused"
    )


def test_an_index_without_an_amd64_image(images: Images) -> None:
    repo = images.repo()
    images.push(repo, "arm", labels={REVISION_LABEL: SHA}, platform="linux/arm64")
    images.index(repo, SHA, ["arm"])
    assert refusal(images.registry, repo) == (
        f"{images.registry}/{repo}:{SHA} has no linux/amd64 image (it has: linux/arm64); "
        "Fargate runs X86_64 here: refused"
    )


def test_an_index_whose_amd64_image_is_gone(images: Images) -> None:
    repo = images.repo()
    amd = images.push(repo, "amd", labels={REVISION_LABEL: SHA})
    images.index(repo, SHA, ["amd"])
    Writer(images.registry, repo).delete(amd)
    assert refusal(images.registry, repo) == (
        f"{images.registry}/{repo}:{SHA}: its index names {amd}, which is missing"
    )


def test_an_index_whose_amd64_entry_is_an_index(images: Images) -> None:
    repo = images.repo()
    w = Writer(images.registry, repo)
    inner = amd64(w.manifest("inner", image(w.blob(config(SHA)))), 1)
    inner_digest = w.manifest("inner-index", inner, OCI_INDEX)
    w.manifest(SHA, amd64(inner_digest, len(json.dumps(inner).encode())), OCI_INDEX)
    assert refusal(images.registry, repo) == (
        f"{images.registry}/{repo}:{SHA}: its linux/amd64 entry is an index, not an image"
    )


def test_an_index_whose_amd64_entry_is_not_a_manifest(images: Images) -> None:
    repo = images.repo()
    w = Writer(images.registry, repo)
    junk = {"schemaVersion": 2, "mediaType": "application/vnd.example+json"}
    digest = w.manifest("junk", junk, "application/vnd.example+json")
    w.manifest(SHA, amd64(digest, len(json.dumps(junk).encode())), OCI_INDEX)
    assert refusal(images.registry, repo) == (
        f"{images.registry}/{repo}:{SHA}: 'application/vnd.example+json' is not an image "
        "manifest or index"
    )


def test_a_tag_whose_manifest_is_not_json(images: Images, token_registry: TokenFront) -> None:
    repo = images.repo()
    images.push(repo, SHA, labels={REVISION_LABEL: SHA})
    token_registry.tamper = lambda body: b"[]" if b'"layers"' in body else body
    assert refusal(token_registry.address, repo) == (
        f"{token_registry.address}/{repo}:{SHA}: the manifest is not a JSON object"
    )


def tampered(body: bytes) -> bytes:
    return body + b" "


def test_an_amd64_image_that_is_not_the_one_its_index_names(
    images: Images, token_registry: TokenFront
) -> None:
    repo = images.repo()
    amd = images.push(repo, "amd", labels={REVISION_LABEL: SHA})
    images.index(repo, SHA, ["amd"])
    sent = sha256(
        tampered(images.run_crane("manifest", f"{images.registry}/{repo}@{amd}").encode())
    )
    token_registry.tamper = lambda body: tampered(body) if b'"layers"' in body else body
    assert refusal(token_registry.address, repo) == (
        f"{token_registry.address}/{repo}:{SHA}: the registry sent content of {sent}, not {amd}"
    )


def test_a_config_that_is_not_the_one_its_manifest_names(
    images: Images, token_registry: TokenFront
) -> None:
    repo = images.repo()
    images.push(repo, SHA, labels={REVISION_LABEL: OTHER})
    ref = f"{images.registry}/{repo}:{SHA}"
    named = json.loads(images.run_crane("manifest", ref))["config"]["digest"]
    sent = sha256(images.run_crane("config", ref).encode().replace(OTHER.encode(), SHA.encode()))
    token_registry.tamper = lambda body: body.replace(OTHER.encode(), SHA.encode())
    assert refusal(token_registry.address, repo) == (
        f"{token_registry.address}/{repo}:{SHA}: the registry sent content of {sent}, not {named}"
    )
