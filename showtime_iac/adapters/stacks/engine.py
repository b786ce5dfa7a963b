"""The engine seam: the ``pulumi`` CLI (found, its version), the :class:`Engine` operations
the driver needs, and :class:`AutomationEngine`, which runs them with ``pulumi.automation``
and an inline :data:`Program` (no language host).

pulumi is imported inside :class:`AutomationEngine`'s methods only, never at module import.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from showtime_iac.adapters.stacks.backend import is_cloud_backend, local_backend_dir, lock_file_age
from showtime_iac.adapters.stacks.config import preview_settings
from showtime_iac.adapters.stacks.errors import EngineMissingError
from showtime_iac.adapters.stacks.listing import StackRow
from showtime_iac.core.proof import Diagnostic

if TYPE_CHECKING:
    from pulumi.automation import LocalWorkspace

__all__ = [
    "MIN_VERSION_DIY_TAGS",
    "AutomationEngine",
    "CallStats",
    "Engine",
    "Program",
    "find_engine",
    "parse_version",
    "tags_supported",
]

# File/S3 ("DIY") backends keep stack tags from this CLI version on (pulumi/pulumi#19882).
MIN_VERSION_DIY_TAGS = (3, 211, 0)
_VERSION_RE = re.compile(r"v?(\d+)\.(\d+)\.(\d+)")


def parse_version(text: str) -> tuple[int, int, int] | None:
    """``"v3.211.0"`` → ``(3, 211, 0)``; None when no version is found."""
    m = _VERSION_RE.search(text)
    return None if m is None else (int(m.group(1)), int(m.group(2)), int(m.group(3)))


def tags_supported(url: str, version: tuple[int, int, int] | None) -> bool:
    """Stack tags persist on Pulumi Cloud always, on DIY backends from 3.211.0."""
    if is_cloud_backend(url):
        return True
    return version is not None and version >= MIN_VERSION_DIY_TAGS


_MARKUP = re.compile(r"<\{%[a-z]*%\}>")


def _collect_diagnostic(event: Any, seen: list[Diagnostic]) -> None:
    """An engine event's diagnostic of a resource (error severity, a URN) into ``seen``."""
    diag = getattr(event, "diagnostic_event", None)
    if diag is None or diag.severity != "error" or not diag.urn or len(seen) >= 50:
        return
    message = _MARKUP.sub("", str(diag.message or "")).strip()
    seen.append(Diagnostic(urn=str(diag.urn), message=message[:20_000]))


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
    def remove_tag(self, stack: str, key: str) -> None: ...
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
    def lock_age(self, stack: str) -> timedelta | None:
        """How long the stack's lock has been held; None when unlocked or unknown."""
        ...


@dataclass
class CallStats:
    """Time of the last driver operation: total, inside the ``pulumi`` CLI, and ours."""

    total_s: float = 0.0
    engine_s: float = 0.0
    engine_calls: int = 0

    @property
    def overhead_s(self) -> float:
        return max(0.0, self.total_s - self.engine_s)


def _command(exe: Path, env: Mapping[str, str], stats: CallStats) -> Any:
    """A ``PulumiCommand`` that runs exactly ``exe`` and adds the time of every run to
    ``stats`` (time inside ``pulumi`` processes; the rest of an operation is ours)."""
    import subprocess

    from pulumi.automation import PulumiCommand
    from semver import VersionInfo

    lock = threading.Lock()

    class _Timed(PulumiCommand):
        def __init__(self) -> None:  # no super().__init__: it would run `pulumi` from PATH
            self.command = str(exe)
            out = subprocess.run(  # noqa: S603 (our resolved pulumi executable)
                [str(exe), "version"],
                env={**os.environ, **env},
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            ).stdout
            found = parse_version(out)
            self.version = VersionInfo(*found) if found else None

        def run(self, *args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return super().run(*args, **kwargs)
            finally:
                with lock:
                    stats.engine_s += time.perf_counter() - t0
                    stats.engine_calls += 1

    return _Timed()


Program = Callable[[], object]
"""An inline Pulumi program: declares the stack's resources when the engine runs it."""


class AutomationEngine:
    """:class:`Engine` over ``pulumi.automation.LocalWorkspace`` (the real CLI).

    The program runs **inline**: ``program`` is served from this process by the Automation
    API, so the engine starts no language host (``Pulumi.yaml`` and its ``stackConfigDir`` are
    still read from ``project_dir``). Every ``pulumi`` process gets ``env`` (passphrase, AWS
    credentials, ``PULUMI_HOME``) and the exact executable found, whatever ``os.environ`` says.
    """

    def __init__(
        self,
        project_dir: Path,
        backend: str,
        env: Mapping[str, str],
        *,
        program: Program,
        pulumi: Path | None = None,
        secrets_provider: str | None = None,
        stats: CallStats | None = None,
    ) -> None:
        from pulumi.automation import LocalWorkspace

        exe = pulumi or find_engine(env)
        if exe is None:
            raise EngineMissingError
        self.stats = stats if stats is not None else CallStats()
        self.backend_url = backend
        self.env: dict[str, str] = {
            **env,
            "PULUMI_BACKEND_URL": backend,
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            # dynamic providers (``pulumi-resource-pulumi-python``) run this interpreter
            "PULUMI_PYTHON_CMD": env.get("PULUMI_PYTHON_CMD") or sys.executable,
        }
        command = _command(exe, self.env, self.stats)
        self.version = parse_version(str(command.version or ""))

        def inline() -> None:
            program()

        self.ws: LocalWorkspace = LocalWorkspace(
            work_dir=str(project_dir),
            program=inline,
            env_vars=self.env,
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
        """Whether the stack exists, read-only (``pulumi stack --show-name``): ``stack select``
        would write the workspace's current stack, which parallel runs share. Every other call
        names its stack with ``--stack``."""
        from pulumi.automation import StackNotFoundError

        try:
            self.ws.pulumi_command.run(
                ["stack", "--stack", stack, "--show-name"], self.ws.work_dir, self.env
            )
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

    def remove_tag(self, stack: str, key: str) -> None:
        self.ws.remove_tag(stack, key)

    def up(self, stack: str, on_output: Callable[[str], None]) -> dict[str, Any]:
        """``up --refresh``: what changed outside Pulumi is read first, so an ``up`` repairs
        drift (a plain ``up`` diffs against the last state and would leave it)."""
        seen: list[Diagnostic] = []
        try:
            result = self._stack(stack).up(
                on_output=on_output,
                on_event=lambda event: _collect_diagnostic(event, seen),
                color="never",
                suppress_progress=True,
                refresh=True,
            )
        except Exception as exc:
            # the resources' own errors (URN and the provider's message), for the failure
            # report: the driver carries them on its StackError
            exc.diagnostics = tuple(seen)  # type: ignore[attr-defined]
            raise
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
                settings = preview_settings(settings, config)
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

    def lock_age(self, stack: str) -> timedelta | None:
        """A ``file://`` backend keeps a stack's lock as ``.pulumi/locks/**/<stack>/*.json``
        (with its ``timestamp``): the oldest one's age. Other backends: unknown (None)."""
        directory = local_backend_dir(self.backend_url)
        if directory is None:
            return None
        return lock_file_age(directory, stack, datetime.now(UTC))
