"""The record's contracts (docs/concepts/stacks.md "Tags", the module's docstrings), written out
against what mutation testing found unpinned (issue 29). Pure: no fakes."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from showtime_iac.core import labels as L
from showtime_iac.core.model import EnvConfig, Show, Status, Ttl
from showtime_iac.core.plan import Plan
from showtime_iac.core.record import (
    Reconciled,
    Recorded,
    failed_tags,
    healthy_tags,
    lifetime_tags,
    reconcile,
    record_of,
    record_tags,
    with_repair,
)

PR = 1234
SHA = "abc1234"
OLD = "1111111"
ROUTER = f"pr-{PR}-router"
RUNNING = ["🎪 abc1234 🚦 running", "🎪 🎯 abc1234", "🎪 abc1234 🌐 10.0.0.9:8080"]
FULL = [
    "🎪 abc1234 🚦 running",
    "🎪 🎯 abc1234",
    "🎪 abc1234 📅 2026-12-05T10-00",
    "🎪 abc1234 ⌛ idle 24h · max 2026-12-12T10-00",
    "🎪 abc1234 👤 alice",
    "🎪 abc1234 🌐 10.0.0.9:8080",
]


def tags(sha: str = SHA, created: str = "2026-12-05T10:00:00Z", **over: str) -> dict[str, str]:
    """A healthy environment's stack tags (the labels of ``FULL``)."""
    return {
        "showtime:pr": str(PR),
        "showtime:sha": sha,
        "showtime:requested-by": "alice",
        "showtime:ttl": "24h",
        "showtime:max-age-at": "2026-12-12T10:00:00Z",
        "showtime:max-age-lifted": "false",
        "showtime:created-at": created,
        "showtime:config": "default",
        "showtime:status": "running",
        "showtime:address": "10.0.0.9:8080",
    } | {f"showtime:{k.replace('_', '-')}": v for k, v in over.items()}


def test_an_address_no_label_can_carry_leaves_the_labels_address_standing() -> None:
    """``reconcile`` is total: a recorded address too long for a per-SHA 🌐 label (GitHub's
    50 characters; 40 here would fit only the SHA-less form) or not of the label's form is
    treated as absent, like any value that does not parse; the label's address stands."""
    for address in ("pr-1234.a-rather-long-domain.example.org", "HOST.Example.COM", "a b"):
        tags = {"showtime:status": "running", "showtime:address": address}
        seen = reconcile(RUNNING, record_of(PR, {f"pr-{PR}-{SHA}": tags}))
        assert seen.labels == tuple(RUNNING) and not seen.repair and seen.notes == ()


# -- the tags a run writes (docs/concepts/stacks.md "Tags") ------------------------------------


def test_an_up_writes_config_lifted_created_and_status() -> None:
    plain = EnvConfig(pr=PR, sha=SHA)
    assert record_tags(plain) == {
        "showtime:config": "default",
        "showtime:max-age-lifted": "false",
        "showtime:status": "deploying",
    }
    asleep = EnvConfig(
        pr=PR,
        sha=SHA,
        size="large",
        debug=True,
        flags=(("ALERTS", False),),
        created=datetime(2026, 12, 5, 10, 0, 42, tzinfo=UTC),
        sleeping=True,
        max_lifted=True,
    )
    assert record_tags(asleep) == {
        "showtime:config": "large debug -ALERTS",
        "showtime:max-age-lifted": "true",
        "showtime:created-at": "2026-12-05T10:00:42Z",
        "showtime:status": "sleeping",
    }
    # lifted only when no max age is recorded; a prepared stack has no status yet
    capped = EnvConfig(
        pr=PR,
        sha=SHA,
        max_lifted=True,
        max_age_at=datetime(2026, 12, 12, 10, 0, tzinfo=UTC),
        prepared=True,
    )
    assert record_tags(capped) == {
        "showtime:config": "default",
        "showtime:max-age-lifted": "false",
    }


def test_health_and_failure_write_the_status_and_the_address() -> None:
    assert healthy_tags("10.0.0.9:8080") == {
        "showtime:status": "running",
        "showtime:address": "10.0.0.9:8080",
    }
    assert healthy_tags(None) == healthy_tags("") == {"showtime:status": "running"}
    # a tag value is at most 256 characters
    assert healthy_tags("h" * 300)["showtime:address"] == "h" * 256
    assert failed_tags() == {"showtime:status": "failed"}


def test_a_lifetime_change_writes_its_five_tags_at_once() -> None:
    idle = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    cap = datetime(2026, 12, 12, 10, 0, tzinfo=UTC)
    assert lifetime_tags(Ttl("48h"), idle, cap, "alice") == (
        ("showtime:ttl", "48h"),
        ("showtime:expires-at", "2026-12-07T10:00:00Z"),
        ("showtime:max-age-at", "2026-12-12T10:00:00Z"),
        ("showtime:max-age-lifted", "false"),
        ("showtime:lifetime-by", "alice"),
    )
    assert lifetime_tags(Ttl("manual"), None, None, "dependabot[bot]") == (
        ("showtime:ttl", "manual"),
        ("showtime:expires-at", "never"),
        ("showtime:max-age-at", "never"),
        ("showtime:max-age-lifted", "true"),
        ("showtime:lifetime-by", "dependabot+bot"),
    )
    assert lifetime_tags(Ttl("close"), None, cap, None)[-1] == ("showtime:max-age-lifted", "false")
    assert len(lifetime_tags(Ttl("close"), None, cap, "")) == 4


# -- reading the tags back ---------------------------------------------------------------------


def test_a_stack_with_no_tags_records_nothing() -> None:
    """A stack written before the record's tags existed: every field absent."""
    assert Recorded.from_tags(SHA, {}) == Recorded(sha=SHA)
    only = {"showtime:config": "large"}
    assert Recorded.from_tags(SHA, only) == Recorded(sha=SHA, config=("large",))


def test_who_changed_the_lifetime_reads_back_as_a_login() -> None:
    def by(value: str) -> str | None:
        return Recorded.from_tags(SHA, {"showtime:lifetime-by": value}).lifetime_by

    assert (by("alice"), by("dependabot+bot"), by("")) == ("alice", "dependabot[bot]", None)


def test_times_read_back_to_the_minute_in_the_form_the_tags_are_written() -> None:
    def created(value: str) -> datetime | None:
        return Recorded.from_tags(SHA, {"showtime:created-at": value}).created

    minute = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
    assert created("2026-12-05T10:00:42.123456Z") == minute
    assert created("2026-12-05T10:00:00+00:00") == minute
    # not the form tag_time writes (ISO 8601, a capital Z, or an offset): absent
    for garbage in ("2026-12-05T10:00:00z", "2026-12-05T10:00:00", "never", "soon"):
        assert created(garbage) is None, garbage


TAG_KEYS = [
    "showtime:pr",
    "showtime:sha",
    "showtime:ttl",
    "showtime:max-age-at",
    "showtime:max-age-lifted",
    "showtime:created-at",
    "showtime:config",
    "showtime:status",
    "showtime:address",
    "showtime:requested-by",
    "showtime:lifetime-by",
]


@given(
    st.dictionaries(
        st.sampled_from(TAG_KEYS[2:]),  # what a stack says of itself, not its PR and SHA
        st.sampled_from(["", "never", "true", "24h", "running", "2026-12-05T10:00:00Z", "x y"]),
    )
)
def test_any_tags_read_without_raising(t: dict[str, str]) -> None:
    rec = Recorded.from_tags(SHA, t)
    assert rec.sha == SHA
    assert rec.status in (None, Status.RUNNING)


# -- which fields the record decides ------------------------------------------------------------

WHOLE = Recorded(
    sha=SHA,
    requester="alice",
    ttl=Ttl("24h"),
    max_at=datetime(2026, 12, 12, 10, 0, tzinfo=UTC),
    created=datetime(2026, 12, 5, 10, 0, tzinfo=UTC),
    config=(),
    status=Status.RUNNING,
    address="10.0.0.9:8080",
)


def test_the_record_holds_the_fields_it_has_and_a_claim_keeps_its_own() -> None:
    every = ("requester", "ttl", "config", "ip", "created", "status")
    assert WHOLE.held(Show(sha=SHA)) == every
    assert WHOLE.held(Show(sha=SHA, status=Status.FAILED)) == every
    assert WHOLE.held(Show(sha=SHA, status=Status.WAKING)) == ("requester", "ttl", "config", "ip")
    assert Recorded(sha=SHA).held(Show(sha=SHA)) == ()
    assert Recorded(sha=SHA).held(Show(sha=SHA, status=Status.WAKING)) == ()


# -- the record of a PR --------------------------------------------------------------------------


def test_a_stacks_tags_need_not_name_its_pr_and_sha_but_may_not_contradict_them() -> None:
    rec = record_of(
        PR,
        {
            ROUTER: {"showtime:sha": SHA},  # listed first: the stacks still count
            f"pr-{PR}-{SHA}": {"showtime:status": "running"},  # no showtime:pr, no showtime:sha
            f"pr-{PR}-{OLD}": tags(OLD, pr="99"),  # its tags say another PR
        },
    )
    assert (rec.pr, sorted(rec.stacks), rec.routed) == (PR, [SHA], SHA)
    assert rec.stacks[SHA].status is Status.RUNNING


def test_a_router_that_names_no_valid_sha_routes_nothing() -> None:
    """The router's ``showtime:sha`` is believed only when it is a commit SHA (it is the one
    a 🎯 label could name)."""
    stack = {f"pr-{PR}-{SHA}": {"showtime:status": "running"}}
    assert record_of(PR, stack | {ROUTER: {"showtime:sha": SHA}}).routed == SHA
    assert record_of(PR, stack).routed is None
    for sha in (None, "", "not a sha", "zzzzzzz", "abc123"):
        router = {} if sha is None else {"showtime:sha": sha}
        assert record_of(PR, stack | {ROUTER: router}).routed is None, router


def test_the_newest_stack_serves_whatever_its_sha() -> None:
    """Without a router the newest running stack serves: by its creation, not its name."""
    newer_old = {
        f"pr-{PR}-{SHA}": tags(created="2026-12-04T10:00:00Z"),
        f"pr-{PR}-{OLD}": tags(OLD, created="2026-12-05T10:00:00Z"),
    }
    assert record_of(PR, newer_old).active == OLD


# -- the view --------------------------------------------------------------------------------------


def test_labels_stripped_to_nothing_are_put_back_with_notes_that_say_so() -> None:
    seen = reconcile(["bug"], record_of(PR, {f"pr-{PR}-{SHA}": tags()}))
    assert sorted(seen.labels) == sorted(["bug", *FULL])
    assert seen.notes == (
        "abc1234: labels disagreed with the stack's record (no labels)",
        "🎯 named nothing, the record serves abc1234",
    )


def test_a_stray_stack_sorted_first_does_not_stop_the_repair_of_the_serving_one() -> None:
    rec = record_of(
        PR,
        {f"pr-{PR}-{SHA}": tags(), f"pr-{PR}-{OLD}": tags(OLD, created="2026-12-04T10:00:00Z")},
    )
    forged = [n.replace("alice", "mallory") for n in FULL]
    seen = reconcile(forged, rec)
    assert seen.repair == L.LabelDiff(
        add=("🎪 abc1234 👤 alice",), remove=("🎪 abc1234 👤 mallory",)
    )


def test_every_extra_pointer_is_named_in_the_note() -> None:
    seen = reconcile(
        [*FULL, "🎪 🎯 deadbee", "🎪 🎯 2222222"], record_of(PR, {f"pr-{PR}-{SHA}": tags()})
    )
    assert sorted(seen.repair.remove) == ["🎪 🎯 2222222", "🎪 🎯 deadbee"]
    assert seen.notes == ("🎯 also named 2222222, deadbee, the record serves abc1234",)


def test_a_config_tag_in_another_spelling_that_renders_the_same_labels_changes_nothing() -> None:
    """``large,debug`` (one item to the record) renders the same ⚙️ label as the items
    ``large debug``: a disagreement no label can show is no repair."""
    rec = record_of(PR, {f"pr-{PR}-{SHA}": tags(config="large,debug")})
    labels = [*FULL, "🎪 abc1234 ⚙️ large,debug"]
    seen = reconcile(labels, rec)
    assert seen == Reconciled(tuple(labels))


def test_without_a_status_tag_the_pointer_stands_on_a_claim_in_progress() -> None:
    """Stacks from before the status tag: the record cannot tell which serves, and 🎯 on a
    SHA being built (a claim, no stack yet) stands."""
    legacy = {k: v for k, v in tags().items() if k != "showtime:status"}
    labels = [n for n in FULL if "🎯" not in n] + ["🎪 2222222 🚦 building", "🎪 🎯 2222222"]
    seen = reconcile(labels, record_of(PR, {f"pr-{PR}-{SHA}": legacy}))
    assert seen == Reconciled(tuple(labels))


def test_a_repaired_plan_drops_what_the_repair_undoes_and_says_who() -> None:
    """The plan was decided on the view: a label it removes that the repair only adds, and one
    it adds that the repair only removes, are no change to the PR's real labels."""
    rec = Reconciled(
        labels=(),
        repair=L.LabelDiff(add=("x1", "x2"), remove=("y1", "y2")),
        notes=("first", "second"),
    )
    plan = Plan(
        pr=PR,
        intent="warn",
        add_labels=("p", "y1"),
        remove_labels=("q", "x1"),
        reasons=("idle",),
        warnings=("careful",),
    )
    out = with_repair(plan, rec, ["mallory", "triager"])
    assert (out.add_labels, out.remove_labels) == (("p", "x2"), ("q", "y2"))
    note = "labels put back from the stacks' record (changed by @mallory, @triager): first; second"
    assert out.reasons == ("idle", note) and out.warnings == ("careful", note)
    unknown = with_repair(plan, rec).warnings[-1]
    assert unknown.startswith("labels put back from the stacks' record (changed by not known): ")


@given(
    st.dictionaries(
        st.sampled_from(TAG_KEYS),
        st.one_of(
            st.sampled_from(["running", "never", "true", "24h", "2026-12-05T10:00:00Z"]),
            st.text(max_size=80),
            st.text(st.characters(codec="ascii"), min_size=40, max_size=80),
        ),
    ),
    st.sampled_from([[], RUNNING, FULL]),
)
def test_reconcile_is_total_whatever_a_stack_tag_holds(t: dict[str, str], have: list[str]) -> None:
    """A tag is input: whoever can write a stack's tags (a forged or damaged one) must not make
    ``reconcile`` raise, or the cleanup's loop over every PR stops at this one."""
    seen = reconcile(have, record_of(PR, {f"pr-{PR}-{SHA}": t}))
    for name in seen.labels:
        assert len(name) <= 50, name


def test_a_requester_no_login_can_be_is_absent_and_the_labels_requester_stands() -> None:
    """A requested-by (or lifetime-by) tag that is no GitHub login (too long for one, spaces)
    is read as absent: the 👤 label stands and no label is rendered from it."""
    for bad in ("x" * 60, "bad login", "-alice", "a--b"):
        rec = Recorded.from_tags(SHA, {"showtime:requested-by": bad, "showtime:lifetime-by": bad})
        assert (rec.requester, rec.lifetime_by) == (None, None), bad
        seen = reconcile(FULL, record_of(PR, {f"pr-{PR}-{SHA}": tags(requested_by=bad)}))
        assert seen.labels == tuple(FULL) and seen.notes == (), bad
    ok = Recorded.from_tags(SHA, {"showtime:requested-by": "dependabot+bot"})
    assert ok.requester == "dependabot[bot]"
    longest = "a" * 39 + "+bot"  # the longest login GitHub allows, a bot's: the SHA-less 👤
    seen = reconcile([], record_of(PR, {f"pr-{PR}-{SHA}": tags(requested_by=longest)}))
    assert "🎪 👤 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa[bot]" in seen.labels
