"""``showtime-iac doctor``: what deploying needs, each failed check with its fix."""

import os
from typing import Annotated

import typer

from showtime_iac.cli.options import Json
from showtime_iac.errors import PrerequisiteError

__all__ = ["doctor", "register"]


def doctor(
    no_aws: Annotated[
        bool, typer.Option("--no-aws", help="Skip the AWS credentials check (no network).")
    ] = False,
    as_json: Json = False,
) -> None:
    """Check what deploying needs: pulumi CLI and version, backend, passphrase, AWS
    credentials, GitHub token. Each failed check comes with its fix; exit 2 if any fails
    (a missing prerequisite, as every command exits when it meets one).

    Example:  showtime-iac doctor --json
    """
    from showtime_iac.app.doctor import doctor_checks
    from showtime_iac.cli.views.doctor import show_checks

    checks = doctor_checks(os.environ, aws=not no_aws)
    show_checks(checks, as_json)
    if not all(c.ok for c in checks):
        failed = ", ".join(c.name for c in checks if not c.ok)
        raise PrerequisiteError(f"doctor: {failed} not ready (each fix is printed above)")


def register(app: typer.Typer) -> None:
    app.command()(doctor)
