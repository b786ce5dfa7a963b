"""The record of a PR's environments (its stacks' tags) and the labels rendered from it. Pure.

The stacks are the record, the labels are its view (design §1): what runs, since when, until
when, with which configuration, for whom and at which address is written in each environment
stack's tags (and, in HTTPS mode, the PR's router stack names the SHA it serves). A triage user
can add or remove any 🎪 label, so a state label is never believed over the record:
:func:`reconcile` gives the labels the record implies (what the planner and the cleanup decide
from) and the repair that puts them back on the PR.

What the record does not hold stays with the labels: a claim in progress (🏗️, an in-progress
🚦 and its 📅, which are the run's lock, judged by the stale-lock age), the cleanup's ⚠️
warning (a forged one cannot shorten a deadline: the warning is withdrawn when the recorded
deadline is later), and everything of a PR with no stack (its labels drive the start). A stack
written before a tag existed has no value for it: the label stands for that one field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TypeGuard

from showtime_iac.core import labels as L
from showtime_iac.core.guarded import LabelEvent
from showtime_iac.core.label_grammar import AttrKind
from showtime_iac.core.model import (
    LOGIN_RE,
    EnvConfig,
    InputError,
    Show,
    Status,
    Ttl,
    login_from_tag,
    parse_router_name,
    parse_stack_name,
    tag_time,
    tag_value,
)
from showtime_iac.core.plan import Plan

__all__ = [
    "ADDRESS_TAG",
    "CONFIG_TAG",
    "CREATED_TAG",
    "LIFETIME_BY_TAG",
    "LIFTED_TAG",
    "STATUS_TAG",
    "Record",
    "Recorded",
    "Reconciled",
    "healthy_tags",
    "failed_tags",
    "lifetime_tags",
    "REPAIRED",
    "repairs",
    "changed_by",
    "reconcile",
    "with_repair",
    "record_of",
    "record_tags",
]

#: stack-only tags (not on AWS resources: their values need characters AWS tags refuse)
CREATED_TAG = "showtime:created-at"
CONFIG_TAG = "showtime:config"
STATUS_TAG = "showtime:status"
ADDRESS_TAG = "showtime:address"
LIFETIME_BY_TAG = "showtime:lifetime-by"
#: ``true``: the max age was lifted (``max-age-at: never`` alone says "none recorded")
LIFTED_TAG = "showtime:max-age-lifted"
_NO_CONFIG = "default"
#: statuses the record holds; an in-progress one (deploying, waking ...) is a claim's
_SETTLED = (Status.RUNNING, Status.SLEEPING, Status.FAILED)
_SERVING = (Status.RUNNING, Status.SLEEPING)


def record_tags(cfg: EnvConfig) -> dict[str, str]:
    """The record's stack-only tags an ``up`` of ``cfg`` writes (with design §4's tags):
    creation time, configuration (``default`` for none) and status (``sleeping`` for a
    sleep, ``deploying`` until the run marks it healthy; nothing for a prepared stack)."""
    out = {
        CONFIG_TAG: " ".join(cfg.config_items()) or _NO_CONFIG,
        LIFTED_TAG: "true" if cfg.max_lifted and cfg.max_age_at is None else "false",
    }
    if cfg.created is not None:
        out[CREATED_TAG] = tag_time(cfg.created)
    if not cfg.prepared:
        out[STATUS_TAG] = Status.SLEEPING.value if cfg.sleeping else Status.DEPLOYING.value
    return out


def healthy_tags(address: str | None) -> dict[str, str]:
    """The record of an environment that became healthy (at ``address``)."""
    tags = {STATUS_TAG: Status.RUNNING.value}
    if address:
        tags[ADDRESS_TAG] = address[:256]
    return tags


def failed_tags() -> dict[str, str]:
    return {STATUS_TAG: Status.FAILED.value}


def lifetime_tags(
    ttl: Ttl, idle_at: datetime | None, max_at: datetime | None, actor: str | None
) -> tuple[tuple[str, str], ...]:
    """The tags of a lifetime change (extend, keep-alive): ``max_at`` None is lifted."""
    tags = [
        ("showtime:ttl", ttl.value),
        ("showtime:expires-at", tag_time(idle_at)),
        ("showtime:max-age-at", tag_time(max_at)),
        (LIFTED_TAG, "true" if max_at is None else "false"),
    ]
    if actor:
        tags.append((LIFETIME_BY_TAG, tag_value(actor)))
    return tuple(tags)


def _time(text: str | None) -> datetime | None:
    """A tag's time, to the minute (what a label can show); None for none or garbage."""
    if not text or text == "never":
        return None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None or L.parse_timestamp(L.format_timestamp(when)) is None:
        return None  # a date no label can carry (before 2020, from 2100 on)
    return when.replace(second=0, microsecond=0)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _newest(records: Iterable[Recorded]) -> str | None:
    pick = max(records, key=lambda r: (r.created or _EPOCH, r.sha), default=None)
    return None if pick is None else pick.sha


@dataclass(frozen=True)
class Recorded:
    """One environment stack's record; None: the stack has no tag for that field."""

    sha: str
    requester: str | None = None
    ttl: Ttl | None = None
    max_at: datetime | None = None
    max_lifted: bool = False
    created: datetime | None = None
    config: tuple[str, ...] | None = None
    status: Status | None = None
    address: str | None = None
    lifetime_by: str | None = None

    @classmethod
    def from_tags(cls, sha: str, tags: Mapping[str, str]) -> Recorded:
        """Read a stack's tags; a value that does not parse is treated as absent."""
        ttl: Ttl | None = None
        try:
            ttl = Ttl(tags["showtime:ttl"]) if "showtime:ttl" in tags else None
        except (InputError, ValueError):
            ttl = None
        max_text = tags.get("showtime:max-age-at")
        max_at = _time(max_text)
        lifted = ttl is not None and max_text == "never" and tags.get(LIFTED_TAG) == "true"
        if ttl is not None and max_at is None and not lifted:
            ttl = None  # a lifetime is recorded whole, or not at all
        req = tags.get("showtime:requested-by")
        config = tags.get(CONFIG_TAG)
        items = None if config is None else tuple(i for i in config.split() if i != _NO_CONFIG)
        status: Status | None = None
        try:
            status = Status(tags[STATUS_TAG]) if STATUS_TAG in tags else None
        except ValueError:
            status = None
        by = tags.get(LIFETIME_BY_TAG)
        return cls(
            sha=sha,
            requester=_login(req) if req != "unknown" else None,
            ttl=ttl,
            max_at=max_at,
            max_lifted=lifted,
            created=_time(tags.get(CREATED_TAG)),
            config=items,
            status=status if status in _SETTLED else None,
            address=tags.get(ADDRESS_TAG) or None,
            lifetime_by=_login(by),
        )

    def held(self, show: Show) -> tuple[AttrKind, ...]:
        """The label fields this record decides for ``show`` (see :meth:`onto`)."""
        claimed = show.status is not None and show.status.in_progress
        have: list[tuple[AttrKind, bool]] = [
            ("requester", self.requester is not None),
            ("ttl", self.ttl is not None),
            ("config", self.config is not None),
            ("ip", self.address is not None),
            ("created", self.created is not None and not claimed),
            ("status", self.status is not None and not claimed),
        ]
        return tuple(k for k, held in have if held)

    def onto(self, show: Show) -> Show:
        """``show`` (as the labels say it) with every field this record holds. A claim in
        progress keeps its own status and 📅 (they are the run's lock)."""
        claimed = show.status is not None and show.status.in_progress
        out = show
        if self.requester is not None:
            out = replace(out, requester=self.requester)
        if self.ttl is not None:
            out = replace(out, ttl=self.ttl, max_at=self.max_at, max_lifted=self.max_lifted)
        if self.config is not None:
            out = replace(out, config=self.config)
        if self.address is not None:
            out = replace(out, ip=_label_value("ip", self.address, self.sha) or out.ip)
        if self.created is not None and not claimed:
            out = replace(out, created=self.created)
        if self.status is not None and not claimed:
            out = replace(out, status=self.status)
        return out


def _login(tag: str | None) -> str | None:
    """A login tag (:func:`tag_value` form) read back; None when it is no GitHub login (a
    forged or damaged tag, which no 👤 label could carry)."""
    login = login_from_tag(tag) if tag else None
    return login if login is not None and LOGIN_RE.match(login) else None


def _label_value(kind: AttrKind, value: str, sha: str) -> str | None:
    """``value`` as a label of ``kind`` reads back (the label's own normal form); None when
    no label can carry it (too long for GitHub's 50 characters, or not of the label's form)."""
    try:
        v = L.parse_label(L.render_label(L.Attr(kind, value, sha)))
    except ValueError:
        return None
    return v.value if isinstance(v, L.Attr) else None


@dataclass(frozen=True)
class Record:
    """A PR's environment stacks (sha7 → record) and the SHA its router serves (HTTPS)."""

    pr: int
    stacks: Mapping[str, Recorded] = field(default_factory=dict)
    routed: str | None = None

    @property
    def active(self) -> str | None:
        """The SHA the record says serves the PR: the router's, else the newest stack
        recorded running or asleep; None when the record cannot tell."""
        if self.routed is not None and self.routed in self.stacks:
            return self.routed
        return _newest(r for r in self.stacks.values() if r.status in _SERVING)


def record_of(pr: int, tags_by_stack: Mapping[str, Mapping[str, str]]) -> Record:
    """The record of PR ``pr`` from stacks' tags (any listing: other PRs' stacks are
    ignored). A stack counts only when its name is ``pr-{pr}-{sha7}`` and its tags, if it
    has any, say the same PR and SHA."""
    stacks: dict[str, Recorded] = {}
    routed: str | None = None
    for name, tags in tags_by_stack.items():
        if parse_router_name(name) == pr:
            sha = tags.get("showtime:sha")
            valid = sha and isinstance(L.parse_label(L.render_pointer("active", sha)), L.Pointer)
            routed = sha if valid else None
            continue
        parsed = parse_stack_name(name)
        if parsed is None or parsed[0] != pr:
            continue
        sha = parsed[1]
        if tags.get("showtime:pr", str(pr)) != str(pr) or tags.get("showtime:sha", sha) != sha:
            continue
        stacks[sha] = Recorded.from_tags(sha, tags)
    return Record(pr=pr, stacks=stacks, routed=routed)


@dataclass(frozen=True)
class Reconciled:
    """The labels the record implies (``labels``), the repair that puts them on the PR, and
    one line per environment whose labels disagreed."""

    labels: tuple[str, ...]
    repair: L.LabelDiff = field(default_factory=L.LabelDiff)
    notes: tuple[str, ...] = ()


def _stackless_claim(show: Show) -> bool:
    """A claim in progress, or a queued start: labels no stack backs yet."""
    return show.status is not None and (show.status.in_progress or show.status is Status.QUEUED)


def reconcile(labels: Iterable[str], record: Record) -> Reconciled:
    """The PR's labels as the record says they must be. Pure and total.

    With no stack there is nothing to protect: the labels stand. Otherwise every recorded
    field of every stack's environment is rendered from the record, 🎯 names the SHA the
    record says serves (or, when it cannot tell, a SHA that has a stack), and a SHA with
    neither a stack nor a claim in progress loses its labels. Unchanged labels when all
    agree (no churn)."""
    current = tuple(labels)
    if not record.stacks:
        return Reconciled(current)
    st = L.parse_state(current)
    notes: list[str] = []
    shows: dict[str, Show] = {}
    for sha, show in st.shows.items():
        if sha in record.stacks or _stackless_claim(show) or sha == st.building_sha:
            shows[sha] = show
        else:
            notes.append(f"{sha}: labels name no stack and no claim: removed")
    for sha, rec in sorted(record.stacks.items()):
        if sha not in shows and sha != record.active:
            continue  # a stray (a killed run's, a replaced one): the sweep's, not a view's
        have = shows.get(sha, Show(sha=sha))
        want = rec.onto(have)
        fields = _fields_differ(have, want) if sha in shows else ["no labels"]
        # a second label of a field the record holds (the parse picked the record's value)
        fields += [k for k in _extra_kinds(st, rec.held(have), want) if k not in fields]
        if fields:
            notes.append(f"{sha}: labels disagreed with the stack's record ({', '.join(fields)})")
        shows[sha] = want
    active = _active(st, record, notes)
    if not notes:
        return Reconciled(current)
    keep = [n for n in current if not isinstance(L.parse_label(n), L.Attr | L.Pointer)]
    desired = list(keep)
    for sha in sorted(shows):
        desired += L.render_show(shows[sha])
    if active is not None:
        desired.append(L.render_pointer("active", active))
    if st.building_sha is not None and st.building_sha in shows:
        desired.append(L.render_pointer("building", st.building_sha))
    repair = L.diff(current, desired)
    if not repair:
        return Reconciled(current)
    return Reconciled(L.apply_diff(current, repair), repair, tuple(notes))


def _is_active(v: object) -> TypeGuard[L.Pointer]:
    return isinstance(v, L.Pointer) and v.kind == "active"


def _active(st: L.LabelState, record: Record, notes: list[str]) -> str | None:
    want = record.active
    have = st.active_sha
    if want is not None:
        if have != want:
            notes.append(f"🎯 named {have or 'nothing'}, the record serves {want}")
        else:  # a second 🎯 resolves to the record's SHA, and is removed all the same
            named = {v.sha for n in st.labels if _is_active(v := L.parse_label(n))}
            if named - {want}:
                others = ", ".join(sorted(named - {want}))
                notes.append(f"🎯 also named {others}, the record serves {want}")
        return want
    # the record cannot tell (stacks from before the status tag): 🎯 stands only on a SHA
    # that has a stack (or a claim in progress)
    if have is None or have in record.stacks or _stackless_claim(st.shows.get(have, Show(have))):
        return have
    notes.append(f"🎯 named {have}, which has no stack: removed")
    return None


def _extra_kinds(st: L.LabelState, held: Iterable[AttrKind], want: Show) -> list[str]:
    """The fields the record holds that carry a label ``want`` does not render."""
    rendered = set(L.render_show(want))
    kinds = set(held)
    out: list[str] = []
    for name in st.labels_of(want.sha):
        v = L.parse_label(name)
        if isinstance(v, L.Attr) and v.kind in kinds and name not in rendered:
            out.append("lifetime" if v.kind == "ttl" else v.kind)
    return list(dict.fromkeys(out))


def _fields_differ(have: Show, want: Show) -> list[str]:
    names = ("status", "ip", "created", "ttl", "requester", "config", "max_at", "max_lifted")
    out = [n for n in names if getattr(have, n) != getattr(want, n)]
    return list(
        dict.fromkeys("lifetime" if n in ("ttl", "max_at", "max_lifted") else n for n in out)
    )


#: the start of the reason (and audit line) of a run that put labels back from the record
REPAIRED = "labels put back from the stacks' record"


def changed_by(repair: L.LabelDiff, events: Iterable[LabelEvent]) -> tuple[str, ...]:
    """Who made the labels disagree, from the PR's label events (oldest first): the last
    adder of each label the repair removes, the last remover of each it puts back."""
    last: dict[tuple[str, str], str] = {}
    for e in events:
        last[(e.action, e.label)] = e.actor
    who = [last.get(("labeled", n)) for n in repair.remove]
    who += [last.get(("unlabeled", n)) for n in repair.add]
    return tuple(sorted({w for w in who if w}))


def repairs(plan: Plan) -> bool:
    """``plan`` puts state labels back from the record (see :func:`with_repair`)."""
    return any(r.startswith(REPAIRED) for r in plan.reasons)


def with_repair(plan: Plan, rec: Reconciled, by: Iterable[str] = ()) -> Plan:
    """``plan`` (decided on ``rec.labels``, the record's view) as a diff of the PR's real
    labels: the repair first, then the plan's own changes; one reason says what was put
    back and who had changed it."""
    repair = rec.repair
    if not repair:
        return plan
    add = [n for n in plan.add_labels if n not in repair.remove]
    add += [n for n in repair.add if n not in plan.remove_labels and n not in add]
    remove = [n for n in plan.remove_labels if n not in repair.add]
    remove += [n for n in repair.remove if n not in plan.add_labels and n not in remove]
    people = ", ".join(f"@{w}" for w in by) or "not known"
    note = f"{REPAIRED} (changed by {people}): " + "; ".join(rec.notes)
    return replace(
        plan,
        add_labels=tuple(add),
        remove_labels=tuple(remove),
        reasons=(*plan.reasons, note),
        warnings=(*plan.warnings, note),
    )
