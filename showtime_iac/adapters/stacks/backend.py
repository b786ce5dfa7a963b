"""Where the stacks live: the project directory (``Pulumi.yaml``), the state backend, the
passphrase rule, and the config every environment stack shares."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

from showtime_iac.adapters.stacks.errors import StackError
from showtime_iac.core.model import InputError

__all__ = [
    "ENV_PROJECT_DIR",
    "ENV_SHARED_STACK",
    "PROJECT",
    "backend_url",
    "base_config",
    "ensure_local_backend",
    "find_project_dir",
    "is_cloud_backend",
    "local_backend_dir",
    "lock_file_age",
    "needs_passphrase",
]

PROJECT = "showtime-iac"
ENV_PROJECT_DIR = "SHOWTIME_PROJECT_DIR"
ENV_SHARED_STACK = "SHOWTIME_SHARED_STACK"
# showtime_iac/adapters/stacks/backend.py → the checkout that holds Pulumi.yaml
_CHECKOUT = Path(__file__).resolve().parents[3]


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
        candidates.append((_CHECKOUT, "the repository"))
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


def base_config(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """Config every environment (and router) stack gets besides its own: the region, where
    the shared values come from (``$SHOWTIME_SHARED_STACK``, default ``shared``) and, in
    HTTPS mode, the domain (``$SHOWTIME_DOMAIN``)."""
    e = os.environ if env is None else env
    out = {
        "aws:region": e.get("AWS_REGION") or e.get("AWS_DEFAULT_REGION") or "us-west-2",
        "showtime-iac:sharedStack": e.get(ENV_SHARED_STACK) or "shared",
    }
    domain = (e.get("SHOWTIME_DOMAIN") or "").strip().lower()
    if domain:
        out["showtime-iac:domain"] = domain
    return out


_FRACTION_RE = re.compile(r"(\.\d{6})\d+")


def _lock_time(path: Path) -> datetime:
    """A lock file's ``timestamp`` (Go's RFC 3339 with nanoseconds), else its mtime."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        stamp = _FRACTION_RE.sub(r"\1", str(data["timestamp"])).replace("Z", "+00:00")
        when = datetime.fromisoformat(stamp)
        return when if when.tzinfo else when.replace(tzinfo=UTC)
    except (OSError, ValueError, KeyError, TypeError):
        return datetime.fromtimestamp(path.stat().st_mtime, UTC)


def lock_file_age(backend_dir: Path, stack: str, now: datetime) -> timedelta | None:
    """Age of the oldest lock a ``file://`` backend holds for ``stack``
    (``.pulumi/locks/[<org>/<project>/]<stack>/<id>.json``); None when there is none."""
    root = backend_dir / ".pulumi" / "locks"
    try:
        found = [p for p in root.rglob("*.json") if p.parent.name == stack]
    except OSError:
        return None
    if not found:
        return None
    return now - min(_lock_time(p) for p in found)
