"""``image wait`` against the real servers: the run's jobs from the GitHub API test server
(PyGithub over HTTP), the image's digest from moto's ECR (boto3). The sync job starts beside
the build and deploys only the image this run's push job pushed and vouched for."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from showtime_iac.app.build_notes import BuildNotes
from showtime_iac.app.image_wait import PUSH_JOB, wait_for_image
from showtime_iac.app.wiring import open_aws, open_github
from showtime_iac.cli import main
from showtime_iac.core.image_wait import JobState
from showtime_iac.core.model import InputError
from showtime_iac.settings import Settings
from tests.doubles import manifest
from tests.github_api_server import BOT, GitHubServer

PR = 1234
SHA = "4f1e2d3c" + "5" * 32
TAG = f"sti-pr-{PR}-4f1e2d3"
RUN = 777
REPOSITORY = "superset-ci"


@pytest.fixture
def world(
    ghserver: GitHubServer, moto_env: str, monkeypatch: pytest.MonkeyPatch
) -> tuple[GitHubServer, Any]:
    for var, value in ghserver.env().items():
        monkeypatch.setenv(var, value)
    monkeypatch.setenv("ECR_REPOSITORY", REPOSITORY)
    monkeypatch.setenv("GITHUB_RUN_ID", str(RUN))
    ecr = boto3.client("ecr", endpoint_url=moto_env, region_name="us-west-2")
    ecr.create_repository(repositoryName=REPOSITORY)
    ghserver.run_jobs[RUN] = [{"name": "plan", "status": "completed", "conclusion": "success"}]
    return ghserver, ecr


def _push(ecr: Any, seed: str) -> str:
    """Push an image tagged ``TAG``; its digest as ECR answers the push."""
    pushed = ecr.put_image(repositoryName=REPOSITORY, imageManifest=manifest(seed), imageTag=TAG)
    return str(pushed["image"]["imageId"]["imageDigest"])


def _job(
    gh: GitHubServer, status: str, conclusion: str | None = None, at: str | None = None
) -> None:
    jobs = [j for j in gh.run_jobs[RUN] if j["name"] != PUSH_JOB]
    jobs.append({"name": PUSH_JOB, "status": status, "conclusion": conclusion, "completed_at": at})
    gh.run_jobs[RUN] = jobs


def _adapters() -> tuple[Any, Any]:
    settings = Settings.from_env()
    return open_github(settings), open_aws(settings)


def test_the_wait_follows_the_push_job_and_deploys_what_it_pushed(
    world: tuple[GitHubServer, Any],
) -> None:
    gh, ecr = world
    uri = ecr.describe_repositories(repositoryNames=[REPOSITORY])["repositories"][0][
        "repositoryUri"
    ]
    _push(ecr, "an image of this commit from an earlier run")  # the tag exists already
    pushed: list[str] = []
    script = [
        lambda: _job(gh, "queued"),
        lambda: _job(gh, "in_progress"),
        lambda: pushed.append(_push(ecr, "this run's image")),
        lambda: _job(gh, "completed", "success", "2026-12-06T03:04:05Z"),
    ]
    lines: list[str] = []
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        script.pop(0)()

    jobs, images = _adapters()
    result = wait_for_image(
        PR, SHA, run_id=RUN, jobs=jobs, images=images, sleep=sleep, progress=lines.append
    )
    assert slept == [5.0] * 4  # one look every 5 s by default
    assert result.ready
    assert result.image == f"{uri}@{pushed[0]}"  # this run's push, not the earlier image
    assert result.image_at == "2026-12-06T03:04:05Z"
    assert result.looks == 5
    assert [line.split(" (")[0] for line in lines] == [
        "the push job has not started",
        "push image to ECR: queued",
        "push image to ECR: in_progress",
        f"push image to ECR pushed {uri}@{pushed[0]}",
    ]


@pytest.mark.parametrize("conclusion", ["failure", "skipped", "cancelled"])
def test_a_tag_in_the_registry_is_not_deployed_when_this_runs_push_did_not_succeed(
    world: tuple[GitHubServer, Any], conclusion: str
) -> None:
    gh, ecr = world
    _push(ecr, "pushed, then the digest check failed")
    _job(gh, "completed", conclusion)
    jobs, images = _adapters()
    result = wait_for_image(PR, SHA, run_id=RUN, jobs=jobs, images=images, sleep=pytest.fail)
    assert not result.ready
    assert (result.image, result.image_at) == (None, None)
    assert result.reason == f"no image: {PUSH_JOB} ended {conclusion}"


def test_the_wait_gives_up_at_its_timeout(world: tuple[GitHubServer, Any]) -> None:
    gh, _ecr = world
    _job(gh, "in_progress")
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    jobs, images = _adapters()
    result = wait_for_image(
        PR,
        SHA,
        run_id=RUN,
        jobs=jobs,
        images=images,
        timeout=60,
        interval=5,
        clock=lambda: now[0],
        sleep=sleep,
    )
    assert result.to_json() == {
        "pr": PR,
        "sha": SHA,
        "ready": False,
        "image": None,
        "image_sha": None,
        "image_at": None,
        "reason": f"no image after 60 s: {PUSH_JOB}: in_progress",
        "seconds": 60.0,
        "looks": 13,  # at 0, 5, ..., 60 s
    }


def test_the_cli_prints_the_image_for_sync(
    world: tuple[GitHubServer, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    gh, ecr = world
    digest = _push(ecr, "this run's image")
    _job(gh, "completed", "success", "2026-12-06T03:04:05Z")
    capsys.readouterr()
    assert main(["image", "wait", str(PR), "--sha", SHA, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["ready"] is True
    assert out["image"].endswith(f"/{REPOSITORY}@{digest}")
    assert (out["image_sha"], out["image_at"], out["looks"]) == (SHA, "2026-12-06T03:04:05Z", 1)


def test_an_unknown_run_or_a_bad_sha_is_a_clear_error(
    world: tuple[GitHubServer, Any], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    capsys.readouterr()
    assert main(["image", "wait", str(PR), "--sha", SHA, "--run-id", "999"]) == 1
    err = capsys.readouterr().err
    assert "read the jobs of workflow run 999" in err and "404" in err
    assert "Traceback" not in err
    assert main(["image", "wait", str(PR), "--sha", SHA[:7]]) == 2
    assert "full 40-hex commit" in capsys.readouterr().err


# -- the status comment while the image builds (issue 28) ------------------------------------

START = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)


def _notes(gh: GitHubServer, minutes: list[float]) -> BuildNotes:
    """Notes whose wall clock and monotonic clock read ``minutes[0]`` after the run's start."""
    return BuildNotes(
        open_github(Settings.from_env()),
        PR,
        SHA,
        START,
        run_url="https://github.com/apache/superset/actions/runs/777",
        now=lambda: START + timedelta(minutes=minutes[0]),
        clock=lambda: minutes[0] * 60,
    )


def _bodies(gh: GitHubServer) -> list[str]:
    return [c["body"] for c in gh.comments_of(PR)]


def test_the_status_comment_says_the_image_builds_and_never_touches_a_label(
    world: tuple[GitHubServer, Any],
) -> None:
    gh, _ecr = world
    gh.add_pr(PR, head_sha=SHA, labels=["🎪 ⚡ showtime-trigger-start"])
    gh.add_comment(PR, "LGTM, let's see it live", author="reviewer")
    minutes = [0.0]
    notes = _notes(gh, minutes)
    # (minute of the look, push job state): a change is written at once, the same state
    # once a minute at most
    script: list[tuple[float, str | None]] = [
        (0.5, None), (1.0, None), (1.7, None), (2.2, "queued"), (2.4, "in_progress"),
        (2.5, "in_progress"), (3.6, "in_progress"),
    ]  # fmt: skip
    seen: list[str] = []
    for at, status in script:
        minutes[0] = at
        if status is not None:
            _job(gh, status)
        before = notes.edits
        notes(None if status is None else JobState(PUSH_JOB, status))
        if notes.edits > before:
            seen.append(_bodies(gh)[-1].split("⏳ ", 1)[1].split("\n", 1)[0])
    assert seen == [
        "Building the image of `4f1e2d3`: **image** in progress (build running) · 30 s so far",
        "Building the image of `4f1e2d3`: **image** in progress (build running) · 1 min 42 s so far",
        "Building the image of `4f1e2d3`: **image** in progress (push queued) · 2 min 12 s so far",
        "Building the image of `4f1e2d3`: **image** in progress (pushing to ECR) · 2 min 24 s so far",
        "Building the image of `4f1e2d3`: **image** in progress (pushing to ECR) · 3 min 36 s so far",
    ]
    assert notes.edits == 5
    bodies = _bodies(gh)
    assert bodies[0] == "LGTM, let's see it live"  # a human's comment is never edited
    assert bodies[1].splitlines()[1] == f"## 🎪 Showtime · PR #{PR}"
    assert len(bodies) == 2  # one status comment, edited in place
    assert "[Workflow run](https://github.com/apache/superset/actions/runs/777)" in bodies[1]
    assert gh.labels_of(PR) == ["🎪 ⚡ showtime-trigger-start"]  # the claim stays sync's
    assert gh.count("POST", r"/labels") == gh.count("DELETE", r"/labels") == 0


def test_a_failed_edit_never_stops_the_wait(world: tuple[GitHubServer, Any]) -> None:
    gh, ecr = world
    gh.add_pr(PR, head_sha=SHA)
    digest = _push(ecr, "this run's image")
    _job(gh, "completed", "success", "2026-12-06T03:04:05Z")
    gh.fail("POST", r"/issues/\d+/comments$", 500, times=10)
    jobs, images = _adapters()
    notes = _notes(gh, [1.0])
    result = wait_for_image(PR, SHA, run_id=RUN, jobs=jobs, images=images, on_look=notes)
    assert result.ready and result.image is not None and result.image.endswith(digest)
    assert notes.edits == 0 and _bodies(gh) == []


def test_the_cli_writes_the_note_only_with_comment_and_not_when_progress_is_off(
    world: tuple[GitHubServer, Any],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gh, ecr = world
    gh.add_pr(PR, head_sha=SHA)
    _push(ecr, "this run's image")
    _job(gh, "completed", "success", "2026-12-06T03:04:05Z")
    wait = ["image", "wait", str(PR), "--sha", SHA, "--json"]
    assert main(wait) == 0
    assert _bodies(gh) == []  # without --comment: nothing written
    monkeypatch.setenv("SHOWTIME_PROGRESS", "off")
    assert main([*wait, "--comment"]) == 0
    assert _bodies(gh) == []
    monkeypatch.delenv("SHOWTIME_PROGRESS")
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    assert main([*wait, "--comment", "--started-at", "2026-12-06T03:00:00Z"]) == 0
    (body,) = _bodies(gh)
    assert f"[Workflow run](https://github.com/{gh.repo}/actions/runs/{RUN})" in body
    # the push succeeded: what comes next is sync's deploy of the stack
    assert "⏳ Deploying `4f1e2d3`: **stack** in progress · " in body
    capsys.readouterr()
    assert main([*wait, "--comment", "--started-at", "yesterday"]) == 2
    assert "--started-at 'yesterday' is not an ISO 8601 time" in capsys.readouterr().err


def test_the_push_job_waits_for_the_build_alone_without_aws(
    ghserver: GitHubServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """--job-only: no AWS credentials in sight (the push job has them, but never needs them to
    wait); the build's end decides."""
    for var, value in ghserver.env().items():
        monkeypatch.setenv(var, value)
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    build = "build image (untrusted PR code, no secrets)"
    wait = ["image", "wait", str(PR), "--sha", SHA, "--run-id", str(RUN), "--job", build]
    for conclusion, ready in (("success", True), ("failure", False)):
        ghserver.run_jobs[RUN] = [{"name": build, "status": "completed", "conclusion": conclusion}]
        capsys.readouterr()
        assert main([*wait, "--job-only", "--json"]) == 0
        out = json.loads(capsys.readouterr().out)
        assert (out["ready"], out["image"], out["image_sha"]) == (ready, None, None)
    # without --job-only the same wait needs the registry, so AWS credentials: exit 2
    assert main(wait) == 2
    assert "AWS credentials" in capsys.readouterr().err


def test_the_result_document_is_what_the_workflow_reads(world: tuple[GitHubServer, Any]) -> None:
    gh, ecr = world
    digest = _push(ecr, "this run's image")
    _job(gh, "queued")
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds
        _job(gh, "completed", "success", "2026-12-06T03:04:05Z")

    jobs, images = _adapters()
    result = wait_for_image(
        PR, SHA, run_id=RUN, jobs=jobs, images=images, interval=7.25, clock=lambda: now[0],
        sleep=sleep,
    )  # fmt: skip
    uri = ecr.describe_repositories(repositoryNames=[REPOSITORY])["repositories"][0]
    assert result.to_json() == {
        "pr": PR,
        "sha": SHA,
        "ready": True,
        "image": f"{uri['repositoryUri']}@{digest}",
        "image_sha": SHA,
        "image_at": "2026-12-06T03:04:05Z",
        "reason": f"{PUSH_JOB} pushed {uri['repositoryUri']}@{digest}",
        "seconds": 7.2,  # rounded to a tenth
        "looks": 2,
    }


@pytest.mark.parametrize(
    ("pr", "sha", "run_id", "timeout", "interval", "message"),
    [
        (PR, "4f1e2d3", RUN, 60.0, 5.0, "--sha must be the full 40-hex commit, got '4f1e2d3'"),
        (PR, SHA.upper(), RUN, 60.0, 5.0, None),  # upper case is the same commit
        (-1, SHA, RUN, 60.0, 5.0, "the PR must be 0 or more and the run id a positive number"),
        (0, SHA, RUN, 60.0, 5.0, None),  # the default branch
        (PR, SHA, 1, 60.0, 5.0, None),  # the first run
        (PR, "x" * 70, RUN, 60.0, 5.0, f"--sha must be the full 40-hex commit, got '{'x' * 60}'"),
        (PR, SHA, 0, 60.0, 5.0, "the PR must be 0 or more and the run id a positive number"),
        (PR, SHA, RUN, 0.0, 5.0, "--timeout and --interval must be positive"),
        (PR, SHA, RUN, 60.0, 0.0, "--timeout and --interval must be positive"),
    ],
)
def test_bad_input_is_refused_before_any_request(
    pr: int, sha: str, run_id: int, timeout: float, interval: float, message: str | None
) -> None:
    looked: list[int] = []

    class Jobs:
        def run_job(self, run: int, name: str) -> JobState | None:
            looked.append(run)
            return JobState(name, "completed", "failure")

    if message is None:
        result = wait_for_image(
            pr, sha, run_id=run_id, jobs=Jobs(), images=None, timeout=timeout, interval=interval
        )
        assert result.sha == SHA and looked == [run_id]
        return
    with pytest.raises(InputError) as info:
        wait_for_image(
            pr, sha, run_id=run_id, jobs=Jobs(), images=None, timeout=timeout, interval=interval
        )
    assert str(info.value) == message
    assert looked == []


def test_the_cli_gives_up_at_its_timeout_and_needs_a_token(
    world: tuple[GitHubServer, Any],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gh, _ecr = world
    _job(gh, "in_progress")
    wait = ["image", "wait", str(PR), "--sha", SHA, "--json"]
    capsys.readouterr()
    assert main([*wait, "--timeout", "1", "--interval", "1"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["ready"], out["reason"]) == (False, f"no image after 1 s: {PUSH_JOB}: in_progress")
    monkeypatch.delenv("GITHUB_TOKEN")
    assert main(wait) == 2
    assert "image wait reads the run's jobs: set GITHUB_TOKEN" in capsys.readouterr().err


def test_a_job_that_names_no_end_time_is_timed_by_the_wait(
    world: tuple[GitHubServer, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    gh, ecr = world
    _push(ecr, "this run's image")
    _job(gh, "completed", "success")  # no completed_at
    jobs, images = _adapters()
    monkeypatch.setenv("TZ", "America/New_York")  # a runner's clock that is not UTC
    time.tzset()
    before = datetime.now(UTC).replace(microsecond=0)
    result = wait_for_image(PR, SHA, run_id=RUN, jobs=jobs, images=images, sleep=pytest.fail)
    assert result.ready and result.image_at is not None
    at = datetime.strptime(result.image_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert before <= at <= datetime.now(UTC)
    monkeypatch.delenv("TZ")
    time.tzset()


def test_the_note_keeps_the_comments_history_and_renders_the_environment_as_the_policy_says(
    world: tuple[GitHubServer, Any],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """A roll forward: the old environment serves on the policy's port while the new image
    builds; the note is added under it, the history stays, the time runs from now when the
    run's start is not given, and stderr follows the push job."""
    gh, _ecr = world
    created = datetime.now(UTC).strftime("%Y-%m-%dT%H-%M")
    labels = ["🎪 1111111 🚦 running", "🎪 🎯 1111111", "🎪 1111111 🌐 10.0.0.7"]
    labels += [f"🎪 1111111 📅 {created}", "🎪 1111111 ⌛ 48h"]
    gh.add_pr(PR, head_sha=SHA, labels=labels)
    policy = tmp_path / "showtime.toml"
    policy.write_text("port = 9000\n", encoding="utf-8")
    monkeypatch.setenv("SHOWTIME_POLICY", str(policy))
    earlier = "<!-- showtime-iac:history\n2026-12-05 10:00 UTC: `1111111` live\n-->"
    gh.add_comment(
        PR, f"<!-- showtime-iac:status -->\n## 🎪 Showtime · PR #{PR}\n{earlier}", author=BOT
    )
    _job(gh, "in_progress")
    capsys.readouterr()
    wait = ["image", "wait", str(PR), "--sha", SHA, "--comment", "--json"]
    assert main([*wait, "--timeout", "3.5", "--interval", "1"]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out)["looks"] == 4  # at 0, 1, 2 and 3 s
    assert f"image wait: {PUSH_JOB}: in_progress (0 s)" in out.err
    (body,) = [c["body"] for c in gh.comments_of(PR)]
    assert "http://10.0.0.7:9000" in body  # the policy's port, not the default 8080
    assert re.search(r"\| (1d 23h 5\dm|2d 0h 0m) left \|", body)  # its lifetime, as of now
    assert "- 2026-12-05 10:00 UTC: `1111111` live" in body  # the history is kept
    assert (
        "⏳ Building the image of `4f1e2d3`: **image** in progress (pushing to ECR) · 0 s" in body
    )


def test_a_missing_token_is_named_exactly_and_another_repository_is_asked_for(
    world: tuple[GitHubServer, Any],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gh, _ecr = world
    _job(gh, "completed", "failure")
    wait = ["image", "wait", str(PR), "--sha", SHA]
    capsys.readouterr()
    assert main([*wait, "--repo", "someone/else"]) == 1  # the run is not that repository's
    assert "read the jobs of workflow run 777" in capsys.readouterr().err
    monkeypatch.delenv("GITHUB_TOKEN")
    assert main(wait) == 2
    err = capsys.readouterr().err
    assert err == "showtime-iac: error: image wait reads the run's jobs: set GITHUB_TOKEN\n"
