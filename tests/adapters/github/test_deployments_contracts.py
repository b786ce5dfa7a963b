"""Deployment statuses and workflow dispatch as their docstrings state them (issue 29), against
the local GitHub API server: what is sent, written out; which reads are made; a create that
may have landed is not repeated; a failure is a warning.

Each test was checked by making the change it guards against and watching it fail.
"""

from __future__ import annotations

import pytest

from showtime_iac.adapters.github import GitHubClient, GitHubError
from showtime_iac.adapters.github.errors import WRITE_PERMISSIONS
from tests.github_api_server import GitHubServer, Recorded
from tests.payloads import HEAD

DEPLOYMENTS = r"^/repos/apache/superset/deployments$"
STATUSES = r"^/repos/apache/superset/deployments/\d+/statuses$"


def _bodies(ghserver: GitHubServer, method: str, pattern: str) -> list[object]:
    import re

    return [r.body for r in ghserver.requests if r.method == method and re.search(pattern, r.path)]


def _queries(ghserver: GitHubServer) -> list[dict[str, str]]:
    return [
        r.query for r in ghserver.requests if r.method == "GET" and r.path.endswith("/deployments")
    ]


def test_in_progress_creates_a_transient_deployment_then_success_carries_the_url(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    client.deployment(11, HEAD, "in_progress")
    client.deployment(11, HEAD, "success", "http://10.0.0.1:8080")
    assert _bodies(ghserver, "POST", DEPLOYMENTS) == [
        {
            "ref": HEAD,
            "environment": "pr-11",
            "transient_environment": True,
            "production_environment": False,
            "auto_merge": False,
            "required_contexts": [],
            "description": "showtime-iac preview of PR #11",
        }
    ]
    assert _bodies(ghserver, "POST", STATUSES) == [
        {
            "state": "in_progress",
            "description": "showtime-iac: in_progress",
            "auto_inactive": False,
        },
        {
            "state": "success",
            "description": "showtime-iac: success",
            "environment_url": "http://10.0.0.1:8080",
            "auto_inactive": True,
        },
    ]
    assert _queries(ghserver) == []  # the client remembers the deployment it created
    assert client.warnings == []


def test_a_later_run_finds_the_deployment_of_the_commit_or_the_environments_latest(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    client.deployment(11, HEAD, "in_progress")
    [dep] = ghserver.deployments()
    ghserver.reset_log()
    later = GitHubClient.connect(ghserver.token, ghserver.repo, base_url=ghserver.url)
    later.deployment(11, HEAD, "success", "http://x")
    assert _queries(ghserver) == [{"environment": "pr-11", "per_page": "1", "sha": HEAD}]
    later.deployment(11, HEAD, "success", "http://x")  # remembered now: no second read
    assert len(_queries(ghserver)) == 1
    ghserver.reset_log()
    teardown = GitHubClient.connect(ghserver.token, ghserver.repo, base_url=ghserver.url)
    teardown.deployment(11, "c" * 40, "inactive")  # another commit: the environment's latest
    assert _queries(ghserver) == [{"environment": "pr-11", "per_page": "1"}]
    assert [r.path for r in ghserver.requests if r.method == "POST"] == [
        f"/repos/apache/superset/deployments/{dep['id']}/statuses"
    ]
    assert _bodies(ghserver, "POST", STATUSES) == [
        {"state": "inactive", "description": "showtime-iac: inactive", "auto_inactive": False}
    ]


def test_success_without_a_deployment_creates_none(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    client.deployment(12, HEAD, "success", "http://x")
    assert ghserver.deployments() == [] and ghserver.count("POST") == 0
    assert _queries(ghserver) == [{"environment": "pr-12", "per_page": "1", "sha": HEAD}]


def test_a_create_that_landed_before_a_502_is_not_repeated(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    def land(r: Recorded) -> None:
        ghserver._create_deployment(r.body)

    ghserver.on("POST", DEPLOYMENTS, land)
    ghserver.fail("POST", DEPLOYMENTS, 502)
    client.deployment(13, HEAD, "in_progress")
    [dep] = ghserver.deployments()
    assert ghserver.count("POST", DEPLOYMENTS) == 1
    assert [s["state"] for s in dep["statuses"]] == ["in_progress"]
    assert client.warnings == []


def test_a_create_lost_before_it_landed_is_repeated(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    ghserver.fail("POST", DEPLOYMENTS, 502)
    client.deployment(13, HEAD, "in_progress")
    [dep] = ghserver.deployments()
    assert ghserver.count("POST", DEPLOYMENTS) == 2
    assert [s["state"] for s in dep["statuses"]] == ["in_progress"]


def test_a_status_write_is_repeated_after_a_5xx(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    client.deployment(14, HEAD, "in_progress")
    ghserver.fail("POST", STATUSES, 503)
    client.deployment(14, HEAD, "success", "http://x")
    [dep] = ghserver.deployments()
    assert [s["state"] for s in dep["statuses"]] == ["in_progress", "success"]
    assert client.warnings == []


def test_a_failure_is_one_warning_naming_what_failed(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    ghserver.fail("POST", DEPLOYMENTS, 403, body={"message": "no deployments"})
    client.deployment(12, HEAD, "in_progress")
    assert client.warnings == [
        "deployment status not recorded: GitHub refused to create a deployment for PR #12"
        f" (403: no deployments): the token needs {WRITE_PERMISSIONS}"
    ]
    client.deployment(12, HEAD, "in_progress")
    [dep] = ghserver.deployments()
    ghserver.fail("POST", STATUSES, 422, body={"message": "bad state"})
    client.deployment(12, HEAD, "success")
    assert client.warnings[1:] == [
        f"deployment status not recorded: GitHub failed to set deployment {dep['id']} of PR #12"
        " to success (422: bad state)"
    ]


def test_dispatch_starts_the_workflow_on_the_default_branch(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    slept: list[float] = []
    client.sleep = slept.append
    ghserver.fail("POST", r"/dispatches$", 502)
    client.dispatch_workflow("showtime cleanup.yml")
    assert ghserver.dispatches == [("showtime cleanup.yml", "master")]
    assert slept == [0.5]  # repeated: a second run of the cleanup is harmless
    ghserver.fail("POST", r"/dispatches$", 404, body={"message": "Not Found"})
    with pytest.raises(GitHubError) as err:
        client.dispatch_workflow("gone.yml")
    assert str(err.value) == "GitHub failed to start workflow gone.yml (404: Not Found)"


def test_a_workflow_name_is_one_escaped_path_segment(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    client.dispatch_workflow("a/b.yml")  # the server routes a raw "/" elsewhere (404)
    assert ghserver.dispatches == [("a/b.yml", "master")]


def test_a_lost_create_is_checked_against_this_commits_deployments_only(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    client.deployment(15, "a" * 40, "in_progress")  # the environment's earlier commit
    later = GitHubClient.connect(ghserver.token, ghserver.repo, base_url=ghserver.url)
    later.sleep = lambda _s: None
    ghserver.fail("POST", DEPLOYMENTS, 502)  # lost before it landed
    later.deployment(15, HEAD, "in_progress")
    assert [(d["ref"], [s["state"] for s in d["statuses"]]) for d in ghserver.deployments()] == [
        ("a" * 40, ["in_progress"]),
        (HEAD, ["in_progress"]),
    ]


def test_a_failed_lookup_is_a_warning_naming_the_environment(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    ghserver.fail("GET", DEPLOYMENTS, 422, body={"message": "odd"})
    client.deployment(16, HEAD, "inactive")
    assert client.warnings == [
        "deployment status not recorded: GitHub failed to read the deployments of pr-16 (422: odd)"
    ]
