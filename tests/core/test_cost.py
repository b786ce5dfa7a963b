"""The Fargate estimate: the size table (held to the program's), prices and their overrides."""

from __future__ import annotations

import pytest

from showtime_iac.core.cost import (
    DEFAULT_PRICES,
    SIZE_RESOURCES,
    FargatePrices,
    cost_breakdown,
    hourly_cost,
    total_hourly_cost,
)
from showtime_iac.core.model import InputError


def test_size_table_matches_the_program() -> None:
    from showtime_iac.program import SIZE_SPECS

    assert {k: (s.cpu / 1024, s.memory / 1024) for k, s in SIZE_SPECS.items()} == SIZE_RESOURCES
    assert all(gib >= 2 for _, gib in SIZE_RESOURCES.values())


def test_hourly_cost_from_the_price_table() -> None:
    p = FargatePrices(
        vcpu_hour=0.04, gb_hour=0.005, ipv4_hour=0.01, image_gb=0.0, log_gb_hour=0.0, secret_month=0
    )
    assert hourly_cost("small", p) == pytest.approx(0.5 * 0.04 + 2 * 0.005 + 0.01)
    assert hourly_cost("large", p) == pytest.approx(2 * 0.04 + 4 * 0.005 + 0.01)
    assert hourly_cost("small") < hourly_cost("medium") < hourly_cost("large")
    assert total_hourly_cost(["small", "large", "large"], p) == pytest.approx(
        hourly_cost("small", p) + 2 * hourly_cost("large", p)
    )
    assert total_hourly_cost([]) == 0
    with pytest.raises(InputError, match="unknown size"):
        hourly_cost("huge")


def test_the_cost_shows_image_storage_and_logs() -> None:
    p = FargatePrices(ecr_gb_month=0.10, image_gb=1.46, logs_ingest_gb=0.5, log_gb_hour=0.01)
    parts = cost_breakdown("medium", p)
    assert set(parts) == {"compute", "public_ipv4", "image_storage", "secret", "logs"}
    assert parts["image_storage"] == pytest.approx(1.46 * 0.10 / 730, abs=1e-6)
    assert parts["logs"] == pytest.approx(0.005)
    assert hourly_cost("medium", p) == pytest.approx(sum(parts.values()), abs=1e-5)
    assert cost_breakdown("medium")["image_storage"] > 0
    assert cost_breakdown("medium")["logs"] > 0


def test_each_environments_secret_is_counted_asleep_or_not() -> None:
    """Secrets Manager bills $0.40 a month per secret, whether the task runs or not."""
    assert cost_breakdown("medium")["secret"] == pytest.approx(0.40 / 730, abs=1e-6)
    assert cost_breakdown("small", sleeping=True)["secret"] == pytest.approx(0.000548, abs=1e-6)
    free = FargatePrices(secret_month=0)
    assert hourly_cost("medium") - hourly_cost("medium", free) == pytest.approx(0.000548, abs=2e-5)


def test_the_default_size_costs_a_third_of_before() -> None:
    """1 vCPU / 2 GiB (medium, the default) instead of 2 vCPU / 4 GiB."""
    assert SIZE_RESOURCES["medium"] == (1.0, 2.0)
    assert SIZE_RESOURCES["small"] == (0.5, 2.0)  # the original's


def test_prices_overridable_by_config_and_env() -> None:
    p = FargatePrices.from_mapping({"vcpu_hour": 0.05, "gb_hour": "0.006"})
    assert (p.vcpu_hour, p.gb_hour, p.ipv4_hour) == (0.05, 0.006, DEFAULT_PRICES.ipv4_hour)
    e = FargatePrices.from_env({"SHOWTIME_PRICE_IPV4_HOUR": "0", "HOME": "/"})
    assert e.ipv4_hour == 0 and e.vcpu_hour == DEFAULT_PRICES.vcpu_hour
    for bad in ({"cpu": 1}, {"gb_hour": "cheap"}, {"vcpu_hour": -1}):
        with pytest.raises(InputError):
            FargatePrices.from_mapping(bad)
