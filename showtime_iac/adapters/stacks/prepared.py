"""Prepared stacks: an environment stack made while its image builds (no task definition, no
service), read back, and destroyed only while it still serves nothing.

:class:`PreparedOps` is mixed into :class:`~showtime_iac.adapters.stacks.PulumiDriver`:

- ``prepare(cfg, run)`` creates the stack of a ``cfg.prepared`` config and ``up``s it, or
  does nothing when the stack exists (a running stack is never touched);
- ``prepared(pr, sha)`` reads a stack's record: prepared-only or not, when, by which run;
- ``prepared_stacks(names)`` reads, from the stacks' tags, which of them are prepared;
- ``destroy_prepared(pr, sha, run=...)`` destroys a stack only while its config still says
  prepared and its state holds no ECS service or task definition, and never waits for a
  stack another run holds (that run may be taking it to full).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from showtime_iac.adapters.stacks import locks
from showtime_iac.adapters.stacks.errors import StackBusyError, StackError
from showtime_iac.adapters.stacks.locks import recover_pending
from showtime_iac.adapters.stacks.router import new_secrets
from showtime_iac.core.model import EnvConfig, InputError, stack_name
from showtime_iac.core.prepared import PREPARED_AT_TAG, PREPARED_BY_TAG, prepared_tags
from showtime_iac.core.stack_config import key

if TYPE_CHECKING:
    from showtime_iac.adapters.stacks.engine import Engine

__all__ = ["RUNNING_TYPES", "PreparedOps", "PreparedRecord"]

#: resource types that run or serve something: a stack holding one is never destroyed as
#: prepared-only
RUNNING_TYPES = frozenset({"aws:ecs/service:Service", "aws:ecs/taskDefinition:TaskDefinition"})


@dataclass(frozen=True)
class PreparedRecord:
    """A prepared-only stack: its name, when it was prepared (its ``created``) and by which
    run (its ``showtime:prepared-by`` tag; None where the backend keeps no tags)."""

    stack: str
    created: datetime | None
    run: str | None


def _parse_tag_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


class PreparedOps:
    """Prepared-stack operations over the driver's engine (see :class:`PulumiDriver`)."""

    engine: Engine
    notes: list[str]
    on_output: Callable[[str], None]

    # provided by PulumiDriver
    _timed: Callable[[], AbstractContextManager[None]]
    _errors: Callable[[str | None, str], AbstractContextManager[None]]
    _select: Callable[[str], bool]
    _create: Callable[[str], bool]
    _check_passphrase: Callable[[str, bool], None]
    _check_owner: Callable[[str, int, str], None]
    _with_lock_retry: Callable[[str, str, Callable[[], Any]], Any]
    _supports_tags: Callable[[], bool]
    _tags_of: Callable[[Sequence[str]], dict[str, dict[str, str]]]
    _write_config_and_tags: Callable[..., None]
    lock_policy: locks.LockPolicy
    clock: Callable[[], datetime]
    _stale_lock: Callable[[str], str | None]

    def prepare(self, cfg: EnvConfig, run: str) -> dict[str, Any] | None:
        """Create the stack of ``cfg`` (which must be prepared) and ``up`` it; None, and
        nothing done, when the stack exists already (another run's, or a running one).
        Refused on a backend that keeps no stack tags: nothing could find it again."""
        if not cfg.prepared:
            raise InputError(f"{cfg.stack}: prepare takes a prepared config only")
        name = cfg.stack
        with self._timed():
            if not self._supports_tags():
                raise StackError(
                    f"{name}: this backend keeps no stack tags (pulumi 3.211 or later on a "
                    "file or S3 backend), so a prepared stack left behind could not be found "
                    "again: nothing prepared"
                )
            if self._select(name):
                return None
            self._check_passphrase(name, False)
            if self._with_lock_retry(name, "creation", lambda: self._create(name)):
                return None  # another run created it meanwhile: theirs
            assert cfg.created is not None
            with self._errors(name, "configuration"):
                self._write_config_and_tags(
                    name, cfg, False, new_secrets({}), extra=prepared_tags(cfg.created, run)
                )
            outputs: dict[str, Any] = self._with_lock_retry(
                name, "up", lambda: dict(self.engine.up(name, self.on_output))
            )
            return outputs

    def prepared(self, pr: int, sha: str) -> PreparedRecord | None:
        """The record of stack ``pr-N-S`` when its config says prepared; None when there is no
        such stack or it is (or is becoming) a full one."""
        name = stack_name(pr, sha)
        with self._errors(name, "reading the config"):
            if not self._select(name):
                return None
            config = self.engine.get_config(name)
            if config.get(key("prepared")) != "true":
                return None
            tags = self.engine.list_tags(name) if self._supports_tags() else {}
        created = config.get(key("created"))
        return PreparedRecord(
            name, datetime.fromisoformat(created) if created else None, tags.get(PREPARED_BY_TAG)
        )

    def prepared_stacks(self, names: Sequence[str]) -> dict[str, datetime | None]:
        """Which of ``names`` are tagged prepared, and when (None: a time not recorded)."""
        if not names or not self._supports_tags():
            return {}
        with self._errors(None, "reading the stack tags"):
            tags = self._tags_of(names)
        return {
            n: _parse_tag_time(t.get(PREPARED_AT_TAG))
            for n, t in tags.items()
            if PREPARED_AT_TAG in t
        }

    def _serves(self, name: str) -> str | None:
        """Why stack ``name`` may run or serve something (None: it holds nothing that does)."""
        outputs = self.engine.outputs(name)
        if "serviceName" in outputs or "taskDefinitionArn" in outputs:
            return f"{name}: its outputs name a service"
        state = self.engine.export(name).get("deployment") or {}
        for res in state.get("resources") or []:
            if res.get("type") in RUNNING_TYPES:
                return f"{name}: its state holds {res.get('type')}"
        return None

    def _kept_because(self, name: str, pr: int, run: str | None) -> str | None:
        """Why stack ``name`` must not be destroyed as prepared-only (None: it may)."""
        record = self.prepared(pr, name.rsplit("-", 1)[1])
        if record is None:
            return f"{name} is not a prepared-only stack"
        if run is not None and record.run != run:
            return f"{name} was prepared by {record.run or 'an unknown run'}, not {run}"
        self._check_owner(name, pr, name.rsplit("-", 1)[1])
        return self._serves(name)

    def destroy_prepared(self, pr: int, sha: str, *, run: str | None = None) -> str | None:
        """Destroy stack ``pr-N-S`` and remove it, only while it is prepared-only (given
        ``run``: prepared by that run); returns None when destroyed, else why it was kept.

        Checked under the lock retries, right before the destroy (and again after a stale
        lock is cancelled); a live lock of another run is never waited for: that run may be
        taking the stack to full, and a destroy that waited would destroy what it made."""
        name = stack_name(pr, sha)

        def op() -> str | None:
            recover_pending(self.engine, name, self.notes)
            why = self._kept_because(name, pr, run)
            if why is None:
                self.engine.destroy(name, self.on_output)
            return why

        with self._timed():
            self._check_passphrase(name, True)
            try:
                with self._errors(name, "destroy"):
                    why = locks.with_lock_retry(
                        self.engine,
                        name,
                        "destroy",
                        op,
                        retries=0,
                        retry_delay=0.0,
                        unlock=False,
                        sleep=lambda _s: None,
                        notes=self.notes,
                        policy=self.lock_policy,
                        clock=self.clock,
                        stale=lambda: self._stale_lock(name),
                    )
            except StackBusyError:
                return f"{name} is locked by another run (it may be taking it to full): kept"
            if why is not None:
                return f"{why}: kept"
            with self._errors(name, "removal"):
                self.engine.remove(name)  # never forced: a stack with resources stays
        return None
