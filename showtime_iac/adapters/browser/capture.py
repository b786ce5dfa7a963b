"""A picture of a Superset after logging in through its own form, and what the page says.

:func:`capture` opens ``{base}/login/``, types the username and the password into Superset's
login form (as a person would: ``Input.insertText``, so React's form sees them) and presses
Enter, waits for the page it lands on to settle (its visible text stops changing), then reads
the page's signals (:class:`~showtime_iac.core.proof.PageSignals`) and takes a PNG. It judges
nothing: :func:`showtime_iac.core.proof.judge` does. A page with no login form (an error
page, a proxy's 502) is pictured as it is, and the judge rejects it.
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass

from showtime_iac.adapters.browser.cdp import BrowserError, Chromium, find_chromium
from showtime_iac.core.proof import PageSignals

__all__ = ["Capture", "capture"]

# what the page says about itself, in one evaluation: the main document's HTTP status (the
# Navigation Timing entry), the user Superset's bootstrap data names, the login form
_SIGNALS = """(() => {
  const nav = performance.getEntriesByType("navigation")[0];
  let user = null;
  try {
    const app = document.getElementById("app");
    const boot = app && app.dataset.bootstrap ? JSON.parse(app.dataset.bootstrap) : null;
    user = boot && boot.user && boot.user.username ? String(boot.user.username) : null;
  } catch (e) { user = null; }
  return JSON.stringify({
    url: location.href,
    status: nav && nav.responseStatus ? nav.responseStatus : null,
    title: document.title || "",
    text: (document.body ? document.body.innerText : "").slice(0, 4000),
    password: !!document.querySelector("input[type=password]"),
    user: user,
  });
})()"""
_LOGIN_FORM = "!!document.querySelector('input[type=password]')"
_READY = "document.readyState"
_TEXT_LENGTH = "document.body ? document.body.innerText.length : 0"


@dataclass(frozen=True)
class Capture:
    """The PNG and what the page it shows says about itself."""

    png: bytes
    signals: PageSignals


def _wait(browser: Chromium, expression: str, until: float) -> bool:
    """Poll ``expression`` until it is truthy (True) or ``until`` passes (False)."""
    while time.monotonic() < until:
        if browser.evaluate(expression):
            return True
        time.sleep(0.25)
    return False


def _settle(browser: Chromium, until: float, quiet: float) -> None:
    """Wait until the document is loaded and its visible text has not changed for ``quiet``
    seconds (Superset's pages fill in after loading), or until ``until``."""
    last, since = -1, time.monotonic()
    while time.monotonic() < until:
        length = browser.evaluate(_TEXT_LENGTH) if browser.evaluate(_READY) == "complete" else -1
        now = time.monotonic()
        if length != last:
            last, since = length, now
        elif length >= 0 and now - since >= (quiet if length > 0 else 4 * quiet):
            return  # an empty page gets longer: a single-page app draws after its load
        time.sleep(0.25)


def _type(browser: Chromium, selector: str, text: str) -> None:
    browser.evaluate(
        f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
        " if (e) { e.focus(); e.select && e.select(); } })()"
    )
    browser.send("Input.insertText", {"text": text})


def _enter(browser: Chromium) -> None:
    key = {"key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13}
    browser.send("Input.dispatchKeyEvent", {"type": "keyDown", "text": "\r", **key})
    browser.send("Input.dispatchKeyEvent", {"type": "keyUp", **key})


def _signals(browser: Chromium, png_bytes: int) -> PageSignals:
    raw = browser.evaluate(_SIGNALS)
    data = json.loads(raw) if isinstance(raw, str) else {}
    status = data.get("status")
    return PageSignals(
        url=str(data.get("url") or ""),
        status=int(status) if isinstance(status, int) and status > 0 else None,
        title=str(data.get("title") or ""),
        text=str(data.get("text") or ""),
        password_field=bool(data.get("password")),
        user=str(data["user"]) if data.get("user") else None,
        png_bytes=png_bytes,
    )


def capture(
    base_url: str,
    username: str,
    password: str,
    *,
    exe: str | None = None,
    timeout: float = 90.0,
    width: int = 1280,
    height: int = 800,
    quiet: float = 1.5,
) -> Capture:
    """Log in to the Superset at ``base_url`` and picture the page it lands on (the welcome
    page), within ``timeout`` seconds. Raises :class:`BrowserError` when Chromium is missing,
    crashes or never loads a page; the password is never in a message."""
    exe = exe or find_chromium()
    if exe is None:
        raise BrowserError(
            "headless Chromium not found: install it (Debian: `apt-get install chromium`) or "
            "set SHOWTIME_CHROMIUM to its path"
        )
    deadline = time.monotonic() + timeout
    with Chromium(exe, width=width, height=height) as browser:
        browser.open_page()
        browser.send("Page.navigate", {"url": base_url.rstrip("/") + "/login/"})
        _wait(browser, f"{_READY} === 'complete'", deadline)
        # the form is drawn by React after the load: give it a moment, not the whole budget
        if _wait(browser, _LOGIN_FORM, min(deadline, time.monotonic() + 10)):
            _type(browser, "input[name=username], #username", username)
            _type(browser, "input[type=password]", password)
            _enter(browser)
            # the form submits and the browser lands elsewhere; a refused login stays put
            _wait(
                browser,
                "!location.pathname.startsWith('/login')",
                min(deadline, time.monotonic() + 20),
            )
        _settle(browser, deadline, quiet)
        shot = browser.send("Page.captureScreenshot", {"format": "png"}, timeout=30)
        png = base64.b64decode(shot.get("data", ""))
        if not png.startswith(b"\x89PNG\r\n\x1a\n"):
            raise BrowserError("Chromium returned no PNG")
        return Capture(png, _signals(browser, len(png)))
