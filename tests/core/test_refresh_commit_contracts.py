"""Which commit a `/showtime refresh` approved (core/refresh_commit, docs/commands.md): the
contracts the mutation run (issue 29) found no test pinning down: the answers in full and the
push at the very moment of the comment. Each test was checked by making the change and
watching it fail.
"""

from __future__ import annotations

from datetime import UTC, datetime

from showtime_iac.core.refresh_commit import Approved, Refused, approved_commit

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
HEAD = "abc1234" + "d" * 33
OLD = "0123456" + "e" * 33
OLD2 = "0123457" + "f" * 33


def approve(**kw: object) -> Approved | Refused:
    args: dict[str, object] = {
        "head_sha": HEAD,
        "commits": [OLD, OLD2, HEAD],
        "is_fork": True,
        "requested": None,
        "comment_at": AT,
        "head_pushed_at": None,
    }
    return approved_commit(**{**args, **kw})  # type: ignore[arg-type]


def test_the_answers_in_full() -> None:
    assert approve(is_fork=False) == Approved(HEAD, "the head of a branch of this repository")
    assert approve(requested="012345") == Refused(
        "`012345` names more than one commit of this PR: give more digits. Nothing was deployed."
    )
    assert approve() == Refused(
        "This PR comes from a fork and its head may have moved after your comment, so nothing "
        "was deployed. Review the head `abc1234` and reply `/showtime refresh abc1234` to "
        "deploy it."
    )


def test_a_fork_head_pushed_at_the_very_moment_of_the_comment_is_refused() -> None:
    """Only a push strictly before the comment is one the writer can have seen."""
    assert isinstance(approve(head_pushed_at=AT), Refused)
