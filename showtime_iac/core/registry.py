"""Reusing an image that another CI already built for the exact commit: the pure decisions.

The policy's ``image_sources`` name where to look, as image references whose tag is a
template (``docker.io/apache/superset:{sha}-ci``). This module parses and renders them, reads
a registry's bearer-token challenge, picks the ``linux/amd64`` manifest of a multi-platform
index, checks every blob against its digest, and decides whether an image may be bound to a
commit: only when the revision label in its config (``org.opencontainers.image.revision``
unless the source names another) is that exact 40-hex commit. The HTTP lives in
``adapters/registry``; nothing here reads the network.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from showtime_iac.core.model import ImageMismatchError
from showtime_iac.errors import InputError, ShowtimeError, shown

__all__ = [
    "ACCEPT_MANIFESTS",
    "FULL_SHA_RE",
    "INDEX_TYPES",
    "MANIFEST_TYPES",
    "PLATFORM",
    "REVISION_LABEL",
    "BearerChallenge",
    "Descriptor",
    "Fetched",
    "FoundImage",
    "ImageRef",
    "ImageRefusedError",
    "ImageSource",
    "Index",
    "Manifest",
    "RegistryError",
    "check_digest",
    "choose_platform",
    "digest_of",
    "full_sha",
    "image_sources_from",
    "parse_bearer_challenge",
    "parse_image_source",
    "parse_manifest",
    "registry_base_url",
    "token_query",
    "verify_config",
]

#: the label that says which commit an image was built from (OCI image spec, annotations.md)
REVISION_LABEL = "org.opencontainers.image.revision"
#: what a Fargate task with ``cpuArchitecture = X86_64`` runs
PLATFORM = ("linux", "amd64")
FULL_SHA_RE = re.compile(r"^[0-9a-f]{40}$")

INDEX_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
)
MANIFEST_TYPES = (
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
)
ACCEPT_MANIFESTS = ", ".join(INDEX_TYPES + MANIFEST_TYPES)

# the distribution reference grammar (github.com/distribution/reference), without digests
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REPO_RE = re.compile(rf"^{_COMPONENT}(?:/{_COMPONENT})*$")
_LABEL = r"(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])"
_HOST_RE = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*(?::[0-9]{{1,5}})?$")
_TAG_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_PLACEHOLDER_RE = re.compile(r"\{([^{}]*)\}")
_PLACEHOLDERS = ("sha", "sha7", "pr")
_LABEL_KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$")
_DIGEST_RE = re.compile(r"^sha256:[0-9a-f]{64}$")
_DOCKER_HUB = "docker.io"
_LOCAL_HOSTS = ("localhost", "127.0.0.1")


class RegistryError(ShowtimeError):
    """The registry failed or answered something no registry should: exit 1 (retry later,
    or build from source)."""


class ImageRefusedError(InputError):
    """An image exists for the commit but may not run here (e.g. no linux/amd64): exit 2."""


def full_sha(sha: str) -> str:
    """A full 40-hex commit, lower case: a revision label names the whole commit, and
    ``{sha}`` renders it, so a prefix cannot be compared or rendered."""
    s = sha.strip().lower()
    if not FULL_SHA_RE.match(s):
        raise InputError(f"invalid commit {shown(sha, 60)}: expected the full 40-hex SHA")
    return s


@dataclass(frozen=True)
class ImageRef:
    """One tag in one repository of one registry (``docker.io`` as the reference says it)."""

    registry: str
    repository: str
    tag: str

    def __str__(self) -> str:
        return f"{self.registry}/{self.repository}:{self.tag}"

    def pinned(self, digest: str) -> str:
        """``registry/repository@sha256:…``: the reference no later push can change."""
        return f"{self.registry}/{self.repository}@{digest}"


@dataclass(frozen=True)
class ImageSource:
    """Where an image of a commit may already exist: a tag template and its revision label."""

    registry: str
    repository: str
    tag_template: str
    revision_label: str = REVISION_LABEL

    def __str__(self) -> str:
        return f"{self.registry}/{self.repository}:{self.tag_template}"

    def render(self, pr: int, sha: str) -> ImageRef:
        """The tag this source gives commit ``sha`` (full 40 hex) of PR ``pr``."""
        sha = full_sha(sha)
        if isinstance(pr, bool) or not isinstance(pr, int) or not 0 <= pr <= 9_999_999_999:
            raise InputError(f"invalid PR number {pr!r}")
        values = {"sha": sha, "sha7": sha[:7], "pr": str(pr)}
        tag = _PLACEHOLDER_RE.sub(lambda m: values[m.group(1)], self.tag_template)
        return ImageRef(self.registry, self.repository, tag)


def _split_registry(name: str) -> tuple[str, str]:
    """``ghcr.io/apache/superset`` → (ghcr.io, apache/superset); a first part without a dot
    or a port that is not ``localhost`` is a Docker Hub path, as ``docker pull`` reads it."""
    first, sep, rest = name.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        registry, path = first.lower(), rest
    else:
        registry, path = _DOCKER_HUB, name
    if registry in ("index.docker.io", "registry-1.docker.io"):
        registry = _DOCKER_HUB
    if registry == _DOCKER_HUB and "/" not in path:
        path = f"library/{path}"  # the official images
    return registry, path


def parse_image_source(text: str, revision_label: str = REVISION_LABEL) -> ImageSource:
    """``[registry/]repository:tag-template``; the template names the commit with ``{sha}``
    (40 hex) or ``{sha7}``, and may use ``{pr}``. Every error names the key."""
    key = "policy image_sources"
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"{key}: each source is an image reference such as 'ghcr.io/o/r:{{sha}}'")
    if "@" in text or "://" in text:
        raise InputError(
            f"{key} {shown(text)}: give registry/repository:tag-template, no scheme or digest"
        )
    slash = text.rfind("/")
    colon = text.rfind(":")
    if colon <= slash:
        raise InputError(f"{key} {shown(text)}: the tag is missing (e.g. ':{{sha}}-ci')")
    name, template = text[:colon], text[colon + 1 :]
    registry, repository = _split_registry(name)
    if not _HOST_RE.match(registry):
        raise InputError(f"{key} {shown(text)}: {shown(registry)} is not a registry host")
    if len(repository) > 255 or not _REPO_RE.match(repository):
        raise InputError(
            f"{key} {shown(text)}: {shown(repository)} is not a repository name "
            "(lower-case letters, digits and . _ - separated by /)"
        )
    used = _PLACEHOLDER_RE.findall(template)
    unknown = [p for p in used if p not in _PLACEHOLDERS]
    if unknown:
        raise InputError(
            f"{key} {shown(text)}: unknown placeholder {{{unknown[0][:20]}}}; use "
            "{sha}, {sha7} or {pr}"
        )
    if "sha" not in used and "sha7" not in used:
        raise InputError(
            f"{key} {shown(text)}: the tag must name the commit with {{sha}} or {{sha7}}"
        )
    widest = _PLACEHOLDER_RE.sub(
        lambda m: {"sha": "f" * 40, "sha7": "f" * 7}.get(m.group(1), "9" * 10), template
    )
    if not _TAG_RE.match(widest):
        raise InputError(
            f"{key} {shown(text)}: the tag it renders is not a valid tag (letters, digits, "
            "_ . -, at most 128 characters, not starting with . or -)"
        )
    if not isinstance(revision_label, str) or not _LABEL_KEY_RE.match(revision_label):
        raise InputError(
            f"{key} {shown(text)}: revision_label {shown(revision_label)} is not a label key"
        )
    return ImageSource(registry, repository, template, revision_label)


def image_sources_from(value: Any) -> tuple[ImageSource, ...]:
    """The policy's ``image_sources``: a list of references, or of tables
    ``{image = "...", revision_label = "..."}``, tried in order."""
    if not isinstance(value, list) or len(value) > 10:
        raise InputError("policy image_sources must be a list of at most 10 image references")
    out: list[ImageSource] = []
    for item in value:
        if isinstance(item, Mapping):
            extra = sorted(set(item) - {"image", "revision_label"})
            if extra:
                raise InputError(
                    f"policy image_sources: unknown key {shown(extra[0], 30)} "
                    "(known: image, revision_label)"
                )
            out.append(
                parse_image_source(
                    item.get("image", ""), item.get("revision_label", REVISION_LABEL)
                )
            )
        else:
            out.append(parse_image_source(item))
    return tuple(out)


def registry_base_url(registry: str) -> str:
    """Where the distribution API of ``registry`` answers. Docker Hub serves it at
    ``registry-1.docker.io``; ``localhost``/``127.0.0.1`` speak plain HTTP (as ``docker`` and
    ``crane`` assume); every other registry HTTPS."""
    host = registry.rsplit(":", 1)[0] if registry.count(":") == 1 else registry
    if registry == _DOCKER_HUB:
        return "https://registry-1.docker.io"
    if host in _LOCAL_HOSTS:
        return f"http://{registry}"
    return f"https://{registry}"


# --- the token dance ------------------------------------------------------------------------


@dataclass(frozen=True)
class BearerChallenge:
    """``WWW-Authenticate: Bearer realm="…",service="…",scope="…"`` (RFC 6750 §3)."""

    realm: str
    service: str | None = None
    scope: str | None = None


_TCHAR = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_PARAM_RE = re.compile(rf'\s*({_TCHAR})\s*=\s*(?:"((?:[^"\\]|\\.)*)"|({_TCHAR}))\s*(,|$)')
_SCHEME_RE = re.compile(rf"\s*({_TCHAR})(?:\s+|$)")


def parse_bearer_challenge(header: str) -> BearerChallenge | None:
    """The Bearer challenge of a ``WWW-Authenticate`` value (which may list several schemes,
    RFC 9110 §11.6.1), or None when it holds none with a realm. Never raises on any text."""
    pos, n = 0, len(header)
    scheme: str | None = None
    params: dict[str, str] = {}
    while pos < n:
        p = _PARAM_RE.match(header, pos)
        if p is not None:  # a parameter: of the current challenge, or (before any) skipped whole
            value = p.group(2) if p.group(2) is not None else p.group(3)
            params.setdefault(p.group(1).lower(), re.sub(r"\\(.)", r"\1", value))
            pos = p.end()
            continue
        m = _SCHEME_RE.match(header, pos)
        if m is not None:  # the next challenge begins
            if scheme == "bearer" and params.get("realm"):
                break
            scheme, params, pos = m.group(1).lower(), {}, m.end()
            continue
        comma = header.find(",", pos)  # something else (a token68): skip it
        if comma < 0:
            break
        pos = comma + 1
    if scheme == "bearer" and params.get("realm"):
        return BearerChallenge(params["realm"], params.get("service"), params.get("scope"))
    return None


def token_query(
    challenge: BearerChallenge, repository: str, base_url: str
) -> tuple[str, dict[str, str]]:
    """The token endpoint and its query for anonymous pull access to ``repository``. A realm
    must be HTTP(S), and HTTPS whenever the registry is (no token over plain text)."""
    realm = challenge.realm
    if not realm.startswith(("https://", "http://")):
        raise RegistryError(f"the registry's token realm {shown(realm)} is not an HTTP(S) URL")
    if base_url.startswith("https://") and not realm.startswith("https://"):
        raise RegistryError(f"the registry's token realm {shown(realm)} is not HTTPS: refused")
    query = {"scope": f"repository:{repository}:pull"}
    if challenge.service:
        query["service"] = challenge.service
    return realm, query


# --- manifests ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fetched:
    """A manifest as the registry sent it: the bytes (their digest is their name) and the
    ``Content-Type``."""

    body: bytes
    content_type: str


@dataclass(frozen=True)
class Descriptor:
    media_type: str
    digest: str
    size: int
    platform: tuple[str, str, str] | None = None  # (os, architecture, variant)
    attestation: bool = False


@dataclass(frozen=True)
class Index:
    manifests: tuple[Descriptor, ...]


@dataclass(frozen=True)
class Manifest:
    config: Descriptor


def digest_of(body: bytes) -> str:
    return "sha256:" + hashlib.sha256(body).hexdigest()


def check_digest(body: bytes, expected: str, what: str) -> None:
    """Content addressing: the bytes are what the digest names, or the registry lied."""
    if not _DIGEST_RE.match(expected):
        raise RegistryError(f"{what}: unsupported digest {shown(expected)} (sha256 only)")
    got = digest_of(body)
    if got != expected:
        raise RegistryError(f"{what}: the registry sent content of {got}, not {expected}")


def _descriptor(d: Any, what: str) -> Descriptor:
    if not isinstance(d, dict):
        raise RegistryError(f"{what}: a descriptor is not an object")
    media, digest, size = d.get("mediaType"), d.get("digest"), d.get("size")
    if not isinstance(media, str) or not isinstance(digest, str) or not _DIGEST_RE.match(digest):
        raise RegistryError(f"{what}: a descriptor without a media type or a sha256 digest")
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise RegistryError(f"{what}: a descriptor without a size")
    plat = d.get("platform")
    platform = None
    if isinstance(plat, dict):
        platform = (
            str(plat.get("os", "")),
            str(plat.get("architecture", "")),
            str(plat.get("variant", "")),
        )
    ann = d.get("annotations")
    attestation = isinstance(ann, dict) and "vnd.docker.reference.type" in ann
    return Descriptor(media, digest, size, platform, attestation)


def parse_manifest(body: bytes, content_type: str, what: str) -> Index | Manifest:
    """An image index (or Docker manifest list), or an image manifest; anything else (a
    schema 1 manifest, an artifact, garbage) is a :class:`RegistryError`."""
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise RegistryError(f"{what}: the manifest is not JSON") from None
    if not isinstance(doc, dict):
        raise RegistryError(f"{what}: the manifest is not a JSON object")
    media = doc.get("mediaType") or content_type.partition(";")[0].strip()
    if media in INDEX_TYPES or (not doc.get("mediaType") and "manifests" in doc):
        entries = doc.get("manifests")
        if not isinstance(entries, list):
            raise RegistryError(f"{what}: an index without a manifests list")
        return Index(tuple(_descriptor(e, what) for e in entries))
    if media in MANIFEST_TYPES or (not doc.get("mediaType") and "config" in doc):
        return Manifest(_descriptor(doc.get("config"), what))
    raise RegistryError(f"{what}: {shown(media, 60)} is not an image manifest or index")


def choose_platform(index: Index, what: str) -> Descriptor:
    """The index's ``linux/amd64`` image (Fargate X86_64); an index without one is refused."""
    images = [
        d
        for d in index.manifests
        if d.media_type in MANIFEST_TYPES and d.platform is not None and not d.attestation
    ]
    for d in images:
        if d.platform is not None and d.platform[:2] == PLATFORM and d.platform[2] in ("", "v1"):
            return d
    seen = sorted({"/".join(p for p in d.platform if p) for d in images if d.platform}) or ["none"]
    raise ImageRefusedError(
        f"{what} has no linux/amd64 image (it has: {', '.join(seen)[:200]}); Fargate runs "
        "X86_64 here: refused"
    )


# --- the verdict ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FoundImage:
    """An image verified as built from ``sha``, pinned by the digest of its amd64 manifest."""

    source: str  # the tag it was found under
    image: str  # registry/repository@sha256:… (what to copy and deploy)
    digest: str
    index_digest: str | None
    revision_label: str

    def to_json(self, pr: int, sha: str) -> dict[str, Any]:
        return {
            "pr": pr,
            "sha": sha,
            "found": True,
            "source": self.source,
            "image": self.image,
            "digest": self.digest,
            "index_digest": self.index_digest,
            "platform": "/".join(PLATFORM),
            "revision_label": self.revision_label,
        }


def verify_config(body: bytes, sha: str, label: str, what: str) -> None:
    """The trust check: the image's config says ``label = sha`` (the full commit) and
    ``linux/amd64``. Another commit, a short or missing label is :class:`ImageMismatchError`."""
    try:
        cfg = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise RegistryError(f"{what}: the image config is not JSON") from None
    if not isinstance(cfg, dict):
        raise RegistryError(f"{what}: the image config is not a JSON object")
    platform = (cfg.get("os"), cfg.get("architecture"))
    if platform != PLATFORM:
        shown_platform = "/".join(str(p) for p in platform if p) or "no platform"
        raise ImageRefusedError(
            f"{what} is built for {shown(shown_platform, 40)}, not linux/amd64 (Fargate"
            " X86_64): refused"
        )
    inner = cfg.get("config")
    labels = inner.get("Labels") if isinstance(inner, dict) else None
    value = labels.get(label) if isinstance(labels, dict) else None
    if value is None:
        raise ImageMismatchError(
            f"{what} has no {label} label, so nothing says which commit it was built from: "
            f"refused for {sha} (build it from source, or label the image)"
        )
    revision = str(value).strip().lower()
    if revision != sha:
        raise ImageMismatchError(
            f"{what} was built from {shown(str(value), 60)} (its {label} label), not from {sha}:"
            " refused"
        )
