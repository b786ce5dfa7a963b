"""Webhook payload parsing: real-shaped payloads in, typed Event/PrInfo out, bad input refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from showtime_iac.app.inputs import load_payload
from showtime_iac.core.events import parse_event
from showtime_iac.core.model import InputError
from tests import payloads as P


def test_pull_request_payload() -> None:
    event, pr = parse_event(
        P.pull_request("labeled", ["x", "🎪 ⚡ showtime-trigger-start"], label="x", fork=True),
        "pull_request_target",
    )
    assert event.name == "pull_request" and event.action == "labeled" and event.label == "x"
    assert event.actor == "maintainer"
    assert pr is not None
    assert (pr.number, pr.state, pr.head_sha) == (1234, "open", P.HEAD)
    assert pr.labels == ("x", "🎪 ⚡ showtime-trigger-start")
    assert pr.is_fork and pr.author == "contributor"


def test_issue_comment_payload_has_no_head_sha() -> None:
    event, pr = parse_event(P.issue_comment("/circus status", []), "issue_comment")
    assert event.comment == "/circus status" and event.actor_association == "MEMBER"
    assert event.comment_id == 900001
    assert pr is not None and pr.head_sha == ""


def test_comment_on_a_plain_issue_is_refused() -> None:
    payload = P.issue_comment("/circus status", [])
    del payload["issue"]["pull_request"]
    with pytest.raises(InputError, match="not a pull request"):
        parse_event(payload, "issue_comment")


def test_event_name_is_inferred_when_missing() -> None:
    event, _ = parse_event(P.pull_request("closed", [], state="closed"), None)
    assert event.name == "pull_request"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda p: p["pull_request"]["head"].update(sha="xyz not hex"), "not a commit SHA"),
        (
            lambda p: p["pull_request"].update(labels=[{"name": str(i)} for i in range(1000)]),
            "1000 labels",
        ),
        (
            lambda p: p["pull_request"].update(labels=[{"name": "🎪 " + "x" * 10_000}]),
            "not a GitHub label",
        ),
        (lambda p: p["pull_request"].update(number="twelve"), "positive integer"),
        (lambda p: p["pull_request"].update(number=-3), "positive integer"),
        (lambda p: p.pop("pull_request"), "no pull_request"),
        (lambda p: p["pull_request"].update(state="merged?"), "neither open nor closed"),
    ],
)
def test_malformed_payloads_are_input_errors(mutate: object, message: str) -> None:
    payload = P.pull_request("labeled", [])
    mutate(payload)  # type: ignore[operator]
    with pytest.raises(InputError, match=message):
        parse_event(payload, "pull_request")


def test_unknown_event_name() -> None:
    with pytest.raises(InputError, match="unsupported event"):
        parse_event({}, "push")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "not found"),
        ("{nope", "not JSON"),
        ("[1, 2]", "JSON object"),
        (b"\xff\xfe\x00", "cannot read"),
    ],
)
def test_load_payload_errors(tmp_path: Path, content: str | bytes | None, message: str) -> None:
    path = tmp_path / "event.json"
    if isinstance(content, str):
        path.write_text(content)
    elif isinstance(content, bytes):
        path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        load_payload(path)


def test_load_payload_reads_a_real_file(tmp_path: Path) -> None:
    path = tmp_path / "e.json"
    path.write_text(json.dumps(P.workflow_dispatch(pr_number="7", action="stop")))
    event, pr = parse_event(load_payload(path), "workflow_dispatch")
    assert event.action == "stop" and event.input("pr_number") == "7"
    assert pr is not None and pr.number == 7 and pr.head_sha == ""


@pytest.mark.parametrize("action", [5, ["stop"], None, ""])
def test_a_dispatch_action_that_is_no_string_is_the_default_sync(action: object) -> None:
    # GitHub sends every dispatch input as a string; anything else is read as absent, as every
    # other field of the payload is, rather than passed on into Event.action (a str)
    event, _ = parse_event({"inputs": {"action": action}}, "workflow_dispatch")
    assert event.action == "sync"
