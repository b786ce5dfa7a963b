"""Headless Chromium over the DevTools protocol on a pipe (``--remote-debugging-pipe``).

Chromium reads JSON commands on its fd 3 and writes answers and events on its fd 4, each
message ended by a NUL byte. No debugging port is opened (nothing else on the machine can
drive the browser), and nothing beyond the standard library is needed. The browser runs in a
session of its own with a throw-away profile and a minimal environment (none of the job's
tokens), and is killed with its whole process group on :meth:`Chromium.close`.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import select
import shutil
import signal
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from showtime_iac.errors import ShowtimeError

__all__ = ["BrowserError", "Chromium", "CommandRefusedError", "find_chromium"]

_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
_FLAGS = (
    "--headless",
    "--no-sandbox",  # CI runners and containers run as root, where the sandbox cannot start
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
    "--mute-audio",
    "--remote-debugging-pipe",
)


class BrowserError(ShowtimeError):
    """Chromium is missing, crashed or did not answer in time (the check failed, exit 1)."""


class CommandRefusedError(BrowserError):
    """Chromium answered a command with an error (e.g. the page navigated while it ran)."""


def find_chromium(env: Mapping[str, str] | None = None) -> str | None:
    """``$SHOWTIME_CHROMIUM``, else a Chromium or Chrome on PATH, else ``/usr/bin/chromium``."""
    e = os.environ if env is None else env
    given = e.get("SHOWTIME_CHROMIUM")
    if given:
        return given if Path(given).is_file() else None
    for name in _NAMES:
        found = shutil.which(name, path=e.get("PATH", os.defpath))
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None


def _high_fd(fd: int) -> int:
    """A close-on-exec copy of ``fd`` numbered 10 or more (so the dup2 to 3 and 4 in the
    child never overwrites the other one), the original closed."""
    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high


class Chromium:
    """One headless browser and one page to drive (``with Chromium(exe) as b: ...``)."""

    def __init__(self, exe: str, *, width: int = 1280, height: int = 800) -> None:
        self.profile = Path(tempfile.mkdtemp(prefix="showtime-chromium-"))
        to_chrome_r, self._w = os.pipe()
        self._r, from_chrome_w = os.pipe()
        child_r, child_w = _high_fd(to_chrome_r), _high_fd(from_chrome_w)
        args = [
            exe,
            *_FLAGS,
            f"--user-data-dir={self.profile}",
            f"--window-size={width},{height}",
            "about:blank",
        ]
        env = {
            "PATH": os.environ.get("PATH", os.defpath),
            "HOME": str(self.profile),
            "LANG": "C.UTF-8",
            "TZ": "UTC",
        }
        actions = [
            (os.POSIX_SPAWN_DUP2, child_r, 3),
            (os.POSIX_SPAWN_DUP2, child_w, 4),
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
            (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
        ]
        try:
            self.pid: int | None = os.posix_spawn(exe, args, env, file_actions=actions, setsid=True)
        except OSError as exc:
            self._close_fds()
            shutil.rmtree(self.profile, ignore_errors=True)
            raise BrowserError(f"cannot start Chromium ({exe}): {exc.strerror}") from None
        finally:
            os.close(child_r)
            os.close(child_w)
        self._buf = b""
        self._next = 0
        self.events: list[dict[str, Any]] = []
        self.session: str | None = None

    # -- the protocol ---------------------------------------------------------------------

    def _read(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError("Chromium did not answer in time")
            ready, _, _ = select.select([self._r], [], [], left)
            if not ready:
                continue
            chunk = os.read(self._r, 1 << 20)
            if not chunk:
                raise BrowserError("Chromium exited (its pipe closed)")
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        msg: dict[str, Any] = json.loads(raw)
        return msg

    def send(
        self,
        method: str,
        params: Mapping[str, Any] | None = None,
        *,
        timeout: float = 30.0,
        page: bool = True,
    ) -> dict[str, Any]:
        """One command (to the page's session unless ``page=False``); its result. An error
        names the method only: a command's parameters may hold the password."""
        self._next += 1
        msg: dict[str, Any] = {"id": self._next, "method": method, "params": dict(params or {})}
        if page and self.session is not None:
            msg["sessionId"] = self.session
        try:
            os.write(self._w, json.dumps(msg).encode("utf-8") + b"\0")
        except OSError:
            raise BrowserError("Chromium exited (its pipe closed)") from None
        deadline = time.monotonic() + timeout
        while True:
            answer = self._read(deadline)
            if answer.get("id") == self._next:
                if "error" in answer:
                    raise CommandRefusedError(f"Chromium refused {method}")
                result: dict[str, Any] = answer.get("result", {})
                return result
            if len(self.events) < 10_000:
                self.events.append(answer)

    def open_page(self) -> None:
        """Attach to the browser's first page; later commands go to it."""
        targets = self.send("Target.getTargets", page=False)["targetInfos"]
        page = next((t["targetId"] for t in targets if t.get("type") == "page"), None)
        if page is None:
            made = self.send("Target.createTarget", {"url": "about:blank"}, page=False)
            page = made["targetId"]
        attached = self.send(
            "Target.attachToTarget", {"targetId": page, "flatten": True}, page=False
        )
        self.session = str(attached["sessionId"])
        self.send("Page.enable")
        self.send("Runtime.enable")

    def evaluate(self, expression: str, *, timeout: float = 30.0) -> Any:
        """The value of a JavaScript expression in the page (by value). None when it threw, or
        when the page navigated while it ran (Chromium refuses the command: its context was
        destroyed), as a form's submit or a redirect does while a wait polls."""
        try:
            res = self.send(
                "Runtime.evaluate",
                {"expression": expression, "returnByValue": True, "awaitPromise": True},
                timeout=timeout,
            )
        except CommandRefusedError:
            return None
        if "exceptionDetails" in res:
            return None
        return res.get("result", {}).get("value")

    # -- lifetime -------------------------------------------------------------------------

    def _close_fds(self) -> None:
        for fd in (self._w, self._r):
            with contextlib.suppress(OSError):
                os.close(fd)

    def close(self) -> None:
        """Ask the browser to close, then kill its process group; remove the profile."""
        if self.pid is not None:
            with contextlib.suppress(BrowserError, OSError):
                self.send("Browser.close", page=False, timeout=5)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
            self.pid = None
        self._close_fds()
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> Chromium:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
