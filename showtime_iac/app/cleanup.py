"""The 6-hourly sweep: expired environments and stacks of closed PRs, orphans, labels.

``sweep(prs, stacks, now, policy, activity)`` decides purely: it takes the repository's PRs
that carry 🎪 labels (open, plus whatever closed PRs the caller looked up for stacks it found),
every stack name and, in HTTPS mode, when the load balancer last saw a request for each PR's
active environment (:func:`request_activity`: a request resets the idle TTL), and returns one
plan per PR that has something to do. :func:`cleanup` carries them out through the executor
(:data:`CLEANUP_WORKERS` PRs at a time), then sweeps tagged AWS resources no live stack owns
and prunes unused 🎪 label definitions.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from showtime_iac.app.proof import proof_options
from showtime_iac.core import labels as L
from showtime_iac.core.guarded import removes_unverified, with_unverified_removed, without
from showtime_iac.core.lifetimes import deadlines
from showtime_iac.core.model import (
    BASELINE_PR,
    Event,
    InputError,
    Policy,
    PrInfo,
    ShowtimeError,
    parse_stack_name,
    resource_names,
    stack_name,
)
from showtime_iac.core.planner import Fleet, Plan, StackOp, decide
from showtime_iac.core.record import REPAIRED, repairs

Recheck = Callable[["SweepItem"], "SweepItem"]
Bind = Callable[[Plan], Plan]
#: what the cleanup carries out (a ``keep`` is only reported), and the result it reports
_DONE = {
    "destroy": "destroyed",
    "warn": "warned",
    "sleep": "asleep",
    "unguard": "removed the guarded labels no writer added",
    "repair": "put the labels back from the stacks' record",
}
_ACTS = tuple(_DONE)
#: re-checked on a fresh read of the PR right before they are carried out
_RECHECKED = ("destroy", "sleep")
Activity = Callable[[Sequence[PrInfo], datetime], Mapping[int, datetime] | None]
"""``(prs, now) -> {pr: last request}`` (None: public-IP mode, no signal)."""

if TYPE_CHECKING:
    from showtime_iac.adapters.github import GitHubClient
    from showtime_iac.app.executor import Executor
    from showtime_iac.app.ports import LivePort
    from showtime_iac.app.wiring import Ports

__all__ = [
    "cleanup",
    "cleanup_workers",
    "CLEANUP_WORKERS",
    "CleanupReport",
    "fleet_of",
    "prs_to_look_up",
    "request_activity",
    "stale_routers",
    "SweepItem",
    "sweep",
]


@dataclass(frozen=True)
class SweepItem:
    pr: PrInfo
    plan: Plan

    @property
    def action(self) -> str:
        if self.plan.intent == "sleep":
            return "sleep"
        if self.plan.stacks:
            return "destroy"
        if self.plan.intent == "warn":
            return "warn"
        if removes_unverified(self.plan):
            return "unguard"
        if repairs(self.plan):
            return "repair"
        return "keep"


def prs_to_look_up(prs: Iterable[PrInfo], stacks: Iterable[str]) -> list[int]:
    """PR numbers that have stacks but are not among ``prs``: the caller reads their state."""
    known = {p.number for p in prs} | {BASELINE_PR}  # the baseline has no PR to read
    found = {parsed[0] for s in stacks if (parsed := parse_stack_name(s)) is not None}
    return sorted(found - known)


def sweep(
    prs: Sequence[PrInfo],
    stacks: Iterable[str],
    now: datetime,
    policy: Policy | None = None,
    activity: Mapping[int, datetime] | None = None,
    prepared: Collection[str] = (),
    unverified: Mapping[int, Sequence[str]] | None = None,
    records: Mapping[str, Mapping[str, str]] | None = None,
) -> list[SweepItem]:
    """One item per PR with an environment or a stack; ``plan.stacks`` empty means keep.
    ``activity``: the last request the load balancer saw for a PR (HTTPS mode).
    ``prepared``: stacks made while their image builds: on an open PR they are neither
    strays nor lost labels here (:func:`~showtime_iac.app.prepare.sweep_prepared` judges
    them by their age); a closed PR's go with the rest. ``unverified``: a PR's guarded
    labels whose adder is not verified as a writer (:func:`unverified_of`): decided as if
    absent, and removed. ``records``: the stacks' tags by stack name (the record): each PR
    is decided from the labels its record implies, and labels that disagree are put back."""
    from showtime_iac.core.record import Reconciled, reconcile, record_of, with_repair

    seen = activity or {}
    names = tuple(stacks)
    items: list[SweepItem] = []
    for listed in sorted(prs, key=lambda p: p.number):
        view = (
            Reconciled(listed.labels)
            if records is None or not listed.is_open
            else reconcile(listed.labels, record_of(listed.number, records))
        )
        hidden = tuple((unverified or {}).get(listed.number, ()))
        pr = without(replace(listed, labels=view.labels), hidden)
        mine = [n for n in names if (parsed := parse_stack_name(n)) and parsed[0] == pr.number]
        if pr.is_open:
            mine = [n for n in mine if n not in prepared]
        st = L.parse_state(pr.labels)
        if not st.shows and not mine:
            continue
        plan = decide(
            CLEANUP_EVENT,
            pr,
            now,
            policy,
            known_stacks=mine,
            last_request=seen.get(pr.number),
        )
        if pr.is_open and not st.shows and mine:
            # labels lost on an open PR: keep the stacks, say so (sync repairs)
            plan = Plan(
                pr=pr.number,
                intent="none",
                skipped=(
                    f"open PR with stacks {', '.join(mine)} but no 🎪 labels: "
                    f"run `sync {pr.number}`"
                ),
            )
        elif pr.is_open and not plan.stacks and not st.blocked:
            plan = _strays(pr, st, mine) or plan
        items.append(SweepItem(listed, with_repair(with_unverified_removed(plan, hidden), view)))
    return items


#: the event of every cleanup run's decisions
CLEANUP_EVENT = Event(name="schedule", actor="showtime-cleanup")


def unverified_of(github: GitHubClient, prs: Iterable[PrInfo]) -> dict[int, tuple[str, ...]]:
    """Each PR's guarded labels the cleanup must not obey (events read only where one is)."""
    from showtime_iac.app.guarded import unverified_labels

    found = {p.number: unverified_labels(github, CLEANUP_EVENT, p.number, p.labels) for p in prs}
    return {n: h for n, h in found.items() if h}


def _strays(pr: PrInfo, st: L.LabelState, mine: Sequence[str]) -> Plan | None:
    """Stacks of an open PR that none of its labels references (a run killed between its
    deploy and its labels, two pushes racing): destroyed; the PR's environment stays."""
    referenced = {stack_name(pr.number, sha) for sha in st.shows}
    stray = [n for n in mine if n not in referenced]
    if not stray:
        return None
    ops = tuple(StackOp("destroy", n, n.rsplit("-", 1)[1]) for n in stray)  # parsed names
    why = f"no label references {', '.join(stray)}"
    return Plan(
        pr=pr.number,
        intent="sweep",
        stacks=ops,
        reasons=(why, *(f"destroy {n}" for n in stray)),
        warnings=st.warnings,
    )


def request_activity(
    live: LivePort, prs: Iterable[PrInfo], now: datetime, policy: Policy, warnings: list[str]
) -> dict[int, datetime]:
    """HTTPS mode: when the load balancer last forwarded a request (within the last hour) to
    each open PR's active environment, for those whose idle TTL a request can move. A read
    that fails is a line in ``warnings`` and no signal for that PR: it is treated as idle, and
    the warning before any teardown still gives its people the notice.

    :func:`cleanup` asks only about the PRs its sweep would warn, put to sleep or tear down: a
    request never makes a deadline earlier, so it cannot change a decision to keep."""
    out: dict[int, datetime] = {}
    for pr in prs:
        st = L.parse_state(pr.labels)
        active = st.active
        if not pr.is_open or st.blocked or active is None:
            continue
        if deadlines(active, now, policy).idle_at is None:
            continue  # pinned, or kept until the PR closes: no idle TTL to reset
        try:
            last = live.last_request(resource_names(pr.number, active.sha).target_group, now)
        except ShowtimeError as exc:
            warnings.append(f"PR #{pr.number}: {exc}")
            continue
        if last is not None:
            out[pr.number] = last
    return out


def fleet_of(prs: Iterable[PrInfo]) -> Fleet:
    """Count live environments (one per PR with any, a queued request is none) by requester,
    and the queue, for quotas (:func:`showtime_iac.core.queue.fleet_of`)."""
    from showtime_iac.core.queue import fleet_of as counted

    return counted(prs)


def stale_routers(routers: Iterable[int], stacks: Iterable[str]) -> list[int]:
    """PRs whose router stack (``pr-{n}-router``) outlived every environment of theirs: the
    sweep destroys those routers. ``routers`` must be listed *before* ``stacks``: a router is
    only ever created after its environment exists, so one seen first is never a deploy's."""
    have = {parsed[0] for s in stacks if (parsed := parse_stack_name(s)) is not None}
    return sorted(set(routers) - have)


# --------------------------------------------------------------------------- carrying it out


@dataclass(frozen=True)
class CleanupReport:
    """One row per swept PR (``pr``, ``state``, ``action``, ``stacks``, ``reason``,
    ``result``), and, when asked for, ``orphans``, ``pruned_labels`` and ``warnings``;
    ``audit``: one object per operation the run carried out (as sync's), when there was one."""

    dry_run: bool
    rows: list[dict[str, Any]]
    extra: dict[str, Any]
    failed: int

    def to_json(self) -> dict[str, Any]:
        return {"dry_run": self.dry_run, "items": self.rows, **self.extra}

    @staticmethod
    def check_writable(path: Path) -> None:
        """Fail before the cleanup runs when ``path`` cannot take the report: a run that tore
        environments down must not end in an error that says nothing was attempted."""
        import os

        parent = path.parent  # Path("cleanup.json").parent is Path(".")
        if path.is_dir():
            raise InputError(f"cannot write the report to {path}: it is a directory")
        if not parent.is_dir():
            raise InputError(f"cannot write the report to {path}: no directory {parent}")
        if not os.access(path if path.exists() else parent, os.W_OK):
            raise InputError(f"cannot write the report to {path}: permission denied")

    def write(self, path: Path) -> None:
        """The ``--json`` document into ``path`` (what ``dashboard --cleanup`` reads)."""
        import json

        try:
            path.write_text(json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n")
        except OSError as exc:
            raise InputError(f"cannot write the report to {path}: {exc.strerror}") from None


def _reason(plan: Plan) -> str:
    if removes_unverified(plan) and not plan.stacks:
        return "; ".join(r for r in plan.reasons if r.startswith("not obeyed"))
    if repairs(plan) and not plan.stacks:
        return next(r for r in plan.reasons if r.startswith(REPAIRED))
    return plan.skipped or (plan.reasons[0] if plan.reasons else "")


def _row(item: SweepItem, dry_run: bool) -> dict[str, Any]:
    return {
        "pr": item.pr.number,
        "state": item.pr.state,
        "action": item.action,
        "stacks": [op.stack for op in item.plan.stacks],
        "reason": _reason(item.plan),
        "result": "planned" if dry_run or item.action == "keep" else "",
    }


CLEANUP_WORKERS = 4
"""PRs torn down at once (``$SHOWTIME_CLEANUP_WORKERS``): each stack is its own ``pulumi``
process and its own lock, so they do not wait for each other; 4 keeps a 2-core runner busy
without thrashing."""


def cleanup_workers(env: Mapping[str, str] | None = None) -> int:
    """``$SHOWTIME_CLEANUP_WORKERS`` (1 to 32; 1: one by one), default :data:`CLEANUP_WORKERS`."""
    text = (os.environ if env is None else env).get("SHOWTIME_CLEANUP_WORKERS", "").strip()
    if not text:
        return CLEANUP_WORKERS
    if not text.isdigit() or not 1 <= int(text) <= 32:
        raise InputError(f"$SHOWTIME_CLEANUP_WORKERS={text[:20]!r} must be a number from 1 to 32")
    return int(text)


def _still_due(
    item: SweepItem,
    ports: Ports,
    now: datetime,
    policy: Policy,
    activity: Activity | None = None,
) -> SweepItem:
    """An expiry teardown re-reads its PR first: a push or a command since the sweep read the
    labels withdrew the warning, and then nothing is torn down (it is warned afresh); so does
    a request the load balancer saw meanwhile (HTTPS mode: ``activity``, read up to this
    moment; one after ``now`` counts as at ``now``)."""
    if not item.pr.is_open or item.plan.intent == "sweep":
        return item
    fresh = ports.github.get_pr(item.pr.number)
    seen = None if activity is None else activity([fresh], datetime.now(UTC))
    hidden = unverified_of(ports.github, [fresh])
    records = ports.stacks.records(fresh.number)
    mine = [op.stack for op in item.plan.stacks]
    again = sweep([fresh], mine, now, policy, seen, (), hidden, records)
    return again[0] if again else SweepItem(fresh, Plan(pr=fresh.number, intent="none"))


def _carry_out(
    items: list[SweepItem],
    executor: Executor,
    dry_run: bool,
    workers: int,
    recheck: Recheck | None = None,
    bind: Bind | None = None,
) -> list[dict[str, Any]]:
    """One row per item; the destroys, sleeps and warnings run ``workers`` at a time (rows
    keep their order). A destroy or a sleep is re-checked first (``recheck``): activity since
    may have withdrawn it. ``bind`` gives a sleep's ``up`` the image its stack runs."""
    rows = [_row(item, dry_run) for item in items]
    todo = [
        (row, item)
        for row, item in zip(rows, items, strict=True)
        if not dry_run and item.action in _ACTS
    ]

    def one(job: tuple[dict[str, Any], SweepItem]) -> None:
        row, planned = job
        item = planned
        if item.action in _RECHECKED and recheck is not None:
            item = recheck(item)
            if item.action not in _RECHECKED:
                row.update(action=item.action, stacks=[], result="kept: activity since the warning")
        if item.action not in _ACTS:
            return
        plan = item.plan
        if item.action == "sleep" and bind is not None:
            try:
                plan = bind(plan)
            except ShowtimeError as exc:
                row["result"] = f"failed: {exc}"
                return
        out = executor.execute(plan, item.pr)
        done = _DONE[item.action]
        if item is not planned and done == "warned":
            done = "warned: activity since the warning"
        row["result"] = "failed: " + (out.error or "") if out.exit_code else done

    if workers <= 1 or len(todo) <= 1:
        for job in todo:
            one(job)
    else:
        with ThreadPoolExecutor(max_workers=min(workers, len(todo))) as pool:
            list(pool.map(one, todo))
    return rows


def _sweep_routers(ports: Ports, stale: list[int], dry_run: bool) -> list[dict[str, Any]]:
    """Destroy router stacks whose PR has no environment left (one row each)."""
    rows: list[dict[str, Any]] = []
    for pr_number in stale:
        row = {
            "pr": pr_number,
            "state": "-",
            "action": "destroy",
            "stacks": [f"pr-{pr_number}-router"],
            "reason": "router stack without an environment",
            "result": "planned",
        }
        if not dry_run:
            try:
                ports.stacks.unroute(pr_number)
                row["result"] = "destroyed"
            except ShowtimeError as exc:
                row["result"] = f"failed: {exc}"
        rows.append(row)
    from showtime_iac.app.shards import retire_empty_shards

    return rows + retire_empty_shards(ports.stacks, dry_run)  # after the routers went


def _prune_labels(
    ports: Ports,
    items: list[SweepItem],
    rows: list[dict[str, Any]],
    prs: list[PrInfo],
    dry_run: bool,
) -> dict[str, Any]:
    """Delete the 🎪 definitions no open PR uses. Deleting a definition takes the label off
    every PR, so a real run reads the open PRs' labels again first: the labels this run wrote
    (a failed teardown's ``destroying``, a queued start's ``running`` and 🎯) and any another
    run wrote meanwhile are in use. A dry run previews from its first read: the labels of the
    environments it would destroy are gone (a sweep of stacks no label referenced leaves the
    PR's environment and its labels in place)."""
    try:
        if dry_run:
            gone = {
                r["pr"]
                for item, r in zip(items, rows, strict=True)
                if r["action"] == "destroy" and item.plan.intent != "sweep"
            }
            open_now = [p for p in prs if p.is_open and p.number not in gone]
        else:
            open_now = [p for p in ports.github.list_showtime_prs() if p.is_open]
        in_use = {n for p in open_now for n in p.labels}
        return {"pruned_labels": ports.github.prune_label_definitions(in_use, dry_run=dry_run)}
    except ShowtimeError as exc:
        return {"pruned_labels": [], "warnings": [f"label prune skipped: {exc}"]}


def _afterwards(
    ports: Ports,
    asked: tuple[bool, bool, bool],
    items: list[SweepItem],
    rows: list[dict[str, Any]],
    prs: list[PrInfo],
    stacks: list[str],
    now: datetime,
    dry_run: bool,
) -> dict[str, Any]:
    """What follows the teardowns, as asked (orphans, prune_labels, drift): the orphan
    sweep, the label prune, the drift check of the serving stacks left."""
    orphans, prune_labels, drift = asked
    extra: dict[str, Any] = {}
    if orphans:
        from showtime_iac.app.orphans import sweep_orphans

        extra.update(sweep_orphans(ports, prs, now, dry_run))
    if prune_labels:
        # the rows of the items (the routers' and the prepared stacks' follow them)
        extra.update(_prune_labels(ports, items, rows[: len(items)], prs, dry_run))
    if drift:
        from showtime_iac.app.drift_check import check_drift, drift_targets

        gone = {s for r in rows if r["action"] in ("destroy", "sleep") for s in r["stacks"]}
        targets = drift_targets(stacks, gone, prs)
        extra["drift"] = check_drift(ports, targets, now, dry_run, cleanup_workers())
    return extra


def _recover_stale_claims(
    ports: Ports, items: Sequence[SweepItem], policy: Policy, now: datetime, dry_run: bool
) -> None:
    """Claims past the stale-claim age: their stacks' leftover locks may be cancelled."""
    from showtime_iac.app.sync import stale_claims

    stale = [s for i in items for s in stale_claims(i.plan, i.pr.labels, policy, now)]
    if stale and not dry_run:
        ports.stacks.stale_claims(stale)


def cleanup(
    *,
    repo: str | None,
    policy_file: Path | None,
    dry_run: bool,
    orphans: bool,
    prune_labels: bool,
    drift: bool,
) -> CleanupReport:
    """Destroy expired environments and the stacks of closed PRs; then (``orphans``) delete
    tagged AWS resources no live stack owns, (``prune_labels``) unused label definitions, and
    (``drift``) check the serving stacks for drift. ``failed`` counts failed destroys and
    orphan deletions."""
    from showtime_iac.app import wiring
    from showtime_iac.app.executor import Executor
    from showtime_iac.app.images import bind_images
    from showtime_iac.app.inputs import load_policy
    from showtime_iac.app.prepare import sweep_prepared
    from showtime_iac.core.plan import for_repository
    from showtime_iac.settings import Settings

    settings = Settings.from_env()
    policy = load_policy(policy_file)
    ports = wiring.open_ports(settings, repo=repo, policy=policy)
    ports.stacks.ready()  # no engine or backend: fail before any GitHub request
    now = datetime.now(UTC)
    routers = ports.stacks.list_routers()  # before the stacks: see stale_routers
    # stacks first: a stack listed here had its claim labels written before it was created,
    # so the labels read next reference every stack a run is deploying
    records = ports.stacks.records()  # every stack's tags: the record the PRs are decided by
    stacks = sorted(n for n in records if parse_stack_name(n) is not None)
    prs = list(ports.github.list_showtime_prs())
    prs += [ports.github.get_pr(n) for n in prs_to_look_up(prs, stacks)]
    notes: list[str] = []  # the report's warnings

    def activity(of: Sequence[PrInfo], at: datetime) -> Mapping[int, datetime] | None:
        if settings.domain is None:
            return None  # public-IP mode: no load balancer, no request signal
        return request_activity(ports.live, of, at, policy, notes)

    # stacks made while their image builds: judged by their age, never as strays
    prepared, prepared_rows = sweep_prepared(ports, stacks, prs, now, dry_run)
    hidden = unverified_of(ports.github, prs)
    items = sweep(prs, stacks, now, policy, None, prepared, hidden, records)
    # a request only ever postpones: read them where this run would warn, sleep or tear down
    seen = activity([i.pr for i in items if i.action in _ACTS], now)
    if seen:
        items = sweep(prs, stacks, now, policy, seen, prepared, hidden, records)
    audit: list[str] = []  # one line per operation, as sync's; appends are atomic
    executor = Executor(
        ports.github,
        ports.stacks,
        ports.live,
        policy=policy,
        actor="showtime-cleanup",
        run_url=settings.github_run_url,
        log=audit.append,
        # as sync's: a queued start's progress notes, its failure report masked, its picture
        **proof_options(ports.github),
    )
    _recover_stale_claims(ports, items, policy, now, dry_run)
    rows = _carry_out(
        items,
        executor,
        dry_run,
        cleanup_workers(),
        recheck=lambda i: _still_due(i, ports, now, policy, activity),
        bind=lambda plan: bind_images(
            for_repository(plan, ports.github.repo_name), None, ports.stacks.current_image
        ),
    )
    rows += prepared_rows
    rows += _sweep_routers(ports, stale_routers(routers, stacks), dry_run)
    from showtime_iac.app.queued import start_queued  # the slots freed go to the queue

    rows += start_queued(ports, executor, policy, now, dry_run, listed=prs)
    extra = _afterwards(
        ports, (orphans, prune_labels, drift), items, rows, prs, stacks, now, dry_run
    )
    return _report(dry_run, rows, extra, notes, audit)


def _report(
    dry_run: bool,
    rows: list[dict[str, Any]],
    extra: dict[str, Any],
    notes: list[str],
    audit: list[str],
) -> CleanupReport:
    """The rows and what followed them, the run's warnings once each, its audit lines;
    ``failed`` counts failed rows and orphan deletions."""
    import json

    failed = sum(1 for r in rows if r["result"].startswith("failed"))
    failed += sum(1 for o in extra.get("orphans", []) if o.get("error"))
    notes = [*notes, *extra.pop("warnings", [])]
    if notes:
        extra["warnings"] = list(dict.fromkeys(notes))
    if audit:
        extra["audit"] = [json.loads(line) for line in audit]
    return CleanupReport(dry_run, rows, extra, failed)
