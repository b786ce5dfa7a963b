"""The Pulumi Automation API driver: one stack per PR SHA over the repo's ``Pulumi.yaml``.

Thin on purpose: every engine operation is one Automation API call (``pulumi`` CLI underneath).
What is ours is pure and unit-tested: stack names, stack tags (design §4), config values,
the passphrase rule, the listing of stacks with their tags, drift lines from engine events, and
the fault handling around the calls (lock retries, pending operations, tag checks on destroy).

One module per concern:

- :mod:`.driver` — :class:`StackDriver`, the protocol the executor and the CLI use, and
  :class:`PulumiDriver`, the real one; :func:`open_driver` wires it up. Test doubles live in
  the tests.
- :mod:`.engine` — :class:`Engine`, the small set of engine operations the driver needs;
  :class:`AutomationEngine` implements it with ``pulumi.automation`` (imported lazily) and an
  inline :data:`Program` the caller passes in (no language host);
  :func:`find_engine`, :func:`parse_version`, :func:`tags_supported`.
- :mod:`.locks` — lock retries (``--unlock``), stale locks (:class:`LockPolicy`) and
  pending-operation recovery, under the same retries.
- :mod:`.backend` — the project directory, the state backend, the passphrase rule,
  :func:`base_config`.
- :mod:`.config` — stack tags and config values; :mod:`.listing` — :class:`StackInfo` and the
  ``stack ls`` rows; :mod:`.drift` — :class:`DriftReport` from engine events;
  :mod:`.errors` — the driver's errors.

Nothing here imports pulumi at module import time: ``showtime-iac --help`` stays fast.
"""

from __future__ import annotations

from showtime_iac.adapters.stacks.backend import (
    ENV_PROJECT_DIR,
    ENV_SHARED_STACK,
    PROJECT,
    backend_url,
    base_config,
    ensure_local_backend,
    find_project_dir,
    is_cloud_backend,
    local_backend_dir,
    needs_passphrase,
)
from showtime_iac.adapters.stacks.config import (
    MAX_TAG_NAME,
    MAX_TAG_VALUE,
    check_tags,
    is_secret_key,
    preview_settings,
    stack_config_values,
    stack_tags,
)
from showtime_iac.adapters.stacks.drift import DriftItem, DriftReport, drift_item
from showtime_iac.adapters.stacks.driver import PulumiDriver, StackDriver, TagReader, open_driver
from showtime_iac.adapters.stacks.engine import (
    MIN_VERSION_DIY_TAGS,
    AutomationEngine,
    CallStats,
    Engine,
    Program,
    find_engine,
    parse_version,
    tags_supported,
)
from showtime_iac.adapters.stacks.errors import (
    INSTALL_HINT,
    INSTALL_WAYS,
    EngineMissingError,
    PassphraseError,
    StackBusyError,
    StackError,
    TagMismatchError,
)
from showtime_iac.adapters.stacks.listing import StackInfo, StackRow, read_diy_tags, stack_infos
from showtime_iac.adapters.stacks.locks import LockHolder, LockPolicy, lock_holders, pid_alive

__all__ = [
    "ENV_PROJECT_DIR",
    "ENV_SHARED_STACK",
    "INSTALL_HINT",
    "INSTALL_WAYS",
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
    "LockHolder",
    "LockPolicy",
    "PassphraseError",
    "Program",
    "PulumiDriver",
    "StackBusyError",
    "StackDriver",
    "StackError",
    "StackInfo",
    "StackRow",
    "TagMismatchError",
    "TagReader",
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
    "lock_holders",
    "needs_passphrase",
    "open_driver",
    "parse_version",
    "pid_alive",
    "preview_settings",
    "read_diy_tags",
    "stack_config_values",
    "stack_infos",
    "stack_tags",
    "tags_supported",
]
