"""Stack tags (design §4, Pulumi's limits) and config values (secrets marked)."""

from __future__ import annotations

import pytest

from showtime_iac.adapters import stacks as S
from showtime_iac.core.model import InputError, resource_tags
from tests.adapters.stacks.support import NOW, SHA, cfg


def test_stack_tags_are_the_resource_tags_and_fit_pulumi_limits() -> None:
    c = cfg(created=NOW)
    tags = S.stack_tags(c)
    # every resource tag, and the record's stack-only ones (design §1)
    assert {k: tags[k] for k in resource_tags(c)} == resource_tags(c)
    assert set(tags) - set(resource_tags(c)) == {
        "showtime:created-at",
        "showtime:config",
        "showtime:status",
        "showtime:max-age-lifted",
    }
    assert tags["showtime:created-at"] == "2026-01-15T14:30:00Z"
    assert tags["showtime:status"] == "deploying" and tags["showtime:config"] == "default"
    assert tags["showtime:pr"] == "1234" and tags["showtime:sha"] == "abc1234"
    assert tags["showtime:expires-at"] == "2026-01-17T14:30:00Z"
    assert all(len(k) <= S.MAX_TAG_NAME for k in tags)


def test_check_tags_refuses_long_names_and_values() -> None:
    with pytest.raises(InputError, match="1 to 40"):
        S.check_tags({"x" * 41: "v"})
    with pytest.raises(InputError, match="256"):
        S.check_tags({"k": "v" * 257})
    assert S.check_tags({"x" * 40: "v" * 256})


def test_config_values_mark_secrets_and_merge_base() -> None:
    values = S.stack_config_values(
        cfg(),
        {"aws:region": "eu-west-1", "showtime-iac:sharedStack": "shared", "app:dbPassword": "s"},
    )
    assert values["aws:region"] == ("eu-west-1", False)
    assert values["showtime-iac:pr"] == ("1234", False)
    assert values["showtime-iac:sha"] == (SHA, False)
    assert values["app:dbPassword"] == ("s", True)
    assert S.is_secret_key("github:token") and not S.is_secret_key("showtime-iac:ttl")
