"""The 🎪 label state (core/labels, design §3): the contracts the mutation run (issue 29) found no
test pinning down. Each test was checked by making the change and watching it fail.

Pure: label lists folded into a state, the expected shows, warnings and styles written out.
"""

from __future__ import annotations

from datetime import UTC, datetime

from showtime_iac.core import labels as L
from showtime_iac.core.model import Show, Status, Ttl

S = "abc1234"
T = "def5678"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_the_state_labels_are_the_pointers_the_attributes_and_the_unreadable_tent_labels() -> None:
    labels = [
        f"🎪 🎯 {S}",
        f"🎪 {S} 🚦 running",
        f"🎪 {S} 🚦 bogus",  # a 🎪 label that does not parse: state nobody can read
        L.START,
        L.FREEZE,
        "🎪 conf-size-large",
        "bug",
        "🎪 whatever",
    ]
    assert L.parse_state(labels).state_labels() == (
        f"🎪 🎯 {S}",
        f"🎪 {S} 🚦 running",
        f"🎪 {S} 🚦 bogus",
        "🎪 whatever",
    )


def test_conflicting_statuses_fold_to_failed_and_say_so() -> None:
    """``failed`` is the safest status even where it does not sort first (``building``)."""
    st = L.parse_state([f"🎪 {S} 🚦 building", f"🎪 {S} 🚦 failed"])
    assert st.shows[S].status is Status.FAILED
    assert st.warnings == (
        f"{S}: conflicting status labels (failed, building): using the safest, failed",
    )


def test_conflicting_lifetimes_say_which_part_wins() -> None:
    st = L.parse_state([f"🎪 {S} ⌛ 48h", f"🎪 {S} ⌛ 24h"])
    assert st.shows[S].ttl == Ttl("24h")
    assert st.warnings == (
        f"{S}: conflicting ttl labels (24h, 48h): using the safest of each part (the shortest "
        "TTL, the earliest max age)",
    )


def test_sha_less_attributes_fill_what_the_active_shows_own_labels_leave_out() -> None:
    labels = [
        f"🎪 🎯 {S}",
        f"🎪 {S} 🚦 running",
        "🎪 ⌛ idle 48h · max 2026-12-05T09-00",
        "🎪 ⚙️ large",
        "🎪 ⚠️ 2026-12-01T10-00",
    ]
    show = L.parse_state(labels, NOW).shows[S]
    assert show.status is Status.RUNNING
    assert show.ttl == Ttl("48h")
    assert show.config == ("large",)
    assert show.max_at == datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    assert show.warned == datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    assert show.max_lifted is False


def test_a_lifted_max_age_comes_with_the_lifetime_that_wins() -> None:
    lifted = "🎪 ⌛ pinned · max never"
    # no per-SHA lifetime: the SHA-less one, lifted, applies whole
    show = L.parse_state([f"🎪 🎯 {S}", f"🎪 {S} 🚦 running", lifted]).shows[S]
    assert (show.ttl, show.max_lifted) == (Ttl("manual"), True)
    # the per-SHA lifetime wins, and with it its max age, not lifted
    own = [f"🎪 🎯 {S}", f"🎪 {S} 🚦 running", f"🎪 {S} ⌛ 24h", lifted]
    show = L.parse_state(own).shows[S]
    assert (show.ttl, show.max_lifted) == (Ttl("24h"), False)


def test_a_sha_less_requester_goes_to_every_show_without_one_the_first_in_order() -> None:
    labels = [
        f"🎪 🎯 {S}",
        f"🎪 {S} 🚦 running",
        f"🎪 {T} 🚦 failed",
        "🎪 👤 bob",
        "🎪 👤 alice",
    ]
    st = L.parse_state(labels)
    assert (st.shows[S].requester, st.shows[T].requester) == ("alice", "alice")


def test_dates_in_the_future_are_ignored_and_reported() -> None:
    labels = [
        f"🎪 {S} 🚦 running",
        f"🎪 {S} 📅 2026-12-02T09-00",  # exactly a day ahead: clock skew, kept
        f"🎪 {S} ⚠️ 2026-12-02T09-01",  # a minute more: ignored
        f"🎪 {S} ⌛ idle 24h · max 2027-12-03T09-00",  # more than 366 days ahead: ignored
    ]
    st = L.parse_state(labels, NOW)
    show = st.shows[S]
    assert show.created == datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    assert (show.warned, show.max_at) == (None, None)
    assert show.ttl == Ttl("24h")
    assert st.warnings == (
        f"{S}: ignored the date 2026-12-02T09-01 (in the future)",
        f"{S}: ignored the date 2027-12-03T09-00 (in the future)",
    )
    kept = L.parse_state([f"🎪 {S} ⌛ idle 24h · max 2027-12-02T09-00"], NOW)
    assert kept.shows[S].max_at == datetime(2027, 12, 2, 9, 0, tzinfo=UTC)  # 366 days: kept
    assert kept.warnings == ()


def _config_labels(text: str, size: int = 30) -> list[str]:
    chunks = [text[i : i + size] for i in range(0, len(text), size)]
    return [f"🎪 {S} ⚙️ {i}/{len(chunks)} {c}" for i, c in enumerate(chunks, 1)]


def test_a_configuration_item_is_at_most_65_characters() -> None:
    ok = "-" + "A" * 64
    st = L.parse_state(_config_labels("large," + ok))
    assert (st.shows[S].config, st.warnings) == (("large", ok), ())
    long = "A" * 66
    st = L.parse_state(_config_labels("large," + long + ",debug"))
    assert st.shows[S].config == ("large", "debug")
    assert st.warnings == (f"{S}: unknown configuration items {'A' * 40}",)


def test_unknown_configuration_items_are_dropped_and_named() -> None:
    st = L.parse_state([f"🎪 {S} ⚙️ large,Xy,debug,Zz"])
    assert st.shows[S].config == ("large", "debug")
    assert st.warnings == (f"{S}: unknown configuration items Xy, Zz",)
    st = L.parse_state([f"🎪 {S} ⚙️ 1/2 large", f"🎪 {S} ⚙️ 1/3 x"])
    assert st.shows[S].config == ()
    assert st.warnings == (f"{S}: configuration labels disagree on their number of parts: ignored",)


def test_the_styles_of_pointers_requests_and_the_unknown() -> None:
    assert L.label_style(f"🎪 🎯 {S}") == (
        "0e8a16",
        "showtime-iac: the SHA serving the environment",
    )
    assert L.label_style(f"🎪 🏗️ {S}") == ("fbca04", "showtime-iac: the SHA being built")
    assert L.label_style("🎪 conf-size-large") == (
        "bfd4f2",
        "showtime-iac: configuration request (consumed)",
    )
    assert L.label_style("🎪 whatever") == ("ededed", "showtime-iac")
    assert L.label_style(f"🎪 {S} 🚦 running") == ("fbca04", "showtime-iac: environment status")


def test_every_conflict_is_reported_by_kind_and_folds_to_the_first() -> None:
    """Two values of one attribute (a label write that failed half-way): the earliest date,
    the first address and login in order, each conflict named with its SHA and kind."""
    labels = [
        f"🎪 {S} 🌐 52.1.2.4",
        f"🎪 {S} 🌐 52.1.2.3",
        f"🎪 {S} 📅 2026-12-01T08-00",
        f"🎪 {S} 📅 2026-11-30T08-00",
        f"🎪 {S} ⚠️ 2026-12-01T11-00",
        f"🎪 {S} ⚠️ 2026-12-01T10-00",
        f"🎪 {S} 👤 bob",
        f"🎪 {S} 👤 alice",
    ]
    st = L.parse_state(labels, NOW)
    show = st.shows[S]
    assert show.ip == "52.1.2.3"
    assert show.created == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    assert show.warned == datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    assert show.requester == "alice"
    assert st.warnings == (
        f"{S}: conflicting ip labels (52.1.2.3, 52.1.2.4): using the safest, 52.1.2.3",
        f"{S}: conflicting created labels (2026-11-30T08-00, 2026-12-01T08-00): using the "
        "safest, 2026-11-30T08-00",
        f"{S}: conflicting warned labels (2026-12-01T10-00, 2026-12-01T11-00): using the "
        "safest, 2026-12-01T10-00",
        f"{S}: conflicting requester labels (alice, bob): using the safest, alice",
    )


def test_equally_long_lifetimes_fold_the_same_however_each_is_written() -> None:
    """24h and 1d are one TTL: the fold keeps the same one whichever of the two carries the
    two-deadline form, and ``close`` is safer than ``manual`` in every form."""
    for labels in (
        [f"🎪 {S} ⌛ idle 1d · max 2026-12-08T09-00", f"🎪 {S} ⌛ 24h"],
        [f"🎪 {S} ⌛ 1d", f"🎪 {S} ⌛ idle 24h · max 2026-12-08T09-00"],
    ):
        show = L.parse_state(labels).shows[S]
        assert (show.ttl, show.max_at) == (Ttl("1d"), datetime(2026, 12, 8, 9, 0, tzinfo=UTC))
    for labels in (
        [f"🎪 {S} ⌛ manual", f"🎪 {S} ⌛ close"],
        [f"🎪 {S} ⌛ pinned · max 2026-12-08T09-00", f"🎪 {S} ⌛ close"],
        [f"🎪 {S} ⌛ manual", f"🎪 {S} ⌛ close · max 2026-12-08T09-00"],
    ):
        assert L.parse_state(labels).shows[S].ttl == Ttl("close"), labels


def test_an_unreadable_label_is_reported_as_it_reads() -> None:
    assert L.parse_state([f"🎪 {S} 🚦 bogus"]).warnings == (
        f"ignored '🎪 {S} 🚦 bogus': invalid status 'bogus'",
    )


def test_two_build_pointers_are_reported_by_kind() -> None:
    st = L.parse_state([f"🎪 🏗️ {S}", f"🎪 🏗️ {T}", f"🎪 {T} 🚦 running"])
    assert st.building_sha == T  # the running one
    assert st.warnings == (f"several building pointers ({S}, {T}): using {T}",)


def test_sha_less_labels_go_to_the_active_show_else_the_only_one() -> None:
    # 🎯 among two shows
    st = L.parse_state(
        [
            f"🎪 🎯 {S}",
            f"🎪 {S} 📅 2026-12-01T08-00",
            f"🎪 {T} 📅 2026-12-01T08-00",
            "🎪 🚦 running",
        ]
    )
    assert (st.shows[S].status, st.shows[T].status) == (Status.RUNNING, None)
    # no pointer, one show
    st = L.parse_state([f"🎪 {S} 📅 2026-12-01T08-00", "🎪 🚦 running"])
    assert st.shows[S].status is Status.RUNNING and st.warnings == ()
    # no pointer, two shows: nobody's
    st = L.parse_state(
        [f"🎪 {S} 📅 2026-12-01T08-00", f"🎪 {T} 📅 2026-12-01T08-00", "🎪 🚦 running"]
    )
    assert (st.shows[S].status, st.shows[T].status) == (None, None)
    assert st.warnings == ("SHA-less 🎪 labels with no environment to apply them to: ignored",)
    # no show at all
    st = L.parse_state(["🎪 🚦 running"])
    assert st.shows == {}
    assert st.warnings == ("SHA-less 🎪 labels with no environment to apply them to: ignored",)


def test_conflicting_sha_less_labels_are_reported_under_the_show_they_went_to() -> None:
    st = L.parse_state([f"🎪 🎯 {S}", "🎪 🚦 running", "🎪 🚦 failed"])
    assert st.shows[S].status is Status.FAILED
    assert st.warnings == (
        f"{S}: conflicting status labels (failed, running): using the safest, failed",
    )


def test_a_sha_less_lifetime_goes_to_every_show_without_one_and_nothing_else() -> None:
    labels = [f"🎪 🎯 {S}", f"🎪 {S} 🚦 running", f"🎪 {T} 🚦 failed", "🎪 ⌛ 48h"]
    st = L.parse_state(labels)
    assert (st.shows[S].ttl, st.shows[T].ttl) == (Ttl("48h"), Ttl("48h"))
    assert (st.shows[S].requester, st.shows[T].requester) == (None, None)


def test_of_two_active_pointers_the_newest_running_environment_wins() -> None:
    def state(*extra: str) -> L.LabelState:
        return L.parse_state([f"🎪 🎯 {S}", f"🎪 🎯 {T}", *extra])

    older, newer = "📅 2026-12-01T07-00", "📅 2026-12-01T08-00"
    st = state(f"🎪 {S} 🚦 running", f"🎪 {S} {older}", f"🎪 {T} 🚦 running", f"🎪 {T} {newer}")
    assert st.active_sha == T
    assert st.warnings == (f"several active pointers ({S}, {T}): using {T}",)
    st = state(f"🎪 {S} 🚦 running", f"🎪 {S} {newer}", f"🎪 {T} 🚦 running", f"🎪 {T} {older}")
    assert st.active_sha == S
    # running beats newer
    st = state(f"🎪 {S} 🚦 running", f"🎪 {S} {older}", f"🎪 {T} 🚦 building", f"🎪 {T} {newer}")
    assert st.active_sha == S
    # a running one with a date beats one without
    assert state(f"🎪 {S} 🚦 running", f"🎪 {T} 🚦 running", f"🎪 {T} {older}").active_sha == T
    # a tie goes to the first in order
    assert state(f"🎪 {S} 🚦 running", f"🎪 {T} 🚦 running").active_sha == S
    assert state().active_sha == S
    assert state().shows == {S: Show(S)}  # only the pointer in use names an environment


def test_a_sha_less_lifetime_goes_whole_to_the_other_shows() -> None:
    def other(*loose: str) -> Show:
        return L.parse_state([f"🎪 🎯 {S}", f"🎪 {T} 🚦 failed", *loose]).shows[T]

    got = other("🎪 ⌛ idle 48h · max 2026-12-05T09-00")
    assert (got.ttl, got.max_at, got.max_lifted) == (
        Ttl("48h"),
        datetime(2026, 12, 5, 9, 0, tzinfo=UTC),
        False,
    )
    got = other("🎪 ⌛ pinned · max never")
    assert (got.ttl, got.max_at, got.max_lifted) == (Ttl("manual"), None, True)
    got = other("🎪 ⌛ 48h", "🎪 ⌛ idle 24h · max 2026-12-05T09-00")  # the safest of each part
    assert (got.ttl, got.max_at) == (Ttl("24h"), datetime(2026, 12, 5, 9, 0, tzinfo=UTC))
