"""The sync job's wait for this run's image (issue 25), as a pure decision: only a push job
that succeeded, with the commit's tag in the registry, lets the deploy go on."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from showtime_iac.core.image_wait import JobState, image_tag, judge
from showtime_iac.core.model import InputError

DIGEST = "123456789012.dkr.ecr.us-west-2.amazonaws.com/superset-ci@sha256:" + "ab" * 32
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
