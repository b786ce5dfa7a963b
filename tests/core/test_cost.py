"""The Fargate estimate: the size table (held to the program's), prices and their overrides."""

from __future__ import annotations

import pytest

from showtime_iac.core.cost import (
    DEFAULT_PRICES,
    SIZE_RESOURCES,
    FargatePrices,
    hourly_cost,
    total_hourly_cost,
)
from showtime_iac.core.model import InputError


def test_size_table_matches_the_program() -> None:
    from showtime_iac.program import SIZE_SPECS

    assert {k: (s.cpu / 1024, s.memory / 1024) for k, s in SIZE_SPECS.items()} == SIZE_RESOURCES
    assert all(gib >= 2 for _, gib in SIZE_RESOURCES.values())


def test_hourly_cost_from_the_price_table() -> None:
    p = FargatePrices(vcpu_hour=0.04, gb_hour=0.005, ipv4_hour=0.01)
    assert hourly_cost("small", p) == pytest.approx(0.04 + 2 * 0.005 + 0.01)
    assert hourly_cost("large", p) == pytest.approx(4 * 0.04 + 8 * 0.005 + 0.01)
    assert hourly_cost("small") < hourly_cost("medium") < hourly_cost("large")
    assert total_hourly_cost(["small", "large", "large"], p) == pytest.approx(
        hourly_cost("small", p) + 2 * hourly_cost("large", p)
    )
    assert total_hourly_cost([]) == 0
    with pytest.raises(InputError, match="unknown size"):
        hourly_cost("huge")


def test_prices_overridable_by_config_and_env() -> None:
    p = FargatePrices.from_mapping({"vcpu_hour": 0.05, "gb_hour": "0.006"})
    assert (p.vcpu_hour, p.gb_hour, p.ipv4_hour) == (0.05, 0.006, DEFAULT_PRICES.ipv4_hour)
    e = FargatePrices.from_env({"SHOWTIME_PRICE_IPV4_HOUR": "0", "HOME": "/"})
    assert e.ipv4_hour == 0 and e.vcpu_hour == DEFAULT_PRICES.vcpu_hour
    for bad in ({"cpu": 1}, {"gb_hour": "cheap"}, {"vcpu_hour": -1}):
        with pytest.raises(InputError):
            FargatePrices.from_mapping(bad)
