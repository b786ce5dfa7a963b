"""A page that navigates while an expression runs (a form's submit, a redirect) gives that
expression no value: the capture's waits poll on, they do not fail the check. Real headless
Chromium over its pipe, a page from a local HTTP server."""

from __future__ import annotations

import time

import pytest

from showtime_iac.adapters.browser.cdp import Chromium
from tests.adapters.browser.support import CHROMIUM, requires_chromium, serving

pytestmark = [pytest.mark.browser, requires_chromium]


def test_an_expression_cut_short_by_a_navigation_has_no_value_and_the_page_answers_after() -> None:
    assert CHROMIUM is not None
    with (
        serving(200, "<html><body><p>Welcome</p></body></html>") as url,
        Chromium(CHROMIUM) as browser,
    ):
        browser.open_page()
        browser.send("Page.navigate", {"url": url + "/welcome/"})
        deadline = time.monotonic() + 20
        while browser.evaluate("document.readyState") != "complete":
            assert time.monotonic() < deadline
            time.sleep(0.1)
        # never resolves: the reload destroys the context it runs in, and Chromium refuses
        assert browser.evaluate("new Promise(() => { location.reload(); })") is None
        while browser.evaluate("document.readyState") != "complete":
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert browser.evaluate("document.body.innerText") == "Welcome"
