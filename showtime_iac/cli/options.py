"""Options the stack commands share (Typer ``Annotated`` types)."""

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["Json", "PolicyFile", "ProjectDir", "Unlock"]

ProjectDir = Annotated[
    Path | None,
    typer.Option(
        "--project-dir", help="Directory of Pulumi.yaml; default $SHOWTIME_PROJECT_DIR or the repo."
    ),
]
Json = Annotated[bool, typer.Option("--json", help="One JSON document on stdout.")]
PolicyFile = Annotated[
    Path | None,
    typer.Option("--policy", help="Policy file (default size); default ./showtime.toml."),
]
Unlock = Annotated[
    bool,
    typer.Option("--unlock", help="Cancel a lock left by a killed run after the retries."),
]
