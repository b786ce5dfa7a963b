"""The 🎪 label grammar: the names, one label's value, parsing and rendering. Pure.

``parse_label`` never raises; a label that does not parse becomes a warning string. Everything
here is re-exported by :mod:`showtime_iac.core.labels`, which folds a PR's labels into a state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from showtime_iac.core.model import (
    FLAG_RE,
    LOGIN_RE,
    SHA_RE,
    InputError,
    Show,
    Status,
    Ttl,
)

__all__ = [
    "BLOCKED",
    "FREEZE",
    "LEGACY",
    "MAX_LABEL",
    "PREFIX",
    "START",
    "STOP",
    "TRIGGER_LABELS",
    "Attr",
    "AttrKind",
    "ConfRequest",
    "Label",
    "Pointer",
    "Trigger",
    "format_timestamp",
    "parse_lifetime",
    "parse_timestamp",
    "EARLIEST",
    "LATEST",
    "render_lifetime",
    "is_showtime_label",
    "label_length",
    "parse_label",
    "render_label",
    "render_pointer",
    "render_show",
]

PREFIX = "🎪 "
LEGACY = "testenv-up"
START = "🎪 ⚡ showtime-trigger-start"
STOP = "🎪 🛑 showtime-trigger-stop"
FREEZE = "🎪 🧊 showtime-freeze"
BLOCKED = "🎪 🔒 showtime-blocked"
TRIGGER_LABELS = (START, STOP, FREEZE, BLOCKED)
MAX_LABEL = 50

# Meta emoji. The variation selectors (U+FE0F emoji, U+FE0E text presentation) are written as
# below and normalized away on every emoji token when reading: `🎯️` is the 🎯 pointer, `🏗` the
# 🏗️ one. Trigger labels are matched exactly (a variant is reported, never acted on).
E_STATUS, E_ACTIVE, E_BUILDING = "🚦", "🎯", "🏗️"
E_IP, E_CREATED, E_TTL, E_USER, E_CONFIG = "🌐", "📅", "⌛", "👤", "⚙️"
E_WARNED = "⚠️"

AttrKind = Literal["status", "ip", "created", "ttl", "requester", "config", "warned"]
_ATTR_EMOJI: dict[AttrKind, str] = {
    "status": E_STATUS,
    "ip": E_IP,
    "created": E_CREATED,
    "ttl": E_TTL,
    "requester": E_USER,
    "config": E_CONFIG,
    "warned": E_WARNED,
}
_VS = "\ufe0e\ufe0f"
_EMOJI_ATTR: dict[str, AttrKind] = {v.rstrip(_VS): k for k, v in _ATTR_EMOJI.items()}
_EMOJI_ATTR["🤡"] = "requester"  # Superset Showtime ≤0.7 writes the requester with a clown

_IPV4 = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
_IP_RE = re.compile(rf"^({_IPV4}(?:[.-]{_IPV4}){{3}})(?::([0-9]{{1,5}}))?$")
# HTTPS mode: the PR's own host, `pr-{n}.<domain>` (the only host form we write)
_HOST_RE = re.compile(r"^pr-(?:0|[1-9]\d{0,9})(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.[a-z]{2,63}$")
_TS_RE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2})-([0-9]{2})Z?$")
_DATE_RE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")
_MAX_SEP = " · max "
_CONF_ITEM_RE = re.compile(r"^(?:small|medium|large|debug|no-examples|redis|-?[A-Z][A-Z0-9_]*)$")
_PART_RE = re.compile(r"^([1-9])/([1-9]) (\S+)$")
_CONF_REQ_RE = re.compile(
    r"^conf-(?:(enable|disable)-(.+)|size-(.+)|debug-(on|off)|(no-examples)|(cache-redis))$"
)


def label_length(name: str) -> int:
    """Length as UTF-16 code units: an upper bound of what GitHub counts."""
    return len(name.encode("utf-16-le")) // 2


def is_showtime_label(name: str) -> bool:
    """True for labels this tool owns or reads (the 🎪 family and legacy ``testenv-up``)."""
    return name.startswith(PREFIX) or name == LEGACY


def format_timestamp(when: datetime) -> str:
    """``2024-01-15T14-30`` in UTC (colons are awkward in label names)."""
    if when.tzinfo is not None:
        when = when.astimezone(UTC)
    return when.strftime("%Y-%m-%dT%H-%M")


#: No date in a label is read before this (the tool did not exist; ``📅 1970-…`` is forged) ...
EARLIEST = datetime(2020, 1, 1, tzinfo=UTC)
#: ... nor from this on (``📅 9999-…`` would overflow every deadline computed from it). The
#: bound relative to the clock (:data:`FUTURE_SLACK`) is applied where ``now`` is known.
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def parse_timestamp(value: str, date_only: bool = False) -> datetime | None:
    """``2024-01-15T14-30`` (UTC) as a datetime; with ``date_only`` also ``2024-01-15``
    (its first minute: of a day's deadline, the earliest reading is the safest). ``None`` for
    a date outside [:data:`EARLIEST`, :data:`LATEST`): a label carrying it is ignored."""
    m = _TS_RE.match(value) or (_DATE_RE.match(value) if date_only else None)
    if m is None:
        return None
    y, mo, d, h, mi = (*(int(g) for g in m.groups()), 0, 0)[:5]
    try:
        when = datetime(y, mo, d, h, mi, tzinfo=UTC)
    except ValueError:
        return None
    return when if EARLIEST <= when < LATEST else None


Lifetime = tuple[Ttl, datetime | None, bool]
"""The ⌛ label's value: the idle TTL, the max-age deadline (None: not recorded) and whether
an admin lifted the max age."""


def parse_lifetime(value: str) -> Lifetime | None:
    """The ⌛ value: today's ``{ttl}`` (``24h``, ``close``, ``manual``) or the two-deadline
    form ``idle 24h · max 2026-12-08T14-30`` / ``pinned · max …`` / ``… · max never``."""
    head, sep, tail = value.partition(_MAX_SEP)
    max_at: datetime | None = None
    lifted = False
    if sep:
        if tail == "never":
            lifted = True
        elif (max_at := parse_timestamp(tail, date_only=True)) is None:
            return None
    try:
        if head == "pinned":
            ttl = Ttl("manual")
        elif head.startswith("idle "):
            ttl = Ttl.parse(head[5:])
            if ttl.duration is None:
                return None
        else:
            ttl = Ttl.parse(head)
    except InputError:
        return None
    return ttl, max_at, lifted


def render_lifetime(ttl: Ttl, max_at: datetime | None = None, lifted: bool = False) -> str:
    """Inverse of :func:`parse_lifetime`; without a max age, today's ``{ttl}`` form."""
    if max_at is None and not lifted:
        return ttl.value
    head = "pinned" if ttl.value == "manual" else (f"idle {ttl}" if ttl.duration else ttl.value)
    tail = format_timestamp(max_at) if max_at is not None and not lifted else "never"
    return f"{head}{_MAX_SEP}{tail}"


# --- label values ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Trigger:
    kind: Literal["start", "stop", "freeze", "blocked", "legacy"]


@dataclass(frozen=True)
class Pointer:
    kind: Literal["active", "building"]
    sha: str


@dataclass(frozen=True)
class Attr:
    """One attribute of one SHA's environment. ``sha`` is None in the SHA-less form.

    ``part``/``parts`` number the pieces of a config list too long for one label.
    """

    kind: AttrKind
    value: str
    sha: str | None = None
    part: int = 1
    parts: int = 1


@dataclass(frozen=True)
class ConfRequest:
    """A configuration request label, e.g. ``🎪 conf-enable-ALERTS`` → ("enable", "ALERTS")."""

    kind: Literal["enable", "disable", "size", "debug", "examples", "cache"]
    value: str
    label: str


Label = Trigger | Pointer | Attr | ConfRequest


def _norm_emoji(token: str) -> str:
    return token.replace("\ufe0e", "").replace("\ufe0f", "")


def _valid_value(kind: AttrKind, value: str) -> str | None:
    """Validate an attribute value; returns the canonical value or None."""
    if kind == "status":
        return value if value in {s.value for s in Status} else None
    if kind == "ip":
        if _HOST_RE.match(value):
            return value
        m = _IP_RE.match(value)
        if m is None or (m.group(2) is not None and not 0 < int(m.group(2)) < 65536):
            return None
        ip = m.group(1).replace("-", ".")
        return f"{ip}:{m.group(2)}" if m.group(2) else ip
    if kind in ("created", "warned"):
        return value.rstrip("Z") if parse_timestamp(value) is not None else None
    if kind == "ttl":
        lt = parse_lifetime(value)
        return None if lt is None else render_lifetime(*lt)
    if kind == "requester":
        return value if LOGIN_RE.match(value) else None
    # config: a comma-separated list of items; checked once the parts are joined
    return value if value and " " not in value else None


def parse_label(name: str) -> Label | str | None:
    """Parse one label name. Never raises.

    Returns a label value; ``None`` for labels that are not ours; or a warning string for a
    🎪 label that does not parse (reported, never acted on).
    """
    if name == LEGACY:
        return Trigger("legacy")
    if not name.startswith(PREFIX):
        return None
    if len(name) > 200:
        return f"ignored label of {len(name)} characters (too long to be ours)"
    triggers: dict[str, Literal["start", "stop", "freeze", "blocked"]] = {
        START: "start",
        STOP: "stop",
        FREEZE: "freeze",
        BLOCKED: "blocked",
    }
    if name in triggers:
        return Trigger(triggers[name])
    rest = name[len(PREFIX) :]
    if rest.startswith("conf-"):
        return _parse_conf(name, rest)
    parts = rest.split(" ")
    # pointer: 🎪 🎯 sha / 🎪 🏗️ sha
    if len(parts) == 2 and _norm_emoji(parts[0]) in (E_ACTIVE, _norm_emoji(E_BUILDING)):
        psha = parts[1].lower()
        if not SHA_RE.match(psha):
            return f"ignored {name!r}: {parts[1][:50]!r} is not a commit SHA"
        active = _norm_emoji(parts[0]) == E_ACTIVE
        kind: Literal["active", "building"] = "active" if active else "building"
        return Pointer(kind, psha[:7])
    sha: str | None = None
    if len(parts) >= 3 and SHA_RE.match(parts[0].lower()):
        sha, parts = parts[0].lower()[:7], parts[1:]
    if len(parts) < 2:
        return f"ignored unknown 🎪 label {name[:60]!r}"
    attr = _EMOJI_ATTR.get(_norm_emoji(parts[0]))
    if attr is None:
        return f"ignored unknown 🎪 label {name[:60]!r}"
    raw = " ".join(parts[1:])
    part = total = 1
    if attr == "config":
        m = _PART_RE.match(raw)
        if m is not None:
            part, total, raw = int(m.group(1)), int(m.group(2)), m.group(3)
            if part > total:
                return f"ignored {name!r}: part {part} of {total}"
    value = _valid_value(attr, raw)
    if value is None:
        return f"ignored {name[:60]!r}: invalid {attr} {raw[:40]!r}"
    return Attr(attr, value, sha, part, total)


def _parse_conf(name: str, rest: str) -> ConfRequest | str:
    m = _CONF_REQ_RE.match(rest)
    if m is None:
        return f"ignored unknown configuration label {name[:60]!r}"
    if m.group(1):
        flag = m.group(2)
        if not FLAG_RE.match(flag):
            return f"ignored {name[:60]!r}: {flag[:40]!r} is not a feature flag (A-Z, 0-9, _)"
        return ConfRequest(m.group(1), flag, name)  # type: ignore[arg-type]
    if m.group(3) is not None:
        size = m.group(3)
        if size not in ("small", "medium", "large"):
            return f"ignored {name[:60]!r}: size must be small, medium or large"
        return ConfRequest("size", size, name)
    if m.group(4):
        return ConfRequest("debug", m.group(4), name)
    if m.group(5):
        return ConfRequest("examples", "off", name)
    return ConfRequest("cache", "redis", name)


def render_label(label: Label) -> str:
    """The label name for one value (per-SHA form). Raises ValueError if it would exceed 50."""
    if isinstance(label, Trigger):
        return {"start": START, "stop": STOP, "freeze": FREEZE, "blocked": BLOCKED}.get(
            label.kind, LEGACY
        )
    if isinstance(label, Pointer):
        emoji = E_ACTIVE if label.kind == "active" else E_BUILDING
        name = f"{PREFIX}{emoji} {label.sha}"
    elif isinstance(label, ConfRequest):
        name = label.label
    else:
        emoji = _ATTR_EMOJI[label.kind]
        value = label.value if label.parts == 1 else f"{label.part}/{label.parts} {label.value}"
        head = f"{PREFIX}{label.sha} " if label.sha else PREFIX
        name = f"{head}{emoji} {value}"
    if label_length(name) > MAX_LABEL:
        raise ValueError(f"label {name!r} exceeds GitHub's {MAX_LABEL} characters")
    return name


def render_pointer(kind: Literal["active", "building"], sha: str) -> str:
    return render_label(Pointer(kind, sha[:7]))


def _attr_fits(kind: AttrKind, value: str, sha: str | None) -> bool:
    head = f"{PREFIX}{sha} " if sha else PREFIX
    return label_length(f"{head}{_ATTR_EMOJI[kind]} {value}") <= MAX_LABEL


def _config_labels(sha: str, items: tuple[str, ...]) -> list[str]:
    text = ",".join(items)
    if _attr_fits("config", text, sha):
        return [render_label(Attr("config", text, sha))]
    room = MAX_LABEL - label_length(f"{PREFIX}{sha} {E_CONFIG} 9/9 ")
    chunks = [text[i : i + room] for i in range(0, len(text), room)]
    if len(chunks) > 9:
        raise ValueError(f"configuration of {len(text)} characters does not fit in 9 labels")
    n = len(chunks)
    return [render_label(Attr("config", c, sha, i + 1, n)) for i, c in enumerate(chunks)]


def render_show(show: Show) -> list[str]:
    """Every attribute label of one SHA's environment, in the per-SHA form.

    A requester login too long for the per-SHA form (37 characters or more) is written in the
    SHA-less form, which the parser applies to the PR's shows.
    """
    out: list[str] = []
    sha = show.sha
    if show.status is not None:
        out.append(render_label(Attr("status", show.status.value, sha)))
    if show.ip is not None:
        out.append(render_label(Attr("ip", show.ip, sha)))
    if show.created is not None:
        out.append(render_label(Attr("created", format_timestamp(show.created), sha)))
    if show.ttl is not None:
        value = render_lifetime(show.ttl, show.max_at, show.max_lifted)
        out.append(render_label(Attr("ttl", value, sha)))
    if show.warned is not None:
        out.append(render_label(Attr("warned", format_timestamp(show.warned), sha)))
    if show.requester is not None:
        fits = _attr_fits("requester", show.requester, sha)
        out.append(render_label(Attr("requester", show.requester, sha if fits else None)))
    if show.config:
        out.extend(_config_labels(sha, show.config))
    return out
