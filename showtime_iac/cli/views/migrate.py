"""The view of ``migrate``: per PR, what the original runs and what migration does."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from showtime_iac.cli.output import emit_json
from showtime_iac.cli.views.stacks import format_duration

if TYPE_CHECKING:
    from showtime_iac.app.migrate import EnvResult, MigrationReport

__all__ = ["show_migration"]

_VERB = {
    True: {"migrate": "would migrate", "prune": "would prune", "leave": "leave"},
    False: {"migrate": "migrated", "prune": "pruned", "leave": "left"},
}


def _labels_line(r: EnvResult) -> str:
    s = r.decision.show
    if s is None:
        return "none"
    parts = [f"🚦 {s.status}"]
    if r.decision.pointer:
        parts.append("🎯")
    elif r.decision.active:
        parts.append("serving (no 🎯)")
    parts += [f"🌐 {s.ip or '-'}", f"📅 {s.created or '-'}", f"⌛ {r.decision.ttl}"]
    parts.append(f"🤡 {s.requester or '-'}")
    return " · ".join(parts)


def _aws_lines(r: EnvResult, now: datetime) -> list[str]:
    env = r.decision.env
    s = env.service
    lines = []
    if s is not None:
        age = format_duration(now - s.created) if s.created else "-"
        lines.append(f"service {s.name} ({s.status}, {s.running}/{s.desired} running, {age} old)")
        td = (s.task_definition or "-").rsplit("/", 1)[-1]
        lines.append(f"task definition {td} · image {s.image or '-'} · ip {s.ip or '-'}")
    strays = [t.arn.rsplit("/", 1)[-1] for t in env.task_definitions]
    if s is not None:
        strays = [t for t in strays if t != (s.task_definition or "").rsplit("/", 1)[-1]]
    if strays:
        lines.append(f"task definitions {', '.join(strays)}")
    if env.ecr_tags:
        lines.append(f"ECR {', '.join(env.ecr_tags)}")
    return lines or ["nothing"]


def _block(r: EnvResult, report: MigrationReport, now: datetime) -> list[str]:
    d = r.decision
    verb = _VERB[report.dry_run][d.action]
    if d.action == "prune" and not report.prune:
        verb = "prune with --prune"
    closed = "" if d.pr_state == "open" else f" ({d.pr_state})"
    out = [f"PR #{d.pr}{closed}  {d.sha}  {verb}"]
    out.append(f"  labels  {_labels_line(r)}")
    aws = _aws_lines(r, now)
    out.append(f"  aws     {aws[0]}")
    out += [f"          {line}" for line in aws[1:]]
    if d.action == "migrate":
        flags = ",".join(n if on else f"-{n}" for n, on in d.flags)
        extra = f" · flags {flags}" if flags else ""
        out.append(
            f"  ours    stack pr-{d.pr}-{d.sha} · TTL {d.ttl} · requester {d.requester}{extra}"
        )
    out += [f"  why     {reason}" for reason in d.reasons[:1]]
    out += [f"  note    {reason}" for reason in d.reasons[1:]]
    out += [f"  done    {line}" for line in r.done]
    out += [f"  deleted {line}" for line in r.deleted]
    out += [f"  refused {line}" for line in r.refused]
    if r.error:
        out.append(f"  error   {r.error}")
    return out


def show_migration(report: MigrationReport, as_json: bool) -> None:
    for w in report.warnings:
        sys.stderr.write(f"showtime-iac: {w}\n")
    if as_json:
        emit_json(report.to_json())
        return
    now = datetime.now(UTC)
    mode = "dry run: nothing written" if report.dry_run else "done"
    lines = [f"migrate from Superset Showtime · {report.repo} · cluster {report.cluster} · {mode}"]
    for r in report.results:
        lines += ["", *_block(r, report, now)]
    if not report.results:
        lines += ["", "no environment of Superset Showtime found"]
    n = {a: report.count(a) for a in ("migrate", "prune", "leave")}
    hint = "" if report.prune or not n["prune"] else " (run with --prune)"
    lines += ["", f"{n['migrate']} to migrate, {n['prune']} to prune{hint}, {n['leave']} left"]
    sys.stdout.write("\n".join(lines) + "\n")
