"""Reads as their docstrings state them (issue 29), against the local GitHub API server: a PR
that is not there, a login's permission in every form GitHub gives it, a listing's PRs field by
field, pages of commits, events and jobs, and where each read stops.

Each test was checked by making the change it guards against and watching it fail.
"""

from __future__ import annotations

import pytest

from showtime_iac.adapters.github import GitHubClient, GitHubError
from showtime_iac.core import labels as L
from showtime_iac.core.guarded import LabelEvent
from showtime_iac.core.image_wait import JobState
from showtime_iac.core.model import InputError, PrInfo
from tests.github_api_server import GitHubServer
from tests.payloads import HEAD

RUNNING = f"🎪 {HEAD[:7]} 🚦 running"


def test_a_pr_that_is_not_there_is_an_input_error(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    with pytest.raises(InputError) as err:
        client.get_pr(99)
    assert str(err.value) == "PR #99 not found in apache/superset"
    ghserver.add_pr(5, head_sha=HEAD)
    ghserver.fail("GET", r"/pulls/5$", 422, body={"message": "odd"})
    with pytest.raises(GitHubError) as other:
        client.get_pr(5)
    assert str(other.value) == "GitHub failed to read PR #5 (422: odd)"


def test_permission_is_the_role_name_then_the_legacy_permission(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    ghserver.collaborators.update({"mae": "maintain", "tri": "triage"})
    assert client.permission("mae") == "maintain"  # the legacy field says "write"
    assert client.permission("tri") == "triage"  # the legacy field says "read"
    perm = r"/collaborators/cus/permission$"
    ghserver.fail("GET", perm, 200, body={"permission": "write", "role_name": "deployer"})
    assert client.permission("cus") == "write"  # a custom role: its base permission
    ghserver.fail("GET", perm, 200, body={"permission": "admin", "role_name": None})
    assert client.permission("cus") == "admin"
    ghserver.fail("GET", perm, 200, body={"role_name": "deployer"})
    assert client.permission("cus") == "none"


def test_no_login_is_nobody_without_a_request(ghserver: GitHubServer, client: GitHubClient) -> None:
    assert client.permission("") == "none"
    assert ghserver.requests == []


def test_a_failed_permission_read_is_an_error_not_none(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    ghserver.fail("GET", r"/collaborators/ann/permission$", 403, body={"message": "no"})
    with pytest.raises(GitHubError, match=r"^GitHub refused to read the permission of @ann "):
        client.permission("ann")


def test_a_listed_pr_is_read_from_the_listing_field_by_field(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    ghserver.add_pr(3, head_sha=HEAD, labels=["bug", RUNNING], author="bob", title="T", body="")
    ghserver.add_pr(2, head_sha="d" * 40, labels=[L.LEGACY], fork=True, body="B")
    ghserver.add_pr(4, head_sha=HEAD, labels=["bug"])
    ghserver.add_pr(1, head_sha=HEAD, labels=[RUNNING], state="closed")
    ghserver.reset_log()
    assert client.list_showtime_prs() == [
        PrInfo(
            number=2,
            state="open",
            head_sha="d" * 40,
            labels=(L.LEGACY,),
            author="alice",
            title="PR 2",
            body="B",
            html_url="https://github.com/apache/superset/pull/2",
            is_fork=True,
            merged=False,
        ),
        PrInfo(
            number=3,
            state="open",
            head_sha=HEAD,
            labels=("bug", RUNNING),
            author="bob",
            title="T",
            body="",
            html_url="https://github.com/apache/superset/pull/3",
            is_fork=False,
            merged=False,
        ),
    ]
    [listing] = ghserver.requests
    assert listing.query == {
        "state": "open",
        "sort": "created",
        "direction": "asc",
        "per_page": "100",
    }


def test_exactly_100_commits_take_a_second_page_and_300_stop_at_three(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    history = [f"{i:040x}" for i in range(1, 100)]
    ghserver.add_pr(7, head_sha=HEAD, commits=history)
    ghserver.reset_log()
    assert client.pr_commits(7) == (*history, HEAD)
    assert [r.query for r in ghserver.requests] == [
        {"per_page": "100", "page": "1"},
        {"per_page": "100", "page": "2"},
    ]
    ghserver.add_pr(8, head_sha=HEAD, commits=[f"{i:040x}" for i in range(1, 400)])
    ghserver.reset_log()
    assert len(client.pr_commits(8)) == 250  # GitHub lists at most 250
    assert ghserver.count("GET", r"/pulls/8/commits$") == 3


def test_events_other_than_labels_are_skipped_and_a_missing_actor_is_empty(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    ghserver.add_pr(6, head_sha=HEAD)
    ghserver.add_labels(6, L.STOP, by="bob")
    ghserver._events[6] += [
        {"id": 1, "event": "assigned", "actor": {"login": "carol"}},
        {"id": 2, "event": "unlabeled", "actor": None, "label": {"name": L.STOP}},
        {"id": 3, "event": "labeled", "actor": {"login": "dan"}, "label": None},
    ]
    assert client.label_events(6) == [
        LabelEvent("labeled", L.STOP, "bob"),
        LabelEvent("unlabeled", L.STOP, ""),
        LabelEvent("labeled", "", "dan"),
    ]


def test_a_history_of_more_than_ten_pages_is_an_error(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    ghserver.add_pr(6, head_sha=HEAD)
    for i in range(1001):
        ghserver.add_labels(6, f"l{i}", by="alice")
    ghserver.reset_log()
    with pytest.raises(GitHubError) as err:
        client.label_events(6)
    assert str(err.value) == "PR #6 has more than 1000 events"
    assert [r.query["page"] for r in ghserver.requests] == [str(p) for p in range(1, 12)]
    assert {r.query["per_page"] for r in ghserver.requests} == {"100"}


def test_ten_full_pages_of_events_are_read(ghserver: GitHubServer, client: GitHubClient) -> None:
    """Exactly 1000 events are not "more than 1000": the 11th page is read, and is empty."""
    ghserver.add_pr(6, head_sha=HEAD)
    for i in range(1000):
        ghserver.add_labels(6, f"l{i}", by="alice")
    ghserver.reset_log()
    events = client.label_events(6)
    assert len(events) == 1000 and events[-1] == LabelEvent("labeled", "l999", "alice")
    assert ghserver.count("GET", r"/issues/6/events$") == 11
    ghserver.remove_labels(6, "l0", by="bob")  # the 1001st
    ghserver.reset_log()
    with pytest.raises(GitHubError):
        client.label_events(6)
    ghserver.reset_log()
    del ghserver._events[6][900:]
    assert len(client.label_events(6)) == 900
    assert ghserver.count("GET", r"/issues/6/events$") == 10  # the 10th page is empty: no 11th


def test_a_failed_event_read_names_the_pr(ghserver: GitHubServer, client: GitHubClient) -> None:
    ghserver.fail("GET", r"/issues/6/events$", 404, body={"message": "Not Found"})
    with pytest.raises(GitHubError) as err:
        client.label_events(6)
    assert str(err.value) == "GitHub failed to read the events of PR #6 (404: Not Found)"


def test_a_run_job_is_found_by_name_in_the_latest_attempt(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    ghserver.run_jobs[42] = [
        {"name": "plan", "status": "completed", "conclusion": "success"},
        {"name": "push", "status": None, "conclusion": None, "completed_at": None},
    ]
    assert client.run_job(42, "push") == JobState("push", "", None, None)
    assert client.run_job(42, "absent") is None
    assert [r.query for r in ghserver.requests][-1] == {
        "filter": "latest",
        "per_page": "100",
        "page": "1",
    }
    ghserver.run_jobs[42][0]["completed_at"] = "2026-12-01T10:00:00Z"
    assert client.run_job(42, "plan") == JobState(
        "plan", "completed", "success", "2026-12-01T10:00:00Z"
    )


def test_run_jobs_are_read_page_by_page_up_to_three(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    ghserver.run_jobs[42] = [{"name": f"job {i}", "status": "queued"} for i in range(350)]
    assert client.run_job(42, "job 250") == JobState("job 250", "queued")
    assert client.run_job(42, "job 320") is None  # beyond the third page
    ghserver.reset_log()
    ghserver.run_jobs[43] = [{"name": f"job {i}", "status": "queued"} for i in range(100)]
    assert client.run_job(43, "other") is None
    assert ghserver.count("GET") == 2  # a full page: the next one is read (and is empty)
    with pytest.raises(GitHubError) as err:
        client.run_job(44, "x")
    assert str(err.value) == "GitHub failed to read the jobs of workflow run 44 (404: Not Found)"


def test_a_branch_that_is_not_there_is_an_error(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    with pytest.raises(GitHubError) as err:
        client.branch_head("gone")
    assert str(err.value) == "GitHub failed to read branch gone (404: Branch not found)"


def test_a_failed_commit_listing_names_the_pr(ghserver: GitHubServer, client: GitHubClient) -> None:
    ghserver.fail("GET", r"/pulls/7/commits$", 422, body={"message": "odd"})
    with pytest.raises(GitHubError) as err:
        client.pr_commits(7)
    assert str(err.value) == "GitHub failed to list the commits of PR #7 (422: odd)"


def test_a_listed_pr_without_author_title_or_url_reads_them_empty(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    ghserver.add_pr(3, head_sha=HEAD, labels=[RUNNING])
    doc = ghserver._pull_json(3)
    doc.update(user=None, title=None, html_url=None)  # a deleted account, as GitHub lists it
    ghserver.fail("GET", r"/pulls$", 200, body=[doc])  # type: ignore[arg-type]
    [pr] = client.list_showtime_prs()
    assert (pr.number, pr.author, pr.title, pr.html_url) == (3, "", "", "")


def test_a_failed_listing_names_it(ghserver: GitHubServer, client: GitHubClient) -> None:
    ghserver.fail("GET", r"/pulls$", 422, body={"message": "odd"})
    with pytest.raises(GitHubError) as err:
        client.list_showtime_prs()
    assert str(err.value) == "GitHub failed to list the open pull requests (422: odd)"
