"""``migrate``: take over Superset Showtime's environments (see docs/migration.md)."""

from pathlib import Path
from typing import Annotated

import typer

from showtime_iac.cli.options import Repo

__all__ = ["migrate", "register"]


def migrate(
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="List what the original runs and what would be done."),
    ] = False,
    prune: Annotated[
        bool,
        typer.Option(
            "--prune",
            help="Also remove the original's environments of closed PRs, of SHAs no longer"
            " in their PR, failed ones and strays.",
        ),
    ] = False,
    repo: Repo = None,
    policy: Annotated[
        Path | None,
        typer.Option("--policy", help="Policy file; default $SHOWTIME_POLICY or ./showtime.toml."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document on stdout.")] = False,
) -> None:
    """Move every environment Superset Showtime runs onto our own stacks, without a gap.

    Per open PR: what the original runs (its 🎪 labels; its ECS service, task definition,
    image, IP and age in the shared cluster) and what happens to it. The active, running
    environment of each open PR is deployed as our stack pr-{PR}-{sha7} (same SHA, image,
    TTL and requester); once ours is healthy, 🎯 and 🌐 name it, the labels are rewritten
    in our dialect, and exactly what the original created for it is deleted. A failed
    deploy of ours leaves the original and its labels untouched. Environments on closed PRs,
    of SHAs no longer in their PR, failed or stray ones are listed, and removed only with
    --prune. Exit 1 when an environment failed.

    Examples:

    \b
        showtime-iac migrate --dry-run         # what runs, what would happen
        showtime-iac migrate                   # the switch
        showtime-iac migrate --prune --json    # and remove what is stale
    """
    from showtime_iac.app.migrate import migrate as run_migrate
    from showtime_iac.cli.views.migrate import show_migration

    report = run_migrate(dry_run=dry_run, prune=prune, repo=repo, policy_file=policy)
    show_migration(report, as_json)
    if report.exit_code:
        raise typer.Exit(report.exit_code)


def register(app: typer.Typer) -> None:
    app.command()(migrate)
