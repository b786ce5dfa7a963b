"""Reading the inputs a run starts from: the event file and the policy file.

The core parses; this module does the file and environment reads, so the core stays free of
I/O. Every failure is an :class:`~showtime_iac.errors.InputError` (exit 2) naming the file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from showtime_iac.core.model import Policy
from showtime_iac.core.policy import DEFAULT_FILE, policy_from_mapping
from showtime_iac.errors import InputError, shown

__all__ = ["load_payload", "load_policy"]


def load_payload(path: str | Path) -> dict[str, Any]:
    """Read an event file; every failure is an InputError naming the file."""
    p = Path(path)
    name = shown(p)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"event file {name} not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read event file {name}: {_why(exc)}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"event file {name} is not JSON: {exc.msg} at line {exc.lineno}") from None
    if not isinstance(data, dict):
        raise InputError(f"event file {name} must hold a JSON object, not {type(data).__name__}")
    return data


def _why(exc: Exception) -> str:
    """Why a file could not be read, without the file name again (an OSError repeats it)."""
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    return str(exc)


def load_policy(path: str | Path | None = None) -> Policy:
    """``path``, else ``$SHOWTIME_POLICY``, else ``./showtime.toml`` if present, else defaults.

    A ``[tool.showtime-iac]`` table is read when the file is a ``pyproject.toml``.
    """
    explicit = path or os.environ.get("SHOWTIME_POLICY")
    p = Path(explicit) if explicit else Path(DEFAULT_FILE)
    name = shown(p)
    try:
        found = p.exists()
    except OSError as exc:  # e.g. a name too long for the file system
        raise InputError(f"cannot read policy file {name}: {_why(exc)}") from None
    if not found:
        if explicit:
            raise InputError(f"policy file {name} not found")
        return Policy()
    import tomllib  # only when there is a file to read

    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read policy file {name}: {_why(exc)}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"policy file {name} is not valid TOML: {exc}") from None
    if p.name == "pyproject.toml":
        data = data.get("tool", {}).get("showtime-iac", {})
    return policy_from_mapping(data)
