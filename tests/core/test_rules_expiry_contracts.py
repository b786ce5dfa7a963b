"""The cleanup's expiry decision (core/rules/expiry, docs/concepts/lifecycle.md "Warnings" and
"Sleep instead of destroy"): warn once, rounded up to the minute and never sooner than
``warn_before``, then tear down (or put to sleep). The contracts the mutation run (issue 29)
found no test pinning down; each test was checked by making the change and watching it fail.

Pure: a PR's labels in, the plan out, expected values written out.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from showtime_iac.core import labels as L
from showtime_iac.core.model import Event, Policy, PrInfo
from showtime_iac.core.plan import Ctx, Plan
from showtime_iac.core.rules.expiry import on_schedule

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SHA = "abc1234"
JUNK = "🎪 zzzzzzz 🚦 running"  # not a SHA: ignored, with a warning every plan carries
JUNK_WARNING = "ignored unknown 🎪 label '🎪 zzzzzzz 🚦 running'"
IDLE_KEEP = (
    "- push a commit, or comment `/showtime extend 24h`\n"
    "- `/showtime keep-alive` pins it: no idle expiry (the max age still applies)"
)


def running(created: str | None = "2026-11-30T10-00", ttl: str = "24h", *extra: str) -> list[str]:
    """Alice's running environment; by default idle since 10:00 yesterday (idle end 10:00
    today, max age 2026-12-07 10:00)."""
    made = [f"🎪 {SHA} 📅 {created}"] if created else []
    return [
        f"🎪 🎯 {SHA}",
        f"🎪 {SHA} 🚦 running",
        *made,
        f"🎪 {SHA} ⌛ {ttl}",
        f"🎪 {SHA} 👤 alice",
        *extra,
    ]


def cleanup(labels: list[str], now: datetime = NOW, **policy: object) -> Plan:
    pr = PrInfo(1234, "open", SHA + "0" * 33, tuple(labels), "author")
    event = Event("schedule", actor="showtime-cleanup")
    state = L.parse_state(labels, now)
    return on_schedule(Ctx(event, pr, state, now, Policy(**policy), None))  # type: ignore[arg-type]


def not_expired(reason: str) -> Plan:
    return Plan(pr=1234, intent="none", skipped=reason, reasons=(reason,), warnings=(JUNK_WARNING,))


# --- nothing to do ----------------------------------------------------------------------------


def test_what_the_cleanup_leaves_alone_says_why() -> None:
    assert cleanup([JUNK]) == not_expired("not expired")  # no environment
    assert cleanup([*running(None), JUNK]) == not_expired(  # no 📅: nothing to count from
        "not expired: no deadline (pinned, or until the PR closes)"
    )
    # more than warn_before (2h) ahead: not warned yet
    assert cleanup([*running("2026-11-30T12-00"), JUNK]) == not_expired(
        "not expired: idle deadline 2026-12-01 12:00 UTC"
    )
    # warnings off: only the deadline counts
    assert cleanup([*running(), JUNK], warn_before=timedelta(0)) == not_expired(
        "not expired: idle deadline 2026-12-01 10:00 UTC"
    )
    # warned, and its time has not come
    warned = [*running(), "🎪 abc1234 ⚠️ 2026-12-01T11-00", JUNK]
    assert cleanup(warned) == not_expired("warned: goes at 2026-12-01 11:00 UTC")


# --- the warning ----------------------------------------------------------------------------


def warning(at: str, body: str, reason: str, warnings: tuple[str, ...] = ()) -> Plan:
    return Plan(
        pr=1234,
        intent="warn",
        add_labels=(f"🎪 abc1234 ⚠️ {at}",),
        comment=f"🎪 **Environment expiring**\n\n{body}",
        reasons=(reason,),
        warnings=warnings,
        sha="abc1234",
    )


def test_an_idle_environment_is_warned_with_the_promised_notice_and_how_to_keep_it() -> None:
    # the idle TTL ends at 10:00, but the warning promises 2h: it goes at 11:00
    assert cleanup([*running(), JUNK]) == warning(
        "2026-12-01T11-00",
        "- `abc1234` will be torn down at 2026-12-01 11:00 UTC: it has been idle for its TTL "
        f"of 24h\n{IDLE_KEEP}",
        "idle deadline 2026-12-01 10:00 UTC: warned, teardown at 2026-12-01 11:00 UTC",
        (JUNK_WARNING,),
    )


def test_exactly_warn_before_ahead_of_the_deadline_is_warned() -> None:
    assert cleanup(running("2026-11-30T11-00")).add_labels == ("🎪 abc1234 ⚠️ 2026-12-01T11-00",)


def test_an_idle_environment_under_the_sleep_policy_is_warned_of_its_sleep() -> None:
    assert cleanup(running(), idle_action="sleep") == warning(
        "2026-12-01T11-00",
        "- `abc1234` will be put to sleep (scaled to zero: the URL stays) at 2026-12-01 11:00 UTC:"
        f" it has been idle for its TTL of 24h\n{IDLE_KEEP}",
        "idle deadline 2026-12-01 10:00 UTC: warned, sleep at 2026-12-01 11:00 UTC",
    )


@pytest.mark.parametrize(
    ("max_age", "said"), [(timedelta(days=7), "7d"), (timedelta(hours=36), "36h")]
)
def test_the_max_age_warning_names_the_max_age_and_what_a_push_still_buys(
    max_age: timedelta, said: str
) -> None:
    # the ⌛ label's max age (10:00 today) comes before the idle end (08:00 tomorrow)
    labels = running("2026-12-01T08-00", "idle 24h · max 2026-12-01T10-00")
    assert cleanup(labels, max_age=max_age, idle_action="sleep") == warning(
        "2026-12-01T11-00",
        "- `abc1234` will be torn down at 2026-12-01 11:00 UTC: it reaches the max age of "
        f"{said}\n"
        "- a push or a `/showtime` command postpones it once more by 2h\n"
        "- only an admin's `/showtime keep-alive` lifts the max age",
        "max age deadline 2026-12-01 10:00 UTC: warned, teardown at 2026-12-01 11:00 UTC",
    )


@pytest.mark.parametrize(
    ("warn_before", "said"), [(timedelta(hours=3), "3h"), (timedelta(hours=1), "1h")]
)
def test_the_max_age_warning_says_the_notice_in_hours(warn_before: timedelta, said: str) -> None:
    labels = running("2026-12-01T08-00", "idle 24h · max 2026-12-01T10-00")
    comment = cleanup(labels, warn_before=warn_before).comment or ""
    assert f"- a push or a `/showtime` command postpones it once more by {said}\n" in comment


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 59), st.integers(0, 999_999))
def test_the_teardown_time_is_rounded_up_to_the_minute(second: int, micro: int) -> None:
    """Never sooner than warn_before after the warning, and a whole minute (the label's)."""
    now = NOW + timedelta(seconds=second, microseconds=micro)
    plan = cleanup(running(), now)
    at = "11-00" if (second, micro) == (0, 0) else "11-01"
    assert plan.add_labels == (f"🎪 abc1234 ⚠️ 2026-12-01T{at}",)
    assert plan.reasons == (
        f"idle deadline 2026-12-01 10:00 UTC: warned, teardown at 2026-12-01 {at[:2]}:{at[3:]} UTC",
    )


def test_a_deadline_moved_after_the_warning_withdraws_it() -> None:
    labels = [*running(ttl="48h"), "🎪 abc1234 ⚠️ 2026-12-01T11-00", JUNK]  # ends 10:00 tomorrow
    assert cleanup(labels) == Plan(
        pr=1234,
        intent="warn",
        remove_labels=("🎪 abc1234 ⚠️ 2026-12-01T11-00",),
        reasons=("deadline moved to 2026-12-02 10:00 UTC after the warning: warning withdrawn",),
        warnings=(JUNK_WARNING,),
        sha="abc1234",
    )


# --- the end --------------------------------------------------------------------------------


def test_a_warning_at_the_deadline_itself_tears_down_when_it_comes_and_takes_testenv_up() -> None:
    labels = [*running(), "🎪 abc1234 ⚠️ 2026-12-01T10-00", L.LEGACY]
    plan = cleanup(labels, NOW + timedelta(hours=1))
    assert plan.intent == "stop" and [op.stack for op in plan.stacks] == ["pr-1234-abc1234"]
    assert plan.reasons == ("idle TTL 24h expired", "destroy pr-1234-abc1234")
    assert L.LEGACY in plan.remove_labels  # it stays on while the environment lives


def test_an_idle_end_without_a_max_age_tears_down_for_idleness() -> None:
    labels = [*running(ttl="idle 24h · max never"), "🎪 abc1234 ⚠️ 2026-12-01T11-00"]
    plan = cleanup(labels, NOW + timedelta(hours=2))
    assert plan.reasons == ("idle TTL 24h expired", "destroy pr-1234-abc1234")


def test_a_teardown_exactly_at_the_max_age_is_for_the_max_age_and_never_a_sleep() -> None:
    # idle since 10:00, warned for 11:00, which is also the max age
    labels = [*running(ttl="idle 24h · max 2026-12-01T11-00"), "🎪 abc1234 ⚠️ 2026-12-01T11-00"]
    plan = cleanup(labels, NOW + timedelta(hours=2), idle_action="sleep")
    assert plan.intent == "stop"
    assert plan.reasons == ("max age of 7d reached", "destroy pr-1234-abc1234")


def test_an_environment_that_cannot_sleep_is_torn_down_and_the_reason_says_why() -> None:
    labels = [*running(), "🎪 abc1234 ⚙️ ALERTS,ALERTS", "🎪 abc1234 ⚠️ 2026-12-01T11-00"]
    plan = cleanup(labels, NOW + timedelta(hours=2), idle_action="sleep")
    why = "idle TTL 24h expired (its ⚙️ labels are invalid: it cannot sleep)"
    assert plan.intent == "stop"
    assert plan.reasons == (why, "destroy pr-1234-abc1234")
    assert plan.comment == (
        f"🎪 **Environment stopped**\n\n- reason: {why}\n- destroying `pr-1234-abc1234`"
    )
