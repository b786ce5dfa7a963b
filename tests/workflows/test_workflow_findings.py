"""The workflows' side of the security review (issue 15): conditions and concurrency groups
evaluated by GitHub's own expression evaluator (``@actions/expressions`` via
``.ci/eval-expr.mjs``), and the action's script run under bash with a stand-in CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[2]
WF = ROOT / ".github" / "workflows"
NODE = shutil.which("node")
HAS_EVALUATOR = (ROOT / ".ci" / "node_modules" / "@actions" / "expressions").is_dir()
_evaluator_present = pytest.mark.skipif(
    NODE is None or not HAS_EVALUATOR,
    reason="node or .ci/node_modules missing (bash .ci/lint-workflows.sh installs them)",
)


def needs_evaluator(test: Any) -> Any:
    """Marks a test that needs node and GitHub's expression evaluator (marker `node`)."""
    return pytest.mark.node(_evaluator_present(test))


START = "🎪 ⚡ showtime-trigger-start"


def showtime() -> dict[str, Any]:
    data = yaml.safe_load((WF / "showtime.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def evaluate(
    value: str, contexts: dict[str, Any], *, condition: bool, status: str = "success"
) -> Any:
    assert NODE is not None
    doc = {"value": value, "contexts": contexts, "condition": condition, "status": status}
    res = subprocess.run(
        [NODE, str(ROOT / ".ci" / "eval-expr.mjs")],
        input=json.dumps(doc),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(res.stdout)


def comment(body: str, association: str) -> dict[str, Any]:
    return {
        "event_name": "issue_comment",
        "run_id": "9001",
        "event": {
            "action": "created",
            "issue": {"number": 1234, "pull_request": {"url": "x"}},
            "comment": {"body": body, "author_association": association},
        },
    }


REPO = "apache/superset"


def pr_event(
    action: str,
    *,
    sender: str = "maintainer",
    author: str = "maintainer",
    association: str = "MEMBER",
    head_repo: str = REPO,
    **extra: Any,
) -> dict[str, Any]:
    """A pull_request_target event as GitHub delivers it: who sent it, who wrote the PR (and that
    author's association, the only one the payload carries) and where its head branch lives."""
    return {
        "event_name": "pull_request_target",
        "repository": REPO,
        "run_id": "9002",
        "event": {
            "action": action,
            "sender": {"login": sender},
            "pull_request": {
                "number": 1234,
                "user": {"login": author},
                "author_association": association,
                "head": {"repo": {"full_name": head_repo}},
            },
            **extra,
        },
    }


def label(action: str, name: str, **who: str) -> dict[str, Any]:
    return pr_event(action, label={"name": name}, **who)


def push(**who: str) -> dict[str, Any]:
    return pr_event("synchronize", **who)


FORK = {"sender": "contributor", "author": "contributor", "association": "CONTRIBUTOR"}
FORK_HEAD = {**FORK, "head_repo": "contributor/superset"}
# a triage user labels (or edits) a maintainer's PR: the payload names only the PR's author
TRIAGE = {"sender": "triager", "author": "maintainer", "association": "MEMBER"}

SERIALIZED = [
    ("a maintainer's command", comment("/showtime destroy", "MEMBER")),
    ("a command on a later line", comment("thanks!\n/circus refresh", "OWNER")),
    ("the start label", label("labeled", START)),
    ("removing the freeze label", label("unlabeled", "🎪 🧊 showtime-freeze")),
    ("the legacy label", label("unlabeled", "testenv-up")),
    ("a push", push()),
    ("a push to a branch of this repository by anyone", push(sender="x", author="y")),
    ("a member's push from a fork", push(head_repo="maintainer/superset")),
    ("a writer edits their own PR", pr_event("edited")),
    ("closing the PR", pr_event("closed", **FORK)),
]
ON_THEIR_OWN = [
    ("a comment without a command", comment("LGTM, thanks", "MEMBER")),
    ("a stranger's command", comment("/showtime destroy", "NONE")),
    ("a contributor's command", comment("/showtime status", "CONTRIBUTOR")),
    # a read-only org member is a MEMBER too: a comment that only reads runs on its own
    ("a reader's command", comment("/showtime help", "MEMBER")),
    ("a reader's status command", comment("/Circus Status", "MEMBER")),
    ("a label that is not ours", label("labeled", "size/M")),
    ("removing a label that is not ours", label("unlabeled", "bug")),
    ("a fork author's push", push(**FORK_HEAD)),
    ("a fork author's edit", pr_event("edited", **FORK_HEAD)),
    ("a fork author reopens", pr_event("reopened", **FORK_HEAD)),
    ("a fork author's 🎪 label", label("labeled", START, **FORK_HEAD)),
    ("a triage user's 🎪 label", label("labeled", "🎪 🛑 showtime-stop", **TRIAGE)),
    ("a triage user removes a 🎪 label", label("unlabeled", "🎪 🔒 showtime-pin", **TRIAGE)),
    ("a triage user's edit", pr_event("edited", **TRIAGE)),
    (
        "a maintainer pushes to a fork PR",
        push(sender="maintainer", **{k: v for k, v in FORK_HEAD.items() if k != "sender"}),
    ),
]


@needs_evaluator
@pytest.mark.parametrize(("what", "github"), SERIALIZED, ids=[w for w, _ in SERIALIZED])
def test_finding_7_writers_events_share_the_prs_group(what: str, github: dict[str, Any]) -> None:
    group = showtime()["concurrency"]["group"]
    assert evaluate(group, {"github": github}, condition=False) == "showtime-pr-1234", what


@needs_evaluator
@pytest.mark.parametrize(("what", "github"), ON_THEIR_OWN, ids=[w for w, _ in ON_THEIR_OWN])
def test_issue_26_only_writers_events_can_evict_a_queued_run(
    what: str, github: dict[str, Any]
) -> None:
    wf = showtime()
    group = evaluate(wf["concurrency"]["group"], {"github": github}, condition=False)
    assert group == f"showtime-pr-1234-noop-{github['run_id']}", what
    if github["event_name"] == "pull_request_target" and not what.startswith(
        ("a label", "removing")
    ):
        return  # a PR event of theirs still runs (the run re-checks before it acts)
    if "command" not in what:
        # and they cost nothing: no job runs (a stranger's command still gets its reply)
        plan_if = wf["jobs"]["plan"]["if"]
        assert evaluate(plan_if, {"github": github}, condition=True) is False, what


@needs_evaluator
@pytest.mark.parametrize("build", ["success", "failure", "skipped"])
def test_finding_3_sync_runs_even_when_the_build_fails(build: str) -> None:
    """The job that consumes or refuses a start request always runs once the plan did."""
    sync_if = showtime()["jobs"]["sync"]["if"]
    needs = {
        "plan": {"result": "success", "outputs": {"build": "true"}},
        "build": {"result": build},
        "push": {"result": "skipped" if build != "success" else "success"},
    }
    status = "failure" if build == "failure" else "success"
    assert evaluate(sync_if, {"needs": needs}, condition=True, status=status) is True
    # the plan job failing (e.g. the permission lookup) still leaves sync to refuse
    needs["plan"]["result"] = "failure"
    assert evaluate(sync_if, {"needs": needs}, condition=True, status="failure") is True
    needs["plan"]["result"] = "skipped"  # a comment without a command: nothing at all
    assert evaluate(sync_if, {"needs": needs}, condition=True) is False


def test_finding_4_the_run_is_about_the_commit_the_plan_job_resolved() -> None:
    jobs = showtime()["jobs"]
    plan_run = next(s["run"] for s in jobs["plan"]["steps"] if s.get("id") == "plan")
    # the commit is resolved first, and the plan is made about it
    assert plan_run.index("gh api") < plan_run.index('SHOWTIME_SHA="$HEAD_SHA" showtime-iac plan')
    step = next(s for s in jobs["sync"]["steps"] if s.get("with", {}).get("command") == "sync")
    assert "plan.outputs.head_sha" in step["with"]["sha"]
    assert step["with"]["image-sha"] == "${{ steps.image.outputs.image_sha }}"
    assert "allow-build" not in step["with"]  # the privileged job never builds


def test_finding_low_the_plan_job_builds_only_for_a_real_write_permission() -> None:
    plan_run = next(s["run"] for s in showtime()["jobs"]["plan"]["steps"] if s.get("id") == "plan")
    assert "collaborators/$ACTOR/permission" in plan_run
    assert "author_association" not in plan_run
    assert "admin|maintain|write) build=true" in plan_run


def test_finding_low_cleanup_can_mark_deployments_inactive_and_knows_the_default_branch() -> None:
    wf = yaml.safe_load((WF / "showtime-cleanup.yml").read_text(encoding="utf-8"))
    job = wf["jobs"]["cleanup"]
    assert job["permissions"]["deployments"] == "write"
    baseline = next(s["run"] for s in job["steps"] if "up --ref" in s.get("run", ""))
    assert "gh api" in baseline and ".default_branch" in baseline


# --- the action's own script, run under bash with a stand-in showtime-iac ----------------------


def run_action_script(tmp_path: Path, **inputs: str) -> dict[str, str]:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "run")
    bindir = tmp_path / "bin"
    bindir.mkdir()
    fake = bindir / "showtime-iac"
    fake.write_text(
        '#!/usr/bin/env bash\nenv | grep -E "^SHOWTIME_" | sort > "$RUNNER_TEMP/env.txt"\n'
        'echo "$@" > "$RUNNER_TEMP/args.txt"\necho "{}"\n',
        encoding="utf-8",
    )
    fake.chmod(0o755)
    env = {
        "PATH": f"{bindir}:/usr/bin:/bin",
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_OUTPUT": str(tmp_path / "out"),
        "ACTION_PATH": str(tmp_path),
        "COMMAND": "sync",
        "PR": "1234",
        "DRY_RUN": "false",
        "GITHUB_TOKEN": "t",
        "SHOWTIME_SHA": "",
        "SHOWTIME_IMAGE": "",
        "SHOWTIME_IMAGE_SHA": "",
        "ALLOW_BUILD": "false",
        **inputs,
    }
    subprocess.run(["bash", "-c", step["run"]], env=env, check=True, timeout=60, cwd=tmp_path)
    lines = (tmp_path / "env.txt").read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines)


def test_finding_4_the_action_never_lets_sync_build_unless_asked(tmp_path: Path) -> None:
    env = run_action_script(tmp_path)
    assert env.get("SHOWTIME_REQUIRE_IMAGE") == "true"
    assert "SHOWTIME_IMAGE" not in env and "SHOWTIME_SHA" not in env  # empty inputs: unset


def test_finding_4_the_action_hands_the_image_and_its_record_over(tmp_path: Path) -> None:
    sha = "ab" * 20
    env = run_action_script(
        tmp_path,
        SHOWTIME_IMAGE="r.example/x@sha256:" + "0" * 64,
        SHOWTIME_IMAGE_SHA=sha,
        SHOWTIME_SHA=sha,
    )
    assert env["SHOWTIME_IMAGE_SHA"] == sha and env["SHOWTIME_SHA"] == sha
    assert env["SHOWTIME_REQUIRE_IMAGE"] == "true"
    (tmp_path / "own").mkdir()
    allowed = run_action_script(tmp_path / "own", ALLOW_BUILD="true")
    assert "SHOWTIME_REQUIRE_IMAGE" not in allowed


@needs_evaluator
@pytest.mark.parametrize(
    ("build", "copy_from", "runs"),
    [
        ("true", "", True),  # starts with the plan, waits for the build, pushes its layout
        ("false", "ghcr.io/o/s@sha256:" + "1" * 64, True),  # copy the existing image
        ("false", "", False),  # nothing to push (no permission, or no image needed)
    ],
)
def test_the_push_job_runs_beside_a_build_or_to_copy_an_existing_image(
    build: str, copy_from: str, runs: bool
) -> None:
    push = showtime()["jobs"]["push"]
    assert push["needs"] == "plan"  # beside the build, not after it
    needs = {"plan": {"result": "success", "outputs": {"build": build, "copy_from": copy_from}}}
    assert evaluate(push["if"], {"needs": needs}, condition=True) is runs


def test_the_push_job_pushes_nothing_unless_this_runs_build_succeeded() -> None:
    """Beside the build, the push job waits for it and fails when it did not succeed (so
    sync, which deploys only what a successful push vouched for, deploys nothing); the
    credentials come after the wait, so a long build never outlives them."""
    steps = showtime()["jobs"]["push"]["steps"]
    names = [s.get("id") or s["name"] for s in steps]
    wait = next(i for i, s in enumerate(steps) if "--job-only" in s.get("run", ""))
    creds = next(i for i, s in enumerate(steps) if "configure-aws-credentials" in s.get("uses", ""))
    fetch = next(i for i, s in enumerate(steps) if "download-artifact" in s.get("uses", ""))
    assert wait < fetch < creds < names.index("push")
    run = steps[wait]["run"]
    assert '--job "$BUILD_JOB" --job-only' in run and "exit 1" in run
    assert steps[wait]["env"]["BUILD_JOB"] == showtime()["jobs"]["build"]["name"]
    assert steps[wait]["if"] == steps[fetch]["if"] == "needs.plan.outputs.build == 'true'"


@needs_evaluator
@pytest.mark.parametrize(
    ("build", "copy_from", "runs"),
    [
        ("true", "", True),  # a writer's start or push: prepare while the image builds
        ("false", "ghcr.io/o/s@sha256:" + "1" * 64, True),  # ... or while it is copied
        ("false", "", False),  # nothing to deploy, or an actor without write access
    ],
)
def test_the_stack_is_prepared_only_when_an_image_is_on_its_way(
    build: str, copy_from: str, runs: bool
) -> None:
    steps = showtime()["jobs"]["sync"]["steps"]
    prepare_if = next(s["if"] for s in steps if "--prepare" in s.get("run", ""))
    wait_if = next(s["if"] for s in steps if s.get("id") == "image")
    assert wait_if == prepare_if  # the wait, too, only when an image is on its way
    needs = {"plan": {"result": "success", "outputs": {"build": build, "copy_from": copy_from}}}
    assert evaluate(prepare_if, {"needs": needs}, condition=True) is runs
