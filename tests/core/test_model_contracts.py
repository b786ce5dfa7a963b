"""core.model's contracts, written out against what mutation testing found unpinned (issue 29):
the messages a user reads when a value is refused (each echoes at most so many characters of
the input), the ⚙️ configuration items both ways, and the names and tags of design §4.
Pure: no fakes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from showtime_iac.core.model import (
    EnvConfig,
    ImageMismatchError,
    InputError,
    ResourceNames,
    Ttl,
    resource_names,
    resource_tags,
    same_commit,
    short_sha,
    stack_name,
    tag_time,
    tag_value,
)

PR = 1234
SHA = "abc1234"


def refused(make: Callable[[], object]) -> str:
    with pytest.raises(InputError) as caught:
        make()
    return str(caught.value)


def test_a_refused_ttl_sha_or_pr_number_says_what_is_expected() -> None:
    assert refused(lambda: Ttl("x" * 50)) == (
        "invalid TTL '" + "x" * 40 + "': use hours, days or weeks (24h, 7d, 1w), "
        "'close' (until the PR closes) or 'manual' "
        "(pinned (no idle expiry; the max age still applies))"
    )
    assert refused(lambda: short_sha("g" * 70)) == (
        "invalid commit SHA '" + "g" * 60 + "': expected 7 to 40 hex characters"
    )
    for pr in ("12", True, -1, 10_000_000_000):
        assert refused(lambda pr=pr: stack_name(pr, SHA)) == (  # type: ignore[misc]
            f"invalid PR number {pr!r}: expected a positive integer (0: baseline)"
        )
    assert stack_name(9_999_999_999, SHA) == "pr-9999999999-abc1234"


def test_a_refused_environment_config_says_why() -> None:
    def config(**kw: object) -> Callable[[], object]:
        return lambda: EnvConfig(pr=PR, sha=SHA, **kw)  # type: ignore[arg-type]

    cases: list[tuple[Callable[[], object], str]] = [
        (
            lambda: EnvConfig(pr=PR, sha=SHA + " " * 60),
            "invalid commit SHA '" + SHA + " " * 53 + "': expected lowercase hex",
        ),
        (config(size="huge"), "unknown size 'huge': choose one of small, medium, large"),
        (config(repo="nope"), "invalid repository 'nope': expected OWNER/NAME"),
        (
            config(flags=(("a" * 80, True),)),
            "invalid feature flag '" + "a" * 70 + "': use A-Z, 0-9 and _, starting with a letter",
        ),
        (config(flags=(("ALERTS", True), ("ALERTS", False))), "feature flag ALERTS given twice"),
        (config(image="!" * 100), "invalid image reference '" + "!" * 80 + "'"),
        (config(requester="-" * 70), "invalid GitHub login '" + "-" * 60 + "'"),
        (
            config(image="repo:tag", image_sha="g" * 70),
            "invalid image commit '" + "g" * 60 + "': expected 7 to 40 hex",
        ),
        (config(image_sha=SHA), "an image commit was given without an image"),
    ]
    prepared = "a prepared stack runs nothing: it takes no image and cannot sleep"
    cases += [
        (config(prepared=True, sleeping=True), prepared),
        (config(prepared=True, image="repo:tag"), prepared),
    ]
    for make, message in cases:
        assert refused(make) == message
    # the login "unknown" stands for no requester
    assert EnvConfig(pr=PR, sha=SHA, requester="unknown").requester == "unknown"


def test_an_image_of_another_commit_is_refused_naming_both() -> None:
    image = "r.example.com/" + "a" * 150 + ":sti-pr-1234-1111111"
    with pytest.raises(ImageMismatchError) as caught:
        EnvConfig(pr=PR, sha=SHA, image=image, image_sha=SHA)
    assert str(caught.value) == (
        "image r.example.com/" + "a" * 106 + " was built from 1111111 (its tag names PR 1234), "
        "not abc1234: stack pr-1234-abc1234 only runs an image built from abc1234; "
        "refused, nothing changed"
    )


def test_a_short_sha_names_the_commit_a_longer_one_starts_with() -> None:
    assert same_commit("abc1234def", SHA) and same_commit(SHA, "abc1234def")
    assert same_commit(SHA, SHA)
    assert not same_commit("abc123", "abc123") and not same_commit(SHA, "abc1235")


def test_configuration_items_both_ways() -> None:
    """``config_items`` as the ⚙️ label shows them; ``from_config_items`` is its inverse."""
    cfg = EnvConfig.from_config_items(
        PR, SHA, ("small", "debug", "no-examples", "redis", "-X", "BETA", "-ALERTS")
    )
    assert (cfg.size, cfg.debug, cfg.examples, cfg.cache_redis) == ("small", True, False, True)
    assert cfg.flags == (("X", False), ("BETA", True), ("ALERTS", False))
    assert cfg.config_items() == ("small", "debug", "no-examples", "redis", "-ALERTS", "BETA", "-X")
    plain = EnvConfig.from_config_items(PR, SHA, ("large", "medium"))
    assert (plain.size, plain.debug, plain.examples, plain.cache_redis) == (
        "medium",
        False,
        True,
        False,
    )
    assert plain.config_items() == ()
    assert EnvConfig(pr=PR, sha=SHA, examples=False).config_items() == ("no-examples",)
    assert refused(lambda: EnvConfig.from_config_items(PR, SHA, ("x" * 80,))) == (
        "unknown configuration item '" + "x" * 70 + "'"
    )


def test_every_aws_name_derives_from_the_stack_name() -> None:
    assert resource_names(PR, SHA) == ResourceNames(
        stack="pr-1234-abc1234",
        service="sti-pr-1234-abc1234",
        task_family="showtime-pr-1234-abc1234",
        log_group="/showtime/pr-1234-abc1234",
        image_tag="sti-pr-1234-abc1234",
        container="superset",
        target_group="sti-pr-1234-abc1234",
        execution_role="sti-pr-1234-abc1234-exec",
        secret_prefix="sti-pr-1234-abc1234/",
        security_group="sti-pr-1234-abc1234",
    )


def test_the_tags_of_design_4() -> None:
    cfg = EnvConfig(
        pr=PR,
        sha=SHA + "def",
        repo="apache/superset",
        ttl=Ttl("48h"),
        requester="dependabot[bot]",
        created=datetime(2026, 12, 5, 10, 0, tzinfo=UTC),
    )
    assert resource_tags(cfg) == {
        "showtime:pr": "1234",
        "showtime:sha": "abc1234",
        "showtime:repo": "apache/superset",
        "showtime:requested-by": "dependabot+bot",
        "showtime:ttl": "48h",
        "showtime:expires-at": "2026-12-07T10:00:00Z",
        "showtime:max-age-at": "never",
    }
    assert tag_time(None) == "never"
    assert tag_value("a b!c[d]") == "a b_c_d_"
    assert tag_value("x" * 300) == "x" * 256
