"""The record (stack tags) and the labels rendered from it (issue 26): pure, no fakes.

Expected labels are written out; the hypothesis properties state what must hold for any labels
a triage user can put on the PR: with a stack, the view is the record's and a second look finds
nothing to repair; without one, the labels stand untouched.
"""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from showtime_iac.core import labels as L
from showtime_iac.core.guarded import LabelEvent
from showtime_iac.core.model import Status, Ttl
from showtime_iac.core.plan import Plan
from showtime_iac.core.record import (
    Record,
    Recorded,
    changed_by,
    reconcile,
    record_of,
    repairs,
    with_repair,
)

PR = 1234
SHA = "abc1234"
OLD = "1111111"


def tags(sha: str = SHA, **over: str) -> dict[str, str]:
    """A healthy environment's stack tags, as an ``up`` and the health mark leave them."""
    base = {
        "showtime:pr": str(PR),
        "showtime:sha": sha,
        "showtime:repo": "apache/superset",
        "showtime:requested-by": "alice",
        "showtime:ttl": "24h",
        "showtime:expires-at": "2026-12-06T10:00:00Z",
        "showtime:max-age-at": "2026-12-12T10:00:00Z",
        "showtime:max-age-lifted": "false",
        "showtime:created-at": "2026-12-05T10:00:00Z",
        "showtime:config": "default",
        "showtime:status": "running",
        "showtime:address": "10.0.0.9:8080",
    }
    return base | {k.replace("_", "-").replace("--", ":"): v for k, v in over.items()}


RUNNING = [
    "🎪 abc1234 🚦 running",
    "🎪 🎯 abc1234",
    "🎪 abc1234 📅 2026-12-05T10-00",
    "🎪 abc1234 ⌛ idle 24h · max 2026-12-12T10-00",
    "🎪 abc1234 👤 alice",
    "🎪 abc1234 🌐 10.0.0.9:8080",
]


def one(**over: str) -> Record:
    return record_of(PR, {f"pr-{PR}-{SHA}": tags(**over)})


# -- reading the tags -------------------------------------------------------------------------


def test_a_stacks_tags_read_back_as_its_record() -> None:
    rec = Recorded.from_tags(SHA, tags(showtime__created_at="2026-12-05T10:00:42Z"))
    assert rec == Recorded(
        sha=SHA,
        requester="alice",
        ttl=Ttl("24h"),
        max_at=datetime(2026, 12, 12, 10, 0, tzinfo=UTC),
        max_lifted=False,
        created=datetime(2026, 12, 5, 10, 0, tzinfo=UTC),  # to the minute a label shows
        config=(),
        status=Status.RUNNING,
        address="10.0.0.9:8080",
    )


def test_a_lifted_max_age_needs_both_tags() -> None:
    never = {"showtime:max-age-at": "never", "showtime:ttl": "manual"}
    lifted = Recorded.from_tags(SHA, tags() | never | {"showtime:max-age-lifted": "true"})
    assert (lifted.ttl, lifted.max_at, lifted.max_lifted) == (Ttl("manual"), None, True)
    # "never" alone (an old stack, or a tag write that half landed) lifts nothing: no lifetime
    unsure = Recorded.from_tags(SHA, tags() | never)
    assert (unsure.ttl, unsure.max_at, unsure.max_lifted) == (None, None, False)


def test_values_that_do_not_parse_are_absent() -> None:
    rec = Recorded.from_tags(
        SHA,
        tags()
        | {
            "showtime:status": "deploying",  # a claim's, not the record's
            "showtime:created-at": "1970-01-01T00:00:00Z",  # no label can carry it
            "showtime:ttl": "forever",
            "showtime:requested-by": "unknown",
        },
    )
    assert (rec.status, rec.created, rec.ttl, rec.requester) == (None, None, None, None)
    assert Recorded.from_tags(SHA, tags(showtime__requested_by="dependabot+bot")).requester == (
        "dependabot[bot]"
    )


def test_the_record_holds_only_this_prs_stacks_whose_tags_agree() -> None:
    rec = record_of(
        PR,
        {
            f"pr-{PR}-{SHA}": tags(),
            "pr-99-abc1234": tags(),  # another PR
            f"pr-{PR}-2222222": tags(sha="3333333"),  # tags that name another commit
            "shared": {"showtime:pr": str(PR)},
            f"pr-{PR}-router": {"showtime:sha": OLD},
        },
    )
    assert sorted(rec.stacks) == [SHA] and rec.routed == OLD


def test_the_serving_sha_is_the_routers_else_the_newest_running_or_asleep() -> None:
    older = tags(OLD, showtime__created_at="2026-12-04T10:00:00Z")
    both = {f"pr-{PR}-{SHA}": tags(), f"pr-{PR}-{OLD}": older}
    assert record_of(PR, both).active == SHA
    routed = both | {f"pr-{PR}-router": {"showtime:sha": OLD}}
    assert record_of(PR, routed).active == OLD
    failed = {f"pr-{PR}-{SHA}": tags(showtime__status="failed"), f"pr-{PR}-{OLD}": older}
    assert record_of(PR, failed).active == OLD
    # the router names a SHA with no stack: not believed
    gone = {f"pr-{PR}-{SHA}": tags(), f"pr-{PR}-router": {"showtime:sha": "9999999"}}
    assert record_of(PR, gone).active == SHA
    assert record_of(PR, {f"pr-{PR}-{SHA}": tags(showtime__status="failed")}).active is None


# -- the view ---------------------------------------------------------------------------------


def test_labels_that_agree_are_left_alone() -> None:
    seen = reconcile(RUNNING, one())
    assert seen.labels == tuple(RUNNING) and not seen.repair and seen.notes == ()


def test_stripped_labels_and_a_forged_pointer_are_put_back() -> None:
    seen = reconcile(["🎪 🎯 deadbee", "bug"], one())
    assert sorted(seen.labels) == sorted(["bug", *RUNNING])
    assert seen.repair.remove == ("🎪 🎯 deadbee",)
    assert sorted(seen.repair.add) == sorted(RUNNING)


def test_a_pointer_moved_alone_is_moved_back() -> None:
    """Mid-roll both environments are labelled and agree with their stacks; the router serves
    the new one. Only 🎯 was moved to the old one: it is moved back."""
    old = tags(OLD, showtime__created_at="2026-12-04T10:00:00Z")
    rec = record_of(
        PR,
        {f"pr-{PR}-{SHA}": tags(), f"pr-{PR}-{OLD}": old, f"pr-{PR}-router": {"showtime:sha": SHA}},
    )
    old_labels = [
        "🎪 1111111 🚦 running",
        "🎪 1111111 📅 2026-12-04T10-00",
        "🎪 1111111 ⌛ idle 24h · max 2026-12-12T10-00",
        "🎪 1111111 👤 alice",
        "🎪 1111111 🌐 10.0.0.9:8080",
    ]
    labels = [n for n in RUNNING if "🎯" not in n] + old_labels + ["🎪 🎯 1111111"]
    seen = reconcile(labels, rec)
    assert seen.repair == L.LabelDiff(add=("🎪 🎯 abc1234",), remove=("🎪 🎯 1111111",))
    assert seen.notes == ("🎯 named 1111111, the record serves abc1234",)


def test_a_second_pointer_is_removed_even_when_the_first_wins() -> None:
    """Several 🎯 resolve to the newest running environment, which is the record's: the
    forged one must go all the same."""
    seen = reconcile([*RUNNING, "🎪 🎯 deadbee"], one())
    assert seen.repair == L.LabelDiff(add=(), remove=("🎪 🎯 deadbee",))
    assert seen.notes == ("🎯 also named deadbee, the record serves abc1234",)


def test_forged_dates_lifetime_config_and_address_are_replaced() -> None:
    forged = [
        "🎪 abc1234 📅 2020-01-01T00-00",
        "🎪 abc1234 ⌛ pinned · max never",
        "🎪 abc1234 ⚙️ large,debug",
        "🎪 abc1234 🌐 pr-1234.elsewhere.example",
        "🎪 abc1234 👤 mallory",
    ]
    labels = ["🎪 abc1234 🚦 running", "🎪 🎯 abc1234", *forged]
    seen = reconcile(labels, one())
    assert sorted(seen.labels) == sorted(RUNNING)
    assert sorted(seen.repair.remove) == sorted(forged)
    [note] = [n for n in seen.notes if n.startswith(SHA)]
    assert note == (
        "abc1234: labels disagreed with the stack's record "
        "(ip, created, lifetime, requester, config)"
    )


def test_a_second_label_of_a_recorded_field_is_removed() -> None:
    """Conflicting labels parse to the safest value, which can be the record's: the forged
    second label is removed all the same (no state label a non-writer adds survives)."""
    forged = ["🎪 abc1234 ⌛ pinned · max never", "🎪 abc1234 🚦 failed", "🎪 abc1234 ⚙️ large"]
    seen = reconcile([*RUNNING, *forged], one())
    assert sorted(seen.labels) == sorted(RUNNING)
    assert sorted(seen.repair.remove) == sorted(forged) and seen.repair.add == ()
    assert seen.notes == (
        "abc1234: labels disagreed with the stack's record (status, config, lifetime)",
    )


def test_a_claim_in_progress_keeps_its_status_and_date() -> None:
    """A wake's claim on the sleeping stack, and a build of a new commit with no stack yet:
    both are a run's lock, which the record does not hold."""
    asleep = one(showtime__status="sleeping")
    waking = [
        "🎪 abc1234 🚦 waking",
        "🎪 🎯 abc1234",
        "🎪 abc1234 📅 2026-12-05T18-30",
        "🎪 abc1234 ⌛ idle 24h · max 2026-12-12T10-00",
        "🎪 abc1234 👤 alice",
        "🎪 abc1234 🌐 10.0.0.9:8080",
    ]
    assert not reconcile(waking, asleep).repair
    building = [*RUNNING, "🎪 2222222 🚦 building", "🎪 2222222 📅 2026-12-05T18-30"]
    building.append("🎪 🏗️ 2222222")
    assert not reconcile(building, one()).repair


def test_a_sha_with_neither_stack_nor_claim_loses_its_labels() -> None:
    labels = [*RUNNING, "🎪 3333333 🚦 running", "🎪 3333333 👤 mallory"]
    seen = reconcile(labels, one())
    assert sorted(seen.labels) == sorted(RUNNING)
    assert "3333333: labels name no stack and no claim: removed" in seen.notes


def test_a_stray_stack_is_not_shown_again() -> None:
    """A replaced environment's stack the roll has not destroyed yet: the sweep's business."""
    older = tags(OLD, showtime__created_at="2026-12-04T10:00:00Z")
    rec = record_of(PR, {f"pr-{PR}-{SHA}": tags(), f"pr-{PR}-{OLD}": older})
    assert not reconcile(RUNNING, rec).repair


def test_without_a_status_tag_the_pointer_stands_only_on_a_stack() -> None:
    """Stacks from before the record: the label stands field by field."""
    legacy = {k: v for k, v in tags().items() if k not in ("showtime:status",)}
    rec = record_of(PR, {f"pr-{PR}-{SHA}": legacy})
    assert not reconcile(RUNNING, rec).repair
    moved = [n for n in RUNNING if "🎯" not in n] + ["🎪 🎯 deadbee"]
    seen = reconcile(moved, rec)
    assert seen.repair.remove == ("🎪 🎯 deadbee",) and seen.repair.add == ()
    assert "🎯 named deadbee, which has no stack: removed" in seen.notes


# -- who, and the plan ------------------------------------------------------------------------


def test_the_repair_names_the_last_adder_and_remover() -> None:
    seen = reconcile([n for n in RUNNING if "🎯" not in n] + ["🎪 🎯 deadbee"], one())
    events = [
        LabelEvent("labeled", "🎪 🎯 abc1234", "showtime-bot"),
        LabelEvent("unlabeled", "🎪 🎯 abc1234", "triager"),
        LabelEvent("labeled", "🎪 🎯 deadbee", "someone"),
        LabelEvent("labeled", "🎪 🎯 deadbee", "mallory"),
        LabelEvent("labeled", "bug", "bystander"),
    ]
    assert changed_by(seen.repair, events) == ("mallory", "triager")
    assert changed_by(seen.repair, []) == ()


def test_a_plan_on_the_view_becomes_a_diff_of_the_real_labels() -> None:
    seen = reconcile([n for n in RUNNING if "🌐" not in n] + ["🎪 abc1234 🌐 1.2.3.4:80"], one())
    plan = Plan(
        pr=PR,
        intent="warn",
        add_labels=("🎪 abc1234 ⚠️ 2026-12-05T20-00",),
        remove_labels=(),
        reasons=("idle",),
    )
    out = with_repair(plan, seen, ["mallory"])
    assert out.add_labels == ("🎪 abc1234 ⚠️ 2026-12-05T20-00", "🎪 abc1234 🌐 10.0.0.9:8080")
    assert out.remove_labels == ("🎪 abc1234 🌐 1.2.3.4:80",)
    assert out.reasons[0] == "idle" and repairs(out) and not repairs(plan)
    assert out.reasons[1] == (
        "labels put back from the stacks' record (changed by @mallory): "
        "abc1234: labels disagreed with the stack's record (ip)"
    )
    assert with_repair(plan, reconcile(RUNNING, one())) == plan


# -- properties -------------------------------------------------------------------------------

SHAS = [SHA, OLD, "deadbee", "2222222"]
POOL = [
    *RUNNING,
    *(f"🎪 {s} 🚦 {v}" for s in SHAS for v in ("running", "failed", "building", "sleeping")),
    *(f"🎪 🎯 {s}" for s in SHAS),
    *(f"🎪 🏗️ {s}" for s in SHAS),
    "🎪 abc1234 📅 2020-01-01T00-00",
    "🎪 1111111 📅 2026-12-04T09-00",
    "🎪 abc1234 ⌛ pinned · max never",
    "🎪 abc1234 ⌛ 48h",
    "🎪 abc1234 ⚙️ large",
    "🎪 abc1234 🌐 pr-1234.elsewhere.example",
    "🎪 deadbee 👤 mallory",
    "🎪 abc1234 ⚠️ 2026-12-06T09-00",
    "🎪 ⚡ showtime-trigger-start",
    "🎪 abc1234 🚦",
    "🎪 nonsense",
    "bug",
]
labelsets = st.lists(st.sampled_from(POOL), max_size=12, unique=True)
statuses = st.sampled_from(["running", "sleeping", "failed", "deploying", ""])


@st.composite
def records(draw: st.DrawFn) -> Record:
    stacks: dict[str, dict[str, str]] = {}
    for sha, day in zip([SHA, OLD, "2222222"], ["05", "04", "03"], strict=True):
        if draw(st.booleans()):
            status = draw(statuses)
            t = tags(sha, showtime__created_at=f"2026-12-{day}T10:00:00Z")
            if status:
                t["showtime:status"] = status
            else:
                del t["showtime:status"]
            stacks[f"pr-{PR}-{sha}"] = t
    if stacks and draw(st.booleans()):
        stacks[f"pr-{PR}-router"] = {"showtime:sha": draw(st.sampled_from(SHAS))}
    return record_of(PR, stacks)


@given(labelsets)
def test_without_a_stack_the_labels_stand(labels: list[str]) -> None:
    seen = reconcile(labels, Record(pr=PR))
    assert seen.labels == tuple(labels) and not seen.repair


@given(labelsets, records())
def test_the_view_is_a_fixed_point(labels: list[str], rec: Record) -> None:
    seen = reconcile(labels, rec)
    assert L.apply_diff(labels, seen.repair) == seen.labels
    again = reconcile(seen.labels, rec)
    assert not again.repair and again.labels == seen.labels


@given(labelsets, records())
def test_with_a_record_that_serves_the_pointer_is_the_records(
    labels: list[str], rec: Record
) -> None:
    seen = reconcile(labels, rec)
    if rec.stacks and rec.active is not None:
        assert L.parse_state(seen.labels).active_sha == rec.active
    # non-🎪 labels and triggers are never touched
    others = [n for n in labels if not n.startswith("🎪 ") or "⚡" in n]
    assert [n for n in seen.labels if n in others] == others
