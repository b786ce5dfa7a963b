"""The screenshots in the docs show what the current code renders (issue 24: the README's
picture said $0.464/h where the same fixture renders $0.257/h). No browser needed: the page
is rendered again and its sha256 compared with the one each picture was taken from
(``docs/img/screenshots.json``, written by ``python -m tests.docs.screenshots``)."""

from __future__ import annotations

import re
import struct

import pytest

from tests.docs import screenshots as S
from tests.docs.markers import doc_files


def test_every_screenshot_shows_the_page_the_current_code_renders() -> None:
    why = S.stale()
    assert why == [], "; ".join(why) + f": run `{S.COMMAND}` (needs Chromium)"


def test_a_change_to_the_page_makes_every_screenshot_stale() -> None:
    """The check above can fail: one character more in the page, and no picture is current."""
    changed = S.page_html().replace("</body>", " </body>")
    assert len(S.stale(changed)) == len(S.SHOTS)


def test_every_image_the_docs_show_is_a_produced_screenshot() -> None:
    """A picture put into docs/img/ by hand would go stale unseen: every one the README and
    the docs show is one the tool produces and the manifest records."""
    produced = {s.name for s in S.SHOTS}
    shown = set()
    for path in doc_files():
        shown |= set(re.findall(r"img/([\w.-]+\.png)", path.read_text(encoding="utf-8")))
    assert shown and shown <= produced
    assert sorted(p.name for p in S.IMG.glob("*.png")) == sorted(produced)


@pytest.mark.parametrize("shot", S.SHOTS, ids=[s.name for s in S.SHOTS])
def test_each_screenshot_is_a_png_of_its_window(shot: S.Shot) -> None:
    head = (S.IMG / shot.name).read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", head[16:24]) == (shot.width, shot.height)
