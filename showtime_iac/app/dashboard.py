"""The environments dashboard: one static HTML page, one card per environment.

Pure: :func:`render` takes the cards and ``now`` and returns the page; no I/O, no clock.
The page has inline CSS and no JavaScript, is readable on a phone (one column below 40em),
follows the reader's dark mode, and escapes every value it shows. Links are only ever
``http(s)://``: anything else is shown as text.

:func:`cards_from_prs` turns PRs (their 🎪 labels) into cards, :func:`cards_from_json` reads
the JSON input file (schema in ``docs/readme/dashboard.md``), :func:`cards_to_json` writes it.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from showtime_iac.app.sweep_view import SweepView, orphans_section, sweep_totals
from showtime_iac.core.model import PINNED, SHA_RE, InputError, PrInfo, Status, Ttl

__all__ = [
    "EnvCard",
    "Totals",
    "cards_from_json",
    "cards_from_prs",
    "cards_to_json",
    "format_duration",
    "render",
    "totals",
    "with_records",
    "ttl_left",
]

# status → (label shown, CSS class); the class picks the colour
_STATUS_CLASS: dict[str, str] = {
    Status.RUNNING.value: "ok",
    Status.BUILDING.value: "busy",
    Status.BUILT.value: "busy",
    Status.DEPLOYING.value: "busy",
    Status.UPDATING.value: "busy",
    Status.CONFIGURING.value: "busy",
    Status.FAILED.value: "bad",
    Status.DESTROYING.value: "gone",
    Status.SLEEPING.value: "gone",  # scaled to zero: grey, like the ones going away
    Status.WAKING.value: "busy",
    Status.QUEUED.value: "busy",  # waiting for a slot (max_environments)
}
REQUESTED = "requested"  # a start was asked for, no environment yet


@dataclass(frozen=True)
class EnvCard:
    """One environment as the dashboard shows it (one PR, its 🎯 and 🏗️ SHAs)."""

    pr: int
    title: str = ""
    pr_url: str = ""
    status: str = REQUESTED
    active_sha: str | None = None
    building_sha: str | None = None
    url: str | None = None
    created: datetime | None = None
    ttl: Ttl | None = None
    requester: str | None = None
    config: tuple[str, ...] = ()
    hourly_cost: float | None = None
    #: what the status comment says (issue 28), from the stack's record: the picture of the
    #: environment logged in, and the deploy's phase
    picture: str | None = None
    phase: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.pr, bool) or not isinstance(self.pr, int) or self.pr < 1:
            raise InputError(f"invalid PR number {self.pr!r}: expected a positive integer")
        if self.status != REQUESTED and self.status not in _STATUS_CLASS:
            raise InputError(
                f"unknown status {self.status[:40]!r}: expected {REQUESTED} or one of "
                + ", ".join(_STATUS_CLASS)
            )
        for sha in (self.active_sha, self.building_sha):
            if sha is not None and not SHA_RE.match(sha):
                raise InputError(f"invalid commit SHA {sha[:60]!r}: expected 7 to 40 hex chars")
        if self.hourly_cost is not None and not 0 <= self.hourly_cost < 1000:
            raise InputError(f"hourly cost {self.hourly_cost!r} is out of range (0 to 1000)")
        if self.created is not None and self.created.tzinfo is None:
            object.__setattr__(self, "created", self.created.replace(tzinfo=UTC))

    @property
    def expires_at(self) -> datetime | None:
        if self.created is None or self.ttl is None:
            return None
        return self.ttl.expires_at(self.created)

    def to_json(self) -> dict[str, Any]:
        return {
            "pr": self.pr,
            "title": self.title,
            "pr_url": self.pr_url,
            "status": self.status,
            "active_sha": self.active_sha,
            "building_sha": self.building_sha,
            "url": self.url,
            "created": _iso(self.created) if self.created else None,
            "ttl": self.ttl.value if self.ttl else None,
            "requester": self.requester,
            "config": list(self.config),
            "hourly_cost": self.hourly_cost,
            "picture": self.picture,
            "phase": self.phase,
        }


@dataclass(frozen=True)
class Totals:
    environments: int
    by_status: dict[str, int] = field(default_factory=dict)
    hourly_cost: float = 0.0

    @property
    def daily_cost(self) -> float:
        return round(self.hourly_cost * 24, 2)

    def to_json(self) -> dict[str, Any]:
        return {
            "environments": self.environments,
            "by_status": dict(self.by_status),
            "hourly_cost": self.hourly_cost,
            "daily_cost": self.daily_cost,
        }


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def totals(cards: Sequence[EnvCard]) -> Totals:
    """Count per status and the summed hourly cost (unknown costs count as zero)."""
    by: dict[str, int] = {}
    for c in cards:
        by[c.status] = by.get(c.status, 0) + 1
    cost = round(sum(c.hourly_cost or 0.0 for c in cards), 5)
    return Totals(len(cards), dict(sorted(by.items())), cost)


def format_duration(delta: timedelta) -> str:
    """``timedelta(hours=26, minutes=5)`` → ``1d 2h``; minutes under an hour; ``0m`` at least."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {mins}m" if mins else f"{hours}h"
    return f"{mins}m"


def _timed(card: EnvCard) -> bool:
    """A TTL of hours or days (shown next to what is left of it); ``close`` and ``manual``
    are said in words already."""
    return card.ttl is not None and card.ttl.duration is not None


def ttl_left(card: EnvCard, now: datetime) -> str:
    """What is left of the environment's lifetime, in words."""
    if card.ttl is None:
        return "unknown"
    if card.ttl.value == "close":
        return "until the PR closes"
    if card.ttl.value == "manual":
        return PINNED
    exp = card.expires_at
    if exp is None:
        return "unknown"
    if exp <= now:
        return f"expired {format_duration(now - exp)} ago"
    return format_duration(exp - now)


# ------------------------------------------------------------------------------- from data


def _show_url(pr: int, ip: str | None, port: int, domain: str | None) -> str | None:
    from showtime_iac.core.comment import address_url, vouched_address

    return address_url(vouched_address(pr, ip, domain), port)


def cards_from_prs(
    prs: Iterable[PrInfo],
    *,
    port: int = 8080,
    cost_of: Any = None,
    domain: str | None = None,
) -> list[EnvCard]:
    """One card per PR whose 🎪 labels describe an environment (or request one).

    ``cost_of(config_items) -> float | None`` prices an environment from its ⚙️ config
    (default: the Fargate estimate of its size). ``domain``: HTTPS mode's (SHOWTIME_DOMAIN);
    the link is the PR's own host there, never a host a 🌐 label names. Sorted by PR number,
    newest first.
    """
    from showtime_iac.core.labels import parse_state

    def price(config: tuple[str, ...], sleeping: bool) -> float | None:
        if cost_of is not None:
            return cost_of(config)  # type: ignore[no-any-return]
        return _default_cost(config, sleeping)

    cards: list[EnvCard] = []
    for pr in prs:
        state = parse_state(pr.labels)
        show = state.active or state.building
        if show is None and state.shows:
            show = next(iter(state.shows.values()))
        if show is None and not (state.start or state.legacy):
            continue
        status = show.status.value if show is not None and show.status else REQUESTED
        config = show.config if show is not None else ()
        cards.append(
            EnvCard(
                pr=pr.number,
                title=pr.title,
                pr_url=pr.html_url,
                status=status,
                active_sha=state.active_sha,
                building_sha=state.building_sha,
                url=_show_url(pr.number, state.active.ip if state.active else None, port, domain),
                created=show.created if show else None,
                ttl=show.ttl if show else None,
                requester=show.requester if show else None,
                config=config,
                # a queued start runs nothing yet: it costs nothing
                hourly_cost=None
                if show is None or status == Status.QUEUED.value
                else price(config, status == "sleeping"),
            )
        )
    return sorted(cards, key=lambda c: -c.pr)


def _default_cost(config: tuple[str, ...], sleeping: bool = False) -> float | None:
    """The Fargate estimate of the environment's size, in its state (asleep: its image only)."""
    from showtime_iac.core.cost import hourly_cost, size_in

    return hourly_cost(size_in(config), sleeping=sleeping)


def _opt_str(item: Mapping[str, Any], key: str, where: str) -> str | None:
    v = item.get(key)
    if v is None:
        return None
    if not isinstance(v, str):
        raise InputError(f"{where}: {key!r} must be a string or null")
    return v


_TEXT_KEYS = (
    "title",
    "pr_url",
    "status",
    "active_sha",
    "building_sha",
    "url",
    "requester",
    "picture",
    "phase",
)


def cards_from_json(data: Any) -> list[EnvCard]:
    """Cards from the ``--input`` document: ``{"environments": [...]}`` or a bare list."""
    items = data.get("environments") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise InputError('the input must be a JSON list of cards or {"environments": [...]}')
    cards: list[EnvCard] = []
    for i, item in enumerate(items):
        where = f"environment #{i + 1}"
        if not isinstance(item, dict):
            raise InputError(f"{where} is not a JSON object")
        unknown = set(item) - set(EnvCard.__dataclass_fields__) - {"created"}
        if unknown:
            raise InputError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        pr = item.get("pr")
        if not isinstance(pr, int) or isinstance(pr, bool):
            raise InputError(f"{where}: 'pr' must be a positive integer")
        created_s = _opt_str(item, "created", where)
        try:
            created = datetime.fromisoformat(created_s) if created_s else None
        except ValueError:
            raise InputError(f"{where}: 'created' is not ISO 8601: {created_s!r}") from None
        ttl_s = _opt_str(item, "ttl", where)
        config = item.get("config", [])
        if not isinstance(config, list) or not all(isinstance(c, str) for c in config):
            raise InputError(f"{where}: 'config' must be a list of strings")
        cost = item.get("hourly_cost")
        if cost is not None and (isinstance(cost, bool) or not isinstance(cost, int | float)):
            raise InputError(f"{where}: 'hourly_cost' must be a number or null")
        # read before the try: their errors name the card already
        text = {k: _opt_str(item, k, where) for k in _TEXT_KEYS}
        try:
            cards.append(
                EnvCard(
                    pr=pr,
                    title=text["title"] or "",
                    pr_url=text["pr_url"] or "",
                    status=text["status"] or REQUESTED,
                    active_sha=text["active_sha"],
                    building_sha=text["building_sha"],
                    url=text["url"],
                    created=created,
                    ttl=Ttl.parse(ttl_s) if ttl_s else None,
                    requester=text["requester"],
                    config=tuple(config),
                    hourly_cost=float(cost) if cost is not None else None,
                    picture=text["picture"],
                    phase=text["phase"],
                )
            )
        except InputError as exc:
            raise InputError(f"{where}: {exc}") from None
    return cards


def with_records(
    cards: Sequence[EnvCard], records: Mapping[str, Mapping[str, str]]
) -> list[EnvCard]:
    """``cards`` with the picture and phase the stacks' records hold (stack name → its tags)
    for each card's active (else building) SHA."""
    from dataclasses import replace

    from showtime_iac.core.proof import PHASE_TAG, PICTURE_TAG

    out = []
    for c in cards:
        sha = c.active_sha or c.building_sha
        tags = records.get(f"pr-{c.pr}-{sha[:7]}", {}) if sha else {}
        out.append(replace(c, picture=tags.get(PICTURE_TAG), phase=tags.get(PHASE_TAG)))
    return out


def cards_to_json(cards: Sequence[EnvCard], now: datetime) -> dict[str, Any]:
    """The document :func:`cards_from_json` reads, plus the totals and the time."""
    return {
        "generated_at": _iso(now),
        "totals": totals(cards).to_json(),
        "environments": [c.to_json() for c in cards],
    }


# ----------------------------------------------------------------------------------- render

_CSS = """
:root{--bg:#f6f7f9;--fg:#1d2330;--muted:#5b6473;--card:#fff;--line:#dfe3ea;
--ok:#1a7f37;--busy:#b26b00;--bad:#c62828;--gone:#6e7781;--req:#5465ff}
@media (prefers-color-scheme:dark){:root{--bg:#0f1218;--fg:#e6e9ef;--muted:#9aa4b2;
--card:#181c24;--line:#2a303b;--ok:#3fb950;--busy:#e3a008;--bad:#f85149;--gone:#8b949e;
--req:#8c96ff}}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
background:var(--bg);color:var(--fg)}
header,main,footer{max-width:72em;margin:0 auto;padding:0 1em}
header{padding-top:1em}
h1{font-size:1.35em;margin:.2em 0}
.sub{color:var(--muted);margin:0 0 .8em}
.totals{display:flex;flex-wrap:wrap;gap:.5em;margin:0 0 1em;padding:0;list-style:none}
.totals li{background:var(--card);border:1px solid var(--line);border-radius:8px;
padding:.35em .7em}
.totals b{font-variant-numeric:tabular-nums}
.grid{display:grid;gap:.8em;grid-template-columns:repeat(auto-fill,minmax(20em,1fr))}
@media (max-width:40em){.grid{grid-template-columns:1fr}}
.card{background:var(--card);border:1px solid var(--line);border-left:6px solid var(--c);
border-radius:10px;padding:.7em .9em;min-width:0}
.card h2{font-size:1.02em;margin:0 0 .4em;overflow-wrap:anywhere}
.card h2 a{color:inherit}
.pill{display:inline-block;border-radius:999px;padding:0 .6em;font-size:.85em;
font-weight:600;color:#fff;background:var(--c)}
.ok{--c:var(--ok)}.busy{--c:var(--busy)}.bad{--c:var(--bad)}.gone{--c:var(--gone)}
.req{--c:var(--req)}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.15em .8em;margin:.5em 0 0}
dt{color:var(--muted)}
dd{margin:0;overflow-wrap:anywhere;font-variant-numeric:tabular-nums}
code{font:.92em ui-monospace,SFMono-Regular,Menlo,monospace}
.empty{color:var(--muted);padding:2em 0;text-align:center}
footer{color:var(--muted);padding:1.5em 1em}
footer p{font-size:.85em;margin:0}
a{color:var(--req)}
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _link(url: str | None, text: str) -> str:
    """A link for http(s) URLs; any other scheme (``javascript:``...) is shown as text."""
    if url and url.lower().startswith(("http://", "https://")):
        return f'<a href="{_e(url)}" rel="noopener noreferrer">{_e(text)}</a>'
    return _e(text)


def _cost(usd: float | None) -> str:
    return "unknown" if usd is None else f"${usd:.3f}/h"


def _sha(sha: str | None) -> str:
    return f"<code>{_e(sha[:7])}</code>" if sha else "–"


def _card(c: EnvCard, now: datetime, sweep: SweepView | None = None) -> str:
    cls = _STATUS_CLASS.get(c.status, "req")
    title = c.title or "(no title)"
    rows = [
        ("Active", _sha(c.active_sha)),
        ("Building", _sha(c.building_sha)),
        ("URL", _link(c.url, c.url) if c.url else "–"),
        ("Age", format_duration(now - c.created) if c.created else "unknown"),
        (
            "TTL left",
            _e(ttl_left(c, now)) + (f" <small>({_e(c.ttl)})</small>" if _timed(c) else ""),
        ),
        ("Requester", f"@{_e(c.requester)}" if c.requester else "unknown"),
        ("Config", _e(", ".join(c.config)) if c.config else "default"),
        ("Cost", _e(_cost(c.hourly_cost))),
    ]
    if c.phase:  # what the status comment says (only when the record has it)
        rows.append(("Phase", _e(c.phase)))
    if c.picture:
        rows.append(("Picture", _link(c.picture, "logged in (screenshot)")))
    if c.active_sha and sweep is not None:  # the last cleanup's drift check (issue 27)
        from showtime_iac.app.sweep_view import drift_rows

        rows.extend(drift_rows(f"pr-{c.pr}-{c.active_sha[:7]}", sweep))
    body = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    return (
        f'<article class="card {cls}" id="pr-{c.pr}" data-pr="{c.pr}" '
        f'data-status="{_e(c.status)}">'
        f"<h2>{_link(c.pr_url, f'#{c.pr}')} {_e(title)}</h2>"
        f'<span class="pill">{_e(c.status)}</span>'
        f"<dl>{body}</dl></article>"
    )


def render(
    cards: Sequence[EnvCard],
    now: datetime,
    *,
    repo: str | None = None,
    title: str = "Showtime environments",
    sweep: SweepView | None = None,
) -> str:
    """The whole page. Deterministic: the same cards and ``now`` give the same bytes.
    ``sweep``: the last cleanup's orphans and drift, shown in the totals, on the drifted
    environments' cards and in a list under them."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    t = totals(cards)
    status_items = "".join(
        f'<li class="{_STATUS_CLASS.get(s, "req")}"><span class="pill">{_e(s)}</span> '
        f"<b>{n}</b></li>"
        for s, n in t.by_status.items()
    )
    totals_html = (
        f'<ul class="totals" id="totals">'
        f"<li>Environments <b>{t.environments}</b></li>{status_items}"
        f"<li>Cost <b>${t.hourly_cost:.3f}/h</b> (<b>${t.daily_cost:.2f}</b>/day)</li>"
        f"{sweep_totals(sweep) if sweep is not None else ''}</ul>"
    )
    grid = (
        '<section class="grid">' + "".join(_card(c, now, sweep) for c in cards) + "</section>"
        if cards
        else '<p class="empty">No environments. Add the label '
        "<code>🎪 ⚡ showtime-trigger-start</code> to a pull request to start one.</p>"
    )
    where = f" · {_e(repo)}" if repo else ""
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta name="color-scheme" content="light dark">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>"
        f"<header><h1>🎪 {_e(title)}</h1>"
        f'<p class="sub">Updated {_e(now.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"))}'
        f"{where}</p>{totals_html}</header>"
        f"<main>{grid}{orphans_section(sweep) if sweep is not None else ''}</main>"
        "<footer><p>Generated by showtime-iac · costs are Fargate on-demand estimates</p></footer>"
        "</body></html>\n"
    )
