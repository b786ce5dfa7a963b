"""Which commit a `/showtime refresh` deploys, decided from the local GitHub API server's PR:
a fork author's push after the writer's comment is never deployed under the writer's name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from showtime_iac.adapters.github import GitHubClient
from showtime_iac.app.refresh import refresh_commit
from showtime_iac.core.refresh_commit import Approved, Refused
from tests.github_api_server import GitHubServer

SEEN = "a" * 40  # the head the writer reviewed
PUSHED = "b" * 40  # what the fork's author pushed right after the comment
AT = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def test_a_same_repository_pr_deploys_its_head(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    ghserver.add_pr(3, head_sha=SEEN)
    got = refresh_commit(client, 3, requested=None, comment_at=AT)
    assert isinstance(got, Approved) and got.sha == SEEN
    assert ghserver.count("GET", r"/pulls/3/commits$") == 0  # one read: the PR


def test_a_fork_push_after_the_comment_is_refused_with_the_head_to_review(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    ghserver.add_pr(4, head_sha=SEEN, fork=True)
    ghserver.push(4, PUSHED)
    got = refresh_commit(client, 4, requested=None, comment_at=AT)
    assert isinstance(got, Refused)
    assert f"/showtime refresh {PUSHED[:7]}" in got.reply
    # a server-side push time after the comment refuses too; before it, the head is deployed
    later = refresh_commit(
        client, 4, requested=None, comment_at=AT, head_pushed_at=AT + timedelta(seconds=1)
    )
    assert isinstance(later, Refused)
    earlier = refresh_commit(
        client, 4, requested=None, comment_at=AT, head_pushed_at=AT - timedelta(seconds=1)
    )
    assert earlier == Approved(PUSHED, "the fork's head, pushed before the comment")


def test_the_named_commit_is_deployed_even_after_the_fork_pushed(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    ghserver.add_pr(5, head_sha=SEEN, fork=True)
    ghserver.push(5, PUSHED)
    got = refresh_commit(client, 5, requested=SEEN[:7], comment_at=AT)
    assert got == Approved(SEEN, f"the commit the comment names ({SEEN[:7]})")


def test_a_commit_that_left_the_pr_or_never_was_in_it_is_refused(
    ghserver: GitHubServer, client: GitHubClient
) -> None:
    ghserver.add_pr(6, head_sha=SEEN, fork=True)
    ghserver.push(6, PUSHED, force=True)  # SEEN is no longer a commit of the PR
    for requested in (SEEN[:7], "c" * 40):
        got = refresh_commit(client, 6, requested=requested, comment_at=AT)
        assert isinstance(got, Refused) and "not a commit of this PR" in got.reply, requested
