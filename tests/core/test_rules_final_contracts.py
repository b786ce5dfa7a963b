"""The final label diffs of ``core.rules.final`` (issue 29), written out label by label.

Healthy: 🚦 running, 🎯 moves to the new SHA, the replaced SHA's labels and any SHA-less
legacy state go, every other label stays. Failed: 🚦 failed, 🏗️ cleared, 🎯 untouched, or
the previous show put back after a rolled-back reconfiguration. Teardown claim: 🚦 destroying,
🎯 gone, a claim's 📅 stamped once. SHAs are given in full and cut to their 7 characters.
Pure.
"""

from __future__ import annotations

from datetime import UTC, datetime

from showtime_iac.core.labels import LabelDiff
from showtime_iac.core.model import Show, Status, Ttl
from showtime_iac.core.plan import Plan, StackOp
from showtime_iac.core.planner import after_healthy
from showtime_iac.core.rules.final import on_destroying, on_failure, on_success

NEW = "abc1234"
OLD = "def5678"
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def full(sha7: str) -> str:
    return sha7 + "0123456789abcdef0123456789abcdef0"[: 40 - len(sha7)]


RUNNING_OLD = [f"🎪 🎯 {OLD}", f"🎪 {OLD} 🚦 running", f"🎪 {OLD} 🌐 1.2.3.4:8080"]
BUILDING_NEW = [
    f"🎪 🏗️ {NEW}",
    f"🎪 {NEW} 🚦 deploying",
    f"🎪 {NEW} 📅 2026-12-01T09-00",
    f"🎪 {NEW} ⌛ 24h",
    f"🎪 {NEW} 👤 alice",
]


# -- on_success ---------------------------------------------------------------------------------


def test_healthy_moves_the_pointer_and_drops_the_replaced_sha_keeping_other_labels() -> None:
    labels = ["bug", *RUNNING_OLD, "size/M", *BUILDING_NEW, "🎪 ⚡ showtime-trigger-start"]
    assert on_success(labels, full(NEW), "5.6.7.8:8080") == LabelDiff(
        add=(f"🎪 {NEW} 🚦 running", f"🎪 {NEW} 🌐 5.6.7.8:8080", f"🎪 🎯 {NEW}"),
        remove=(*RUNNING_OLD, f"🎪 🏗️ {NEW}", f"🎪 {NEW} 🚦 deploying"),
    )


def test_healthy_sha_without_labels_yet_gets_its_show() -> None:
    assert on_success(["bug", "size/M"], full(NEW), None) == LabelDiff(
        add=(f"🎪 {NEW} 🚦 running", f"🎪 🎯 {NEW}")
    )


def test_healthy_folds_sha_less_legacy_state_into_the_per_sha_form() -> None:
    # the design notes' SHA-less form applies to the only show: it is rewritten per SHA
    labels = ["🎪 🚦 deploying", "🎪 ⌛ 48h", "bug", f"🎪 🏗️ {NEW}", "size/M"]
    assert on_success(labels, full(NEW), None) == LabelDiff(
        add=(f"🎪 {NEW} 🚦 running", f"🎪 {NEW} ⌛ 48h", f"🎪 🎯 {NEW}"),
        remove=("🎪 🚦 deploying", "🎪 ⌛ 48h", f"🎪 🏗️ {NEW}"),
    )


def test_healthy_keeps_the_address_it_had_when_none_is_given() -> None:
    labels = [f"🎪 🎯 {NEW}", f"🎪 {NEW} 🚦 updating", f"🎪 {NEW} 🌐 9.9.9.9:8080"]
    assert on_success(labels, full(NEW), None) == LabelDiff(
        add=(f"🎪 {NEW} 🚦 running",), remove=(f"🎪 {NEW} 🚦 updating",)
    )


# -- after_healthy ------------------------------------------------------------------------------


def test_after_healthy_is_on_success_over_the_labels_the_claim_leaves() -> None:
    plan = Plan(
        pr=1234,
        intent="update",
        add_labels=(f"🎪 🏗️ {NEW}", f"🎪 {NEW} 🚦 deploying"),
        remove_labels=("🎪 ⚡ showtime-trigger-start",),
        stacks=(
            StackOp("up", f"pr-1234-{NEW}", full(NEW)),
            StackOp("destroy", f"pr-1234-{OLD}", full(OLD), when="after_healthy"),
        ),
        sha=NEW,
    )
    labels = ["bug", *RUNNING_OLD, "🎪 ⚡ showtime-trigger-start"]
    got = after_healthy(plan, labels, "{task public IP}:8080")
    assert got.after_healthy == LabelDiff(
        add=(f"🎪 {NEW} 🚦 running", f"🎪 {NEW} 🌐 {{task public IP}}:8080", f"🎪 🎯 {NEW}"),
        remove=(*RUNNING_OLD, f"🎪 🏗️ {NEW}", f"🎪 {NEW} 🚦 deploying"),
    )
    assert (got.pr, got.intent, got.add_labels, got.stacks) == (
        1234,
        "update",
        plan.add_labels,
        plan.stacks,
    )


def test_after_healthy_leaves_a_plan_without_a_deploy_alone() -> None:
    teardown = Plan(
        pr=1234,
        intent="stop",
        remove_labels=tuple(RUNNING_OLD),
        stacks=(StackOp("destroy", f"pr-1234-{OLD}", full(OLD)),),
    )
    assert after_healthy(teardown, RUNNING_OLD, "1.2.3.4:8080") is teardown


# -- on_failure ---------------------------------------------------------------------------------


def test_failure_marks_the_sha_failed_and_keeps_its_other_labels() -> None:
    labels = ["bug", *RUNNING_OLD, *BUILDING_NEW]
    assert on_failure(labels, full(NEW)) == LabelDiff(
        add=(f"🎪 {NEW} 🚦 failed",), remove=(f"🎪 🏗️ {NEW}", f"🎪 {NEW} 🚦 deploying")
    )


def test_failure_of_a_sha_without_labels_yet() -> None:
    assert on_failure(["bug"], full(NEW)) == LabelDiff(add=(f"🎪 {NEW} 🚦 failed",))


def test_failure_of_the_active_sha_keeps_its_pointer() -> None:
    labels = [f"🎪 🎯 {NEW}", f"🎪 {NEW} 🚦 updating", f"🎪 {NEW} 🌐 9.9.9.9:8080", "bug"]
    assert on_failure(labels, full(NEW)) == LabelDiff(
        add=(f"🎪 {NEW} 🚦 failed",), remove=(f"🎪 {NEW} 🚦 updating",)
    )


def test_a_rolled_back_reconfiguration_puts_the_previous_show_back() -> None:
    labels = [f"🎪 🎯 {NEW}", f"🎪 {NEW} 🚦 updating", f"🎪 {NEW} 📅 2026-12-01T09-00", "bug"]
    previous = Show(
        sha=NEW,
        status=Status.RUNNING,
        ip="9.9.9.9:8080",
        created=datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
        ttl=Ttl("24h"),
    )
    assert on_failure(labels, full(NEW), restore=previous) == LabelDiff(
        add=(f"🎪 {NEW} 🚦 running", f"🎪 {NEW} 🌐 9.9.9.9:8080", f"🎪 {NEW} ⌛ 24h"),
        remove=(f"🎪 {NEW} 🚦 updating",),
    )


# -- on_destroying ------------------------------------------------------------------------------


def test_destroying_claims_every_known_sha_and_skips_unknown_ones() -> None:
    labels = ["bug", *RUNNING_OLD, f"🎪 {NEW} 🚦 failed", "size/M"]
    shas = [full("0000000"), full(OLD), full(OLD), full(NEW)]
    assert on_destroying(labels, shas, NOW) == LabelDiff(
        add=(
            f"🎪 {OLD} 🚦 destroying",
            f"🎪 {OLD} 📅 2026-12-01T09-30",
            f"🎪 {NEW} 🚦 destroying",
            f"🎪 {NEW} 📅 2026-12-01T09-30",
        ),
        remove=(f"🎪 🎯 {OLD}", f"🎪 {OLD} 🚦 running", f"🎪 {NEW} 🚦 failed"),
    )  # the 🌐 label stays as it was


def test_a_destroying_sha_keeps_its_claims_date_and_loses_its_pointer() -> None:
    labels = [
        f"🎪 🎯 {OLD}",
        f"🎪 {OLD} 🚦 destroying",
        f"🎪 {OLD} 📅 2026-12-01T08-00",
        "bug",
    ]
    assert on_destroying(labels, [full(OLD)], NOW) == LabelDiff(remove=(f"🎪 🎯 {OLD}",))
    assert on_destroying(labels, [full(NEW)], NOW) == LabelDiff()
