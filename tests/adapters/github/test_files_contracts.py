"""Files on a branch (the contents API) as their docstrings state them (issue 29), against the
local GitHub API server: created or replaced, their raw URL, removed (False when not there),
only the named branch written, names escaped.

Each test was checked by making the change it guards against and watching it fail.
"""

from __future__ import annotations

import base64

import pytest

from showtime_iac.adapters.github import GitHubClient, GitHubError
from tests.github_api_server import GitHubServer

BRANCH = "shots&more"  # "&" would cut the query short if the branch were not escaped
PATH = "pr 7/shot #1?.png"  # " ", "#" and "?" would cut the path if it were not escaped
RAW = f"https://raw.githubusercontent.com/apache/superset/{BRANCH}/{PATH}"


@pytest.fixture
def branch(ghserver: GitHubServer) -> str:
    ghserver.branches[BRANCH] = "e" * 40
    return BRANCH


def _writes(ghserver: GitHubServer) -> list[tuple[str, str, object]]:
    return [(r.method, r.path, r.body) for r in ghserver.requests if r.method != "GET"]


def test_a_new_file_is_created_on_the_branch_and_its_raw_url_returned(
    ghserver: GitHubServer, client: GitHubClient, branch: str
) -> None:
    assert client.put_file(branch, PATH, b"\x89PNG", "picture of PR 7") == RAW
    assert ghserver.files[(BRANCH, PATH)][0] == b"\x89PNG"
    assert _writes(ghserver) == [
        (
            "PUT",
            f"/repos/apache/superset/contents/{PATH}",
            {"message": "picture of PR 7", "content": "iVBORw==", "branch": BRANCH},
        )
    ]
    assert [r.query for r in ghserver.requests if r.method == "GET"] == [{"ref": BRANCH}]
    assert ghserver.files.keys() == {(BRANCH, PATH)}  # only the named branch


def test_an_existing_file_is_replaced_by_its_sha(
    ghserver: GitHubServer, client: GitHubClient, branch: str
) -> None:
    client.put_file(branch, PATH, b"old", "first")
    old_sha = ghserver.files[(BRANCH, PATH)][1]
    ghserver.reset_log()
    assert client.put_file(branch, PATH, b"new", "second") == RAW
    assert ghserver.files[(BRANCH, PATH)][0] == b"new"
    assert _writes(ghserver) == [
        (
            "PUT",
            f"/repos/apache/superset/contents/{PATH}",
            {
                "message": "second",
                "content": base64.b64encode(b"new").decode("ascii"),
                "branch": BRANCH,
                "sha": old_sha,
            },
        )
    ]


def test_a_missing_branch_is_an_error_that_says_it_must_exist(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    with pytest.raises(GitHubError) as err:
        client.put_file("nowhere", "a.png", b"x", "m")
    assert str(err.value) == (
        "GitHub failed to publish a.png on branch nowhere (it must exist: docs/proof.md)"
        " (404: No commit found for the ref nowhere)"
    )


def test_a_failed_read_of_the_file_is_an_error(
    ghserver: GitHubServer, client: GitHubClient, branch: str
) -> None:
    ghserver.fail("GET", r"/contents/", 403, body={"message": "no"})
    with pytest.raises(GitHubError, match=rf"^GitHub refused to read a.png on branch {BRANCH} "):
        client.put_file(branch, "a.png", b"x", "m")
    assert ghserver.count("PUT") == 0


def test_an_answer_without_a_download_url_is_an_error(
    ghserver: GitHubServer, client: GitHubClient, branch: str
) -> None:
    ghserver.fail("PUT", r"/contents/", 201, body={"content": {"path": "a.png"}})
    with pytest.raises(GitHubError) as err:
        client.put_file(branch, "a.png", b"x", "m")
    assert str(err.value) == f"GitHub published a.png on {BRANCH} but named no download URL"


def test_a_file_is_deleted_by_its_sha_and_false_when_not_there(
    ghserver: GitHubServer, client: GitHubClient, branch: str
) -> None:
    client.put_file(branch, PATH, b"x", "add")
    sha = ghserver.files[(BRANCH, PATH)][1]
    ghserver.reset_log()
    assert client.delete_file(branch, PATH, "gone with the environment") is True
    assert ghserver.files == {}
    assert _writes(ghserver) == [
        (
            "DELETE",
            f"/repos/apache/superset/contents/{PATH}",
            {"message": "gone with the environment", "sha": sha, "branch": BRANCH},
        )
    ]
    ghserver.reset_log()
    assert client.delete_file(branch, PATH, "again") is False
    assert _writes(ghserver) == []


def test_a_file_removed_meanwhile_is_fine(
    ghserver: GitHubServer, client: GitHubClient, branch: str
) -> None:
    client.put_file(branch, "a.png", b"x", "add")
    ghserver.fail("DELETE", r"/contents/", 404, body={"message": "Not Found"})
    assert client.delete_file(branch, "a.png", "m") is True
    ghserver.fail("DELETE", r"/contents/", 409, body={"message": "sha does not match"})
    with pytest.raises(GitHubError) as err:
        client.delete_file(branch, "a.png", "m")
    assert str(err.value) == (
        f"GitHub failed to remove a.png from branch {BRANCH} (409: sha does not match)"
    )


def test_a_path_that_is_no_file_has_no_sha_to_replace(
    ghserver: GitHubServer, client: GitHubClient, branch: str
) -> None:
    ghserver.fail("GET", r"/contents/", 200, body={"type": "dir", "path": "a.png"})
    assert client.put_file(branch, "a.png", b"x", "m").endswith(f"/{BRANCH}/a.png")
    [put] = [r for r in ghserver.requests if r.method == "PUT"]
    assert "sha" not in put.body


@pytest.mark.parametrize(
    "answer", [{"content": None}, {"content": "a.png"}, ["not", "an", "object"]]
)
def test_an_answer_of_another_shape_names_no_download_url(
    ghserver: GitHubServer, client: GitHubClient, branch: str, answer: object
) -> None:
    ghserver.fail("PUT", r"/contents/", 201, body=answer)  # type: ignore[arg-type]
    with pytest.raises(GitHubError) as err:
        client.put_file(branch, "a.png", b"x", "m")
    assert str(err.value) == f"GitHub published a.png on {BRANCH} but named no download URL"


def test_a_refused_publish_or_removal_names_contents_write(
    ghserver: GitHubServer, client: GitHubClient, branch: str
) -> None:
    """Writing a file takes ``contents: write`` (docs/proof.md), not sync's usual permissions:
    the refusal says so."""
    ghserver.fail("PUT", r"/contents/", 403, body={"message": "Resource not accessible"})
    with pytest.raises(GitHubError) as err:
        client.put_file(branch, "a.png", b"x", "m")
    assert str(err.value) == (
        f"GitHub refused to publish a.png on branch {BRANCH} (it must exist: docs/proof.md)"
        " (403: Resource not accessible): the token needs contents: write"
    )
    client.put_file(branch, "b.png", b"x", "m")
    ghserver.fail("DELETE", r"/contents/", 403, body={"message": "Resource not accessible"})
    with pytest.raises(GitHubError) as err:
        client.delete_file(branch, "b.png", "m")
    assert str(err.value) == (
        f"GitHub refused to remove b.png from branch {BRANCH}"
        " (403: Resource not accessible): the token needs contents: write"
    )
