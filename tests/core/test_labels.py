"""The 🎪 vocabulary: parsing, rendering, round trips and diffs (design §3)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from showtime_iac.core import labels as L
from showtime_iac.core.model import Show, Status, Ttl

# --- strategies --------------------------------------------------------------------------

shas = st.text(alphabet="0123456789abcdef", min_size=7, max_size=7)
logins = st.from_regex(r"\A[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}\Z")
flags = st.from_regex(r"\A[A-Z][A-Z0-9_]{0,30}\Z")
octet = st.integers(0, 255)
ips = st.builds(lambda a, b, c, d: f"{a}.{b}.{c}.{d}", octet, octet, octet, octet)
addresses = st.one_of(ips, st.builds(lambda ip, p: f"{ip}:{p}", ips, st.integers(1, 65535)))
ttls = st.one_of(
    st.sampled_from(["close", "manual"]),
    st.builds(lambda n, u: f"{n}{u}", st.integers(1, 99999), st.sampled_from("hd")),
).map(Ttl)
times = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)
).map(lambda d: d.replace(second=0, microsecond=0))
config_items = st.lists(
    st.one_of(
        st.sampled_from(["small", "large", "debug", "no-examples", "redis"]),
        flags,
        flags.map(lambda f: f"-{f}"),
    ),
    max_size=12,
    unique=True,
).map(tuple)
shows = st.builds(
    Show,
    sha=shas,
    status=st.one_of(st.none(), st.sampled_from(list(Status))),
    ip=st.one_of(st.none(), addresses),
    created=st.one_of(st.none(), times),
    ttl=st.one_of(st.none(), ttls),
    requester=st.one_of(st.none(), logins),
    config=config_items,
)


# --- parsing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("🎪 abc1234 🚦 running", L.Attr("status", "running", "abc1234")),
        ("🎪 🚦 running", L.Attr("status", "running", None)),
        ("🎪 🎯 abc1234", L.Pointer("active", "abc1234")),
        ("🎪 🏗️ abc1234", L.Pointer("building", "abc1234")),
        ("🎪 🏗 abc1234", L.Pointer("building", "abc1234")),  # without U+FE0F
        ("🎪 🎯 ABC1234DEF", L.Pointer("active", "abc1234")),
        ("🎪 abc1234 🌐 52-1-2-3", L.Attr("ip", "52.1.2.3", "abc1234")),
        ("🎪 abc1234 🌐 52.1.2.3:8080", L.Attr("ip", "52.1.2.3:8080", "abc1234")),
        ("🎪 abc1234 📅 2024-01-15T14-30", L.Attr("created", "2024-01-15T14-30", "abc1234")),
        ("🎪 📅 2024-01-15T14-30Z", L.Attr("created", "2024-01-15T14-30", None)),
        ("🎪 abc1234 ⌛ 48h", L.Attr("ttl", "48h", "abc1234")),
        ("🎪 abc1234 ⌛ close", L.Attr("ttl", "close", "abc1234")),
        ("🎪 abc1234 👤 maxime", L.Attr("requester", "maxime", "abc1234")),
        ("🎪 abc1234 ⚙️ debug,large", L.Attr("config", "debug,large", "abc1234")),
        ("🎪 ⚡ showtime-trigger-start", L.Trigger("start")),
        ("🎪 🛑 showtime-trigger-stop", L.Trigger("stop")),
        ("🎪 🧊 showtime-freeze", L.Trigger("freeze")),
        ("🎪 🔒 showtime-blocked", L.Trigger("blocked")),
        ("testenv-up", L.Trigger("legacy")),
        ("🎪 conf-enable-ALERTS", L.ConfRequest("enable", "ALERTS", "🎪 conf-enable-ALERTS")),
        ("🎪 conf-size-large", L.ConfRequest("size", "large", "🎪 conf-size-large")),
        ("bug", None),
        ("🎪", None),  # no space after the tent: not ours
    ],
)
def test_parse_label_reads_every_form(name: str, expected: object) -> None:
    assert L.parse_label(name) == expected


@pytest.mark.parametrize(
    "name",
    [
        "🎪 abc1234 🚦 exploding",  # unknown status
        "🎪 abc1234 🌐 999.1.2.3",  # not an IP
        "🎪 abc1234 🌐 1.2.3.4:0",  # port 0
        "🎪 abc1234 📅 2024-13-45T99-99",  # impossible date
        "🎪 abc1234 ⌛ forever",
        "🎪 abc1234 👤 -bad-",
        "🎪 🎯 not-a-sha",
        "🎪 conf-enable-lowercase",
        "🎪 conf-size-huge",
        "🎪 something else",
        "🎪 abc1234 ⚙️ 3/2 debug",
    ],
)
def test_bad_showtime_labels_become_warnings(name: str) -> None:
    result = L.parse_label(name)
    assert isinstance(result, str)
    state = L.parse_state([name])
    assert state.warnings  # reported ...
    assert not state.shows and not state.start and not state.stop  # ... and never acted on


@given(st.text(max_size=300))
def test_parse_label_never_raises(text: str) -> None:
    L.parse_label(text)
    L.parse_label(L.PREFIX + text)


@given(
    st.lists(
        st.one_of(st.text(max_size=60), st.text(max_size=60).map(L.PREFIX.__add__)), max_size=30
    )
)
def test_parse_state_never_raises(names: list[str]) -> None:
    L.parse_state(names)


# --- rendering ---------------------------------------------------------------------------


@given(shows)
@settings(max_examples=300)
def test_show_round_trips_and_fits_github(show: Show) -> None:
    rendered = L.render_show(show)
    assert all(L.label_length(n) <= L.MAX_LABEL for n in rendered)
    assert all(
        L.parse_label(n) is not None and not isinstance(L.parse_label(n), str) for n in rendered
    )
    state = L.parse_state([*rendered, L.render_pointer("active", show.sha)])
    assert state.warnings == ()
    assert state.shows[show.sha] == show


@given(shas, logins)
def test_every_login_fits(sha: str, login: str) -> None:
    rendered = L.render_show(Show(sha=sha, status=Status.RUNNING, requester=login))
    assert all(L.label_length(n) <= L.MAX_LABEL for n in rendered)
    assert L.parse_state(rendered).shows[sha].requester == login


def test_long_config_is_split_across_numbered_labels() -> None:
    items = tuple(f"FEATURE_NUMBER_{i}" for i in range(12))
    rendered = L.render_show(Show(sha="abc1234", config=items))
    assert len(rendered) > 1
    assert rendered[0].startswith("🎪 abc1234 ⚙️ 1/")
    assert L.parse_state(rendered).shows["abc1234"].config == items
    # a missing part is reported, not guessed
    broken = L.parse_state(rendered[1:])
    assert broken.shows["abc1234"].config == ()
    assert any("incomplete" in w for w in broken.warnings)


def test_too_long_single_label_is_refused() -> None:
    with pytest.raises(ValueError, match="exceeds"):
        L.render_label(L.Attr("requester", "x" * 45, "abc1234"))


def test_label_length_counts_utf16_units() -> None:
    assert L.label_length("🎪") == 2
    assert L.label_length("abc") == 3


# --- state ---------------------------------------------------------------------------------


def test_shaless_form_of_the_design_notes_applies_to_the_active_show() -> None:
    state = L.parse_state(
        [
            "🎪 🚦 running",
            "🎪 🎯 abc123f",
            "🎪 🌐 52-1-2-3",
            "🎪 ⌛ 24h",
            "🎪 👤 maxime",
            "🎪 📅 2024-01-15T14-30",
        ]
    )
    show = state.active
    assert show is not None
    assert (show.sha, show.status, show.ip, show.requester) == (
        "abc123f",
        Status.RUNNING,
        "52.1.2.3",
        "maxime",
    )
    assert show.ttl == Ttl("24h")
    assert show.created == datetime(2024, 1, 15, 14, 30, tzinfo=UTC)


def test_per_sha_labels_win_over_shaless_ones() -> None:
    state = L.parse_state(["🎪 🎯 abc1234", "🎪 🚦 failed", "🎪 abc1234 🚦 running"])
    assert state.shows["abc1234"].status is Status.RUNNING


def test_two_shows_during_a_rolling_update() -> None:
    state = L.parse_state(
        [
            "🎪 🎯 abc1234",
            "🎪 abc1234 🚦 running",
            "🎪 🏗️ def5678",
            "🎪 def5678 🚦 building",
            "🎪 def5678 📅 2024-01-15T14-30",
        ]
    )
    assert state.active_sha == "abc1234"
    assert state.building_sha == "def5678"
    assert state.building is not None and state.building.status is Status.BUILDING
    assert set(state.labels_of("def5678")) == {
        "🎪 🏗️ def5678",
        "🎪 def5678 🚦 building",
        "🎪 def5678 📅 2024-01-15T14-30",
    }


def test_conflicting_labels_are_reported() -> None:
    state = L.parse_state(
        ["🎪 🎯 abc1234", "🎪 🎯 bcd2345", "🎪 abc1234 🚦 running", "🎪 abc1234 🚦 failed"]
    )
    assert len(state.warnings) == 2
    assert state.active_sha == "abc1234"


def test_triggers_and_legacy() -> None:
    state = L.parse_state([L.START, L.FREEZE, L.LEGACY, "bug", "🎪 conf-debug-on"])
    assert state.start and state.freeze and state.legacy
    assert not state.stop and not state.blocked
    assert state.conf_requests == (L.ConfRequest("debug", "on", "🎪 conf-debug-on"),)


# --- diff -----------------------------------------------------------------------------------

names = st.lists(
    st.sampled_from(["a", "b", "c", "🎪 🎯 abc1234", "🎪 x", "testenv-up", "d"]), max_size=8
)


@given(names, names)
def test_diff_applied_gives_the_target(a: list[str], b: list[str]) -> None:
    d = L.diff(a, b)
    after = L.apply_diff(a, d)
    assert set(after) == set(b)
    assert len(after) == len(set(after))
    assert not set(d.add) & set(a)  # minimal: never re-adds what is there
    assert set(d.remove) <= set(a)  # never removes what is not there


def test_diff_of_equal_sets_is_empty() -> None:
    assert not L.diff(["a", "b"], ["b", "a"])


# --- styles ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [*L.TRIGGER_LABELS, L.LEGACY, "🎪 abc1234 🚦 running", "🎪 🎯 abc1234", "🎪 conf-size-large"],
)
def test_label_style_gives_colour_and_short_description(name: str) -> None:
    colour, description = L.label_style(name)
    assert len(colour) == 6 and int(colour, 16) >= 0
    assert 0 < len(description) <= 100


def test_live_labels_of_superset_showtime_07_are_read() -> None:
    """Superset Showtime 0.7 writes 🤡 for the requester and a PR-level `🎪 ⌛ 1w` TTL."""
    state = L.parse_state(
        [
            "🎪 abc123f 🚦 running",
            "🎪 🎯 abc123f",
            "🎪 abc123f 📅 2025-10-01T09-15",
            "🎪 abc123f 🌐 52.1.2.3:8080",
            "🎪 abc123f 🤡 maxime",
            "🎪 ⌛ 1w",
        ]
    )
    show = state.active
    assert show is not None and state.warnings == ()
    assert show.requester == "maxime"
    assert show.ttl == Ttl("1w")
    assert show.ttl.duration is not None and show.ttl.duration.days == 7


@pytest.mark.parametrize(
    ("host", "ok"),
    [
        ("pr-1234.preview.example.org", True),
        ("pr-0.d.io", True),
        ("pr-1234.example", True),
        ("pr-1.2", False),  # not a host: an IP-like tail
        ("evil.example.org", False),  # only the form we write: pr-N.<domain>
        ("pr-01.example.org", False),
        ("pr-1234.Example.org", False),
        ("pr-1234.example.org:443", False),
    ],
)
def test_the_address_label_takes_the_prs_https_host(host: str, ok: bool) -> None:
    parsed = L.parse_label(f"🎪 abc1234 🌐 {host}")
    assert isinstance(parsed, L.Attr) is ok, parsed
    if ok:
        assert isinstance(parsed, L.Attr) and parsed.value == host
        (show,) = L.parse_state([f"🎪 abc1234 🌐 {host}"]).shows.values()
        assert show.ip == host
