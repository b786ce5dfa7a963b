"""The GitHub adapter (PyGithub): read PRs, write 🎪 labels, the sticky comment, deployments.

Everything GitHub-specific lives here, behind the executor's ``GitHubPort``. Choices made on
purpose (each is tested against the local GitHub API server in ``tests/github_api_server.py``):

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

One module per concern: :mod:`.client` (:class:`GitHubClient`, construction), :mod:`.transport`
(requests, errors, bounded write retries), :mod:`.retry` (rate limits, read retries),
:mod:`.reads`, :mod:`.labels`, :mod:`.comments`, :mod:`.deployments`, :mod:`.errors`.
"""

from __future__ import annotations

from showtime_iac.adapters.github.client import GitHubClient
from showtime_iac.adapters.github.errors import WRITE_PERMISSIONS, GitHubError
from showtime_iac.adapters.github.transport import label_url_name

__all__ = ["GitHubClient", "GitHubError", "label_url_name", "WRITE_PERMISSIONS"]
