"""The PR's router stack (core/routing, docs/https.md): the contracts the mutation run
(issue 29) found no test pinning down. Each test was checked by making the change and watching
it fail.

Pure: the router's stack config both ways, its tags and its asleep page, expected values
written out.
"""

from __future__ import annotations

import pytest

from showtime_iac.core.model import InputError
from showtime_iac.core.routing import ASLEEP_PAGE_LIMIT, RouterConfig, asleep_page, router_tags
from showtime_iac.core.stack_config import StackConfigError

SHA = "abc1234def5678abc1234def5678abc1234def56"
TG = "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/sti-pr-1-abc1234/0123abcd"


def test_the_router_config_written_out() -> None:
    cfg = RouterConfig(1234, SHA, TG, "me/superset-fork", asleep=True)
    assert cfg.to_stack_config() == {
        "showtime-iac:pr": "1234",
        "showtime-iac:sha": SHA,
        "showtime-iac:repo": "me/superset-fork",
        "showtime-iac:targetGroupArn": TG,
        "showtime-iac:asleep": "true",
    }
    assert RouterConfig(1234, SHA, TG).to_stack_config()["showtime-iac:asleep"] == "false"
    assert (cfg.stack, cfg.sha7) == ("pr-1234-router", "abc1234")
    assert router_tags(cfg) == {
        "showtime:pr": "1234",
        "showtime:sha": "abc1234",
        "showtime:repo": "me/superset-fork",
        "showtime:role": "router",
    }


def test_absent_optional_values_take_their_defaults() -> None:
    values = {
        "showtime-iac:pr": " 7 ",
        "showtime-iac:sha": "abc1234",
        "showtime-iac:targetGroupArn": TG,
    }
    assert RouterConfig.from_stack_config(values) == RouterConfig(7, "abc1234", TG)
    empty = {**values, "showtime-iac:repo": "", "showtime-iac:asleep": ""}
    cfg = RouterConfig.from_stack_config(empty)
    assert (cfg.repo, cfg.asleep) == ("apache/superset", False)
    for text, asleep in (("TRUE", True), ("false", False), (" true ", True)):
        got = RouterConfig.from_stack_config({**values, "showtime-iac:asleep": text})
        assert got.asleep is asleep, text


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {},
            "missing router config showtime-iac:pr, showtime-iac:sha, "
            "showtime-iac:targetGroupArn: `showtime-iac` writes it when an environment of the "
            "PR becomes healthy",
        ),
        (
            {"showtime-iac:pr": "1", "showtime-iac:sha": "", "showtime-iac:targetGroupArn": TG},
            "missing router config showtime-iac:sha: `showtime-iac` writes it when an "
            "environment of the PR becomes healthy",
        ),
        (
            {
                "showtime-iac:pr": "1.5",
                "showtime-iac:sha": "abc1234",
                "showtime-iac:targetGroupArn": TG,
            },
            "showtime-iac:pr must be a whole number, not '1.5'",
        ),
        (
            {
                "showtime-iac:pr": "x" * 50,
                "showtime-iac:sha": "abc1234",
                "showtime-iac:targetGroupArn": TG,
            },
            f"showtime-iac:pr must be a whole number, not '{'x' * 40}'",
        ),
        (
            {
                "showtime-iac:pr": "1",
                "showtime-iac:sha": "abc1234",
                "showtime-iac:targetGroupArn": TG,
                "showtime-iac:asleep": "yes",
            },
            "showtime-iac:asleep must be true or false, not 'yes'",
        ),
    ],
)
def test_a_bad_router_config_is_one_line(values: dict[str, str], message: str) -> None:
    with pytest.raises(StackConfigError) as err:
        RouterConfig.from_stack_config(values)
    assert str(err.value) == message


def test_each_field_is_validated_and_named() -> None:
    with pytest.raises(StackConfigError) as err:
        RouterConfig(1, "ABC1234", TG)
    assert str(err.value) == "invalid commit SHA 'ABC1234'"
    with pytest.raises(StackConfigError) as err:
        RouterConfig(1, "abc1234", TG, "no-slash")
    assert str(err.value) == "invalid repository 'no-slash': expected OWNER/NAME"
    bad = "arn:aws:iam::123456789012:role/" + "x" * 200
    with pytest.raises(StackConfigError) as err:
        RouterConfig(1, "abc1234", bad)
    assert str(err.value) == (
        f"invalid target group ARN {bad[:120]!r} in showtime-iac:targetGroupArn"
    )
    with pytest.raises(InputError, match="invalid PR number"):
        RouterConfig(-1, "abc1234", TG)


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/a/0",
        "arn:aws-cn:elasticloadbalancing:cn-north-1:123456789012:targetgroup/a/0123456789abcdef",
        "arn:aws-us-gov:elasticloadbalancing:us-gov-west-1:123456789012:targetgroup/"
        + "A" * 32
        + "/f",
    ],
)
def test_a_target_group_arn_of_any_partition_is_accepted(arn: str) -> None:
    assert RouterConfig(1, "abc1234", arn).target_group_arn == arn


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:elasticloadbalancing:us-west-2:12345678901:targetgroup/a/0",  # 11 digits
        "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/" + "a" * 33 + "/0",
        "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/a/" + "0" * 17,
        "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/a/0g",
        "arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/a/0",
        "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/a_b/0",
        " arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/a/0",
        "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/a/0 ",
    ],
)
def test_anything_but_a_target_group_arn_is_refused(arn: str) -> None:
    with pytest.raises(StackConfigError, match="invalid target group ARN"):
        RouterConfig(1, "abc1234", arn)


def test_the_asleep_page_written_out() -> None:
    page = asleep_page(1234, "apache/superset")
    assert page == (
        "<!doctype html><meta charset=utf-8><title>PR #1234 preview: asleep</title>"
        "<h1>This preview is asleep</h1>"
        '<p>The environment of <a href="https://github.com/apache/superset/pull/1234">'
        "apache/superset#1234</a> was idle, so it was scaled to zero. It keeps its URL and its "
        "configuration; a wake starts it afresh from its image, so users, charts and dashboards "
        "made in it are not kept.</p>"
        "<p>To bring it back, a maintainer comments <code>/showtime wake</code> on the pull "
        "request; it is back here in a few minutes. A new commit rolls it forward too.</p>"
    )
    assert ASLEEP_PAGE_LIMIT == 1024


def test_the_router_config_reads_back_what_it_wrote() -> None:
    for cfg in (
        RouterConfig(1234, SHA, TG, "me/superset-fork", asleep=True),
        RouterConfig(0, "abc1234", TG),
    ):
        assert RouterConfig.from_stack_config(cfg.to_stack_config()) == cfg


def test_a_padded_sha_or_a_long_repository_is_echoed_cut() -> None:
    padded = "a" * 40 + " " * 30
    with pytest.raises(StackConfigError) as err:
        RouterConfig(1, padded, TG)
    assert str(err.value) == f"invalid commit SHA '{'a' * 40 + ' ' * 20}'"
    with pytest.raises(StackConfigError) as err:
        RouterConfig(1, "abc1234", TG, "r" * 100)
    assert str(err.value) == f"invalid repository '{'r' * 80}': expected OWNER/NAME"
