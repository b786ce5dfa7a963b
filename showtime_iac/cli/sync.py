"""``sync`` (the one entry point for workflows) and ``cleanup`` (the 6-hourly sweep)."""

from pathlib import Path
from typing import Annotated, Any

import typer

from showtime_iac.cli.options import DryRunNow, Repo, dry_run_now

__all__ = ["cleanup", "register", "sync"]

_Json = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
_DryRun = Annotated[bool, typer.Option("--dry-run", help="Plan only: write nothing anywhere.")]


def _time_option(key: str, what: str) -> Any:
    var = "SHOWTIME_" + key.upper().replace("-", "_")  # core.timings.TIME_VARS (no core here)
    return typer.Option(f"--{key}", metavar="<time>", help=f"{what} (ISO 8601); default ${var}.")


_StartedAt = Annotated[str | None, _time_option("started-at", "When the run began")]
_PlannedAt = Annotated[str | None, _time_option("planned-at", "When its plan job ended")]
_ImageAt = Annotated[str | None, _time_option("image-at", "When its image was in the registry")]
_PolicyOpt = Annotated[
    Path | None,
    typer.Option("--policy", help="Policy file; default $SHOWTIME_POLICY or ./showtime.toml."),
]


def sync(
    pr: Annotated[int, typer.Argument(help="Pull request number.", min=1)],
    event: Annotated[
        Path | None,
        typer.Option("--event", help="Webhook payload; default $GITHUB_EVENT_PATH."),
    ] = None,
    event_name: Annotated[
        str | None, typer.Option("--event-name", help="Default $GITHUB_EVENT_NAME.")
    ] = None,
    repo: Repo = None,
    policy: _PolicyOpt = None,
    dry_run: _DryRun = False,
    now: DryRunNow = None,
    started_at: _StartedAt = None,
    planned_at: _PlannedAt = None,
    image_at: _ImageAt = None,
    prepare: Annotated[
        bool,
        typer.Option(
            "--prepare",
            help="Only create the commit's stack while its image builds (no task, no service).",
        ),
    ] = False,
    as_json: _Json = False,
) -> None:
    """Bring one PR to the state its labels and event ask for (the workflows' entry point).

    Reads the event (labels, head SHA, state, actor) from the payload, plans with the pure
    planner, then claims, deploys or destroys the PR's stacks, checks the new environment's
    health, and writes the 🎪 labels, the sticky status comment, a GitHub deployment, the
    audit lines and the job summary. Without an event it syncs the PR as it is on GitHub.
    --dry-run --now T plans as of T (the 📅 label, TTLs and locks), for repeatable output.
    A deploy reports how long each phase took (the job summary, the audit line, the
    status comment's "ready in"), from the run's start when the workflow passes its
    earlier moments (--started-at, --planned-at, --image-at).

    --json keys: with --dry-run, {"dry_run": true, "plan"} (the plan as `plan --json`
    prints it); else {"plan", "outcome": {"pr", "intent", "exit_code", "sha", "url",
    "error", "actions", "timings": {"started_at", "phases", "total_seconds",
    "result"} or null}, "audit": [one object per operation]}.

    --prepare (the sync job's first step, beside the image's build): plan exactly as
    sync does and, only when that plan starts or rolls forward onto the run's commit and
    the actor has write access, create its stack without the image: role, secret, log
    group (and target group, rule, security group in HTTPS mode), no task definition, no
    service; no label, no comment.
    Nothing when the stack exists. The sync after the build only adds the task definition
    and the service; a sync of the same run that deploys nothing destroys it (see
    docs/commands/sync.md, "Preparing the stack while the image builds"). --json keys:
    {"pr", "sha", "stack", "prepared", "dry_run", "reason", "resources", "seconds"}.

    Examples:

        showtime-iac sync 1234                       # as it is on GitHub now
        showtime-iac sync 1234 --event event.json --dry-run --json
    """
    when = dry_run_now(now, dry_run)
    if prepare:
        _prepare(pr, event, event_name, repo, policy, dry_run, when, as_json)
        return
    from showtime_iac.app.sync import sync as run_sync
    from showtime_iac.cli.views.plan import show_sync

    result = run_sync(
        pr,
        event_path=event,
        event_name=event_name,
        repo=repo,
        policy_file=policy,
        dry_run=dry_run,
        now=when,
        times={"started-at": started_at, "planned-at": planned_at, "image-at": image_at},
    )
    show_sync(result, as_json)
    if result.exit_code:
        raise typer.Exit(result.exit_code)


def _prepare(
    pr: int,
    event: Path | None,
    event_name: str | None,
    repo: str | None,
    policy: Path | None,
    dry_run: bool,
    when: Any,
    as_json: bool,
) -> None:
    from showtime_iac.app.prepare import prepare as run_prepare
    from showtime_iac.cli.views.prepare import show_prepare

    result = run_prepare(
        pr,
        event_path=event,
        event_name=event_name,
        repo=repo,
        policy_file=policy,
        dry_run=dry_run,
        now=when,
    )
    show_prepare(result, as_json)


def cleanup(
    repo: Repo = None,
    policy: _PolicyOpt = None,
    dry_run: _DryRun = False,
    as_json: _Json = False,
    orphans: Annotated[
        bool,
        typer.Option(
            "--orphans/--no-orphans",
            help="Also delete tagged AWS resources no live stack owns (needs AWS access).",
        ),
    ] = True,
    prune_labels: Annotated[
        bool,
        typer.Option(
            "--prune-labels/--no-prune-labels",
            help="Also delete 🎪 label definitions no open PR uses.",
        ),
    ] = True,
    drift: Annotated[
        bool,
        typer.Option(
            "--drift/--no-drift",
            help="Also check each serving environment's stack for drift (a refresh preview, "
            "writes nothing) and note a drifted one on its PR's status comment.",
        ),
    ] = False,
    report_file: Annotated[
        Path | None,
        typer.Option(
            "--report",
            help="Also write the --json report to this file (for `dashboard --cleanup`).",
        ),
    ] = None,
) -> None:
    """Destroy expired environments and the stacks of closed PRs (the 6-hourly cron).

    Warns once before any teardown; with `idle_action = "sleep"` an idle environment is
    scaled to zero through its stack instead. A `close` or pinned (`manual`) lifetime has no
    idle expiry: only its max age ends it. Skips 🔒 blocked PRs; an open PR whose labels were
    lost keeps its stacks (run `sync PR` to repair); labels that disagree with the stacks'
    record are put back. Slots it freed go to the queued starts, first in line first. Then
    sweeps AWS resources tagged by showtime-iac that no live stack owns (`orphans: N` and the
    list), and prunes unused 🎪 label definitions; with `--drift`, checks the serving stacks
    for drift. Prints a table, or `--json`. Exit 1 when any destroy or sleep failed.

    Example:  showtime-iac cleanup --dry-run --json
    """
    from showtime_iac.app.cleanup import CleanupReport
    from showtime_iac.app.cleanup import cleanup as run_cleanup
    from showtime_iac.cli.views.plan import show_cleanup

    if report_file is not None:  # before anything runs: an error then means nothing was done
        CleanupReport.check_writable(report_file)
    report = run_cleanup(
        repo=repo,
        policy_file=policy,
        dry_run=dry_run,
        orphans=orphans,
        prune_labels=prune_labels,
        drift=drift,
    )
    if report_file is not None:
        report.write(report_file)
    show_cleanup(report, as_json)
    if report.failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command()(sync)
    app.command()(cleanup)
