"""``image find``: an image another CI already built for the exact commit, verified.

For each of the policy's ``image_sources`` in turn: render its tag for the PR and commit, read
the manifest (an index: its ``linux/amd64`` image), read that image's config by digest, check
every byte against its digest, and accept the image only when its revision label is the full
commit (:func:`showtime_iac.core.registry.verify_config`). The first accepted image is the
answer, pinned by the digest of its amd64 manifest, which ``crane copy`` carries unchanged
into ECR. A tag that does not exist moves on to the next source; an image that exists but was
built from another commit, says nothing of its commit, or has no amd64 build is refused
(:class:`~showtime_iac.core.model.ImageMismatchError` or
:class:`~showtime_iac.core.registry.ImageRefusedError`, exit 2), never skipped: a tag that
names this commit and holds something else is a fault someone must see.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from showtime_iac.core.registry import (
    Fetched,
    FoundImage,
    ImageRef,
    ImageSource,
    Index,
    Manifest,
    RegistryError,
    check_digest,
    choose_platform,
    digest_of,
    full_sha,
    parse_manifest,
    verify_config,
)

__all__ = ["CONFIG_LIMIT", "Lookup", "RegistryPort", "find_image", "find_prebuilt"]

#: an image config is a few KiB; one with a long history a few hundred
CONFIG_LIMIT = 8 * 1024 * 1024


class RegistryPort(Protocol):
    """What :func:`find_image` reads (``adapters.registry.RegistryClient``)."""

    def manifest(self, registry: str, repository: str, reference: str) -> Fetched | None: ...

    def blob(self, registry: str, repository: str, digest: str, limit: int) -> bytes: ...


@dataclass(frozen=True)
class Lookup:
    """The answer: the image found (or None) and every tag looked at, in order."""

    pr: int
    sha: str
    found: FoundImage | None
    tried: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        if self.found is not None:
            return {**self.found.to_json(self.pr, self.sha), "tried": list(self.tried)}
        return {
            "pr": self.pr,
            "sha": self.sha,
            "found": False,
            "image": None,
            "tried": list(self.tried),
        }


def _verified(ref: ImageRef, label: str, sha: str, registry: RegistryPort) -> FoundImage | None:
    top = registry.manifest(ref.registry, ref.repository, ref.tag)
    if top is None:
        return None
    what = str(ref)
    doc = parse_manifest(top.body, top.content_type, what)
    index_digest: str | None = None
    if isinstance(doc, Index):
        chosen = choose_platform(doc, what)
        sub = registry.manifest(ref.registry, ref.repository, chosen.digest)
        if sub is None:
            raise RegistryError(f"{what}: its index names {chosen.digest}, which is missing")
        check_digest(sub.body, chosen.digest, what)
        inner = parse_manifest(sub.body, sub.content_type, what)
        if not isinstance(inner, Manifest):
            raise RegistryError(f"{what}: its linux/amd64 entry is an index, not an image")
        index_digest, digest, manifest = digest_of(top.body), chosen.digest, inner
    else:
        digest, manifest = digest_of(top.body), doc
    if manifest.config.size > CONFIG_LIMIT:
        raise RegistryError(f"{what}: an image config of {manifest.config.size} bytes")
    config = registry.blob(ref.registry, ref.repository, manifest.config.digest, CONFIG_LIMIT)
    check_digest(config, manifest.config.digest, what)
    verify_config(config, sha, label, f"{what} ({digest})")
    return FoundImage(str(ref), ref.pinned(digest), digest, index_digest, label)


def find_image(pr: int, sha: str, sources: Sequence[ImageSource], registry: RegistryPort) -> Lookup:
    """The first source whose tag for ``sha`` exists, verified as built from ``sha``."""
    sha = full_sha(sha)
    tried: list[str] = []
    for source in sources:
        ref = source.render(pr, sha)
        tried.append(str(ref))
        found = _verified(ref, source.revision_label, sha, registry)
        if found is not None:
            return Lookup(pr, sha, found, tuple(tried))
    return Lookup(pr, sha, None, tuple(tried))


def find_prebuilt(
    pr: int, sha: str, *, policy_path: Path | None = None, sources: Sequence[str] = ()
) -> Lookup:
    """``image find``: the sources given (``--source``), else the policy's ``image_sources``.
    None configured is an answer, not an error: nowhere to look, nothing found (so the
    workflow may always ask, and builds)."""
    from showtime_iac.app.inputs import load_policy
    from showtime_iac.core.registry import image_sources_from

    sha = full_sha(sha)
    chosen = (
        image_sources_from(list(sources)) if sources else load_policy(policy_path).image_sources
    )
    if not chosen:
        return Lookup(pr, sha, None, ())
    from showtime_iac.app.wiring import open_registry

    return find_image(pr, sha, chosen, open_registry())
