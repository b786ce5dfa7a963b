"""``labels explain|setup|prune``: the 🎪 vocabulary and the repository's label definitions."""

import sys
from typing import Annotated

import typer

from showtime_iac.cli.options import Repo

__all__ = ["register"]

_Json = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
_DryRun = Annotated[bool, typer.Option("--dry-run", help="Show what would change; write nothing.")]

labels_app = typer.Typer(
    name="labels",
    help="The 🎪 label vocabulary and the repository's label definitions.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@labels_app.command("explain")
def explain(as_json: _Json = False) -> None:
    """Print the 🎪 label vocabulary: what each label means (offline).

    Example:  showtime-iac labels explain
    """
    from showtime_iac.core.labels import VOCABULARY

    if as_json:
        from showtime_iac.cli.output import emit_json

        emit_json([{"label": name, "meaning": meaning} for name, meaning in VOCABULARY])
        return
    from showtime_iac.cli.output import plain_columns

    sys.stdout.write("".join(line + "\n" for line in plain_columns(VOCABULARY)))


@labels_app.command("setup")
def setup(repo: Repo = None, dry_run: _DryRun = False, as_json: _Json = False) -> None:
    """Create the trigger labels (start, stop, freeze, blocked) with colours and descriptions.

    Safe to re-run: an existing label is left alone, or restyled when its colour or
    description differ. Needs GITHUB_TOKEN (issues: write) unless --dry-run.

    Example:  showtime-iac labels setup --repo apache/superset
    """
    from showtime_iac.app.labels import setup_labels

    results = setup_labels(repo, dry_run)
    if as_json:
        from showtime_iac.cli.output import emit_json

        emit_json(
            {
                "dry_run": dry_run,
                "labels": [
                    {
                        "name": r.name,
                        "color": r.color,
                        "description": r.description,
                        "result": r.result,
                    }
                    for r in results
                ],
            }
        )
        return
    from showtime_iac.cli.output import table

    title = "labels setup" + (" (dry run)" if dry_run else "")
    table(("LABEL", "RESULT"), [(r.name, r.result) for r in results], title=title)


@labels_app.command("prune")
def prune(repo: Repo = None, dry_run: _DryRun = False, as_json: _Json = False) -> None:
    """Delete 🎪 label definitions no open PR uses (per-SHA labels pile up by the hundreds).

    Trigger labels and testenv-up are kept; labels on open PRs are kept. `cleanup` runs this
    after its sweep.

    Example:  showtime-iac labels prune --dry-run
    """
    from showtime_iac.app.labels import prune_labels

    names = prune_labels(repo, dry_run)
    if as_json:
        from showtime_iac.cli.output import emit_json

        emit_json({"dry_run": dry_run, "deleted": names})
        return
    from showtime_iac.cli.output import table

    verb = "would delete" if dry_run else "deleted"
    title = f"labels prune: {verb} {len(names)}"
    table(("LABEL", "RESULT"), [(n, verb) for n in names], title=title)


def register(app: typer.Typer) -> None:
    app.add_typer(labels_app)
