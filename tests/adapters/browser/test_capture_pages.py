"""The screenshot step against pages that are not a logged-in Superset, in the real headless
Chromium: a page answering 500, a blank page, a proxy's error page and a login form that
never lets anyone in are each pictured and rejected by the judge, never taken as proof."""

from __future__ import annotations

import pytest

from showtime_iac.adapters.browser import capture
from showtime_iac.core.proof import judge
from tests.adapters.browser.support import CHROMIUM, requires_chromium, serving

pytestmark = [pytest.mark.browser, requires_chromium]

# a page that looks like Superset's, logged in, in every way but its status
SUPERSET_LIKE = (
    '<html><head><title>Superset</title></head><body><div id="app" '
    'data-bootstrap=\'{"user": {"username": "admin"}}\'>'
    "<h1>Home</h1><p>Dashboards Charts Datasets SQL Recents Favorite Mine All</p>"
    + "<p>row</p>" * 50
    + "</div></body></html>"
)
LOGIN_FORM = (
    "<html><head><title>Superset</title></head><body><h1>Sign in</h1>"
    "<p>Enter your login and password below:</p><form method=get action=/login/>"
    "<input name=username id=username><input type=password name=password id=password>"
    "<button>Sign in</button></form></body></html>"
)


def test_a_page_answering_500_is_rejected_even_when_it_looks_logged_in() -> None:
    with serving(500, SUPERSET_LIKE, logged_in=True) as url:
        shot = capture(url, "admin", "pw-unused-123", exe=CHROMIUM, timeout=40)
    assert shot.signals.status == 500
    verdict = judge(shot.signals, "admin")
    assert not verdict.ok
    assert verdict.reason == "the page answered HTTP 500"


def test_the_same_page_answering_200_is_taken() -> None:
    """The control: the 500 above is rejected for its status, not for its content."""
    with serving(200, SUPERSET_LIKE, logged_in=True) as url:
        shot = capture(url, "admin", "pw-unused-123", exe=CHROMIUM, timeout=40)
    assert shot.png.startswith(b"\x89PNG")
    assert judge(shot.signals, "admin").ok, shot.signals


def test_a_blank_page_is_rejected() -> None:
    with serving(200, "<html><body></body></html>", logged_in=True) as url:
        shot = capture(url, "admin", "pw-unused-123", exe=CHROMIUM, timeout=40)
    assert judge(shot.signals, "admin").reason == "a blank page (no visible text)"


def test_a_proxy_error_page_with_status_200_is_rejected_by_its_words() -> None:
    page = "<html><body><h1>502 Bad Gateway</h1><hr><p>nginx</p></body></html>"
    with serving(200, page, logged_in=True) as url:
        shot = capture(url, "admin", "pw-unused-123", exe=CHROMIUM, timeout=40)
    verdict = judge(shot.signals, "admin")
    assert not verdict.ok and "bad gateway" in verdict.reason


def test_a_login_form_that_stays_is_rejected() -> None:
    with serving(200, LOGIN_FORM) as url:
        shot = capture(url, "admin", "pw-unused-123", exe=CHROMIUM, timeout=40)
    assert shot.signals.password_field
    assert judge(shot.signals, "admin").reason.startswith("the login form")
