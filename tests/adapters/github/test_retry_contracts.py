"""Rate limits and read retries as the retry module's docstrings state them (issue 29),
against the local GitHub API server: how long a refused write waits for each form of rate
limit, and how reads are retried by urllib3 with ``Retry-After`` capped at ``max_wait``.

Each test was checked by making the change it guards against and watching it fail.
"""

from __future__ import annotations

import time

import pytest
import urllib3.util.retry

from showtime_iac.adapters.github import GitHubClient, GitHubError
from tests.github_api_server import GitHubServer
from tests.payloads import HEAD

LABEL = f"🎪 {HEAD[:7]} 🚦 running"
LABELS = r"^/repos/apache/superset/issues/7/labels$"
LIMITED = {"message": "API rate limit exceeded for installation ID 1."}


@pytest.fixture
def slept(client: GitHubClient, ghserver: GitHubServer) -> list[float]:
    """What the client waited between write attempts (its injectable ``sleep``)."""
    ghserver.add_pr(7, head_sha=HEAD)
    out: list[float] = []
    client.sleep = out.append
    return out


def test_a_spent_quota_waits_until_its_reset_and_a_second(
    ghserver: GitHubServer, client: GitHubClient, slept: list[float]
) -> None:
    reset = str(int(time.time()) + 30)
    headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}
    ghserver.fail("POST", LABELS, 403, headers=headers)  # the message says nothing of limits
    client.apply_label_diff(7, [LABEL], [])
    [wait] = slept
    assert 29.5 < wait <= 31.0
    assert ghserver.labels_of(7) == [LABEL]


def test_a_reset_past_waits_nothing(
    ghserver: GitHubServer, client: GitHubClient, slept: list[float]
) -> None:
    headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(time.time()) - 100)}
    ghserver.fail("POST", LABELS, 429, headers=headers)
    client.apply_label_diff(7, [LABEL], [])
    assert slept == [0.0]


def test_a_quota_left_is_no_rate_limit(
    ghserver: GitHubServer, client: GitHubClient, slept: list[float]
) -> None:
    headers = {"X-RateLimit-Remaining": "1", "X-RateLimit-Reset": str(int(time.time()) + 30)}
    ghserver.fail("POST", LABELS, 429, headers=headers)
    with pytest.raises(GitHubError) as err:
        client.apply_label_diff(7, [LABEL], [])
    assert str(err.value) == "GitHub failed to add labels to PR #7 (429: scripted)"
    assert slept == [] and ghserver.count("POST", LABELS) == 1


def test_retry_after_on_a_5xx_is_a_5xx_backoff(
    ghserver: GitHubServer, client: GitHubClient, slept: list[float]
) -> None:
    ghserver.fail("POST", LABELS, 502, headers={"Retry-After": "30"}, body=LIMITED)
    client.apply_label_diff(7, [LABEL], [])
    assert slept == [0.5] and client.retried is True


def _urllib3_sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    out: list[float] = []
    monkeypatch.setattr(urllib3.util.retry.time, "sleep", out.append)  # type: ignore[attr-defined]
    return out


def test_a_read_waits_retry_after_up_to_max_wait(
    ghserver: GitHubServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    ghserver.add_pr(5, head_sha=HEAD)
    client = GitHubClient.connect(ghserver.token, ghserver.repo, base_url=ghserver.url, max_wait=5)
    waits = _urllib3_sleeps(monkeypatch)
    ghserver.fail("GET", r"/pulls/5$", 403, headers={"Retry-After": "5"}, times=2)
    assert client.get_pr(5).number == 5
    assert waits == [5.0, 5.0]  # each retry asks again: the cap applies to each wait


def test_a_read_asked_to_wait_beyond_max_wait_stops(
    ghserver: GitHubServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    ghserver.add_pr(5, head_sha=HEAD)
    client = GitHubClient.connect(ghserver.token, ghserver.repo, base_url=ghserver.url, max_wait=5)
    waits = _urllib3_sleeps(monkeypatch)
    ghserver.fail("GET", r"/pulls/5$", 429, headers={"Retry-After": "6"})
    with pytest.raises(GitHubError) as err:
        client.get_pr(5)
    assert str(err.value) == (
        "GitHub asks to wait 6s (Retry-After), more than the 5s this run allows:"
        " re-run the job later"
    )
    assert waits == []


def test_a_read_is_retried_four_times_on_5xx_with_backoff(
    ghserver: GitHubServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    ghserver.add_pr(5, head_sha=HEAD)
    client = GitHubClient.connect(ghserver.token, ghserver.repo, base_url=ghserver.url)
    waits = _urllib3_sleeps(monkeypatch)
    ghserver.fail("GET", r"/pulls/5$", 502, times=4)
    assert client.get_pr(5).number == 5
    assert waits == [1.0, 2.0, 4.0]  # 0.5 * 2 ** (n - 1) from the second retry on
    assert ghserver.count("GET", r"/pulls/5$") == 5
    ghserver.reset_log()
    ghserver.fail("GET", r"/pulls/5$", 502, times=5)
    with pytest.raises(GitHubError):
        client.get_pr(5)
    assert ghserver.count("GET", r"/pulls/5$") == 5


def test_a_write_is_never_retried_by_urllib3(
    ghserver: GitHubServer, client: GitHubClient, slept: list[float]
) -> None:
    client.write_attempts = 1
    ghserver.fail("POST", LABELS, 502, times=5)
    with pytest.raises(GitHubError):
        client.apply_label_diff(7, [LABEL], [])
    assert ghserver.count("POST", LABELS) == 1


def test_a_read_whose_quota_resets_beyond_max_wait_stops(
    ghserver: GitHubServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    ghserver.add_pr(5, head_sha=HEAD)
    client = GitHubClient.connect(ghserver.token, ghserver.repo, base_url=ghserver.url, max_wait=60)
    waits = _urllib3_sleeps(monkeypatch)
    headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(time.time()) + 120)}
    ghserver.fail("GET", r"/pulls/5$", 403, headers=headers, body=LIMITED)
    with pytest.raises(GitHubError) as err:
        client.get_pr(5)
    assert str(err.value) == (
        "GitHub failed to read PR #5 (403: API rate limit exceeded for installation ID 1.)"
    )
    assert waits == [] and ghserver.count("GET", r"/pulls/5$") == 1


@pytest.mark.parametrize(
    "message",
    [
        "Rate limit reached for this token",  # ours: "rate limit" in any case
        "You have triggered an abuse detection mechanism. Please wait a few minutes before you"
        " try again.",  # PyGithub's: a secondary rate limit
    ],
)
def test_a_rate_limit_is_told_by_its_message(
    ghserver: GitHubServer, client: GitHubClient, slept: list[float], message: str
) -> None:
    ghserver.fail("POST", LABELS, 403, body={"message": message})
    client.apply_label_diff(7, [LABEL], [])
    assert slept == [5.0] and client.retried is False
