"""Drift: what a refresh (changed outside Pulumi) and a preview (program or config differs)
report, from the engine's events."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["DriftItem", "DriftReport", "dedupe", "drift_item"]

_DRIFT_OPS = frozenset(
    {"create", "update", "delete", "replace", "create-replacement", "delete-replaced", "import"}
)


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
    diffs = tuple(str(d) for d in (getattr(meta, "diffs", None) or ())) or _changed_outputs(meta)
    return DriftItem(source, op, rtype, urn.rsplit("::", 1)[-1], diffs)


def _changed_outputs(meta: Any) -> tuple[str, ...]:
    """The outputs a refresh step changed, when the engine lists no ``diffs`` (it does not
    for a refresh): the keys whose old and new values differ."""
    old = getattr(getattr(meta, "old", None), "outputs", None)
    new = getattr(getattr(meta, "new", None), "outputs", None)
    if not isinstance(old, dict) or not isinstance(new, dict):
        return ()
    keys = (set(old) | set(new)) - {"__provider"}
    return tuple(sorted(k for k in keys if old.get(k) != new.get(k)))


def dedupe(items: Sequence[DriftItem]) -> tuple[DriftItem, ...]:
    seen: dict[tuple[str, str, str], DriftItem] = {}
    for i in items:
        key = (i.source, i.type, i.name)
        if key not in seen or (i.diffs and not seen[key].diffs):
            seen[key] = i
    return tuple(seen.values())
