"""The sticky status comment and one-off replies as their docstrings state them (issue 29),
against the local GitHub API server: whose comment is the sticky one, what is read once, edited
in place or posted anew, and never posted twice after a lost answer.

Each test was checked by making the change it guards against and watching it fail.
"""

from __future__ import annotations

import pytest

from showtime_iac.adapters.github import GitHubClient, GitHubError
from showtime_iac.core.comment import MARKER
from showtime_iac.core.model import InputError
from tests.github_api_server import GitHubServer, Recorded
from tests.payloads import HEAD

COMMENTS = r"^/repos/apache/superset/issues/7/comments$"
BOT = "github-actions[bot]"


@pytest.fixture
def pr(ghserver: GitHubServer) -> int:
    ghserver.add_pr(7, head_sha=HEAD)
    return 7


def _bodies(ghserver: GitHubServer) -> list[str]:
    return [str(c["body"]) for c in ghserver.comments_of(7)]


def test_a_token_that_cannot_read_its_user_writes_as_github_actions(
    ghserver: GitHubServer, client: GitHubClient, pr: int
) -> None:
    ghserver.fail("GET", r"^/user$", 404, body={"message": "Not Found"})
    assert client.own_login() == BOT
    assert client.own_login() == BOT
    assert ghserver.count("GET", r"^/user$") == 1


def test_the_users_login_is_asked_once(
    ghserver: GitHubServer, client: GitHubClient, pr: int
) -> None:
    ghserver.fail("GET", r"^/user$", 200, body={"login": "alice"}, times=5)
    assert client.own_login() == "alice"
    assert client.own_login() == "alice"
    assert ghserver.count("GET", r"^/user$") == 1


def test_the_author_is_compared_in_any_case(
    ghserver: GitHubServer, client: GitHubClient, pr: int
) -> None:
    ghserver.fail("GET", r"^/user$", 200, body={"login": "alice"})
    ghserver.add_comment(7, "no marker here", author="alice")
    mine = ghserver.add_comment(7, f"{MARKER}\nmine", author="ALICE")
    assert client.status_comment_body(7) == f"{MARKER}\nmine"
    assert client.upsert_status_comment(7, f"{MARKER}\nnew") == mine


def test_the_sticky_comment_is_read_once_and_remembered_after_each_write(
    ghserver: GitHubServer, client: GitHubClient, pr: int
) -> None:
    assert client.status_comment_body(7) is None
    assert client.status_comment_body(7) is None
    assert ghserver.count("GET", COMMENTS) == 1
    first = client.upsert_status_comment(7, f"{MARKER}\none")
    assert client.status_comment_body(7) == f"{MARKER}\none"
    assert client.upsert_status_comment(7, f"{MARKER}\ntwo") == first
    assert client.status_comment_body(7) == f"{MARKER}\ntwo"
    assert ghserver.count("GET", COMMENTS) == 1
    assert _bodies(ghserver) == [f"{MARKER}\ntwo"]
    assert [(r.method, r.path, r.body) for r in ghserver.requests if r.method != "GET"] == [
        ("POST", "/repos/apache/superset/issues/7/comments", {"body": f"{MARKER}\none"}),
        ("PATCH", f"/repos/apache/superset/issues/comments/{first}", {"body": f"{MARKER}\ntwo"}),
    ]


def test_a_status_comment_deleted_meanwhile_is_posted_anew(
    ghserver: GitHubServer, client: GitHubClient, pr: int
) -> None:
    old = ghserver.add_comment(7, f"{MARKER}\nold", author=BOT)
    assert client.status_comment_body(7) == f"{MARKER}\nold"
    ghserver.fail("PATCH", rf"/issues/comments/{old}$", 404, body={"message": "Not Found"})
    new = client.upsert_status_comment(7, f"{MARKER}\nnew")
    assert new != old
    assert [(c["id"], c["body"]) for c in ghserver.comments_of(7)] == [
        (old, f"{MARKER}\nold"),
        (new, f"{MARKER}\nnew"),
    ]
    assert client.status_comment_body(7) == f"{MARKER}\nnew"


def test_an_edit_refused_otherwise_is_an_error_and_posts_nothing(
    ghserver: GitHubServer, client: GitHubClient, pr: int
) -> None:
    old = ghserver.add_comment(7, f"{MARKER}\nold", author=BOT)
    ghserver.fail("PATCH", rf"/issues/comments/{old}$", 422, body={"message": "too long"})
    with pytest.raises(GitHubError) as err:
        client.upsert_status_comment(7, f"{MARKER}\nnew")
    assert str(err.value) == "GitHub failed to edit the status comment of PR #7 (422: too long)"
    assert _bodies(ghserver) == [f"{MARKER}\nold"] and ghserver.count("POST") == 0
    assert client.status_comment_body(7) == f"{MARKER}\nold"


def test_a_status_comment_that_landed_before_a_502_is_not_posted_again(
    ghserver: GitHubServer, client: GitHubClient, pr: int
) -> None:
    landed: list[int] = []

    def land(r: Recorded) -> None:
        landed.append(ghserver.add_comment(7, r.body["body"], author=BOT))

    ghserver.on("POST", COMMENTS, land)
    ghserver.fail("POST", COMMENTS, 502)
    assert client.upsert_status_comment(7, f"{MARKER}\nrunning") == landed[0]
    assert _bodies(ghserver) == [f"{MARKER}\nrunning"]
    assert client.status_comment_body(7) == f"{MARKER}\nrunning"


def test_a_status_comment_lost_before_it_landed_is_posted_again(
    ghserver: GitHubServer, client: GitHubClient, pr: int
) -> None:
    ghserver.fail("POST", COMMENTS, 502)
    cid = client.upsert_status_comment(7, f"{MARKER}\nrunning")
    assert [(c["id"], c["body"]) for c in ghserver.comments_of(7)] == [(cid, f"{MARKER}\nrunning")]
    assert ghserver.count("POST", COMMENTS) == 2


def test_a_reply_is_re_posted_unless_among_the_last_five(
    ghserver: GitHubServer, client: GitHubClient, pr: int
) -> None:
    ghserver.add_comment(7, "🎪 done")
    for i in range(5):
        ghserver.add_comment(7, f"chatter {i}")
    ghserver.fail("POST", COMMENTS, 502)  # lost before it landed: the old "done" is too old
    client.post_comment(7, "🎪 done")
    assert _bodies(ghserver).count("🎪 done") == 2
    ghserver.fail("POST", COMMENTS, 500, body={"message": "oops"}, times=3)
    with pytest.raises(GitHubError) as err:
        client.post_comment(7, "🎪 again")
    assert str(err.value) == "GitHub failed to comment on PR #7 (500: oops)"


def test_a_reply_that_landed_before_a_502_is_not_re_posted(
    ghserver: GitHubServer, client: GitHubClient, pr: int
) -> None:
    ghserver.add_comment(7, "earlier")

    def land(r: Recorded) -> None:
        ghserver.add_comment(7, r.body["body"], author=BOT)

    ghserver.on("POST", COMMENTS, land)
    ghserver.fail("POST", COMMENTS, 502)
    client.post_comment(7, "🎪 done")
    assert _bodies(ghserver) == ["earlier", "🎪 done"]


def test_a_failed_check_whether_it_landed_names_the_write(
    ghserver: GitHubServer, client: GitHubClient, pr: int
) -> None:
    ghserver.fail("POST", COMMENTS, 502)
    ghserver.fail("GET", COMMENTS, 422, body={"message": "odd"})
    with pytest.raises(GitHubError) as err:
        client.post_comment(7, "🎪 done")
    assert str(err.value) == (
        "GitHub failed to check whether 'comment on PR #7' went through (422: odd)"
    )


def test_a_failed_user_lookup_names_it(
    ghserver: GitHubServer, client: GitHubClient, pr: int
) -> None:
    ghserver.fail("GET", r"^/user$", 401, body={"message": "Bad credentials"})
    with pytest.raises(InputError) as bad:
        client.own_login()
    assert str(bad.value) == (
        "GitHub rejected GITHUB_TOKEN while trying to read the token's own user"
        " (401 Bad credentials): export a valid token"
    )


def test_a_failed_comment_read_names_the_pr(
    ghserver: GitHubServer, client: GitHubClient, pr: int
) -> None:
    client.login = BOT
    ghserver.fail("GET", COMMENTS, 422, body={"message": "odd"})
    with pytest.raises(GitHubError) as err:
        client.status_comment_body(7)
    assert str(err.value) == "GitHub failed to read the comments of PR #7 (422: odd)"


def test_a_comment_of_a_deleted_account_is_skipped(
    ghserver: GitHubServer, client: GitHubClient, pr: int
) -> None:
    client.login = BOT
    ghost = ghserver.add_comment(7, f"{MARKER}\nghost's", author=BOT)
    ghserver._comments[ghost]["user"] = None  # GitHub's answer for a deleted account
    mine = ghserver.add_comment(7, f"{MARKER}\nmine", author=BOT)
    assert client.upsert_status_comment(7, f"{MARKER}\nnew") == mine


def test_an_edited_status_comment_is_edited_again_by_its_id(
    ghserver: GitHubServer, client: GitHubClient, pr: int
) -> None:
    client.login = BOT
    old = ghserver.add_comment(7, f"{MARKER}\nold", author=BOT)
    assert client.upsert_status_comment(7, f"{MARKER}\ntwo") == old
    assert client.upsert_status_comment(7, f"{MARKER}\nthree") == old
    assert _bodies(ghserver) == [f"{MARKER}\nthree"]


def test_a_failed_post_of_the_status_comment_names_it(
    ghserver: GitHubServer, client: GitHubClient, pr: int
) -> None:
    client.login = BOT
    ghserver.fail("POST", COMMENTS, 422, body={"message": "odd"})
    with pytest.raises(GitHubError) as err:
        client.upsert_status_comment(7, f"{MARKER}\nx")
    assert str(err.value) == "GitHub failed to post the status comment on PR #7 (422: odd)"
