"""The screenshots in the docs, produced from the current code: ``python -m tests.docs.screenshots``.

Each image under ``docs/img/`` is the dashboard page that ``showtime_iac.app.dashboard.render``
makes of ``tests/fixtures/dashboard/environments.json`` at :data:`NOW`, laid out by headless
Chromium (``bash .ci/install-chromium.sh`` installs it) at one window size. The manifest
``docs/img/screenshots.json`` records, for each image, the sha256 of the HTML it was taken
from and of the PNG written. ``tests/docs/test_screenshots.py`` renders the page again (no
browser needed) and fails when its HTML is no longer the one a picture shows: a stale
screenshot fails on every machine. Pixels are not compared: they vary with the fonts and the
Chromium of a machine, while the HTML is exact.

    .venv/bin/python -m tests.docs.screenshots            # rewrite the stale ones
    .venv/bin/python -m tests.docs.screenshots --all      # rewrite every one
    .venv/bin/python -m tests.docs.screenshots --check    # write nothing; exit 1 when stale
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "dashboard" / "environments.json"
IMG = ROOT / "docs" / "img"
MANIFEST = IMG / "screenshots.json"
NOW = datetime(2026, 1, 15, 14, 30, tzinfo=UTC)
COMMAND = ".venv/bin/python -m tests.docs.screenshots"


@dataclass(frozen=True)
class Shot:
    """One screenshot in the docs: its file under ``docs/img/`` and the browser window."""

    name: str
    width: int
    height: int


SHOTS = (Shot("dashboard.png", 1280, 800), Shot("dashboard-phone.png", 390, 1500))


def page_html() -> str:
    """The page every screenshot shows, as the current code renders it."""
    from showtime_iac.app.dashboard import cards_from_json, render

    cards = cards_from_json(json.loads(FIXTURE.read_text(encoding="utf-8")))
    return render(cards, NOW, repo="apache/superset")


def sha256(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def manifest() -> dict[str, Any]:
    """The recorded fingerprints (an empty record when there is no manifest yet)."""
    if not MANIFEST.is_file():
        return {"images": {}}
    data: dict[str, Any] = json.loads(MANIFEST.read_text(encoding="utf-8"))
    return data


def stale(html: str | None = None) -> list[str]:
    """Why each screenshot is out of date (one line each; empty: all are current)."""
    html = page_html() if html is None else html
    images = manifest().get("images", {})
    out = []
    for shot in SHOTS:
        rec = images.get(shot.name)
        png = IMG / shot.name
        if rec is None:
            out.append(f"docs/img/{shot.name}: not in docs/img/screenshots.json")
        elif rec.get("html_sha256") != sha256(html):
            out.append(f"docs/img/{shot.name}: shows a page the current code no longer renders")
        elif rec.get("window") != [shot.width, shot.height]:
            out.append(
                f"docs/img/{shot.name}: taken at {rec.get('window')}, not {shot.width}x{shot.height}"
            )
        elif not png.is_file() or sha256(png.read_bytes()) != rec.get("png_sha256"):
            out.append(f"docs/img/{shot.name}: not the image the manifest records")
    return out


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def browser(exe: str, args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    """Headless Chromium with a throw-away profile and nothing that reaches the network."""
    cmd = [
        exe,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)


def take(exe: str, page: Path, shot: Shot, out: Path, profile: Path) -> None:
    """A screenshot of ``page`` at the window size of ``shot``, written to ``out``."""
    res = browser(
        exe,
        [f"--window-size={shot.width},{shot.height}", f"--screenshot={out}", page.as_uri()],
        profile,
    )
    if res.returncode != 0 or not out.is_file():
        raise RuntimeError(f"chromium could not take {shot.name}: {res.stderr[-500:]}")


def write(shots: tuple[Shot, ...] = SHOTS) -> list[str]:
    """Take ``shots`` of the current page into docs/img/ and record them in the manifest."""
    exe = chromium()
    if exe is None:
        raise RuntimeError("headless Chromium not found: bash .ci/install-chromium.sh")
    html = page_html()
    data = manifest()
    images = data.setdefault("images", {})
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "index.html"
        page.write_text(html, encoding="utf-8")
        for shot in shots:
            out = Path(tmp) / shot.name
            take(exe, page, shot, out, Path(tmp) / "profile")
            shutil.copyfile(out, IMG / shot.name)
            images[shot.name] = {
                "window": [shot.width, shot.height],
                "html_sha256": sha256(html),
                "png_sha256": sha256(out.read_bytes()),
            }
            written.append(shot.name)
    data["source"] = (
        f"{FIXTURE.relative_to(ROOT)} rendered at {NOW:%Y-%m-%dT%H:%M:%SZ} by "
        "showtime_iac.app.dashboard.render, laid out by headless Chromium"
    )
    data["command"] = COMMAND
    data["images"] = dict(sorted(images.items()))
    MANIFEST.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--all", action="store_true", help="rewrite every screenshot")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when stale")
    args = parser.parse_args(argv)
    why = stale()
    for line in why:
        print(line)
    if args.check:
        return 1 if why else 0
    names = {line.split(":", 1)[0].removeprefix("docs/img/") for line in why}
    todo = SHOTS if args.all else tuple(s for s in SHOTS if s.name in names)
    if not todo:
        print("every screenshot is current")
        return 0
    try:
        written = write(todo)
    except RuntimeError as exc:
        print(f"screenshots: {exc}", file=sys.stderr)
        return 1
    print("wrote " + ", ".join(f"docs/img/{n}" for n in written) + " and docs/img/screenshots.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
