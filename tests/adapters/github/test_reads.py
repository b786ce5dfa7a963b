"""Reads against the local GitHub API server: a PR in one request, forks, 300 PRs in at most
5 requests, permissions, a branch's head."""

from __future__ import annotations

from showtime_iac.adapters.github import GitHubClient
from showtime_iac.core import labels as L
from tests.github_api_server import GitHubServer
from tests.payloads import HEAD

SHA7 = HEAD[:7]


def test_get_pr_reads_labels_state_and_head_in_one_request(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    ghserver.add_pr(
        5, head_sha=HEAD, labels=[L.START, "bug"], author="bob", title="T", body="FEATURE_X=true"
    )
    ghserver.reset_log()
    pr = client.get_pr(5)
    assert (pr.number, pr.state, pr.head_sha, pr.author, pr.title) == (5, "open", HEAD, "bob", "T")
    assert pr.labels == (L.START, "bug") and pr.body == "FEATURE_X=true"
    assert len(ghserver.requests) == 1


def test_a_fork_pr_is_seen_as_a_fork(ghserver: GitHubServer, client: GitHubClient) -> None:
    ghserver.add_pr(6, head_sha=HEAD, fork=True)
    assert client.get_pr(6).is_fork is True


def test_list_of_300_showtime_prs_takes_at_most_5_requests(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    for n in range(1, 301):
        ghserver.add_pr(n, head_sha=HEAD, labels=[f"🎪 {SHA7} 🚦 running", "bug"])
    for n in range(301, 351):
        ghserver.add_pr(n, head_sha=HEAD, labels=["bug"])
    ghserver.add_pr(400, head_sha=HEAD, labels=["testenv-up"])
    ghserver.reset_log()
    prs = client.list_showtime_prs()
    assert sorted(p.number for p in prs) == [*range(1, 301), 400]
    assert len(ghserver.requests) <= 5


def test_permission_lookup(ghserver: GitHubServer, client: GitHubClient) -> None:
    ghserver.collaborators.update({"ann": "admin", "wes": "write", "rea": "read"})
    assert [client.permission(u) for u in ("ann", "wes", "rea", "stranger")] == [
        "admin",
        "write",
        "read",
        "none",
    ]
    ghserver.reset_log()
    assert client.permission("dependabot[bot]") == "none"
    assert ghserver.requests == []


def test_branch_head(ghserver: GitHubServer, client: GitHubClient) -> None:
    ghserver.branches["master"] = "b" * 40
    assert client.branch_head("master") == "b" * 40


def test_a_prs_commits_in_pages_of_100(ghserver: GitHubServer, client: GitHubClient) -> None:
    history = [f"{i:040x}" for i in range(1, 150)]
    ghserver.add_pr(7, head_sha=HEAD, commits=history)
    ghserver.reset_log()
    assert client.pr_commits(7) == (*history, HEAD)
    assert ghserver.count("GET", r"/pulls/7/commits$") == 2
    ghserver.push(7, "f" * 40, force=True)
    assert client.pr_commits(7) == ("f" * 40,)
