"""Headless Chromium, driven over the DevTools protocol on a pipe: a picture of a Superset
after logging in, and the signals the core judges it by (:func:`showtime_iac.core.proof.judge`).

- :mod:`.cdp` — :class:`Chromium`: the browser started with ``--remote-debugging-pipe`` (no
  port, no network listener, stdlib only) and one page to drive; :func:`find_chromium`.
- :mod:`.capture` — :func:`capture`: open the address, log in through Superset's own form,
  wait for the page to settle, read its signals and take the PNG.

No other outside system is imported here; the password reaches the browser only through the
pipe (typed into the form) and is never logged or raised.
"""

from __future__ import annotations

from showtime_iac.adapters.browser.capture import Capture, capture
from showtime_iac.adapters.browser.cdp import BrowserError, Chromium, find_chromium

__all__ = ["BrowserError", "Capture", "Chromium", "capture", "find_chromium"]
