"""``refresh-commit`` (hidden, for the workflow's plan and sync jobs): the commit a
``/showtime refresh`` comment approved."""

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["refresh_commit", "register"]


def refresh_commit(
    pr: Annotated[int, typer.Argument(help="Pull request number.", min=1)],
    event: Annotated[Path, typer.Option("--event", help="The issue_comment payload (JSON).")],
    reply: Annotated[
        bool, typer.Option("--reply", help="Post the refusal's reply on the PR.")
    ] = False,
) -> None:
    """Print, as JSON, which commit a refresh comment deploys (docs/concepts/lifecycle.md).

    {"refresh": false} for any other comment; {"refresh": true, "sha": ..., "reply": null}
    for an approved commit; {"refresh": true, "sha": null, "reply": ...} when refused.

    Example:  showtime-iac refresh-commit 1234 --event "$GITHUB_EVENT_PATH"
    """
    from showtime_iac.app.refresh import refresh_from_event
    from showtime_iac.cli.output import emit_json

    emit_json(refresh_from_event(pr, event, reply=reply))


def register(app: typer.Typer) -> None:
    app.command("refresh-commit", hidden=True)(refresh_commit)
