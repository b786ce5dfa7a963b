"""The 🎪 label vocabulary: parse, validate, render, fold and diff (design §3, a contract).

The grammar of one label lives in :mod:`showtime_iac.core.label_grammar` and is re-exported here.

Pure: stdlib only, no I/O. ``parse_label`` never raises; a label that does not parse becomes a
warning and is never acted on. Rendering writes the per-SHA form used by Superset Showtime
on live PRs (``🎪 abc1234 🚦 running``); parsing also reads the SHA-less form of the design
notes (``🎪 🚦 running``) and the legacy ``testenv-up``.

GitHub caps a label name at 50 characters. We count UTF-16 code units (an emoji outside the
BMP counts 2), which is never less than what GitHub counts, so no label we write is refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from showtime_iac.core.label_grammar import (
    _CONF_ITEM_RE,
    BLOCKED,
    FREEZE,
    LEGACY,
    MAX_LABEL,
    PREFIX,
    START,
    STOP,
    TRIGGER_LABELS,
    Attr,
    AttrKind,
    ConfRequest,
    Label,
    Pointer,
    Trigger,
    format_timestamp,
    is_showtime_label,
    label_length,
    parse_label,
    parse_lifetime,
    parse_timestamp,
    render_label,
    render_lifetime,
    render_pointer,
    render_show,
)
from showtime_iac.core.model import PINNED, Show, Status, Ttl

__all__ = [
    "parse_lifetime",
    "parse_timestamp",
    "render_lifetime",
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
    when = parse_timestamp(value)
    assert when is not None
    return when


def _fold_lifetime(
    values: list[str], sha: str, warnings: list[str]
) -> tuple[Ttl, datetime | None, bool]:
    """Conflicting ⌛ labels: each part at its safest, the shortest TTL and the earliest max
    age; the max age counts as lifted only if every label says so."""
    distinct = sorted(set(values), key=lambda v: _safety("ttl", v))
    parsed = [lt for v in distinct if (lt := parse_lifetime(v)) is not None]
    ttl = parsed[0][0]
    maxes = [m for _, m, _ in parsed if m is not None]
    lifted = all(lift for _, _, lift in parsed)
    if len(distinct) > 1:
        warnings.append(
            f"{sha}: conflicting ttl labels ({', '.join(distinct)}): using the safest of each "
            "part (the shortest TTL, the earliest max age)"
        )
    return ttl, (min(maxes) if maxes else None), lifted


#: How far after ``now`` a label's creation or warning time may be (clock skew) ...
FUTURE_SLACK = timedelta(days=1)
#: ... and its max-age deadline (a year: longer than any policy's max age)
MAX_AHEAD = timedelta(days=366)


def _bounded(show: Show, now: datetime, warnings: list[str]) -> Show:
    """``show`` without the dates no label can truly carry at ``now``: a creation or warning
    time in the future, a max age more than :data:`MAX_AHEAD` away. Each one is reported."""

    def late(when: datetime | None, ahead: timedelta) -> bool:
        if when is None or when <= now + ahead:
            return False
        warnings.append(f"{show.sha}: ignored the date {format_timestamp(when)} (in the future)")
        return True

    created, warned, max_at = show.created, show.warned, show.max_at
    if late(created, FUTURE_SLACK):
        created = None
    if late(warned, FUTURE_SLACK):
        warned = None
    if late(max_at, MAX_AHEAD):
        max_at = None
    return replace(show, created=created, warned=warned, max_at=max_at)


def parse_state(labels: Iterable[str], now: datetime | None = None) -> LabelState:
    """Fold a PR's labels into a :class:`LabelState`. Never raises.

    SHA-less attributes (the design notes' form) apply to the show of the 🎯 SHA, else the
    🏗️ SHA, else the only show; per-SHA attributes win over SHA-less ones. A date before
    2020 or from 2100 on never parses; with ``now``, a date in the future (see
    :func:`_bounded`) is ignored too, with a warning.
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

    shows: dict[str, Show] = {}
    for sha in sorted(s for s in attrs if s is not None):
        shows[sha] = _fold_show(sha, attrs[sha], warnings)

    active = _pointer("active", pointers["active"], shows, warnings)
    building = _pointer("building", pointers["building"], shows, warnings)
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
            best = _safest(kind, [v.value for v in values])
            for sha, show in shows.items():
                if kind == "requester" and show.requester is None:
                    shows[sha] = replace(show, requester=best)
                elif kind == "ttl" and show.ttl is None:
                    ttl, max_at, lifted = _fold_lifetime([v.value for v in values], sha, [])
                    shows[sha] = replace(show, ttl=ttl, max_at=max_at, max_lifted=lifted)
    if now is not None:
        shows = {sha: _bounded(show, now, warnings) for sha, show in shows.items()}
    return LabelState(
        shows=shows,
        active_sha=active,
        building_sha=building,
        conf_requests=tuple(confs),
        labels=tuple(names),
        warnings=tuple(warnings),
        **flags,
    )


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _pointer(
    kind: str, found: list[str], shows: dict[str, Show], warnings: list[str]
) -> str | None:
    """The one 🎯 (or 🏗️) SHA. A label write that failed half-way (additions go first) leaves
    the old pointer beside the new one: the newest running environment is the one the run
    meant; ties go to the first in order. Reported."""
    shas = sorted(set(found))
    if len(shas) <= 1:
        return shas[0] if shas else None

    def newest(sha: str) -> tuple[bool, datetime]:
        show = shows.get(sha)
        running = show is not None and show.status is Status.RUNNING
        return running, (show.created if show and show.created else _EPOCH)

    pick = max(shas, key=newest)
    warnings.append(f"several {kind} pointers ({', '.join(shas)}): using {pick}")
    return pick


def _merge(base: Show, loose: Show) -> Show:
    return Show(
        sha=base.sha,
        status=base.status or loose.status,
        ip=base.ip or loose.ip,
        created=base.created or loose.created,
        ttl=base.ttl or loose.ttl,
        requester=base.requester or loose.requester,
        config=base.config or loose.config,
        max_at=base.max_at or loose.max_at,
        max_lifted=base.max_lifted if base.ttl else loose.max_lifted,
        warned=base.warned or loose.warned,
    )


def _safety(kind: AttrKind, value: str) -> tuple[int, float, str]:
    """Sort key: the safest of conflicting values first. A lifetime: the shortest (a duration,
    then ``close``, then ``manual``); a creation time: the earliest (expires first); a status:
    ``failed`` (an environment in doubt is neither trusted as running nor as holding a lock)."""
    if kind == "ttl":
        lt = parse_lifetime(value)
        d = lt[0].duration if lt is not None else None
        value = lt[0].value if lt is not None else value
        rank = 0 if d is not None else (1 if value == "close" else 2)
        return rank, d.total_seconds() if d is not None else 0.0, value
    if kind == "status":
        return (0 if value == Status.FAILED.value else 1), 0.0, value
    return 0, 0.0, value  # created (ISO order is time order), ip, requester: the first


def _safest(kind: AttrKind, values: list[str]) -> str:
    return min(values, key=lambda v: _safety(kind, v))


def _one(kind: AttrKind, values: list[Attr], sha: str, warnings: list[str]) -> str:
    distinct = sorted({a.value for a in values}, key=lambda v: _safety(kind, v))
    if len(distinct) > 1:
        warnings.append(
            f"{sha}: conflicting {kind} labels ({', '.join(distinct)}): "
            f"using the safest, {distinct[0]}"
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
    max_at: datetime | None = None
    lifted = False
    warned: datetime | None = None
    if "ttl" in by_kind:
        ttl, max_at, lifted = _fold_lifetime([a.value for a in by_kind["ttl"]], sha, warnings)
    if "warned" in by_kind:
        warned = _created(_one("warned", by_kind["warned"], sha, warnings))
    if "requester" in by_kind:
        requester = _one("requester", by_kind["requester"], sha, warnings)
    if "config" in by_kind:
        config = _fold_config(sha, by_kind["config"], warnings)
    return Show(sha, status, ip, created, ttl, requester, config, max_at, lifted, warned)


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
    "warned": ("d93f0b", "showtime-iac: the environment goes at this time (UTC) unless used"),
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
    ("🎪 {sha7} 🚦 queued", "a start waiting for a slot (max_environments); its 📅 is its place"),
    ("🎪 🎯 {sha7}", "the active SHA (serving)"),
    ("🎪 🏗️ {sha7}", "the SHA being built"),
    ("🎪 {sha7} 🌐 {host}", "address: pr-N.<domain> (HTTPS), else {ip}:{port} (dots or dashes)"),
    ("🎪 {sha7} 📅 {YYYY-MM-DDTHH-MM}", "created, UTC"),
    ("🎪 {sha7} ⌛ idle {ttl} · max {YYYY-MM-DDTHH-MM}", "idle TTL and hard max age (UTC)"),
    ("🎪 {sha7} ⌛ pinned · max {YYYY-MM-DDTHH-MM}", f"{PINNED}: keep-alive, --ttl manual"),
    (
        "🎪 {sha7} ⌛ close · max {YYYY-MM-DDTHH-MM}",
        "until the PR closes (the max age still applies)",
    ),
    ("🎪 {sha7} ⌛ … · max never", "an admin lifted the max age"),
    (
        "🎪 {sha7} ⌛ {ttl}",
        "older form, still read (max age from 📅): 24h, 7d, close, manual (pinned)",
    ),
    ("🎪 {sha7} ⚠️ {YYYY-MM-DDTHH-MM}", "warned: torn down then (UTC) unless pushed or commanded"),
    ("🎪 {sha7} 👤 {login}", "who requested it"),
    ("🎪 {sha7} ⚙️ {config}", "applied configuration, e.g. large,debug,ALERTS,-DASHBOARD_RBAC"),
    ("🎪 conf-enable-X / conf-disable-X", "turn feature flag X on or off (consumed)"),
    ("🎪 conf-size-{small,medium,large}", "resize the environment (consumed)"),
    ("🎪 conf-debug-on / conf-debug-off", "debug mode (consumed)"),
    ("🎪 conf-no-examples / conf-cache-redis", "skip example data / add a Redis cache (consumed)"),
)
