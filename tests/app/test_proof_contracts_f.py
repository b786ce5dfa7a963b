"""``BrowserProof.picture`` against the GitHub test server and a local page with the real
headless Chromium: the login asked for by PR and short SHA, the page the browser ended on
(its path, without the query), the picture published in a commit that names the PR and the
commit; a browser that cannot start, a deadline too short to log in and a refused upload
are each a rejected proof with the reason (issue 29)."""

from __future__ import annotations

import pytest

from showtime_iac.adapters.github import GitHubClient
from showtime_iac.app.proof import BrowserProof, ProofRejectedError
from showtime_iac.core.proof import Picture
from tests.adapters.browser.support import requires_chromium
from tests.app.test_proof_sync import PASSWORD, superset
from tests.github_api_server import GitHubServer

SHA = "abc1234def5678abc1234def5678abc1234def56"
PATH = "previews/pr-1234/abc1234.png"
__all__ = ["superset"]  # the fixture of test_proof_sync

RAW = f"https://raw.githubusercontent.com/apache/superset/showtime-previews/{PATH}"


def _proof(ghserver: GitHubServer, logins: list[tuple[int, str]], **kw: object) -> BrowserProof:
    ghserver.branches["showtime-previews"] = "e" * 40
    client = GitHubClient.connect(ghserver.token, ghserver.repo, base_url=ghserver.url)

    def login(pr: int, sha7: str) -> tuple[str, str]:
        logins.append((pr, sha7))
        return "admin", PASSWORD

    return BrowserProof(client, login, **kw)  # type: ignore[arg-type]


def test_a_browser_that_cannot_start_is_a_rejected_proof(ghserver: GitHubServer) -> None:
    logins: list[tuple[int, str]] = []
    proof = _proof(ghserver, logins, exe="/nonexistent/chromium")
    with pytest.raises(ProofRejectedError) as caught:
        proof.picture(1234, SHA, "http://127.0.0.1:9/")
    assert str(caught.value) == (
        "no picture of http://127.0.0.1:9/: cannot start Chromium (/nonexistent/chromium):"
        " No such file or directory"
    )
    assert logins == [(1234, "abc1234")]
    assert ghserver.files == {}


@pytest.mark.browser
@requires_chromium
def test_the_picture_is_published_with_the_page_it_ended_on(
    ghserver: GitHubServer, superset: tuple[str, list[str]]
) -> None:
    logins: list[tuple[int, str]] = []
    proof = _proof(ghserver, logins)
    picture = proof.picture(1234, SHA, f"http://127.0.0.1:{superset[0]}")
    assert picture == Picture(RAW, "/superset/welcome/")
    assert logins == [(1234, "abc1234")]
    [put] = [r for r in ghserver.requests if r.method == "PUT"]
    assert (put.path, put.body["message"], put.body["branch"]) == (
        f"/repos/apache/superset/contents/{PATH}",
        "showtime: picture of PR #1234 at abc1234",
        "showtime-previews",
    )
    assert ghserver.files[("showtime-previews", PATH)][0].startswith(b"\x89PNG")


@pytest.mark.browser
@requires_chromium
def test_a_refused_upload_is_a_rejected_proof(
    ghserver: GitHubServer, superset: tuple[str, list[str]]
) -> None:
    ghserver.fail("PUT", r"/contents/previews/", 403, body={"message": "Resource not accessible"})
    proof = _proof(ghserver, [])
    with pytest.raises(ProofRejectedError) as caught:
        proof.picture(1234, SHA, f"http://127.0.0.1:{superset[0]}")
    assert str(caught.value) == (
        "the picture could not be published: GitHub refused to publish"
        " previews/pr-1234/abc1234.png on branch showtime-previews (it must exist:"
        " docs/proof.md) (403: Resource not"
        " accessible): the token needs contents: write"
    )
    assert ghserver.files == {}


@pytest.mark.browser
@requires_chromium
def test_no_time_to_log_in_is_a_rejected_proof(
    ghserver: GitHubServer, superset: tuple[str, list[str]]
) -> None:
    """The proof's own deadline bounds the capture (here: far too short to log in)."""
    proof = _proof(ghserver, [], timeout=0.001)
    url = f"http://127.0.0.1:{superset[0]}"
    with pytest.raises(ProofRejectedError):  # the login form, or no page at all
        proof.picture(1234, SHA, url)
    assert superset[1] == [] and ghserver.files == {}
