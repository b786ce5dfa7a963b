"""Deployment statuses on environment ``pr-N``: the PR's "View deployment" button."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from showtime_iac.adapters.github.errors import GitHubError
from showtime_iac.adapters.github.transport import GitHubTransport

__all__ = ["DeploymentsMixin"]


@dataclass
class DeploymentsMixin(GitHubTransport):
    """The deployments of :class:`~showtime_iac.adapters.github.client.GitHubClient`."""

    _deployments: dict[tuple[int, str], int] = field(default_factory=dict)

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
            )
        except GitHubError as exc:
            self.warnings.append(f"deployment status not recorded: {exc}")

    def dispatch_workflow(self, workflow: str) -> None:
        """Start GitHub Actions workflow ``workflow`` (its file name under .github/workflows)
        on the default branch (``workflow_dispatch``; needs ``actions: write``)."""
        from urllib.parse import quote

        def go() -> None:
            branch = self._request("GET", self._url)["default_branch"]
            path = f"{self._url}/actions/workflows/{quote(workflow, safe='')}/dispatches"
            self._request("POST", path, {"ref": branch})

        # a second run of the cleanup is harmless (its own concurrency group queues it)
        self._write(f"start workflow {workflow}", go)

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
