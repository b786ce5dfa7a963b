"""The sync job's wait for this run's image (issue 25), as a pure decision: only a push job
that succeeded, with the commit's tag in the registry, lets the deploy go on."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from showtime_iac.core.image_wait import JobState, build_note, image_tag, judge, note_due
from showtime_iac.core.model import InputError

DIGEST = "123456789012.dkr.ecr.us-west-2.amazonaws.com/superset-ci@sha256:" + "ab" * 32
SHA40 = "4f1e2d3c" + "0" * 32
RUNNING = ("queued", "in_progress", "waiting", "pending", "requested")
ENDS = ("failure", "cancelled", "skipped", "timed_out", "neutral", "action_required", None)


@given(st.sampled_from(RUNNING), st.sampled_from([None, DIGEST]))
def test_a_job_not_yet_completed_is_waited_for_whatever_the_registry_holds(
    status: str, digest: str | None
) -> None:
    verdict = judge(JobState("push image to ECR", status), digest)
    assert verdict.outcome == "wait"
    assert verdict.digest is None
    assert verdict.reason == f"push image to ECR: {status}"


@given(st.sampled_from(ENDS), st.sampled_from([None, DIGEST]))
def test_a_push_job_that_did_not_succeed_means_no_image_even_when_a_tag_exists(
    conclusion: str | None, digest: str | None
) -> None:
    # a copy whose digest did not match fails after the tag was pushed: the tag proves nothing
    verdict = judge(JobState("push", "completed", conclusion), digest)
    assert verdict.outcome == "none"
    assert verdict.digest is None
    assert verdict.reason.startswith("no image: push ended ")


def test_success_with_the_tag_is_ready_and_success_without_it_is_no_image() -> None:
    ready = judge(JobState("push", "completed", "success"), DIGEST)
    assert (ready.outcome, ready.digest) == ("ready", DIGEST)
    missing = judge(JobState("push", "completed", "success"), None)
    assert (missing.outcome, missing.digest) == ("none", None)
    assert "registry has no such tag" in missing.reason


def test_a_job_not_listed_yet_is_waited_for() -> None:
    assert judge(None, DIGEST).outcome == "wait"


def test_the_tag_is_the_push_jobs() -> None:
    assert image_tag(1234, "4F1E2D3C" + "0" * 32) == "sti-pr-1234-4f1e2d3"
    with pytest.raises(InputError):
        image_tag(1234, "not-a-sha")


@given(st.sampled_from(ENDS))
def test_a_job_only_wait_is_ready_on_success_alone_and_never_otherwise(
    conclusion: str | None,
) -> None:
    # the push job waiting for the build: the build's success is the answer, no registry read
    ok = judge(JobState("build", "completed", "success"), None, need_image=False)
    assert (ok.outcome, ok.digest, ok.reason) == ("ready", None, "build succeeded")
    bad = judge(JobState("build", "completed", conclusion), None, need_image=False)
    assert bad.outcome == "none"
    assert judge(JobState("build", "in_progress"), None, need_image=False).outcome == "wait"


# -- the status comment's notes while the image builds (issue 28) ------------------------------

STATES = st.sampled_from(
    [None, JobState("push", "queued"), JobState("push", "in_progress"), JobState("push", "waiting")]
)


@given(st.lists(st.tuples(st.floats(0, 200), STATES), min_size=1, max_size=40))
def test_a_change_is_written_at_once_and_the_same_state_at_most_once_a_minute(
    looks: list[tuple[float, JobState | None]],
) -> None:
    """Every change of state is written on the look that sees it; between two writes of the
    same state at least 60 s pass; so the edits are at most the changes plus one a minute."""
    now, said, last, writes, changes = 0.0, "", None, [], 0
    for dt, job in looks:
        now += dt
        doing = build_note(SHA40, job, now).split(" · ", 1)[0]
        changed = doing != said
        due = note_due(said, doing, last, now, 60)
        if changed:
            assert due  # a change is never held back
            changes += 1
        if due:
            if not changed and last is not None:
                assert now - last >= 60
            writes.append(now)
            said, last = doing, now
    assert len(writes) <= changes + now // 60 + 1


def test_the_notes_say_the_image_then_the_stack() -> None:
    assert build_note(SHA40, None, 30) == (
        "Building the image of `4f1e2d3`: **image** in progress (build running) · 30 s so far"
    )
    assert build_note(SHA40, JobState("push", "queued"), 72) == (
        "Building the image of `4f1e2d3`: **image** in progress (push queued) · 1 min 12 s so far"
    )
    assert build_note(SHA40, JobState("push", "in_progress"), 300) == (
        "Building the image of `4f1e2d3`: **image** in progress (pushing to ECR) · 5 min so far"
    )
    assert build_note(SHA40, JobState("push", "completed", "success"), 541) == (
        "Deploying `4f1e2d3`: **stack** in progress · 9 min 1 s so far"
    )
    assert build_note(SHA40, JobState("push", "completed", "skipped"), 60) == (
        "No image of `4f1e2d3`: the push ended skipped · 1 min so far"
    )


def test_the_same_note_is_written_again_exactly_a_minute_later_and_a_bare_end_is_named() -> None:
    assert note_due("a", "a", 0.0, 60.0, 60.0) is True
    assert note_due("a", "a", 0.0, 59.9, 60.0) is False
    assert note_due("a", "b", 0.0, 0.1, 60.0) is True
    assert note_due("", "a", None, 0.0, 60.0) is True
    ended = judge(JobState("push", "completed", None), None)
    assert (ended.outcome, ended.reason) == ("none", "no image: push ended without a conclusion")
