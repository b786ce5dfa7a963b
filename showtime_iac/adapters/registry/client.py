"""Anonymous pull access to an OCI distribution registry (urllib3).

Two reads, as the distribution spec names them: ``GET /v2/<name>/manifests/<reference>`` and
``GET /v2/<name>/blobs/<digest>``. A registry that answers 401 with a Bearer challenge gets the
token dance without credentials (``GET <realm>?service=…&scope=repository:<name>:pull``), as
``docker pull`` of a public image on ghcr.io or Docker Hub does; the token is kept per
repository. Redirects (blobs live on a CDN) are followed here, by hand: the token goes only to
the host it was issued for, and never from HTTPS down to HTTP. Every body is read up to a
limit. Reads are retried on connection errors, 429 and 5xx (honouring ``Retry-After``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from showtime_iac.core.registry import (
    ACCEPT_MANIFESTS,
    BearerChallenge,
    Fetched,
    RegistryError,
    parse_bearer_challenge,
    registry_base_url,
    token_query,
)
from showtime_iac.errors import shown

if TYPE_CHECKING:
    import urllib3

__all__ = ["MANIFEST_LIMIT", "TOKEN_LIMIT", "RegistryClient"]

#: the distribution spec's advice: registries should accept manifests of at least 4 MiB
MANIFEST_LIMIT = 4 * 1024 * 1024
TOKEN_LIMIT = 64 * 1024
_REDIRECTS = 5
_TOKEN_RE = re.compile(r"^[\x21-\x7e]{1,8192}$")  # printable ASCII: safe in a header


class RegistryClient:
    """Reads manifests and blobs of public repositories; raises :class:`RegistryError`."""

    def __init__(
        self,
        *,
        timeout: float = 20.0,
        retries: int = 3,
        backoff: float = 0.5,
        base_url: Callable[[str], str] = registry_base_url,
        user_agent: str = "showtime-iac",
    ) -> None:
        self._timeout, self._retries, self._backoff = timeout, retries, backoff
        self._base_url = base_url
        self._user_agent = user_agent
        self._tokens: dict[tuple[str, str], str] = {}
        self._pool: urllib3.PoolManager | None = None

    # --- the two reads ------------------------------------------------------------------

    def manifest(self, registry: str, repository: str, reference: str) -> Fetched | None:
        """The manifest or index under a tag or digest; None when the registry has none."""
        resp = self._get(
            registry, repository, f"manifests/{reference}", {"Accept": ACCEPT_MANIFESTS}
        )
        try:
            if resp.status == 404:
                return None
            self._expect_ok(resp, registry, repository, f"manifest {reference}")
            body = _read(resp, MANIFEST_LIMIT, f"the manifest {registry}/{repository}:{reference}")
            return Fetched(body, resp.headers.get("Content-Type", ""))
        finally:
            resp.release_conn()

    def blob(self, registry: str, repository: str, digest: str, limit: int) -> bytes:
        """A blob (the image config) by digest, at most ``limit`` bytes."""
        resp = self._get(registry, repository, f"blobs/{digest}", {})
        try:
            self._expect_ok(resp, registry, repository, f"blob {digest}")
            return _read(resp, limit, f"the blob {registry}/{repository}@{digest}")
        finally:
            resp.release_conn()

    # --- HTTP ---------------------------------------------------------------------------

    def _http(self) -> urllib3.PoolManager:
        if self._pool is None:
            import urllib3

            self._pool = urllib3.PoolManager(
                timeout=urllib3.Timeout(connect=min(10.0, self._timeout), read=self._timeout),
                retries=urllib3.Retry(
                    total=self._retries,
                    backoff_factor=self._backoff,
                    status_forcelist=(429, 500, 502, 503, 504),
                    allowed_methods=frozenset({"GET"}),
                    respect_retry_after_header=True,
                    raise_on_status=False,
                    redirect=False,  # followed by hand (_fetch): who gets the token is ours
                ),
            )
        return self._pool

    def _fetch(
        self,
        url: str,
        headers: Mapping[str, str],
        what: str,
        fields: Mapping[str, str] | None = None,
    ) -> urllib3.BaseHTTPResponse:
        """GET ``url``, following redirects: ``Authorization`` only to its own origin."""
        import urllib3

        origin = urlsplit(url)[:2]
        for _ in range(_REDIRECTS + 1):
            # urllib3 drops the pool's own headers once a request has any: the agent goes here
            sent = {"User-Agent": self._user_agent} | {
                k: v
                for k, v in headers.items()
                if urlsplit(url)[:2] == origin or k.lower() != "authorization"
            }
            try:
                resp = self._http().request(
                    "GET", url, headers=sent, fields=fields, preload_content=False, redirect=False
                )
            except urllib3.exceptions.HTTPError as exc:
                raise RegistryError(f"cannot reach {what}: {_reason(exc)}") from None
            fields = None  # a redirect's Location carries its own query
            if resp.status not in (301, 302, 303, 307, 308):
                return resp
            location = resp.headers.get("Location")
            resp.drain_conn()
            resp.release_conn()
            if not location:
                raise RegistryError(f"{what}: a redirect without a Location")
            nxt = urljoin(url, location)
            if not nxt.startswith(("https://", "http://")) or (
                url.startswith("https://") and not nxt.startswith("https://")
            ):
                raise RegistryError(f"{what}: refused a redirect to {shown(nxt, 60)}")
            url = nxt
        raise RegistryError(f"{what}: more than {_REDIRECTS} redirects")

    def _get(
        self, registry: str, repository: str, path: str, headers: Mapping[str, str]
    ) -> urllib3.BaseHTTPResponse:
        base = self._base_url(registry)
        url = f"{base}/v2/{repository}/{path}"
        what = f"{registry}/{repository}"
        token = self._tokens.get((registry, repository))
        auth = {"Authorization": f"Bearer {token}"} if token else {}
        resp = self._fetch(url, {**headers, **auth}, what)
        if resp.status != 401 or token:
            return resp
        challenge = parse_bearer_challenge(resp.headers.get("WWW-Authenticate", ""))
        resp.drain_conn()
        resp.release_conn()
        if challenge is None:
            raise RegistryError(
                f"{what} asks for credentials, and this command pulls anonymously (it runs in"
                " a job with none): make the repository public, or leave it out of image_sources"
            )
        token = self._token(registry, repository, challenge_url=base, challenge=challenge)
        self._tokens[(registry, repository)] = token
        return self._fetch(url, {**headers, "Authorization": f"Bearer {token}"}, what)

    def _token(
        self, registry: str, repository: str, *, challenge_url: str, challenge: BearerChallenge
    ) -> str:
        realm, query = token_query(challenge, repository, challenge_url)
        what = f"the token service of {registry}"
        resp = self._fetch(realm, {}, what, fields=query)
        try:
            if resp.status in (401, 403):
                raise RegistryError(
                    f"{registry} gives no anonymous pull token for {repository} (HTTP "
                    f"{resp.status}): the repository is private or does not exist"
                )
            if resp.status != 200:
                raise RegistryError(f"{what} answered HTTP {resp.status}")
            body = _read(resp, TOKEN_LIMIT, what)
        finally:
            resp.release_conn()
        try:
            doc = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise RegistryError(f"{what} answered something that is not JSON") from None
        token = doc.get("token") or doc.get("access_token") if isinstance(doc, dict) else None
        if not isinstance(token, str) or not _TOKEN_RE.match(token):
            raise RegistryError(f"{what} answered no usable token")
        return token

    @staticmethod
    def _expect_ok(
        resp: urllib3.BaseHTTPResponse, registry: str, repository: str, what: str
    ) -> None:
        if resp.status == 200:
            return
        where = f"{registry}/{repository}"
        if resp.status in (401, 403):
            raise RegistryError(
                f"{where} refused anonymous access to its {what} (HTTP {resp.status}): the "
                "repository is private or does not exist"
            )
        if resp.status == 404:
            raise RegistryError(f"{where} has no {what}, though its manifest names it")
        raise RegistryError(f"{where} answered HTTP {resp.status} for its {what}{_code(resp)}")


def _read(resp: urllib3.BaseHTTPResponse, limit: int, what: str) -> bytes:
    """The body, refusing one over ``limit`` bytes (declared or sent)."""
    declared = resp.headers.get("Content-Length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise RegistryError(f"{what} is {declared} bytes, over the limit of {limit}")
    import urllib3

    try:
        body = resp.read(limit + 1)
    except urllib3.exceptions.HTTPError as exc:
        raise RegistryError(f"{what}: the transfer broke off ({_reason(exc)})") from None
    if len(body) > limit:
        raise RegistryError(f"{what} is over the limit of {limit} bytes")
    return body


def _code(resp: urllib3.BaseHTTPResponse) -> str:
    """The distribution API's error code, if the body has one (``: TOOMANYREQUESTS``)."""
    try:
        doc = json.loads(resp.read(16 * 1024))
        code = doc["errors"][0]["code"]
    except Exception:  # any body at all: the status says enough
        return ""
    return f": {str(code)[:40]}" if isinstance(code, str) else ""


def _reason(exc: Exception) -> str:
    reason = getattr(exc, "reason", None) or exc
    return str(reason)[:200]
