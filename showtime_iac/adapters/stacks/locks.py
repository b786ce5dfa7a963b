"""Stack locks and what a killed run leaves: bounded retries of a held lock, then the lock
cancelled when it is stale (its run is gone: ``--unlock``, or the driver's judgement) and the
pending operations it left recovered from the stack's state."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from showtime_iac.adapters.stacks.engine import Engine
from showtime_iac.adapters.stacks.errors import StackBusyError, is_concurrent

__all__ = ["recover_pending", "with_lock_retry"]

T = TypeVar("T")


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
    stale: Callable[[], str | None] | None = None,
) -> T:
    """Run ``op``; on a held lock retry a bounded number of times; then, when the lock is
    stale (``unlock``, or ``stale()`` says why), cancel it, recover what its run left and run
    ``op`` once more; else give up clearly. ``op`` itself may recover pending operations
    (a refresh, which takes the lock too): a held lock there is retried the same way."""
    attempt = 0
    while True:
        try:
            return op()
        except Exception as exc:
            if not is_concurrent(exc):
                raise
            attempt += 1
            if attempt > retries:
                why = "--unlock" if unlock else (stale() if stale is not None else None)
                if why:
                    engine.cancel(stack)
                    notes.append(f"{stack}: cancelled the lock left by another run ({why})")
                    recover_pending(engine, stack, notes)
                    return op()
                waited = sum(retry_delay * 2**i for i in range(retries))
                raise StackBusyError(
                    f"stack {stack} is locked by another update ({what} tried "
                    f"{retries + 1} times over {waited:.0f} s): wait for it to finish; "
                    "if that run was killed, re-run with --unlock (or `pulumi cancel "
                    f"--stack {stack} --yes`)"
                ) from None
            delay = retry_delay * 2 ** (attempt - 1)
            notes.append(
                f"{stack}: locked by another update, retry {attempt}/{retries} in {delay:.0f} s"
            )
            sleep(delay)


def recover_pending(engine: Engine, stack: str, notes: list[str]) -> None:
    """Pending operations left by a killed run: refresh with pending creates cleared, then
    drop any that remain by export/import; say what was done."""
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
