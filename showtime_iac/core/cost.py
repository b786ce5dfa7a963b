"""Fargate cost estimates from an environment's size: pure arithmetic over a price table.

The prices are on-demand list prices (:class:`FargatePrices`); a ``[cost]`` table or the
``SHOWTIME_PRICE_*`` variables (read by the caller, passed in as a mapping) override them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from showtime_iac.core.model import SIZES, InputError, Size

__all__ = [
    "DEFAULT_PRICES",
    "SIZE_RESOURCES",
    "FargatePrices",
    "hourly_cost",
    "total_hourly_cost",
]


# (vCPU, GiB) of each size; must equal program.SIZE_SPECS (a test holds them together):
# program.py imports pulumi, which `status` and `list` should not pay for.
SIZE_RESOURCES: dict[str, tuple[float, float]] = {
    "small": (1.0, 2.0),
    "medium": (2.0, 4.0),
    "large": (4.0, 8.0),
}


@dataclass(frozen=True)
class FargatePrices:
    """On-demand Fargate, Linux/x86, USD per hour (us-east-1/us-west-2, 2025 list prices),
    plus the public IPv4 address each task holds. Override with :meth:`from_mapping`
    (a ``[cost]`` table) or :meth:`from_env` (``SHOWTIME_PRICE_*``)."""

    vcpu_hour: float = 0.04048
    gb_hour: float = 0.004445
    ipv4_hour: float = 0.005
    currency: str = "USD"

    _KEYS = ("vcpu_hour", "gb_hour", "ipv4_hour")

    @classmethod
    def from_mapping(
        cls, data: Mapping[str, object], base: FargatePrices | None = None
    ) -> FargatePrices:
        b = base or cls()
        values = {k: getattr(b, k) for k in cls._KEYS}
        for key, raw in data.items():
            if key not in cls._KEYS:
                raise InputError(
                    f"unknown price key {key!r}: expected one of {', '.join(cls._KEYS)}"
                )
            try:
                value = float(raw)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                raise InputError(f"price {key}={raw!r} is not a number") from None
            if not 0 <= value < 100:
                raise InputError(f"price {key}={value} is out of range (0 to 100 per hour)")
            values[key] = value
        return cls(**values, currency=b.currency)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> FargatePrices:
        """The ``SHOWTIME_PRICE_*`` overrides of ``env`` (the caller passes ``os.environ``)."""
        data = {
            k: env[f"SHOWTIME_PRICE_{k.upper()}"]
            for k in cls._KEYS
            if env.get(f"SHOWTIME_PRICE_{k.upper()}")
        }
        return cls.from_mapping(data)


DEFAULT_PRICES = FargatePrices()


def hourly_cost(size: Size | str, prices: FargatePrices = DEFAULT_PRICES) -> float:
    """Estimated USD per hour of one environment of ``size`` (vCPU + memory + public IPv4)."""
    if size not in SIZE_RESOURCES:
        raise InputError(f"unknown size {size!r}: choose one of {', '.join(SIZES)}")
    vcpu, gib = SIZE_RESOURCES[size]
    return round(vcpu * prices.vcpu_hour + gib * prices.gb_hour + prices.ipv4_hour, 5)


def total_hourly_cost(sizes: Iterable[Size | str], prices: FargatePrices = DEFAULT_PRICES) -> float:
    """The sum of :func:`hourly_cost` over a fleet."""
    return round(sum(hourly_cost(s, prices) for s in sizes), 5)
