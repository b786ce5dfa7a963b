"""The reasons `.github/zizmor.yml` gives for the build job's PR checkout, each as a test, and
the OIDC split: the push job's token must not be able to assume the deploy role.

The build job is the only job that holds the PR's code (issue 24). zizmor's `unsafe-checkout`
is ignored on its line because of what these tests hold: the PR's code runs only inside
BuildKit (never as a step, never as a local action), the job has no credential and no GitHub
cache access, and the only thing it hands on is the image artifact.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[2]
WF = ROOT / ".github" / "workflows"
DOCS = ROOT / "docs" / "github-actions.md"
OWNER_REPO = "apache/superset"  # the repository the documented trust policies name


def workflow(name: str) -> dict[str, Any]:
    data = yaml.safe_load((WF / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def build_job() -> dict[str, Any]:
    job = workflow("showtime.yml")["jobs"]["build"]
    assert isinstance(job, dict)
    return job


def commands(script: str) -> list[list[str]]:
    """The shell commands of a `run:` script: continuation lines joined, comments dropped."""
    joined = script.replace("\\\n", " ")
    out = []
    for raw in joined.splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            out.append(shlex.split(line, comments=True))
    return [c for c in out if c]


# what the build job's scripts may run: anything else could execute the PR's checked-out files
ALLOWED = [
    ["set", "-euo", "pipefail"],
    ["docker", "buildx", "create"],
    ["docker", "buildx", "build"],
    ["cache=()"],
    ["if", "[", "-n", "$SHOWTIME_CACHE_IMAGE", "];", "then"],
    ["cache=(--cache-from", "type=registry,ref=$SHOWTIME_CACHE_IMAGE)"],
    ["fi"],
]
FORBIDDEN_BUILD_FLAGS = ("--secret", "--ssh", "--allow", "network=host", "--cache-to", "--push",
                         "--load", "type=gha", "type=docker", "ACTIONS_", "--network")  # fmt: skip


def test_build_job_runs_pr_code_only_inside_buildkit() -> None:
    job = build_job()
    runs = [s["run"] for s in job["steps"] if "run" in s]
    assert runs, "the build job builds"
    builds = 0
    for script in runs:
        for cmd in commands(script):
            assert any(cmd[: len(a)] == a for a in ALLOWED), f"not allowed in the build job: {cmd}"
            if cmd[:3] == ["docker", "buildx", "build"]:
                builds += 1
                for word in cmd:
                    assert not any(f in word for f in FORBIDDEN_BUILD_FLAGS), (word, cmd)
    assert builds == 2  # the PR's `ci` target, then our bake on top of it
    # no step runs an action from the workspace (the PR's own action.yml) or a docker action
    for step in job["steps"]:
        uses = step.get("uses", "")
        assert not uses.startswith(("./", "docker://")), uses


def test_build_job_has_no_credential_and_no_github_cache() -> None:
    job = build_job()
    assert job["permissions"] == {"contents": "read"}
    assert "environment" not in job and "outputs" not in job
    text = yaml.safe_dump(job)
    for never in ("secrets.", "id-token", "actions/cache", "type=gha", "ACTIONS_RUNTIME"):
        assert never not in text, never
    for step in job["steps"]:
        assert "cache" not in step.get("with", {}), step  # e.g. setup-node's `cache: npm`
        if step.get("uses", "").startswith("actions/checkout"):
            assert step["with"]["persist-credentials"] is False


def test_the_layer_cache_is_written_by_the_default_branch_only() -> None:
    writers = []
    for path in WF.glob("*.yml"):
        for name, job in workflow(path.name)["jobs"].items():
            if "--cache-to" in yaml.safe_dump(job):
                writers.append((path.name, name, job))
    assert [(f, n) for f, n, _ in writers] == [("showtime-cleanup.yml", "layer-cache")]
    cleanup = workflow("showtime-cleanup.yml")
    on = cleanup.get("on", cleanup.get(True))
    assert set(on) == {"schedule", "workflow_dispatch"}  # never a PR event
    (_, _, job) = writers[0]
    for step in job["steps"]:
        if step.get("uses", "").startswith("actions/checkout"):
            assert "ref" not in step.get("with", {})  # the default branch's own code


def test_later_jobs_read_only_the_image_artifact_from_the_build() -> None:
    jobs = workflow("showtime.yml")["jobs"]
    uploads = [s for s in build_job()["steps"] if "upload-artifact" in s.get("uses", "")]
    assert len(uploads) == 1
    name = uploads[0]["with"]["name"]
    for job_name, job in jobs.items():
        text = yaml.safe_dump(job)
        assert "needs.build.outputs" not in text, job_name
        for step in job.get("steps", []):
            if "download-artifact" in step.get("uses", ""):
                assert job_name == "push" and step["with"]["name"] == name


# --------------------------------------------------------------------------- the OIDC split


def trust_policies() -> dict[str, str]:
    """The documented trust policies: role name -> the `sub` it admits."""
    text = DOCS.read_text(encoding="utf-8")
    found = {}
    for role, body in re.findall(r"<!-- trust policy: (\S+) -->\s*```json\n(.*?)```", text, re.S):
        policy = json.loads(body)
        cond = policy["Condition"]["StringEquals"]
        assert cond["token.actions.githubusercontent.com:aud"] == "sts.amazonaws.com"
        found[role] = cond["token.actions.githubusercontent.com:sub"]
    return found


def subject(job: dict[str, Any]) -> str | None:
    """The `sub` claim of the OIDC token GitHub mints for a job (None: it cannot mint one)."""
    if job.get("permissions", {}).get("id-token") != "write":
        return None
    env = job.get("environment")
    if isinstance(env, dict):
        env = env.get("name")
    assert env, "an OIDC job without an environment would get a ref-based subject"
    return f"repo:{OWNER_REPO}:environment:{env}"


def assumable(job: dict[str, Any]) -> set[str]:
    sub = subject(job)
    return {role for role, admitted in trust_policies().items() if admitted == sub}


def test_the_documented_trust_policies_admit_one_environment_each() -> None:
    policies = trust_policies()
    assert set(policies) == {"deploy", "push"}
    assert policies["deploy"] == f"repo:{OWNER_REPO}:environment:showtime"
    assert policies["push"] == f"repo:{OWNER_REPO}:environment:showtime-push"


@pytest.mark.parametrize(
    ("path", "job", "roles"),
    [
        ("showtime.yml", "plan", set()),
        ("showtime.yml", "build", set()),
        ("showtime.yml", "push", {"push"}),
        ("showtime.yml", "sync", {"deploy"}),
        ("showtime-cleanup.yml", "cleanup", {"deploy"}),
        ("showtime-cleanup.yml", "layer-cache", set()),
    ],
)
def test_each_job_can_assume_only_its_own_role(path: str, job: str, roles: set[str]) -> None:
    assert assumable(workflow(path)["jobs"][job]) == roles


def test_the_push_job_names_only_the_push_role() -> None:
    push = workflow("showtime.yml")["jobs"]["push"]
    text = yaml.safe_dump(push)
    assert "SHOWTIME_ECR_PUSH_ROLE_ARN" in text
    assert "SHOWTIME_AWS_ROLE_ARN" not in text and "PULUMI_" not in text


def test_the_push_job_builds_the_crane_the_tests_use() -> None:
    """One crane version: the push job's and the registry tests' (.ci/install-crane)."""
    push = workflow("showtime.yml")["jobs"]["push"]
    step = next(s for s in push["steps"] if s.get("id") == "crane")
    install = (ROOT / ".ci" / "install-crane").read_text(encoding="utf-8")
    pinned = re.search(r"^VERSION_PIN=(v[0-9.]+)$", install, re.M)
    assert pinned and step["env"]["CRANE_VERSION"] == pinned.group(1)
    assert (
        'go install "github.com/google/go-containerregistry/cmd/crane@$CRANE_VERSION"'
        in (step["run"])
    )
