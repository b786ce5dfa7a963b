"""``BrowserProof.remove``: the picture of a torn-down environment leaves the publishing
branch in one commit whose message names the PR and the commit, against the local GitHub API
server (the contents API's DELETE, as GitHub records it in the branch's history)."""

from __future__ import annotations

from showtime_iac.adapters.github import GitHubClient
from showtime_iac.app.proof import BrowserProof
from tests.github_api_server import GitHubServer

SHA = "abc1234def5678abc1234def5678abc1234def56"
PATH = "previews/pr-1234/abc1234.png"


def _proof(ghserver: GitHubServer) -> BrowserProof:
    client = GitHubClient.connect(ghserver.token, ghserver.repo, base_url=ghserver.url)
    return BrowserProof(client, login=lambda _pr, _sha: ("admin", "secret"))


def test_the_picture_is_removed_in_a_commit_that_names_the_pr_and_the_commit(
    ghserver: GitHubServer,
) -> None:
    ghserver.branches["showtime-previews"] = "e" * 40
    ghserver.files[("showtime-previews", PATH)] = (b"\x89PNG", "f" * 40)
    assert _proof(ghserver).remove(1234, SHA) is True
    assert ("showtime-previews", PATH) not in ghserver.files
    [delete] = [r for r in ghserver.requests if r.method == "DELETE"]
    assert (delete.path, delete.body) == (
        f"/repos/apache/superset/contents/{PATH}",
        {
            "message": "showtime: PR #1234 at abc1234 is gone",
            "sha": "f" * 40,
            "branch": "showtime-previews",
        },
    )


def test_no_picture_to_remove_is_false_and_writes_nothing(ghserver: GitHubServer) -> None:
    ghserver.branches["showtime-previews"] = "e" * 40
    assert _proof(ghserver).remove(1234, SHA) is False
    assert [r for r in ghserver.requests if r.method not in ("GET",)] == []
