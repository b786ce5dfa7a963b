"""Wire the real adapters (GitHub, Pulumi stacks, AWS) into the executor's three ports, and
open them one by one for the commands that need only one.

The stack driver and the AWS clients are opened on first use: a run that only replies to a
comment or moves labels needs neither a Pulumi CLI nor AWS credentials. Every adapter the
application uses is built here (the seams tests replace): :func:`open_ports`,
:func:`open_stacks`, :func:`open_github`, :func:`open_aws`, :func:`open_registry`,
:func:`engine_found`.

The driver runs the Pulumi program inline; :func:`stack_program` is the one it runs: the
product's (``showtime_iac.program.main``, which picks the program by stack name), or, only
when ``$SHOWTIME_PROGRAM`` names one, a test program (the engine tests' dynamic resources).
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from showtime_iac.core.model import EnvConfig, Policy, ShowtimeError

if TYPE_CHECKING:
    from showtime_iac.adapters.aws import AwsLive, DeleteResult, OrphanDecision
    from showtime_iac.adapters.github import GitHubClient
    from showtime_iac.adapters.registry import RegistryClient
    from showtime_iac.adapters.stacks import PulumiDriver
    from showtime_iac.adapters.stacks.drift import DriftReport
    from showtime_iac.adapters.stacks.prepared import PreparedRecord
    from showtime_iac.core.orphans import TaggedResource
    from showtime_iac.settings import Settings

__all__ = [
    "ENV_LOCK_RETRIES",
    "ENV_LOCK_RETRY_DELAY",
    "ENV_PROGRAM",
    "LazyLive",
    "LazyStacks",
    "Ports",
    "Sink",
    "engine_found",
    "open_aws",
    "open_github",
    "open_registry",
    "open_ports",
    "lock_retries",
    "open_stacks",
    "stack_config_dir",
    "stack_program",
]

ENV_PROGRAM = "SHOWTIME_PROGRAM"
"""``module:function``: the inline program instead of the product's (engine tests only)."""
ENV_LOCK_RETRIES = "SHOWTIME_LOCK_RETRIES"
ENV_LOCK_RETRY_DELAY = "SHOWTIME_LOCK_RETRY_DELAY"

Sink = Callable[[str], None]
"""Where engine output lines go (one line per call)."""

T = TypeVar("T")


class _Lazy(Generic[T]):
    """An adapter opened on first use (no Pulumi CLI or AWS credentials needed before)."""

    def __init__(self, opener: Callable[[], T]) -> None:
        self._opener = opener
        self._value: T | None = None
        self._lock = threading.Lock()  # cleanup's parallel destroys open it once

    def _get(self) -> T:
        with self._lock:
            if self._value is None:
                self._value = self._opener()
            return self._value


class LazyStacks(_Lazy["PulumiDriver"]):
    """The Pulumi driver, opened on the first stack operation."""

    def ready(self) -> None:
        """Open the driver now (finds the pulumi CLI and the backend, or raises): called
        before a run claims anything, so a missing engine changes nothing on the PR."""
        self._get()

    def up(self, cfg: EnvConfig) -> Mapping[str, Any]:
        return self._get().up(cfg)

    def destroy(self, pr: int, sha: str) -> None:
        self._get().destroy(pr, sha)

    def list_stacks(self) -> list[str]:
        return self._get().list_stacks()

    def records(self, pr: int | None = None) -> dict[str, dict[str, str]]:
        """The tags of PR ``pr``'s environment stacks and router (its record); of every
        PR's with None."""
        return self._get().records(pr)

    def stale_claims(self, stacks: Iterable[str]) -> None:
        """These stacks' claims on their PR are past the stale-claim age: a lock on one was
        left by a run that is gone, and may be cancelled."""
        self._get().stale_claims.update(stacks)

    def current_image(self, pr: int, sha: str) -> str | None:
        """The image stack ``pr-N-S`` runs now (its ``image`` output); None when it has none
        (no such stack, never deployed). By the image binding it was built from S."""
        driver = self._get()  # no engine: that error, not "no image"
        try:
            image = driver.outputs(pr, sha).get("image")
        except ShowtimeError:
            return None
        return image if isinstance(image, str) and image else None

    def route(
        self,
        pr: int,
        sha: str,
        target_group_arn: str,
        repo: str,
        asleep: bool = False,
    ) -> Mapping[str, Any]:
        return self._get().route(pr, sha, target_group_arn, repo, asleep)

    def prepare(self, cfg: EnvConfig, run: str) -> Mapping[str, Any] | None:
        """Create and ``up`` the prepared stack of ``cfg``; None when the stack exists."""
        return self._get().prepare(cfg, run)

    def prepared(self, pr: int, sha: str) -> PreparedRecord | None:
        """The record of a prepared-only stack (when, by which run); None otherwise."""
        return self._get().prepared(pr, sha)

    def prepared_stacks(self, names: Sequence[str]) -> dict[str, datetime | None]:
        """Which of these stacks are tagged prepared, and when."""
        return self._get().prepared_stacks(names)

    def destroy_prepared(self, pr: int, sha: str, *, run: str | None = None) -> str | None:
        """Destroy a stack only while it is prepared-only; None when destroyed, else why not."""
        return self._get().destroy_prepared(pr, sha, run=run)

    def unroute(self, pr: int) -> bool:
        return self._get().unroute(pr)

    def retag(self, stack: str, tags: Mapping[str, str]) -> None:
        self._get().retag(stack, tags)

    def list_routers(self) -> list[int]:
        return self._get().list_routers()

    def drift(self, pr: int, sha: str) -> DriftReport:
        """Refresh preview and ``preview --expect-no-changes`` of one stack: writes nothing."""
        return self._get().drift(pr, sha)


class LazyLive(_Lazy["AwsLive"]):
    """The AWS live checks, with clients made on first use."""

    def before_up(self, cfg: EnvConfig) -> None:
        self._get().before_up(cfg)

    def address(self, cfg: EnvConfig, outputs: Mapping[str, Any]) -> str:
        return self._get().address(cfg, outputs)

    def wait_healthy(self, url: str) -> float:
        return self._get().wait_healthy(url)

    def wait_target_healthy(self, target_group_arn: str) -> float:
        return self._get().wait_target_healthy(target_group_arn)

    def check_rollout(self, outputs: Mapping[str, Any]) -> None:
        self._get().check_rollout(outputs)

    def tail_logs(self, cfg: EnvConfig, lines: int) -> str:
        return self._get().tail_logs(cfg, lines)

    def last_request(
        self, target_group_name: str, now: datetime, window: timedelta = timedelta(hours=1)
    ) -> datetime | None:
        return self._get().last_request(target_group_name, now, window)

    def find_orphans(
        self, live_stacks: Iterable[str], open_prs: Iterable[int], now: datetime
    ) -> list[OrphanDecision]:
        return self._get().find_orphans(live_stacks, open_prs, now)

    def list_tagged(self) -> list[TaggedResource]:
        """Every candidate of the orphan sweep, with its tags (AWS reads only)."""
        return self._get().list_tagged()

    def delete_orphans(
        self, decisions: Sequence[OrphanDecision], *, dry_run: bool
    ) -> list[DeleteResult]:
        return self._get().delete_orphans(decisions, dry_run=dry_run)


@dataclass
class Ports:
    github: GitHubClient
    stacks: LazyStacks
    live: LazyLive


def _engine_line(line: str) -> None:
    sys.stderr.write(line if line.endswith("\n") else line + "\n")


def open_ports(
    settings: Settings,
    *,
    repo: str | None = None,
    policy: Policy | None = None,
) -> Ports:
    """Build the three ports from the environment (token, repo, backend, AWS)."""
    from showtime_iac.adapters.github import GitHubClient

    gh = GitHubClient.from_settings(settings, repo=repo)

    def stacks() -> PulumiDriver:
        from showtime_iac.adapters.stacks import open_driver

        # sync and cleanup recover a lock older than the stale-claim age (its run is gone)
        stale = (policy or Policy()).stale_lock
        return open_driver(
            program=stack_program(),
            env=os.environ,
            on_output=_engine_line,
            stale_after=stale,
            on_note=lambda note: _engine_line(f"showtime-iac: {note}"),
            tag_reader=_s3_tags,
            **lock_retries(),
        )

    def live() -> AwsLive:
        from showtime_iac.adapters.aws import AwsLive

        return AwsLive.from_settings(settings, policy)

    return Ports(github=gh, stacks=LazyStacks(stacks), live=LazyLive(live))


def engine_found() -> bool:
    """Whether a ``pulumi`` CLI is on PATH (or under ``PULUMI_HOME``/``~/.pulumi/bin``)."""
    from showtime_iac.adapters.stacks import find_engine

    return find_engine() is not None


def open_stacks(
    project_dir: Path | None, on_output: Sink | None = None, unlock: bool = False
) -> PulumiDriver:
    """The Pulumi driver of the project (``EngineMissingError`` without a pulumi CLI)."""
    from showtime_iac.adapters.stacks import open_driver

    return open_driver(
        program=stack_program(),
        project_dir=project_dir,
        on_output=on_output,
        unlock=unlock,
        tag_reader=_s3_tags,
        **lock_retries(),
    )


def _s3_tags(url: str) -> Mapping[str, Mapping[str, str]] | None:
    """Every stack's tags straight from an S3 backend's bucket (the AWS adapter); None for
    other backends (the driver reads a file backend's itself, asks the CLI otherwise)."""
    if not url.startswith("s3://"):
        return None
    from showtime_iac.adapters.aws.state_tags import read_s3_stack_tags
    from showtime_iac.adapters.stacks import PROJECT

    return read_s3_stack_tags(url, PROJECT)


def lock_retries(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """How long a run waits for a stack another run holds: ``$SHOWTIME_LOCK_RETRIES`` tries
    (default 3) after ``$SHOWTIME_LOCK_RETRY_DELAY`` seconds, doubling (default 5: 5+10+20)."""
    from showtime_iac.errors import InputError

    e = os.environ if env is None else env
    out: dict[str, Any] = {}
    for var, key, kind in (
        (ENV_LOCK_RETRIES, "retries", int),
        (ENV_LOCK_RETRY_DELAY, "retry_delay", float),
    ):
        text = e.get(var, "").strip()
        if not text:
            continue
        try:
            value: float | None = kind(text)
        except ValueError:
            value = None
        if value is None or not 0 <= value <= 1000:
            raise InputError(f"${var}={text[:40]!r} must be a number from 0 to 1000")
        out[key] = value
    return out


def _product_program() -> None:
    from showtime_iac.program import main

    main()


def stack_program(env: Mapping[str, str] | None = None) -> Callable[[], object]:
    """The inline program the driver runs: the product's (it picks the program by stack
    name), unless ``$SHOWTIME_PROGRAM`` is ``module:function`` (an importable module, e.g.
    ``tests.adapters.stacks.engine_program:program``; the engine tests set it, nothing else
    should). ``doctor`` says which program is in use."""
    from showtime_iac.errors import InputError

    spec = (os.environ if env is None else env).get(ENV_PROGRAM, "").strip()
    if not spec:
        return _product_program
    module, _, name = spec.partition(":")
    if not module or not name.isidentifier():
        raise InputError(f"${ENV_PROGRAM}={spec[:80]!r} is not module:function")
    try:
        found = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise InputError(f"${ENV_PROGRAM}={spec[:80]!r} cannot be loaded: {exc}") from None
    if not callable(found):
        raise InputError(f"${ENV_PROGRAM}={spec[:80]!r} is not a function")
    program: Callable[[], object] = found
    return program


def stack_config_dir(project_dir: Path | None) -> Path | None:
    """Where ``up`` writes the stack config files (``stackConfigDir`` of Pulumi.yaml)."""
    from showtime_iac.adapters.stacks import find_project_dir
    from showtime_iac.errors import InputError

    try:
        return find_project_dir(project_dir) / "stacks"
    except InputError:
        return None


def open_github(settings: Settings, repo: str | None = None) -> GitHubClient:
    """The GitHub client of ``repo`` (default ``$GITHUB_REPOSITORY``)."""
    from showtime_iac.adapters.github import GitHubClient

    return GitHubClient.from_settings(settings, repo=repo)


def open_registry() -> RegistryClient:
    """The container registry reader (anonymous: it runs where there are no credentials)."""
    from showtime_iac import __version__
    from showtime_iac.adapters.registry import RegistryClient

    return RegistryClient(user_agent=f"showtime-iac/{__version__}")


def open_aws(settings: Settings, policy: Policy | None = None, *, quick: bool = False) -> AwsLive:
    """The AWS adapter; ``quick``: few retries, short timeouts (``status`` shows what it can
    and moves on)."""
    from showtime_iac.adapters.aws import AwsLive, client_config

    if not quick:
        return AwsLive.from_settings(settings, policy)
    config = client_config(2, connect_timeout=3, read_timeout=10)
    return AwsLive.from_settings(settings, policy, config=config)
