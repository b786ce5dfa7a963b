"""The dashboard in a real browser: headless Chromium lays the page out, every card is
visible, the phone width is one column without sideways scrolling, and a screenshot is saved.

Skipped when Chromium is missing (``.ci/install-chromium.sh`` installs it from Debian).
The screenshots in the docs are taken the same way, by ``python -m tests.docs.screenshots``;
``tests/docs/test_screenshots.py`` fails when they no longer show what the code renders.
"""

from __future__ import annotations

import json
import struct
import subprocess
from pathlib import Path

import pytest

from tests.docs import screenshots as S

FIXTURE = S.FIXTURE
CHROMIUM = S.chromium()
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
    return S.browser(CHROMIUM, args, profile)


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
    """The page the docs' screenshots show (the fixture, rendered by the current code)."""
    out = tmp_path / "index.html"
    out.write_text(S.page_html(), encoding="utf-8")
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


@pytest.mark.parametrize("shot", S.SHOTS, ids=[s.name for s in S.SHOTS])
def test_screenshot(page: Path, tmp_path: Path, shot: S.Shot) -> None:
    """The docs' screenshots, taken here the way `python -m tests.docs.screenshots` takes
    them (into a temporary directory)."""
    assert CHROMIUM is not None
    out = tmp_path / shot.name
    S.take(CHROMIUM, page, shot, out, tmp_path / "profile")
    assert _png_size(out) == (shot.width, shot.height)
    assert out.stat().st_size > 10_000  # a rendered page, not a blank image
