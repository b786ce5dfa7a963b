"""The dashboard in a real browser: headless Chromium lays the page out, every card is
visible, the phone width is one column without sideways scrolling, and a screenshot is saved.

Skipped when Chromium is missing (``.ci/install-chromium.sh`` installs it from Debian).
``SHOWTIME_UPDATE_SCREENSHOT=1`` also writes ``docs/img/dashboard.png`` for the README.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from showtime_iac.app.dashboard import cards_from_json, render

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "dashboard" / "environments.json"
NOW = datetime(2026, 1, 15, 14, 30, tzinfo=UTC)


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


CHROMIUM = _chromium()
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="headless Chromium not found (install it: bash .ci/install-chromium.sh)",
    ),
]

# Test-only probe appended to a copy of the page (the page itself has no JavaScript): it
# records, once laid out, each card's box and visibility in an element --dump-dom prints.
PROBE = """<script>
addEventListener("load", () => {
  const cards = [...document.querySelectorAll("article.card")].map((el) => {
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return {pr: +el.dataset.pr, x: Math.round(r.left), y: Math.round(r.top + scrollY),
            w: Math.round(r.width), h: Math.round(r.height),
            visible: s.display !== "none" && s.visibility !== "hidden" && +s.opacity > 0,
            text: el.innerText};
  });
  const out = document.createElement("pre");
  out.id = "probe";
  out.textContent = JSON.stringify({cards, viewport: innerWidth,
                                    scrollWidth: document.documentElement.scrollWidth});
  document.body.append(out);
});
</script>"""


def _run(args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    cmd = [
        CHROMIUM,
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


def _probe(page: Path, width: int, profile: Path) -> dict[str, object]:
    probed = page.with_name("probe-" + page.name)
    probed.write_text(
        page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8"
    )
    res = _run(
        [f"--window-size={width},900", "--virtual-time-budget=2000", "--dump-dom", probed.as_uri()],
        profile,
    )
    assert res.returncode == 0, res.stderr[-2000:]
    start = res.stdout.index('<pre id="probe">') + len('<pre id="probe">')
    raw = res.stdout[start : res.stdout.index("</pre>", start)]
    import html

    data: dict[str, object] = json.loads(html.unescape(raw))
    return data


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    w, h = struct.unpack(">II", head[16:24])
    return w, h


@pytest.fixture
def page(tmp_path: Path) -> Path:
    cards = cards_from_json(json.loads(FIXTURE.read_text(encoding="utf-8")))
    out = tmp_path / "index.html"
    out.write_text(render(cards, NOW, repo="apache/superset"), encoding="utf-8")
    return out


def test_every_card_is_visible_on_a_desktop(page: Path, tmp_path: Path) -> None:
    expected = [c["pr"] for c in json.loads(FIXTURE.read_text(encoding="utf-8"))["environments"]]
    data = _probe(page, 1280, tmp_path / "profile")
    cards = data["cards"]
    assert isinstance(cards, list)
    assert [c["pr"] for c in cards] == expected
    for c in cards:
        assert c["visible"] and c["w"] > 200 and c["h"] > 100, c
        assert f"#{c['pr']}" in c["text"]
    assert len({c["x"] for c in cards}) > 1, "a desktop shows cards side by side"
    assert data["scrollWidth"] == data["viewport"]


def test_phone_width_is_one_column_without_sideways_scroll(page: Path, tmp_path: Path) -> None:
    data = _probe(page, 390, tmp_path / "profile")
    cards = data["cards"]
    assert isinstance(cards, list) and len(cards) == 4
    assert len({c["x"] for c in cards}) == 1, "one column on a phone"
    ys = [c["y"] for c in cards]
    assert ys == sorted(ys) and len(set(ys)) == len(ys)
    assert all(c["visible"] and c["w"] >= 300 for c in cards)
    assert data["scrollWidth"] == data["viewport"], "nothing overflows sideways"


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 1500)])
def test_screenshot(page: Path, tmp_path: Path, width: int, height: int) -> None:
    shot = tmp_path / f"dashboard-{width}.png"
    res = _run(
        [f"--window-size={width},{height}", f"--screenshot={shot}", page.as_uri()],
        tmp_path / "profile",
    )
    assert res.returncode == 0, res.stderr[-2000:]
    assert _png_size(shot) == (width, height)
    assert shot.stat().st_size > 10_000  # a rendered page, not a blank image
    if os.environ.get("SHOWTIME_UPDATE_SCREENSHOT") == "1":
        name = "dashboard.png" if width > 600 else "dashboard-phone.png"
        shutil.copyfile(shot, ROOT / "docs" / "img" / name)
