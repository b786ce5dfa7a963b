"""A local GitHub REST API test server: real HTTP, state in memory, every request recorded.

PyGithub talks to it through ``GITHUB_API_URL``/``base_url``. It keeps pulls, labels (on PRs and
the repository's definitions), comments, deployments with their statuses, collaborators and
branches of one repository, and answers the way GitHub does where our code depends on it:
404 on removing a label that is not there, 422 ``already_exists`` on a duplicate label
definition, labels created on the fly when added to an issue, ``Link`` pagination, 401 on a bad
token, 403 on a read-only token. ``fail()`` scripts faults (502, 403 with ``Retry-After``, 422)
and ``on()`` runs a hook before a request (a concurrent change at a precise moment).
"""

from __future__ import annotations

import json
import re
import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

import pytest

from tests.serving import serve

__all__ = ["GitHubServer", "Recorded", "ghserver"]

_NOW = "2026-11-24T12:00:00Z"


@dataclass
class Recorded:
    method: str
    path: str  # decoded, without the query
    query: dict[str, str]
    body: Any
    status: int = 0


@dataclass
class _Rule:
    method: str
    pattern: re.Pattern[str]
    times: int
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None
    after: Callable[[], None] | None = None
    hook: Callable[[Recorded], None] | None = None


class _Reply(Exception):
    def __init__(self, status: int, body: Any = None, headers: dict[str, str] | None = None):
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or {}


def _utf16_len(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


#: who adds and removes labels in the tests unless they say who: a writer (``admin``) unless
#: ``collaborators`` names them otherwise
MAINTAINER = "showtime-maintainer"
#: the tool's own identity: the label changes it makes through the API are this actor's
BOT = "github-actions[bot]"


class GitHubServer:
    """One repository's slice of the GitHub REST API. Thread-safe; one lock around state."""

    def __init__(self, repo: str = "apache/superset", token: str = "ghs_test") -> None:
        self.repo, self.token = repo, token
        self.read_only_tokens: set[str] = set()
        self.requests: list[Recorded] = []
        self.collaborators: dict[str, str] = {}
        self.branches: dict[str, str] = {"master": "f" * 40}
        #: the contents API's files: (branch, path) -> (bytes, blob sha)
        self.files: dict[tuple[str, str], tuple[bytes, str]] = {}
        #: workflow_dispatch requests: (workflow file, ref), in order
        self.dispatches: list[tuple[str, str]] = []
        #: the Actions API's jobs of each workflow run (``name``, ``status``, ``conclusion``,
        #: ``completed_at``), as the latest attempt lists them; tests change them between polls
        self.run_jobs: dict[int, list[dict[str, Any]]] = {}
        self._pulls: dict[int, dict[str, Any]] = {}
        self._labels: dict[int, list[str]] = {}
        self._defs: dict[str, dict[str, Any]] = {}
        self._comments: dict[int, dict[str, Any]] = {}
        self._deployments: dict[int, dict[str, Any]] = {}
        #: each PR's issue events (``labeled``/``unlabeled``), oldest first, as GitHub lists them
        self._events: dict[int, list[dict[str, Any]]] = {}
        self._rules: list[_Rule] = []
        self._ids = iter(range(1000, 10**9))
        self._lock = threading.RLock()
        self._http: ThreadingHTTPServer | None = None
        self.url = ""

    # -- life cycle ------------------------------------------------------------------------

    def start(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return None

            def setup(self) -> None:
                super().setup()
                # headers and body leave in two writes: without this, Nagle's algorithm and
                # the client's delayed ACK add 40 ms to every keep-alive request
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def _any(self) -> None:
                server._handle(self)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _any

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._http.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._http.server_address[1]}"
        serve(self._http)

    def env(self) -> dict[str, str]:
        """What points a client at this server (the GitHub Actions variables)."""
        return {
            "GITHUB_API_URL": self.url,
            "GITHUB_TOKEN": self.token,
            "GITHUB_REPOSITORY": self.repo,
        }

    def stop(self) -> None:
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
            self._http = None

    # -- state helpers for tests -------------------------------------------------------------

    def _id(self) -> int:
        return next(self._ids)

    def add_pr(
        self,
        number: int,
        *,
        head_sha: str,
        labels: Iterable[str] = (),
        state: str = "open",
        author: str = "alice",
        title: str = "",
        body: str = "",
        fork: bool = False,
        merged: bool = False,
        commits: Iterable[str] = (),
        labels_by: str = MAINTAINER,
    ) -> None:
        history = list(commits)
        with self._lock:
            self._pulls[number] = {
                "commits": history if head_sha in history else [*history, head_sha],
                "head_sha": head_sha,
                "state": state,
                "author": author,
                "title": title or f"PR {number}",
                "body": body,
                "fork": fork,
                "merged": merged,
            }
            self._labels[number] = []
            self._events[number] = []
            for name in labels:
                self._define(name)
                if name not in self._labels[number]:
                    self._labels[number].append(name)
                    self._event(number, "labeled", name, labels_by)

    def set_state(self, number: int, state: str) -> None:
        with self._lock:
            self._pulls[number]["state"] = state

    def add_labels(self, number: int, *names: str, by: str = MAINTAINER) -> None:
        """Labels added to a PR (as a person, ``by``, would in the web UI)."""
        with self._lock:
            for name in names:
                self._define(name)
                if name not in self._labels[number]:
                    self._labels[number].append(name)
                    self._event(number, "labeled", name, by)

    def remove_labels(self, number: int, *names: str, by: str = MAINTAINER) -> None:
        with self._lock:
            for name in names:
                if name in self._labels[number]:
                    self._event(number, "unlabeled", name, by)
            self._labels[number] = [n for n in self._labels[number] if n not in names]

    def events_of(self, number: int) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(e) for e in self._events[number]]

    def _event(self, number: int, kind: str, name: str, actor: str) -> None:
        """One issue event as GitHub's ``GET /issues/{n}/events`` lists it."""
        self._events.setdefault(number, []).append(
            {
                "id": self._id(),
                "event": kind,
                "actor": self._user(actor),
                "label": {"name": name, "color": self._defs.get(name, {}).get("color", "ededed")},
                "created_at": "2026-01-01T00:00:00Z",
            }
        )

    def push(self, number: int, sha: str, *, force: bool = False) -> None:
        """A new head commit; ``force``: the previous commits leave the PR (a force-push)."""
        with self._lock:
            p = self._pulls[number]
            p["commits"] = [sha] if force else [*p["commits"], sha]
            p["head_sha"] = sha

    def labels_of(self, number: int) -> list[str]:
        with self._lock:
            return list(self._labels.get(number, []))

    def comments_of(self, number: int) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(c) for c in self._comments.values() if c["_issue"] == number]

    def add_comment(self, number: int, body: str, author: str = "someone") -> int:
        with self._lock:
            cid = self._id()
            self._comments[cid] = self._comment_json(cid, number, body, author)
            return cid

    def label_definitions(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            return {k: dict(v) for k, v in self._defs.items()}

    def add_label_definition(self, name: str, color: str = "ededed", description: str = "") -> None:
        with self._lock:
            self._defs[name] = {"name": name, "color": color, "description": description}

    def add_deployment(self, environment: str, sha: str, *states: str) -> int:
        """A deployment an earlier run made, with its statuses in order; its id."""
        with self._lock:
            _status, dep = self._create_deployment({"ref": sha, "environment": environment})
            for state in states:
                self._create_status({"state": state}, "", "", "", str(dep["id"]))
        return int(dep["id"])

    def deployments(self) -> list[dict[str, Any]]:
        with self._lock:
            return [json.loads(json.dumps(d)) for d in self._deployments.values()]

    def fail(
        self,
        method: str,
        path_regex: str,
        status: int,
        *,
        times: int = 1,
        headers: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
        after: Callable[[], None] | None = None,
    ) -> None:
        rule = _Rule(method.upper(), re.compile(path_regex), times, status, dict(headers or {}))
        rule.body, rule.after = body, after
        with self._lock:
            self._rules.append(rule)

    def on(
        self, method: str, path_regex: str, hook: Callable[[Recorded], None], *, times: int = 1
    ) -> None:
        with self._lock:
            self._rules.append(_Rule(method.upper(), re.compile(path_regex), times, hook=hook))

    def count(self, method: str | None = None, path_regex: str | None = None) -> int:
        with self._lock:
            return sum(
                1
                for r in self.requests
                if (method is None or r.method == method.upper())
                and (path_regex is None or re.search(path_regex, r.path))
            )

    def reset_log(self) -> None:
        with self._lock:
            self.requests.clear()

    # -- JSON shapes -------------------------------------------------------------------------

    def _define(self, name: str) -> dict[str, Any]:
        if name not in self._defs:
            self._defs[name] = {"name": name, "color": "ededed", "description": ""}
        return self._defs[name]

    def _label_json(self, name: str) -> dict[str, Any]:
        d = self._define(name)
        return {
            "id": abs(hash(name)) % 10**9,
            "node_id": f"LA_{abs(hash(name)) % 10**9}",
            "url": f"{self.url}/repos/{self.repo}/labels/{quote(name, safe='')}",
            "name": name,
            "color": d["color"],
            "description": d["description"] or None,
            "default": False,
        }

    def _user(self, login: str) -> dict[str, Any]:
        return {"login": login, "id": abs(hash(login)) % 10**6, "type": "User"}

    def _repo_json(self) -> dict[str, Any]:
        owner, name = self.repo.split("/")
        return {
            "id": 1,
            "name": name,
            "full_name": self.repo,
            "owner": self._user(owner),
            "private": False,
            "fork": False,
            "default_branch": "master",
            "url": f"{self.url}/repos/{self.repo}",
            "html_url": f"https://github.com/{self.repo}",
        }

    def _pull_json(self, number: int) -> dict[str, Any]:
        p = self._pulls[number]
        head_repo = dict(self._repo_json())
        if p["fork"]:
            head_repo.update(full_name="contrib/superset", fork=True, id=2)
        return {
            "number": number,
            "id": number,
            "state": p["state"],
            "title": p["title"],
            "body": p["body"],
            "merged": p["merged"],
            "merged_at": _NOW if p["merged"] else None,
            "closed_at": None if p["state"] == "open" else _NOW,
            "draft": False,
            "html_url": f"https://github.com/{self.repo}/pull/{number}",
            "url": f"{self.url}/repos/{self.repo}/pulls/{number}",
            "issue_url": f"{self.url}/repos/{self.repo}/issues/{number}",
            "user": self._user(p["author"]),
            "author_association": "CONTRIBUTOR",
            "head": {
                "sha": p["head_sha"],
                "ref": f"branch-{number}",
                "label": f"x:branch-{number}",
                "repo": head_repo,
            },
            "base": {"sha": self.branches["master"], "ref": "master", "repo": self._repo_json()},
            "labels": [self._label_json(n) for n in self._labels[number]],
            "created_at": _NOW,
            "updated_at": _NOW,
        }

    def _issue_json(self, number: int) -> dict[str, Any]:
        pull = self._pull_json(number)
        return {
            "number": number,
            "id": number,
            "state": pull["state"],
            "title": pull["title"],
            "body": pull["body"],
            "user": pull["user"],
            "labels": pull["labels"],
            "url": pull["issue_url"],
            "html_url": pull["html_url"],
            "pull_request": {"url": pull["url"]},
            "created_at": _NOW,
            "updated_at": _NOW,
        }

    def _comment_json(self, cid: int, number: int, body: str, author: str) -> dict[str, Any]:
        return {
            "id": cid,
            "_issue": number,
            "body": body,
            "user": self._user(author),
            "url": f"{self.url}/repos/{self.repo}/issues/comments/{cid}",
            "html_url": f"https://github.com/{self.repo}/pull/{number}#issuecomment-{cid}",
            "created_at": _NOW,
            "updated_at": _NOW,
        }

    # -- HTTP --------------------------------------------------------------------------------

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        split = urlsplit(h.path)
        raw = h.rfile.read(int(h.headers.get("Content-Length") or 0))
        path = unquote(split.path)
        rec = Recorded(h.command, path, dict(parse_qsl(split.query)), None)
        status, body, headers = 500, None, {}
        try:
            if raw:
                try:
                    rec.body = json.loads(raw)
                except ValueError:
                    raise _Reply(400, {"message": "Problems parsing JSON"}) from None
            with self._lock:
                self.requests.append(rec)
                fired = self._rules_for(rec)
            for rule in fired:
                if rule.hook is not None:
                    rule.hook(rec)
                else:
                    if rule.after is not None:
                        rule.after()
                    raise _Reply(rule.status, rule.body or {"message": "scripted"}, rule.headers)
            self._auth(h, rec)
            with self._lock:
                status, body = self._route(rec, split.path, split.query)
        except _Reply as r:
            status, body, headers = r.status, r.body, r.headers
        rec.status = status
        self._send(h, status, body, headers)

    def _rules_for(self, rec: Recorded) -> list[_Rule]:
        fired: list[_Rule] = []
        for rule in list(self._rules):
            if rule.method == rec.method and rule.pattern.search(rec.path) and rule.times > 0:
                rule.times -= 1
                fired.append(rule)
                if rule.times == 0:
                    self._rules.remove(rule)
                if rule.hook is None:
                    break
        # hooks first, then at most one fault
        return sorted(fired, key=lambda r: r.hook is None)

    def _auth(self, h: BaseHTTPRequestHandler, rec: Recorded) -> None:
        auth = h.headers.get("Authorization", "")
        token = auth.split(" ", 1)[1] if " " in auth else ""
        if token != self.token and token not in self.read_only_tokens:
            raise _Reply(401, {"message": "Bad credentials"})
        if token in self.read_only_tokens and rec.method != "GET":
            raise _Reply(403, {"message": "Resource not accessible by integration"})

    def _send(
        self, h: BaseHTTPRequestHandler, status: int, body: Any, headers: dict[str, str]
    ) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json; charset=utf-8")
        h.send_header("Content-Length", str(len(data)))
        limits = {
            "X-RateLimit-Limit": "5000",
            "X-RateLimit-Remaining": "4999",
            "X-RateLimit-Reset": str(int(datetime.now(UTC).timestamp()) + 3600),
        }
        for k, v in {**limits, **headers}.items():  # a scripted limit replaces the default
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(data)

    def _page(self, items: list[Any], raw_path: str, query: str) -> tuple[int, Any]:
        q = dict(parse_qsl(query))
        per = max(1, min(100, int(q.get("per_page", "30"))))
        page = max(1, int(q.get("page", "1")))
        last = max(1, -(-len(items) // per))
        links = []
        if page < last:
            links.append(self._link(raw_path, q, page + 1, "next"))
            links.append(self._link(raw_path, q, last, "last"))
        if page > 1:
            links.append(self._link(raw_path, q, page - 1, "prev"))
            links.append(self._link(raw_path, q, 1, "first"))
        if links:
            raise _Reply(200, items[(page - 1) * per : page * per], {"Link": ", ".join(links)})
        return 200, items[(page - 1) * per : page * per]

    def _link(self, raw_path: str, q: dict[str, str], page: int, rel: str) -> str:
        return f'<{self.url}{raw_path}?{urlencode({**q, "page": str(page)})}>; rel="{rel}"'

    def _route(self, rec: Recorded, raw_path: str, query: str) -> tuple[int, Any]:
        m, path, body = rec.method, rec.path, rec.body
        if m == "GET" and path == "/rate_limit":
            core = {"limit": 5000, "remaining": 4999, "reset": 0, "used": 1}
            return 200, {"resources": {"core": core}, "rate": core}
        if m == "GET" and path == "/search/issues":
            return self._search(raw_path, query)
        prefix = f"/repos/{self.repo}"
        if not path.startswith(prefix):
            raise _Reply(404, {"message": "Not Found"})
        rest = path[len(prefix) :]
        raw_rest = raw_path[len(prefix) :] if raw_path.startswith(prefix) else rest
        # routes match the path as sent: a label name is one segment, its "/" escaped as %2F
        # (like GitHub, where an unescaped "/" would be a path separator); decoded once here
        for pattern, handler in self._routes():
            match = re.fullmatch(pattern, f"{m} {raw_rest}")
            if match:
                args = [unquote(a) for a in match.groups()]
                return handler(body, raw_path, query, raw_rest, *args)
        raise _Reply(404, {"message": "Not Found"})

    def _routes(self) -> list[tuple[str, Callable[..., tuple[int, Any]]]]:
        return [
            (r"GET ", lambda *_: (200, self._repo_json())),
            (r"GET /pulls", self._list_pulls),
            (r"GET /pulls/(\d+)", lambda _b, _p, _q, _r, n: (200, self._pull_json(self._pr(n)))),
            (r"GET /pulls/(\d+)/commits", self._list_commits),
            (r"GET /issues/(\d+)", lambda _b, _p, _q, _r, n: (200, self._issue_json(self._pr(n)))),
            (r"GET /issues/(\d+)/labels", self._issue_labels),
            (r"GET /issues/(\d+)/events", self._list_events),
            (r"POST /issues/(\d+)/labels", self._add_labels),
            (r"PUT /issues/(\d+)/labels", self._set_labels),
            (r"DELETE /issues/(\d+)/labels/([^/]+)", self._remove_label),
            (r"GET /labels", self._list_defs),
            (r"POST /labels", self._create_def),
            (r"GET /labels/([^/]+)", self._get_def),
            (r"PATCH /labels/([^/]+)", self._patch_def),
            (r"DELETE /labels/([^/]+)", self._delete_def),
            (r"GET /issues/(\d+)/comments", self._list_comments),
            (r"POST /issues/(\d+)/comments", self._create_comment),
            (r"GET /issues/comments/(\d+)", self._get_comment),
            (r"PATCH /issues/comments/(\d+)", self._edit_comment),
            (r"DELETE /issues/comments/(\d+)", self._delete_comment),
            (r"POST /deployments", self._create_deployment),
            (r"GET /deployments", self._list_deployments),
            (r"POST /deployments/(\d+)/statuses", self._create_status),
            (r"GET /deployments/(\d+)/statuses", self._list_statuses),
            (r"GET /collaborators/([^/]+)/permission", self._permission),
            (r"GET /branches/(.+)", self._branch),
            (r"GET /contents/([^?]+)", self._get_file),
            (r"PUT /contents/([^?]+)", self._put_file),
            (r"DELETE /contents/([^?]+)", self._delete_file),
            (r"POST /actions/workflows/([^/]+)/dispatches", self._dispatch),
            (r"GET /actions/runs/(\d+)/jobs", self._run_jobs),
        ]

    # -- handlers ----------------------------------------------------------------------------

    def _dispatch(self, body: Any, _p: str, _q: str, _r: str, workflow: str) -> tuple[int, Any]:
        """``workflow_dispatch``: GitHub answers 204, or 422 without a ``ref``."""
        ref = (body or {}).get("ref")
        if not isinstance(ref, str) or not ref:
            raise _Reply(422, {"message": "Required input 'ref' not provided"})
        self.dispatches.append((workflow, ref))
        return 204, None

    def _run_jobs(self, _b: Any, raw: str, query: str, _r: str, run: str) -> tuple[int, Any]:
        """A run's jobs (404 for a run it does not know), paged under ``jobs``."""
        if int(run) not in self.run_jobs:
            raise _Reply(404, {"message": "Not Found"})
        jobs = [{"id": i + 1, **j} for i, j in enumerate(self.run_jobs[int(run)])]
        try:
            status, page = self._page(jobs, raw, query)
        except _Reply as r:  # a page with a Link header: its jobs are still under "jobs"
            raise _Reply(r.status, {"total_count": len(jobs), "jobs": r.body}, r.headers) from None
        return status, {"total_count": len(jobs), "jobs": page}

    def _pr(self, n: str) -> int:
        number = int(n)
        if number not in self._pulls:
            raise _Reply(404, {"message": "Not Found"})
        return number

    def _list_pulls(self, _b: Any, raw: str, query: str, _r: str) -> tuple[int, Any]:
        q = dict(parse_qsl(query))
        state = q.get("state", "open")
        numbers = sorted(n for n, p in self._pulls.items() if state == "all" or p["state"] == state)
        if q.get("direction", "desc" if q.get("sort") != "created" else "asc") == "desc":
            numbers.reverse()
        return self._page([self._pull_json(n) for n in numbers], raw, query)

    def _list_commits(self, _b: Any, raw: str, query: str, _r: str, n: str) -> tuple[int, Any]:
        commits = self._pulls[self._pr(n)]["commits"][:250]  # GitHub's cap
        return self._page([{"sha": c, "commit": {"message": c[:7]}} for c in commits], raw, query)

    def _list_events(self, _b: Any, raw: str, query: str, _r: str, n: str) -> tuple[int, Any]:
        return self._page(list(self._events.get(self._pr(n), [])), raw, query)

    def _issue_labels(self, _b: Any, raw: str, query: str, _r: str, n: str) -> tuple[int, Any]:
        return self._page([self._label_json(x) for x in self._labels[self._pr(n)]], raw, query)

    @staticmethod
    def _names(body: Any) -> list[str]:
        names = body.get("labels") if isinstance(body, dict) else body
        if not isinstance(names, list) or not all(isinstance(x, str) for x in names):
            raise _Reply(422, {"message": "Invalid request.", "errors": ["labels"]})
        for name in names:
            if _utf16_len(name) > 50:
                raise _Reply(422, {"message": "Validation Failed", "errors": [{"code": "invalid"}]})
        return names

    def _add_labels(self, body: Any, _p: str, _q: str, _r: str, n: str) -> tuple[int, Any]:
        number = self._pr(n)
        for name in self._names(body):
            self._define(name)
            if name not in self._labels[number]:
                self._labels[number].append(name)
                self._event(number, "labeled", name, BOT)
        return 200, [self._label_json(x) for x in self._labels[number]]

    def _set_labels(self, body: Any, _p: str, _q: str, _r: str, n: str) -> tuple[int, Any]:
        number = self._pr(n)
        before, after = self._labels[number], list(dict.fromkeys(self._names(body)))
        for x in before:
            if x not in after:
                self._event(number, "unlabeled", x, BOT)
        for x in after:
            if x not in before:
                self._event(number, "labeled", x, BOT)
        self._labels[number] = after
        for name in self._labels[number]:
            self._define(name)
        return 200, [self._label_json(x) for x in self._labels[number]]

    def _remove_label(
        self, _b: Any, _p: str, _q: str, _r: str, n: str, name: str
    ) -> tuple[int, Any]:
        number = self._pr(n)
        if name not in self._labels[number]:
            raise _Reply(404, {"message": "Label does not exist"})
        self._labels[number].remove(name)
        self._event(number, "unlabeled", name, BOT)
        return 200, [self._label_json(x) for x in self._labels[number]]

    def _list_defs(self, _b: Any, raw: str, query: str, _r: str) -> tuple[int, Any]:
        return self._page([self._label_json(x) for x in self._defs], raw, query)

    def _def(self, name: str) -> dict[str, Any]:
        if name not in self._defs:
            raise _Reply(404, {"message": "Not Found"})
        return self._defs[name]

    def _create_def(self, body: Any, *_: Any) -> tuple[int, Any]:
        name = str((body or {}).get("name", ""))
        if not name or _utf16_len(name) > 50:
            raise _Reply(422, {"message": "Validation Failed", "errors": [{"code": "invalid"}]})
        if name in self._defs:
            err = {"resource": "Label", "code": "already_exists", "field": "name"}
            raise _Reply(422, {"message": "Validation Failed", "errors": [err]})
        self._defs[name] = {
            "name": name,
            "color": str(body.get("color", "ededed")),
            "description": str(body.get("description") or ""),
        }
        return 201, self._label_json(name)

    def _get_def(self, _b: Any, _p: str, _q: str, _r: str, name: str) -> tuple[int, Any]:
        self._def(name)
        return 200, self._label_json(name)

    def _patch_def(self, body: Any, _p: str, _q: str, _r: str, name: str) -> tuple[int, Any]:
        d = self._def(name)
        for key in ("color", "description"):
            if isinstance(body, dict) and key in body:
                d[key] = str(body[key] or "")
        return 200, self._label_json(name)

    def _delete_def(self, _b: Any, _p: str, _q: str, _r: str, name: str) -> tuple[int, Any]:
        self._def(name)
        del self._defs[name]
        for labels in self._labels.values():
            if name in labels:
                labels.remove(name)
        return 204, None

    def _public(self, c: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in c.items() if not k.startswith("_")}

    def _list_comments(self, _b: Any, raw: str, query: str, _r: str, n: str) -> tuple[int, Any]:
        number = self._pr(n)
        items = [self._public(c) for c in self._comments.values() if c["_issue"] == number]
        return self._page(items, raw, query)

    def _create_comment(self, body: Any, _p: str, _q: str, _r: str, n: str) -> tuple[int, Any]:
        number = self._pr(n)
        text = (body or {}).get("body")
        if not isinstance(text, str) or not text:
            raise _Reply(422, {"message": "Validation Failed"})
        cid = self._id()
        self._comments[cid] = self._comment_json(cid, number, text, "github-actions[bot]")
        return 201, self._public(self._comments[cid])

    def _comment(self, cid: str) -> dict[str, Any]:
        c = self._comments.get(int(cid))
        if c is None:
            raise _Reply(404, {"message": "Not Found"})
        return c

    def _get_comment(self, _b: Any, _p: str, _q: str, _r: str, cid: str) -> tuple[int, Any]:
        return 200, self._public(self._comment(cid))

    def _edit_comment(self, body: Any, _p: str, _q: str, _r: str, cid: str) -> tuple[int, Any]:
        c = self._comment(cid)
        c["body"] = str((body or {}).get("body", c["body"]))
        return 200, self._public(c)

    def _delete_comment(self, _b: Any, _p: str, _q: str, _r: str, cid: str) -> tuple[int, Any]:
        self._comment(cid)
        del self._comments[int(cid)]
        return 204, None

    def _create_deployment(self, body: Any, *_: Any) -> tuple[int, Any]:
        b = body or {}
        did = self._id()
        self._deployments[did] = {
            "id": did,
            "sha": b.get("ref"),
            "ref": b.get("ref"),
            "environment": b.get("environment", "production"),
            "transient_environment": bool(b.get("transient_environment", False)),
            "production_environment": bool(b.get("production_environment", True)),
            "description": b.get("description"),
            "creator": self._user("github-actions[bot]"),
            "url": f"{self.url}/repos/{self.repo}/deployments/{did}",
            "statuses_url": f"{self.url}/repos/{self.repo}/deployments/{did}/statuses",
            "created_at": _NOW,
            "updated_at": _NOW,
            "statuses": [],
        }
        return 201, self._dep_public(did)

    def _dep_public(self, did: int) -> dict[str, Any]:
        return {k: v for k, v in self._deployments[did].items() if k != "statuses"}

    def _list_deployments(self, _b: Any, raw: str, query: str, _r: str) -> tuple[int, Any]:
        q = dict(parse_qsl(query))
        items = [
            self._dep_public(d["id"])
            for d in sorted(self._deployments.values(), key=lambda d: -d["id"])
            if all(q.get(k) in (None, d[k]) for k in ("environment", "sha", "ref"))
        ]
        return self._page(items, raw, query)

    def _create_status(self, body: Any, _p: str, _q: str, _r: str, did: str) -> tuple[int, Any]:
        dep = self._deployments.get(int(did))
        if dep is None:
            raise _Reply(404, {"message": "Not Found"})
        b = body or {}
        if b.get("state") not in (
            "error",
            "failure",
            "inactive",
            "in_progress",
            "queued",
            "pending",
            "success",
        ):
            raise _Reply(422, {"message": "Validation Failed"})
        status = {
            "id": self._id(),
            "state": b["state"],
            "environment_url": b.get("environment_url", ""),
            "log_url": b.get("log_url", ""),
            "description": b.get("description", ""),
            "created_at": _NOW,
        }
        dep["statuses"].append(status)
        if b["state"] == "success" and b.get("auto_inactive", True):
            for other in self._deployments.values():
                same = other["environment"] == dep["environment"] and other is not dep
                if same and other["statuses"] and other["statuses"][-1]["state"] == "success":
                    other["statuses"].append({**status, "id": self._id(), "state": "inactive"})
        return 201, status

    def _list_statuses(self, _b: Any, raw: str, query: str, _r: str, did: str) -> tuple[int, Any]:
        dep = self._deployments.get(int(did))
        if dep is None:
            raise _Reply(404, {"message": "Not Found"})
        return self._page(list(reversed(dep["statuses"])), raw, query)

    def _permission(self, _b: Any, _p: str, _q: str, _r: str, login: str) -> tuple[int, Any]:
        role = self.collaborators.get(login, "admin" if login == MAINTAINER else None)
        if role is None:
            raise _Reply(404, {"message": f"{login} is not a user"})
        legacy = {"maintain": "write", "triage": "read"}.get(role, role)
        return 200, {"permission": legacy, "role_name": role, "user": self._user(login)}

    # the contents API: files per branch, as (content bytes, blob sha); a branch must exist

    def _file_key(self, branch: str | None, path: str) -> tuple[str, str]:
        branch = branch or "master"
        if branch not in self.branches:
            raise _Reply(404, {"message": f"No commit found for the ref {branch}"})
        return branch, path

    def _get_file(self, _b: Any, _p: str, query: str, _r: str, path: str) -> tuple[int, Any]:
        key = self._file_key(dict(parse_qsl(query)).get("ref"), path)
        if key not in self.files:
            raise _Reply(404, {"message": "Not Found"})
        return 200, {"path": path, "sha": self.files[key][1], "type": "file"}

    def _put_file(self, body: Any, _p: str, _q: str, _r: str, path: str) -> tuple[int, Any]:
        import base64
        import hashlib

        key = self._file_key(body.get("branch"), path)
        if key in self.files and body.get("sha") != self.files[key][1]:
            raise _Reply(409, {"message": f"{path} does not match {body.get('sha')}"})
        if key not in self.files and body.get("sha"):
            raise _Reply(422, {"message": "sha given for a file that does not exist"})
        data = base64.b64decode(body["content"])
        self.files[key] = (data, hashlib.sha1(data).hexdigest())
        raw = f"https://raw.githubusercontent.com/{self.repo}/{key[0]}/{path}"
        return (200 if body.get("sha") else 201), {
            "content": {"path": path, "sha": self.files[key][1], "download_url": raw}
        }

    def _delete_file(self, body: Any, _p: str, _q: str, _r: str, path: str) -> tuple[int, Any]:
        key = self._file_key(body.get("branch"), path)
        if key not in self.files:
            raise _Reply(404, {"message": "Not Found"})
        if body.get("sha") != self.files[key][1]:
            raise _Reply(409, {"message": "sha does not match"})
        del self.files[key]
        return 200, {"content": None}

    def _branch(self, _b: Any, _p: str, _q: str, _r: str, name: str) -> tuple[int, Any]:
        if name not in self.branches:
            raise _Reply(404, {"message": "Branch not found"})
        return 200, {"name": name, "commit": {"sha": self.branches[name]}, "protected": False}

    def _search(self, raw: str, query: str) -> tuple[int, Any]:
        q = dict(parse_qsl(query)).get("q", "")
        terms = re.findall(r'(\w+):(?:"([^"]*)"|(\S+))', q)
        numbers = sorted(self._pulls)
        for key, quoted, bare in terms:
            value = quoted or bare
            if key == "repo" and value != self.repo:
                numbers = []
            elif key == "is" and value in ("open", "closed"):
                numbers = [n for n in numbers if self._pulls[n]["state"] == value]
            elif key == "label":
                numbers = [n for n in numbers if value in self._labels[n]]
        items = [self._issue_json(n) for n in numbers][:1000]
        per = max(1, min(100, int(dict(parse_qsl(query)).get("per_page", "30"))))
        page = max(1, int(dict(parse_qsl(query)).get("page", "1")))
        doc = {
            "total_count": len(numbers),
            "incomplete_results": False,
            "items": items[(page - 1) * per : page * per],
        }
        if page * per < len(items):
            raise _Reply(
                200, doc, {"Link": self._link(raw, dict(parse_qsl(query)), page + 1, "next")}
            )
        return 200, doc


@pytest.fixture
def ghserver() -> Iterator[GitHubServer]:
    server = GitHubServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
