"""The driver: one stack per PR SHA over an :class:`~.engine.Engine`.

:class:`StackDriver` is the protocol the executor and the CLI use; :class:`PulumiDriver` is the
real one (select or create, config, tags, ``up``, ``preview``, ``destroy`` with the owner
checked, ``list``, ``drift``); :func:`open_driver` finds the engine, project and backend.
"""

from __future__ import annotations

import builtins
import os
import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, TypeVar

from showtime_iac.adapters.stacks import locks
from showtime_iac.adapters.stacks.backend import (
    backend_url,
    base_config,
    ensure_local_backend,
    find_project_dir,
    local_backend_dir,
    needs_passphrase,
)
from showtime_iac.adapters.stacks.config import check_tags, stack_config_values, stack_tags
from showtime_iac.adapters.stacks.drift import DriftItem, DriftReport, dedupe, drift_item
from showtime_iac.adapters.stacks.engine import (
    MIN_VERSION_DIY_TAGS,
    AutomationEngine,
    CallStats,
    Engine,
    Program,
    find_engine,
    tags_supported,
)
from showtime_iac.adapters.stacks.errors import (
    EngineMissingError,
    PassphraseError,
    StackError,
    TagMismatchError,
    engine_message,
    is_already_exists,
    is_command_error,
    is_concurrent,
)
from showtime_iac.adapters.stacks.listing import StackInfo, read_diy_tags, stack_infos
from showtime_iac.adapters.stacks.prepared import PreparedOps
from showtime_iac.adapters.stacks.router import RouterOps, new_secrets
from showtime_iac.adapters.stacks.shards import ShardOps
from showtime_iac.core.model import (
    EnvConfig,
    InputError,
    ShowtimeError,
    parse_router_name,
    parse_stack_name,
    stack_name,
)
from showtime_iac.core.prepared import PREPARED_TAGS

__all__ = ["PulumiDriver", "StackDriver", "TagReader", "open_driver"]

T = TypeVar("T")

TagReader = Callable[[str], "Mapping[str, Mapping[str, str]] | None"]
"""Every stack's tags of a backend URL at once, or None (then the CLI is asked per stack)."""


class StackDriver(Protocol):
    """What the executor and the CLI need from the stacks (also the executor's StackPort)."""

    def up(self, cfg: EnvConfig) -> Mapping[str, Any]: ...
    def destroy(self, pr: int, sha: str) -> None: ...
    def list(self) -> builtins.list[StackInfo]: ...
    def list_stacks(self) -> builtins.list[str]: ...
    def outputs(self, pr: int, sha: str) -> dict[str, Any]: ...
    def drift(self, pr: int, sha: str) -> DriftReport: ...
    def route(
        self,
        pr: int,
        sha: str,
        target_group_arn: str,
        repo: str = "apache/superset",
        asleep: bool = False,
    ) -> dict[str, Any]: ...
    def unroute(self, pr: int) -> bool: ...
    def list_routers(self) -> builtins.list[int]: ...
    def retag(self, stack: str, tags: Mapping[str, str]) -> None: ...


class _Notes(list[str]):
    """The driver's notes; each one also goes to ``on_note`` as it is added."""

    def __init__(self, on_note: Callable[[str], None] | None) -> None:
        super().__init__()
        self._on_note = on_note

    def append(self, note: str) -> None:
        super().append(note)
        if self._on_note is not None:
            self._on_note(note)


class PulumiDriver(RouterOps, PreparedOps, ShardOps):
    """:class:`StackDriver` over an :class:`Engine` (the real one: :class:`AutomationEngine`).
    The router stack operations (``route``, ``unroute``, ``list_routers``) come from
    :class:`~showtime_iac.adapters.stacks.router.RouterOps`, the prepared-stack ones
    (``prepare``, ``prepared``, ``destroy_prepared``) from
    :class:`~showtime_iac.adapters.stacks.prepared.PreparedOps`.

    ``notes`` collects what the driver did besides the operation itself (a lock retried, a
    stale lock cancelled, pending operations recovered, tags skipped); the CLI prints them.
    ``on_note`` also gets each one as it happens (for runs that print no notes of their own:
    ``sync``, ``cleanup``). ``tag_reader(backend_url)`` reads every stack's tags at once off
    the CLI (the S3 backend's bucket, read by the AWS adapter), else ``None``.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        env: Mapping[str, str] | None = None,
        base_config: Mapping[str, str] | None = None,
        secrets_provider: str | None = None,
        on_output: Callable[[str], None] | None = None,
        retries: int = 3,
        retry_delay: float = 5.0,
        unlock: bool = False,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        stats: CallStats | None = None,
        lock_policy: locks.LockPolicy | None = None,
        jitter: Callable[[], float] = lambda: 0.0,
        on_note: Callable[[str], None] | None = None,
        tag_reader: TagReader | None = None,
        stale_after: timedelta | None = None,
    ) -> None:
        self.engine = engine
        self.env = dict(os.environ if env is None else env)
        self.base_config = dict(base_config or {})
        self.secrets_provider = secrets_provider
        self.on_output = on_output or (lambda _line: None)
        self.retries, self.retry_delay, self.unlock = retries, retry_delay, unlock
        self.sleep, self.clock = sleep, clock
        self.lock_policy = lock_policy if lock_policy is not None else locks.LockPolicy()
        self.jitter = jitter
        self.tag_reader = tag_reader
        # after the lock retries, a lock older than this was left by a run that is gone (the
        # policy's stale-claim age; the workflow's job timeout is shorter): sync and cleanup
        # cancel it (holders named in the lock error are judged at once by lock_policy)
        self.stale_after = stale_after
        # stacks whose claim on the PR is older than that (the app says so): the same
        self.stale_claims: set[str] = set()
        self.stats = stats if stats is not None else getattr(engine, "stats", CallStats())
        self.notes: list[str] = _Notes(on_note)

    # ---- plumbing

    @contextmanager
    def _timed(self) -> Iterator[None]:
        self.stats.total_s = self.stats.engine_s = 0.0
        self.stats.engine_calls = 0
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.stats.total_s = time.perf_counter() - t0

    def _passphrase_set(self) -> bool:
        return "PULUMI_CONFIG_PASSPHRASE" in self.env or "PULUMI_CONFIG_PASSPHRASE_FILE" in self.env

    def _check_passphrase(self, stack: str, exists: bool) -> None:
        if self._passphrase_set() or not needs_passphrase(
            self.engine.backend_url, self.secrets_provider
        ):
            return
        if exists:
            raise PassphraseError(
                f"stack {stack} exists and its secrets are encrypted with a passphrase: export "
                "PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) with the passphrase "
                "it was created with; nothing was changed"
            )
        raise PassphraseError(
            f"creating stack {stack} needs PULUMI_CONFIG_PASSPHRASE (or "
            "PULUMI_CONFIG_PASSPHRASE_FILE) on this backend: export one and keep it for later "
            "runs (or use a KMS secrets provider); nothing was changed"
        )

    def _with_lock_retry(self, stack: str, what: str, op: Callable[[], T]) -> T:
        """Run ``op``; a stale lock is removed, a held one retried a bounded number of times,
        then given up clearly (:func:`locks.with_lock_retry`); engine failures are one line."""
        with self._errors(stack, what):
            return locks.with_lock_retry(
                self.engine,
                stack,
                what,
                op,
                retries=self.retries,
                retry_delay=self.retry_delay,
                unlock=self.unlock,
                sleep=self.sleep,
                notes=self.notes,
                policy=self.lock_policy,
                clock=self.clock,
                jitter=self.jitter,
                stale=lambda: self._stale_lock(stack),
            )

    def _stale_lock(self, stack: str) -> str | None:
        """Why the lock on ``stack`` may be cancelled after the retries (its run is gone):
        its lock file's age (``file://``), or the PR's claim (the app says so); else None."""
        if self.stale_after is None:
            return None
        age = self.engine.lock_age(stack)
        if age is not None and age >= self.stale_after:
            minutes = int(age.total_seconds() // 60)
            return f"held {minutes} min, past the stale-claim age: its run is gone"
        if stack in self.stale_claims:
            return "its claim on the PR is past the stale-claim age: its run is gone"
        return None

    def _locked(self, stack: str, what: str, op: Callable[[], T]) -> T:
        """``op`` after the pending operations a killed run left are recovered, both under
        the lock retries (the recovery's refresh takes the lock too)."""

        def recover_then_op() -> T:
            locks.recover_pending(self.engine, stack, self.notes)
            return op()

        return self._with_lock_retry(stack, what, recover_then_op)

    @contextmanager
    def _errors(self, stack: str | None, what: str) -> Iterator[None]:
        """An engine failure as one line naming the stack and the operation."""
        try:
            yield
        except Exception as exc:
            if is_command_error(exc):
                raise self._fail(stack, what, exc) from None
            raise

    def _fail(self, stack: str | None, what: str, exc: BaseException) -> ShowtimeError:
        """One line: the operation, the stack, the engine's own ``error:`` line."""
        where = f"{what} of stack {stack}" if stack else what
        if "incorrect passphrase" in str(exc):
            return PassphraseError(
                f"{where}: PULUMI_CONFIG_PASSPHRASE is not the passphrase its secrets were "
                "encrypted with (incorrect passphrase); nothing was changed"
            )
        return StackError(
            f"{where} failed: {engine_message(exc)}", tuple(getattr(exc, "diagnostics", ()))
        )

    def _select(self, stack: str) -> bool:
        with self._errors(stack, "looking up"):
            return self.engine.select(stack)

    def _create(self, stack: str) -> bool:
        """Create the stack; True when another run created it meanwhile (it exists)."""
        try:
            self.engine.create(stack)
        except Exception as exc:
            if is_already_exists(exc):
                return True
            raise
        return False

    def _supports_tags(self) -> bool:
        return tags_supported(self.engine.backend_url, self.engine.version)

    # ---- operations

    def _recorded(
        self, cfg: EnvConfig, current: Mapping[str, str], max_age: timedelta | None
    ) -> EnvConfig:
        """``cfg`` with the creation time the stack recorded (else now) and, given a
        ``max_age``, the max-age deadline it recorded (else its creation plus ``max_age``):
        a re-up never moves either. A caller that passes its own (``sync``, from the PR's
        labels) keeps them."""
        if cfg.created is None:
            created = current.get("showtime-iac:created")
            cfg = replace(cfg, created=datetime.fromisoformat(created) if created else self.clock())
        if cfg.max_age_at is None and max_age is not None:
            assert cfg.created is not None
            recorded = current.get("showtime-iac:maxAgeAt")
            at = datetime.fromisoformat(recorded) if recorded else cfg.created + max_age
            cfg = replace(cfg, max_age_at=at)
        return cfg

    def up(self, cfg: EnvConfig, *, max_age: timedelta | None = None) -> dict[str, Any]:
        """Create or select the stack, write its config and tags, ``up``; returns outputs.
        ``max_age``: record a max-age deadline when ``cfg`` has none (a direct ``up``)."""
        name = cfg.stack
        with self._timed():
            exists = self._select(name)
            self._check_passphrase(name, exists)
            if not exists:
                exists = self._with_lock_retry(name, "creation", lambda: self._create(name))
            with self._errors(name, "configuration"):
                current: dict[str, str] = self.engine.get_config(name) if exists else {}
                cfg = self._recorded(cfg, current, max_age)
                # the environment's secrets are generated once, when the stack is new
                self._write_config_and_tags(
                    name, cfg, exists, new_secrets(current), current=current
                )

            def op() -> dict[str, Any]:
                return dict(self.engine.up(name, self.on_output))

            return self._locked(name, "up", op) if exists else self._with_lock_retry(name, "up", op)

    def _write_config_and_tags(
        self,
        name: str,
        cfg: EnvConfig,
        exists: bool,
        secrets: Mapping[str, tuple[str, bool]],
        extra: Mapping[str, str] | None = None,
        current: Mapping[str, str] | None = None,
    ) -> None:
        """Config, then tags (``extra``: stack-only tags, a prepared stack's); a full
        config removes the tags a prepare left, before its ``up``. In HTTPS mode, the
        stack's load-balancer placement (``current``: its config; none: a new stack)."""
        tags = {**stack_tags(cfg), **check_tags(extra or {})}
        values = stack_config_values(cfg, self.base_config)
        values.update(secrets)
        placement = self.placement(name, cfg.pr, current or {})
        if placement is not None:
            values.update({k: (v, False) for k, v in placement.to_stack_config().items()})
            tags.update(placement.tags())
        self.engine.set_config(name, values)
        if self._supports_tags():
            current = self.engine.list_tags(name) if exists else {}
            for k, v in tags.items():
                if current.get(k) != v:
                    self.engine.set_tag(name, k, v)
            for k in PREPARED_TAGS if not cfg.prepared else ():
                if k in current:
                    self.engine.remove_tag(name, k)
        else:
            self.notes.append(
                f"{name}: stack tags skipped (this backend keeps them from pulumi "
                f"{'.'.join(map(str, MIN_VERSION_DIY_TAGS))} on; `showtime-iac doctor`); "
                "the AWS resources carry the same tags"
            )

    def retag(self, stack: str, tags: Mapping[str, str]) -> None:
        """Set the stack tags that changed (a lifetime change: metadata, no ``up``, so no
        drift); nothing when the stack does not exist or the backend keeps no tags."""
        if not self._supports_tags():
            return
        with self._timed(), self._errors(stack, "tagging"):
            if not self.engine.select(stack):
                return
            current = self.engine.list_tags(stack)
            for key, value in tags.items():
                if current.get(key) != value:
                    self.engine.set_tag(stack, key, value)

    def preview(
        self,
        cfg: EnvConfig,
        on_output: Callable[[str], None] | None = None,
        *,
        max_age: timedelta | None = None,
    ) -> bool:
        """``pulumi preview`` with this config, writing nothing (config from a temp file), and
        the creation time and max age an ``up`` would record (``max_age`` as for :meth:`up`);
        False when the stack does not exist (the caller renders offline instead)."""
        name = cfg.stack
        with self._timed():
            if not self._select(name):
                return False
            self._check_passphrase(name, True)
            with self._errors(name, "configuration"):
                cfg = self._recorded(cfg, self.engine.get_config(name), max_age)
            values = stack_config_values(cfg, self.base_config)
            if any(secret for _, secret in values.values()):
                raise InputError("a dry-run preview cannot carry secret config values")
            config = {k: v for k, (v, _) in values.items()}
            with self._errors(name, "preview"):
                self.engine.preview(name, lambda _e: None, config=config, on_output=on_output)
            return True

    def _check_owner(self, name: str, pr: int, sha7: str) -> None:
        tags = self.engine.list_tags(name) if self._supports_tags() else {}
        got_pr, got_sha = tags.get("showtime:pr"), tags.get("showtime:sha")
        if got_pr is None and got_sha is None:
            config = self.engine.get_config(name)
            got_pr = config.get("showtime-iac:pr")
            got_sha = (config.get("showtime-iac:sha") or "")[:7] or None
        if got_pr is None and got_sha is None:
            raise TagMismatchError(
                f"stack {name} has neither showtime:pr/showtime:sha tags nor config: not a "
                "showtime-iac stack; refusing to destroy it (use `pulumi destroy` by hand)"
            )
        if got_pr != str(pr) or (got_sha or "")[:7] != sha7:
            raise TagMismatchError(
                f"stack {name} is tagged for PR {got_pr} SHA {got_sha}, not PR {pr} SHA {sha7}: "
                "refusing to destroy it; check `pulumi stack tag ls --stack " + name + "`"
            )

    def destroy(self, pr: int, sha: str) -> None:
        """Destroy the stack's resources, then remove the stack (never with force).

        A stack that does not exist is already destroyed (no error). A stack whose tags name
        another PR or SHA is refused.
        """
        name = stack_name(pr, sha)
        with self._timed():
            if not self._select(name):
                self.notes.append(f"{name}: no such stack, nothing to destroy")
                return
            self._check_passphrase(name, True)
            with self._errors(name, "reading the tags"):
                self._check_owner(name, pr, name.rsplit("-", 1)[1])
            self._locked(name, "destroy", lambda: self.engine.destroy(name, self.on_output))

            def remove() -> None:
                try:
                    self.engine.remove(name)
                except Exception as exc:
                    if not is_command_error(exc) or is_concurrent(exc):
                        raise
                    raise StackError(
                        f"stack {name} was destroyed but could not be removed: "
                        f"{engine_message(exc)}; it was NOT force-removed (that would forget "
                        f"live resources): check `pulumi stack --stack {name}`"
                    ) from None

            self._with_lock_retry(name, "removal", remove)

    def list(self) -> builtins.list[StackInfo]:
        """This project's environment stacks with tags and last update: ONE backend listing
        (``pulumi stack ls --json``); tags from the same backend's tag files when it is a
        ``file://`` directory, or from ``tag_reader`` (read while the CLI lists), else one
        ``stack tag ls`` per stack (8 at a time)."""
        url = self.engine.backend_url
        with self._timed(), self._errors(None, "listing the stacks"):
            if self.tag_reader is None or local_backend_dir(url) is not None:
                rows, ahead = self.engine.list_stacks(), None
            else:
                with ThreadPoolExecutor(max_workers=1) as pool:
                    reading = pool.submit(self.tag_reader, url)
                    rows = self.engine.list_stacks()
                    ahead = reading.result()
            return stack_infos(rows, lambda names: self._tags_of(names, ahead))

    def _tags_of(
        self, names: Sequence[str], ahead: Mapping[str, Mapping[str, str]] | None = None
    ) -> dict[str, dict[str, str]]:
        directory = local_backend_dir(self.engine.backend_url)
        out: dict[str, dict[str, str]] = {}
        missing: builtins.list[str] = []
        for n in names:
            if ahead is not None and n in ahead:
                out[n] = dict(ahead[n])
                continue
            tags = read_diy_tags(directory, n) if directory is not None else None
            if tags is None:
                missing.append(n)
            else:
                out[n] = tags
        if missing and self._supports_tags() and directory is None:
            with ThreadPoolExecutor(max_workers=8) as pool:
                for n, tags in zip(missing, pool.map(self.engine.list_tags, missing), strict=True):
                    out[n] = tags
        return out

    def records(self, pr: int | None = None) -> dict[str, dict[str, str]]:
        """The record of PR ``pr`` (design §1), or of every PR (None): the tags of the
        environment stacks and routers, by stack name. One backend listing; tags of those
        stacks only (a stack listed with no tags: ``{}``, every field of its record unknown)."""
        with self._timed(), self._errors(None, "reading the stacks' record"):
            rows = self.engine.list_stacks()
            mine = [short for r in rows if _of_pr(short := r.name.rsplit("/", 1)[-1], pr)]
            if not mine or not self._supports_tags():
                return {n: {} for n in mine}
            tags = self._tags_of(mine)
        return {n: dict(tags.get(n, {})) for n in mine}

    def list_stacks(self) -> builtins.list[str]:
        """Names of this project's environment stacks (the executor's ``StackPort``): one
        backend listing, no tags read."""
        with self._timed(), self._errors(None, "listing the stacks"):
            rows = self.engine.list_stacks()
        return [s.name for s in stack_infos(rows, lambda _names: {})]

    def outputs(self, pr: int, sha: str) -> dict[str, Any]:
        name = stack_name(pr, sha)
        with self._errors(name, "reading the outputs"):
            return self.engine.outputs(name)

    def drift(self, pr: int, sha: str) -> DriftReport:
        """Refresh preview (changed outside Pulumi) + ``preview --expect-no-changes`` (program
        or config differs). Writes nothing."""
        name = stack_name(pr, sha)
        items: builtins.list[DriftItem] = []
        with self._timed():
            if not self._select(name):
                raise StackError(f"no stack {name}: nothing to check (see `showtime-iac list`)")
            self._check_passphrase(name, True)

            def collect(source: str) -> Callable[[Any], None]:
                def on_event(event: Any) -> None:
                    item = drift_item(event, source)
                    if item is not None:
                        items.append(item)

                return on_event

            with self._errors(name, "refresh preview"):
                self.engine.preview_refresh(name, collect("refresh"))
            try:
                self.engine.preview(name, collect("preview"), expect_no_changes=True)
            except Exception as exc:
                if not is_command_error(exc):
                    raise
                if "no changes were expected" not in str(exc) and not any(
                    i.source == "preview" for i in items
                ):
                    raise self._fail(name, "preview", exc) from None
                if not any(i.source == "preview" for i in items):
                    items.append(DriftItem("preview", "update", "stack", name))
        return DriftReport(name, dedupe(items))


def open_driver(
    *,
    program: Program,
    project_dir: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    on_output: Callable[[str], None] | None = None,
    unlock: bool = False,
    base: Mapping[str, str] | None = None,
    retries: int = 3,
    retry_delay: float = 5.0,
    stale_after: timedelta | None = None,
    on_note: Callable[[str], None] | None = None,
    tag_reader: TagReader | None = None,
) -> PulumiDriver:
    """The real driver: finds ``pulumi`` (else :class:`EngineMissingError`), the project and
    the backend (creating a ``file://`` one on first use); ``program`` runs inline (the
    product passes ``showtime_iac.program.main``, tests a program of their own).

    A stack lock whose process is gone from this machine, or older than ``stale_after`` (the
    policy's stale-lock age, default 1 h), is cancelled at once (:mod:`.locks`); with
    ``stale_after`` given (sync, cleanup), also one the PR's claim says is stale. Lock retries wait
    ``retry_delay`` doubling, plus up to 25 % at random, so two runs that collided do not
    collide again.
    """
    e = dict(os.environ if env is None else env)
    exe = find_engine(e)
    if exe is None:
        raise EngineMissingError
    directory = find_project_dir(project_dir, e)
    url = backend_url(e)
    ensure_local_backend(url)
    secrets = e.get("SHOWTIME_SECRETS_PROVIDER") or None
    engine = AutomationEngine(
        directory, url, e, program=program, pulumi=exe, secrets_provider=secrets
    )
    policy = (
        locks.LockPolicy() if stale_after is None else locks.LockPolicy(stale_after=stale_after)
    )
    return PulumiDriver(
        engine,
        env=e,
        base_config=base_config(e) if base is None else base,
        secrets_provider=secrets,
        on_output=on_output,
        unlock=unlock,
        retries=retries,
        retry_delay=retry_delay,
        lock_policy=policy,
        jitter=lambda: random.random() / 4,  # noqa: S311 (spreading retries, not secrets)
        on_note=on_note,
        tag_reader=tag_reader,
        stale_after=stale_after,
    )


def _of_pr(name: str, pr: int | None) -> bool:
    """``name`` is an environment stack or a router of PR ``pr`` (of any PR: None)."""
    parsed = parse_stack_name(name)
    number = parsed[0] if parsed is not None else parse_router_name(name)
    return number is not None and (pr is None or number == pr)
