"""The Pulumi Automation API driver: one stack per PR SHA over the repo's ``Pulumi.yaml``.

Thin on purpose: every engine operation is one Automation API call (``pulumi`` CLI underneath).
What is ours is pure and unit-tested: stack names, stack tags (design §4), config values,
the passphrase rule, the listing of stacks with their tags, drift lines from engine events, and
the fault handling around the calls (lock retries, pending operations, tag checks on destroy).

- :class:`StackDriver` is the protocol the executor and the CLI use; :class:`PulumiDriver` is
  the real one. Test doubles live in the tests.
- :class:`Engine` is the small set of engine operations the driver needs;
  :class:`AutomationEngine` implements it with ``pulumi.automation`` (imported lazily).

Nothing here imports pulumi at module import time: ``showtime-iac --help`` stays fast.
"""

from __future__ import annotations

import builtins
import json
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from showtime_iac.core.model import (
    EnvConfig,
    InputError,
    ShowtimeError,
    Ttl,
    parse_stack_name,
    resource_tags,
    stack_name,
)

if TYPE_CHECKING:
    from pulumi.automation import LocalWorkspace

__all__ = [
    "ENV_PROJECT_DIR",
    "ENV_SHARED_STACK",
    "INSTALL_HINT",
    "MAX_TAG_NAME",
    "MAX_TAG_VALUE",
    "MIN_VERSION_DIY_TAGS",
    "PROJECT",
    "AutomationEngine",
    "CallStats",
    "DriftItem",
    "DriftReport",
    "Engine",
    "EngineMissingError",
    "PassphraseError",
    "PulumiDriver",
    "StackBusyError",
    "StackDriver",
    "StackError",
    "StackInfo",
    "StackRow",
    "TagMismatchError",
    "backend_url",
    "base_config",
    "check_tags",
    "drift_item",
    "ensure_local_backend",
    "find_engine",
    "find_project_dir",
    "is_cloud_backend",
    "is_secret_key",
    "local_backend_dir",
    "needs_passphrase",
    "open_driver",
    "parse_version",
    "read_diy_tags",
    "stack_config_values",
    "stack_infos",
    "stack_tags",
    "tags_supported",
]

PROJECT = "showtime-iac"
ENV_PROJECT_DIR = "SHOWTIME_PROJECT_DIR"
ENV_SHARED_STACK = "SHOWTIME_SHARED_STACK"
# Pulumi Cloud caps stack tag names at 40 characters and values at 256.
MAX_TAG_NAME = 40
MAX_TAG_VALUE = 256
# File/S3 ("DIY") backends keep stack tags from this CLI version on (pulumi/pulumi#19882).
MIN_VERSION_DIY_TAGS = (3, 211, 0)
INSTALL_HINT = (
    "the Pulumi CLI (`pulumi`) is not on PATH: install it with "
    "`curl -fsSL https://get.pulumi.com | sh` (or `brew install pulumi/tap/pulumi`), "
    "then run `showtime-iac doctor`; nothing was changed"
)
_SECRET_KEY_RE = re.compile(r"(password|token|secret|passphrase|apikey|api_key)", re.IGNORECASE)
_VERSION_RE = re.compile(r"v?(\d+)\.(\d+)\.(\d+)")
_DRIFT_OPS = frozenset(
    {"create", "update", "delete", "replace", "create-replacement", "delete-replaced", "import"}
)


class StackError(ShowtimeError):
    """An engine operation failed; the message says which stack and what to do next."""


class EngineMissingError(ShowtimeError):
    """No ``pulumi`` CLI: nothing can be deployed (exit 1, nothing changed)."""

    def __init__(self) -> None:
        super().__init__(INSTALL_HINT)


class PassphraseError(InputError):
    """``PULUMI_CONFIG_PASSPHRASE`` is needed and missing (exit 2, nothing changed)."""


class StackBusyError(StackError):
    """Another update holds the stack's lock, still after the bounded retries."""


class TagMismatchError(InputError):
    """The stack's tags name another PR or SHA than the one asked for: refused."""


# --------------------------------------------------------------------------- pure helpers


def find_project_dir(
    explicit: Path | str | None = None, env: Mapping[str, str] | None = None
) -> Path:
    """The directory of ``Pulumi.yaml``: ``--project-dir``, else ``$SHOWTIME_PROJECT_DIR``,
    else the repository this package sits in, else the current directory."""
    e = os.environ if env is None else env
    candidates: list[tuple[Path, str]] = []
    if explicit:
        candidates.append((Path(explicit), "--project-dir"))
    elif e.get(ENV_PROJECT_DIR):
        candidates.append((Path(e[ENV_PROJECT_DIR]), f"${ENV_PROJECT_DIR}"))
    else:
        candidates.append((Path(__file__).resolve().parent.parent, "the repository"))
        candidates.append((Path.cwd(), "the current directory"))
    for path, _ in candidates:
        if (path / "Pulumi.yaml").is_file():
            return path.resolve()
    where, how = candidates[0]
    raise InputError(
        f"no Pulumi.yaml in {where} ({how}): run from a showtime-iac checkout, or set "
        f"{ENV_PROJECT_DIR} (or --project-dir) to the directory holding Pulumi.yaml"
    )


def backend_url(env: Mapping[str, str] | None = None, home: Path | None = None) -> str:
    """``$PULUMI_BACKEND_URL``, else the embedded default (a local ``file://`` directory)."""
    from showtime_iac.settings import default_backend_url

    e = os.environ if env is None else env
    return e.get("PULUMI_BACKEND_URL") or default_backend_url(home)


def local_backend_dir(url: str) -> Path | None:
    """The directory of a ``file://`` backend (``file://~`` expands), else None."""
    if not url.startswith("file://"):
        return None
    raw = url.removeprefix("file://").split("?", 1)[0]
    return Path(raw).expanduser() if raw else None


def ensure_local_backend(url: str) -> Path | None:
    """Create a ``file://`` backend's directory on first use; returns it (None for others)."""
    path = local_backend_dir(url)
    if path is not None:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StackError(
                f"cannot create the state directory {path}: {exc.strerror}; set "
                "PULUMI_BACKEND_URL to a writable file:// directory or an s3:// bucket"
            ) from None
    return path


def is_cloud_backend(url: str) -> bool:
    """Pulumi Cloud (or a self-hosted service): ``https://``/``http://`` URLs."""
    return url.startswith(("https://", "http://"))


def needs_passphrase(url: str, secrets_provider: str | None) -> bool:
    """Whether stack secrets are encrypted with ``PULUMI_CONFIG_PASSPHRASE``.

    DIY backends (file, S3, ...) default to the passphrase provider; Pulumi Cloud manages
    keys itself; an explicit KMS provider (``awskms://...``) needs no passphrase.
    """
    if secrets_provider and secrets_provider != "passphrase":
        return False
    return not is_cloud_backend(url)


def parse_version(text: str) -> tuple[int, int, int] | None:
    """``"v3.211.0"`` → ``(3, 211, 0)``; None when no version is found."""
    m = _VERSION_RE.search(text)
    return None if m is None else (int(m.group(1)), int(m.group(2)), int(m.group(3)))


def tags_supported(url: str, version: tuple[int, int, int] | None) -> bool:
    """Stack tags persist on Pulumi Cloud always, on DIY backends from 3.211.0."""
    if is_cloud_backend(url):
        return True
    return version is not None and version >= MIN_VERSION_DIY_TAGS


def check_tags(tags: Mapping[str, str]) -> dict[str, str]:
    """Refuse tag names over 40 characters and values over 256 (Pulumi Cloud's limits)."""
    for k, v in tags.items():
        if not k or len(k) > MAX_TAG_NAME:
            raise InputError(f"stack tag name {k[:60]!r} must be 1 to {MAX_TAG_NAME} characters")
        if len(v) > MAX_TAG_VALUE:
            raise InputError(f"stack tag {k} is longer than {MAX_TAG_VALUE} characters")
    return dict(tags)


def stack_tags(cfg: EnvConfig) -> dict[str, str]:
    """The stack tags of design §4 (the same as on every AWS resource), checked."""
    return check_tags(resource_tags(cfg))


def is_secret_key(key: str) -> bool:
    """Config keys set as secret config (encrypted in the state and the stack file)."""
    return bool(_SECRET_KEY_RE.search(key.rsplit(":", 1)[-1]))


def stack_config_values(
    cfg: EnvConfig, base: Mapping[str, str] | None = None
) -> dict[str, tuple[str, bool]]:
    """Every config value of one environment stack: ``{key: (value, secret)}``.

    ``base`` holds the values that are not the environment's (``aws:region``, the shared stack
    reference, provider settings); the environment's own keys come from ``to_stack_config``.
    """
    from showtime_iac.core.stack_config import to_stack_config

    merged = {**(base or {}), **to_stack_config(cfg)}
    return {k: (v, is_secret_key(k)) for k, v in merged.items()}


def find_engine(env: Mapping[str, str] | None = None) -> Path | None:
    """The ``pulumi`` executable: on PATH, else in ``$PULUMI_HOME/bin`` or ``~/.pulumi/bin``."""
    e = os.environ if env is None else env
    found = shutil.which("pulumi", path=e.get("PATH", ""))
    if found:
        return Path(found)
    homes = [e.get("PULUMI_HOME")]
    if e.get("HOME"):
        homes.append(str(Path(e["HOME"]) / ".pulumi"))
    for home in homes:
        if home and (Path(home) / "bin" / "pulumi").is_file():
            return Path(home) / "bin" / "pulumi"
    return None


def read_diy_tags(backend_dir: Path, stack: str) -> dict[str, str] | None:
    """A stack's tags from a file backend's ``.pulumi-tags`` file (format version 1, CLI
    3.211+); None when there is no such file or its format is unknown."""
    stacks = backend_dir / ".pulumi" / "stacks"
    for path in (stacks / PROJECT / f"{stack}.pulumi-tags", stacks / f"{stack}.pulumi-tags"):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if (
            isinstance(data, dict)
            and data.get("version") == 1
            and isinstance(data.get("tags"), dict)
        ):
            return {str(k): str(v) for k, v in data["tags"].items()}
        return None
    return None


# --------------------------------------------------------------------------- listing


@dataclass(frozen=True)
class StackRow:
    """One row of ``pulumi stack ls --json`` (no tags: the CLI does not print them)."""

    name: str
    last_update: datetime | None = None
    resource_count: int | None = None
    update_in_progress: bool | None = None


@dataclass(frozen=True)
class StackInfo:
    """One environment stack as the backend lists it, with its tags."""

    name: str
    pr: int
    sha7: str
    last_update: datetime | None = None
    resource_count: int | None = None
    update_in_progress: bool | None = None
    tags: Mapping[str, str] = field(default_factory=dict, hash=False)

    @property
    def requester(self) -> str | None:
        return self.tags.get("showtime:requested-by")

    @property
    def ttl(self) -> Ttl | None:
        text = self.tags.get("showtime:ttl")
        try:
            return Ttl(text) if text else None
        except InputError:
            return None

    @property
    def expires_at(self) -> datetime | None:
        text = self.tags.get("showtime:expires-at")
        if not text or text == "never":
            return None
        try:
            return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except ValueError:
            return None

    def age(self, now: datetime) -> timedelta | None:
        return None if self.last_update is None else now - self.last_update

    def ttl_left(self, now: datetime) -> timedelta | None:
        exp = self.expires_at
        return None if exp is None else exp - now

    def to_json(self, now: datetime) -> dict[str, Any]:
        age, left = self.age(now), self.ttl_left(now)
        return {
            "stack": self.name,
            "pr": self.pr,
            "sha": self.sha7,
            "requester": self.requester,
            "ttl": str(self.ttl) if self.ttl else None,
            "expires_at": self.tags.get("showtime:expires-at"),
            "last_update": self.last_update.isoformat() if self.last_update else None,
            "age_seconds": int(age.total_seconds()) if age is not None else None,
            "ttl_left_seconds": int(left.total_seconds()) if left is not None else None,
            "resource_count": self.resource_count,
            "update_in_progress": self.update_in_progress,
            "tags": dict(self.tags),
        }


def stack_infos(
    rows: Sequence[StackRow], tags_of: Callable[[Sequence[str]], Mapping[str, Mapping[str, str]]]
) -> list[StackInfo]:
    """Environment stacks (``pr-*``) of a listing, with tags; other stacks are left out."""
    envs: list[tuple[StackRow, tuple[int, str]]] = []
    for row in rows:
        short = row.name.rsplit("/", 1)[-1]
        parsed = parse_stack_name(short)
        if parsed is not None:
            envs.append(
                (
                    StackRow(short, row.last_update, row.resource_count, row.update_in_progress),
                    parsed,
                )
            )
    tags = tags_of([r.name for r, _ in envs]) if envs else {}
    out = [
        StackInfo(
            name=r.name,
            pr=pr,
            sha7=sha7,
            last_update=r.last_update,
            resource_count=r.resource_count,
            update_in_progress=r.update_in_progress,
            tags=dict(tags.get(r.name, {})),
        )
        for r, (pr, sha7) in envs
    ]
    return sorted(out, key=lambda s: (s.pr, s.name))


# --------------------------------------------------------------------------- drift


@dataclass(frozen=True)
class DriftItem:
    """One resource whose real state (``refresh``) or program (``preview``) differs."""

    source: str  # "refresh": changed outside Pulumi; "preview": program/config differs
    op: str
    type: str
    name: str
    diffs: tuple[str, ...] = ()

    def line(self, stack: str) -> str:
        what = f" ({', '.join(self.diffs)})" if self.diffs else ""
        why = "changed outside Pulumi" if self.source == "refresh" else "program or config differs"
        return f"{stack}: {self.op} {self.type} {self.name}{what}: {why}"


@dataclass(frozen=True)
class DriftReport:
    stack: str
    items: tuple[DriftItem, ...] = ()

    @property
    def drifted(self) -> bool:
        return bool(self.items)

    def lines(self) -> list[str]:
        return [i.line(self.stack) for i in self.items]

    def to_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "drifted": self.drifted,
            "resources": [
                {
                    "source": i.source,
                    "op": i.op,
                    "type": i.type,
                    "name": i.name,
                    "diffs": list(i.diffs),
                }
                for i in self.items
            ],
        }


def drift_item(event: Any, source: str) -> DriftItem | None:
    """A drift item from one engine event (``ResOutputsEvent``/``ResourcePreEvent``), or None.

    For a refresh the engine reports the result of the refresh step (``same``, ``update``,
    ``delete``); for a preview the planned step. ``same``/``read``/``refresh`` are no drift.
    """
    step = getattr(event, "res_outputs_event", None) or getattr(event, "resource_pre_event", None)
    meta = getattr(step, "metadata", None)
    if meta is None:
        return None
    op = str(getattr(meta.op, "value", meta.op))
    rtype = str(getattr(meta, "type", ""))
    if op not in _DRIFT_OPS or rtype == "pulumi:pulumi:Stack":
        return None
    urn = str(getattr(meta, "urn", ""))
    diffs = tuple(str(d) for d in (getattr(meta, "diffs", None) or ()))
    return DriftItem(source, op, rtype, urn.rsplit("::", 1)[-1], diffs)


def _dedupe(items: Sequence[DriftItem]) -> tuple[DriftItem, ...]:
    seen: dict[tuple[str, str, str], DriftItem] = {}
    for i in items:
        key = (i.source, i.type, i.name)
        if key not in seen or (i.diffs and not seen[key].diffs):
            seen[key] = i
    return tuple(seen.values())


# --------------------------------------------------------------------------- the engine seam


class Engine(Protocol):
    """The engine operations the driver uses; each is one Automation API call."""

    backend_url: str
    version: tuple[int, int, int] | None

    def list_stacks(self) -> list[StackRow]: ...
    def select(self, stack: str) -> bool: ...
    def create(self, stack: str) -> None: ...
    def set_config(self, stack: str, values: Mapping[str, tuple[str, bool]]) -> None: ...
    def get_config(self, stack: str) -> dict[str, str]: ...
    def list_tags(self, stack: str) -> dict[str, str]: ...
    def set_tag(self, stack: str, key: str, value: str) -> None: ...
    def up(self, stack: str, on_output: Callable[[str], None]) -> dict[str, Any]: ...
    def preview(
        self,
        stack: str,
        on_event: Callable[[Any], None],
        *,
        config: Mapping[str, str] | None = None,
        expect_no_changes: bool = False,
        on_output: Callable[[str], None] | None = None,
    ) -> None: ...
    def preview_refresh(self, stack: str, on_event: Callable[[Any], None]) -> None: ...
    def refresh(self, stack: str, *, clear_pending_creates: bool) -> None: ...
    def destroy(self, stack: str, on_output: Callable[[str], None]) -> None: ...
    def remove(self, stack: str) -> None: ...
    def outputs(self, stack: str) -> dict[str, Any]: ...
    def export(self, stack: str) -> dict[str, Any]: ...
    def import_(self, stack: str, deployment: dict[str, Any]) -> None: ...
    def cancel(self, stack: str) -> None: ...


@dataclass
class CallStats:
    """Time of the last driver operation: total, inside the ``pulumi`` CLI, and ours."""

    total_s: float = 0.0
    engine_s: float = 0.0
    engine_calls: int = 0

    @property
    def overhead_s(self) -> float:
        return max(0.0, self.total_s - self.engine_s)


class AutomationEngine:
    """:class:`Engine` over ``pulumi.automation.LocalWorkspace`` (the real CLI)."""

    def __init__(
        self,
        project_dir: Path,
        backend: str,
        env: Mapping[str, str],
        *,
        pulumi: Path | None = None,
        secrets_provider: str | None = None,
        stats: CallStats | None = None,
    ) -> None:
        from pulumi.automation import LocalWorkspace, PulumiCommand

        exe = pulumi or find_engine(env)
        if exe is None:
            raise EngineMissingError
        stats_ = stats if stats is not None else CallStats()
        lock = threading.Lock()

        class _Timed(PulumiCommand):
            def run(self, *args: Any, **kwargs: Any) -> Any:
                t0 = time.perf_counter()
                try:
                    return super().run(*args, **kwargs)
                finally:
                    with lock:
                        stats_.engine_s += time.perf_counter() - t0
                        stats_.engine_calls += 1

        root = None if shutil.which("pulumi") == str(exe) else str(exe.parent.parent)
        command = _Timed(root=root, skip_version_check=True)
        self.stats = stats_
        self.backend_url = backend
        self.version = parse_version(str(command.version or ""))
        run_env = {
            "PULUMI_BACKEND_URL": backend,
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            # the program runs with this interpreter (where showtime_iac is installed)
            "PULUMI_PYTHON_CMD": env.get("PULUMI_PYTHON_CMD") or sys.executable,
        }
        self.ws: LocalWorkspace = LocalWorkspace(
            work_dir=str(project_dir),
            env_vars=run_env,
            secrets_provider=secrets_provider,
            pulumi_command=command,
        )

    def _stack(self, stack: str) -> Any:
        from pulumi.automation import Stack
        from pulumi.automation._stack import StackInitMode

        # construct without the select call the constructor makes (the driver selected it)
        s = Stack.__new__(Stack)
        s.name, s.workspace, s._mode = stack, self.ws, StackInitMode.SELECT
        return s

    def list_stacks(self) -> list[StackRow]:
        rows = []
        for s in self.ws.list_stacks():
            last = s.last_update.replace(tzinfo=UTC) if s.last_update else None
            rows.append(StackRow(s.name, last, s.resource_count, s.update_in_progress))
        return rows

    def select(self, stack: str) -> bool:
        from pulumi.automation import StackNotFoundError

        try:
            self.ws.select_stack(stack)
        except StackNotFoundError:
            return False
        return True

    def create(self, stack: str) -> None:
        self.ws.create_stack(stack)

    def set_config(self, stack: str, values: Mapping[str, tuple[str, bool]]) -> None:
        from pulumi.automation import ConfigValue

        plain = {k: ConfigValue(v, secret=s) for k, (v, s) in values.items() if "[" not in k}
        paths = {k: ConfigValue(v, secret=s) for k, (v, s) in values.items() if "[" in k}
        if plain:
            self.ws.set_all_config(stack, plain)
        if paths:
            self.ws.set_all_config(stack, paths, path=True)

    def get_config(self, stack: str) -> dict[str, str]:
        return {k: v.value for k, v in self.ws.get_all_config(stack).items()}

    def list_tags(self, stack: str) -> dict[str, str]:
        return dict(self.ws.list_tags(stack))

    def set_tag(self, stack: str, key: str, value: str) -> None:
        self.ws.set_tag(stack, key, value)

    def up(self, stack: str, on_output: Callable[[str], None]) -> dict[str, Any]:
        result = self._stack(stack).up(on_output=on_output, color="never", suppress_progress=True)
        return {k: v.value for k, v in result.outputs.items()}

    def preview(
        self,
        stack: str,
        on_event: Callable[[Any], None],
        *,
        config: Mapping[str, str] | None = None,
        expect_no_changes: bool = False,
        on_output: Callable[[str], None] | None = None,
    ) -> None:
        """``config`` given: preview with it from a temporary stack file (the stack's own file,
        its encryption salt included, is not touched)."""
        with tempfile.TemporaryDirectory(prefix="showtime-preview-") as tmp:
            config_file = None
            if config is not None:
                import yaml  # type: ignore[import-untyped]

                own = Path(self.ws.work_dir) / "stacks" / f"Pulumi.{stack}.yaml"
                try:
                    settings = yaml.safe_load(own.read_text(encoding="utf-8")) or {}
                except OSError:
                    settings = {}
                settings["config"] = dict(config)
                config_file = str(Path(tmp) / f"Pulumi.{stack}.yaml")
                Path(config_file).write_text(yaml.safe_dump(settings), encoding="utf-8")
            self._stack(stack).preview(
                on_event=on_event,
                on_output=on_output,
                config_file=config_file,
                expect_no_changes=expect_no_changes or None,
                color="never",
                diff=True,
            )

    def preview_refresh(self, stack: str, on_event: Callable[[Any], None]) -> None:
        self._stack(stack).preview_refresh(on_event=on_event, color="never")

    def refresh(self, stack: str, *, clear_pending_creates: bool) -> None:
        self._stack(stack).refresh(
            clear_pending_creates=clear_pending_creates or None, color="never"
        )

    def destroy(self, stack: str, on_output: Callable[[str], None]) -> None:
        self._stack(stack).destroy(on_output=on_output, color="never", suppress_progress=True)

    def remove(self, stack: str) -> None:
        self.ws.remove_stack(stack)  # never force: see PulumiDriver.destroy

    def outputs(self, stack: str) -> dict[str, Any]:
        return {k: v.value for k, v in self.ws.stack_outputs(stack).items()}

    def export(self, stack: str) -> dict[str, Any]:
        d = self.ws.export_stack(stack)
        return {"version": d.version, "deployment": dict(d.deployment or {})}

    def import_(self, stack: str, deployment: dict[str, Any]) -> None:
        from pulumi.automation import Deployment

        self.ws.import_stack(stack, Deployment(deployment["version"], deployment["deployment"]))

    def cancel(self, stack: str) -> None:
        self._stack(stack).cancel()


# --------------------------------------------------------------------------- the driver


class StackDriver(Protocol):
    """What the executor and the CLI need from the stacks (also the executor's StackPort)."""

    def up(self, cfg: EnvConfig) -> Mapping[str, Any]: ...
    def destroy(self, pr: int, sha: str) -> None: ...
    def list(self) -> builtins.list[StackInfo]: ...
    def list_stacks(self) -> builtins.list[str]: ...
    def outputs(self, pr: int, sha: str) -> dict[str, Any]: ...
    def drift(self, pr: int, sha: str) -> DriftReport: ...


def _is_concurrent(exc: BaseException) -> bool:
    return type(exc).__name__ == "ConcurrentUpdateError"


def _is_not_found(exc: BaseException) -> bool:
    return type(exc).__name__ == "StackNotFoundError"


def _is_command_error(exc: BaseException) -> bool:
    return any(c.__name__ == "CommandError" for c in type(exc).__mro__)


def _engine_message(exc: BaseException, limit: int = 300) -> str:
    """The useful line of a CLI error: the last ``error:`` line of its stderr, else the last."""
    text = str(exc)
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("error:")]
    pick = errors[-1] if errors else (lines[-1] if lines else type(exc).__name__)
    return pick[:limit]


class PulumiDriver:
    """:class:`StackDriver` over an :class:`Engine` (the real one: :class:`AutomationEngine`).

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

    def _with_lock_retry(self, stack: str, what: str, op: Callable[[], Any]) -> Any:
        """Run ``op``; on a held lock retry a bounded number of times, then give up clearly."""
        attempt = 0
        while True:
            try:
                return op()
            except Exception as exc:
                if not _is_concurrent(exc):
                    raise
                attempt += 1
                if attempt > self.retries:
                    if self.unlock:
                        self.engine.cancel(stack)
                        self.notes.append(
                            f"{stack}: cancelled the lock left by another run (--unlock)"
                        )
                        self._recover_pending(stack)
                        return op()
                    waited = sum(self.retry_delay * 2**i for i in range(self.retries))
                    raise StackBusyError(
                        f"stack {stack} is locked by another update ({what} tried "
                        f"{self.retries + 1} times over {waited:.0f} s): wait for it to finish; "
                        "if that run was killed, re-run with --unlock (or `pulumi cancel "
                        f"--stack {stack} --yes`)"
                    ) from None
                delay = self.retry_delay * 2 ** (attempt - 1)
                self.notes.append(
                    f"{stack}: locked by another update, "
                    f"retry {attempt}/{self.retries} in {delay:.0f} s"
                )
                self.sleep(delay)

    def _recover_pending(self, stack: str) -> None:
        """Pending operations left by a killed run: refresh with pending creates cleared, then
        drop any that remain by export/import; say what was done."""
        state = self.engine.export(stack)
        pending = list(state.get("deployment", {}).get("pending_operations") or [])
        if not pending:
            return
        what = ", ".join(
            f"{p.get('type', '?')} {str(p.get('resource', {}).get('urn', '?')).rsplit('::', 1)[-1]}"
            for p in pending[:5]
        )
        self.engine.refresh(stack, clear_pending_creates=True)
        after = self.engine.export(stack)
        left = after.get("deployment", {}).get("pending_operations") or []
        if left:
            deployment = dict(after["deployment"])
            deployment.pop("pending_operations", None)
            self.engine.import_(stack, {"version": after["version"], "deployment": deployment})
        self.notes.append(
            f"{stack}: {len(pending)} pending operation(s) left by an interrupted run ({what}): "
            "refreshed the stack with pending creates cleared"
            + (" and removed the rest from the state" if left else "")
            + "; anything a killed create left in AWS is found by `showtime-iac cleanup` (tags)"
        )

    def _fail(self, stack: str, what: str, exc: BaseException) -> StackError:
        return StackError(f"{what} of stack {stack} failed: {_engine_message(exc)}")

    def _supports_tags(self) -> bool:
        return tags_supported(self.engine.backend_url, self.engine.version)

    # ---- operations

    def up(self, cfg: EnvConfig) -> dict[str, Any]:
        """Create or select the stack, write its config and tags, ``up``; returns outputs."""
        name = cfg.stack
        with self._timed():
            exists = self.engine.select(name)
            self._check_passphrase(name, exists)
            if exists:
                self._recover_pending(name)
                if cfg.created is None:
                    created = self.engine.get_config(name).get("showtime-iac:created")
                    if created:
                        cfg = replace(cfg, created=datetime.fromisoformat(created))
            else:
                self.engine.create(name)
            if cfg.created is None:
                cfg = replace(cfg, created=self.clock())
            tags = stack_tags(cfg)
            self.engine.set_config(name, stack_config_values(cfg, self.base_config))
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
                return dict(
                    self._with_lock_retry(name, "up", lambda: self.engine.up(name, self.on_output))
                )
            except StackBusyError:
                raise
            except Exception as exc:
                if _is_command_error(exc):
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
                if _is_command_error(exc):
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
            self._recover_pending(name)
            try:
                self._with_lock_retry(
                    name, "destroy", lambda: self.engine.destroy(name, self.on_output)
                )
            except StackBusyError:
                raise
            except Exception as exc:
                if _is_command_error(exc):
                    raise self._fail(name, "destroy", exc) from None
                raise
            try:
                self.engine.remove(name)
            except Exception as exc:
                if _is_command_error(exc):
                    raise StackError(
                        f"stack {name} was destroyed but could not be removed: "
                        f"{_engine_message(exc)}; it was NOT force-removed (that would forget "
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
            if _is_command_error(exc):
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
                if _is_command_error(exc):
                    raise self._fail(name, "refresh preview", exc) from None
                raise
            try:
                self.engine.preview(name, collect("preview"), expect_no_changes=True)
            except Exception as exc:
                if not _is_command_error(exc):
                    raise
                if "no changes were expected" not in str(exc) and not any(
                    i.source == "preview" for i in items
                ):
                    raise self._fail(name, "preview", exc) from None
                if not any(i.source == "preview" for i in items):
                    items.append(DriftItem("preview", "update", "stack", name))
        return DriftReport(name, _dedupe(items))


def base_config(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """Config every environment stack gets besides its own: the region and where the
    shared values come from (``$SHOWTIME_SHARED_STACK``, default ``shared``)."""
    e = os.environ if env is None else env
    return {
        "aws:region": e.get("AWS_REGION") or e.get("AWS_DEFAULT_REGION") or "us-west-2",
        "showtime-iac:sharedStack": e.get(ENV_SHARED_STACK) or "shared",
    }


def open_driver(
    *,
    project_dir: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    on_output: Callable[[str], None] | None = None,
    unlock: bool = False,
    base: Mapping[str, str] | None = None,
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
    )
