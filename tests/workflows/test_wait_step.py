"""The sync job's wait step of showtime.yml, run for real: its `run:` block under bash with the
real `showtime-iac image wait` and jq, against the GitHub API test server (this run's jobs)
and moto's ECR (the tag's digest). What it writes to $GITHUB_OUTPUT is what the deploy step
passes to sync as the image and its commit: only an image this run's push job vouched for."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml  # type: ignore[import-untyped]

from tests.doubles import manifest
from tests.github_api_server import GitHubServer
from tests.motoserver import FAKE_ENV

ROOT = Path(__file__).resolve().parents[2]
SHA = "4f1e2d3c" + "5" * 32
PR, RUN = "1234", 777

pytestmark = pytest.mark.skipif(shutil.which("jq") is None, reason="jq is not installed")


def _wait_step() -> dict[str, Any]:
    wf = yaml.safe_load((ROOT / ".github" / "workflows" / "showtime.yml").read_text("utf-8"))
    step = next(s for s in wf["jobs"]["sync"]["steps"] if s.get("id") == "image")
    assert isinstance(step, dict)
    return step


def _run(tmp_path: Path, gh: GitHubServer, moto: str) -> tuple[dict[str, str], str]:
    out = tmp_path / "out"
    env = {
        **FAKE_ENV,
        **gh.env(),
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "AWS_ENDPOINT_URL": moto,
        "ECR_REPOSITORY": "superset-ci",
        "GITHUB_RUN_ID": str(RUN),
        "GITHUB_OUTPUT": str(out),
        "PR": PR,
        "HEAD_SHA": SHA,
    }
    done = subprocess.run(
        ["bash", "-c", _wait_step()["run"]],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    lines = out.read_text(encoding="utf-8").splitlines() if out.exists() else []
    return dict(line.split("=", 1) for line in lines), done.stdout


@pytest.fixture
def ecr(moto_env: str) -> Any:
    client = boto3.client("ecr", endpoint_url=moto_env, region_name="us-west-2")
    client.create_repository(repositoryName="superset-ci")
    pushed = client.put_image(
        repositoryName="superset-ci", imageManifest=manifest("img"), imageTag="sti-pr-1234-4f1e2d3"
    )
    client.digest = pushed["image"]["imageId"]["imageDigest"]
    return client


def test_the_image_this_runs_push_job_pushed_goes_to_sync(
    ghserver: GitHubServer, moto_env: str, ecr: Any, tmp_path: Path
) -> None:
    ghserver.run_jobs[RUN] = [
        {"name": "push image to ECR", "status": "completed", "conclusion": "success",
         "completed_at": "2026-12-06T03:04:05Z"},
    ]  # fmt: skip
    outputs, _log = _run(tmp_path, ghserver, moto_env)
    uri = ecr.describe_repositories(repositoryNames=["superset-ci"])["repositories"][0]
    assert outputs == {
        "image": f"{uri['repositoryUri']}@{ecr.digest}",
        "image_sha": SHA,
        "image_at": "2026-12-06T03:04:05Z",
    }


@pytest.mark.parametrize(
    ("jobs", "why"),
    [
        ([{"name": "push image to ECR", "status": "completed", "conclusion": "skipped"}],
         "no image: push image to ECR ended skipped"),
        (None, "the wait failed (exit 1)"),  # the run is unknown: GitHub answers 404
    ],
)  # fmt: skip
def test_without_a_vouched_image_sync_gets_none_and_the_log_says_why(
    ghserver: GitHubServer,
    moto_env: str,
    ecr: Any,
    tmp_path: Path,
    jobs: list[dict[str, Any]] | None,
    why: str,
) -> None:
    if jobs is not None:
        ghserver.run_jobs[RUN] = jobs
    outputs, log = _run(tmp_path, ghserver, moto_env)
    assert outputs == {}  # the tag exists in ECR, but this run's push did not vouch for it
    assert f"::warning::no image of {SHA}: {why}" in log


def _build_wait(tmp_path: Path, gh: GitHubServer) -> subprocess.CompletedProcess[str]:
    """The push job's wait for the build, its `run:` under bash (no AWS at all)."""
    wf = yaml.safe_load((ROOT / ".github" / "workflows" / "showtime.yml").read_text("utf-8"))
    step = next(s for s in wf["jobs"]["push"]["steps"] if "--job-only" in s.get("run", ""))
    env = {
        **gh.env(),
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "GITHUB_RUN_ID": str(RUN),
        "PR": PR,
        "HEAD_SHA": SHA,
        "BUILD_JOB": step["env"]["BUILD_JOB"],
    }
    return subprocess.run(
        ["bash", "-c", step["run"]],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.parametrize(("conclusion", "rc"), [("success", 0), ("failure", 1), ("cancelled", 1)])
def test_the_push_job_goes_on_only_after_this_runs_build_succeeded(
    ghserver: GitHubServer, tmp_path: Path, conclusion: str, rc: int
) -> None:
    build = "build image (untrusted PR code, no secrets)"
    ghserver.run_jobs[RUN] = [{"name": build, "status": "completed", "conclusion": conclusion}]
    done = _build_wait(tmp_path, ghserver)
    assert done.returncode == rc, done.stdout + done.stderr
    if rc:
        assert f"::error::nothing to push: no image: {build} ended {conclusion}" in done.stdout
