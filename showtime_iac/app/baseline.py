"""The baseline environment of the default branch: ``up --ref BRANCH`` is "PR 0".

:func:`target` turns ``PR`` or ``--ref BRANCH`` into the PR number and SHA to deploy;
:func:`resolve_ref` finds a branch's tip; :func:`retire_old_baselines` destroys the baseline
stacks of older SHAs once the new one is up.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from showtime_iac.core.model import BASELINE_PR, EnvConfig, InputError

if TYPE_CHECKING:
    from showtime_iac.adapters.stacks import PulumiDriver

__all__ = ["REF_RE", "resolve_ref", "retire_old_baselines", "target"]

REF_RE = re.compile(r"^(?!/)(?!.*\.\.)(?!.*//)[A-Za-z0-9._/-]{1,200}(?<![/.])$")


def _check_ref(ref: str) -> None:
    if not REF_RE.match(ref):
        raise InputError(f"--ref {ref[:60]!r} is not a branch name")


def target(
    pr: int | None,
    ref: str | None,
    sha: str | None,
    env: Mapping[str, str],
    before_lookup: Callable[[], None] | None = None,
) -> tuple[int, str | None]:
    """The PR number and SHA of an ``up``: the PR's, or the baseline's (PR 0) for ``ref``;
    ``before_lookup`` runs before the tip of ``ref`` is looked up (GitHub, git)."""
    if pr is None and ref is None:
        raise InputError("give a PR number or --ref BRANCH (the baseline)")
    if pr is not None and ref is not None:
        raise InputError("give a PR number or --ref BRANCH (the baseline), not both")
    if ref is None:
        assert pr is not None
        return pr, sha
    _check_ref(ref)
    if sha is None and before_lookup is not None:
        before_lookup()
    return BASELINE_PR, sha or resolve_ref(ref, env)


def resolve_ref(ref: str, env: Mapping[str, str]) -> str:
    """The SHA at the tip of branch ``ref``: Actions' own variables, the API, or git."""
    _check_ref(ref)
    if env.get("GITHUB_SHA") and env.get("GITHUB_REF_NAME") == ref:
        return env["GITHUB_SHA"]
    if env.get("GITHUB_TOKEN") and env.get("GITHUB_REPOSITORY"):
        from showtime_iac.app import wiring
        from showtime_iac.settings import Settings

        return wiring.open_github(Settings.from_env(env)).branch_head(ref)
    import shutil
    import subprocess

    git = shutil.which("git")
    for rev in (f"refs/remotes/origin/{ref}", f"refs/heads/{ref}") if git else ():
        try:  # ref is validated above; no shell
            done = subprocess.run(  # noqa: S603
                [git or "git", "rev-parse", "--verify", "--quiet", rev + "^{commit}"],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            break
        if done.returncode == 0 and done.stdout.strip():
            return done.stdout.strip()
    raise InputError(
        f"cannot find the tip of branch {ref!r}: pass --sha SHA (or set GITHUB_TOKEN and"
        " GITHUB_REPOSITORY, or run inside a clone that has the branch)"
    )


def retire_old_baselines(driver: PulumiDriver, cfg: EnvConfig) -> list[str]:
    """Destroy the baseline stacks of older SHAs, now that ``cfg``'s is up."""
    old = [s for s in driver.list() if s.pr == BASELINE_PR and s.name != cfg.stack]
    for info in old:
        driver.destroy(BASELINE_PR, info.sha7)
    return [info.name for info in old]
