"""Who may do what: write permission, and the labels only a writer may add or remove. Pure.

Anything a PR author controls is hostile until someone with write access acts (design §2b).
A guarded label added by someone without write access is removed again; one they removed is
put back. Either way nothing starts, updates or is destroyed.
"""

from __future__ import annotations

from showtime_iac.core import labels as L
from showtime_iac.core.commands import Command, parse_comment
from showtime_iac.core.model import Event, Policy
from showtime_iac.core.plan import Ctx, Plan, comment_text

__all__ = [
    "GUARDED",
    "WRITE_PERMISSIONS",
    "authorized",
    "guarded",
    "needs_permission",
    "refuse_label",
    "restore_label",
]

WRITE_PERMISSIONS = frozenset({"admin", "maintain", "write"})
#: labels only a writer may add or remove (the 🎪 conf-* requests too, see :func:`guarded`)
GUARDED = frozenset({L.START, L.STOP, L.LEGACY, L.FREEZE, L.BLOCKED})
#: labels whose removal changes something (⚡, 🛑 and conf-* are consumed: removing means nothing)
_GUARDED_REMOVAL = frozenset({L.LEGACY, L.FREEZE, L.BLOCKED})


def guarded(label: str) -> bool:
    return label in GUARDED or label.startswith(f"{L.PREFIX}conf-")


def authorized(event: Event, policy: Policy) -> bool | None:
    """True/False when known; None when only the collaborator-permission API can tell.

    The author association (``trusted_associations``) only shapes an offline ``plan``: sync
    always looks the permission up first (:func:`needs_permission`), and the permission wins.
    """
    if event.actor_permission is not None:
        return event.actor_permission in WRITE_PERMISSIONS
    if (
        event.actor_association is not None
        and event.actor_association in policy.trusted_associations
    ):
        return True
    return None


def needs_permission(event: Event) -> bool:
    """Whether the executor must look up the actor's permission before deciding.

    Label events on guarded labels, description edits, reopening (the legacy label restarts),
    and comment commands that change something.
    """
    if event.actor_permission is not None or not event.actor:
        return False
    if event.name == "pull_request" and event.action in ("labeled", "unlabeled"):
        return guarded(event.label or "")
    if event.name == "pull_request" and event.action in ("edited", "reopened"):
        return True
    if event.name == "issue_comment" and event.action == "created":
        cmd = parse_comment(event.comment or "")
        return isinstance(cmd, Command) and cmd.name not in ("status", "help")
    return False


def refuse_label(ctx: Ctx) -> Plan | None:
    """A guarded label added by someone without write access: remove it, say why."""
    ev = ctx.event
    if ev.name != "pull_request" or ev.action != "labeled" or not ev.label:
        return None
    label = ev.label
    if not guarded(label) or authorized(ev, ctx.policy) is not False:
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


def restore_label(ctx: Ctx) -> Plan | None:
    """A guarded label (🧊, 🔒, ``testenv-up``) removed by someone without write access: put
    it back, change nothing else (the fork's head must not deploy, nothing is destroyed)."""
    ev = ctx.event
    if ev.name != "pull_request" or ev.action != "unlabeled" or not ev.label:
        return None
    label = ev.label
    if label not in _GUARDED_REMOVAL or authorized(ev, ctx.policy) is not False:
        return None
    add = (label,) if label not in ctx.st.labels else ()
    return Plan(
        pr=ctx.pr.number,
        intent="refuse",
        add_labels=add,
        comment=comment_text(
            "Label put back",
            [
                f"@{ev.actor}, only maintainers (write access) can remove `{label}`; "
                "it is back on the PR and nothing changed."
            ],
        ),
        reasons=(f"refused the removal of {label}: @{ev.actor} lacks write access",),
        warnings=ctx.st.warnings,
    )
