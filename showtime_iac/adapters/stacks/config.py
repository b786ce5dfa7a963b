"""What a stack carries besides its resources: its tags (design §4) and config values."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from showtime_iac.core.model import EnvConfig, InputError, resource_tags

__all__ = [
    "MAX_TAG_NAME",
    "MAX_TAG_VALUE",
    "check_tags",
    "preview_settings",
    "is_secret_key",
    "stack_config_values",
    "stack_tags",
]

# Pulumi Cloud caps stack tag names at 40 characters and values at 256.
MAX_TAG_NAME = 40
MAX_TAG_VALUE = 256
_SECRET_KEY_RE = re.compile(r"(password|token|secret|passphrase|apikey|api_key)", re.IGNORECASE)


def check_tags(tags: Mapping[str, str]) -> dict[str, str]:
    """Refuse tag names over 40 characters and values over 256 (Pulumi Cloud's limits)."""
    for k, v in tags.items():
        if not k or len(k) > MAX_TAG_NAME:
            raise InputError(f"stack tag name {k[:60]!r} must be 1 to {MAX_TAG_NAME} characters")
        if len(v) > MAX_TAG_VALUE:
            raise InputError(f"stack tag {k} is longer than {MAX_TAG_VALUE} characters")
    return dict(tags)


def stack_tags(cfg: EnvConfig) -> dict[str, str]:
    """The stack tags of design §4 (the same as on every AWS resource) and the record's
    stack-only ones (:func:`~showtime_iac.core.record.record_tags`), checked."""
    from showtime_iac.core.record import record_tags

    return check_tags({**resource_tags(cfg), **record_tags(cfg)})


def is_secret_key(key: str) -> bool:
    """Config keys set as secret config (encrypted in the state and the stack file)."""
    return bool(_SECRET_KEY_RE.search(key.rsplit(":", 1)[-1]))


def stack_config_values(
    cfg: EnvConfig, base: Mapping[str, str] | None = None
) -> dict[str, tuple[str, bool]]:
    """Every config value of one environment stack: ``{key: (value, secret)}``.

    ``base`` holds the values that are not the environment's (``aws:region``, the shared stack
    reference, provider settings); the environment's own keys come from ``to_stack_config``.
    """
    from showtime_iac.core.stack_config import to_stack_config

    merged = {**(base or {}), **to_stack_config(cfg)}
    return {k: (v, is_secret_key(k)) for k, v in merged.items()}


def preview_settings(own: Mapping[str, Any], config: Mapping[str, str]) -> dict[str, Any]:
    """The stack file a preview runs with: the stack's own (its encryption salt and its
    secret config, e.g. the generated secrets the program needs) with ``config`` as the plain
    values. A secret is kept as its ciphertext; ``config`` carries no secret."""
    out = dict(own)
    mine = own.get("config") or {}
    kept = {k: v for k, v in mine.items() if isinstance(v, dict) and "secure" in v}
    out["config"] = {**kept, **dict(config)}
    return out
