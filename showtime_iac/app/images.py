"""Which image each ``up`` of a plan deploys: an image is bound to the commit it was built from.

The workflow builds the PR's code in a job without secrets and hands ``sync`` the pushed image
and its record: ``SHOWTIME_IMAGE`` (the reference, a digest) and ``SHOWTIME_IMAGE_SHA`` (the
commit it was built from). :func:`bind_images` applies it only to the ``up`` of that commit's
stack; a reconfiguration keeps the image its stack runs now (read from the stack's outputs);
an image of another commit is refused with a clear error before anything is written. With
``SHOWTIME_REQUIRE_IMAGE`` (the workflow's privileged job) nothing is ever built in-process.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from showtime_iac.core.model import (
    IMAGE_RE,
    InputError,
    ShowtimeError,
    image_built_from,
    short_sha,
)
from showtime_iac.core.planner import Plan, StackOp

__all__ = [
    "ImageMissingError",
    "ImageRecord",
    "bind_images",
    "image_from_env",
    "require_image",
]


class ImageMissingError(ShowtimeError):
    """A deploy needs an image that was not built (and this job may not build): exit 1."""


@dataclass(frozen=True)
class ImageRecord:
    """A prebuilt image and the commit it was built from."""

    uri: str
    sha: str


def image_from_env(env: Mapping[str, str]) -> ImageRecord | None:
    """``SHOWTIME_IMAGE`` with its record ``SHOWTIME_IMAGE_SHA`` (or, failing that, the SHA
    that the image's own ``sti-pr-N-<sha7>`` or ``pr-N-<sha7>-ci`` tag names). An image that
    says nothing about its commit is refused: nobody could tell which stack may run it."""
    uri = (env.get("SHOWTIME_IMAGE") or "").strip()
    sha = (env.get("SHOWTIME_IMAGE_SHA") or "").strip().lower()
    if not uri:
        if sha:
            raise InputError("SHOWTIME_IMAGE_SHA is set but SHOWTIME_IMAGE is empty")
        return None
    if not IMAGE_RE.match(uri):
        raise InputError(f"invalid image reference {uri[:80]!r} in SHOWTIME_IMAGE")
    tagged = image_built_from(uri)
    if not sha:
        if tagged is None:
            raise InputError(
                f"SHOWTIME_IMAGE {uri[:80]!r} does not say which commit it was built from: "
                "set SHOWTIME_IMAGE_SHA to that commit (the workflow's push job does)"
            )
        sha = tagged[1]
    short_sha(sha)  # validates
    return ImageRecord(uri, sha)


def require_image(env: Mapping[str, str]) -> bool:
    """``SHOWTIME_REQUIRE_IMAGE=true``: never build in this job (the action sets it)."""
    return (env.get("SHOWTIME_REQUIRE_IMAGE") or "").strip().lower() in ("1", "true", "yes")


def _bind(
    op: StackOp, record: ImageRecord | None, current: Callable[[int, str], str | None]
) -> StackOp:
    assert op.config is not None
    cfg = op.config
    if op.reuse_image:
        image = current(cfg.pr, op.sha)
        if image is None:
            raise ImageMissingError(
                f"stack {op.stack} records no image to keep: a reconfiguration never builds; "
                "roll it forward with `/showtime refresh` (or the start label) instead"
            )
        return replace(op, config=replace(cfg, image=image, image_sha=op.sha))
    if record is None:
        return op
    # EnvConfig refuses an image of another commit (ImageMismatchError), before any write
    return replace(op, config=replace(cfg, image=record.uri, image_sha=record.sha))


def bind_images(
    plan: Plan,
    record: ImageRecord | None,
    current: Callable[[int, str], str | None] | None,
    *,
    require: bool = False,
) -> Plan:
    """The plan with each ``up`` bound to an image built from its own SHA.

    ``current(pr, sha)`` reads the image a stack runs now (None: offline, reconfigurations
    stay unbound and are only shown). ``require``: an ``up`` that would build raises
    :class:`ImageMissingError`.
    """
    ops: list[StackOp] = []
    for op in plan.stacks:
        if op.action != "up" or op.config is None:
            ops.append(op)
            continue
        if op.reuse_image and current is None:
            ops.append(op)
            continue
        bound = _bind(op, record, current or (lambda _pr, _sha: None))
        if require and bound.config is not None and bound.config.image is None:
            raise ImageMissingError(
                f"no image was built for {op.sha[:7]} (stack {op.stack}) and this job never "
                "builds the PR's code: check the build job of this run"
            )
        ops.append(bound)
    return replace(plan, stacks=tuple(ops))
