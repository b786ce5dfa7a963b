"""The one sticky status comment of a PR, rendered from its labels. Pure.

Found again by the hidden :data:`MARKER`, edited in place, never duplicated (the GitHub
adapter does that). It keeps a short history of what happened, in a hidden block that
is read back from the previous body.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from showtime_iac.core.cost import hourly_cost, size_in
from showtime_iac.core.labels import LabelState
from showtime_iac.core.lifetimes import Deadlines, goes_to_sleep
from showtime_iac.core.model import PINNED, Show, Status, pr_host
from showtime_iac.core.proof import (
    COMMENT_LIMIT,
    Failure,
    Picture,
    comment_length,
    failure_section,
    fit_comment,
)
from showtime_iac.core.timings import Timings

__all__ = [
    "MARKER",
    "address_url",
    "vouched_address",
    "status_comment",
    "history_of",
    "lifetime_text",
    "ttl_left",
    "url_of",
]

MARKER = "<!-- showtime-iac:status -->"
_HIST_RE = re.compile(r"<!-- showtime-iac:history\n(.*?)\n-->", re.DOTALL)
HISTORY_LINES = 10
#: one history line is cut to this many characters (an event line quotes an error)
HISTORY_CHARS = 500
#: what a failure section may take at most, whatever room the rest of the comment leaves
FAILURE_CHARS = 30_000
_FAILURE_SLOT = "\x00failure\x00"  # where the failure goes once the room left is known

_ICON = {
    Status.BUILDING: "🏗️",
    Status.BUILT: "📦",
    Status.DEPLOYING: "🚀",
    Status.RUNNING: "🟢",
    Status.UPDATING: "🔄",
    Status.CONFIGURING: "⚙️",
    Status.FAILED: "❌",
    Status.DESTROYING: "🧹",
    Status.SLEEPING: "😴",
    Status.WAKING: "⏰",
    Status.QUEUED: "⏳",
}


def url_of(show: Show, port: int = 8080) -> str | None:
    """The 🌐 address as a link: ``https://`` for the PR's host (HTTPS mode), else the task's
    public ``http://ip:port`` (public-IP mode)."""
    return address_url(show.ip, port)


def _public_ip_note(shows: Sequence[Show], port: int) -> list[str]:
    """Public-IP mode, clearly labelled: the address is the task's own (no domain)."""
    if any((url_of(s, port) or "").startswith("http://") for s in shows):
        return ["", "_Public-IP mode: the address is the task's own and changes on every deploy._"]
    return []


def vouched_address(pr: int, address: str | None, domain: str | None) -> str | None:
    """The 🌐 address a reader may be sent to, not the label's word alone (anyone who may label
    the PR can write ``🌐 pr-1234.elsewhere.example``). In HTTPS mode (``domain`` configured)
    the PR's own host, which the PR's router serves, whatever host the label names; in public-IP
    mode only a task IP, never a host (the tool writes none there). None without a 🌐 label."""
    if not address:
        return None
    if domain:
        return pr_host(pr, domain)
    return None if address.startswith("pr-") else address


def address_url(address: str | None, port: int = 8080) -> str | None:
    """``pr-1234.example.org`` → ``https://pr-1234.example.org``; ``1.2.3.4`` →
    ``http://1.2.3.4:8080``; None → None."""
    if not address:
        return None
    if address.startswith("pr-"):
        return f"https://{address}"
    return f"http://{address}" if ":" in address else f"http://{address}:{port}"


def ttl_left(show: Show, now: datetime) -> str:
    """``"23h 10m left"``, ``"expired"``, ``"until the PR closes"``, ``"pinned (no idle …)"``."""
    if show.status is Status.SLEEPING:
        return "asleep"
    if show.ttl is None:
        return "unknown"
    if show.ttl.value == "close":
        return "until the PR closes"
    if show.ttl.value == "manual":
        return PINNED
    if show.created is None:
        return str(show.ttl)
    end = show.ttl.expires_at(show.created)
    assert end is not None
    left = end - now
    if left <= timedelta(0):
        return "expired"
    hours, rem = divmod(int(left.total_seconds()) // 60, 60)
    days, hours = divmod(hours, 24)
    return (f"{days}d " if days else "") + f"{hours}h {rem:02d}m left"


def lifetime_text(show: Show, now: datetime) -> str:
    """The lifetime cell: the idle TTL left, and the max age when the ⌛ label records one."""
    text = ttl_left(show, now)
    if show.max_at is not None and not show.max_lifted:
        text += f" · max {show.max_at:%Y-%m-%d %H:%M}"
    return text


def _asleep_line(show: Show) -> str:
    """A sleeping environment: how to wake it, and what each state costs."""
    size = size_in(show.config)
    awake, asleep = hourly_cost(size), hourly_cost(size, sleeping=True)
    line = (
        f"😴 `{show.sha}` is asleep (scaled to zero): comment `/showtime wake` or push a commit "
        f"to bring it back (afresh from its image: what was made in it is not kept). "
        f"Cost: ~${asleep:.4f}/h asleep, ~${awake:.3f}/h running."
    )
    if show.max_at is not None and not show.max_lifted:
        line += f" Its max age ends it at {show.max_at:%Y-%m-%d %H:%M} UTC."
    return line


def _keep_line(show: Show, now: datetime, idle_action: str = "destroy") -> str | None:
    """When the environment goes, and how to keep it (None: no clock ends it)."""
    if show.status is Status.SLEEPING and show.warned is None:
        return _asleep_line(show)
    dl = Deadlines(
        show.ttl.expires_at(show.created) if show.ttl and show.created else None,
        None if show.max_lifted else show.max_at,
    )
    end = dl.end
    if show.warned is not None:
        sleeps = goes_to_sleep(show, dl, idle_action, show.warned)
        what = "put to sleep" if sleeps else "torn down"
        return (
            f"⚠️ `{show.sha}` will be {what} at {show.warned:%Y-%m-%d %H:%M} UTC: a push or "
            "`/showtime extend 24h` keeps it"
        )
    if end is None:
        return None
    how = "a push or `/showtime extend 24h` resets the idle TTL; `/showtime keep-alive` pins it"
    if dl.reason == "max age":
        how = "its max age ends it then, pinned or not"
    elif goes_to_sleep(show, dl, idle_action, end):
        return (
            f"Sleeps at {end:%Y-%m-%d %H:%M} UTC unless used (scaled to zero, the URL stays; "
            f"`/showtime wake` brings it back): {how}."
        )
    return f"Goes at {end:%Y-%m-%d %H:%M} UTC unless used: {how}."


def history_of(body: str | None) -> list[str]:
    """The history lines kept in a previous comment body."""
    if not body:
        return []
    m = _HIST_RE.search(body)
    return [line for line in m.group(1).splitlines() if line.strip()] if m else []


def _footer(
    timings: Timings | None, logs: str | None, run_url: str | None, failure: str | None = None
) -> list[str]:
    """The run's phase timings, the failure (or the last log lines), the commands and the
    run's link."""
    out: list[str] = []
    head = timings.headline() if timings is not None else None
    if timings is not None and head:
        out += ["", f"⏱️ {head[0].upper()}{head[1:]}: {timings.line()}"]
    if failure:
        out += ["", failure]
    elif logs:
        out += [
            "",
            "<details><summary>Last log lines</summary>",
            "",
            "```",
            logs.rstrip(),
            "```",
            "</details>",
        ]
    out += [
        "",
        "Commands: `/showtime status` · `refresh` · `extend 48h` · `keep-alive` · `wake` · "
        "`destroy` · "
        "`enable FLAG` · `disable FLAG` · `debug on|off` · `size small|medium|large` · `help`",
    ]
    if run_url:
        out += ["", f"[Workflow run]({run_url})"]
    return out


def _proof_lines(progress: str | None, picture: Picture | None, check: str | None) -> list[str]:
    """The deploy's progress note, the picture of the environment logged in, or why the
    picture was not taken as proof (it may quote the page: in a code span)."""
    out: list[str] = []
    if progress:
        out += ["", f"⏳ {progress}"]
    if picture is not None:
        out += [
            "",
            f"📸 Logged in, `{re.sub(r'[^A-Za-z0-9/_.-]', '', picture.page)[:100]}` "
            f"([full size]({picture.url})):",
            "",
            f'<img src="{picture.url}" alt="Superset of this PR, logged in" width="640">',
        ]
    if check:
        why = " ".join(check.split())[:500].replace("`", "'")  # may quote the page: a code span
        out += ["", f"📸 Screenshot check failed (not posted): `{why}`"]
    return out


def status_comment(
    pr: int,
    st: LabelState,
    now: datetime,
    *,
    event_line: str | None = None,
    previous_body: str | None = None,
    run_url: str | None = None,
    port: int = 8080,
    timings: Timings | None = None,
    logs: str | None = None,
    sticky: bool = True,
    idle_action: str = "destroy",
    failure: Failure | None = None,
    progress: str | None = None,
    picture: Picture | None = None,
    check: str | None = None,
) -> str:
    """The sticky comment body. ``event_line`` is appended to the history; ``timings``, the
    phases of the run that deployed (``⏱️ Ready in 4 min 12 s: plan 58 s · ...``).

    ``sticky=False`` renders the same table for a one-off reply (``/showtime status``): no
    :data:`MARKER` and no hidden history, so the reply is never taken for the sticky comment.
    """
    hist = history_of(previous_body)
    if event_line:
        line = f"{now.strftime('%Y-%m-%d %H:%M')} UTC: {' '.join(event_line.split())}"
        hist.append(line if len(line) <= HISTORY_CHARS else line[: HISTORY_CHARS - 1] + "…")
    hist = hist[-HISTORY_LINES:]
    out = [MARKER] if sticky else []
    out += [f"## 🎪 Showtime · PR #{pr}", ""]
    shows = [s for s in (st.active, st.building) if s is not None]
    shows += [
        s for sha, s in sorted(st.shows.items()) if sha not in (st.active_sha, st.building_sha)
    ]
    if not shows:
        out.append(
            "No preview environment. Add the label `🎪 ⚡ showtime-trigger-start` to start one."
        )
    else:
        out += ["| | SHA | status | URL | lifetime | requested by |", "|---|---|---|---|---|---|"]
        for s in shows:
            role = (
                "🎯 active"
                if s.sha == st.active_sha
                else ("🏗️ building" if s.sha == st.building_sha else "")
            )
            status = f"{_ICON.get(s.status, '❓') if s.status else '❓'} {s.status or 'unknown'}"
            url = url_of(s, port)
            out.append(
                f"| {role} | `{s.sha}` | {status} | {f'[{url}]({url})' if url else '-'} "
                f"| {lifetime_text(s, now)} | {f'@{s.requester}' if s.requester else '-'} |"
            )
        out += _public_ip_note(shows, port)
        keep = _keep_line(st.active, now, idle_action) if st.active else None
        if keep:
            out += ["", keep]
        cfg = st.active.config if st.active else ()
        if cfg:
            out += ["", f"Configuration: `{','.join(cfg)}`"]
    out += _proof_lines(progress, picture, check)
    out += _footer(timings, logs, run_url, _FAILURE_SLOT if failure is not None else None)
    if hist and sticky:
        out += (
            ["", "<details><summary>History</summary>", ""]
            + [f"- {h}" for h in hist]
            + ["</details>"]
        )
        out += ["<!-- showtime-iac:history", *hist, "-->"]
    if failure is not None:  # the room the rest leaves, so the history's block stays whole
        slot = next(i for i, part in enumerate(out) if part is _FAILURE_SLOT)
        room = COMMENT_LIMIT - comment_length("\n".join(out)) - 100
        out[slot] = failure_section(failure, min(FAILURE_CHARS, room))
    return fit_comment("\n".join(out))
