"""The operator policy file (``showtime.toml``): lifetimes, locks, quotas, health deadline.

One small TOML file, validated at start with errors that name the key. Every key is
optional; :class:`~showtime_iac.core.model.Policy` holds the defaults.

    # showtime.toml
    default_ttl = "24h"        # lifetime of a new environment
    max_ttl = "7d"             # the most `/showtime extend` may give
    stale_lock = "1h"          # a build claim older than this is reclaimed
    max_environments = 50      # across the repository
    max_per_requester = 3
    port = 8080
    health_timeout = "15m"     # Superset loading its examples is slow
    default_size = "medium"    # small | medium | large
    trusted_associations = ["OWNER", "MEMBER", "COLLABORATOR"]
    max_age = "7d"             # no environment of a PR lives longer, pinned or not
    idle_action = "destroy"    # or "sleep": an idle environment scales to zero (max age destroys)
    warn_before = "2h"         # the cleanup warns this long before a teardown; "0s": never
    image_sources = ["ghcr.io/OWNER/REPO:{sha}"]  # reuse another CI's image (docs/images.md)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from showtime_iac.core.model import SIZES, InputError, Policy, Ttl
from showtime_iac.core.registry import image_sources_from

__all__ = ["policy_from_mapping", "parse_duration", "DEFAULT_FILE", "KEYS"]

DEFAULT_FILE = "showtime.toml"
KEYS = (
    "default_ttl",
    "max_ttl",
    "stale_lock",
    "max_environments",
    "max_per_requester",
    "port",
    "health_timeout",
    "default_size",
    "trusted_associations",
    "max_age",
    "idle_action",
    "warn_before",
    "image_sources",
)
_DUR_RE = re.compile(r"^([1-9][0-9]{0,5})([smhd])$")
_ASSOCIATIONS = {
    "OWNER",
    "MEMBER",
    "COLLABORATOR",
    "CONTRIBUTOR",
    "FIRST_TIME_CONTRIBUTOR",
    "FIRST_TIMER",
    "MANNEQUIN",
    "NONE",
}


def parse_duration(text: str, key: str) -> timedelta:
    m = _DUR_RE.match(text.strip()) if isinstance(text, str) else None
    if m is None:
        raise InputError(
            f"policy {key} = {str(text)[:30]!r}: use a duration such as 90s, 15m, 1h or 2d"
        )
    n = int(m.group(1))
    return {"s": timedelta(seconds=n), "m": timedelta(minutes=n), "h": timedelta(hours=n)}.get(
        m.group(2), timedelta(days=n)
    )


def _lifetime_keys(d: Mapping[str, Any], base: Policy) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "max_age" in d:
        out["max_age"] = parse_duration(d["max_age"], "max_age")
    if "warn_before" in d:
        v = d["warn_before"]
        zero = isinstance(v, str) and re.fullmatch(r"0[smhd]?", v.strip()) is not None
        out["warn_before"] = timedelta(0) if zero else parse_duration(v, "warn_before")
    action = d.get("idle_action", base.idle_action)
    if action not in ("sleep", "destroy"):
        raise InputError(f"policy idle_action = {str(action)[:20]!r}: choose sleep or destroy")
    out["idle_action"] = action
    if out.get("warn_before", base.warn_before) >= out.get("max_age", base.max_age):
        raise InputError("policy warn_before must be shorter than max_age")
    return out


def _int(d: Mapping[str, Any], key: str, lo: int, hi: int, default: int) -> int:
    v = d.get(key, default)
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        raise InputError(f"policy {key} = {str(v)[:30]!r}: expected an integer from {lo} to {hi}")
    return v


def _ttl(d: Mapping[str, Any], key: str, default: Ttl) -> Ttl:
    v = d.get(key)
    if v is None:
        return default
    try:
        return Ttl.parse(str(v))
    except InputError as exc:
        raise InputError(f"policy {key}: {exc}") from None


def policy_from_mapping(d: Mapping[str, Any]) -> Policy:
    """Validate a decoded policy table. Unknown keys are errors (a typo must not pass)."""
    unknown = sorted(set(d) - set(KEYS))
    if unknown:
        raise InputError(f"unknown policy key {unknown[0]!r}: known keys are {', '.join(KEYS)}")
    base = Policy()
    default_ttl = _ttl(d, "default_ttl", base.default_ttl)
    max_ttl = _ttl(d, "max_ttl", base.max_ttl)
    if max_ttl.duration is None:
        raise InputError("policy max_ttl must be a duration (use keep-alive for unbounded)")
    dd = default_ttl.duration
    if dd is not None and dd > max_ttl.duration:
        raise InputError(f"policy default_ttl {default_ttl} is above max_ttl {max_ttl}")
    size = d.get("default_size", base.default_size)
    if size not in SIZES:
        raise InputError(f"policy default_size = {str(size)[:20]!r}: choose {', '.join(SIZES)}")
    assoc = d.get("trusted_associations", sorted(base.trusted_associations))
    if not isinstance(assoc, list) or not all(
        isinstance(a, str) and a in _ASSOCIATIONS for a in assoc
    ):
        raise InputError(
            f"policy trusted_associations must be a list of {', '.join(sorted(_ASSOCIATIONS))}"
        )
    return Policy(
        default_ttl=default_ttl,
        max_ttl=max_ttl,
        stale_lock=parse_duration(d["stale_lock"], "stale_lock")
        if "stale_lock" in d
        else base.stale_lock,
        max_environments=_int(d, "max_environments", 1, 10_000, base.max_environments),
        max_per_requester=_int(d, "max_per_requester", 1, 1_000, base.max_per_requester),
        port=_int(d, "port", 1, 65_535, base.port),
        health_timeout=parse_duration(d["health_timeout"], "health_timeout")
        if "health_timeout" in d
        else base.health_timeout,
        default_size=size,
        trusted_associations=frozenset(assoc),
        image_sources=image_sources_from(d["image_sources"]) if "image_sources" in d else (),
        **_lifetime_keys(d, base),
    )
