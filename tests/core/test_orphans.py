"""The orphan sweep's decision, pure: what is deleted, kept or never touched, and why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from showtime_iac.core.model import resource_names
from showtime_iac.core.orphans import (
    KINDS,
    TaggedResource,
    classify_orphans,
    deletion_order,
    orphan_count,
)

SHA1 = "aaaaaaa1111111111111111111111111111111aa"
SHA2 = "bbbbbbb2222222222222222222222222222222bb"


NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


OLD = NOW - timedelta(days=2)


def res(kind: Any, pr: int, sha: str, **kw: Any) -> TaggedResource:
    n = resource_names(pr, sha)
    name = {
        "ecs-service": n.service,
        "task-definition": n.task_family + ":3",
        "log-group": n.log_group,
        "ecr-image": n.image_tag,
        "target-group": n.target_group,
        "security-group": n.security_group,
        "iam-role": n.execution_role,
        "secret": n.secret_prefix + "20261205abcdef",
        "listener-rule": f"{n.stack}.preview.example.org",
    }[kind]
    tags = kw.pop("tags", {"showtime:pr": str(pr), "showtime:sha": sha[:7]})
    return TaggedResource(kind, kw.pop("name", name), "id", tags, kw.pop("created", OLD), **kw)


def test_classify_rules() -> None:
    rs = [
        res("ecs-service", 1, SHA1),
        res("ecs-service", 2, SHA2),
        res("log-group", 1, SHA1, tags={"showtime:pr": "1"}),
        res("log-group", 1, SHA1, tags={"showtime:pr": "01", "showtime:sha": "aaaaaaa"}),
        res("ecs-service", 2, SHA2, name="production-service"),
        res("ecr-image", 2, SHA2, other_image_tags=("latest",)),
        res("task-definition", 2, SHA2, created=NOW - timedelta(minutes=5)),
        res("task-definition", 2, SHA2, created=None),
    ]
    got = [(d.action, d.reason) for d in classify_orphans(rs, ["pr-1-aaaaaaa"], [1], NOW)]
    assert [a for a, _ in got] == [
        "keep",
        "delete",
        "skip",
        "skip",
        "skip",
        "skip",
        "keep",
        "delete",
    ]
    assert "does not match its tags" in got[4][1]
    naive = [d.action for d in classify_orphans(rs[-2:], [], [], NOW.replace(tzinfo=None))]
    assert naive == ["keep", "delete"]
    assert got[6][1].startswith("created 5 min ago")


ALL_KINDS = st.sampled_from(KINDS)


@given(
    kind=ALL_KINDS,
    pr=st.integers(1, 10**6),
    sha=st.from_regex(r"[0-9a-f]{40}", fullmatch=True),
    live=st.sets(st.integers(1, 50)),
    opened=st.sets(st.integers(1, 50)),
    age=st.integers(0, 10**6),
)
def test_never_deletes_an_open_pr_with_a_live_stack(
    kind: Any, pr: int, sha: str, live: set[int], opened: set[int], age: int
) -> None:
    r = res(kind, pr, sha, created=NOW - timedelta(seconds=age))
    stacks = {resource_names(p, sha).stack for p in live} | {resource_names(pr, sha).stack}
    (d,) = classify_orphans([r], stacks, opened | {pr}, NOW)
    assert d.action == "keep"
    (d2,) = classify_orphans([r], stacks - {resource_names(pr, sha).stack}, opened | {pr}, NOW)
    assert d2.action == ("delete" if age >= 3600 else "keep")


@given(tags=st.dictionaries(st.text(max_size=20), st.text(max_size=20)), kind=ALL_KINDS)
def test_untagged_or_foreign_tags_are_never_deleted(tags: dict[str, str], kind: Any) -> None:
    tags.pop("showtime:pr", None)
    r = TaggedResource(kind, "pr-1-aaaaaaa-service", "id", tags, OLD)
    (d,) = classify_orphans([r], [], [], NOW)
    assert d.action == "skip"


def test_every_kind_an_environment_leaves_is_known_in_dependency_order() -> None:
    assert KINDS == (
        "ecs-service",  # its tasks' network interfaces hold the security group
        "listener-rule",  # a rule forwarding to a target group keeps it in use
        "target-group",
        "security-group",
        "task-definition",
        "iam-role",  # its inline policies go with it (the adapter)
        "secret",
        "log-group",
        "ecr-image",
    )
    shuffled = [res(k, 2, SHA2) for k in reversed(KINDS)]
    decisions = classify_orphans(shuffled, [], [], NOW)
    assert [d.resource.kind for d in deletion_order(decisions)] == list(KINDS)
    assert orphan_count(decisions) == 9


def router_rule(pr: int, host: str, **kw: Any) -> TaggedResource:
    tags = {"showtime:pr": str(pr), "showtime:sha": "aaaaaaa", "showtime:role": "router"}
    return TaggedResource("listener-rule", host, "arn:rule", kw.pop("tags", tags), OLD)


def test_a_routers_rule_is_owned_by_the_router_stack_not_by_a_shas() -> None:
    rule = router_rule(7, "pr-7.preview.example.org")
    (kept,) = classify_orphans([rule], ["pr-7-router"], [7], NOW)
    assert (kept.action, kept.stack) == ("keep", "pr-7-router")
    assert kept.reason == "stack pr-7-router exists (PR #7 is open)"
    # the SHA's stack alive but the router gone: the router's rule is an orphan
    (gone,) = classify_orphans([rule], ["pr-7-aaaaaaa"], [7], NOW)
    assert (gone.action, gone.reason) == ("delete", "stack pr-7-router no longer exists")
    # a router's tags on a rule of another host, or on another kind: never ours
    (other,) = classify_orphans([router_rule(7, "pr-8.preview.example.org")], [], [], NOW)
    assert other.action == "skip"
    assert (
        other.reason
        == "name 'pr-8.preview.example.org' does not match its tags (expected 'pr-7.…')"
    )
    tg = TaggedResource("target-group", "sti-pr-7-aaaaaaa", "arn", router_rule(7, "x").tags, OLD)
    (d,) = classify_orphans([tg], [], [], NOW)
    assert (d.action, d.reason) == ("skip", "a router's tags on a target-group: not ours")


def test_a_secret_and_a_rule_match_by_the_start_of_their_name() -> None:
    n = resource_names(3, SHA1)
    tags = {"showtime:pr": "3", "showtime:sha": "aaaaaaa"}
    rs = [
        TaggedResource("secret", n.secret_prefix + "0123", "arn:s1", tags, OLD),
        TaggedResource("secret", n.secret_prefix, "arn:s2", tags, OLD),  # the bare prefix
        TaggedResource("secret", "production/db", "arn:s3", tags, OLD),
        TaggedResource("listener-rule", "pr-3-aaaaaaa.example.org", "arn:r1", tags, OLD),
        TaggedResource("listener-rule", "pr-3-aaaaaaaz.example.org", "arn:r2", tags, OLD),
        TaggedResource("iam-role", "sti-pr-3-aaaaaaa-exec-admin", "arn:i", tags, OLD),
    ]
    got = [d.action for d in classify_orphans(rs, [], [], NOW)]
    assert got == ["delete", "skip", "skip", "delete", "skip", "skip"]
