"""The transport's write retries and error messages, as its docstrings state them (issue 29),
against the local GitHub API server: how many attempts, how long between them, what a rate
limit costs, which answers are never repeated, and the one line each failure becomes.

Each test was checked by making the change it guards against and watching it fail.
"""

from __future__ import annotations

import time

import pytest

from showtime_iac.adapters.github import GitHubClient, GitHubError
from showtime_iac.adapters.github.errors import WRITE_PERMISSIONS
from showtime_iac.core.model import InputError
from tests.github_api_server import GitHubServer
from tests.payloads import HEAD

LABEL = f"🎪 {HEAD[:7]} 🚦 running"
LABELS = r"^/repos/apache/superset/issues/7/labels$"
WHAT = "add labels to PR #7"


@pytest.fixture
def slept(client: GitHubClient) -> list[float]:
    """What the client waited, in order (its injectable ``sleep``)."""
    out: list[float] = []
    client.sleep = out.append
    return out


@pytest.fixture
def pr(ghserver: GitHubServer) -> int:
    ghserver.add_pr(7, head_sha=HEAD)
    return 7


def test_a_5xx_write_is_tried_three_times_with_backoff_then_one_line(
    ghserver: GitHubServer, client: GitHubClient, slept: list[float], pr: int
) -> None:
    ghserver.fail("POST", LABELS, 502, times=10)
    with pytest.raises(GitHubError) as err:
        client.apply_label_diff(pr, [LABEL], [])
    assert str(err.value) == f"GitHub failed to {WHAT} (502: scripted)"
    assert err.value.status == 502
    assert ghserver.count("POST", LABELS) == 3
    assert slept == [0.5, 1.0]
    assert client.retried is True


def test_the_backoff_doubles_up_to_four_seconds(
    ghserver: GitHubServer, client: GitHubClient, slept: list[float], pr: int
) -> None:
    client.write_attempts = 6
    ghserver.fail("POST", LABELS, 500, times=5)
    client.apply_label_diff(pr, [LABEL], [])
    assert slept == [0.5, 1.0, 2.0, 4.0, 4.0]
    assert ghserver.labels_of(pr) == [LABEL]
    assert client.retried is True


def test_a_4xx_write_is_not_repeated(
    ghserver: GitHubServer, client: GitHubClient, slept: list[float], pr: int
) -> None:
    ghserver.fail("POST", LABELS, 400, body={"message": "Problems parsing JSON"})
    with pytest.raises(GitHubError) as err:
        client.apply_label_diff(pr, [LABEL], [])
    assert str(err.value) == f"GitHub failed to {WHAT} (400: Problems parsing JSON)"
    assert err.value.status == 400
    assert ghserver.count("POST", LABELS) == 1 and slept == []
    assert client.retried is False


def test_a_write_without_a_5xx_is_not_retried(
    ghserver: GitHubServer, client: GitHubClient, slept: list[float], pr: int
) -> None:
    client.retried = True  # left from an earlier write
    client.apply_label_diff(pr, [LABEL], [])
    assert client.retried is False and slept == []


def test_a_rate_limit_waits_retry_after_and_is_not_a_retry(
    ghserver: GitHubServer, client: GitHubClient, slept: list[float], pr: int
) -> None:
    ghserver.fail("POST", LABELS, 429, headers={"Retry-After": "7"})
    client.apply_label_diff(pr, [LABEL], [])
    assert slept == [7.0]
    assert ghserver.labels_of(pr) == [LABEL]
    assert client.retried is False  # the request was not carried out: nothing may have landed


@pytest.mark.parametrize(("header", "waits"), [("-3", 0.0), ("soon", 5.0), ("2.5", 2.5)])
def test_retry_after_is_never_negative_and_a_bad_one_waits_five_seconds(
    ghserver: GitHubServer,
    client: GitHubClient,
    slept: list[float],
    pr: int,
    header: str,
    waits: float,
) -> None:
    ghserver.fail("POST", LABELS, 403, headers={"Retry-After": header})
    client.apply_label_diff(pr, [LABEL], [])
    assert slept == [waits]


def test_a_rate_limit_message_without_headers_waits_five_seconds(
    ghserver: GitHubServer, client: GitHubClient, slept: list[float], pr: int
) -> None:
    limited = {"message": "You have exceeded a secondary rate limit. Please wait."}
    ghserver.fail("POST", LABELS, 403, body=limited)
    client.apply_label_diff(pr, [LABEL], [])
    assert slept == [5.0]


def test_a_rate_limit_on_the_last_attempt_names_the_status_not_the_permissions(
    ghserver: GitHubServer, client: GitHubClient, slept: list[float], pr: int
) -> None:
    limited = {"message": "API rate limit exceeded for installation ID 1."}
    ghserver.fail("POST", LABELS, 403, body=limited, times=3)
    with pytest.raises(GitHubError) as err:
        client.apply_label_diff(pr, [LABEL], [])
    assert str(err.value) == (
        f"GitHub failed to {WHAT} (403: API rate limit exceeded for installation ID 1.)"
    )
    assert err.value.status == 403 and slept == [5.0, 5.0]


def test_a_wait_within_max_wait_is_made(
    ghserver: GitHubServer, client: GitHubClient, slept: list[float], pr: int
) -> None:
    client.max_wait = 10.0
    ghserver.fail("POST", LABELS, 429, headers={"Retry-After": "10"})
    client.apply_label_diff(pr, [LABEL], [])
    assert slept == [10.0]


def test_a_wait_beyond_max_wait_is_an_error_without_waiting(
    ghserver: GitHubServer, client: GitHubClient, slept: list[float], pr: int
) -> None:
    client.max_wait = 10.0
    ghserver.fail("POST", LABELS, 429, headers={"Retry-After": "11"})
    with pytest.raises(GitHubError) as err:
        client.apply_label_diff(pr, [LABEL], [])
    assert str(err.value) == (
        f"GitHub rate-limits us while trying to {WHAT}: waiting 11s more would exceed 10s;"
        " re-run the job later"
    )
    assert err.value.status == 429 and slept == []
    assert ghserver.labels_of(pr) == []


def test_max_wait_counts_every_wait_of_one_write(
    ghserver: GitHubServer, client: GitHubClient, slept: list[float], pr: int
) -> None:
    client.max_wait = 10.0
    client.write_attempts = 4
    ghserver.fail("POST", LABELS, 429, headers={"Retry-After": "4"}, times=3)
    with pytest.raises(GitHubError, match="waiting 4s more would exceed 10s"):
        client.apply_label_diff(pr, [LABEL], [])
    assert slept == [4.0, 4.0]  # 4 + 4 waited, 4 more would make 12


def test_the_default_budget_is_sixty_seconds_and_three_attempts(ghserver: GitHubServer) -> None:
    client = GitHubClient.connect(ghserver.token, ghserver.repo, base_url=ghserver.url)
    assert (client.max_wait, client.write_attempts) == (60.0, 3)
    assert client.sleep is time.sleep


def test_a_read_only_token_is_told_what_it_needs(ghserver: GitHubServer, pr: int) -> None:
    ghserver.read_only_tokens.add("ghs_read")
    client = GitHubClient.connect("ghs_read", ghserver.repo, base_url=ghserver.url)
    client.sleep = lambda _s: None
    with pytest.raises(GitHubError) as err:
        client.apply_label_diff(pr, [LABEL], [])
    assert str(err.value) == (
        f"GitHub refused to {WHAT} (403: Resource not accessible by integration): the token"
        f" needs {WRITE_PERMISSIONS}"
    )
    assert err.value.status == 403
    assert ghserver.count("POST", LABELS) == 1


def test_a_bad_token_is_an_input_error_and_not_repeated(ghserver: GitHubServer, pr: int) -> None:
    client = GitHubClient.connect("ghs_wrong", ghserver.repo, base_url=ghserver.url)
    client.sleep = lambda _s: None
    with pytest.raises(InputError) as err:
        client.apply_label_diff(pr, [LABEL], [])
    assert str(err.value) == (
        f"GitHub rejected GITHUB_TOKEN while trying to {WHAT} (401 Bad credentials):"
        " export a valid token"
    )
    assert ghserver.count("POST", LABELS) == 1
    with pytest.raises(InputError, match=r"^GitHub rejected GITHUB_TOKEN while trying to read PR"):
        client.get_pr(pr)


def test_a_lost_answer_repeats_an_idempotent_write(ghserver: GitHubServer, pr: int) -> None:
    client = GitHubClient.connect(ghserver.token, ghserver.repo, base_url=ghserver.url, timeout=1)
    slept: list[float] = []
    client.sleep = slept.append
    ghserver.on("POST", LABELS, lambda _r: time.sleep(2.5))
    client.apply_label_diff(pr, [LABEL], [])
    assert ghserver.labels_of(pr) == [LABEL]
    assert ghserver.count("POST", LABELS) == 2 and slept == [0.5]
    assert client.retried is True


def test_a_lost_last_answer_says_the_api_did_not_answer(ghserver: GitHubServer, pr: int) -> None:
    client = GitHubClient.connect(ghserver.token, ghserver.repo, base_url=ghserver.url, timeout=1)
    client.sleep = lambda _s: None
    client.write_attempts = 1
    ghserver.on("POST", LABELS, lambda _r: time.sleep(2.5))
    with pytest.raises(GitHubError) as err:
        client.apply_label_diff(pr, [LABEL], [])
    assert str(err.value) == (
        f"GitHub API at {ghserver.url} did not answer while trying to {WHAT} (ReadTimeout)"
    )
    assert err.value.status is None


def test_connect_hands_its_budget_and_sleep_to_the_writes(ghserver: GitHubServer, pr: int) -> None:
    slept: list[float] = []
    client = GitHubClient.connect(
        ghserver.token, ghserver.repo, base_url=ghserver.url, max_wait=10, sleep=slept.append
    )
    ghserver.fail("POST", LABELS, 502)
    ghserver.fail("POST", LABELS, 429, headers={"Retry-After": "11"})
    with pytest.raises(GitHubError, match="waiting 11s more would exceed 10s"):
        client.apply_label_diff(pr, [LABEL], [])
    assert slept == [0.5]
