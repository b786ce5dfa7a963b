"""The 🎪 label vocabulary: parse, validate, render and diff (design §3, a contract).

Pure: stdlib only, no I/O. ``parse_label`` never raises; a label that does not parse becomes a
warning and is never acted on. Rendering writes the per-SHA form used by Superset Showtime
on live PRs (``🎪 abc1234 🚦 running``); parsing also reads the SHA-less form of the design
notes (``🎪 🚦 running``) and the legacy ``testenv-up``.

GitHub caps a label name at 50 characters. We count UTF-16 code units (an emoji outside the
BMP counts 2), which is never less than what GitHub counts, so no label we write is refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
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
    "VOCABULARY",
    "Attr",
    "ConfRequest",
    "Label",
    "LabelDiff",
    "LabelState",
    "Pointer",
    "Trigger",
    "apply_diff",
    "diff",
    "format_timestamp",
    "is_showtime_label",
    "label_length",
    "label_style",
    "parse_label",
    "parse_state",
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

# Meta emoji; the variation selector U+FE0F is written, and optional when reading.
E_STATUS, E_ACTIVE, E_BUILDING = "🚦", "🎯", "🏗️"
E_IP, E_CREATED, E_TTL, E_USER, E_CONFIG = "🌐", "📅", "⌛", "👤", "⚙️"

AttrKind = Literal["status", "ip", "created", "ttl", "requester", "config"]
_ATTR_EMOJI: dict[AttrKind, str] = {
    "status": E_STATUS,
    "ip": E_IP,
    "created": E_CREATED,
    "ttl": E_TTL,
    "requester": E_USER,
    "config": E_CONFIG,
}
_EMOJI_ATTR: dict[str, AttrKind] = {v.rstrip("\ufe0f"): k for k, v in _ATTR_EMOJI.items()}
_EMOJI_ATTR["🤡"] = "requester"  # Superset Showtime ≤0.7 writes the requester with a clown

_IPV4 = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
_IP_RE = re.compile(rf"^({_IPV4}(?:[.-]{_IPV4}){{3}})(?::([0-9]{{1,5}}))?$")
_TS_RE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2})-([0-9]{2})Z?$")
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
    return token.rstrip("\ufe0f")


def _valid_value(kind: AttrKind, value: str) -> str | None:
    """Validate an attribute value; returns the canonical value or None."""
    if kind == "status":
        return value if value in {s.value for s in Status} else None
    if kind == "ip":
        m = _IP_RE.match(value)
        if m is None or (m.group(2) is not None and not 0 < int(m.group(2)) < 65536):
            return None
        ip = m.group(1).replace("-", ".")
        return f"{ip}:{m.group(2)}" if m.group(2) else ip
    if kind == "created":
        m = _TS_RE.match(value)
        if m is None:
            return None
        y, mo, d, h, mi = (int(g) for g in m.groups())
        try:
            datetime(y, mo, d, h, mi, tzinfo=UTC)
        except ValueError:
            return None
        return value.rstrip("Z")
    if kind == "ttl":
        try:
            return Ttl.parse(value).value
        except InputError:
            return None
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
        kind: Literal["active", "building"] = "active" if parts[0] == E_ACTIVE else "building"
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

    A requester login too long for the per-SHA form (≥36 characters) is written in the
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
        out.append(render_label(Attr("ttl", show.ttl.value, sha)))
    if show.requester is not None:
        fits = _attr_fits("requester", show.requester, sha)
        out.append(render_label(Attr("requester", show.requester, sha if fits else None)))
    if show.config:
        out.extend(_config_labels(sha, show.config))
    return out


# --- the state of one PR --------------------------------------------------------------------


@dataclass(frozen=True)
class LabelState:
    """Everything the 🎪 labels of one PR say."""

    shows: dict[str, Show] = field(default_factory=dict)
    active_sha: str | None = None
    building_sha: str | None = None
    start: bool = False
    stop: bool = False
    freeze: bool = False
    blocked: bool = False
    legacy: bool = False
    conf_requests: tuple[ConfRequest, ...] = ()
    labels: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def active(self) -> Show | None:
        return self.shows.get(self.active_sha) if self.active_sha else None

    @property
    def building(self) -> Show | None:
        return self.shows.get(self.building_sha) if self.building_sha else None

    def labels_of(self, sha: str) -> tuple[str, ...]:
        """The label names (as present on the PR) that describe one SHA."""
        out = []
        for name in self.labels:
            v = parse_label(name)
            if (isinstance(v, Attr) and v.sha == sha) or (isinstance(v, Pointer) and v.sha == sha):
                out.append(name)
        return tuple(out)

    def state_labels(self) -> tuple[str, ...]:
        """Every 🎪 label that records state (not triggers, not config requests)."""
        return tuple(
            n
            for n in self.labels
            if isinstance(parse_label(n), Attr | Pointer)
            or (n.startswith(PREFIX) and isinstance(parse_label(n), str))
        )


def _created(value: str) -> datetime:
    m = _TS_RE.match(value)
    assert m is not None
    y, mo, d, h, mi = (int(g) for g in m.groups())
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


def parse_state(labels: Iterable[str]) -> LabelState:
    """Fold a PR's labels into a :class:`LabelState`. Never raises.

    SHA-less attributes (the design notes' form) apply to the show of the 🎯 SHA, else the
    🏗️ SHA, else the only show; per-SHA attributes win over SHA-less ones.
    """
    names: list[str] = []
    warnings: list[str] = []
    flags = {"start": False, "stop": False, "freeze": False, "blocked": False, "legacy": False}
    pointers: dict[str, list[str]] = {"active": [], "building": []}
    attrs: dict[str | None, dict[AttrKind, list[Attr]]] = {}
    confs: list[ConfRequest] = []
    for raw in labels:
        names.append(raw)
        v = parse_label(raw)
        if v is None:
            continue
        if isinstance(v, str):
            warnings.append(v)
        elif isinstance(v, Trigger):
            flags[v.kind] = True
        elif isinstance(v, Pointer):
            pointers[v.kind].append(v.sha)
        elif isinstance(v, ConfRequest):
            confs.append(v)
        else:
            attrs.setdefault(v.sha, {}).setdefault(v.kind, []).append(v)

    def pointer(kind: str) -> str | None:
        shas = sorted(set(pointers[kind]))
        if len(shas) > 1:
            warnings.append(f"several {kind} pointers ({', '.join(shas)}): using {shas[0]}")
        return shas[0] if shas else None

    active, building = pointer("active"), pointer("building")
    shows: dict[str, Show] = {}
    for sha in sorted(s for s in attrs if s is not None):
        shows[sha] = _fold_show(sha, attrs[sha], warnings)
    for ptr in (active, building):
        if ptr is not None and ptr not in shows:
            shows[ptr] = Show(sha=ptr)
    if None in attrs:
        target = active or building or (next(iter(shows)) if len(shows) == 1 else None)
        if target is None:
            warnings.append("SHA-less 🎪 labels with no environment to apply them to: ignored")
        else:
            loose = _fold_show(target, attrs[None], warnings)
            base = shows.get(target, Show(sha=target))
            shows[target] = _merge(base, loose)
        # a SHA-less requester or TTL (Superset Showtime's PR-level `🎪 ⌛ 1w`, or a login
        # too long for the per-SHA form) applies to every show that has none
        for kind in ("requester", "ttl"):
            values = attrs[None].get(kind)
            if not values:
                continue
            for sha, show in shows.items():
                if kind == "requester" and show.requester is None:
                    shows[sha] = replace(show, requester=values[0].value)
                elif kind == "ttl" and show.ttl is None:
                    shows[sha] = replace(show, ttl=Ttl(values[0].value))
    return LabelState(
        shows=shows,
        active_sha=active,
        building_sha=building,
        conf_requests=tuple(confs),
        labels=tuple(names),
        warnings=tuple(warnings),
        **flags,
    )


def _merge(base: Show, loose: Show) -> Show:
    return Show(
        sha=base.sha,
        status=base.status or loose.status,
        ip=base.ip or loose.ip,
        created=base.created or loose.created,
        ttl=base.ttl or loose.ttl,
        requester=base.requester or loose.requester,
        config=base.config or loose.config,
    )


def _one(kind: AttrKind, values: list[Attr], sha: str, warnings: list[str]) -> str:
    distinct = sorted({a.value for a in values})
    if len(distinct) > 1:
        warnings.append(
            f"{sha}: conflicting {kind} labels ({', '.join(distinct)}): using the first"
        )
    return distinct[0]


def _fold_show(sha: str, by_kind: dict[AttrKind, list[Attr]], warnings: list[str]) -> Show:
    status: Status | None = None
    ip: str | None = None
    created: datetime | None = None
    ttl: Ttl | None = None
    requester: str | None = None
    config: tuple[str, ...] = ()
    if "status" in by_kind:
        status = Status(_one("status", by_kind["status"], sha, warnings))
    if "ip" in by_kind:
        ip = _one("ip", by_kind["ip"], sha, warnings)
    if "created" in by_kind:
        created = _created(_one("created", by_kind["created"], sha, warnings))
    if "ttl" in by_kind:
        ttl = Ttl(_one("ttl", by_kind["ttl"], sha, warnings))
    if "requester" in by_kind:
        requester = _one("requester", by_kind["requester"], sha, warnings)
    if "config" in by_kind:
        config = _fold_config(sha, by_kind["config"], warnings)
    return Show(sha, status, ip, created, ttl, requester, config)


def _fold_config(sha: str, parts: list[Attr], warnings: list[str]) -> tuple[str, ...]:
    totals = {p.parts for p in parts}
    if len(totals) != 1:
        warnings.append(f"{sha}: configuration labels disagree on their number of parts: ignored")
        return ()
    total = totals.pop()
    by_part = {p.part: p.value for p in parts}
    if sorted(by_part) != list(range(1, total + 1)):
        warnings.append(f"{sha}: configuration labels incomplete ({len(by_part)}/{total}): ignored")
        return ()
    text = "".join(by_part[i] for i in range(1, total + 1))
    items = tuple(text.split(","))
    bad = [i for i in items if not _CONF_ITEM_RE.match(i) or len(i) > 65]
    if bad:
        warnings.append(f"{sha}: unknown configuration items {', '.join(b[:40] for b in bad)}")
        return tuple(i for i in items if i not in bad)
    return items


# --- diff -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelDiff:
    """The minimal change from one set of labels to another."""

    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.add or self.remove)


def diff(current: Iterable[str], desired: Iterable[str]) -> LabelDiff:
    """Labels to add and remove so that ``current`` becomes ``desired`` (order kept)."""
    cur = list(dict.fromkeys(current))
    want = list(dict.fromkeys(desired))
    cur_set, want_set = set(cur), set(want)
    return LabelDiff(
        add=tuple(n for n in want if n not in cur_set),
        remove=tuple(n for n in cur if n not in want_set),
    )


def apply_diff(current: Iterable[str], d: LabelDiff) -> tuple[str, ...]:
    """The labels after a diff: removals first, then additions (no duplicates)."""
    drop = set(d.remove)
    out = [n for n in dict.fromkeys(current) if n not in drop]
    have = set(out)
    out.extend(n for n in d.add if n not in have)
    return tuple(out)


# --- styles and the vocabulary for humans ----------------------------------------------------

_STYLES: dict[str, tuple[str, str]] = {
    START: ("0e8a16", "Start a preview environment for this PR (consumed by showtime-iac)"),
    STOP: ("b60205", "Tear down this PR's preview environment"),
    FREEZE: ("1d76db", "Keep the environment but stop auto-updates on push"),
    BLOCKED: ("5319e7", "Maintenance: showtime-iac does nothing on this PR"),
    LEGACY: ("c5def5", "Legacy: keep a preview environment while this label is on"),
}

_ATTR_STYLES: dict[str, tuple[str, str]] = {
    "status": ("fbca04", "showtime-iac: environment status"),
    "ip": ("0075ca", "showtime-iac: environment address"),
    "created": ("d4c5f9", "showtime-iac: environment created (UTC)"),
    "ttl": ("f9d0c4", "showtime-iac: environment lifetime"),
    "requester": ("c2e0c6", "showtime-iac: who asked for the environment"),
    "config": ("bfdadc", "showtime-iac: applied configuration"),
}


def label_style(name: str) -> tuple[str, str]:
    """Colour (``rrggbb``) and description (≤100 chars) for a label definition."""
    if name in _STYLES:
        return _STYLES[name]
    v = parse_label(name)
    if isinstance(v, Pointer):
        if v.kind == "active":
            return ("0e8a16", "showtime-iac: the SHA serving the environment")
        return ("fbca04", "showtime-iac: the SHA being built")
    if isinstance(v, Attr):
        return _ATTR_STYLES[v.kind]
    if isinstance(v, ConfRequest):
        return ("bfd4f2", "showtime-iac: configuration request (consumed)")
    return ("ededed", "showtime-iac")


VOCABULARY: tuple[tuple[str, str], ...] = (
    (START, "request an environment (the tool removes it when it starts work)"),
    (STOP, "tear the environment down"),
    (FREEZE, "keep the environment, stop auto-updates on push"),
    (BLOCKED, "maintenance: no operation at all on this PR"),
    (LEGACY, "legacy request: stays on while the environment lives; removing it destroys it"),
    ("🎪 {sha7} 🚦 {status}", "status: " + ", ".join(s.value for s in Status)),
    ("🎪 🎯 {sha7}", "the active SHA (serving)"),
    ("🎪 🏗️ {sha7}", "the SHA being built"),
    ("🎪 {sha7} 🌐 {ip}:{port}", "address (dots or dashes)"),
    ("🎪 {sha7} 📅 {YYYY-MM-DDTHH-MM}", "created, UTC"),
    ("🎪 {sha7} ⌛ {ttl}", "lifetime: 24h, 48h, 7d, close (until PR close), manual (never auto)"),
    ("🎪 {sha7} 👤 {login}", "who requested it"),
    ("🎪 {sha7} ⚙️ {config}", "applied configuration, e.g. large,debug,ALERTS,-DASHBOARD_RBAC"),
    ("🎪 conf-enable-X / conf-disable-X", "turn feature flag X on or off (consumed)"),
    ("🎪 conf-size-{small,medium,large}", "resize the environment (consumed)"),
    ("🎪 conf-debug-on / conf-debug-off", "debug mode (consumed)"),
    ("🎪 conf-no-examples / conf-cache-redis", "skip example data / add a Redis cache (consumed)"),
)
