"""Contracts of ``showtime_iac.app.baseline`` (issue 29): ``resolve_ref`` asks the GitHub API
only with both GITHUB_TOKEN and GITHUB_REPOSITORY (else git), never trusts a git that fails or
cannot run, and gives one line when no tip is found; ``target``'s two lines for a PR and a
``--ref`` both or neither, and its lookup hook, run only when no SHA is given."""

from __future__ import annotations

from pathlib import Path

import pytest

from showtime_iac.app.baseline import resolve_ref, target
from showtime_iac.core.model import InputError
from tests.app.test_baseline import clone  # noqa: F401  (fixture)

NOT_FOUND = (
    "cannot find the tip of branch 'no-such-branch': pass --sha SHA (or set GITHUB_TOKEN and"
    " GITHUB_REPOSITORY, or run inside a clone that has the branch)"
)


def test_missing_branch_is_the_documented_line(clone: str) -> None:  # noqa: F811
    with pytest.raises(InputError) as err:
        resolve_ref("no-such-branch", {})
    assert str(err.value) == NOT_FOUND


@pytest.mark.parametrize(
    "env", [{"GITHUB_TOKEN": "t0ken"}, {"GITHUB_REPOSITORY": "apache/superset"}]
)
def test_half_the_github_settings_fall_back_to_git(
    clone: str,  # noqa: F811
    env: dict[str, str],
) -> None:
    assert resolve_ref("main", env) == clone


def fake_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str) -> None:
    bin_dir = tmp_path / "fakegit"
    bin_dir.mkdir()
    exe = bin_dir / "git"
    exe.write_text(script)
    exe.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))


def test_a_git_that_cannot_run_is_the_documented_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_git(tmp_path, monkeypatch, "#!/nonexistent/interpreter\n")
    with pytest.raises(InputError) as err:
        resolve_ref("no-such-branch", {})
    assert str(err.value) == NOT_FOUND


def test_a_failing_git_is_not_trusted_even_if_it_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_git(tmp_path, monkeypatch, f"#!/bin/sh\necho {'a' * 40}\nexit 128\n")
    with pytest.raises(InputError) as err:
        resolve_ref("no-such-branch", {})
    assert str(err.value) == NOT_FOUND


def test_a_long_ref_that_is_not_a_branch_name_is_cut_at_60_characters() -> None:
    ref = "a.." + "b" * 67  # 70 characters, ".." is never in a branch name
    with pytest.raises(InputError) as err:
        resolve_ref(ref, {})
    assert str(err.value) == (
        "--ref 'a..bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb' is not a branch name"
    )


# --------------------------------------------------------------------------- target

SHA = "abc1234def5678abc1234def5678abc1234def56"


def test_neither_a_pr_nor_a_ref_is_the_documented_line() -> None:
    with pytest.raises(InputError) as err:
        target(None, None, SHA, {})
    assert str(err.value) == "give a PR number or --ref BRANCH (the baseline)"


def test_a_pr_and_a_ref_is_the_documented_line() -> None:
    with pytest.raises(InputError) as err:
        target(12, "master", SHA, {})
    assert str(err.value) == "give a PR number or --ref BRANCH (the baseline), not both"


def test_the_lookup_hook_runs_only_when_the_tip_is_looked_up() -> None:
    """``before_lookup`` runs before a branch's tip is looked up: never with ``--sha``; and
    without a hook the tip is looked up all the same."""
    calls: list[str] = []
    env = {"GITHUB_SHA": "f" * 40, "GITHUB_REF_NAME": "master"}
    assert target(None, "master", SHA, env, lambda: calls.append("hook")) == (0, SHA)
    assert calls == []
    assert target(None, "master", None, env, lambda: calls.append("hook")) == (0, "f" * 40)
    assert calls == ["hook"]
    assert target(None, "master", None, env) == (0, "f" * 40)
