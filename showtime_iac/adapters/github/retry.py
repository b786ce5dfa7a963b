"""Rate limits and bounded retries.

- :class:`BoundedRetry` — urllib3's retry of reads (GET) on 5xx and rate limits, as PyGithub
  does it, with ``Retry-After`` capped at the run's ``max_wait``.
- :func:`retry_after` — how long a refused write asks us to wait (None: not a rate limit).

Writes are retried by :meth:`GitHubTransport._write`, which knows which ones are safe to repeat.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from github import GithubException, GithubRetry
from github.GithubException import RateLimitExceededException

from showtime_iac.adapters.github.errors import GitHubError, error_message

if TYPE_CHECKING:
    from urllib3 import BaseHTTPResponse

__all__ = ["BoundedRetry", "retry_after"]


class BoundedRetry(GithubRetry):
    """PyGithub's retry (rate limits aware), with ``Retry-After`` capped at ``max_wait``."""

    def __init__(self, *, max_wait: float, **kwargs: Any) -> None:
        self.max_wait = max_wait
        kwargs["max_rate_limit_wait"] = max_wait
        super().__init__(**kwargs)

    def new(self, **kw: Any) -> BoundedRetry:
        kw.setdefault("max_wait", self.max_wait)
        return super().new(**kw)

    def get_retry_after(self, response: BaseHTTPResponse) -> float | None:
        wait = super().get_retry_after(response)
        if wait is not None and wait > self.max_wait:
            raise GitHubError(
                f"GitHub asks to wait {wait:.0f}s (Retry-After), more than the {self.max_wait:.0f}s"
                " this run allows: re-run the job later"
            )
        return wait


def retry_after(exc: GithubException, default: float) -> float | None:
    """Seconds to wait when ``exc`` is a rate limit (the request was not carried out)."""
    headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
    if exc.status not in (403, 429):
        return None
    limited = (
        isinstance(exc, RateLimitExceededException) or "rate limit" in error_message(exc).lower()
    )
    if "retry-after" in headers:
        try:
            return max(0.0, float(headers["retry-after"]))
        except ValueError:
            return default
    if headers.get("x-ratelimit-remaining") == "0" and "x-ratelimit-reset" in headers:
        try:
            return max(0.0, float(headers["x-ratelimit-reset"]) - time.time() + 1)
        except ValueError:
            return default
    return default if limited else None
