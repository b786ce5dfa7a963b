"""The cost estimate (docs/operations.md "Cost", docs/environments.md "Size and cost"): the
contracts the mutation run (issue 29) found no test pinning down. Each test was checked by
making the change and watching it fail.

Pure arithmetic over the price table, the figures written out as the docs print them.
"""

from __future__ import annotations

import pytest

from showtime_iac.core.cost import (
    FargatePrices,
    cost_breakdown,
    hourly_cost,
    size_in,
    total_hourly_cost,
)
from showtime_iac.core.model import InputError

KEYS = (
    "vcpu_hour, gb_hour, ipv4_hour, ecr_gb_month, secret_month, logs_ingest_gb, image_gb, "
    "log_gb_hour"
)


def test_the_default_prices_give_the_documented_hourly_costs() -> None:
    """docs/operations.md prints these three figures."""
    assert {s: hourly_cost(s) for s in ("small", "medium", "large")} == {
        "small": 0.03738,
        "medium": 0.05762,
        "large": 0.10699,
    }
    assert total_hourly_cost(["small", "medium", "large"]) == 0.20199


def test_the_parts_of_a_medium_environment() -> None:
    assert cost_breakdown("medium") == {
        "compute": 0.04937,  # 1 vCPU x 0.04048 + 2 GiB x 0.004445
        "public_ipv4": 0.005,
        "image_storage": 0.000205,  # 1.5 GB x 0.10 / 730 h
        "secret": 0.000548,  # 0.40 / 730 h
        "logs": 0.0025,  # 0.005 GB/h x 0.50
    }
    assert cost_breakdown("large")["compute"] == 0.09874  # 2 x 0.04048 + 4 x 0.004445


def test_a_sleeping_environment_pays_only_for_its_image_and_its_secret() -> None:
    for size in ("small", "medium", "large"):
        assert cost_breakdown(size, sleeping=True) == {
            "compute": 0.0,
            "public_ipv4": 0.0,
            "image_storage": 0.000205,
            "secret": 0.000548,
            "logs": 0.0,
        }
        assert hourly_cost(size, sleeping=True) == 0.00075


def test_an_unknown_size_names_the_sizes() -> None:
    with pytest.raises(InputError) as err:
        cost_breakdown("huge")
    assert str(err.value) == "unknown size 'huge': choose one of small, medium, large"


def test_the_size_of_a_configuration_is_its_first_size_else_the_default() -> None:
    assert size_in(("large", "debug")) == "large"
    assert size_in(("debug", "small", "large")) == "small"
    assert size_in(()) == "medium"
    assert size_in(("debug",)) == "medium"
    assert size_in(("debug",), default="large") == "large"
    assert size_in(iter(["examples", "large"])) == "large"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"cpu": 1}, f"unknown price key 'cpu': expected one of {KEYS}"),
        ({"currency": "EUR"}, f"unknown price key 'currency': expected one of {KEYS}"),
        ({"gb_hour": "cheap"}, "price gb_hour='cheap' is not a number"),
        ({"gb_hour": None}, "price gb_hour=None is not a number"),
        ({"vcpu_hour": -1}, "price vcpu_hour=-1.0 is out of range (0 to 100 per hour)"),
        ({"vcpu_hour": 100}, "price vcpu_hour=100.0 is out of range (0 to 100 per hour)"),
        ({"image_gb": "1e3"}, "price image_gb=1000.0 is out of range (0 to 100 per hour)"),
    ],
)
def test_a_bad_price_is_one_line_naming_it(data: dict[str, object], message: str) -> None:
    with pytest.raises(InputError) as err:
        FargatePrices.from_mapping(data)
    assert str(err.value) == message


def test_prices_from_zero_to_just_under_100_are_accepted() -> None:
    p = FargatePrices.from_mapping({"vcpu_hour": 0, "gb_hour": 99.99, "ipv4_hour": "0.5"})
    assert (p.vcpu_hour, p.gb_hour, p.ipv4_hour) == (0.0, 99.99, 0.5)


def test_overrides_apply_on_top_of_a_base_and_keep_its_currency() -> None:
    base = FargatePrices(vcpu_hour=1.0, gb_hour=2.0, currency="EUR")
    p = FargatePrices.from_mapping({"gb_hour": 3}, base)
    assert p == FargatePrices(vcpu_hour=1.0, gb_hour=3.0, currency="EUR")
    assert FargatePrices.from_mapping({}, base) == base


def test_every_price_has_its_variable_and_an_empty_one_is_unset() -> None:
    env = {
        "SHOWTIME_PRICE_VCPU_HOUR": "1",
        "SHOWTIME_PRICE_GB_HOUR": "2",
        "SHOWTIME_PRICE_IPV4_HOUR": "3",
        "SHOWTIME_PRICE_ECR_GB_MONTH": "4",
        "SHOWTIME_PRICE_SECRET_MONTH": "5",
        "SHOWTIME_PRICE_LOGS_INGEST_GB": "6",
        "SHOWTIME_PRICE_IMAGE_GB": "7",
        "SHOWTIME_PRICE_LOG_GB_HOUR": "8",
    }
    assert FargatePrices.from_env(env) == FargatePrices(1, 2, 3, 4, 5, 6, 7, 8)
    assert FargatePrices.from_env({"SHOWTIME_PRICE_VCPU_HOUR": ""}) == FargatePrices()
    assert FargatePrices.from_env({"showtime_price_vcpu_hour": "1"}) == FargatePrices()
    with pytest.raises(InputError) as err:
        FargatePrices.from_env({"SHOWTIME_PRICE_GB_HOUR": "free"})
    assert str(err.value) == "price gb_hour='free' is not a number"


def test_each_part_is_given_to_the_micro_dollar() -> None:
    p = FargatePrices(
        vcpu_hour=0.0123456789,
        gb_hour=0,
        ipv4_hour=0.0123456789,
        log_gb_hour=1,
        logs_ingest_gb=0.0123456789,
        image_gb=0,
        secret_month=0,
    )
    assert cost_breakdown("medium", p) == {
        "compute": 0.012346,
        "public_ipv4": 0.012346,
        "image_storage": 0.0,
        "secret": 0.0,
        "logs": 0.012346,
    }
    assert hourly_cost("medium", p) == 0.03704  # 3 x 0.012346, to five places
