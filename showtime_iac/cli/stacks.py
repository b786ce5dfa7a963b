"""Stack commands: ``up``, ``destroy``, ``drift``, ``list``, ``status``.

Engine output streams to stderr (a rich status line on a terminal, plain lines when piped);
stdout carries the result, or one JSON document with ``--json``. pulumi, rich and boto3 are
imported by the application inside the operations only.
"""

import os
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Annotated

import typer

from showtime_iac.cli.options import DryRunNow, Json, PolicyFile, ProjectDir, Unlock, dry_run_now
from showtime_iac.errors import InputError, ShowtimeError

if TYPE_CHECKING:
    from showtime_iac.core.model import Status

__all__ = ["DriftFound", "destroy", "drift", "list_", "register", "status", "up"]

EXIT_DRIFT = 3


class DriftFound(ShowtimeError):
    """Drift was found (exit code 3); the drifted resources were printed."""

    exit_code = EXIT_DRIFT


def up(
    pr: Annotated[
        int | None, typer.Argument(help="Pull request number (or --ref BRANCH).", min=1)
    ] = None,
    sha: Annotated[str | None, typer.Option("--sha", help="Commit SHA to deploy.")] = None,
    ref: Annotated[
        str | None,
        typer.Option(
            "--ref",
            help="Deploy the tip of this branch as the baseline environment (stack"
            " pr-0-<sha7>) instead of a PR.",
        ),
    ] = None,
    image: Annotated[
        str | None, typer.Option("--image", help="Prebuilt image URI (no build).")
    ] = None,
    ttl: Annotated[
        str | None,
        typer.Option(
            "--ttl",
            help="Idle lifetime: 24h, 48h, 7d, close (until the PR closes) or manual (pinned: no"
            " idle expiry); default 24h. The policy's max age ends every one.",
        ),
    ] = None,
    requester: Annotated[
        str | None,
        typer.Option("--requester", help="GitHub login (default $GITHUB_ACTOR)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be deployed; change nothing.")
    ] = False,
    now: DryRunNow = None,
    unlock: Unlock = False,
    project_dir: ProjectDir = None,
    as_json: Json = False,
) -> None:
    """Create or update the stack of one PR SHA (pr-{PR}-{sha7}) and print its outputs.

    --ref BRANCH deploys the branch's tip as the baseline environment, "PR 0" (stack
    pr-0-<sha7>), so reviewers can compare a PR with master; the SHA is --sha, else
    $GITHUB_SHA when $GITHUB_REF_NAME is BRANCH, else the GitHub API (with GITHUB_TOKEN),
    else `git rev-parse`. Older baseline stacks are destroyed once the new one is up.

    --dry-run: `pulumi preview` of the existing stack, or, without a pulumi CLI or for a
    stack that does not exist yet, the offline render of the program under Pulumi mocks: the
    environment, the PR's router stack when $SHOWTIME_DOMAIN is set (HTTPS mode), the address
    the PR would get, and on stderr one warning per made-up value of the render; --now T
    renders it as of T (the expiry tags, the 📅 label).

    --json keys: with --dry-run, {"stack", "mode": "offline", "reason", "warnings",
    "resources": [{"type", "name", "inputs", "tags", "protect", "retain_on_delete"}],
    "address_mode", "url", "sha_url", "router": {"stack", "resources"} or null, "labels":
    {"claim", "after_healthy"}} (each {"add", "remove"}), or {"stack", "mode": "preview",
    "ok"} after `pulumi preview`; without, {"stack", "outputs", "notes", "overhead_seconds"}.

    Example:  showtime-iac up 1234 --sha abc1234def --ttl 48h --dry-run
    """
    from showtime_iac.app import environments as E
    from showtime_iac.cli.output import engine_display
    from showtime_iac.cli.views import stacks as V

    when = dry_run_now(now, dry_run)
    req = E.up_request(pr, ref, sha, image, ttl, requester, os.environ, deploy=not dry_run)
    display = partial(engine_display, quiet=as_json)
    if dry_run:
        V.show_dry_run(E.dry_run_up(req, project_dir, display, now=when), as_json)
    else:
        V.show_deployed(E.deploy(req, project_dir, display, unlock), as_json)


def destroy(
    pr: Annotated[int, typer.Argument(help="Pull request number.", min=1)],
    sha: Annotated[
        str | None, typer.Option("--sha", help="Only this SHA's stack; default: all of the PR.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what would be destroyed; change nothing.")
    ] = False,
    unlock: Unlock = False,
    project_dir: ProjectDir = None,
    as_json: Json = False,
) -> None:
    """Destroy a PR's stacks (resources first, then the stack; never forced).

    Refuses a stack whose showtime:pr/showtime:sha tags name another PR or SHA.

    Example:  showtime-iac destroy 1234 --sha abc1234
    """
    from showtime_iac.app import environments as E
    from showtime_iac.cli.output import engine_display
    from showtime_iac.cli.views import stacks as V
    from showtime_iac.core.model import short_sha

    result = E.destroy(
        pr,
        short_sha(sha) if sha else None,
        dry_run=dry_run,
        project_dir=project_dir,
        display=partial(engine_display, quiet=as_json),
        unlock=unlock,
    )
    V.show_destroyed(result, as_json)


def _parse_status(text: str | None) -> "Status | None":
    if text is None:
        return None
    from showtime_iac.core.model import Status

    try:
        return Status(text.strip().lower())
    except ValueError:
        known = ", ".join(s.value for s in Status)
        raise InputError(f"--status {text[:40]!r} is not a status: one of {known}") from None


def list_(
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            help="Only stacks whose 🚦 label says this (running, building, failed, ...);"
            " reads the PRs' labels from GitHub (GITHUB_TOKEN).",
        ),
    ] = None,
    project_dir: ProjectDir = None,
    policy: PolicyFile = None,
    as_json: Json = False,
) -> None:
    """List this project's PR stacks: PR, SHA, requester, age, TTL left, size and hourly
    cost, with the total.

    One backend listing (`pulumi stack ls --json`) plus the stacks' tags; no AWS call.
    With --status, one listing of the open PRs on GitHub too (the 🚦 labels hold the
    status; a stack has none). Size comes from the local stacks/Pulumi.<stack>.yaml that
    `up` writes, else the policy's default size (marked as assumed). Prices:
    SHOWTIME_PRICE_VCPU_HOUR, SHOWTIME_PRICE_GB_HOUR, SHOWTIME_PRICE_IPV4_HOUR (USD,
    Fargate on-demand defaults).

    Example:  showtime-iac list --status running --json
    """
    from showtime_iac.app.environments import list_environments
    from showtime_iac.cli.views.stacks import show_listing

    listing = list_environments(_parse_status(status), project_dir, policy)
    show_listing(listing, datetime.now(UTC), as_json)


def status(
    pr: Annotated[int, typer.Argument(help="Pull request number.", min=1)],
    no_live: Annotated[
        bool, typer.Option("--no-live", help="Skip AWS: the stack data only.")
    ] = False,
    project_dir: ProjectDir = None,
    policy: PolicyFile = None,
    as_json: Json = False,
) -> None:
    """Show a PR's stacks: SHA, requester, age, TTL left, size, hourly cost, outputs, and,
    live from AWS, the task's address, its status (a stopped task's reason) and health.

    Health is one quick look at http://IP:8080/health (3 s), not a wait. Without AWS
    credentials, or when AWS does not answer, the stack data is shown with the reason
    live data is unavailable (exit 0).

    Example:  showtime-iac status 1234 --json
    """
    from showtime_iac.app.environments import pr_status
    from showtime_iac.cli.views.stacks import show_status

    result = pr_status(pr, live=not no_live, project_dir=project_dir, policy_file=policy)
    show_status(result, datetime.now(UTC), as_json)


def drift(
    pr: Annotated[
        int | None, typer.Argument(help="Pull request number; default: every stack.", min=1)
    ] = None,
    every: Annotated[
        bool,
        typer.Option("--all", help="Every stack (the same as no PR, said explicitly)."),
    ] = False,
    project_dir: ProjectDir = None,
    as_json: Json = False,
) -> None:
    """Detect drift: resources changed outside Pulumi, or a program/config that differs.

    One line per drifted resource; exit code 3 when any drift is found (with `--all` or no
    PR: in any stack). Writes nothing.

    Examples:

    \b
        showtime-iac drift 1234   # the stacks of PR 1234
        showtime-iac drift --all  # every stack (`cleanup --drift` checks on schedule)
    """
    from showtime_iac.app.environments import drift as check_drift
    from showtime_iac.cli.views.stacks import show_drift

    if every and pr is not None:
        raise InputError(f"drift {pr} --all: give a PR or --all, not both")
    result = check_drift(pr, project_dir)
    show_drift(result, as_json)
    if result.n_drifted:
        raise DriftFound(f"drift found in {result.n_drifted} stack(s): see the lines above")


def register(app: typer.Typer) -> None:
    app.command()(up)
    app.command()(destroy)
    app.command("list")(list_)
    app.command()(status)
    app.command()(drift)
