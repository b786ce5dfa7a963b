"""The sticky status comment is only one the token's own identity wrote (issue 26, item 6).
Attack: any commenter writes the marker into a comment of theirs; the tool then edited it
(their comment became the status, under their name, and their text was overwritten)."""

from __future__ import annotations

import pytest

from showtime_iac.adapters.github import GitHubClient
from showtime_iac.adapters.github.errors import GitHubError
from showtime_iac.core.comment import MARKER
from showtime_iac.settings import Settings
from tests.github_api_server import GitHubServer

HEAD = "abc1234" + "0" * 33
INTEGRATION = {"message": "Resource not accessible by integration"}


def installation_token(ghserver: GitHubServer) -> None:
    """GitHub's answer to ``GET /user`` for GITHUB_TOKEN (an installation token)."""
    ghserver.fail("GET", r"^/user$", 403, body=INTEGRATION, times=10)


def test_a_planted_marker_is_never_edited(ghserver: GitHubServer, client: GitHubClient) -> None:
    ghserver.add_pr(7, head_sha=HEAD)
    installation_token(ghserver)
    planted = ghserver.add_comment(7, f"{MARKER}\nI am the status now", author="mallory")
    assert client.status_comment_body(7) is None
    first = client.upsert_status_comment(7, f"{MARKER}\nrunning")
    again = GitHubClient.connect(ghserver.token, ghserver.repo, base_url=ghserver.url)
    second = again.upsert_status_comment(7, f"{MARKER}\nstopped")
    by_id = {c["id"]: c for c in ghserver.comments_of(7)}
    assert by_id[planted]["body"] == f"{MARKER}\nI am the status now"
    assert first == second != planted and len(by_id) == 2
    assert by_id[first]["user"]["login"] == "github-actions[bot]"
    assert by_id[first]["body"] == f"{MARKER}\nstopped"
    assert ghserver.count("GET", r"^/user$") == 2  # once per client


def test_a_personal_token_finds_its_own_comment_by_its_user(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    ghserver.add_pr(7, head_sha=HEAD)
    ghserver.fail("GET", r"^/user$", 200, body={"login": "Alice"})
    bots = ghserver.add_comment(7, f"{MARKER}\nbot's", author="github-actions[bot]")
    mine = ghserver.add_comment(7, f"{MARKER}\nalice's", author="alice")
    assert client.upsert_status_comment(7, f"{MARKER}\nnew") == mine
    assert {c["id"]: c["body"] for c in ghserver.comments_of(7)} == {
        bots: f"{MARKER}\nbot's",
        mine: f"{MARKER}\nnew",
    }


def test_the_configured_login_is_used_without_asking(
    ghserver: GitHubServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    ghserver.add_pr(7, head_sha=HEAD)
    env = {**ghserver.env(), "SHOWTIME_GITHUB_LOGIN": "our-app[bot]"}
    client = GitHubClient.from_settings(Settings.from_env(env))
    ghserver.add_comment(7, f"{MARKER}\nactions'", author="github-actions[bot]")
    ours = ghserver.add_comment(7, f"{MARKER}\nthe app's", author="our-app[bot]")
    assert client.status_comment_body(7) == f"{MARKER}\nthe app's"
    assert client.upsert_status_comment(7, f"{MARKER}\nedited") == ours
    assert ghserver.count("GET", r"^/user$") == 0


def test_a_failing_user_lookup_is_an_error_not_a_guess(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    ghserver.add_pr(7, head_sha=HEAD)
    ghserver.fail("GET", r"^/user$", 422, body={"message": "odd"})
    with pytest.raises(GitHubError, match="token's own user"):
        client.upsert_status_comment(7, f"{MARKER}\nx")
    assert ghserver.comments_of(7) == []
