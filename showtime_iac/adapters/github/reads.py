"""Reads: a PR, its commits, its label events, a login's permission, the open PRs with 🎪
labels, a branch's head."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from showtime_iac.adapters.github.errors import GitHubError
from showtime_iac.adapters.github.transport import GitHubTransport, label_url_name
from showtime_iac.core.events import pr_from_api
from showtime_iac.core.guarded import LabelEvent
from showtime_iac.core.image_wait import JobState
from showtime_iac.core.model import InputError, PrInfo

__all__ = ["ReadsMixin"]


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
class ReadsMixin(GitHubTransport):
    """The reads of :class:`~showtime_iac.adapters.github.client.GitHubClient`."""

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

    def pr_commits(self, number: int) -> tuple[str, ...]:
        """The full SHAs of the PR's commits, oldest first (GitHub lists at most 250)."""
        out: list[str] = []
        with self._errors(f"list the commits of PR #{number}"):
            for page in range(1, 4):
                _h, data = self.gh.requester.requestJsonAndCheck(
                    "GET",
                    f"{self._url}/pulls/{number}/commits",
                    parameters={"per_page": "100", "page": str(page)},
                )
                out.extend(str(c["sha"]) for c in data)
                if len(data) < 100:
                    break
        return tuple(out)

    #: at most this many pages of 100 issue events are read; a longer history is an error
    EVENT_PAGES = 10

    def label_events(self, number: int) -> list[LabelEvent]:
        """The PR's ``labeled``/``unlabeled`` events, oldest first: ⌈events / 100⌉ requests.
        Any failure (or a history longer than :attr:`EVENT_PAGES` pages) raises."""
        out: list[LabelEvent] = []
        with self._errors(f"read the events of PR #{number}"):
            # one page more than EVENT_PAGES: exactly EVENT_PAGES full pages is no error
            for page in range(1, self.EVENT_PAGES + 2):
                _h, data = self.gh.requester.requestJsonAndCheck(
                    "GET",
                    f"{self._url}/issues/{number}/events",
                    parameters={"per_page": "100", "page": str(page)},
                )
                if page > self.EVENT_PAGES and data:
                    break
                for e in data:
                    if e.get("event") in ("labeled", "unlabeled"):
                        actor = (e.get("actor") or {}).get("login") or ""
                        label = (e.get("label") or {}).get("name") or ""
                        out.append(LabelEvent(str(e["event"]), str(label), str(actor)))
                if len(data) < 100:
                    return out
        raise GitHubError(f"PR #{number} has more than {self.EVENT_PAGES * 100} events")

    def branch_head(self, ref: str) -> str:
        """The full SHA at the tip of branch ``ref``."""
        with self._errors(f"read branch {ref}"):
            data = self._request("GET", f"{self._url}/branches/{label_url_name(ref)}")
        return str(data["commit"]["sha"])

    def run_job(self, run_id: int, name: str) -> JobState | None:
        """The job called ``name`` in the latest attempt of workflow run ``run_id`` (None: not
        listed yet); needs ``actions: read``. ⌈jobs / 100⌉ requests."""
        with self._errors(f"read the jobs of workflow run {run_id}"):
            for page in range(1, 4):
                _h, data = self.gh.requester.requestJsonAndCheck(
                    "GET",
                    f"{self._url}/actions/runs/{run_id}/jobs",
                    parameters={"filter": "latest", "per_page": "100", "page": str(page)},
                )
                jobs = data.get("jobs") or []
                for job in jobs:
                    if job.get("name") == name:
                        return JobState(
                            name=name,
                            status=str(job.get("status") or ""),
                            conclusion=job.get("conclusion"),
                            completed_at=job.get("completed_at"),
                        )
                if len(jobs) < 100:
                    break
        return None
