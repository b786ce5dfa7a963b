"""The container registry adapter (urllib3): anonymous pulls of manifests and blobs over the
OCI distribution API, with the bearer-token dance of ghcr.io, Docker Hub and their kind.

It only reads, and it never holds a credential: it runs in the workflow's plan job, which has
none. What the bytes mean (which platform, which commit) is decided in
:mod:`showtime_iac.core.registry`; one module here: :mod:`.client`.
"""

from __future__ import annotations

from showtime_iac.adapters.registry.client import MANIFEST_LIMIT, RegistryClient

__all__ = ["MANIFEST_LIMIT", "RegistryClient"]
