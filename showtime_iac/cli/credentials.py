"""``showtime-iac credentials``: the admin login of a PR's environment (needs AWS access)."""

import sys
from typing import Annotated

import typer

__all__ = ["credentials", "register"]


def credentials(
    pr: Annotated[int, typer.Argument(help="Pull request number.", min=0)],
    sha: Annotated[
        str | None,
        typer.Option("--sha", help="Commit SHA (7-40 hex); default: the PR's newest."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
) -> None:
    """Print the Superset admin login of a PR's environment.

    Reads the environment's own Secrets Manager secret (generated once when its stack was
    created); needs AWS credentials allowed secretsmanager:ListSecrets and GetSecretValue on
    sti-pr-* secrets. Prints to your terminal only: never run it in a CI job whose log others
    can read.

    Example:  showtime-iac credentials 1234 --sha abc1234
    """
    from showtime_iac.app.credentials import admin_login
    from showtime_iac.cli.output import emit_json

    login = admin_login(pr, sha)
    if as_json:
        emit_json(login)
        return
    sys.stdout.write(
        f"PR #{login['pr']} at {login['sha']}: Superset admin login\n"
        f"  username: {login['username']}\n"
        f"  password: {login['password']}\n"
    )


def register(app: typer.Typer) -> None:
    app.command()(credentials)
