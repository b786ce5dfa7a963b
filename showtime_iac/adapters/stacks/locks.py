"""Stack locks and what a killed run leaves: bounded retries of a held lock, stale locks
removed, and recovery of pending operations from the stack's state.

Every engine call that takes the stack's lock (``up``, ``destroy``, ``refresh``, ``stack
import``, ``stack init``/``rm``) runs inside :func:`with_lock_retry`, the pending-operation
recovery included: a recovery that runs into a held lock waits like the operation it
precedes, instead of failing outside the retries.

A held lock on a DIY backend (``file://``, ``s3://``) names its holders in the engine's error,
one line per lock file: ``created by USER@HOST (pid PID) at RFC3339``. A lock is **stale**
when it was taken on this machine by a process that is gone, or when it is older than the
policy's ``stale_lock`` (1 h: no run of ours takes that long, and GitHub Actions cancels jobs
well before). Only when every holder is stale is the lock cancelled (``pulumi cancel``) at
once, with a note naming it. Otherwise the lock is waited for; after the bounded retries it is
cancelled only with ``--unlock`` or when the caller's ``stale()`` says why (the lock file's
age, or the PR's claim labels past the stale-claim age where the backend names no holder:
Pulumi Cloud), else the run gives up with :class:`StackBusyError`.
"""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from showtime_iac.adapters.stacks.engine import Engine
from showtime_iac.adapters.stacks.errors import StackBusyError, is_concurrent

__all__ = [
    "LockHolder",
    "LockPolicy",
    "lock_holders",
    "pid_alive",
    "recover_pending",
    "with_lock_retry",
]

T = TypeVar("T")

_HOLDER_RE = re.compile(
    r"created by (?P<user>[^@\s]*)@(?P<host>\S*) \(pid (?P<pid>\d+)\) at (?P<at>\S+)"
)
# how often one operation may remove a stale lock (another stale run may take it again)
_MAX_STALE_CANCELS = 3


@dataclass(frozen=True)
class LockHolder:
    """Who holds a DIY backend's stack lock (the lock file's pid, user, host, timestamp)."""

    user: str
    host: str
    pid: int
    since: datetime

    def describe(self) -> str:
        at = self.since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return f"{self.user}@{self.host} (pid {self.pid}) at {at}"


def lock_holders(text: str) -> list[LockHolder]:
    """The holders an engine lock error names (none for Pulumi Cloud's ``409 Conflict``)."""
    out = []
    for m in _HOLDER_RE.finditer(text):
        try:
            since = datetime.fromisoformat(m.group("at"))
        except ValueError:
            continue
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        out.append(LockHolder(m.group("user"), m.group("host"), int(m.group("pid")), since))
    return out


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine (signal 0: nothing is sent). A
    zombie is gone: a container whose first process reaps no orphans keeps them listed."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    except (OverflowError, ValueError):
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return True  # no /proc (macOS): the signal said it exists
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


@dataclass(frozen=True)
class LockPolicy:
    """When a held lock is stale: its process is gone from this host, or it is older than
    ``stale_after`` (the policy's ``stale_lock``)."""

    stale_after: timedelta = timedelta(hours=1)
    host: str = field(default_factory=socket.gethostname)
    alive: Callable[[int], bool] = pid_alive

    def stale_reason(self, holder: LockHolder, now: datetime) -> str | None:
        """Why ``holder``'s lock is stale, or None when its run may still be going."""
        if holder.host == self.host and not self.alive(holder.pid):
            return "its process is gone from this machine"
        age = now - holder.since
        if age >= self.stale_after:
            minutes = int(age.total_seconds() // 60)
            return f"held {minutes} min, past the stale-claim age: its run is gone"
        return None


def _busy(stack: str, what: str, tries: int, waited: float, holders: list[LockHolder]) -> str:
    who = f" ({', '.join(h.describe() for h in holders)})" if holders else ""
    return (
        f"stack {stack} is locked by another update{who} ({what} tried {tries} times over "
        f"{waited:.0f} s): wait for it to finish; if that run was killed, re-run with --unlock "
        f"(or `pulumi cancel --stack {stack} --yes`)"
    )


def with_lock_retry(
    engine: Engine,
    stack: str,
    what: str,
    op: Callable[[], T],
    *,
    retries: int,
    retry_delay: float,
    unlock: bool,
    sleep: Callable[[float], None],
    notes: list[str],
    policy: LockPolicy | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    jitter: Callable[[], float] = lambda: 0.0,
    stale: Callable[[], str | None] | None = None,
) -> T:
    """Run ``op``; a lock whose holders are all stale (``policy``) is cancelled and ``op`` run
    again at once; a live one is waited for (``retry_delay`` doubling, ``retries`` times, plus
    ``jitter()`` of each delay), then cancelled with ``unlock`` or when ``stale()`` says why,
    else reported as :class:`StackBusyError`. ``op`` itself may recover pending operations
    (a refresh, which takes the lock too): a held lock there is handled the same way."""
    attempt = cancels = 0
    waited = 0.0
    while True:
        try:
            return op()
        except Exception as exc:
            if not is_concurrent(exc):
                raise
            holders = lock_holders(str(exc))
        if policy is not None and holders and cancels < _MAX_STALE_CANCELS:
            now = clock()
            reasons = [policy.stale_reason(h, now) for h in holders]
            if all(reasons):
                engine.cancel(stack)
                cancels += 1
                left = "; ".join(
                    f"{h.describe()}: {r}" for h, r in zip(holders, reasons, strict=True)
                )
                notes.append(f"{stack}: cancelled the lock left by another run ({left})")
                continue
        attempt += 1
        if attempt > retries:
            why = "--unlock" if unlock else (stale() if stale is not None else None)
            if not why:
                raise StackBusyError(_busy(stack, what, attempt, waited, holders)) from None
            engine.cancel(stack)
            notes.append(f"{stack}: cancelled the lock left by another run ({why})")
            try:
                recover_pending(engine, stack, notes)
                return op()
            except Exception as exc:
                if is_concurrent(exc):
                    raise StackBusyError(
                        _busy(stack, what, attempt + 1, waited, lock_holders(str(exc)))
                    ) from None
                raise
        delay = retry_delay * 2 ** (attempt - 1)
        delay += delay * jitter()
        notes.append(
            f"{stack}: locked by another update, retry {attempt}/{retries} in {delay:.0f} s"
        )
        sleep(delay)
        waited += delay


def recover_pending(engine: Engine, stack: str, notes: list[str]) -> None:
    """Pending operations left by a killed run: refresh with pending creates cleared, then
    drop any that remain by export/import; say what was done.

    Run it inside :func:`with_lock_retry`: its refresh and import take the stack's lock, so
    pending operations of a run that still holds the lock are never touched (the export that
    shows them takes no lock)."""
    state = engine.export(stack)
    pending = list(state.get("deployment", {}).get("pending_operations") or [])
    if not pending:
        return
    what = ", ".join(
        f"{p.get('type', '?')} {str(p.get('resource', {}).get('urn', '?')).rsplit('::', 1)[-1]}"
        for p in pending[:5]
    )
    engine.refresh(stack, clear_pending_creates=True)
    after = engine.export(stack)
    left = after.get("deployment", {}).get("pending_operations") or []
    if left:
        deployment = dict(after["deployment"])
        deployment.pop("pending_operations", None)
        engine.import_(stack, {"version": after["version"], "deployment": deployment})
    notes.append(
        f"{stack}: {len(pending)} pending operation(s) left by an interrupted run ({what}): "
        "refreshed the stack with pending creates cleared"
        + (" and removed the rest from the state" if left else "")
        + "; anything a killed create left in AWS is found by `showtime-iac cleanup` (tags)"
    )
