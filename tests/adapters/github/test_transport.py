"""The client's plumbing against the local GitHub API server: no idle time between writes, a
write that may have landed is not repeated, a server that does not answer is one line."""

from __future__ import annotations

import github
import pytest

from showtime_iac.adapters.github import GitHubClient, GitHubError
from tests.github_api_server import GitHubServer
from tests.payloads import HEAD

SHA7 = HEAD[:7]


def _pygithub_sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    slept: list[float] = []
    monkeypatch.setattr(github.Requester.time, "sleep", slept.append)  # type: ignore[attr-defined]
    return slept


def test_pygithub_default_idles_between_writes_and_ours_does_not(
    ghserver: GitHubServer, client: GitHubClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    ghserver.add_pr(7, head_sha=HEAD)
    slept = _pygithub_sleeps(monkeypatch)
    default = github.Github(
        auth=github.Auth.Token(ghserver.token), base_url=ghserver.url, lazy=True
    )
    issue = default.get_repo(ghserver.repo).get_issue(7)
    for i in range(3):
        issue.add_to_labels(f"🎪 x{i}")
    assert slept and max(slept) > 0.5  # PyGithub's default: about a second per write
    slept.clear()
    for i in range(3):
        client.apply_label_diff(7, [f"🎪 {SHA7} ⌛ {i + 1}h"], [])
        client.remove_label(7, f"🎪 {SHA7} ⌛ {i + 1}h")
    assert slept == []


def test_pygithub_default_retry_posts_a_comment_twice_and_ours_once(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    ghserver.add_pr(7, head_sha=HEAD)

    def land_then_502() -> None:
        ghserver.on(
            "POST", r"/issues/7/comments$", lambda r: ghserver.add_comment(7, r.body["body"])
        )
        ghserver.fail("POST", r"/issues/7/comments$", 502)

    land_then_502()
    default = github.Github(
        auth=github.Auth.Token(ghserver.token),
        base_url=ghserver.url,
        seconds_between_requests=0,
        seconds_between_writes=0,
        retry=github.GithubRetry(total=2, backoff_factor=0),
        lazy=True,
    )
    default.get_repo(ghserver.repo).get_issue(7).create_comment("hello")
    assert [c["body"] for c in ghserver.comments_of(7)] == ["hello", "hello"]

    land_then_502()
    client.post_comment(7, "bonjour")
    assert [c["body"] for c in ghserver.comments_of(7)].count("bonjour") == 1


def test_server_down_is_a_one_line_error(monkeypatch: pytest.MonkeyPatch) -> None:
    c = GitHubClient.connect("t", "o/r", base_url="http://127.0.0.1:9", timeout=2)
    c.sleep = lambda _s: None
    with pytest.raises(GitHubError, match="did not answer"):
        c.get_pr(1)
