"""The plan job's step, run under bash with the real showtime-iac: a queued start's commit is
built when it is asked for (the cleanup starts it later with that image and never builds)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from tests import payloads as P

ROOT = Path(__file__).resolve().parents[2]
PUSHED = "b" * 40


def run_plan_step(tmp_path: Path, payload: dict[str, Any], head: str) -> dict[str, str]:
    wf = yaml.safe_load((ROOT / ".github/workflows/showtime.yml").read_text(encoding="utf-8"))
    script = next(s["run"] for s in wf["jobs"]["plan"]["steps"] if s.get("id") == "plan")
    bindir = tmp_path / "bin"
    bindir.mkdir()
    gh = bindir / "gh"  # only the collaborator permission is read: the pusher is a writer
    gh.write_text("#!/usr/bin/env bash\necho write\n", encoding="utf-8")
    gh.chmod(0o755)
    event = tmp_path / "event.json"
    event.write_text(json.dumps(payload), encoding="utf-8")
    out = tmp_path / "out"
    env: dict[str, Any] = {
        "PATH": f"{bindir}:{Path(sys.executable).parent}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "GITHUB_OUTPUT": str(out),
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_EVENT_NAME": "pull_request_target",
        "GITHUB_REPOSITORY": "apache/superset",
        "PR": "1234",
        "HEAD_SHA": head,
        "ACTOR": "maintainer",
    }
    subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, env=env, check=True, timeout=120, text=True
    )
    return dict(
        line.split("=", 1) for line in out.read_text(encoding="utf-8").splitlines() if "=" in line
    )


def test_a_push_to_a_queued_branch_builds_the_new_head_for_its_later_start(
    tmp_path: Path,
) -> None:
    labels = ["🎪 abc1234 🚦 queued", "🎪 abc1234 📅 2026-01-15T09-00", "🎪 abc1234 👤 maintainer"]
    payload = P.pull_request("synchronize", labels, sha=PUSHED, fork=False)
    out = run_plan_step(tmp_path, payload, PUSHED)
    assert json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))["intent"] == "queue"
    assert out["build"] == "true" and out["head_sha"] == PUSHED


def test_a_push_to_a_queued_fork_builds_nothing(tmp_path: Path) -> None:
    labels = ["🎪 abc1234 🚦 queued", "🎪 abc1234 📅 2026-01-15T09-00", "🎪 abc1234 👤 maintainer"]
    payload = P.pull_request("synchronize", labels, sha=PUSHED, fork=True)
    out = run_plan_step(tmp_path, payload, PUSHED)
    assert out["build"] == "false"
