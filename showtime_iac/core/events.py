"""GitHub webhook payloads → ``model.Event`` and ``model.PrInfo``.

Pure: takes the decoded JSON, never the network. Anything malformed is an
:class:`~showtime_iac.core.model.InputError` (exit 2) with a one-line message.
"""

from __future__ import annotations

from typing import Any

from showtime_iac.core.model import SHA_RE, Event, InputError, PrInfo

__all__ = ["MAX_LABELS", "MAX_LABEL_CHARS", "parse_event", "pr_from_api"]

# GitHub allows 100 labels on an issue and 50 characters per label name; anything far
# beyond that is not a GitHub payload.
MAX_LABELS = 100
MAX_LABEL_CHARS = 256
_PR_EVENTS = {"pull_request", "pull_request_target"}
_KNOWN = _PR_EVENTS | {"issue_comment", "workflow_dispatch", "schedule", "cli"}


def _obj(d: Any, key: str) -> dict[str, Any]:
    v = d.get(key) if isinstance(d, dict) else None
    return v if isinstance(v, dict) else {}


def _str(d: Any, key: str) -> str:
    v = d.get(key) if isinstance(d, dict) else None
    return v if isinstance(v, str) else ""


def _labels(raw: Any) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise InputError("labels in the payload must be a list")
    if len(raw) > MAX_LABELS:
        raise InputError(f"payload has {len(raw)} labels; GitHub allows {MAX_LABELS} on a PR")
    names: list[str] = []
    for item in raw:
        name = item.get("name") if isinstance(item, dict) else item
        if not isinstance(name, str):
            raise InputError("a label in the payload has no name")
        if len(name) > MAX_LABEL_CHARS:
            raise InputError(f"a label of {len(name)} characters is not a GitHub label")
        names.append(name)
    return tuple(names)


def _number(v: Any, what: str) -> int:
    if isinstance(v, bool):
        raise InputError(f"{what} must be a positive integer")
    if isinstance(v, str) and v.strip().isdigit():
        v = int(v.strip())
    if not isinstance(v, int) or v < 1 or v > 9_999_999_999:
        raise InputError(f"{what} must be a positive integer, got {str(v)[:40]!r}")
    return v


def _sha(v: str, what: str) -> str:
    s = v.strip().lower()
    if s and not SHA_RE.match(s):
        raise InputError(f"{what} {v[:60]!r} is not a commit SHA (7 to 40 hex characters)")
    return s


def _pr_from_pull(pull: dict[str, Any]) -> PrInfo:
    head, base = _obj(pull, "head"), _obj(pull, "base")
    head_repo = _str(_obj(head, "repo"), "full_name")
    base_repo = _str(_obj(base, "repo"), "full_name")
    state = _str(pull, "state") or "open"
    if state not in ("open", "closed"):
        raise InputError(f"pull request state {state[:20]!r} is neither open nor closed")
    return PrInfo(
        number=_number(pull.get("number"), "pull_request.number"),
        state=state,  # type: ignore[arg-type]
        head_sha=_sha(_str(head, "sha"), "pull_request.head.sha"),
        labels=_labels(pull.get("labels")),
        author=_str(_obj(pull, "user"), "login"),
        title=_str(pull, "title"),
        body=_str(pull, "body"),
        html_url=_str(pull, "html_url"),
        is_fork=bool(head_repo and base_repo and head_repo != base_repo),
        merged=bool(pull.get("merged")),
    )


def pr_from_api(pull: dict[str, Any]) -> PrInfo:
    """A pull request object of the REST API (the same shape as in webhook payloads)."""
    return _pr_from_pull(pull)


def _event_name(payload: dict[str, Any], name: str | None) -> str:
    ev_name = (name or "").strip()
    if not ev_name:
        if "pull_request" in payload:
            ev_name = "pull_request"
        elif "comment" in payload:
            ev_name = "issue_comment"
        elif "inputs" in payload:
            ev_name = "workflow_dispatch"
        else:
            raise InputError("event name unknown: pass --event-name or set GITHUB_EVENT_NAME")
    if ev_name not in _KNOWN:
        raise InputError(
            f"unsupported event {ev_name[:40]!r}: expected one of {', '.join(sorted(_KNOWN))}"
        )
    return ev_name


def _comment_event(payload: dict[str, Any], action: str | None, actor: str) -> tuple[Event, PrInfo]:
    issue, comment = _obj(payload, "issue"), _obj(payload, "comment")
    if not issue:
        raise InputError("issue_comment event has no issue object")
    if "pull_request" not in issue:
        raise InputError(f"comment is on issue #{issue.get('number')}, not a pull request")
    state = _str(issue, "state") or "open"
    pr = PrInfo(
        number=_number(issue.get("number"), "issue.number"),
        state="closed" if state == "closed" else "open",
        head_sha="",
        labels=_labels(issue.get("labels")),
        author=_str(_obj(issue, "user"), "login"),
        title=_str(issue, "title"),
        body=_str(issue, "body"),
        html_url=_str(issue, "html_url"),
    )
    cid = comment.get("id")
    ev = Event(
        name="issue_comment",
        action=action,
        actor=_str(_obj(comment, "user"), "login") or actor,
        comment=_str(comment, "body"),
        comment_id=cid if isinstance(cid, int) and not isinstance(cid, bool) else None,
        actor_association=_str(comment, "author_association") or None,
    )
    return ev, pr


def _dispatch_event(payload: dict[str, Any], actor: str) -> tuple[Event, PrInfo | None]:
    inputs = _obj(payload, "inputs")
    pairs = tuple((str(k), str(v)) for k, v in inputs.items() if isinstance(v, str | int))
    sha = _sha(str(inputs.get("sha") or ""), "inputs.sha")
    ev = Event(
        name="workflow_dispatch",
        action=_str(inputs, "action") or "sync",
        actor=actor,
        inputs=pairs,
        sha=sha,
    )
    pull = _obj(payload, "pull_request")
    if pull:
        return ev, _pr_from_pull(pull)
    if "pr_number" in inputs:
        number = _number(inputs["pr_number"], "inputs.pr_number")
        return ev, PrInfo(number=number, state="open", head_sha=sha)
    return ev, None


def parse_event(payload: dict[str, Any], name: str | None) -> tuple[Event, PrInfo | None]:
    """Reduce a webhook payload to an Event and, when the payload has one, the PR.

    The PR's ``head_sha`` is ``""`` when the payload does not carry it (``issue_comment``):
    the caller reads the PR once from the API, or plans with what it has.
    """
    ev_name = _event_name(payload, name)
    action = _str(payload, "action") or None
    actor = _str(_obj(payload, "sender"), "login")
    label = _str(_obj(payload, "label"), "name") or None
    if label is not None and len(label) > MAX_LABEL_CHARS:
        raise InputError(f"a label of {len(label)} characters is not a GitHub label")

    if ev_name in _PR_EVENTS:
        pull = _obj(payload, "pull_request")
        if not pull:
            raise InputError(f"{ev_name} event has no pull_request object")
        pr = _pr_from_pull(pull)
        if not pr.head_sha:
            raise InputError("pull_request.head.sha is missing")
        ev = Event(name="pull_request", action=action, actor=actor, label=label, sha=pr.head_sha)
        return ev, pr
    if ev_name == "issue_comment":
        return _comment_event(payload, action, actor)
    if ev_name == "workflow_dispatch":
        return _dispatch_event(payload, actor)
    return Event(name=ev_name, action=action, actor=actor), None
