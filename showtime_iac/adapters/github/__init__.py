"""The GitHub adapter (PyGithub): read PRs, write 🎪 labels, the sticky comment, deployments.

Everything GitHub-specific lives here, behind the executor's ``GitHubPort``. Choices made on
purpose (each is tested against the local GitHub API server in ``tests/ghserver.py``):

- **No idle time.** PyGithub sleeps 0.25 s between requests and 1 s between writes by
  default; a sync makes a handful of each, so both are set to 0. The workflow's concurrency
  group (one run per PR) keeps us far below GitHub's secondary limits.
- **Retries we can reason about.** urllib3 retries only reads (GET) on 5xx and on rate limits,
  honouring ``Retry-After`` / ``X-RateLimit-Reset`` up to :attr:`GitHubClient.max_wait`. Writes
  are retried here, one kind at a time: a POST that may have landed is never blindly repeated
  (PyGithub's default retry repeats it, which posts a comment twice); the sticky comment is
  looked up again before it is re-posted, a deployment is re-read before it is re-created.
- **Lazy objects.** The repository and issue objects make no request; a sync whose payload
  says everything makes none at all.
- **Only 🎪 labels** (and the legacy ``testenv-up``) are ever written or removed.
"""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from github import Auth, Github, GithubException, GithubRetry
from github.GithubException import BadCredentialsException, RateLimitExceededException
from requests.exceptions import RequestException
from urllib3.exceptions import HTTPError as Urllib3Error

from showtime_iac.core import labels as L
from showtime_iac.core.comment import MARKER
from showtime_iac.core.events import pr_from_api
from showtime_iac.core.model import InputError, PrInfo, ShowtimeError

if TYPE_CHECKING:
    from urllib3 import BaseHTTPResponse

    from showtime_iac.settings import Settings

__all__ = ["GitHubClient", "GitHubError", "label_url_name", "WRITE_PERMISSIONS"]

T = TypeVar("T")

#: what the token needs (named in error messages)
WRITE_PERMISSIONS = "pull-requests: write, issues: write, deployments: write"
_DEFAULT_COLOUR = "ededed"  # what GitHub gives a label it creates on the fly


class GitHubError(ShowtimeError):
    """GitHub refused or failed a request after the retries: exit 1, message says why."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class _BoundedRetry(GithubRetry):
    """PyGithub's retry (rate limits aware), with ``Retry-After`` capped at ``max_wait``."""

    def __init__(self, *, max_wait: float, **kwargs: Any) -> None:
        self.max_wait = max_wait
        kwargs["max_rate_limit_wait"] = max_wait
        super().__init__(**kwargs)

    def new(self, **kw: Any) -> _BoundedRetry:
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


def label_url_name(name: str) -> str:
    """A label name as one URL path segment: emoji, spaces and ``/`` all escaped."""
    return urllib.parse.quote(name, safe="")


def _message(exc: GithubException) -> str:
    data = exc.data
    if isinstance(data, dict):
        return str(data.get("message") or data)[:200]
    return str(data)[:200]


def _retry_after(exc: GithubException, default: float) -> float | None:
    """Seconds to wait when ``exc`` is a rate limit (the request was not carried out)."""
    headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
    if exc.status not in (403, 429):
        return None
    limited = isinstance(exc, RateLimitExceededException) or "rate limit" in _message(exc).lower()
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


def _listed_pr(pull: Any, labels: tuple[str, ...]) -> PrInfo:
    """A PR of a listing, from the fields the listing carries.

    Never ``raw_data`` (it re-reads each PR: 300 requests for 300 PRs) nor ``merged`` (not in
    listings): ``merged_at`` says the same.
    """
    head_repo, base_repo = pull.head.repo, pull.base.repo
    return PrInfo(
        number=int(pull.number),
        state="open" if pull.state == "open" else "closed",
        head_sha=str(pull.head.sha),
        labels=labels,
        author=str(pull.user.login) if pull.user else "",
        title=str(pull.title or ""),
        body=str(pull.body or ""),
        html_url=str(pull.html_url or ""),
        is_fork=head_repo is None or head_repo.full_name != base_repo.full_name,
        merged=pull.merged_at is not None,
    )


@dataclass
class _Sticky:
    id: int
    body: str


@dataclass
class GitHubClient:
    """One repository on one GitHub API (``GITHUB_API_URL``), through PyGithub."""

    gh: Github
    repo_name: str
    max_wait: float = 60.0
    write_attempts: int = 3
    sleep: Callable[[float], None] = time.sleep
    warnings: list[str] = field(default_factory=list)
    _sticky: dict[int, _Sticky | None] = field(default_factory=dict)
    _deployments: dict[tuple[int, str], int] = field(default_factory=dict)
    _unstyled: set[str] = field(default_factory=set)
    retried: bool = False

    @staticmethod
    def _ours(name: str) -> bool:
        return L.is_showtime_label(name) or name == L.LEGACY

    # -- construction ------------------------------------------------------------------------

    @classmethod
    def connect(
        cls,
        token: str,
        repo: str,
        *,
        base_url: str = "https://api.github.com",
        max_wait: float = 60.0,
        timeout: int = 20,
        sleep: Callable[[float], None] = time.sleep,
    ) -> GitHubClient:
        retry = _BoundedRetry(
            max_wait=max_wait,
            total=4,
            backoff_factor=0.5,
            backoff_max=8,
            # reads only: writes are retried by _write, which knows which ones are safe
            allowed_methods=frozenset({"GET", "HEAD", "OPTIONS"}),
        )
        gh = Github(
            auth=Auth.Token(token),
            base_url=base_url.rstrip("/"),
            per_page=100,
            timeout=timeout,
            retry=retry,
            seconds_between_requests=0,
            seconds_between_writes=0,
            lazy=True,
        )
        return cls(gh=gh, repo_name=repo, max_wait=max_wait, sleep=sleep)

    @classmethod
    def from_settings(cls, settings: Settings, *, repo: str | None = None) -> GitHubClient:
        """Token from ``GITHUB_TOKEN``, repository from ``--repo`` or ``GITHUB_REPOSITORY``."""
        if repo is not None:
            from dataclasses import replace

            from showtime_iac.settings import Settings as _Settings

            checked = _Settings.from_env({"GITHUB_REPOSITORY": repo}).github_repository
            settings = replace(settings, github_repository=checked)
        token, name = settings.require_github()
        return cls.connect(token, name, base_url=settings.github_api_url)

    # -- plumbing ----------------------------------------------------------------------------

    @property
    def _url(self) -> str:
        return f"/repos/{self.repo_name}"

    def _request(self, verb: str, path: str, body: Any = None) -> Any:
        _headers, data = self.gh.requester.requestJsonAndCheck(verb, path, input=body)
        return data

    def _translate(self, exc: Exception, what: str) -> ShowtimeError:
        """PyGithub's and the transport's exceptions as our one-line errors."""
        if isinstance(exc, BadCredentialsException):
            return InputError(
                f"GitHub rejected GITHUB_TOKEN while trying to {what} (401 Bad credentials):"
                " export a valid token"
            )
        if isinstance(exc, GithubException):
            if exc.status == 403 and _retry_after(exc, 0.0) is None:
                return GitHubError(
                    f"GitHub refused to {what} (403: {_message(exc)}): the token needs"
                    f" {WRITE_PERMISSIONS}",
                    status=403,
                )
            return GitHubError(
                f"GitHub failed to {what} ({exc.status}: {_message(exc)})", status=exc.status
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
        idempotent: bool,
        landed: Callable[[], T | None] | None = None,
        ok_statuses: Sequence[int] = (),
    ) -> T | None:
        """Run one write with bounded retries; ``None`` when GitHub answered an ok status.

        - rate limited (403/429 with ``Retry-After`` or a rate-limit message): the request was
          not carried out, so wait (capped by :attr:`max_wait` in total) and repeat;
        - 5xx or no answer: repeat an idempotent write; for the others ask ``landed`` first
          ("is the comment there now?") and repeat only when it did not land.

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
                wait = _retry_after(exc, 5.0)
                if last or isinstance(exc, BadCredentialsException):
                    raise self._translate(exc, what) from None
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
                    raise self._translate(exc, what) from None
            except (RequestException, Urllib3Error) as exc:
                if last:
                    raise self._translate(exc, what) from None
            # a 5xx or a lost answer: the write may have gone through
            self.retried = True
            if not idempotent and landed is not None:
                with self._errors(f"check whether '{what}' went through"):
                    found = landed()
                if found is not None:
                    return found
            self.sleep(min(0.5 * 2 ** (attempt - 1), 4.0))
        raise AssertionError("unreachable")  # pragma: no cover

    def _delete(self, what: str, url: str) -> None:
        """One idempotent DELETE; "already gone" (404) is fine."""
        self._write(what, lambda: self._request("DELETE", url), idempotent=True, ok_statuses=(404,))

    # -- reads -------------------------------------------------------------------------------

    def get_pr(self, number: int) -> PrInfo:
        """The PR with its labels, state and head SHA: one request."""
        try:
            with self._errors(f"read PR #{number}"):
                data = self._request("GET", f"{self._url}/pulls/{number}")
        except GitHubError as exc:
            if exc.status == 404:
                raise InputError(f"PR #{number} not found in {self.repo_name}") from None
            raise
        return pr_from_api(data)

    def permission(self, login: str) -> str:
        """``admin``/``maintain``/``write``/``triage``/``read``, or ``none`` for a stranger."""
        if not login or login.endswith("[bot]"):
            return "none"
        try:
            with self._errors(f"read the permission of @{login}"):
                data = self._request(
                    "GET",
                    f"{self._url}/collaborators/{label_url_name(login)}/permission",
                )
        except GitHubError as exc:
            if exc.status == 404:
                return "none"
            raise
        role = str(data.get("role_name") or "")
        return (
            role
            if role in ("admin", "maintain", "write", "triage", "read")
            else str(data.get("permission") or "none")
        )

    def list_showtime_prs(self) -> list[PrInfo]:
        """Every open PR with a 🎪 (or ``testenv-up``) label: ⌈open PRs / 100⌉ requests.

        The open PRs are listed rather than searched: GitHub's search cannot match a label
        prefix (every per-SHA label is different), and a listing carries each PR's labels.
        """
        out: list[PrInfo] = []
        with self._errors("list the open pull requests"):
            repo = self.gh.get_repo(self.repo_name)
            for pull in repo.get_pulls(state="open", sort="created", direction="asc"):
                names = tuple(lab.name for lab in pull.labels)
                if any(self._ours(n) for n in names):
                    out.append(_listed_pr(pull, names))
        return out

    def branch_head(self, ref: str) -> str:
        """The full SHA at the tip of branch ``ref``."""
        with self._errors(f"read branch {ref}"):
            data = self._request("GET", f"{self._url}/branches/{label_url_name(ref)}")
        return str(data["commit"]["sha"])

    # -- labels ------------------------------------------------------------------------------

    def remove_label(self, number: int, name: str) -> bool:
        """Remove one label; False when it was not there (another run took it first).

        This DELETE is the claim of a start: GitHub answers 404 to all but one of concurrent
        deletes. It is not retried blindly: after a 5xx, a 404 on the retry means the first
        attempt went through, so the claim is ours (the Pulumi stack lock covers the rest).
        """
        if not self._ours(name):
            raise ShowtimeError(f"refusing to remove {name!r}: not a showtime label")
        url = f"{self._url}/issues/{number}/labels/{label_url_name(name)}"

        def delete() -> bool:
            self._request("DELETE", url)
            return True

        took = self._write(
            f"remove label {name!r} from PR #{number}", delete, idempotent=True, ok_statuses=(404,)
        )
        return bool(took) or self.retried

    def apply_label_diff(self, number: int, add: Sequence[str], remove: Sequence[str]) -> None:
        """Write the minimal diff: one DELETE per removed label, one POST for all added ones.

        Labels GitHub did not know are created by the POST (grey); they get their colour and
        description in :meth:`finish`, after the deploy has begun, to keep a start within its
        request budget. Non-🎪 labels are never touched.
        """
        adds = [n for n in dict.fromkeys(add) if self._ours(n)]
        dels = [n for n in dict.fromkeys(remove) if self._ours(n) and n not in adds]
        skipped = [n for n in (*add, *remove) if not self._ours(n)]
        if skipped:
            self.warnings.append(f"not touching non-showtime labels: {', '.join(skipped)}")
        for name in dels:
            self._delete(
                f"remove label {name!r} from PR #{number}",
                f"{self._url}/issues/{number}/labels/{label_url_name(name)}",
            )
        if not adds:
            return
        url = f"{self._url}/issues/{number}/labels"

        def post() -> list[dict[str, Any]]:
            try:
                return list(self._request("POST", url, {"labels": adds}))
            except GithubException as exc:
                if exc.status == 422 and "already" in str(exc.data).lower():
                    # two runs created the same definition at once: it exists now, add again
                    return list(self._request("POST", url, {"labels": adds}))
                raise

        result = self._write(f"add labels to PR #{number}", post, idempotent=True)
        for item in result or []:
            name = str(item.get("name", ""))
            grey = str(item.get("color", "")).lower() == _DEFAULT_COLOUR
            wanted = L.label_style(name)[0] != _DEFAULT_COLOUR
            if name in adds and grey and wanted and not item.get("description"):
                self._unstyled.add(name)

    def finish(self) -> None:
        """Give label definitions GitHub created on the fly their colour and description."""
        for name in sorted(self._unstyled):
            colour, description = L.label_style(name)
            url = f"{self._url}/labels/{label_url_name(name)}"
            try:
                self._write(
                    f"style label {name!r}",
                    lambda url=url, c=colour, d=description: self._request(  # type: ignore[misc]
                        "PATCH", url, {"color": c, "description": d}
                    ),
                    idempotent=True,
                    ok_statuses=(404,),
                )
            except GitHubError as exc:  # cosmetic: never fail a run for a colour
                self.warnings.append(str(exc))
        self._unstyled.clear()

    def ensure_label(self, name: str) -> str:
        """Create (or restyle) one label definition; ``created``/``updated``/``unchanged``."""
        colour, description = L.label_style(name)
        body = {"name": name, "color": colour, "description": description}
        created = self._write(
            f"create label {name!r}",
            lambda: self._request("POST", f"{self._url}/labels", body),
            idempotent=True,
            ok_statuses=(422,),  # already exists (maybe a concurrent run): fine
        )
        if created is not None:
            return "created"
        url = f"{self._url}/labels/{label_url_name(name)}"
        with self._errors(f"read label {name!r}"):
            current = self._request("GET", url)
        if (current.get("color"), current.get("description") or "") == (colour, description):
            return "unchanged"
        self._write(
            f"update label {name!r}",
            lambda: self._request("PATCH", url, {"color": colour, "description": description}),
            idempotent=True,
        )
        return "updated"

    def label_definitions(self) -> list[str]:
        """Names of the repository's 🎪 label definitions (paginated, 100 per request)."""
        with self._errors("list the repository's labels"):
            repo = self.gh.get_repo(self.repo_name)
            return [lab.name for lab in repo.get_labels() if self._ours(lab.name)]

    def prune_label_definitions(self, in_use: Iterable[str], *, dry_run: bool = False) -> list[str]:
        """Delete per-SHA 🎪 definitions no open PR uses (they pile up by the hundreds).

        Trigger labels and ``testenv-up`` are kept. Returns the names (to be) deleted.
        """
        keep = set(in_use) | set(L.TRIGGER_LABELS) | {L.LEGACY}
        stale = [n for n in self.label_definitions() if n not in keep and L.is_showtime_label(n)]
        if dry_run:
            return stale
        for name in stale:
            self._delete(
                f"delete label definition {name!r}", f"{self._url}/labels/{label_url_name(name)}"
            )
        return stale

    # -- comments ----------------------------------------------------------------------------

    def _find_sticky(self, number: int) -> _Sticky | None:
        with self._errors(f"read the comments of PR #{number}"):
            issue = self.gh.get_repo(self.repo_name).get_issue(number)
            for c in issue.get_comments():
                if MARKER in (c.body or ""):
                    return _Sticky(c.id, c.body)
        return None

    def status_comment_body(self, number: int) -> str | None:
        if number not in self._sticky:
            self._sticky[number] = self._find_sticky(number)
        found = self._sticky[number]
        return found.body if found else None

    def upsert_status_comment(self, number: int, body: str) -> int:
        """Edit the PR's one status comment in place, or create it: never a duplicate."""
        if number not in self._sticky:
            self._sticky[number] = self._find_sticky(number)
        found = self._sticky[number]
        if found is not None:
            url = f"{self._url}/issues/comments/{found.id}"
            try:
                self._write(
                    f"edit the status comment of PR #{number}",
                    lambda: self._request("PATCH", url, {"body": body}),
                    idempotent=True,
                )
                self._sticky[number] = _Sticky(found.id, body)
                return found.id
            except GitHubError as exc:
                if exc.status != 404:
                    raise
                # deleted by someone meanwhile: post a new one
        comments = f"{self._url}/issues/{number}/comments"

        def landed() -> dict[str, Any] | None:
            again = self._find_sticky(number)
            return {"id": again.id} if again else None

        data = self._write(
            f"post the status comment on PR #{number}",
            lambda: self._request("POST", comments, {"body": body}),
            idempotent=False,
            landed=landed,
        )
        assert data is not None
        cid = int(data["id"])
        self._sticky[number] = _Sticky(cid, body)
        return cid

    def post_comment(self, number: int, body: str) -> None:
        """A one-off reply. After a 5xx it is re-posted only if it is not on the PR."""
        url = f"{self._url}/issues/{number}/comments"

        def landed() -> dict[str, Any] | None:
            issue = self.gh.get_repo(self.repo_name).get_issue(number)
            recent = list(issue.get_comments())[-5:]
            return (
                {"id": c.id} if (c := next((c for c in recent if c.body == body), None)) else None
            )

        self._write(
            f"comment on PR #{number}",
            lambda: self._request("POST", url, {"body": body}),
            idempotent=False,
            landed=landed,
        )

    # -- deployments -------------------------------------------------------------------------

    def deployment(self, number: int, sha: str, state: str, url: str | None = None) -> None:
        """Record a deployment status on environment ``pr-{number}``.

        ``in_progress`` creates the deployment (transient, not production); ``success`` carries
        the ``environment_url`` (the PR's "View deployment" button); ``inactive`` marks the
        environment's latest deployment torn down. Best effort: a failure is a warning.
        """
        env = f"pr-{number}"
        try:
            dep = self._deployments.get((number, sha))
            if dep is None and state == "in_progress":
                dep = self._create_deployment(number, sha, env)
            if dep is None:
                dep = self._latest_deployment(env, sha if state != "inactive" else None)
            if dep is None:
                return
            self._deployments[(number, sha)] = dep
            status: dict[str, Any] = {"state": state, "description": f"showtime-iac: {state}"}
            if url:
                status["environment_url"] = url
            status["auto_inactive"] = state == "success"
            self._write(
                f"set deployment {dep} of PR #{number} to {state}",
                lambda: self._request("POST", f"{self._url}/deployments/{dep}/statuses", status),
                idempotent=True,
            )
        except GitHubError as exc:
            self.warnings.append(f"deployment status not recorded: {exc}")

    def _create_deployment(self, number: int, sha: str, env: str) -> int:
        body = {
            "ref": sha,
            "environment": env,
            "transient_environment": True,
            "production_environment": False,
            "auto_merge": False,
            "required_contexts": [],
            "description": f"showtime-iac preview of PR #{number}",
        }

        def landed() -> dict[str, Any] | None:
            dep = self._latest_deployment(env, sha)
            return {"id": dep} if dep is not None else None

        data = self._write(
            f"create a deployment for PR #{number}",
            lambda: self._request("POST", f"{self._url}/deployments", body),
            idempotent=False,
            landed=landed,
        )
        assert data is not None
        return int(data["id"])

    def _latest_deployment(self, env: str, sha: str | None) -> int | None:
        query = {"environment": env, "per_page": "1"}
        if sha:
            query["sha"] = sha
        with self._errors(f"read the deployments of {env}"):
            _h, data = self.gh.requester.requestJsonAndCheck(
                "GET", f"{self._url}/deployments", parameters=query
            )
        return int(data[0]["id"]) if data else None
