"""Rewrite the docs' command outputs from the real CLI: ``python -m tests.docs.regen``.

Runs every ``<!-- cli ... -->`` marker of README.md and docs/ (see ``tests/docs/markers.py``)
and rewrites the blocks whose output no longer matches. Blocks that match (up to their masks)
are left alone, so a clock-dependent block does not change on every run; ``--all`` rewrites
every block. ``--check`` writes nothing and exits 1 if any block is out of date.

    .venv/bin/python -m tests.docs.regen            # after a CLI change
    .venv/bin/python -m tests.docs.regen docs/commands/plan.md --all
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.docs.markers import ROOT, Marker, Result, doc_files, markers, matches, rewrite, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("files", nargs="*", type=Path, help="default: README.md and docs/**/*.md")
    parser.add_argument(
        "--all", action="store_true", help="rewrite every block, not only stale ones"
    )
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when stale")
    parser.add_argument("-j", "--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    files = [f.resolve() for f in args.files] or doc_files()
    todo: list[Marker] = [mk for f in files for mk in markers(f)]
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(run, todo))
    stale: dict[Path, dict[int, Result]] = {}
    bad_exit = 0
    for mk, res in zip(todo, results, strict=True):
        if mk.exit is not None and res.exit_code != mk.exit:
            print(f"{mk.where}: exit {res.exit_code}, the marker says {mk.exit}: {mk.command}")
            bad_exit += 1
        if not matches(mk, res):
            print(f"{mk.where}: out of date: {mk.command}")
            stale.setdefault(mk.path, {})[mk.line] = res
        elif args.all:
            stale.setdefault(mk.path, {})[mk.line] = res
    n_stale = sum(len(r) for r in stale.values())
    if args.check:
        print(f"{len(todo)} blocks, {n_stale} out of date, {bad_exit} exit mismatches")
        return 1 if stale or bad_exit else 0
    changed = [p for p, res in stale.items() if rewrite(p, res)]
    for p in changed:
        print(f"wrote {p.relative_to(ROOT) if p.is_relative_to(ROOT) else p}")
    print(
        f"{len(todo)} blocks, {sum(len(r) for r in stale.values())} rewritten, {bad_exit} exit mismatches"
    )
    return 1 if bad_exit else 0


if __name__ == "__main__":
    sys.exit(main())
