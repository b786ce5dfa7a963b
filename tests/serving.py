"""Local test servers run in a daemon thread that notices ``shutdown()`` within 10 ms.

``socketserver``'s ``serve_forever`` polls for a shutdown every 0.5 s by default, and each
``shutdown()`` waits for that poll: half a second at the end of every test that starts a
server (the GitHub test server alone is started by over a thousand tests)."""

from __future__ import annotations

import socketserver
import threading

POLL_SECONDS = 0.01


def serve(server: socketserver.BaseServer) -> threading.Thread:
    """Start serving ``server`` in a daemon thread (stop it with ``server.shutdown()``)."""
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": POLL_SECONDS}, daemon=True
    )
    thread.start()
    return thread
