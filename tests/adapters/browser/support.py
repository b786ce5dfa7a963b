"""What the browser tests share: the Chromium they drive and small local HTTP servers."""

from __future__ import annotations

import http.server
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from showtime_iac.adapters.browser import find_chromium
from tests.serving import serve

CHROMIUM = find_chromium()
requires_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="headless Chromium not found (install it: bash .ci/install-chromium.sh)",
)


@contextmanager
def serving(status: int, body: str, *, logged_in: bool = False) -> Iterator[str]:
    """A local HTTP server answering every GET with ``status`` and the HTML ``body``; its
    base URL. ``logged_in``: ``/login/`` redirects to ``/superset/welcome/``, as Superset's
    does for a session already logged in. Records nothing, reaches nothing."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if logged_in and self.path.startswith("/login"):
                self.send_response(302)
                self.send_header("Location", "/superset/welcome/")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            data = body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    serve(server)
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
