"""Contracts of ``showtime_iac.app.baseline.resolve_ref`` (issue 29): the GitHub API is asked
only with both GITHUB_TOKEN and GITHUB_REPOSITORY (else git is), a git that fails or cannot
run is never trusted, and the one line an operator gets when no tip is found."""

from __future__ import annotations

from pathlib import Path

import pytest

from showtime_iac.app.baseline import resolve_ref
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
