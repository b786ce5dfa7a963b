"""The sticky status comment's contract (issue 29), written out: what a reader of the PR sees.

The comment is the PR's one view of its environments (docs/index.md, docs/proof.md,
docs/concepts/lifecycle.md): a table of every SHA (the active one first, then the one
building, then the rest by SHA), the public-IP mode note, when the environment goes and how
to keep it (or, asleep, how to wake it and what each state costs), the configuration, the
deploy's proof or progress, the timings, the failure or the last log lines, the commands, the
run's link, and the history kept in a hidden block. The bodies below are whole, so a word, a
line or an order that changes shows.
"""

from __future__ import annotations

from datetime import UTC, datetime

from showtime_iac.core.comment import (
    address_url,
    history_of,
    lifetime_text,
    status_comment,
    ttl_left,
    url_of,
    vouched_address,
)
from showtime_iac.core.labels import LabelState
from showtime_iac.core.model import Show, Status, Ttl
from showtime_iac.core.proof import COMMENT_LIMIT, Failure, Picture, comment_length
from showtime_iac.core.timings import Timings

NOW = datetime(2026, 1, 15, 14, 30, tzinfo=UTC)

COMMANDS = (
    "Commands: `/showtime status` · `refresh` · `extend 48h` · `keep-alive` · `wake` · "
    "`destroy` · `enable FLAG` · `disable FLAG` · `debug on|off` · `size small|medium|large` · "
    "`help`"
)
HOW = "a push or `/showtime extend 24h` resets the idle TTL; `/showtime keep-alive` pins it"
ASLEEP = (
    "😴 `abc1234` is asleep (scaled to zero): comment `/showtime wake` or push a commit to bring "
    "it back (afresh from its image: what was made in it is not kept). "
)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 1, day, hour, minute, tzinfo=UTC)


def only(show: Show, **kw: object) -> str:
    """The comment of a PR whose one environment, ``show``, is the active one."""
    st = LabelState(shows={show.sha: show}, active_sha=show.sha)
    return status_comment(7, st, NOW, **kw)  # type: ignore[arg-type]


def lines_between(body: str, first: str, last: str) -> list[str]:
    lines = body.split("\n")
    return lines[lines.index(first) : lines.index(last) + 1]


# -- the whole comment -----------------------------------------------------------------------


def test_a_public_ip_comment_with_every_part_reads_exactly_so() -> None:
    active = Show(
        "abc1234",
        Status.RUNNING,
        ip="52.1.2.3",
        created=at(15, 10),
        ttl=Ttl("24h"),
        requester="alice",
        config=("large", "debug"),
        max_at=at(22, 10),
    )
    building = Show("def5678", Status.BUILDING, created=at(15, 14, 20), requester="bob")
    failed = Show("0000001", Status.FAILED, ip="52.9.9.9:8080", created=at(15, 9), ttl=Ttl("close"))
    bare = Show("fff0002")
    st = LabelState(
        shows={"abc1234": active, "def5678": building, "fff0002": bare, "0000001": failed},
        active_sha="abc1234",
        building_sha="def5678",
    )
    previous = (
        "old body\n<!-- showtime-iac:history\n2026-01-14 09:00 UTC: started\n\n"
        "2026-01-14 09:05 UTC: ready\n-->\n"
    )
    timings = Timings(
        (
            ("start", at(15, 14)),
            ("plan", at(15, 14, 1)),
            ("up", at(15, 14, 4)),
            ("healthy", at(15, 14, 4)),
        ),
        "ready",
    )
    body = status_comment(
        1234,
        st,
        NOW,
        event_line="  ready   on\n`abc1234`  ",
        previous_body=previous,
        run_url="https://github.com/o/r/actions/runs/9",
        port=9000,
        timings=timings,
        logs="\n  first line\nlast line  \n\n",
    )
    assert body == "\n".join(
        [
            "<!-- showtime-iac:status -->",
            "## 🎪 Showtime · PR #1234",
            "",
            "| | SHA | status | URL | lifetime | requested by |",
            "|---|---|---|---|---|---|",
            "| 🎯 active | `abc1234` | 🟢 running | [http://52.1.2.3:9000](http://52.1.2.3:9000) "
            "| 19h 30m left · max 2026-01-22 10:00 | @alice |",
            "| 🏗️ building | `def5678` | 🏗️ building | - | unknown | @bob |",
            "|  | `0000001` | ❌ failed | [http://52.9.9.9:8080](http://52.9.9.9:8080) "
            "| until the PR closes | - |",
            "|  | `fff0002` | ❓ unknown | - | unknown | - |",
            "",
            "_Public-IP mode: the address is the task's own and changes on every deploy._",
            "",
            f"Goes at 2026-01-16 10:00 UTC unless used: {HOW}.",
            "",
            "Configuration: `large,debug`",
            "",
            "⏱️ Ready in 4 min: plan 1 min · up 3 min · healthy 0 s",
            "",
            "<details><summary>Last log lines</summary>",
            "",
            "```",
            "",
            "  first line",
            "last line",
            "```",
            "</details>",
            "",
            COMMANDS,
            "",
            "[Workflow run](https://github.com/o/r/actions/runs/9)",
            "",
            "<details><summary>History</summary>",
            "",
            "- 2026-01-14 09:00 UTC: started",
            "- 2026-01-14 09:05 UTC: ready",
            "- 2026-01-15 14:30 UTC: ready on `abc1234`",
            "</details>",
            "<!-- showtime-iac:history",
            "2026-01-14 09:00 UTC: started",
            "2026-01-14 09:05 UTC: ready",
            "2026-01-15 14:30 UTC: ready on `abc1234`",
            "-->",
        ]
    )


def test_an_https_reply_with_proof_and_a_failure_reads_exactly_so() -> None:
    """HTTPS mode (no public-IP note), a one-off reply (no marker, no history), a pinned
    environment whose max age ends it, the progress note, the picture (its page cleaned to a
    code span's safe characters, at most 100), the failed check (one line, backticks made
    quotes, at most 500 characters), the failure instead of the log lines."""
    show = Show(
        "abc1234",
        Status.RUNNING,
        ip="pr-1234.preview.example.org",
        created=at(15, 10),
        ttl=Ttl("manual"),
        requester="alice",
        max_at=at(22, 10),
    )
    st = LabelState(shows={"abc1234": show}, active_sha="abc1234")
    timings = Timings(
        (("start", at(15, 14)), ("plan", at(15, 14, 1)), ("up", at(15, 14, 4))), "failed"
    )
    failure = Failure("up", "boom", log_lines=("l1", "l2"), run_url="https://run/1")
    body = status_comment(
        1234,
        st,
        NOW,
        event_line="failed",
        previous_body="<!-- showtime-iac:history\n2026-01-14 09:00 UTC: started\n-->",
        run_url="https://github.com/o/r/actions/runs/9",
        timings=timings,
        logs="not shown: the failure says more",
        sticky=False,
        failure=failure,
        progress="Deploying `abc1234`: **stack** in progress · 9 min 3 s so far",
        picture=Picture("https://raw/pr-1234/abc1234.png", "/superset/welcome/?x=<b>`" + "a" * 120),
        check="  page   shows\n `Internal Server Error` " + "e" * 600,
    )
    host = "https://pr-1234.preview.example.org"
    assert body == "\n".join(
        [
            "## 🎪 Showtime · PR #1234",
            "",
            "| | SHA | status | URL | lifetime | requested by |",
            "|---|---|---|---|---|---|",
            f"| 🎯 active | `abc1234` | 🟢 running | [{host}]({host}) "
            "| pinned (no idle expiry; the max age still applies) · max 2026-01-22 10:00 | @alice |",
            "",
            "Goes at 2026-01-22 10:00 UTC unless used: its max age ends it then, pinned or not.",
            "",
            "⏳ Deploying `abc1234`: **stack** in progress · 9 min 3 s so far",
            "",
            "📸 Logged in, `/superset/welcome/xb" + "a" * 80 + "` "
            "([full size](https://raw/pr-1234/abc1234.png)):",
            "",
            '<img src="https://raw/pr-1234/abc1234.png" alt="Superset of this PR, logged in" '
            'width="640">',
            "",
            "📸 Screenshot check failed (not posted): "
            "`page shows 'Internal Server Error' " + "e" * 465 + "`",
            "",
            "⏱️ Failed after 4 min (up): plan 1 min · up 3 min",
            "",
            "### ❌ Failed during **up**",
            "",
            "boom",
            "",
            "<details open><summary>Last 2 log lines of the task</summary>",
            "",
            "```",
            "l1",
            "l2",
            "```",
            "</details>",
            "",
            "Full output: [the workflow run](https://run/1)",
            "",
            COMMANDS,
            "",
            "[Workflow run](https://github.com/o/r/actions/runs/9)",
        ]
    )


def test_no_environment_says_how_to_start_one_and_nothing_else() -> None:
    assert status_comment(3, LabelState(), NOW) == "\n".join(
        [
            "<!-- showtime-iac:status -->",
            "## 🎪 Showtime · PR #3",
            "",
            "No preview environment. Add the label `🎪 ⚡ showtime-trigger-start` to start one.",
            "",
            COMMANDS,
        ]
    )


def test_a_build_with_nothing_active_yet_has_no_keep_line_and_no_configuration() -> None:
    show = Show("def5678", Status.DEPLOYING, ip="pr-3.example.org", requester="bob")
    st = LabelState(shows={"def5678": show}, building_sha="def5678")
    body = status_comment(3, st, NOW)
    assert body.split("\n")[3:7] == [
        "| | SHA | status | URL | lifetime | requested by |",
        "|---|---|---|---|---|---|",
        "| 🏗️ building | `def5678` | 🚀 deploying | [https://pr-3.example.org](https://pr-3.example.org) "
        "| unknown | @bob |",
        "",
    ]
    assert body.split("\n")[7] == COMMANDS


def test_a_task_ip_links_superset_s_port_and_a_run_still_going_has_no_timing_line() -> None:
    show = Show("abc1234", Status.DEPLOYING, ip="52.1.2.3")
    going = Timings((("start", at(15, 14)), ("plan", at(15, 14, 1))))
    picture = Picture("https://raw/p.png", "/Superset/Welcome/")
    body = only(show, timings=going, picture=picture)
    assert body.split("\n")[5] == (
        "| 🎯 active | `abc1234` | 🚀 deploying | [http://52.1.2.3:8080](http://52.1.2.3:8080) "
        "| unknown | - |"
    )
    assert "⏱️" not in body
    assert "📸 Logged in, `/Superset/Welcome/` ([full size](https://raw/p.png)):" in body


# -- when it goes, and how to keep it --------------------------------------------------------


def test_asleep_the_comment_says_how_to_wake_it_and_what_each_state_costs() -> None:
    """docs/concepts/lifecycle.md: "the status comment says how to wake it and what each state
    costs" (the sleeping and the running price of its size, docs/concepts/lifecycle.md's
    table), and the max age that still ends it unless an admin lifted it."""
    large = Show(
        "abc1234",
        Status.SLEEPING,
        created=at(15, 10),
        ttl=Ttl("24h"),
        config=("large",),
        max_at=at(22, 10),
    )
    assert ttl_left(large, NOW) == "asleep"
    assert (
        ASLEEP + "Cost: ~$0.0008/h asleep, ~$0.107/h running. Its max age ends it at "
        "2026-01-22 10:00 UTC."
    ) in only(large).split("\n")
    lifted = Show(
        "abc1234", Status.SLEEPING, created=at(15, 10), max_at=at(22, 10), max_lifted=True
    )
    assert ASLEEP + "Cost: ~$0.0008/h asleep, ~$0.058/h running." in only(lifted).split("\n")
    no_max = Show("abc1234", Status.SLEEPING, config=("small",))
    assert ASLEEP + "Cost: ~$0.0008/h asleep, ~$0.037/h running." in only(no_max).split("\n")


def test_a_warned_environment_says_when_and_how_it_goes_and_how_to_keep_it() -> None:
    """docs/concepts/lifecycle.md: the warning says "will be put to sleep" and when; only a
    running environment sleeps, anything else (asleep: its max age) is torn down."""
    running = Show(
        "abc1234",
        Status.RUNNING,
        created=at(15, 10),
        ttl=Ttl("24h"),
        max_at=at(22, 10),
        warned=at(16, 10),
    )
    keep = "a push or `/showtime extend 24h` keeps it"
    assert f"⚠️ `abc1234` will be put to sleep at 2026-01-16 10:00 UTC: {keep}" in only(
        running, idle_action="sleep"
    ).split("\n")
    assert f"⚠️ `abc1234` will be torn down at 2026-01-16 10:00 UTC: {keep}" in only(running).split(
        "\n"
    )
    asleep = Show(
        "abc1234", Status.SLEEPING, created=at(15, 10), max_at=at(22, 10), warned=at(22, 10)
    )
    body = only(asleep, idle_action="sleep")
    assert f"⚠️ `abc1234` will be torn down at 2026-01-22 10:00 UTC: {keep}" in body.split("\n")
    assert "is asleep" not in body


def test_the_keep_line_names_the_first_deadline_and_what_happens_then() -> None:
    base = dict(created=at(15, 10), ttl=Ttl("24h"))
    sleeps = only(Show("abc1234", Status.RUNNING, max_at=at(22, 10), **base), idle_action="sleep")  # type: ignore[arg-type]
    assert (
        "Sleeps at 2026-01-16 10:00 UTC unless used (scaled to zero, the URL stays; "
        f"`/showtime wake` brings it back): {HOW}."
    ) in sleeps.split("\n")
    # a lifted max age is no deadline, even when it is the earlier one
    lifted = Show("abc1234", Status.RUNNING, max_at=at(16, 8), max_lifted=True, **base)  # type: ignore[arg-type]
    assert f"Goes at 2026-01-16 10:00 UTC unless used: {HOW}." in only(lifted).split("\n")
    # the max age first: nothing sleeps past it
    hard = Show("abc1234", Status.RUNNING, max_at=at(16, 8), **base)  # type: ignore[arg-type]
    assert (
        "Goes at 2026-01-16 08:00 UTC unless used: its max age ends it then, pinned or not."
        in only(hard, idle_action="sleep").split("\n")
    )
    # no clock ends it: no line at all
    body = only(Show("abc1234", Status.RUNNING, ttl=Ttl("close")))
    assert body.split("\n")[6:8] == ["", COMMANDS]


# -- the table's cells -----------------------------------------------------------------------


def test_ttl_left_in_each_case() -> None:
    created = at(15, 10)
    assert ttl_left(Show("abc1234", Status.RUNNING), NOW) == "unknown"
    assert ttl_left(Show("abc1234", Status.RUNNING, ttl=Ttl("24h")), NOW) == "24h"
    assert ttl_left(Show("abc1234", ttl=Ttl("24h"), created=created), NOW) == "19h 30m left"
    assert ttl_left(Show("abc1234", ttl=Ttl("4h"), created=created), NOW) == "expired"
    assert (
        ttl_left(Show("abc1234", ttl=Ttl("5h"), created=created), at(15, 14, 59)) == "0h 01m left"
    )
    # exactly at the deadline counts as expired
    assert ttl_left(Show("abc1234", ttl=Ttl("4h"), created=created), at(15, 14)) == "expired"
    assert ttl_left(Show("abc1234", ttl=Ttl("2w"), created=created), NOW) == "13d 19h 30m left"
    asleep = Show("abc1234", Status.SLEEPING, ttl=Ttl("24h"), created=created, max_at=at(22, 10))
    assert lifetime_text(asleep, NOW) == "asleep · max 2026-01-22 10:00"
    lifted = Show("abc1234", ttl=Ttl("manual"), max_at=at(22, 10), max_lifted=True)
    assert lifetime_text(lifted, NOW) == "pinned (no idle expiry; the max age still applies)"


def test_the_address_a_reader_is_sent_to() -> None:
    """docs/security.md: the PR's own host in HTTPS mode whatever host a 🌐 label names; in
    public-IP mode only a task IP, never a host; nothing without a 🌐 label."""
    assert vouched_address(1234, "pr-1234.elsewhere.example", "preview.example.org") == (
        "pr-1234.preview.example.org"
    )
    assert vouched_address(1234, "52.1.2.3", "preview.example.org") == "pr-1234.preview.example.org"
    assert vouched_address(1234, "pr-1234.elsewhere.example", None) is None
    assert vouched_address(1234, "52.1.2.3:8080", None) == "52.1.2.3:8080"
    assert vouched_address(1234, "PR-1234.elsewhere.example", None) == "PR-1234.elsewhere.example"
    assert vouched_address(1234, None, "preview.example.org") is None
    assert vouched_address(1234, "", "preview.example.org") is None
    # the link a task IP gets: the port given, else Superset's 8080
    assert url_of(Show("abc1234", ip="52.1.2.3")) == "http://52.1.2.3:8080"
    assert url_of(Show("abc1234", ip="52.1.2.3"), 9000) == "http://52.1.2.3:9000"
    assert url_of(Show("abc1234")) is None
    assert address_url("") is None


# -- the history -----------------------------------------------------------------------------


def test_a_history_line_is_one_line_cut_to_500_characters() -> None:
    stamp = "2026-01-15 14:30 UTC: "  # 22 characters
    whole = "w" * (500 - len(stamp))
    body = only(Show("abc1234", Status.RUNNING), event_line=whole)
    assert history_of(body) == [stamp + whole]
    body = only(Show("abc1234", Status.RUNNING), event_line=whole + "xyz")
    assert history_of(body) == [stamp + whole[:-1] + "…"]
    assert history_of("a body with no history block") == []
    assert history_of("") == [] and history_of(None) == []


def test_a_failure_takes_only_the_room_the_rest_leaves_and_the_history_stays_whole() -> None:
    """docs/proof.md: the comment always fits GitHub's limit (as GitHub counts: an emoji is
    two). The failure is the part cut to the room the rest leaves, so the history's hidden
    block stays whole and nothing else is lost."""
    previous = "<!-- showtime-iac:history\n" + "\n".join(f"h{i}" for i in range(9)) + "\n-->"
    body = only(
        Show("abc1234", Status.RUNNING),
        previous_body=previous,
        event_line="failed",
        failure=Failure("up", "e" * 1_500),
        progress="🐘" * 32_000,  # 64,000 as GitHub counts: some 1,000 left for the failure
    )
    assert COMMENT_LIMIT - 200 < comment_length(body) <= COMMENT_LIMIT
    assert "⏳ " + "🐘" * 32_000 + "\n\n### ❌ Failed during **up**\n\neeee" in body
    assert "e\n\n_(cut to fit GitHub's comment limit)_\n\n" + COMMANDS in body
    assert body.endswith("h8\n2026-01-15 14:30 UTC: failed\n-->")
