"""The orphan sweep's decision (core/orphans, docs/operations.md): the contracts the mutation run
(issue 29) found no test pinning down. Each test was checked by making the change and watching
it fail.

Pure: one tagged resource in, the decision and the reason the sweep prints out, written out.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from showtime_iac.core.orphans import DeleteResult, OrphanDecision, TaggedResource, classify_orphans

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
OLD = NOW - timedelta(days=2)
TAGS = {"showtime:pr": "7", "showtime:sha": "aaaaaaa"}


def decide(
    kind: Any = "ecs-service",
    name: str = "sti-pr-7-aaaaaaa",
    tags: dict[str, str] | None = None,
    *,
    live: tuple[str, ...] = (),
    open_prs: tuple[int, ...] = (),
    now: datetime = NOW,
    **kw: Any,
) -> OrphanDecision:
    r = TaggedResource(
        kind, name, "arn:x", TAGS if tags is None else tags, kw.pop("created", OLD), **kw
    )
    [d] = classify_orphans([r], live, open_prs, now)
    return d


def said(d: OrphanDecision) -> tuple[str, str, int | None, str | None]:
    assert d.resource.ident == "arn:x"  # the decision names the resource it is about
    return d.action, d.reason, d.pr, d.stack


@pytest.mark.parametrize(
    ("tags", "reason"),
    [
        ({}, "no showtime:pr/showtime:sha tags: never touched"),
        ({"showtime:pr": "7"}, "no showtime:pr/showtime:sha tags: never touched"),
        ({"showtime:sha": "aaaaaaa"}, "no showtime:pr/showtime:sha tags: never touched"),
        (
            {"showtime:pr": "07", "showtime:sha": "aaaaaaa"},
            "malformed tags showtime:pr='07' showtime:sha='aaaaaaa'",
        ),
        (
            {"showtime:pr": "7x", "showtime:sha": "aaaaaaa"},
            "malformed tags showtime:pr='7x' showtime:sha='aaaaaaa'",
        ),
        (
            {"showtime:pr": "1" * 30, "showtime:sha": "Z" * 60},
            f"malformed tags showtime:pr='{'1' * 20}' showtime:sha='{'Z' * 50}'",
        ),
    ],
)
def test_resources_without_our_tags_are_skipped_and_said(tags: dict[str, str], reason: str) -> None:
    assert said(decide(tags=tags)) == ("skip", reason, None, None)


def test_a_name_that_does_not_match_its_tags_is_skipped_and_both_are_named() -> None:
    assert said(decide(name="sti-pr-8-aaaaaaa")) == (
        "skip",
        "name 'sti-pr-8-aaaaaaa' does not match its tags (expected 'sti-pr-7-aaaaaaa')",
        7,
        None,
    )
    assert decide("secret", "other/x").reason == (
        "name 'other/x' does not match its tags (expected 'sti-pr-7-aaaaaaa/…')"
    )
    assert decide("listener-rule", "pr-8-aaaaaaa.example.org").reason == (
        "name 'pr-8-aaaaaaa.example.org' does not match its tags (expected 'pr-7-aaaaaaa.…')"
    )
    # a task definition's revision is not part of its name
    got = decide("task-definition", "showtime-pr-7-aaaaaaa:12")
    assert (got.action, got.stack) == ("delete", "pr-7-aaaaaaa")
    wrong = decide("task-definition", "showtime-pr-8-aaaaaaa:12")
    assert wrong.reason == (
        "name 'showtime-pr-8-aaaaaaa' does not match its tags (expected 'showtime-pr-7-aaaaaaa')"
    )


def test_only_a_task_definitions_revision_is_cut_from_its_name() -> None:
    assert said(decide("log-group", "/showtime/pr-7-aaaaaaa:x")) == (
        "skip",
        "name '/showtime/pr-7-aaaaaaa:x' does not match its tags (expected "
        "'/showtime/pr-7-aaaaaaa')",
        7,
        None,
    )
    assert decide("log-group", "/showtime/pr-7-aaaaaaa").action == "delete"


def test_a_routers_tags_on_anything_but_a_rule_are_not_ours() -> None:
    tags = {**TAGS, "showtime:role": "router"}
    assert said(decide("target-group", tags=tags)) == (
        "skip",
        "a router's tags on a target-group: not ours",
        7,
        None,
    )
    rule = decide("listener-rule", "pr-7.preview.example.org", tags)
    assert said(rule) == (
        "delete",
        "stack pr-7-router no longer exists and PR #7 is closed",
        7,
        "pr-7-router",
    )
    other_role = decide(tags={**TAGS, "showtime:role": "env"})
    assert other_role.action == "delete" and other_role.stack == "pr-7-aaaaaaa"


def test_an_image_with_other_tags_or_unproven_is_skipped_and_said() -> None:
    shared = decide("ecr-image", other_image_tags=("latest", "v1"))
    assert said(shared) == (
        "skip",
        "image also tagged latest, v1: not ours alone",
        7,
        "pr-7-aaaaaaa",
    )
    unproven = decide("ecr-image", unproven="only its name says so")
    assert said(unproven) == ("skip", "only its name says so", 7, "pr-7-aaaaaaa")


def test_a_live_stack_keeps_its_resources_whatever_the_prs_state() -> None:
    assert said(decide(live=("pr-7-aaaaaaa",), open_prs=(7,))) == (
        "keep",
        "stack pr-7-aaaaaaa exists (PR #7 is open)",
        7,
        "pr-7-aaaaaaa",
    )
    assert decide(live=("pr-7-aaaaaaa",)).reason == "stack pr-7-aaaaaaa exists (PR #7 is closed)"


def test_a_young_resource_is_kept_for_the_grace_period() -> None:
    young = decide(created=NOW - timedelta(minutes=59, seconds=30))
    assert said(young) == (
        "keep",
        "created 59 min ago, inside the 1:00:00 grace period (a deploy may be running)",
        7,
        "pr-7-aaaaaaa",
    )
    assert decide(created=NOW - timedelta(hours=1)).action == "delete"
    # a naive `now` is read as UTC
    naive = decide(created=NOW - timedelta(minutes=30), now=NOW.replace(tzinfo=None))
    assert naive.reason.startswith("created 30 min ago")
    # AWS's clock a little ahead of ours: kept, and made "0 min ago", never "-1 min ago"
    ahead = decide(created=NOW + timedelta(seconds=30))
    assert (ahead.action, ahead.reason.split(",")[0]) == ("keep", "created 0 min ago")


def test_why_an_orphan_is_deleted() -> None:
    assert said(decide(open_prs=(7,))) == (
        "delete",
        "stack pr-7-aaaaaaa no longer exists",
        7,
        "pr-7-aaaaaaa",
    )
    assert decide().reason == "stack pr-7-aaaaaaa no longer exists and PR #7 is closed"


def test_a_decision_and_its_result_as_json() -> None:
    d = decide(open_prs=(7,))
    assert d.as_dict() == {
        "kind": "ecs-service",
        "name": "sti-pr-7-aaaaaaa",
        "id": "arn:x",
        "pr": 7,
        "stack": "pr-7-aaaaaaa",
        "action": "delete",
        "reason": "stack pr-7-aaaaaaa no longer exists",
    }
    assert DeleteResult(d, True, False).as_dict() == {
        **d.as_dict(),
        "deleted": True,
        "dry_run": False,
        "error": None,
        "deferred": None,
    }
    failed = DeleteResult(d, False, True, error="boom", deferred="in use")
    assert {k: failed.as_dict()[k] for k in ("deleted", "dry_run", "error", "deferred")} == {
        "deleted": False,
        "dry_run": True,
        "error": "boom",
        "deferred": "in use",
    }
