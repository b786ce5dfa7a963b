"""The face: Typer commands that parse, call one application function, and print."""

from showtime_iac.cli.main import EXIT_DRIFT, EXIT_FAILED, EXIT_INPUT, EXIT_OK, app, main

__all__ = ["EXIT_DRIFT", "EXIT_FAILED", "EXIT_INPUT", "EXIT_OK", "app", "main"]
