"""Which commit a `/showtime refresh` deploys, decided from the local GitHub API server's PR:
a fork author's push after the writer's comment is never deployed under the writer's name."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from showtime_iac.adapters.github import GitHubClient
from showtime_iac.app.refresh import refresh_commit
from showtime_iac.cli.main import main
from showtime_iac.core.refresh_commit import Approved, Refused
from tests import payloads as P
from tests.github_api_server import GitHubServer

SEEN = "a" * 40  # the head the writer reviewed
PUSHED = "b" * 40  # what the fork's author pushed right after the comment
AT = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


@pytest.fixture
def client(ghserver: GitHubServer) -> GitHubClient:
    return GitHubClient.connect(ghserver.token, ghserver.repo, base_url=ghserver.url)


@pytest.fixture
def env(ghserver: GitHubServer, monkeypatch: pytest.MonkeyPatch) -> GitHubServer:
    """The CLI reads the local server from the environment, as in the workflow."""
    for name, value in ghserver.env().items():
        monkeypatch.setenv(name, value)
    return ghserver


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


def _comment_event(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "event.json"
    payload = P.issue_comment(body, [])  # created 2026-01-15T14:30:00Z, PR 1234
    path.write_text(json.dumps(payload), encoding="utf-8")
    return path


def test_the_plan_jobs_command_names_the_commit_or_the_refusal(
    env: GitHubServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What the workflow's plan job runs for a comment: the fork's head moved after the
    writer's comment, so a plain refresh is refused and a named commit is deployed."""
    env.add_pr(1234, head_sha=SEEN, fork=True)
    env.push(1234, PUSHED)

    def run(body: str, *extra: str) -> dict[str, object]:
        event = _comment_event(tmp_path, body)
        assert main(["refresh-commit", "1234", "--event", str(event), *extra]) == 0
        doc = json.loads(capsys.readouterr().out)
        assert isinstance(doc, dict)
        return doc

    assert run("/showtime extend 48h") == {"refresh": False}
    refused = run("/showtime refresh")
    assert refused["sha"] is None and f"refresh {PUSHED[:7]}" in str(refused["reply"])
    assert env.comments_of(1234) == []  # the plan job's token cannot write: no reply there
    named = run(f"thanks!\n/showtime refresh {SEEN[:7]}")
    assert named["sha"] == SEEN and named["reply"] is None
    # the sync job posts the refusal, once
    run("/showtime refresh", "--reply")
    assert [c["body"] for c in env.comments_of(1234)] == [f"🎪 {refused['reply']}"]


def test_a_comment_time_that_is_no_time_is_an_input_error(
    env: GitHubServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env.add_pr(1234, head_sha=SEEN)
    payload = P.issue_comment("/showtime refresh", [])
    payload["comment"]["created_at"] = "yesterday"
    event = tmp_path / "event.json"
    event.write_text(json.dumps(payload), encoding="utf-8")
    assert main(["refresh-commit", "1234", "--event", str(event)]) == 2
    assert "created_at" in capsys.readouterr().err


def _answer(tmp_path: Path, capsys: pytest.CaptureFixture[str], payload: object) -> object:
    event = tmp_path / "event.json"
    event.write_text(json.dumps(payload), encoding="utf-8")
    assert main(["refresh-commit", "1234", "--event", str(event)]) == 0
    return json.loads(capsys.readouterr().out)


def test_the_plan_jobs_answers_are_whole(
    env: GitHubServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The workflow reads these keys (``refresh``, ``sha``, ``reply``): each answer whole."""
    env.add_pr(1234, head_sha=SEEN, fork=True)
    env.push(1234, PUSHED)
    named = _answer(tmp_path, capsys, P.issue_comment("/showtime refresh aaaaaaa", []))
    assert named == {
        "refresh": True,
        "sha": SEEN,
        "reply": None,
        "why": "the commit the comment names (aaaaaaa)",
    }
    refused = _answer(tmp_path, capsys, P.issue_comment("/showtime refresh", []))
    assert refused == {
        "refresh": True,
        "sha": None,
        "reply": "This PR comes from a fork and its head may have moved after your comment, "
        "so nothing was deployed. Review the head `bbbbbbb` and reply "
        "`/showtime refresh bbbbbbb` to deploy it.",
    }
    assert env.comments_of(1234) == []  # without --reply, nothing is posted


def _refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], payload: object) -> str:
    event = tmp_path / "event.json"
    event.write_text(json.dumps(payload), encoding="utf-8")
    assert main(["refresh-commit", "1234", "--event", str(event)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    return captured.err.strip()


@pytest.mark.parametrize(
    ("created_at", "said"),
    [
        ("yesterday", "the comment's created_at 'yesterday' is no ISO 8601 time"),
        (
            "2026-01-15 at half past two in the afternoon, local time",
            "the comment's created_at '2026-01-15 at half past two in the after' is no ISO "
            "8601 time",
        ),
        (None, "the comment's created_at '' is no ISO 8601 time"),
        ("2026-01-15T14:30:00", "the comment's created_at '2026-01-15T14:30:00' has no time zone"),
    ],
)
def test_a_comment_time_that_is_no_time_is_named_in_the_error(
    created_at: str | None,
    said: str,
    env: GitHubServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    env.add_pr(1234, head_sha=SEEN)
    payload = P.issue_comment("/showtime refresh", [])
    payload["comment"]["created_at"] = created_at
    assert _refused(tmp_path, capsys, payload) == f"showtime-iac: error: {said}"


def test_an_event_without_a_comment_is_an_input_error(
    env: GitHubServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    payload = P.issue_comment("/showtime refresh", [])
    del payload["comment"]
    (tmp_path / "event.json").write_text(json.dumps(payload), encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # a short path: the CLI shortens any word over its echo limit
    assert main(["refresh-commit", "1234", "--event", "event.json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == (
        "showtime-iac: error: event.json: not an issue_comment event (no comment)"
    )
