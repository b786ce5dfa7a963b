"""The webhook payload contract of ``core.events`` (issue 29): what each event kind is reduced
to, the bounds GitHub itself keeps (100 labels, positive PR numbers), and the one-line
messages a malformed payload gets (users read them: they are asserted word for word).

Pure: payloads are written out here as GitHub shapes them, trimmed to the fields read.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from showtime_iac.core.events import MAX_LABEL_CHARS, MAX_LABELS, parse_event, pr_from_api
from showtime_iac.core.model import Event, InputError, PrInfo

HEAD = "abc1234def5678901234567890abcdef12345678"
KNOWN = "cli, issue_comment, pull_request, pull_request_target, schedule, workflow_dispatch"


def pull(**over: Any) -> dict[str, Any]:
    """A REST/webhook pull request object from a fork, with the fields events.py reads."""
    p: dict[str, Any] = {
        "number": 1234,
        "state": "open",
        "title": "feat: a filter",
        "body": "This adds a filter.",
        "html_url": "https://github.com/apache/superset/pull/1234",
        "merged": False,
        "user": {"login": "contributor"},
        "labels": [{"name": "bug", "color": "ededed"}],
        "head": {"sha": HEAD, "repo": {"full_name": "contributor/superset"}},
        "base": {"sha": "0" * 40, "repo": {"full_name": "apache/superset"}},
    }
    p.update(over)
    return p


def comment_payload(**issue_over: Any) -> dict[str, Any]:
    issue: dict[str, Any] = {
        "number": 1234,
        "state": "open",
        "title": "feat: a filter",
        "body": "This adds a filter.",
        "html_url": "https://github.com/apache/superset/pull/1234",
        "user": {"login": "contributor"},
        "labels": [{"name": "bug"}],
        "pull_request": {"url": "https://api.github.com/repos/apache/superset/pulls/1234"},
    }
    issue.update(issue_over)
    return {
        "action": "created",
        "issue": issue,
        "comment": {
            "id": 900001,
            "body": "/circus status",
            "author_association": "MEMBER",
            "user": {"login": "commenter"},
        },
        "sender": {"login": "sender"},
    }


def refused(payload: dict[str, Any], name: str | None) -> str:
    with pytest.raises(InputError) as err:
        parse_event(payload, name)
    return str(err.value)


def refused_pull(p: dict[str, Any]) -> str:
    return refused({"action": "opened", "pull_request": p}, "pull_request")


# -- pull requests ------------------------------------------------------------------------------


def test_a_pull_request_object_is_read_field_by_field() -> None:
    want = PrInfo(
        number=1234,
        state="open",
        head_sha=HEAD,
        labels=("bug",),
        author="contributor",
        title="feat: a filter",
        body="This adds a filter.",
        html_url="https://github.com/apache/superset/pull/1234",
        is_fork=True,
        merged=False,
    )
    assert pr_from_api(pull()) == want
    merged = pr_from_api(pull(state="closed", merged=True))
    assert (merged.state, merged.merged) == ("closed", True)


def test_a_pull_request_event_carries_the_head_sha_and_the_label() -> None:
    payload = {
        "action": "labeled",
        "pull_request": pull(),
        "label": {"name": "x" * MAX_LABEL_CHARS},
        "sender": {"login": "maintainer"},
    }
    ev, pr = parse_event(payload, "pull_request_target")
    assert ev == Event(
        name="pull_request", action="labeled", actor="maintainer", label="x" * 256, sha=HEAD
    )
    assert pr is not None and pr.number == 1234


def test_fields_github_leaves_null_or_out_read_as_empty() -> None:
    # GitHub sends ``"body": null`` for a PR without a description; a REST object may lack
    # fields; a missing state is an open PR.
    p = pull(body=None, title=None, html_url=7, merged=None, user=None)
    del p["state"]
    del p["base"]
    assert pr_from_api(p) == PrInfo(
        number=1234, state="open", head_sha=HEAD, labels=("bug",), is_fork=False, merged=False
    )
    ev, _ = parse_event({"pull_request": pull(), "sender": "maintainer", "action": 3}, None)
    assert ev == Event(name="pull_request", action=None, actor="", sha=HEAD)


def test_head_sha_is_lowered_and_stripped() -> None:
    p = pull(head={"sha": "  ABC1234  ", "repo": {"full_name": "apache/superset"}})
    assert pr_from_api(p).head_sha == "abc1234"


def test_pull_request_object_that_is_not_an_object_is_missing() -> None:
    assert refused({"pull_request": "1234"}, "pull_request") == (
        "pull_request event has no pull_request object"
    )
    assert refused({"pull_request": {}}, "pull_request_target") == (
        "pull_request_target event has no pull_request object"
    )


def test_pull_request_messages_word_for_word() -> None:
    assert refused_pull(pull(head={"sha": ""})) == "pull_request.head.sha is missing"
    assert refused_pull(pull(head={"sha": "g" * 100})) == (
        f"pull_request.head.sha {'g' * 60!r} is not a commit SHA (7 to 40 hex characters)"
    )
    assert refused_pull(pull(state="draft-or-something-longer")) == (
        "pull request state 'draft-or-something-l' is neither open nor closed"
    )
    assert refused_pull(pull(number=True)) == "pull_request.number must be a positive integer"
    assert refused_pull(pull(number="1" * 50 + "x")) == (
        f"pull_request.number must be a positive integer, got {'1' * 40!r}"
    )
    assert refused_pull(pull(number=None)) == (
        "pull_request.number must be a positive integer, got 'None'"
    )


def test_pr_numbers_run_from_1_to_ten_digits() -> None:
    assert pr_from_api(pull(number=1)).number == 1
    assert pr_from_api(pull(number=" 42 ")).number == 42
    assert pr_from_api(pull(number=9_999_999_999)).number == 9_999_999_999
    assert refused_pull(pull(number=10_000_000_000)) == (
        "pull_request.number must be a positive integer, got '10000000000'"
    )
    assert refused_pull(pull(number=0)) == (
        "pull_request.number must be a positive integer, got '0'"
    )


# -- labels -------------------------------------------------------------------------------------


def test_labels_up_to_githubs_limits_are_read_as_names() -> None:
    names = [f"l{i}" for i in range(MAX_LABELS)]
    assert MAX_LABELS == 100 and MAX_LABEL_CHARS == 256
    assert pr_from_api(pull(labels=names)).labels == tuple(names)  # plain names are labels too
    longest = "🎪" + "x" * 255
    assert pr_from_api(pull(labels=[{"name": longest}])).labels == (longest,)
    assert pr_from_api(pull(labels=None)).labels == ()


def test_label_messages_word_for_word() -> None:
    assert refused_pull(pull(labels=[f"l{i}" for i in range(101)])) == (
        "payload has 101 labels; GitHub allows 100 on a PR"
    )
    assert refused_pull(pull(labels={"name": "bug"})) == "labels in the payload must be a list"
    assert refused_pull(pull(labels=[{"color": "ededed"}])) == (
        "a label in the payload has no name"
    )
    assert refused_pull(pull(labels=[7])) == "a label in the payload has no name"
    assert refused_pull(pull(labels=["x" * 257])) == (
        "a label of 257 characters is not a GitHub label"
    )
    payload = {"pull_request": pull(), "label": {"name": "x" * 257}}
    assert refused(payload, "pull_request") == "a label of 257 characters is not a GitHub label"


# -- event names --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "name"),
    [
        ({"pull_request": pull()}, "pull_request"),
        (comment_payload(), "issue_comment"),
        ({"inputs": {"action": "stop"}}, "workflow_dispatch"),
    ],
)
def test_the_event_name_is_inferred_from_the_payload(payload: dict[str, Any], name: str) -> None:
    ev, _ = parse_event(payload, "  ")
    assert ev.name == name


def test_event_name_messages_word_for_word() -> None:
    assert refused({"sender": {"login": "x"}}, None) == (
        "event name unknown: pass --event-name or set GITHUB_EVENT_NAME"
    )
    assert refused({}, "p" * 50) == f"unsupported event {'p' * 40!r}: expected one of {KNOWN}"


def test_schedule_and_cli_events_carry_no_pr() -> None:
    assert parse_event({"sender": {"login": "bot"}, "action": "x"}, " schedule ") == (
        Event(name="schedule", action="x", actor="bot"),
        None,
    )


# -- comments -----------------------------------------------------------------------------------


def test_a_comment_event_reads_the_issue_and_the_commenter() -> None:
    ev, pr = parse_event(comment_payload(), "issue_comment")
    assert ev == Event(
        name="issue_comment",
        action="created",
        actor="commenter",
        comment="/circus status",
        comment_id=900001,
        actor_association="MEMBER",
    )
    assert pr == PrInfo(
        number=1234,
        state="open",
        head_sha="",
        labels=("bug",),
        author="contributor",
        title="feat: a filter",
        body="This adds a filter.",
        html_url="https://github.com/apache/superset/pull/1234",
    )


def test_a_comment_on_a_closed_pr_and_one_with_gaps() -> None:
    _, pr = parse_event(comment_payload(state="closed"), "issue_comment")
    assert pr is not None and pr.state == "closed"
    payload = comment_payload(state=None, body=None)
    payload["comment"] = {"id": True, "body": "/circus status"}
    ev, pr = parse_event(payload, "issue_comment")
    assert pr is not None and (pr.state, pr.body) == ("open", "")
    # no commenter in the comment: the sender is the actor; a boolean is not a comment id
    assert (ev.actor, ev.comment_id, ev.actor_association) == ("sender", None, None)
    payload["comment"] = {"id": "900001", "user": {"login": ""}}
    ev, _ = parse_event(payload, "issue_comment")
    assert (ev.actor, ev.comment_id, ev.comment) == ("sender", None, "")
    payload["comment"] = None
    ev, _ = parse_event(payload, "issue_comment")
    assert (ev.actor, ev.comment_id) == ("sender", None)


def test_a_comment_reads_any_state_but_closed_as_open() -> None:
    _, pr = parse_event(comment_payload(state="reopened"), "issue_comment")
    assert pr is not None and pr.state == "open"


def test_comment_messages_word_for_word() -> None:
    assert refused({"comment": {"body": "/circus"}, "issue": None}, "issue_comment") == (
        "issue_comment event has no issue object"
    )
    payload = comment_payload(number=77)
    del payload["issue"]["pull_request"]
    assert refused(payload, "issue_comment") == "comment is on issue #77, not a pull request"
    assert refused(comment_payload(number="x" * 60), "issue_comment") == (
        f"issue.number must be a positive integer, got {'x' * 40!r}"
    )


# -- workflow_dispatch --------------------------------------------------------------------------


def test_a_dispatch_with_a_pr_number_and_sha() -> None:
    payload = {
        "inputs": {"pr_number": "1234", "action": "start", "sha": HEAD.upper(), "n": 3, "x": None},
        "sender": {"login": "maintainer"},
    }
    ev, pr = parse_event(payload, "workflow_dispatch")
    assert ev == Event(
        name="workflow_dispatch",
        action="start",
        actor="maintainer",
        inputs=(("pr_number", "1234"), ("action", "start"), ("sha", HEAD.upper()), ("n", "3")),
        sha=HEAD,
    )
    assert pr == PrInfo(number=1234, state="open", head_sha=HEAD)


def test_a_dispatch_defaults_to_sync_and_may_carry_the_pull_request() -> None:
    payload = {"inputs": {}, "pull_request": pull(), "sender": {"login": "maintainer"}}
    ev, pr = parse_event(payload, "workflow_dispatch")
    assert ev == Event(name="workflow_dispatch", action="sync", actor="maintainer")
    assert pr is not None and (pr.number, pr.head_sha, pr.is_fork) == (1234, HEAD, True)
    ev, pr = parse_event({"inputs": None}, "workflow_dispatch")
    assert (ev, pr) == (Event(name="workflow_dispatch", action="sync"), None)


def test_dispatch_messages_word_for_word() -> None:
    bad_sha = {"inputs": {"pr_number": "1", "sha": "not-a-sha"}}
    assert refused(bad_sha, "workflow_dispatch") == (
        "inputs.sha 'not-a-sha' is not a commit SHA (7 to 40 hex characters)"
    )
    assert refused({"inputs": {"pr_number": "-1"}}, "workflow_dispatch") == (
        "inputs.pr_number must be a positive integer, got '-1'"
    )


# -- any payload --------------------------------------------------------------------------------

_FIELDS = "pull_request issue comment inputs label sender action number state labels name head"
_keys = st.sampled_from([*_FIELDS.split(), "sha", "user", "login", "id", "pr_number", "body"])
_json = st.recursive(
    st.none() | st.booleans() | st.integers(-2, 12) | st.sampled_from(["", "open", "7", HEAD]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_keys, inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=100, deadline=None)
@given(
    payload=st.dictionaries(_keys, _json, max_size=5),
    name=st.sampled_from([None, "pull_request", "issue_comment", "workflow_dispatch", "schedule"]),
)
def test_any_json_payload_is_parsed_or_refused_with_an_input_error(
    payload: dict[str, Any], name: str | None
) -> None:
    # the contract of the module docstring: anything malformed is an InputError, never a crash
    try:
        ev, pr = parse_event(payload, name)
    except InputError as e:
        message = str(e)
    else:
        message = ""
        assert ev.name in KNOWN.split(", ")
        assert isinstance(ev.actor, str) and (ev.action is None or isinstance(ev.action, str))
        assert pr is None or (pr.number >= 1 and re.fullmatch("[0-9a-f]{0,40}", pr.head_sha))
        if pr is not None:
            assert all(isinstance(x, str) for x in (pr.author, pr.title, pr.body, pr.html_url))
        return
    assert message and "\n" not in message
