"""The plumbing every GitHub call goes through: one repository, errors, bounded write retries.

:class:`GitHubTransport` holds the PyGithub connection and the run's budget (``max_wait``,
``write_attempts``, the injectable ``sleep``); the label, comment, deployment and read
mixins build on it, and :class:`~showtime_iac.adapters.github.client.GitHubClient` is all of
them together.
"""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from github import Github, GithubException
from github.GithubException import BadCredentialsException
from requests.exceptions import RequestException
from urllib3.exceptions import HTTPError as Urllib3Error

from showtime_iac.adapters.github.errors import WRITE_PERMISSIONS, GitHubError, error_message
from showtime_iac.adapters.github.retry import retry_after
from showtime_iac.core import labels as L
from showtime_iac.core.model import InputError, ShowtimeError

__all__ = ["GitHubTransport", "label_url_name"]

T = TypeVar("T")


def label_url_name(name: str) -> str:
    """A label name as one URL path segment: emoji, spaces and ``/`` all escaped."""
    return urllib.parse.quote(name, safe="")


@dataclass
class GitHubTransport:
    """One repository on one GitHub API (``GITHUB_API_URL``), through PyGithub."""

    gh: Github
    repo_name: str
    max_wait: float = 60.0
    write_attempts: int = 3
    sleep: Callable[[float], None] = time.sleep
    warnings: list[str] = field(default_factory=list)
    retried: bool = False

    @staticmethod
    def _ours(name: str) -> bool:
        return L.is_showtime_label(name) or name == L.LEGACY

    # -- plumbing ----------------------------------------------------------------------------

    @property
    def _url(self) -> str:
        return f"/repos/{self.repo_name}"

    def _request(self, verb: str, path: str, body: Any = None) -> Any:
        _headers, data = self.gh.requester.requestJsonAndCheck(verb, path, input=body)
        return data

    def _translate(
        self, exc: Exception, what: str, needs: str = WRITE_PERMISSIONS
    ) -> ShowtimeError:
        """PyGithub's and the transport's exceptions as our one-line errors; a refusal (403)
        names what the token needs for the call (``needs``)."""
        if isinstance(exc, BadCredentialsException):
            return InputError(
                f"GitHub rejected GITHUB_TOKEN while trying to {what} (401 Bad credentials):"
                " export a valid token"
            )
        if isinstance(exc, GithubException):
            if exc.status == 403 and retry_after(exc, 0.0) is None:
                return GitHubError(
                    f"GitHub refused to {what} (403: {error_message(exc)}): the token needs"
                    f" {needs}",
                    status=403,
                )
            return GitHubError(
                f"GitHub failed to {what} ({exc.status}: {error_message(exc)})", status=exc.status
            )
        if isinstance(exc, ShowtimeError):
            return exc
        return GitHubError(
            f"GitHub API at {self.gh.requester.base_url} did not answer while trying to"
            f" {what} ({type(exc).__name__})"
        )

    @contextmanager
    def _errors(self, what: str) -> Iterator[None]:
        try:
            yield
        except (GithubException, RequestException, Urllib3Error) as exc:
            raise self._translate(exc, what) from None

    def _write(
        self,
        what: str,
        call: Callable[[], T],
        *,
        landed: Callable[[], T | None] | None = None,
        ok_statuses: Sequence[int] = (),
        needs: str = WRITE_PERMISSIONS,
    ) -> T | None:
        """Run one write with bounded retries; ``None`` when GitHub answered an ok status.
        ``needs``: the token's permissions the write takes (named when GitHub refuses it).

        - rate limited (403/429 with ``Retry-After`` or a rate-limit message): the request was
          not carried out, so wait (capped by :attr:`max_wait` in total) and repeat;
        - 5xx or no answer: repeat the write; one that is not idempotent (a POST that creates)
          gives ``landed``, which is asked first ("is the comment there now?"), and it is
          repeated only when it did not land.

        ``self.retried`` tells whether a 5xx or a lost answer preceded the result.
        """
        waited = 0.0
        self.retried = False
        for attempt in range(1, self.write_attempts + 1):
            last = attempt == self.write_attempts
            try:
                return call()
            except GithubException as exc:
                if exc.status in ok_statuses:
                    return None
                wait = retry_after(exc, 5.0)
                if last or isinstance(exc, BadCredentialsException):
                    raise self._translate(exc, what, needs) from None
                if wait is not None:
                    if waited + wait > self.max_wait:
                        raise GitHubError(
                            f"GitHub rate-limits us while trying to {what}: waiting {wait:.0f}s"
                            f" more would exceed {self.max_wait:.0f}s; re-run the job later",
                            status=exc.status,
                        ) from None
                    self.sleep(wait)
                    waited += wait
                    continue
                if exc.status < 500:
                    raise self._translate(exc, what, needs) from None
            except (RequestException, Urllib3Error) as exc:
                if last:
                    raise self._translate(exc, what) from None
            # a 5xx or a lost answer: the write may have gone through
            self.retried = True
            if landed is not None:
                with self._errors(f"check whether '{what}' went through"):
                    found = landed()
                if found is not None:
                    return found
            self.sleep(min(0.5 * 2 ** (attempt - 1), 4.0))
        raise AssertionError("unreachable")  # pragma: no cover

    def _delete(self, what: str, url: str) -> None:
        """One idempotent DELETE; "already gone" (404) is fine."""
        self._write(what, lambda: self._request("DELETE", url), ok_statuses=(404,))
