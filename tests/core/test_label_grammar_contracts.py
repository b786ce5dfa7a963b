"""One 🎪 label's grammar (core/label_grammar, design §3): the contracts the mutation run
(issue 29) found no test pinning down. Each test was checked by making the change and watching
it fail.

Pure: label names in, values or the warning a user reads out, expected values written out.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from showtime_iac.core import labels as L
from showtime_iac.core.model import Show, Status, Ttl

S = "abc1234"


@pytest.mark.parametrize(
    ("name", "warning"),
    [
        (f"🎪 {S} 🚦 exploding", f"ignored '🎪 {S} 🚦 exploding': invalid status 'exploding'"),
        (f"🎪 {S} 🌐 1.2.3.4:0", f"ignored '🎪 {S} 🌐 1.2.3.4:0': invalid ip '1.2.3.4:0'"),
        (
            f"🎪 {S} 🌐 1.2.3.4:65536",
            f"ignored '🎪 {S} 🌐 1.2.3.4:65536': invalid ip '1.2.3.4:65536'",
        ),
        (f"🎪 {S} ⌛ forever", f"ignored '🎪 {S} ⌛ forever': invalid ttl 'forever'"),
        (f"🎪 {S} ⚙️ 3/2 debug", f"ignored '🎪 {S} ⚙️ 3/2 debug': part 3 of 2"),
        ("🎪 🎯 not-a-sha", "ignored '🎪 🎯 not-a-sha': 'not-a-sha' is not a commit SHA"),
        ("🎪 something else", "ignored unknown 🎪 label '🎪 something else'"),
        ("🎪 lonely", "ignored unknown 🎪 label '🎪 lonely'"),
        (f"🎪 {S} 🚦", f"ignored unknown 🎪 label '🎪 {S} 🚦'"),
        ("🎪 conf-what", "ignored unknown configuration label '🎪 conf-what'"),
        (
            "🎪 conf-enable-lowercase",
            "ignored '🎪 conf-enable-lowercase': 'lowercase' is not a feature flag (A-Z, 0-9, _)",
        ),
        ("🎪 conf-size-huge", "ignored '🎪 conf-size-huge': size must be small, medium or large"),
        ("🎪 " + "x" * 300, "ignored label of 302 characters (too long to be ours)"),
    ],
)
def test_a_label_that_does_not_parse_is_one_warning(name: str, warning: str) -> None:
    assert L.parse_label(name) == warning


def test_long_labels_are_echoed_cut() -> None:
    status = "s" * 100
    assert L.parse_label(f"🎪 {S} 🚦 {status}") == (
        f"ignored {f'🎪 {S} 🚦 {status}'[:60]!r}: invalid status {status[:40]!r}"
    )
    unknown = "🎪 " + "u" * 100
    assert L.parse_label(unknown) == f"ignored unknown 🎪 label {unknown[:60]!r}"
    ptr = "f" * 60 + "g"
    assert L.parse_label(f"🎪 🎯 {ptr}") == (
        f"ignored {f'🎪 🎯 {ptr}'!r}: {ptr[:50]!r} is not a commit SHA"
    )
    conf = "🎪 conf-" + "q" * 80
    assert L.parse_label(conf) == f"ignored unknown configuration label {conf[:60]!r}"
    flag = "conf-enable-" + "a" * 60
    assert L.parse_label("🎪 " + flag) == (
        f"ignored {('🎪 ' + flag)[:60]!r}: {'a' * 40!r} is not a feature flag (A-Z, 0-9, _)"
    )
    at_200 = "🎪 " + "x" * 198  # 200 characters: still read (an unknown label)
    assert L.parse_label(at_200) == f"ignored unknown 🎪 label {at_200[:60]!r}"
    assert L.parse_label(at_200 + "x") == "ignored label of 201 characters (too long to be ours)"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("🎪 conf-disable-ALERTS", L.ConfRequest("disable", "ALERTS", "🎪 conf-disable-ALERTS")),
        ("🎪 conf-size-small", L.ConfRequest("size", "small", "🎪 conf-size-small")),
        ("🎪 conf-debug-on", L.ConfRequest("debug", "on", "🎪 conf-debug-on")),
        ("🎪 conf-debug-off", L.ConfRequest("debug", "off", "🎪 conf-debug-off")),
        ("🎪 conf-no-examples", L.ConfRequest("examples", "off", "🎪 conf-no-examples")),
        ("🎪 conf-cache-redis", L.ConfRequest("cache", "redis", "🎪 conf-cache-redis")),
        (f"🎪 {S} 🤡 maxime", L.Attr("requester", "maxime", S)),  # Superset Showtime ≤0.7
        (f"🎪 {S} 🚦️ running", L.Attr("status", "running", S)),  # a stray U+FE0F
        (f"🎪 🎯️ {S}", L.Pointer("active", S)),
        (f"🎪 🏗︎ {S}", L.Pointer("building", S)),  # text presentation U+FE0E
        (f"🎪 {S.upper()} 🚦 running", L.Attr("status", "running", S)),
        (f"🎪 {S}def 🚦 running", L.Attr("status", "running", S)),
        (f"🎪 {S} 🌐 10.0.0.1", L.Attr("ip", "10.0.0.1", S)),
        (f"🎪 {S} 🌐 10-0-0-1:65535", L.Attr("ip", "10.0.0.1:65535", S)),
        (f"🎪 {S} 🌐 250.249.199.9:1", L.Attr("ip", "250.249.199.9:1", S)),
        (f"🎪 {S} ⚠️ 2026-12-01T10-00Z", L.Attr("warned", "2026-12-01T10-00", S)),
        (
            f"🎪 {S} ⌛ idle 24h · max 2026-12-08",
            L.Attr("ttl", "idle 24h · max 2026-12-08T00-00", S),
        ),
        (f"🎪 {S} ⌛ manual · max never", L.Attr("ttl", "pinned · max never", S)),
        (f"🎪 {S} ⌛ close · max never", L.Attr("ttl", "close · max never", S)),
        (f"🎪 {S} ⚙️ 2/3 debug", L.Attr("config", "debug", S, 2, 3)),
        (f"🎪 {S} ⚙️ 3/3 debug", L.Attr("config", "debug", S, 3, 3)),
    ],
)
def test_every_other_form_is_read(name: str, expected: object) -> None:
    assert L.parse_label(name) == expected


@pytest.mark.parametrize(
    "name",
    [
        f"🎪 {S} 🌐 256.1.1.1",
        f"🎪 {S} 🌐 1.2.3",
        f"🎪 {S} 🌐 01.2.3.4",
        f"🎪 {S} 🌐 1.2.3.4:123456",
        f"🎪 {S} 🌐 pr-01.example.org",
        f"🎪 {S} 🌐 PR-1.example.org",
        f"🎪 {S} ⚙️ large debug",
        f"🎪 {S} ⌛ idle close · max 2026-12-08",  # an idle TTL is a duration
        f"🎪 {S} ⌛ 24h · max 2026-13-08",
        f"🎪 {S} 📅 2019-12-31T23-59",
        f"🎪 {S} 📅 2100-01-01T00-00",
        f"🎪 {S} 📅 2026-12-01",  # a creation time has its minute
    ],
)
def test_values_outside_the_grammar_are_warnings(name: str) -> None:
    assert isinstance(L.parse_label(name), str)


def test_the_date_bounds_are_inclusive_below_and_exclusive_above() -> None:
    assert L.parse_timestamp("2020-01-01T00-00") == datetime(2020, 1, 1, tzinfo=UTC)
    assert L.parse_timestamp("2099-12-31T23-59") == datetime(2099, 12, 31, 23, 59, tzinfo=UTC)
    assert L.parse_timestamp("2100-01-01T00-00") is None
    assert L.parse_timestamp("2026-12-08") is None
    assert L.parse_timestamp("2026-12-08", date_only=True) == datetime(2026, 12, 8, tzinfo=UTC)
    assert L.parse_timestamp("2026-02-30T00-00") is None


def test_a_timestamp_is_written_in_utc() -> None:
    paris = timezone(timedelta(hours=1))
    assert L.format_timestamp(datetime(2026, 12, 1, 10, 30, tzinfo=paris)) == "2026-12-01T09-30"
    assert L.format_timestamp(datetime(2026, 12, 1, 10, 30)) == "2026-12-01T10-30"


def test_the_lifetime_is_written_in_its_forms() -> None:
    at = datetime(2026, 12, 8, 14, 30, tzinfo=UTC)
    assert L.render_lifetime(Ttl("24h")) == "24h"
    assert L.render_lifetime(Ttl("24h"), at) == "idle 24h · max 2026-12-08T14-30"
    assert L.render_lifetime(Ttl("manual"), at) == "pinned · max 2026-12-08T14-30"
    assert L.render_lifetime(Ttl("close"), at) == "close · max 2026-12-08T14-30"
    assert L.render_lifetime(Ttl("24h"), None, True) == "idle 24h · max never"
    assert L.render_lifetime(Ttl("24h"), at, True) == "idle 24h · max never"
    assert L.parse_lifetime("idle 24h · max never") == (Ttl("24h"), None, True)
    assert L.parse_lifetime("pinned") == (Ttl("manual"), None, False)
    assert L.parse_lifetime("idle 24h") == (Ttl("24h"), None, False)
    assert L.parse_lifetime("idle manual") is None


def test_labels_are_rendered_in_the_per_sha_form() -> None:
    assert L.render_label(L.Trigger("legacy")) == "testenv-up"
    assert L.render_label(L.Trigger("start")) == L.START
    assert L.render_pointer("building", S + "def") == f"🎪 🏗️ {S}"
    assert L.render_pointer("active", S) == f"🎪 🎯 {S}"
    req = L.ConfRequest("size", "large", "🎪 conf-size-large")
    assert L.render_label(req) == "🎪 conf-size-large"
    assert L.render_label(L.Attr("status", "running")) == "🎪 🚦 running"
    assert L.render_label(L.Attr("config", "debug", S, 2, 3)) == f"🎪 {S} ⚙️ 2/3 debug"
    # 50 UTF-16 units fit, 51 do not
    fits = L.Attr("requester", "a" * 34, S)  # 🎪(2) + 1 + 7 + 1 + 👤(2) + 1 + 34 = 48
    assert L.label_length(L.render_label(fits)) == 48
    with pytest.raises(ValueError) as err:
        L.render_label(L.Attr("config", "A" * 40, S))
    assert str(err.value) == (f"label {f'🎪 {S} ⚙️ ' + 'A' * 40!r} exceeds GitHub's 50 characters")


def test_a_show_is_rendered_attribute_by_attribute() -> None:
    show = Show(
        S,
        Status.RUNNING,
        ip="52.1.2.3:8080",
        created=datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
        ttl=Ttl("24h"),
        requester="maxime",
        config=("large", "debug"),
        max_at=datetime(2026, 12, 8, 9, 0, tzinfo=UTC),
        warned=datetime(2026, 12, 2, 7, 0, tzinfo=UTC),
    )
    assert L.render_show(show) == [
        f"🎪 {S} 🚦 running",
        f"🎪 {S} 🌐 52.1.2.3:8080",
        f"🎪 {S} 📅 2026-12-01T09-00",
        f"🎪 {S} ⌛ idle 24h · max 2026-12-08T09-00",
        f"🎪 {S} ⚠️ 2026-12-02T07-00",
        f"🎪 {S} 👤 maxime",
        f"🎪 {S} ⚙️ large,debug",
    ]
    long_login = "a" * 37  # does not fit beside the SHA (14 + 37 > 50): written SHA-less
    assert L.render_show(Show(S, requester=long_login)) == [f"🎪 👤 {long_login}"]
    assert L.render_show(Show(S, requester="a" * 36)) == [f"🎪 {S} 👤 {'a' * 36}"]


def test_a_long_configuration_is_split_in_numbered_labels_of_at_most_50() -> None:
    items = tuple(f"FLAG_{i:02d}" for i in range(12))  # 95 characters with the commas
    names = L.render_show(Show(S, config=items))
    # 32 characters a label: 50 less the longest head, `🎪 abc1234 ⚙️ 9/9 `
    assert names == [
        f"🎪 {S} ⚙️ 1/3 FLAG_00,FLAG_01,FLAG_02,FLAG_03,",
        f"🎪 {S} ⚙️ 2/3 FLAG_04,FLAG_05,FLAG_06,FLAG_07,",
        f"🎪 {S} ⚙️ 3/3 FLAG_08,FLAG_09,FLAG_10,FLAG_11",
    ]
    assert all(L.label_length(n) <= 50 for n in names)
    assert L.parse_state(names).shows[S].config == items
    with pytest.raises(ValueError) as err:
        L.render_show(Show(S, config=tuple(f"F{i:03d}" for i in range(60))))
    assert str(err.value) == "configuration of 299 characters does not fit in 9 labels"


def test_which_labels_are_ours() -> None:
    assert L.is_showtime_label("🎪 anything") is True
    assert L.is_showtime_label("testenv-up") is True
    assert L.is_showtime_label("bug") is False
    assert L.is_showtime_label("🎪") is False
    assert L.is_showtime_label("testenv-up2") is False


def test_every_trigger_renders_to_its_label() -> None:
    assert [L.render_label(L.Trigger(k)) for k in ("start", "stop", "freeze", "blocked")] == [
        "🎪 ⚡ showtime-trigger-start",
        "🎪 🛑 showtime-trigger-stop",
        "🎪 🧊 showtime-freeze",
        "🎪 🔒 showtime-blocked",
    ]


def test_every_size_request_is_read_and_a_bad_one_named() -> None:
    for size in ("small", "medium", "large"):
        name = f"🎪 conf-size-{size}"
        assert L.parse_label(name) == L.ConfRequest("size", size, name)
    name = "🎪 conf-size-" + "h" * 60
    assert L.parse_label(name) == f"ignored {name[:60]!r}: size must be small, medium or large"


def test_a_configuration_fills_up_to_nine_labels() -> None:
    items = tuple(f"F{i:03d}" for i in range(55))  # 274 characters: 9 labels of at most 32
    names = L.render_show(Show(S, config=items))
    assert len(names) == 9
    assert names[0] == f"🎪 {S} ⚙️ 1/9 F000,F001,F002,F003,F004,F005,F0"
    assert L.parse_state(names).shows[S].config == items


def test_tokens_are_separated_by_exactly_one_space() -> None:
    for name in (f"🎪 {S}  🚦 running", f"🎪 {S} 🚦  running", f"🎪 {S}\t🚦 running"):
        assert isinstance(L.parse_label(name), str), name
    assert L.parse_label(f"🎪 {S}  🚦 running") == (
        f"ignored unknown 🎪 label '🎪 {S}  🚦 running'"
    )


def test_an_unknown_emoji_is_echoed_cut() -> None:
    name = f"🎪 {S} " + "u" * 100 + " x"
    assert L.parse_label(name) == f"ignored unknown 🎪 label {name[:60]!r}"
