"""The stack driver's errors, and how an engine failure is told apart and summed up.

The Automation API raises its own exception classes (``CommandError`` and subclasses); they
are recognised by name so that this module (and ``--help``) never imports pulumi.
"""

from __future__ import annotations

from showtime_iac.core.model import InputError, ShowtimeError
from showtime_iac.core.proof import Diagnostic
from showtime_iac.errors import PrerequisiteError

__all__ = [
    "INSTALL_HINT",
    "INSTALL_WAYS",
    "EngineMissingError",
    "PassphraseError",
    "StackBusyError",
    "StackError",
    "TagMismatchError",
    "engine_message",
    "is_already_exists",
    "is_command_error",
    "is_concurrent",
    "is_not_found",
]

#: the two ways to get the CLI: the official installer, for whoever may download it, and the
#: build from Go modules that CI uses (pinned to the SDK's version; docs/engine-build.md)
INSTALL_WAYS = (
    "install it with `curl -fsSL https://get.pulumi.com | sh` (or `brew install "
    "pulumi/tap/pulumi`) and put ~/.pulumi/bin on PATH, or build it from Go modules in a "
    'showtime-iac checkout: `export PATH="$(bash .ci/install-pulumi | tail -n1):$PATH"`'
)
INSTALL_HINT = (
    f"the Pulumi CLI (`pulumi`) is not on PATH: {INSTALL_WAYS}; then run `showtime-iac "
    "doctor`; nothing was changed"
)


class StackError(ShowtimeError):
    """An engine operation failed; the message says which stack and what to do next.
    ``diagnostics``: the failed resources' own errors (URN, provider message), when the
    engine reported any (an ``up``)."""

    def __init__(self, message: str, diagnostics: tuple[Diagnostic, ...] = ()) -> None:
        super().__init__(message)
        self.diagnostics = diagnostics


class EngineMissingError(PrerequisiteError):
    """No ``pulumi`` CLI: nothing can be deployed (exit 2, nothing changed)."""

    def __init__(self) -> None:
        super().__init__(INSTALL_HINT)


class PassphraseError(PrerequisiteError):
    """``PULUMI_CONFIG_PASSPHRASE`` is needed and missing (exit 2, nothing changed)."""


class StackBusyError(StackError):
    """Another update holds the stack's lock, still after the bounded retries."""


class TagMismatchError(InputError):
    """The stack's tags name another PR or SHA than the one asked for: refused."""


def is_concurrent(exc: BaseException) -> bool:
    return type(exc).__name__ == "ConcurrentUpdateError"


def is_already_exists(exc: BaseException) -> bool:
    return type(exc).__name__ == "StackAlreadyExistsError"


def is_not_found(exc: BaseException) -> bool:
    return type(exc).__name__ == "StackNotFoundError"


def is_command_error(exc: BaseException) -> bool:
    return any(c.__name__ == "CommandError" for c in type(exc).__mro__)


def engine_message(exc: BaseException, limit: int = 300) -> str:
    """The useful line of a CLI error: the last ``error:`` line of its stderr, else the last.
    The Automation API's text puts ``stderr: `` before the first line of the CLI's stderr."""
    text = str(exc)
    lines = [ln for ln in map(_unlabelled, text.splitlines()) if ln]
    errors = [ln for ln in lines if ln.startswith("error:")]
    pick = errors[-1] if errors else (lines[-1] if lines else type(exc).__name__)
    return pick[:limit]


def _unlabelled(line: str) -> str:
    line = line.strip()
    for label in ("stderr:", "stdout:"):
        if line.startswith(label):
            return line.removeprefix(label).strip()
    return line
