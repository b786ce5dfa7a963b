"""The driver: one stack per PR SHA over an :class:`~.engine.Engine`.

:class:`StackDriver` is the protocol the executor and the CLI use; :class:`PulumiDriver` is the
real one (select or create, config, tags, ``up``, ``preview``, ``destroy`` with the owner
checked, ``list``, ``drift``); :func:`open_driver` finds the engine, project and backend.
"""

from __future__ import annotations

import builtins
import os
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
from showtime_iac.adapters.stacks.config import stack_config_values, stack_tags
from showtime_iac.adapters.stacks.drift import DriftItem, DriftReport, dedupe, drift_item
from showtime_iac.adapters.stacks.engine import (
    MIN_VERSION_DIY_TAGS,
    AutomationEngine,
    CallStats,
    Engine,
    find_engine,
    tags_supported,
)
from showtime_iac.adapters.stacks.errors import (
    EngineMissingError,
    PassphraseError,
    StackBusyError,
    StackError,
    TagMismatchError,
    engine_message,
    is_command_error,
)
from showtime_iac.adapters.stacks.listing import StackInfo, read_diy_tags, stack_infos
from showtime_iac.adapters.stacks.router import RouterOps, new_secrets
from showtime_iac.core.model import EnvConfig, InputError, stack_name

__all__ = ["PulumiDriver", "StackDriver", "open_driver"]

T = TypeVar("T")


class StackDriver(Protocol):
    """What the executor and the CLI need from the stacks (also the executor's StackPort)."""

    def up(self, cfg: EnvConfig) -> Mapping[str, Any]: ...
    def destroy(self, pr: int, sha: str) -> None: ...
    def list(self) -> builtins.list[StackInfo]: ...
    def list_stacks(self) -> builtins.list[str]: ...
    def outputs(self, pr: int, sha: str) -> dict[str, Any]: ...
    def drift(self, pr: int, sha: str) -> DriftReport: ...
    def route(
        self, pr: int, sha: str, target_group_arn: str, repo: str = "apache/superset"
    ) -> dict[str, Any]: ...
    def unroute(self, pr: int) -> bool: ...
    def list_routers(self) -> builtins.list[int]: ...


class PulumiDriver(RouterOps):
    """:class:`StackDriver` over an :class:`Engine` (the real one: :class:`AutomationEngine`).
    The router stack operations (``route``, ``unroute``, ``list_routers``) come from
    :class:`~showtime_iac.adapters.stacks.router.RouterOps`.

    ``notes`` collects what the driver did besides the operation itself (a lock retried, a
    stale lock cancelled, pending operations recovered, tags skipped); the CLI prints them.
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
        stale_after: timedelta | None = None,
    ) -> None:
        self.engine = engine
        self.env = dict(os.environ if env is None else env)
        self.base_config = dict(base_config or {})
        self.secrets_provider = secrets_provider
        self.on_output = on_output or (lambda _line: None)
        self.retries, self.retry_delay, self.unlock = retries, retry_delay, unlock
        self.sleep, self.clock = sleep, clock
        self.stats = stats if stats is not None else getattr(engine, "stats", CallStats())
        self.notes: list[str] = []
        # a lock older than this was left by a run that is gone (the policy's stale-claim
        # age; the workflow's job timeout is shorter): sync and cleanup cancel it
        self.stale_after = stale_after
        # stacks whose claim on the PR is older than that (the app says so): the same
        self.stale_claims: set[str] = set()

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
        """Run ``op``; on a held lock retry a bounded number of times, then give up clearly."""
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
            stale=lambda: self._stale_lock(stack),
        )

    def _stale_lock(self, stack: str) -> str | None:
        """Why the lock on ``stack`` may be cancelled (its run is gone), or None."""
        if self.stale_after is None:
            return None
        age = self.engine.lock_age(stack)
        if age is not None and age >= self.stale_after:
            minutes = int(age.total_seconds() // 60)
            return f"held {minutes} min, past the stale-claim age: its run is gone"
        if stack in self.stale_claims:
            return "its claim on the PR is past the stale-claim age: its run is gone"
        return None

    def _recovered(self, stack: str, op: Callable[[], T], *, look: bool = True) -> Callable[[], T]:
        """``op`` after recovering what a killed run left (inside the lock retries: the
        recovery's refresh takes the lock too). ``look=False``: a stack just created."""

        def run() -> T:
            if look:
                self._recover_pending(stack)
            return op()

        return run

    def _recover_pending(self, stack: str) -> None:
        """Pending operations left by a killed run: refresh with pending creates cleared, then
        drop any that remain by export/import; say what was done."""
        locks.recover_pending(self.engine, stack, self.notes)

    def _fail(self, stack: str, what: str, exc: BaseException) -> StackError:
        return StackError(f"{what} of stack {stack} failed: {engine_message(exc)}")

    def _supports_tags(self) -> bool:
        return tags_supported(self.engine.backend_url, self.engine.version)

    # ---- operations

    def up(self, cfg: EnvConfig) -> dict[str, Any]:
        """Create or select the stack, write its config and tags, ``up``; returns outputs."""
        name = cfg.stack
        with self._timed():
            exists = self.engine.select(name)
            self._check_passphrase(name, exists)
            current: dict[str, str] = {}
            if exists:
                current = self.engine.get_config(name)
                created = current.get("showtime-iac:created")
                if cfg.created is None and created:
                    cfg = replace(cfg, created=datetime.fromisoformat(created))
            else:
                self.engine.create(name)
            if cfg.created is None:
                cfg = replace(cfg, created=self.clock())
            tags = stack_tags(cfg)
            values = stack_config_values(cfg, self.base_config)
            values.update(new_secrets(current))  # generated once, when the stack is new
            self.engine.set_config(name, values)
            if self._supports_tags():
                current = self.engine.list_tags(name) if exists else {}
                for k, v in tags.items():
                    if current.get(k) != v:
                        self.engine.set_tag(name, k, v)
            else:
                self.notes.append(
                    f"{name}: stack tags skipped (this backend keeps them from pulumi "
                    f"{'.'.join(map(str, MIN_VERSION_DIY_TAGS))} on; `showtime-iac doctor`); "
                    "the AWS resources carry the same tags"
                )
            try:
                up = self._recovered(
                    name, lambda: self.engine.up(name, self.on_output), look=exists
                )
                return dict(self._with_lock_retry(name, "up", up))
            except StackBusyError:
                raise
            except Exception as exc:
                if is_command_error(exc):
                    raise self._fail(name, "up", exc) from None
                raise

    def preview(self, cfg: EnvConfig, on_output: Callable[[str], None] | None = None) -> bool:
        """``pulumi preview`` with this config, writing nothing (config from a temp file);
        False when the stack does not exist (the caller renders offline instead)."""
        name = cfg.stack
        with self._timed():
            if not self.engine.select(name):
                return False
            self._check_passphrase(name, True)
            values = stack_config_values(cfg, self.base_config)
            if any(secret for _, secret in values.values()):
                raise InputError("a dry-run preview cannot carry secret config values")
            config = {k: v for k, (v, _) in values.items()}
            try:
                self.engine.preview(name, lambda _e: None, config=config, on_output=on_output)
            except Exception as exc:
                if is_command_error(exc):
                    raise self._fail(name, "preview", exc) from None
                raise
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
            if not self.engine.select(name):
                self.notes.append(f"{name}: no such stack, nothing to destroy")
                return
            self._check_passphrase(name, True)
            self._check_owner(name, pr, name.rsplit("-", 1)[1])
            try:
                self._with_lock_retry(
                    name,
                    "destroy",
                    self._recovered(name, lambda: self.engine.destroy(name, self.on_output)),
                )
            except StackBusyError:
                raise
            except Exception as exc:
                if is_command_error(exc):
                    raise self._fail(name, "destroy", exc) from None
                raise
            try:
                self.engine.remove(name)
            except Exception as exc:
                if is_command_error(exc):
                    raise StackError(
                        f"stack {name} was destroyed but could not be removed: "
                        f"{engine_message(exc)}; it was NOT force-removed (that would forget "
                        f"live resources): check `pulumi stack --stack {name}`"
                    ) from None
                raise

    def list(self) -> builtins.list[StackInfo]:
        """This project's environment stacks with tags and last update: ONE backend listing
        (``pulumi stack ls --json``); tags from the same backend's tag files when it is a
        ``file://`` directory, else one ``stack tag ls`` per stack (8 at a time)."""
        with self._timed():
            rows = self.engine.list_stacks()
            return stack_infos(rows, self._tags_of)

    def _tags_of(self, names: Sequence[str]) -> dict[str, dict[str, str]]:
        directory = local_backend_dir(self.engine.backend_url)
        out: dict[str, dict[str, str]] = {}
        missing: builtins.list[str] = []
        for n in names:
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

    def list_stacks(self) -> builtins.list[str]:
        """Names of this project's environment stacks (the executor's ``StackPort``)."""
        return [s.name for s in self.list()]

    def outputs(self, pr: int, sha: str) -> dict[str, Any]:
        name = stack_name(pr, sha)
        try:
            return self.engine.outputs(name)
        except Exception as exc:
            if is_command_error(exc):
                raise self._fail(name, "reading the outputs", exc) from None
            raise

    def drift(self, pr: int, sha: str) -> DriftReport:
        """Refresh preview (changed outside Pulumi) + ``preview --expect-no-changes`` (program
        or config differs). Writes nothing."""
        name = stack_name(pr, sha)
        items: builtins.list[DriftItem] = []
        with self._timed():
            if not self.engine.select(name):
                raise StackError(f"no stack {name}: nothing to check (see `showtime-iac list`)")
            self._check_passphrase(name, True)

            def collect(source: str) -> Callable[[Any], None]:
                def on_event(event: Any) -> None:
                    item = drift_item(event, source)
                    if item is not None:
                        items.append(item)

                return on_event

            try:
                self.engine.preview_refresh(name, collect("refresh"))
            except Exception as exc:
                if is_command_error(exc):
                    raise self._fail(name, "refresh preview", exc) from None
                raise
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
    project_dir: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    on_output: Callable[[str], None] | None = None,
    unlock: bool = False,
    base: Mapping[str, str] | None = None,
    stale_after: timedelta | None = None,
) -> PulumiDriver:
    """The real driver: finds ``pulumi`` (else :class:`EngineMissingError`), the project and
    the backend (creating a ``file://`` one on first use)."""
    e = dict(os.environ if env is None else env)
    exe = find_engine(e)
    if exe is None:
        raise EngineMissingError
    directory = find_project_dir(project_dir, e)
    url = backend_url(e)
    ensure_local_backend(url)
    secrets = e.get("SHOWTIME_SECRETS_PROVIDER") or None
    engine = AutomationEngine(directory, url, e, pulumi=exe, secrets_provider=secrets)
    return PulumiDriver(
        engine,
        env=e,
        base_config=base_config(e) if base is None else base,
        secrets_provider=secrets,
        on_output=on_output,
        unlock=unlock,
        stale_after=stale_after,
    )
