"""Deployment statuses against the local GitHub API server (best effort: a failure warns)."""

from __future__ import annotations

from showtime_iac.adapters.github import GitHubClient
from tests.github_api_server import GitHubServer
from tests.payloads import HEAD


def test_deployment_statuses_and_inactive_without_a_deployment(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    client.deployment(11, "c" * 40, "inactive")  # nothing to mark: no error, nothing created
    assert ghserver.deployments() == []
    client.deployment(11, HEAD, "in_progress")
    client.deployment(11, HEAD, "success", "http://10.0.0.1:8080")
    fresh = GitHubClient.connect(ghserver.token, ghserver.repo, base_url=ghserver.url)
    fresh.deployment(11, HEAD, "inactive")  # a later run finds the deployment by environment
    [dep] = ghserver.deployments()
    assert dep["ref"] == HEAD and dep["environment"] == "pr-11"
    assert [s["state"] for s in dep["statuses"]] == ["in_progress", "success", "inactive"]


def test_a_deployment_failure_is_a_warning_not_an_error(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    ghserver.fail("POST", r"/deployments$", 403, times=3, body={"message": "no deployments"})
    client.deployment(12, HEAD, "in_progress")
    assert client.warnings and "deployment" in client.warnings[0]
