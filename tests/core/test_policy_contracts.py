"""The contracts of ``core/policy.py`` (issue 29: the survivors of mutmut's run): every key of
``showtime.toml`` is read (not left at its default), each integer's bounds are inclusive, a
duration's units, and each error names its key with the value as given, cut to a bounded
length (docs/configuration.md: "an error naming the key")."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from showtime_iac.core.model import InputError, Policy, Ttl
from showtime_iac.core.policy import policy_from_mapping

LONG = "abcdefghij" * 5  # 50 characters


def error(d: dict[str, Any]) -> str:
    with pytest.raises(InputError) as exc:
        policy_from_mapping(d)
    return str(exc.value)


def test_every_key_is_read() -> None:
    p = policy_from_mapping(
        {
            "default_ttl": "2h",
            "max_ttl": "3d",
            "stale_lock": "90s",
            "max_environments": 7,
            "max_per_requester": 2,
            "port": 8088,
            "health_timeout": "20m",
            "default_size": "large",
            "trusted_associations": ["OWNER", "CONTRIBUTOR"],
            "max_age": "5d",
            "idle_action": "sleep",
            "warn_before": "3h",
        }
    )
    assert p == Policy(
        default_ttl=Ttl("2h"),
        max_ttl=Ttl("3d"),
        stale_lock=timedelta(seconds=90),
        max_environments=7,
        max_per_requester=2,
        port=8088,
        health_timeout=timedelta(minutes=20),
        default_size="large",
        trusted_associations=frozenset({"OWNER", "CONTRIBUTOR"}),
        max_age=timedelta(days=5),
        idle_action="sleep",
        warn_before=timedelta(hours=3),
    )


def test_a_durations_units_are_seconds_minutes_hours_days() -> None:
    cases = {"45s": timedelta(seconds=45), "45m": timedelta(minutes=45)}
    cases |= {"45h": timedelta(hours=45), "45d": timedelta(days=45)}
    for text, duration in cases.items():
        assert policy_from_mapping({"stale_lock": text}).stale_lock == duration
        assert policy_from_mapping({"health_timeout": text}).health_timeout == duration


def test_integer_bounds_are_inclusive() -> None:
    bounds = {"max_environments": (1, 10_000), "max_per_requester": (1, 1_000), "port": (1, 65_535)}
    for key, (lo, hi) in bounds.items():
        assert getattr(policy_from_mapping({key: lo}), key) == lo
        assert getattr(policy_from_mapping({key: hi}), key) == hi
        assert (
            error({key: lo - 1})
            == f"policy {key} = '{lo - 1}': expected an integer from {lo} to {hi}"
        )
        assert (
            error({key: hi + 1})
            == f"policy {key} = '{hi + 1}': expected an integer from {lo} to {hi}"
        )
    assert error({"port": 10**40}) == (
        f"policy port = '{'1' + '0' * 29}': expected an integer from 1 to 65535"
    )


def test_a_bad_duration_names_its_key_and_the_value_cut_to_30_characters() -> None:
    for key in ("stale_lock", "health_timeout", "max_age", "warn_before"):
        assert error({key: LONG}) == (
            f"policy {key} = '{LONG[:30]}': use a duration such as 90s, 15m, 1h or 2d"
        )
        # not a string: the same error, not a crash
        assert error({key: 5}) == f"policy {key} = '5': use a duration such as 90s, 15m, 1h or 2d"


def test_warn_before_must_be_shorter_than_max_age_given_or_default() -> None:
    message = "policy warn_before must be shorter than max_age"
    assert error({"warn_before": "7d"}) == message  # equal to the default max age
    assert error({"max_age": "2h"}) == message  # equal to the default warning
    assert policy_from_mapping({"max_age": "1h", "warn_before": "30m"}).max_age == timedelta(
        hours=1
    )


def test_the_choice_errors_name_the_value_cut_and_the_choices() -> None:
    assert error({"idle_action": LONG}) == (
        f"policy idle_action = '{LONG[:20]}': choose sleep or destroy"
    )
    assert error({"default_size": LONG}) == (
        f"policy default_size = '{LONG[:20]}': choose small, medium, large"
    )
    assert error({"trusted_associations": ["owner"]}) == (
        "policy trusted_associations must be a list of COLLABORATOR, CONTRIBUTOR,"
        " FIRST_TIMER, FIRST_TIME_CONTRIBUTOR, MANNEQUIN, MEMBER, NONE, OWNER"
    )


def test_the_ttl_errors() -> None:
    assert error({"sizes": 1}) == (
        "unknown policy key 'sizes': known keys are default_ttl, max_ttl, stale_lock,"
        " max_environments, max_per_requester, port, health_timeout, default_size,"
        " trusted_associations, max_age, idle_action, warn_before, image_sources"
    )
    assert error({"max_ttl": "manual"}) == (
        "policy max_ttl must be a duration (use keep-alive for unbounded)"
    )
    # a default TTL equal to the maximum is allowed
    assert policy_from_mapping({"default_ttl": "3d", "max_ttl": "3d"}).default_ttl == Ttl("3d")
