"""The picture in the status comment (issue 28), end to end: the real ``showtime-iac sync``
against the GitHub test server (real HTTP: the sticky comment, the picture published on the
branch with the contents API), the admin login read from moto's Secrets Manager (real HTTP),
and the real headless Chromium logging in to a local stand-in for Superset's login flow, which
lets in only the password of the environment's secret. The stacks and the live checks are the
doubles (the task's address is the stand-in's).

The real Superset's pages are pictured and judged in tests/adapters/browser/; here, the wiring:
published by PR and SHA and embedded, a rejected picture reported and not posted, and the
picture removed with the environment.
"""

from __future__ import annotations

import http.server
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from showtime_iac.cli import main
from showtime_iac.core import labels as L
from showtime_iac.core.comment import MARKER
from showtime_iac.core.model import resource_names
from tests.adapters.browser.support import requires_chromium
from tests.cli.test_credentials import put_secret
from tests.doubles import FakeLive, FakeStacks, use_doubles
from tests.github_api_server import GitHubServer
from tests.payloads import HEAD, pull_request
from tests.serving import serve

pytestmark = [pytest.mark.browser, requires_chromium]

PR = 1234
SHA7 = HEAD[:7]
BRANCH = "showtime-previews"
PASSWORD = "pw-of-this-environment-0123"
PICTURE = ("showtime-previews", f"previews/pr-{PR}/{SHA7}.png")
LOGIN = (
    "<html><head><title>Superset</title></head><body><h1>Sign in</h1>"
    "<form method=get action=/login/><input name=username id=username>"
    "<input type=password name=password id=password><button>Sign in</button></form></body></html>"
)
WELCOME = (
    "<html><head><title>Superset</title></head><body><div id=app data-bootstrap="
    '\'{"user": {"username": "admin"}}\'><h1>Home</h1>'
    + "<p>Recents Dashboards Charts Saved queries Favorite Mine All</p>" * 20
    + "</div></body></html>"
)


@pytest.fixture
def superset() -> Iterator[tuple[str, list[str]]]:
    """A stand-in for Superset's login flow on 127.0.0.1; its port, and the passwords tried."""
    tried: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            q = parse_qs(url.query)
            if url.path == "/login/" and "password" in q:
                tried.append(q["password"][0])
                ok = q["password"][0] == PASSWORD and q.get("username") == ["admin"]
                self.send_response(302)
                self.send_header("Location", "/superset/welcome/" if ok else "/login/")
                self.send_header("Set-Cookie", f"session={'in' if ok else 'out'}; Path=/")
                self.end_headers()
                return
            logged_in = "session=in" in (self.headers.get("Cookie") or "")
            page = WELCOME if url.path.startswith("/superset/") and logged_in else LOGIN
            data = page.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_a: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    serve(server)
    try:
        yield str(server.server_address[1]), tried
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def gh(
    ghserver: GitHubServer, moto_env: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> GitHubServer:
    for var in ("GITHUB_EVENT_PATH", "GITHUB_EVENT_NAME", "SHOWTIME_POLICY", "GITHUB_RUN_ID"):
        monkeypatch.delenv(var, raising=False)
    for var, value in ghserver.env().items():
        monkeypatch.setenv(var, value)
    monkeypatch.setenv("GITHUB_ACTOR", "maintainer")
    monkeypatch.setenv("SHOWTIME_SCREENSHOT", "on")
    monkeypatch.chdir(tmp_path)
    ghserver.collaborators.update({"maintainer": "write"})
    ghserver.branches[BRANCH] = "e" * 40
    return ghserver


def _sync(tmp: Path, payload: dict[str, object], capsys: pytest.CaptureFixture[str]) -> int:
    path = tmp / "event.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    capsys.readouterr()
    rc = main(["sync", str(PR), "--event", str(path), "--event-name", "pull_request_target"])
    capsys.readouterr()
    return rc


def _sticky(gh: GitHubServer) -> str:
    [body] = [c["body"] for c in gh.comments_of(PR) if MARKER in c["body"]]
    return body


def _status_of(tags: dict[str, str], capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    """The picture and phase ``showtime-iac status`` prints (plain and --json) for a stack
    with these tags (the record the run wrote)."""
    from showtime_iac.adapters.stacks import StackInfo
    from showtime_iac.app.environments import PrStatus, StackStatus
    from showtime_iac.app.sizing import SizedStack
    from showtime_iac.cli.views.stacks import show_status

    info = StackInfo(name=f"pr-{PR}-{SHA7}", pr=PR, sha7=SHA7, tags=tags)
    status = PrStatus(
        PR, [StackStatus(SizedStack(info, "small", False, 0.05), {}, None)], None, 0.05, "USD"
    )
    now = datetime.now(UTC)
    capsys.readouterr()
    show_status(status, now, as_json=True)
    doc = json.loads(capsys.readouterr().out)["stacks"][0]
    show_status(status, now, as_json=False)
    plain = capsys.readouterr().out
    assert f"  picture:   {doc['picture']}" in plain and f"  phase:     {doc['phase']}" in plain
    return doc["picture"], doc["phase"]


def _start(
    gh: GitHubServer,
    superset: tuple[str, list[str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    password: str = PASSWORD,
) -> tuple[int, FakeStacks]:
    port, _tried = superset
    put_secret(resource_names(PR, HEAD).secret_prefix, str(PR), SHA7, password)
    stacks = FakeStacks()
    use_doubles(monkeypatch, stacks, FakeLive(ip="127.0.0.1", port=int(port)))
    gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    return _sync(tmp_path, pull_request("labeled", [L.START], label=L.START), capsys), stacks


def test_a_healthy_environment_is_pictured_logged_in_published_and_removed_with_it(
    gh: GitHubServer,
    superset: tuple[str, list[str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    rc, _stacks = _start(gh, superset, tmp_path, monkeypatch, capsys)
    assert rc == 0
    assert superset[1] == [PASSWORD]  # the secret's password, typed once
    png, _sha = gh.files[PICTURE]
    assert png.startswith(b"\x89PNG") and len(png) > 8_000
    raw = f"https://raw.githubusercontent.com/{gh.repo}/{BRANCH}/previews/pr-{PR}/{SHA7}.png"
    body = _sticky(gh)
    assert f'<img src="{raw}"' in body and "📸 Logged in, `/superset/welcome/`" in body
    assert PASSWORD not in body
    # the record says what the comment says: `status` shows the same picture and phase
    assert _status_of(_stacks.tags[f"pr-{PR}-{SHA7}"], capsys) == (raw, "ready")

    # stopped: the environment goes, and its picture with it
    gh.add_labels(PR, "🎪 🛑 showtime-trigger-stop")
    payload = pull_request("labeled", [*gh.labels_of(PR)], label="🎪 🛑 showtime-trigger-stop")
    assert _sync(tmp_path, payload, capsys) == 0
    assert PICTURE not in gh.files


def test_a_picture_of_the_login_form_is_a_failed_check_and_is_not_posted(
    gh: GitHubServer,
    superset: tuple[str, list[str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The secret holds another password than the one the environment took: the login
    fails, the picture shows the login form, and the comment says the check failed."""
    rc, _stacks = _start(gh, superset, tmp_path, monkeypatch, capsys, password="not-the-one-42")
    assert rc == 0  # the environment is healthy; only the picture is refused
    assert gh.files == {}
    body = _sticky(gh)
    assert "📸 Screenshot check failed (not posted)" in body
    assert "the login form: the admin login was not accepted" in body
    assert "<img" not in body and "not-the-one-42" not in body


def test_the_cleanup_removes_the_picture_of_an_expired_environment(
    gh: GitHubServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The cleanup job's teardown goes through the same executor: the picture goes too."""
    from datetime import timedelta

    created = L.format_timestamp(datetime.now(UTC) - timedelta(days=3))
    labels = [
        f"🎪 {SHA7} 🚦 running",
        f"🎪 🎯 {SHA7}",
        f"🎪 {SHA7} 📅 {created}",
        f"🎪 {SHA7} ⌛ 24h",
        f"🎪 {SHA7} 👤 maintainer",
    ]
    gh.add_pr(PR, head_sha=HEAD, labels=labels)
    gh.files[PICTURE] = (b"\x89PNG", "a" * 40)
    stacks = FakeStacks()
    stacks.existing.add(f"pr-{PR}-{SHA7}")
    (tmp_path / "showtime.toml").write_text('warn_before = "0s"\nmax_age = "60d"\n')
    use_doubles(monkeypatch, stacks, FakeLive())
    capsys.readouterr()
    assert main(["cleanup", "--json", "--no-orphans"]) == 0
    capsys.readouterr()
    assert f"pr-{PR}-{SHA7}" not in stacks.existing
    assert PICTURE not in gh.files
