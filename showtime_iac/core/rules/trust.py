"""Who may do what: write permission, and the labels only a writer may add. Pure."""

from __future__ import annotations

from showtime_iac.core import labels as L
from showtime_iac.core.commands import Command, parse_comment
from showtime_iac.core.model import Event, Policy
from showtime_iac.core.plan import Ctx, Plan, comment_text

__all__ = ["GUARDED", "WRITE_PERMISSIONS", "authorized", "needs_permission", "refuse_label"]

WRITE_PERMISSIONS = frozenset({"admin", "maintain", "write"})
GUARDED = frozenset({L.START, L.STOP, L.LEGACY, L.FREEZE})


def authorized(event: Event, policy: Policy) -> bool | None:
    """True/False when known; None when only the collaborator-permission API can tell."""
    if event.actor_permission is not None:
        return event.actor_permission in WRITE_PERMISSIONS
    if (
        event.actor_association is not None
        and event.actor_association in policy.trusted_associations
    ):
        return True
    return None


def needs_permission(event: Event) -> bool:
    """Whether the executor should look up the actor's permission before deciding.

    Label events on trigger/config labels and comment commands that change something.
    """
    if event.actor_permission is not None or not event.actor:
        return False
    if event.name == "pull_request" and event.action in ("labeled", "unlabeled"):
        label = event.label or ""
        return label in GUARDED or label.startswith(f"{L.PREFIX}conf-")
    if event.name == "issue_comment" and event.action == "created":
        cmd = parse_comment(event.comment or "")
        return isinstance(cmd, Command) and cmd.name not in ("status", "help")
    return False


def refuse_label(ctx: Ctx) -> Plan | None:
    """A trigger or config label added by someone without write access: remove it, say why."""
    ev = ctx.event
    if ev.name != "pull_request" or ev.action != "labeled" or not ev.label:
        return None
    label = ev.label
    if not (label in GUARDED or label.startswith(f"{L.PREFIX}conf-")):
        return None
    if authorized(ev, ctx.policy) is not False:
        return None
    why = f"@{ev.actor} lacks write access to the repository"
    remove = (label,) if label in ctx.st.labels else ()
    return Plan(
        pr=ctx.pr.number,
        intent="refuse",
        remove_labels=remove,
        comment=comment_text(
            "Label removed",
            [
                f"@{ev.actor}, thanks! Only maintainers (write access) can use `{label}`; "
                "please ask one to add it for you."
            ],
        ),
        reasons=(f"refused {label}: {why}",),
        warnings=ctx.st.warnings,
    )
