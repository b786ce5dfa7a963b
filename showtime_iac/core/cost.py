"""Cost estimates of one environment from its size: pure arithmetic over a price table (Fargate
compute, the task's public IPv4, its image's ECR storage, its log ingestion).

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
    "cost_breakdown",
    "hourly_cost",
    "size_in",
    "total_hourly_cost",
]


# (vCPU, GiB) of each size; must equal program.SIZE_SPECS (a test holds them together):
# program.py imports pulumi, which `status` and `list` should not pay for.
SIZE_RESOURCES: dict[str, tuple[float, float]] = {
    "small": (0.5, 2.0),
    "medium": (1.0, 2.0),
    "large": (2.0, 4.0),
}
HOURS_PER_MONTH = 730.0


@dataclass(frozen=True)
class FargatePrices:
    """On-demand prices, USD (us-east-1/us-west-2, 2025 list prices): Fargate Linux/x86 per
    hour, the public IPv4 address each task holds, ECR storage per GB-month, a Secrets Manager
    secret per month, CloudWatch Logs ingestion per GB; and the two volumes they apply to,
    which are estimates: the image's size in ECR and the log volume per hour. Override with
    :meth:`from_mapping` (a ``[cost]`` table) or :meth:`from_env` (``SHOWTIME_PRICE_*``)."""

    vcpu_hour: float = 0.04048
    gb_hour: float = 0.004445
    ipv4_hour: float = 0.005
    ecr_gb_month: float = 0.10
    secret_month: float = 0.40  # Secrets Manager, per secret (each environment has one)
    logs_ingest_gb: float = 0.50
    image_gb: float = 1.5  # Superset's `ci` image, compressed in ECR
    log_gb_hour: float = 0.005  # ~5 MB/h: gunicorn access log and Superset's INFO lines
    currency: str = "USD"

    _KEYS = (
        "vcpu_hour",
        "gb_hour",
        "ipv4_hour",
        "ecr_gb_month",
        "secret_month",
        "logs_ingest_gb",
        "image_gb",
        "log_gb_hour",
    )

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


def size_in(config: Iterable[str], default: str = "medium") -> str:
    """The size a ⚙️ configuration names (``("large", "debug")`` → ``large``), else
    ``default`` (the medium size is the one the ⚙️ label leaves out)."""
    return next((c for c in config if c in SIZE_RESOURCES), default)


def cost_breakdown(
    size: Size | str, prices: FargatePrices = DEFAULT_PRICES, *, sleeping: bool = False
) -> dict[str, float]:
    """Estimated USD per hour of one environment of ``size``, by part: Fargate compute, the
    task's public IPv4, its image's ECR storage, its secret (admin password and key), its log
    ingestion (storage of a week of logs is a rounding error and left out). Shared costs (the
    load balancer) are not in it.

    ``sleeping``: scaled to zero, no task runs, so compute, its address and its logs cost
    nothing; the image stays in ECR (a wake needs it) and the secret in Secrets Manager."""
    if size not in SIZE_RESOURCES:
        raise InputError(f"unknown size {size!r}: choose one of {', '.join(SIZES)}")
    vcpu, gib = SIZE_RESOURCES[size]
    running = 0.0 if sleeping else 1.0
    return {
        "compute": round(running * (vcpu * prices.vcpu_hour + gib * prices.gb_hour), 6),
        "public_ipv4": round(running * prices.ipv4_hour, 6),
        "image_storage": round(prices.image_gb * prices.ecr_gb_month / HOURS_PER_MONTH, 6),
        "secret": round(prices.secret_month / HOURS_PER_MONTH, 6),
        "logs": round(running * prices.log_gb_hour * prices.logs_ingest_gb, 6),
    }


def hourly_cost(
    size: Size | str, prices: FargatePrices = DEFAULT_PRICES, *, sleeping: bool = False
) -> float:
    """Estimated USD per hour of one environment of ``size`` (``sleeping``: scaled to zero):
    the sum of :func:`cost_breakdown` (compute, public IPv4, image storage, secret, logs)."""
    return round(sum(cost_breakdown(size, prices, sleeping=sleeping).values()), 5)


def total_hourly_cost(sizes: Iterable[Size | str], prices: FargatePrices = DEFAULT_PRICES) -> float:
    """The sum of :func:`hourly_cost` over a fleet."""
    return round(sum(hourly_cost(s, prices) for s in sizes), 5)
