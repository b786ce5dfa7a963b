"""Which commit a `/showtime refresh` approved: the writer's, never a fork's later push."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from showtime_iac.core.refresh_commit import (
    Approved,
    Refused,
    approved_commit,
    parse_requested,
)

HEX = "0123456789abcdef"
shas = st.text(HEX, min_size=40, max_size=40)
COMMENT_AT = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
times = st.one_of(
    st.none(),
    st.integers(-86_400, 86_400).map(lambda s: COMMENT_AT + timedelta(seconds=s)),
)


@given(st.text(max_size=50))
def test_a_requested_commit_is_7_to_40_hex_digits(arg: str) -> None:
    sha = parse_requested(arg)
    cleaned = arg.strip().lower()
    ok = 7 <= len(cleaned) <= 40 and all(c in HEX for c in cleaned)
    assert (sha is not None) == ok
    if sha is not None:
        assert sha == cleaned


@given(st.integers(7, 40), shas)
def test_any_case_and_surrounding_space_are_accepted(n: int, sha: str) -> None:
    assert parse_requested(f"  {sha[:n].upper()}\n") == sha[:n]


@given(
    head=shas,
    commits=st.lists(shas, max_size=5),
    is_fork=st.booleans(),
    requested=st.one_of(st.none(), st.integers(7, 40).flatmap(lambda n: shas.map(lambda s: s[:n]))),
    pushed_at=times,
)
def test_only_a_commit_of_the_pr_is_ever_deployed(
    head: str,
    commits: list[str],
    is_fork: bool,
    requested: str | None,
    pushed_at: datetime | None,
) -> None:
    got = approved_commit(
        head_sha=head,
        commits=commits,
        is_fork=is_fork,
        requested=requested,
        comment_at=COMMENT_AT,
        head_pushed_at=pushed_at,
    )
    if isinstance(got, Approved):
        assert got.sha == head or got.sha in commits
        if requested is not None:
            assert got.sha.startswith(requested)
    else:
        assert isinstance(got, Refused) and got.reply


@given(head=shas, commits=st.lists(shas, max_size=5), pushed_at=times)
def test_a_fork_head_pushed_after_the_comment_or_at_an_unknown_time_is_refused(
    head: str, commits: list[str], pushed_at: datetime | None
) -> None:
    got = approved_commit(
        head_sha=head,
        commits=commits,
        is_fork=True,
        requested=None,
        comment_at=COMMENT_AT,
        head_pushed_at=pushed_at,
    )
    if pushed_at is not None and pushed_at < COMMENT_AT:
        assert got == Approved(head, "the fork's head, pushed before the comment")
    else:
        assert isinstance(got, Refused)
        # the reply names the head to review and the command that deploys it
        assert f"/showtime refresh {head[:7]}" in got.reply


@given(head=shas, pushed_at=times)
def test_a_branch_of_this_repository_deploys_its_head(
    head: str, pushed_at: datetime | None
) -> None:
    got = approved_commit(
        head_sha=head,
        commits=[head],
        is_fork=False,
        requested=None,
        comment_at=COMMENT_AT,
        head_pushed_at=pushed_at,
    )
    assert isinstance(got, Approved) and got.sha == head


@given(head=shas, older=shas, pushed_at=times)
def test_a_named_commit_of_a_fork_is_deployed_even_when_the_head_moved(
    head: str, older: str, pushed_at: datetime | None
) -> None:
    got = approved_commit(
        head_sha=head,
        commits=[older, head],
        is_fork=True,
        requested=older[:7],
        comment_at=COMMENT_AT,
        head_pushed_at=pushed_at,
    )
    if head.startswith(older[:7]) and head != older:
        assert isinstance(got, Refused)  # ambiguous abbreviation: more digits
    else:
        assert got == Approved(older, f"the commit the comment names ({older[:7]})")


def test_a_commit_outside_the_pr_is_refused() -> None:
    got = approved_commit(
        head_sha="a" * 40,
        commits=["b" * 40],
        is_fork=False,
        requested="c" * 7,
        comment_at=COMMENT_AT,
        head_pushed_at=None,
    )
    assert got == Refused(
        "`ccccccc` is not a commit of this PR: nothing was deployed. The head is `aaaaaaa`."
    )


def test_an_abbreviation_of_two_commits_is_refused() -> None:
    got = approved_commit(
        head_sha="abcdef1" + "0" * 33,
        commits=["abcdef1" + "1" * 33],
        is_fork=False,
        requested="abcdef1",
        comment_at=COMMENT_AT,
        head_pushed_at=None,
    )
    assert isinstance(got, Refused) and "more than one commit" in got.reply
