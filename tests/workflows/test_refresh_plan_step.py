"""The plan job's step, run under bash with the real showtime-iac against the local GitHub API
server (only `gh`, which reads the head, is a stand-in): a `/showtime refresh` deploys the
commit its writer approved, and a fork's head that moved after the comment is refused."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from tests import payloads as P
from tests.github_api_server import GitHubServer

ROOT = Path(__file__).resolve().parents[2]
SEEN = "a" * 40  # the head the writer reviewed
PUSHED = "b" * 40  # pushed by the fork's author right after the comment


def run_plan_step(tmp_path: Path, server: GitHubServer, body: str) -> dict[str, str]:
    wf = yaml.safe_load((ROOT / ".github/workflows/showtime.yml").read_text(encoding="utf-8"))
    script = next(s["run"] for s in wf["jobs"]["plan"]["steps"] if s.get("id") == "plan")
    bindir = tmp_path / "bin"
    bindir.mkdir()
    gh = bindir / "gh"  # `gh api .../pulls/N --jq .head.sha`: the head as the run reads it
    head = server._pulls[1234]["head_sha"]
    gh.write_text(f"#!/usr/bin/env bash\necho {head}\n", encoding="utf-8")
    gh.chmod(0o755)
    event = tmp_path / "event.json"
    event.write_text(json.dumps(P.issue_comment(body, [])), encoding="utf-8")
    out = tmp_path / "out"
    env: dict[str, Any] = {
        "PATH": f"{bindir}:{Path(sys.executable).parent}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "GITHUB_OUTPUT": str(out),
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_EVENT_NAME": "issue_comment",
        "GITHUB_REPOSITORY": server.repo,
        "GITHUB_API_URL": server.url,
        "GITHUB_TOKEN": server.token,
        "GH_TOKEN": server.token,
        "PR": "1234",
        "HEAD_SHA": "",  # a comment's payload names no commit
        "ACTOR": "maintainer",
    }
    subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, env=env, check=True, timeout=120, text=True
    )
    return dict(
        line.split("=", 1) for line in out.read_text(encoding="utf-8").splitlines() if "=" in line
    )


def test_a_fork_head_moved_after_the_comment_is_refused(
    ghserver: GitHubServer, tmp_path: Path
) -> None:
    ghserver.add_pr(1234, head_sha=SEEN, fork=True)
    ghserver.push(1234, PUSHED)
    out = run_plan_step(tmp_path, ghserver, "/showtime refresh")
    assert out.get("refused") == "true"
    assert "head_sha" not in out and "build" not in out  # nothing is built nor deployed


def test_the_named_commit_is_the_one_the_run_is_about(
    ghserver: GitHubServer, tmp_path: Path
) -> None:
    ghserver.add_pr(1234, head_sha=SEEN, fork=True)
    ghserver.push(1234, PUSHED)
    out = run_plan_step(tmp_path, ghserver, f"/showtime refresh {SEEN[:7]}")
    assert out["head_sha"] == SEEN and "refused" not in out


def test_other_commands_and_same_repository_prs_are_about_the_head(
    ghserver: GitHubServer, tmp_path: Path
) -> None:
    ghserver.add_pr(1234, head_sha=SEEN)
    ghserver.push(1234, PUSHED)
    assert run_plan_step(tmp_path, ghserver, "/showtime refresh")["head_sha"] == PUSHED
    (tmp_path / "bin").rename(tmp_path / "bin1")
    assert run_plan_step(tmp_path, ghserver, "/showtime extend 48h")["head_sha"] == PUSHED
