"""core.model: AWS names of our own, the router's stack name, hosts, tag values."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from showtime_iac.core.model import (
    LOGIN_RE,
    EnvConfig,
    env_host,
    login_from_tag,
    parse_router_name,
    parse_stack_name,
    pr_host,
    resource_tags,
    router_stack_name,
    tag_value,
)

# what ECS, CloudWatch Logs, ELB, IAM and Secrets Manager accept in a tag value
AWS_TAG_VALUE = re.compile(r"^[\w .:/=+\-@]{0,256}$", re.ASCII)
logins = st.from_regex(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}", fullmatch=True)


@given(logins, st.booleans())
def test_a_login_becomes_a_valid_tag_value_and_comes_back(login: str, bot: bool) -> None:
    name = f"{login}[bot]" if bot else login
    assert LOGIN_RE.match(name)
    value = tag_value(name)
    assert AWS_TAG_VALUE.match(value), value
    assert login_from_tag(value) == name


@given(st.text(max_size=300))
def test_any_text_becomes_a_valid_tag_value(text: str) -> None:
    assert AWS_TAG_VALUE.match(tag_value(text))


def test_the_requester_tag_of_a_bot_is_sanitized() -> None:
    tags = resource_tags(EnvConfig(pr=1, sha="abc1234", requester="dependabot[bot]"))
    assert tags["showtime:requested-by"] == "dependabot+bot"
    assert all(AWS_TAG_VALUE.match(v) for v in tags.values())


@given(st.integers(0, 9_999_999_999))
def test_the_router_stack_is_never_an_environment_stack(pr: int) -> None:
    name = router_stack_name(pr)
    assert name == f"pr-{pr}-router"
    assert parse_stack_name(name) is None
    assert parse_router_name(name) == pr


@pytest.mark.parametrize("name", ["pr-1-abc1234", "shared", "pr-01-router", "pr-1-routers"])
def test_other_stacks_are_no_router(name: str) -> None:
    assert parse_router_name(name) is None


def test_hosts_are_one_label_under_the_domain() -> None:
    """A wildcard certificate `*.<domain>` covers exactly one label."""
    assert env_host(1234, "abc1234def", "preview.example.org") == (
        "pr-1234-abc1234.preview.example.org"
    )
    assert pr_host(1234, "preview.example.org") == "pr-1234.preview.example.org"
    for host in (env_host(1, "abc1234", "d.org"), pr_host(1, "d.org")):
        assert host.count(".") == 2


@pytest.mark.parametrize(
    ("image", "built_from"),
    [
        ("123.dkr.ecr.us-west-2.amazonaws.com/superset-ci:sti-pr-1234-abc1234", (1234, "abc1234")),
        ("r/superset-ci:sti-pr-0-abc1234@sha256:" + "ab" * 32, (0, "abc1234")),
        ("r/superset-ci:pr-77-def5678-ci", (77, "def5678")),  # the original's tag
        ("r/superset-ci:sti-pr-77-def5678-ci", None),
        ("r/superset-ci:latest", None),
    ],
)
def test_an_image_says_the_commit_it_was_built_from(
    image: str, built_from: tuple[int, str] | None
) -> None:
    from showtime_iac.core.model import image_built_from, resource_names

    assert image_built_from(image) == built_from
    tag = resource_names(1234, "abc1234").image_tag
    assert image_built_from(f"r/superset-ci:{tag}") == (1234, "abc1234")  # ours reads back
