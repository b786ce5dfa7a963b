"""``image find``: an image of the exact commit that another CI already pushed, verified."""

import sys
from typing import Annotated

import typer

from showtime_iac.cli.options import Json, PolicyFile, Repo

__all__ = ["find", "register", "wait"]

image_app = typer.Typer(
    name="image",
    help="Images of a PR's commit: find one that already exists (no build), or wait for this"
    " run's.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@image_app.command("find")
def find(
    pr: Annotated[int, typer.Argument(help="Pull request number (0: the default branch).", min=0)],
    sha: Annotated[str, typer.Option("--sha", help="The full 40-hex commit.")],
    source: Annotated[
        list[str] | None,
        typer.Option(
            "--source",
            help="registry/repository:tag-template to look in (repeatable); default: the"
            " policy's image_sources.",
        ),
    ] = None,
    policy: PolicyFile = None,
    as_json: Json = False,
) -> None:
    """Find an image built from the exact commit in the policy's image_sources.

    Tries each source's tag for the commit ({sha}, {sha7}, {pr}) in order, anonymously (no
    credentials needed), picks the linux/amd64 image of a multi-platform index, and accepts
    it only when its org.opencontainers.image.revision label (or the source's
    revision_label) is the full commit. Prints the image pinned by digest
    (registry/repository@sha256:...), ready for `crane copy` into ECR.

    Exit codes: 0 found, or not found (no such tag, or no image_sources: --json says
    "found": false); 1 the registry failed; 2 refused: the image names another commit, has
    no revision label, or has no linux/amd64 build (or bad input).

    Example:  showtime-iac image find 1234 --sha 4f1e...(40 hex) --json
    """
    from showtime_iac.app.prebuilt import find_prebuilt

    lookup = find_prebuilt(pr, sha, policy_path=policy, sources=source or ())
    if as_json:
        from showtime_iac.cli.output import emit_json

        emit_json(lookup.to_json())
        return
    found = lookup.found
    if found is None and not lookup.tried:
        sys.stdout.write(
            f"no image of {lookup.sha}: no image_sources in the policy, nowhere to look"
            " (docs/images.md)\n"
        )
        return
    if found is None:
        sys.stdout.write(f"no image of {lookup.sha} at {', '.join(lookup.tried)}\n")
        return
    sys.stdout.write(
        f"{found.image}\n  built from {lookup.sha} ({found.revision_label}), linux/amd64,"
        f" found as {found.source}\n"
    )


_RunId = Annotated[
    int,
    typer.Option(
        "--run-id", envvar="GITHUB_RUN_ID", help="The workflow run (default $GITHUB_RUN_ID).", min=1
    ),
]
_Job = Annotated[str, typer.Option("--job", help="The push job's name in the run.")]
_Timeout = Annotated[float, typer.Option("--timeout", help="Seconds to wait at most.", min=1)]
_Interval = Annotated[float, typer.Option("--interval", help="Seconds between two looks.", min=1)]
_Comment = Annotated[
    bool,
    typer.Option(
        "--comment",
        help="Say in the PR's status comment that the image builds, with the time since"
        " --started-at (a write token; SHOWTIME_PROGRESS=off: never).",
    ),
]
_JobOnly = Annotated[
    bool,
    typer.Option(
        "--job-only",
        help="Only wait for --job to succeed: no registry read, no AWS credentials (the push"
        " job waiting for the build).",
    ),
]
_StartedAt = Annotated[
    str | None,
    typer.Option(
        "--started-at",
        envvar="SHOWTIME_STARTED_AT",
        help="When the run began (ISO 8601; default $SHOWTIME_STARTED_AT, else now).",
    ),
]


@image_app.command("wait")
def wait(
    pr: Annotated[int, typer.Argument(help="Pull request number (0: the default branch).", min=0)],
    sha: Annotated[str, typer.Option("--sha", help="The full 40-hex commit the run builds.")],
    run_id: _RunId,
    job: _Job = "push image to ECR",
    timeout: _Timeout = 95 * 60,
    interval: _Interval = 5,
    repo: Repo = None,
    comment: _Comment = False,
    started_at: _StartedAt = None,
    job_only: _JobOnly = False,
    as_json: Json = False,
) -> None:
    """Wait for this workflow run's image of the commit (the sync job, started beside the build).

    Looks at the run's push job every --interval seconds (the Actions API: GITHUB_TOKEN
    with actions: read); once it succeeded, reads the digest of the commit's tag
    sti-pr-N-<sha7> in the ECR repository (ECR_REPOSITORY, AWS credentials with
    ecr:DescribeImages) and prints the image pinned by digest, for sync (SHOWTIME_IMAGE,
    the action's image input). A push job that failed, was cancelled or skipped (the
    build failed) means no image: sync then refuses the deploy and consumes the start
    request. Progress goes to stderr;
    with --comment also to the PR's status comment (edited in place, at most once a minute
    while nothing changes; never a label). --job-only --job NAME waits for that job's
    success alone (the push job, started beside the build, waiting for it).

    Exit codes: 0 the wait ended (--json says "ready": true with "image", or false with
    the reason: the job's end or the timeout); 1 GitHub or AWS failed; 2 bad input.

    Example:  showtime-iac image wait 1234 --sha 4f1e...(40 hex) --json
    """
    from showtime_iac.app.image_wait import await_image
    from showtime_iac.core.timings import parse_time

    def say(line: str) -> None:
        sys.stderr.write(f"image wait: {line}\n")
        sys.stderr.flush()

    result = await_image(
        pr,
        sha,
        run_id=run_id,
        repo=repo,
        job=job,
        timeout=timeout,
        interval=interval,
        progress=say,
        comment=comment,
        started_at=parse_time("--started-at", started_at) if started_at else None,
        job_only=job_only,
    )
    if as_json:
        from showtime_iac.cli.output import emit_json

        emit_json(result.to_json())
        return
    if result.ready and result.image is None:
        sys.stdout.write(f"{result.reason} ({result.image_at})\n")
    elif result.ready:
        sys.stdout.write(f"{result.image}\n  built from {result.sha}, pushed {result.image_at}\n")
    else:
        sys.stdout.write(f"no image of {result.sha}: {result.reason}\n")


def register(app: typer.Typer) -> None:
    app.add_typer(image_app)
