"""The baseline environment of the default branch: ``up --ref BRANCH`` is "PR 0"."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from showtime_iac.app.baseline import resolve_ref
from showtime_iac.app.cleanup import prs_to_look_up
from showtime_iac.cli import main
from showtime_iac.core.model import InputError, parse_stack_name, stack_name
from tests.cli.test_cli_stacks import engine, no_engine  # noqa: F401  (fixtures)
from tests.doubles import FakeEngine
from tests.github_api_server import GitHubServer

SHA = "b" * 40


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    rc = main(args)
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_pr_0_is_the_baseline_stack() -> None:
    assert stack_name(0, SHA) == "pr-0-bbbbbbb"
    assert parse_stack_name("pr-0-bbbbbbb") == (0, "bbbbbbb")
    assert parse_stack_name("pr-00-bbbbbbb") is None
    with pytest.raises(InputError):
        stack_name(-1, SHA)


def test_cleanup_never_looks_up_the_baseline_as_a_pr() -> None:
    assert prs_to_look_up([], ["pr-0-bbbbbbb", "pr-5-aaaaaaa"]) == [5]


def test_dry_run_renders_the_baseline_offline(
    no_engine: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    rc, out, _ = run(
        ["up", "--ref", "master", "--sha", SHA, "--ttl", "manual", "--dry-run", "--json"], capsys
    )
    assert rc == 0
    doc = json.loads(out)
    assert doc["stack"] == "pr-0-bbbbbbb" and doc["mode"] == "offline"
    assert doc["labels"]["claim"] == {"add": [], "remove": []}
    service = next(r for r in doc["resources"] if r["type"] == "aws:ecs/service:Service")
    assert service["tags"]["showtime:pr"] == "0" and service["tags"]["showtime:ttl"] == "manual"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["up", "--sha", SHA, "--dry-run"], "give a PR number or --ref"),
        (["up", "12", "--ref", "master", "--sha", SHA, "--dry-run"], "not both"),
        (["up", "--ref", "../etc", "--sha", SHA, "--dry-run"], "not a branch name"),
        (["up", "--ref", "master", "--sha", "nothex", "--dry-run"], "invalid commit SHA"),
    ],
)
def test_bad_baseline_input_exits_2(
    args: list[str],
    message: str,
    no_engine: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    rc, out, err = run(args, capsys)
    assert rc == 2 and message in err and out == ""


def test_ref_from_actions_variables() -> None:
    env = {"GITHUB_SHA": SHA, "GITHUB_REF_NAME": "master"}
    assert resolve_ref("master", env) == SHA


def test_ref_from_the_github_api(ghserver: GitHubServer) -> None:
    ghserver.branches["master"] = "c" * 40
    env = {
        **ghserver.env(),
        "GITHUB_SHA": SHA,
        "GITHUB_REF_NAME": "other-branch",  # a PR run: its SHA is not master's
    }
    assert resolve_ref("master", env) == "c" * 40
    assert ghserver.count("GET", r"/branches/master$") == 1


@pytest.fixture
def clone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A git clone with one commit on ``main``, as the current directory; returns its SHA."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=tmp_path, capture_output=True, text=True, check=True
        ).stdout.strip()

    git("init", "-q", "-b", "main")
    git("-c", "user.name=t", "-c", "user.email=t@e", "commit", "-q", "--allow-empty", "-m", "x")
    monkeypatch.chdir(tmp_path)
    return git("rev-parse", "HEAD")


def test_ref_from_git(clone: str) -> None:
    assert resolve_ref("main", {}) == clone
    with pytest.raises(InputError, match="pass --sha SHA"):
        resolve_ref("no-such-branch", {})


def test_up_ref_replaces_the_previous_baseline(
    engine: FakeEngine,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GITHUB_SHA", "a" * 40)
    monkeypatch.setenv("GITHUB_REF_NAME", "master")
    assert run(["up", "--ref", "master", "--json"], capsys)[0] == 0
    assert "pr-0-aaaaaaa" in engine.stacks
    monkeypatch.setenv("GITHUB_SHA", SHA)
    rc, out, err = run(["up", "--ref", "master", "--json"], capsys)
    assert rc == 0 and json.loads(out)["stack"] == "pr-0-bbbbbbb"
    assert "pr-0-aaaaaaa" not in engine.stacks and "pr-0-bbbbbbb" in engine.stacks
    assert "pr-1234-abc1234" in engine.stacks  # PR stacks are not the baseline's business
    assert "destroyed the previous baseline pr-0-aaaaaaa" in err
