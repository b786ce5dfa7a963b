"""The client's construction and the adapter's error messages as their docstrings state them
(issue 29), against the local GitHub API server: ``--repo`` over ``GITHUB_REPOSITORY``, the
API URL with or without its slash, the configured login, lazy objects (no request of their own),
and what a refusal's message keeps of GitHub's answer.

Each test was checked by making the change it guards against and watching it fail.
"""

from __future__ import annotations

import pytest

from showtime_iac.adapters.github import GitHubClient, GitHubError
from showtime_iac.core.model import InputError
from showtime_iac.settings import Settings
from tests.github_api_server import GitHubServer
from tests.payloads import HEAD


def test_repo_overrides_the_environments_and_is_checked(ghserver: GitHubServer) -> None:
    env = {**ghserver.env(), "GITHUB_REPOSITORY": "someone/else"}
    client = GitHubClient.from_settings(Settings.from_env(env), repo=ghserver.repo)
    assert client.repo_name == "apache/superset" and client.login is None
    ghserver.add_pr(5, head_sha=HEAD)
    assert client.get_pr(5).number == 5
    with pytest.raises(InputError, match=r"^GITHUB_REPOSITORY='not a repo' is not OWNER/NAME"):
        GitHubClient.from_settings(Settings.from_env(env), repo="not a repo")
    default = GitHubClient.from_settings(Settings.from_env(env))
    assert default.repo_name == "someone/else"


def test_the_api_url_may_end_with_a_slash(ghserver: GitHubServer) -> None:
    ghserver.add_pr(5, head_sha=HEAD)
    client = GitHubClient.connect(ghserver.token, ghserver.repo, base_url=ghserver.url + "/")
    assert client.get_pr(5).number == 5
    assert [r.path for r in ghserver.requests] == ["/repos/apache/superset/pulls/5"]


def test_lazy_objects_make_no_request_of_their_own(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    ghserver.add_pr(7, head_sha=HEAD)
    client.login = "github-actions[bot]"
    client.status_comment_body(7)
    client.label_definitions()
    assert [r.path for r in ghserver.requests] == [
        "/repos/apache/superset/issues/7/comments",
        "/repos/apache/superset/labels",
    ]
    assert [r.query for r in ghserver.requests] == [{"per_page": "100"}, {"per_page": "100"}]


def test_a_refusals_message_keeps_200_characters_of_githubs(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    ghserver.add_pr(5, head_sha=HEAD)
    ghserver.fail("GET", r"/pulls/5$", 422, body={"message": "m" * 300})
    with pytest.raises(GitHubError) as err:
        client.get_pr(5)
    assert str(err.value) == f"GitHub failed to read PR #5 (422: {'m' * 200})"
    ghserver.fail("GET", r"/pulls/5$", 422, body={"errors": ["x"]})
    with pytest.raises(GitHubError) as no_message:
        client.get_pr(5)
    assert str(no_message.value) == "GitHub failed to read PR #5 (422: {'errors': ['x']})"
    ghserver.fail("GET", r"/pulls/5$", 422, body={"message": "", "errors": ["y" * 300]})
    with pytest.raises(GitHubError) as long_data:
        client.get_pr(5)
    expected = "{'message': '', 'errors': ['" + "y" * 172  # cut at 200 characters
    assert str(long_data.value) == f"GitHub failed to read PR #5 (422: {expected})"
