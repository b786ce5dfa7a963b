"""Proof on the PR (issue 28): is a picture of the live Superset a logged-in page; what a
failed deploy says about its cause; secrets kept out of both; the comment's size bound. Pure.

The browser adapter (``adapters/browser``) takes the picture and reads a few signals off the
page it shows (:class:`PageSignals`); :func:`judge` decides from those signals alone whether
the picture proves a logged-in Superset, so a picture of the login form, of an error page or
of a blank page is never posted as proof.

A failure names its phase, the provider's diagnostics of the resource that failed (its URN and
message) and the task's last log lines, all passed through :func:`redact` (patterns of
secrets, and the exact values the run knows are secret), and fits in GitHub's comment limit
whatever the logs hold (:func:`failure_section` takes a budget; :func:`fit_comment` is the
last guard).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

__all__ = [
    "COMMENT_LIMIT",
    "LOG_LINES",
    "MASK",
    "PHASE_TAG",
    "PICTURE_TAG",
    "Diagnostic",
    "Failure",
    "PageSignals",
    "Picture",
    "Verdict",
    "comment_length",
    "failure_section",
    "fit_comment",
    "judge",
    "landed_page",
    "picture_path",
    "redact",
]

#: the stack tags (the record) that say what the status comment says: the published picture's
#: URL, and the deploy's phase (``healthy`` while it runs, ``ready``, ``failed: up``)
PICTURE_TAG = "showtime:picture"
PHASE_TAG = "showtime:phase"
#: GitHub refuses a comment body longer than this ("maximum is 65536 characters")
COMMENT_LIMIT = 65_536
#: the task's log lines a failure shows
LOG_LINES = 30
MASK = "***"
#: one log line or diagnostic is cut to this many characters
_LINE_CHARS = 400
_DIAG_CHARS = 1_500
_MAX_DIAGS = 8
#: a known secret shorter than this is not masked by value (it would mask ordinary words)
_MIN_SECRET = 6

_REDACTIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    # user:password@ in URLs (postgresql://superset:pw@db/..., https://user:token@host); the
    # scheme is bounded: unbounded, each word start of a long "a.a.a..." line rescanned the rest
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]{0,63}://[^\s:/@]*:)[^\s@/]+(@)"), r"\1" + MASK + r"\2"),
    # Authorization headers
    (re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]{8,}"), r"\1" + MASK),
    (
        re.compile(
            r"(?i)\b(authorization[\"']?\s*[:=]\s*[\"']?(?:basic\s+|token\s+|bearer\s+)?)[^\s\"',;]+"
        ),
        r"\1" + MASK,
    ),
    # KEY=value / KEY: value / "key": "value" for secret-looking keys. The key is the whole run
    # of key characters (taken at its start, possessively) holding a secret word: a key matched
    # anywhere in the run, as it was, made a long line without spaces quadratic (minutes)
    (
        re.compile(
            r"""(?ix)
            (["']?(?<![A-Za-z0-9_.-])
             (?=[A-Za-z0-9_.-]*?(?:secret|passw(?:or)?d|passwd|pwd|token|api[_-]?key|
              private[_-]?key|credentials?|auth[_-]?key|access[_-]?key))
             [A-Za-z0-9_.-]*+["']?
             \s*[=:]\s*)
            ("[^"]*"|'[^']*'|[^\s,;&"'}]+)
            """
        ),
        r"\1" + MASK,
    ),
    # AWS access key ids, GitHub / Slack tokens, JWTs
    (re.compile(r"\b(?:AKIA|ASIA|AIDA|AROA)[A-Z0-9]{16}\b"), MASK),
    (re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{20,})\b"), MASK),
    (re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b"), MASK),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b"), MASK),
    # a bare 40-char AWS secret access key next to the word "secret"/"aws"
    (re.compile(r"(?i)((?:aws|secret)\S{0,30}\s+)[A-Za-z0-9/+=]{40}\b"), r"\1" + MASK),
)
# terminal escapes and control characters (a log can hold anything a PR's code prints)
_CONTROL = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|[\x00-\x08\x0b-\x1f\x7f]")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with secrets masked: every exact occurrence of a value in ``secrets`` (the
    values this run knows are secret: the admin password, the tokens of its environment),
    then passwords in URLs, bearer tokens, ``SECRET_KEY=…`` and other secret-looking keys,
    AWS access keys, GitHub and Slack tokens, JWTs."""
    for value in sorted({s for s in secrets if len(s) >= _MIN_SECRET}, key=len, reverse=True):
        text = text.replace(value, MASK)
    for pattern, repl in _REDACTIONS:
        text = pattern.sub(repl, text)
    return text


# -- the picture ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageSignals:
    """What the browser read off the page it took a picture of.

    ``status``: the HTTP status of the page's main document (None: unknown); ``user``: the
    user Superset's bootstrap data says is logged in (None: none, or not a Superset page);
    ``password_field``: a password input is on the page (the login form); ``text``: the
    page's visible text (the first couple of thousand characters); ``png_bytes``: the
    picture's size."""

    url: str
    status: int | None
    title: str = ""
    text: str = ""
    password_field: bool = False
    user: str | None = None
    png_bytes: int = 0


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str


#: words of a page that is an error, whatever its status says
_ERROR_WORDS = (
    "internal server error",
    "bad gateway",
    "service unavailable",
    "gateway timeout",
    "traceback (most recent call last)",
    "502 bad gateway",
    "503 service",
    "this site can’t be reached",
    "err_connection_refused",
)
#: fewer visible characters than this: a blank page (Superset's welcome page has hundreds)
_MIN_TEXT = 40
#: a PNG smaller than this holds no page (a 1280x800 blank one is about 5 KB)
_MIN_PNG = 8_000


def judge(signals: PageSignals, username: str) -> Verdict:
    """Whether the picture proves Superset serves a logged-in page for ``username``: not an
    error (status 400 and above, or an error page's words), not the login form (its
    password field, or ``/login`` in the address), not blank, and the page's own data names
    ``username`` as the logged-in user."""
    status = signals.status
    if status is not None and status >= 400:
        return Verdict(False, f"the page answered HTTP {status}")
    words = f"{signals.title}\n{signals.text[:2000]}".lower()
    found = next((w for w in _ERROR_WORDS if w in words), None)
    if found is not None:
        return Verdict(False, f"an error page ({found!r} on the page)")
    path = re.sub(r"^[a-z]+://[^/]*", "", signals.url) or "/"
    if signals.password_field or re.search(r"/login\b", path):
        return Verdict(False, "the login form: the admin login was not accepted")
    if len(" ".join(signals.text.split())) < _MIN_TEXT:
        return Verdict(False, "a blank page (no visible text)")
    if signals.user != username:
        who = f"{signals.user[:40]!r}" if signals.user else "nobody"
        return Verdict(False, f"the page says {who} is logged in, not {username!r}")
    if signals.png_bytes < _MIN_PNG:
        return Verdict(False, f"the picture is empty ({signals.png_bytes} bytes)")
    return Verdict(True, f"logged in as {username} at {path.split('?', 1)[0]}")


@dataclass(frozen=True)
class Picture:
    """A picture of the environment that passed :func:`judge`, and where it is published."""

    url: str
    page: str  # the path the browser ended on (``/superset/welcome/``)


def landed_page(url: str) -> str:
    """The page a picture shows, as the comment names it: the path of the address the browser
    ended on, without scheme, host or query (a query can carry anything: a redirect target, a
    token); ``/`` for the site's root."""
    return re.sub(r"^[a-z]+://[^/]*", "", url).split("?", 1)[0] or "/"


def picture_path(pr: int, sha7: str) -> str:
    """Where the picture of PR ``pr`` at ``sha7`` lives on the publishing branch."""
    return f"previews/pr-{pr}/{sha7}.png"


# -- the failure ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Diagnostic:
    """A provider's diagnostic of one resource: its URN and message (``severity`` error)."""

    urn: str
    message: str
    severity: str = "error"


@dataclass(frozen=True)
class Failure:
    """Why a deploy failed: the phase in progress, the error, the provider's diagnostics and
    the task's last log lines (raw: :func:`failure_section` redacts them)."""

    phase: str
    error: str
    diagnostics: tuple[Diagnostic, ...] = ()
    log_lines: tuple[str, ...] = ()
    run_url: str | None = None
    secrets: tuple[str, ...] = field(default=(), repr=False)


def _clean(text: str, secrets: Sequence[str], limit: int) -> str:
    out = _CONTROL.sub("", redact(text, secrets))
    return out if len(out) <= limit else out[: limit - 1] + "…"


def _fence(lines: Sequence[str]) -> str:
    """A code fence longer than any run of backticks in ``lines``: none can close it."""
    longest = max((len(m) for ln in lines for m in re.findall(r"`+", ln)), default=0)
    return "`" * max(3, longest + 1)


def _code(lines: Sequence[str]) -> list[str]:
    fence = _fence(lines)
    return [fence, *lines, fence]


def comment_length(text: str) -> int:
    """``text``'s length as GitHub counts it, or more: UTF-16 code units (an emoji is two)."""
    return len(text.encode("utf-16-le")) // 2


def _render(f: Failure, diags: Sequence[Diagnostic], logs: Sequence[str]) -> str:
    out = [f"### ❌ Failed during **{f.phase}**", "", _clean(f.error, f.secrets, _DIAG_CHARS)]
    if diags:
        out += ["", "<details open><summary>Pulumi diagnostics</summary>", ""]
        for d in diags:
            urn = _clean(d.urn, f.secrets, 400).replace("`", "'")
            message = [_clean(ln, f.secrets, _LINE_CHARS) for ln in d.message.splitlines()]
            out += [f"- `{urn}` ({d.severity})", "", *_code(message or ["(no message)"]), ""]
        out.append("</details>")
    if logs:
        out += ["", f"<details open><summary>Last {len(logs)} log lines of the task</summary>", ""]
        out += [*_code(logs), "</details>"]
    if f.run_url:
        out += ["", f"Full output: [the workflow run]({f.run_url})"]
    return "\n".join(out)


def failure_section(f: Failure, budget: int = 20_000) -> str:
    """The failure as Markdown, redacted, within ``budget`` characters (as GitHub counts):
    log lines are dropped oldest first, then diagnostics, until it fits; a log line, a
    diagnostic's line and the error are each cut to a bounded length first."""
    logs = [_clean(ln, f.secrets, _LINE_CHARS) for ln in f.log_lines[-LOG_LINES:]]
    diags = list(f.diagnostics[:_MAX_DIAGS])
    text = _render(f, diags, logs)
    while comment_length(text) > budget and (logs or diags):
        if logs:
            logs = logs[max(1, len(logs) // 4) :]
        else:
            diags = diags[:-1]
        text = _render(f, diags, logs)
    return text if comment_length(text) <= budget else _cut(text, budget)


def _cut(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` (as GitHub counts), with a note that it was."""
    note = "\n\n_(cut to fit GitHub's comment limit)_"
    keep = max(0, limit - comment_length(note))
    out = text[:keep]
    while comment_length(out) > keep:
        out = out[: -max(1, (comment_length(out) - keep))]
    return out + note


def fit_comment(body: str, limit: int = COMMENT_LIMIT) -> str:
    """``body`` unchanged when GitHub takes it, else cut to fit (the last guard: each part of
    a comment is bounded already)."""
    return body if comment_length(body) <= limit else _cut(body, limit)
