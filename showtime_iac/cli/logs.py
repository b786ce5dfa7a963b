"""``showtime-iac logs``: an environment's CloudWatch logs for people without AWS access.

boto3 is imported by the application inside the operation only (``--help`` must start fast).
"""

import sys
from typing import Annotated

import typer

__all__ = ["logs", "register"]


def logs(
    pr: Annotated[int, typer.Argument(help="Pull request number.", min=1)],
    sha: Annotated[
        str | None,
        typer.Option(
            "--sha", help="Commit SHA (7-40 hex); default: the PR's most recent environment."
        ),
    ] = None,
    tail: Annotated[
        int, typer.Option("--tail", "-n", help="How many lines (1-10000).", min=1, max=10000)
    ] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
) -> None:
    """Print the last lines of a PR environment's logs, secrets redacted.

    Reads the CloudWatch log group /showtime/pr-{PR}-{sha7} (its newest streams, merged
    by time). Without --sha, picks the PR's most recently written log group.
    Needs AWS credentials (the usual AWS_* variables; AWS_ENDPOINT_URL is honoured).

    Example:  showtime-iac logs 1234 --sha abc1234 --tail 20
    """
    from showtime_iac.app.logs import read_logs
    from showtime_iac.cli.output import emit_json

    result = read_logs(pr, sha, tail)
    if as_json:
        emit_json(result.as_dict())
        return
    sys.stdout.write(f"# {result.log_group} (last {len(result.lines)} lines, redacted)\n")
    if result.lines:
        sys.stdout.write(result.text() + "\n")


def register(app: typer.Typer) -> None:
    app.command()(logs)
