"""Carry mutmut's verdicts from one machine to the next: `save`, `restore`, `score`.

A whole mutation run takes longer than one machine lives here (hours on 2 cores), and mutmut
keeps its verdicts in `mutants/`, which is git-ignored and gone with the machine. This script
keeps them in a committed file, `tests/mutation_state.json`:

- `save`    merges the verdicts of `mutants/**/*.py.meta` into the file;
- `restore` writes them back into `mutants/` before a `mutmut run`, which then skips every
  mutant that has one and runs the rest (mutmut itself drops the verdicts of a function whose
  code changed since: each function's entry carries mutmut's hash of its code);
- `score`   prints each package's score from the file, survivors listed in
  `tests/mutation_equivalents.txt` apart (`--json` for scripts);
- `survivors` names each survivor that file does not list: what is left to triage.

Only verdicts are kept: killed, caught by mypy, timed out, survived. A mutant with no tests,
a suspicious one or one never run gets no verdict and is run again. The file has one line
per function, `"<mutant name stem>": "<hash>:<one letter per mutant>"` (k killed, t caught
by mypy --strict, o timeout, s survived, . no verdict), so a session's diff shows what it ran.

The `.meta` files are mutmut's own format (mutmut 3.8.1, pinned): `tests/test_mutmut_state.py`
runs the real mutmut through save and restore and fails when that format changes.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

STATE = Path("tests/mutation_state.json")
EQUIVALENTS = Path("tests/mutation_equivalents.txt")
MUTANTS = Path("mutants")
SEP = "__mutmut_"
#: mutmut's exit code of each verdict kept (stats.py's status_by_exit_code), and its letter
LETTER_BY_CODE = {1: "k", 3: "k", 37: "t", 36: "o", 24: "o", -24: "o", 152: "o", 255: "o", 0: "s"}
CODE_BY_LETTER = {"k": 1, "t": 37, "o": 36, "s": 0}
NONE = "."
KINDS = {"k": "killed", "t": "mypy", "o": "timeout", "s": "survived", NONE: "no verdict"}
#: the packages a score is given for (issue 29's targets), longest prefix first
PACKAGES = ("core", "program", "adapters/github", "adapters", "app")


class StateError(Exception):
    """A state file or a meta file this script cannot read: the message says which."""


# ----------------------------------------------------------------------- the state file


def load_state(path: Path) -> dict[str, dict[str, str]]:
    """``{source path: {stem: "hash:letters"}}``; empty when the file does not exist."""
    if not path.exists():
        return {}
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        files = doc["files"]
    except (ValueError, KeyError, TypeError) as exc:
        raise StateError(f"{path}: not a mutation state file ({exc})") from None
    if not isinstance(files, dict):
        raise StateError(f"{path}: `files` is not an object")
    for source, funcs in files.items():
        for stem, entry in funcs.items():
            _split(entry, f"{path}: {source}: {stem}")
    return files


def dump_state(files: Mapping[str, Mapping[str, str]]) -> str:
    """The file's text: sorted, one function per line (a diff shows what a run changed)."""
    lines = ["{", '  "tool": "mutmut 3.8.1 (.ci/mutmut_state.py)",', '  "files": {']
    sources = sorted(f for f in files if files[f])
    for i, source in enumerate(sources):
        lines.append(f"    {json.dumps(source)}: {{")
        stems = sorted(files[source])
        for j, stem in enumerate(stems):
            comma = "," if j < len(stems) - 1 else ""
            entry = files[source][stem]
            key = json.dumps(stem, ensure_ascii=False)
            lines.append(f"      {key}: {json.dumps(entry)}{comma}")
        lines.append("    }" + ("," if i < len(sources) - 1 else ""))
    lines += ["  }", "}"]
    return "\n".join(lines) + "\n"


def _split(entry: str, where: str) -> tuple[str, str]:
    digest, sep, letters = entry.partition(":")
    if not sep or not digest or set(letters) - {*CODE_BY_LETTER, NONE}:
        raise StateError(f"{where}: {entry!r} is not `<hash>:<letters>`")
    return digest, letters


# ----------------------------------------------------------------------- mutmut's meta files


def meta_paths(mutants: Path) -> list[Path]:
    return sorted(mutants.glob("showtime_iac/**/*.py.meta"))


def source_of(meta: Path, mutants: Path) -> str:
    """``showtime_iac/app/sync.py`` for ``mutants/showtime_iac/app/sync.py.meta``."""
    return meta.relative_to(mutants).as_posix().removesuffix(".meta")


def _read_meta(meta: Path) -> dict[str, Any]:
    try:
        doc = json.loads(meta.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise StateError(f"{meta}: not a mutmut 3.8 meta file ({exc})") from None
    if not isinstance(doc, dict) or not {"exit_code_by_key", "hash_by_function_name"} <= set(doc):
        raise StateError(f"{meta}: not a mutmut 3.8 meta file (no exit codes or hashes)")
    return doc


def stem_and_number(key: str) -> tuple[str, int]:
    """``("showtime_iac.app.sync.x_plan_for", 12)`` for ``…x_plan_for__mutmut_12``."""
    stem, sep, number = key.rpartition(SEP)
    if not sep or not number.isdigit() or int(number) < 1:
        raise StateError(f"{key!r} is not a mutmut mutant name")
    return stem, int(number)


def function_of(stem: str) -> str:
    """The key of mutmut's ``hash_by_function_name``: ``x_plan_for``, ``xǁClsǁmethod``."""
    return stem.rpartition(".")[2]


def entries_of(meta: Mapping[str, Any]) -> dict[str, str]:
    """One meta file's verdicts as the state's entries: ``{stem: "hash:letters"}``."""
    hashes: Mapping[str, str] = meta["hash_by_function_name"]
    letters: dict[str, dict[int, str]] = {}
    for key, code in meta["exit_code_by_key"].items():
        stem, number = stem_and_number(key)
        letters.setdefault(stem, {})[number] = LETTER_BY_CODE.get(code, NONE)
    out: dict[str, str] = {}
    for stem, by_number in letters.items():
        digest = hashes.get(function_of(stem))
        if digest is None:  # mutmut keeps no verdict of a function it has no hash of
            continue
        numbers = range(1, max(by_number) + 1)
        out[stem] = digest + ":" + "".join(by_number.get(n, NONE) for n in numbers)
    return out


def merge(old: Mapping[str, str], new: Mapping[str, str]) -> dict[str, str]:
    """One source file's entries after a run: the run's functions as it saw them (a function
    it no longer has is gone); where the code is unchanged (same hash), a mutant the run left
    without a verdict keeps the one it had."""
    out: dict[str, str] = {}
    for stem, entry in new.items():
        digest, letters = _split(entry, stem)
        before = old.get(stem)
        if before is not None:
            old_digest, old_letters = _split(before, stem)
            if old_digest == digest:
                letters = "".join(
                    n if n != NONE or i >= len(old_letters) else old_letters[i]
                    for i, n in enumerate(letters)
                )
        out[stem] = f"{digest}:{letters}"
    return out


def save(state: Path, mutants: Path, skipped: list[Path] | None = None) -> dict[str, int]:
    """Merge ``mutants/``'s verdicts into ``state``; the count of verdicts by letter.

    An empty meta file (mutmut stopped while it rewrote it: pause a run with SIGSTOP before
    `save`, never kill it) is left out and added to ``skipped``: that source file keeps the
    verdicts the state had."""
    metas = meta_paths(mutants)
    if not metas:
        raise StateError(f"no mutmut results under {mutants}/: run `mutmut run` first")
    files = load_state(state)
    for meta in metas:
        if meta.stat().st_size == 0:
            if skipped is not None:
                skipped.append(meta)
            continue
        source = source_of(meta, mutants)
        files[source] = merge(files.get(source, {}), entries_of(_read_meta(meta)))
    state.write_text(dump_state(files), encoding="utf-8")
    return count(files)


def restore(state: Path, mutants: Path) -> int:
    """Write ``state``'s verdicts into ``mutants/``; the number of mutants given one.

    A source file mutmut has not generated yet gets a meta file of its own (mutmut reads it
    when it generates the file and keeps the verdicts of every function whose hash is the
    same). One it has generated keeps its own verdicts; those it lacks are filled in where the
    function's hash is the same."""
    files = load_state(state)
    if not files:
        raise StateError(f"{state}: no verdicts to restore")
    restored = 0
    for source, funcs in sorted(files.items()):
        meta = mutants / (source + ".meta")
        if meta.exists() and meta.stat().st_size > 0:  # an empty one: rewritten from the state
            doc = _read_meta(meta)
        else:
            doc = {
                "exit_code_by_key": {},
                "hash_by_function_name": {},
                "type_check_error_by_key": {},
                "durations_by_key": {},
                "estimated_durations_by_key": {},
            }
        codes: dict[str, int | None] = doc["exit_code_by_key"]
        hashes: dict[str, str] = doc["hash_by_function_name"]
        for stem, entry in funcs.items():
            digest, letters = _split(entry, f"{source}: {stem}")
            func = function_of(stem)
            if hashes.setdefault(func, digest) != digest:
                continue  # changed since: mutmut runs it again
            for number, letter in enumerate(letters, 1):
                key = f"{stem}{SEP}{number}"
                if letter != NONE and codes.get(key) is None:
                    codes[key] = CODE_BY_LETTER[letter]
                    restored += 1
        meta.parent.mkdir(parents=True, exist_ok=True)
        meta.write_text(json.dumps(doc, indent=4), encoding="utf-8")
    return restored


# ----------------------------------------------------------------------- the score


def mutants_of(files: Mapping[str, Mapping[str, str]]) -> Iterator[tuple[str, str, str]]:
    """Every mutant the state holds: ``(source path, mutant name, letter)``."""
    for source, funcs in files.items():
        for stem, entry in funcs.items():
            for number, letter in enumerate(_split(entry, stem)[1], 1):
                yield source, f"{stem}{SEP}{number}", letter


def count(files: Mapping[str, Mapping[str, str]]) -> dict[str, int]:
    out = dict.fromkeys((*CODE_BY_LETTER, NONE), 0)
    for _source, _name, letter in mutants_of(files):
        out[letter] += 1
    return out


def package_of(source: str) -> str:
    rest = source.removeprefix("showtime_iac/")
    for package in PACKAGES:
        if rest.startswith(package + "/"):
            return package
    return "other"


def equivalents(path: Path) -> set[str]:
    if not path.exists():
        return set()
    out = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        name, sep, _reason = line.partition("  # ")
        if sep and not line.startswith("#"):
            out.add(name.strip())
    return out


def score(files: Mapping[str, Mapping[str, str]], listed: Iterable[str]) -> list[dict[str, Any]]:
    """Per package: verdicts by kind, survivors listed as equivalent and not, and the score
    (caught of those with a verdict: killed, caught by mypy, timed out)."""
    excused = set(listed)
    rows: dict[str, dict[str, Any]] = {}
    for source, name, letter in mutants_of(files):
        row = rows.setdefault(
            package_of(source),
            {"killed": 0, "mypy": 0, "timeout": 0, "survived": 0, "listed": 0, "no_verdict": 0},
        )
        row[KINDS[letter].replace(" ", "_")] += 1
        if letter == "s" and name in excused:
            row["listed"] += 1
    out = []
    for package in sorted(rows, key=(*PACKAGES, "other").index):
        row = rows[package]
        caught = row["killed"] + row["mypy"] + row["timeout"]
        judged = caught + row["survived"]
        out.append(
            {
                "package": package,
                **row,
                "unexplained": row["survived"] - row["listed"],
                "score": round(100 * caught / judged, 1) if judged else None,
            }
        )
    return out


def unexplained(files: Mapping[str, Mapping[str, str]], listed: Iterable[str]) -> list[str]:
    """The survivors no line of the equivalents file excuses, sorted by name."""
    excused = set(listed)
    return sorted(n for _s, n, letter in mutants_of(files) if letter == "s" and n not in excused)


def _table(rows: list[dict[str, Any]]) -> str:
    head = ("package", "killed", "mypy", "timeout", "survived", "listed", "unexplained")
    lines = ["| " + " | ".join((*head, "no verdict", "score")) + " |"]
    lines.append("|" + "---|" * (len(head) + 2))
    for row in rows:
        value = "–" if row["score"] is None else f"{row['score']} %"
        cells = [str(row[k]) for k in head] + [str(row["no_verdict"]), value]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


# ----------------------------------------------------------------------- the command


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mutmut_state.py", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("save", "restore", "score", "survivors"))
    parser.add_argument("--state", type=Path, default=STATE, help=f"default {STATE}")
    parser.add_argument("--mutants", type=Path, default=MUTANTS, help=f"default {MUTANTS}/")
    parser.add_argument("--equivalents", type=Path, default=EQUIVALENTS)
    parser.add_argument("--json", action="store_true", help="score: JSON rows")
    args = parser.parse_args(argv)
    try:
        if args.command == "save":
            skipped: list[Path] = []
            counts = save(args.state, args.mutants, skipped)
            for meta in skipped:
                _out(f"skipped {meta}: empty (mutmut stopped while writing it); kept as saved")
            said = ", ".join(f"{counts[k]} {v}" for k, v in KINDS.items())
            _out(f"saved to {args.state}: {said}")
        elif args.command == "restore":
            n = restore(args.state, args.mutants)
            _out(f"restored {n} verdicts into {args.mutants}/: `mutmut run` runs the rest")
        elif args.command == "survivors":
            names = unexplained(load_state(args.state), equivalents(args.equivalents))
            _out("\n".join(names) if names else "no survivor left to triage")
        else:
            rows = score(load_state(args.state), equivalents(args.equivalents))
            _out(json.dumps(rows, indent=2) if args.json else _table(rows))
    except (StateError, OSError) as exc:
        sys.stderr.write(f"mutmut_state.py: error: {exc}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
