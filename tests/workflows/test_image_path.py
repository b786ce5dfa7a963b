"""The image path of showtime.yml, run for real: the plan job's script decides to reuse an
image of the exact commit (no build) or to build, and the push job's script copies or pushes
it into the registry the deploy reads, against a real OCI registry (crane's).

The scripts are the workflow's own `run:` blocks, run under bash with the real `showtime-iac`
(plan, image find), the real `crane` (built by the script's own `go install` of the pinned
version, from the Go module cache `.ci/install-crane` filled) and jq; only `gh` (the
collaborator-permission API) is a stand-in. Marker `registry`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

from showtime_iac.core.registry import REVISION_LABEL
from tests.registry_server import Images

ROOT = Path(__file__).resolve().parents[2]
EVENT = ROOT / "examples" / "pr-labeled-start.json"
SHA = json.loads(EVENT.read_text(encoding="utf-8"))["pull_request"]["head"]["sha"]
OTHER = "0123456789abcdef0123456789abcdef01234567"
PR = "1234"
CACHE = Path(os.environ.get("SHOWTIME_CACHE", Path.home() / ".cache" / "showtime-iac"))

pytestmark = [
    pytest.mark.registry,
    pytest.mark.skipif(shutil.which("jq") is None, reason="jq (Debian's jq) is not installed"),
]


def step(job: str, step_id: str) -> dict[str, Any]:
    wf = yaml.safe_load((ROOT / ".github" / "workflows" / "showtime.yml").read_text("utf-8"))
    found = next(s for s in wf["jobs"][job]["steps"] if s.get("id") == step_id)
    assert isinstance(found, dict)
    return found


def outputs(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line)


def run_plan(tmp_path: Path, source: str, role: str = "write") -> tuple[dict[str, str], str]:
    """The plan job's script in ``tmp_path`` with the policy naming ``source``."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    gh = bindir / "gh"  # the collaborator API answers with the actor's role
    gh.write_text(f"#!/bin/sh\necho {role}\n", encoding="utf-8")
    gh.chmod(0o755)
    (tmp_path / "showtime.toml").write_text(f"image_sources = [{json.dumps(source)}]\n")
    env = {
        "PATH": f"{bindir}:{Path(sys.executable).parent}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "GITHUB_EVENT_PATH": str(EVENT),
        "GITHUB_EVENT_NAME": "pull_request_target",
        "GITHUB_REPOSITORY": "apache/superset",
        "GITHUB_OUTPUT": str(tmp_path / "plan.out"),
        "PR": PR,
        "HEAD_SHA": SHA,
        "ACTOR": "maintainer",
        "GH_TOKEN": "t",
    }
    done = subprocess.run(
        ["bash", "-c", step("plan", "plan")["run"]],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return outputs(tmp_path / "plan.out"), done.stdout


def run_push(tmp_path: Path, registry: str, repo: str, plan: dict[str, str]) -> dict[str, str]:
    """The push job's scripts (crane's build, then the push), with `registry/repo` standing in
    for ECR."""
    env = {
        "PATH": f"{Path(shutil.which('go') or '/usr/local/go/bin/go').parent}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "GOMODCACHE": str(CACHE / "go" / "mod"),
        "GOCACHE": str(CACHE / "go" / "build"),
        "GOFLAGS": "-modcacherw",
        "CGO_ENABLED": "0",
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_OUTPUT": str(tmp_path / "push.out"),
        "PR": PR,
        "ECR_REPOSITORY": repo,
        "REGISTRY": registry,
        "HEAD_SHA": SHA,
        "COPY_FROM": plan.get("copy_from", ""),
        "COPY_DIGEST": plan.get("copy_digest", ""),
        "CRANE_VERSION": step("push", "crane")["env"]["CRANE_VERSION"],
    }
    # the job's two steps as it runs them: crane is built (beside the build), then the push
    for step_id in ("crane", "push"):
        done = subprocess.run(
            ["bash", "-c", step("push", step_id)["run"]],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
    return outputs(tmp_path / "push.out")


def test_an_image_of_the_commit_is_copied_and_nothing_is_built(
    images: Images, tmp_path: Path
) -> None:
    source = images.repo()
    digest = images.push(source, f"{SHA}-ci", labels={REVISION_LABEL: SHA})
    plan, _ = run_plan(tmp_path, f"{images.registry}/{source}:{{sha}}-ci")
    assert plan["build"] == "false"  # the build job does not run
    assert plan["copy_from"] == f"{images.registry}/{source}@{digest}"
    assert plan["copy_digest"] == digest
    ecr = images.repo()
    pushed = run_push(tmp_path, images.registry, ecr, plan)
    assert pushed["image"] == f"{images.registry}/{ecr}@{digest}"  # the verified bytes
    assert pushed["image_sha"] == SHA
    assert images.digest(f"{images.registry}/{ecr}:sti-pr-{PR}-{SHA[:7]}") == digest


def test_an_image_labelled_with_another_commit_is_refused_and_built_instead(
    images: Images, tmp_path: Path
) -> None:
    source = images.repo()
    images.push(source, f"{SHA}-ci", labels={REVISION_LABEL: OTHER})
    plan, stdout = run_plan(tmp_path, f"{images.registry}/{source}:{{sha}}-ci")
    assert plan["build"] == "true" and plan["copy_from"] == ""
    warning = next(line for line in stdout.splitlines() if line.startswith("::warning::"))
    assert OTHER in warning and SHA in warning


def test_no_image_is_copied_for_an_actor_without_write_access(
    images: Images, tmp_path: Path
) -> None:
    source = images.repo()
    images.push(source, f"{SHA}-ci", labels={REVISION_LABEL: SHA})
    plan, _ = run_plan(tmp_path, f"{images.registry}/{source}:{{sha}}-ci", role="triage")
    assert plan["build"] == "false" and plan["copy_from"] == ""


def test_a_built_oci_layout_is_pushed_by_digest(images: Images, tmp_path: Path) -> None:
    """The build job's hand-off: an OCI layout directory, pushed as it is (no docker load)."""
    source = images.repo()
    digest = images.push(source, "built", labels={REVISION_LABEL: SHA})
    layout = tmp_path / "image"  # where the artifact lands in the push job
    images.run_crane("pull", "--format=oci", f"{images.registry}/{source}:built", str(layout))
    assert (layout / "index.json").is_file()
    ecr = images.repo()
    pushed = run_push(tmp_path, images.registry, ecr, {"copy_from": "", "copy_digest": ""})
    assert pushed["image"] == f"{images.registry}/{ecr}@{digest}"
    assert pushed["image_sha"] == SHA
