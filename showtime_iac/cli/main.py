"""The ``showtime-iac`` command line (Typer).

Each command's docstring is its ``--help``. Heavy modules (pulumi, boto3, github, rich)
are imported inside the commands that need them, so ``--help`` and ``plan`` start fast; so is
the core (its dataclasses and patterns cost more than the help needs). The command modules do
not use ``from __future__ import annotations``: Typer would ``eval`` every string annotation of
every command on each start (9 ms of a 90 ms ``--help``).

Exit codes: 0 done, 1 operation failed, 2 usage or input error or a missing prerequisite
(:class:`~showtime_iac.errors.PrerequisiteError`), 3 drift found; 141 when the reader of
stdout went away (``| head``), as a shell reports a process SIGPIPE ended.
"""

import os
import sys
from typing import Annotated, Any

import typer
from typer._click.core import Context
from typer._click.exceptions import BadParameter, ClickException, NoArgsIsHelpError, UsageError
from typer.core import TyperCommand, TyperGroup, TyperOption

from showtime_iac import __version__
from showtime_iac.cli.output import fail
from showtime_iac.errors import ShowtimeError

__all__ = [
    "EXIT_DRIFT",
    "EXIT_FAILED",
    "EXIT_INPUT",
    "EXIT_OK",
    "EXIT_PIPE",
    "HELP_ORDER",
    "app",
    "main",
]

EXIT_OK, EXIT_FAILED, EXIT_INPUT, EXIT_DRIFT = 0, 1, 2, 3
EXIT_PIPE = 128 + 13  # 141: SIGPIPE's code in a shell (`set -o pipefail` sees a cut-short run)


class _StdoutClosed(Exception):
    """stdout's reader went away: a BrokenPipeError that Click must not turn into exit 1."""


#: the commands in the order ``--help`` lists them: as a user meets them. First the offline
#: tour (``plan``), then one environment's life by hand (``up`` to ``destroy``), then what the
#: workflows run (``image find``, ``sync``, ``cleanup``), then operating the fleet and the tool
#: itself.
HELP_ORDER = (
    "plan",
    "up",
    "status",
    "list",
    "logs",
    "credentials",
    "destroy",
    "image",
    "sync",
    "cleanup",
    "drift",
    "labels",
    "dashboard",
    "doctor",
    "migrate",
)


class _Group(TyperGroup):
    """The root group: commands listed in :data:`HELP_ORDER` (Click's ``list_commands``,
    the hook its help and completion read); a closed stdout, while parsing (``--help``) or
    running a command, reaches :func:`main` as :class:`_StdoutClosed` (Click would exit 1
    without a word)."""

    def list_commands(self, ctx: Context) -> list[str]:
        names = super().list_commands(ctx)
        rank = {name: i for i, name in enumerate(HELP_ORDER)}
        return sorted(names, key=lambda n: rank.get(n, len(rank)))

    def make_context(
        self, info_name: str | None, args: list[str], parent: Context | None = None, **extra: Any
    ) -> Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except BrokenPipeError as exc:
            raise _StdoutClosed from exc

    def invoke(self, ctx: Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError as exc:
            raise _StdoutClosed from exc


class _Command(TyperCommand):
    """Every command: an option given an empty value (``--ttl ""``, ``--project-dir=``) is a
    usage error, never its default in disguise (``""`` would be "unset" to the code behind
    it, and a path ``""`` is the current directory)."""

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        if args and not ctx.resilient_parsing:
            # the raw values, before any type turns "" into "." or a default
            opts, _, order = self.make_parser(ctx).parse_args(args=list(args))
            for param in order:
                value = opts.get(param.name or "")
                given = value if isinstance(value, list | tuple) else [value]  # multiple=True
                if isinstance(param, TyperOption) and any(
                    isinstance(v, str) and not v.strip() for v in given
                ):
                    raise BadParameter(
                        "an empty value (leave the option out for its default)",
                        ctx=ctx,
                        param=param,
                    )
        return super().parse_args(ctx, args)


def _use_command_class(typer_app: typer.Typer) -> None:
    """:class:`_Command` for every command of ``typer_app`` and of its sub-groups."""
    for info in typer_app.registered_commands:
        if info.cls in (None, TyperCommand):  # Typer's default: no command asked for its own
            info.cls = _Command
    for group in typer_app.registered_groups:
        if group.typer_instance is not None:
            _use_command_class(group.typer_instance)


def _stdout_closed() -> int:
    """What is left for stdout goes nowhere, so the flush at exit cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout without a file descriptor (a test's capture)
        pass
    return EXIT_PIPE


app = typer.Typer(
    name="showtime-iac",
    help=(
        "Per-PR preview environments for Apache Superset: one Pulumi stack per PR SHA, "
        "state on the PR as 🎪 labels.\n\n"
        "Exit codes: 0 done, 1 operation failed, 2 usage or input error or a missing"
        " prerequisite (pulumi CLI, credentials), 3 drift found (141: stdout closed early, as"
        " by `| head`)."
    ),
    cls=_Group,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"showtime-iac {__version__}\n")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Per-PR preview environments for Apache Superset."""


# --- command modules register themselves here (--help lists them in HELP_ORDER) ---------
from showtime_iac.cli import (  # noqa: E402
    credentials,
    dashboard,
    doctor,
    image,
    labels,
    logs,
    migrate,
    plan,
    refresh,
    stacks,
    sync,
)

for _module in (
    dashboard,
    labels,
    logs,
    credentials,
    plan,
    stacks,
    image,
    doctor,
    sync,
    migrate,
    refresh,
):
    _module.register(app)
_use_command_class(app)
# --- end of command modules --------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Console entry point: maps our errors to exit codes and one-line messages.

    Usage errors of every command (Click's) are one line on stderr and exit 2, here, once;
    so is a closed stdout: exit 141, nothing on stderr.
    """
    rc = _run(argv)
    try:
        sys.stdout.flush()  # a reader gone away shows here, not in the flush at exit
    except BrokenPipeError:
        return _stdout_closed()
    return rc


def _run(argv: list[str] | None) -> int:
    try:
        rc = app(args=argv, prog_name="showtime-iac", standalone_mode=False)
        # without standalone mode, click returns the code of a `typer.Exit(n)` instead of raising
        if isinstance(rc, int) and not isinstance(rc, bool):
            return rc
    except (_StdoutClosed, BrokenPipeError):
        return _stdout_closed()
    except ShowtimeError as exc:
        fail(str(exc))
        return exc.exit_code
    except NoArgsIsHelpError as exc:  # `showtime-iac` or `labels` alone: the help, on stderr
        exc.show()
        return EXIT_INPUT
    except UsageError as exc:
        from showtime_iac.cli.usage import usage_message

        args = sys.argv[1:] if argv is None else argv
        fail(usage_message(exc, args, typer.main.get_command(app)))
        return EXIT_INPUT
    except ClickException as exc:
        fail(exc.format_message())
        return exc.exit_code
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except typer.Abort:
        fail("aborted")
        return EXIT_FAILED
    except KeyboardInterrupt:
        fail("interrupted")
        return 130
    except Exception as exc:
        if os.environ.get("SHOWTIME_DEBUG"):
            raise
        fail(f"unexpected {type(exc).__name__}: {exc} (set SHOWTIME_DEBUG=1 for the traceback)")
        return EXIT_FAILED
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
