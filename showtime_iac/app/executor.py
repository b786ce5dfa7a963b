"""Carry a :class:`~showtime_iac.core.planner.Plan` out: claim → stacks → live checks → labels.

The executor talks to GitHub, the stacks and AWS only through the three small protocols
below; the CLI wires the real adapters in (``github.GitHubClient``, ``stacks``, ``aws``).

The claim protocol (two runs for one SHA deploy exactly once):

1. The workflow's concurrency group (one group per PR, no cancel-in-progress) serializes
   runs of one PR; everything below also holds without it.
2. A start is claimed by **deleting the trigger label first**: GitHub answers 404 to all but
   one of concurrent deletes, so exactly one run wins. The loser deploys nothing: without
   ⚡ no plan of its event deploys (tests/core/test_trigger_token.py), so there is nothing
   to re-plan.
3. The claim labels (🚦 building, 🏗️, 📅) are written, then **read back** with the PR in one
   request: the claim must be there and the PR still open, else nothing is deployed.
4. The Pulumi stack lock is the last line: a second ``up`` of the same stack waits (bounded)
   or fails with a clear message, and an ``up`` of the same config changes nothing.

A PR closed while its build runs is caught by re-reading the PR after the deploy: the new
environment is destroyed, never left running.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal

from showtime_iac.app.ports import GitHubPort, LivePort, StackPort
from showtime_iac.app.proof_steps import ProofPort, ProofSteps
from showtime_iac.core import labels as L
from showtime_iac.core.comment import status_comment
from showtime_iac.core.guarded import NOT_OBEYED
from showtime_iac.core.model import EnvConfig, Policy, PrInfo, ShowtimeError
from showtime_iac.core.planner import Plan, StackOp, on_destroying, on_failure, on_success
from showtime_iac.core.proof import LOG_LINES, Failure, Picture, redact
from showtime_iac.core.record import REPAIRED, failed_tags, healthy_tags
from showtime_iac.core.timings import Timings

__all__ = [
    "GitHubPort",
    "StackPort",
    "LivePort",
    "ProofPort",
    "Outcome",
    "Executor",
    "audit_line",
]


@dataclass
class Outcome:
    """What one run did. ``exit_code`` follows the CLI contract (0 ok, 1 failed)."""

    pr: int
    intent: str
    exit_code: int = 0
    sha: str | None = None
    url: str | None = None
    error: str | None = None
    actions: list[str] = field(default_factory=list)
    timings: Timings | None = None  # a deploy's phases (the run's start to ready or failed)
    audit: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "pr": self.pr,
            "intent": self.intent,
            "exit_code": self.exit_code,
            "sha": self.sha,
            "url": self.url,
            "error": self.error,
            "actions": self.actions,
            "timings": self.timings.to_json() if self.timings is not None else None,
        }

    def summary_markdown(self) -> str:
        head = f"### 🎪 showtime-iac · PR #{self.pr} · {self.intent}"
        rows = [f"- {a}" for a in self.actions] or ["- nothing to do"]
        if self.url:
            rows.append(f"- environment: {self.url}")
        if self.error:
            rows.append(f"- **failed**: {self.error}")
        if self.timings is not None and self.timings.phases:
            rows += ["", self.timings.markdown()]
        return "\n".join([head, "", *rows, ""])


def audit_line(
    when: datetime,
    actor: str,
    pr: int,
    sha: str | None,
    action: str,
    result: str,
    reason: str,
    timings: Timings | None = None,
) -> str:
    """One JSON line per operation (time, actor, PR, SHA, action, result, reason); a deploy's
    last line also carries its ``timings`` (:meth:`Timings.to_json`)."""
    line: dict[str, Any] = {
        "time": when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "actor": actor,
        "pr": pr,
        "sha": sha,
        "action": action,
        "result": result,
        "reason": reason,
    }
    if timings is not None:
        line["timings"] = timings.to_json()
    return json.dumps(line, ensure_ascii=False)


def _as_error(exc: Exception) -> ShowtimeError:
    """Our errors as they are; anything else (a botocore or engine crash) named by its type."""
    if isinstance(exc, ShowtimeError):
        return exc
    return ShowtimeError(f"{type(exc).__name__}: {str(exc)[:300]}")


class Executor(ProofSteps):
    """Runs plans against the three ports."""

    def __init__(
        self,
        github: GitHubPort,
        stacks: StackPort,
        live: LivePort,
        *,
        policy: Policy,
        actor: str,
        run_url: str | None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        log: Callable[[str], None] = lambda _line: None,
        marks: Sequence[tuple[str, datetime]] = (),
        progress: bool,
        secrets: Sequence[str],
        proof: ProofPort | None,
    ) -> None:
        """``marks``: the run's phases so far (:func:`core.timings.workflow_marks`: the
        workflow's, then the sync's start); without them a deploy is timed from its claim.
        ``progress``: the sticky comment says each phase of a deploy as it starts, with the
        time so far (one edit each). ``secrets``: values a failure report masks wherever
        they appear (the run's tokens and passphrase). ``proof``: a healthy environment is
        pictured logged in, and the picture goes in the sticky comment (issue 28)."""
        self.gh, self.stacks, self.live = github, stacks, live
        self.policy = policy
        self.actor = actor
        self.run_url = run_url
        self.clock = clock
        self.log = log
        self.marks: list[tuple[str, datetime]] = list(marks)
        self.phase = "claim"  # the phase in progress: a failure is timed as its end
        self.progress = progress
        self.secrets = tuple(secrets)
        self.proof = proof
        self._deploying: tuple[int, str, Sequence[str]] | None = None  # pr, sha, labels

    def _mark(self, phase: str, next_phase: str | None = None) -> None:
        """``phase`` ended now; ``next_phase`` is in progress from here."""
        self.marks.append((phase, self.clock()))
        if next_phase is not None:
            self.phase = next_phase
            self._progress(next_phase)

    def _timings(self, result: Literal["ready", "failed"] | None) -> Timings | None:
        if not self.marks:
            return None
        return Timings(tuple(self.marks), result)

    # -- helpers ---------------------------------------------------------------------------

    def _audit(self, out: Outcome, action: str, result: str, reason: str) -> None:
        line = audit_line(
            self.clock(), self.actor, out.pr, out.sha, action, result, reason, out.timings
        )
        out.audit.append(line)
        self.log(line)

    def _op_failed(self, out: Outcome, action: str, stack: str, raw: Exception) -> Outcome:
        """A stack operation failed: exit 1, the error, one audit line; labels untouched."""
        exc = _as_error(raw)
        out.exit_code, out.error = 1, str(exc)
        self._audit(out, action, "failed", f"{stack}: {exc}")
        return out

    def _sticky(
        self,
        pr: int,
        labels: Sequence[str],
        note: str,
        timings: Timings | None = None,
        failure: Failure | None = None,
        progress: str | None = None,
        picture: Picture | str | None = None,
    ) -> None:
        previous = self.gh.status_comment_body(pr)
        head = timings.headline() if timings is not None else None
        body = status_comment(
            pr,
            L.parse_state(labels),
            self.clock(),
            # a failure's note quotes its error: masked as the failure report is
            event_line=redact(f"{note} ({head})" if head else note, self.secrets) or None,
            failure=failure,
            progress=progress,
            picture=picture if isinstance(picture, Picture) else None,
            check=picture if isinstance(picture, str) else None,
            previous_body=previous,
            run_url=self.run_url,
            port=self.policy.port,
            idle_action=self.policy.idle_action,
            timings=timings,
        )
        self.gh.upsert_status_comment(pr, body)

    # -- entry point -------------------------------------------------------------------------

    def execute(self, plan: Plan, pr: PrInfo) -> Outcome:
        try:
            return self._execute(plan, pr)
        finally:
            self.gh.finish()

    def _execute(self, plan: Plan, pr: PrInfo) -> Outcome:
        out = Outcome(pr=plan.pr, intent=plan.intent, sha=plan.sha)
        for note in plan.reasons:  # a guarded label no writer added: reported, then removed
            if note.startswith(NOT_OBEYED):
                out.actions.append(note)
                self._audit(out, "unverified-label", "removed", note)
            elif note.startswith(REPAIRED):  # state labels someone changed: put back
                out.actions.append(note)
                self._audit(out, "label-repair", "ok", note)
        if plan.skipped and not plan.label_diff and not plan.comment:
            out.actions.append(f"skipped: {plan.skipped}")
            return out
        ups = [op for op in plan.stacks if op.action == "up"]
        if plan.intent in ("reply", "refuse") or (not plan.stacks):
            return self._labels_and_reply(plan, pr, out)
        if plan.intent == "sweep":
            return self._sweep(plan, out)
        if not ups:
            return self._teardown(plan, pr, out)
        if plan.intent == "sleep":
            return self._sleep(plan, pr, ups[0], out)
        return self._deploy(plan, pr, ups[0], out)

    def _sleep(self, plan: Plan, pr: PrInfo, up: StackOp, out: Outcome) -> Outcome:
        """Scale to zero through the stack, then say so on the PR. The stack goes first: if
        it fails, the labels still say running (and warned), so the next cleanup retries."""
        cfg = up.config
        assert cfg is not None
        assert cfg.sleeping
        try:
            outputs = self.stacks.up(cfg)
        except Exception as raw:
            return self._op_failed(out, "sleep", up.stack, raw)
        out.actions.append(f"up {up.stack} (desired count 0)")
        target_group = outputs.get("targetGroupArn")
        if target_group:  # HTTPS mode: the PR's host says it sleeps, and how to wake it
            try:
                self.stacks.route(plan.pr, up.sha, str(target_group), cfg.repo, asleep=True)
                out.actions.append(f"pr-{plan.pr}-router: the asleep page")
            except ShowtimeError as exc:
                out.actions.append(f"asleep page not set: {exc} (the host answers 503)")
        self.gh.apply_label_diff(plan.pr, plan.add_labels, plan.remove_labels)
        out.actions.append(f"labels +{len(plan.add_labels)} -{len(plan.remove_labels)}")
        self.gh.deployment(plan.pr, up.sha, "inactive")
        final = L.apply_diff(pr.labels, plan.label_diff)
        self._sticky(plan.pr, final, f"`{up.sha}` asleep: {plan.reasons[0]}")
        self._audit(out, "sleep", "ok", plan.reasons[0] if plan.reasons else up.stack)
        return out

    def _labels_and_reply(self, plan: Plan, pr: PrInfo, out: Outcome) -> Outcome:
        for stack, tags in plan.retag:  # the record first: the labels are only its view
            try:
                self.stacks.retag(stack, dict(tags))
                out.actions.append(f"retagged {stack}")
            except ShowtimeError as exc:
                out.exit_code, out.error = 1, f"could not record the change on {stack}: {exc}"
                self._audit(out, plan.intent, "failed", out.error)
                self.gh.post_comment(
                    plan.pr, f"🎪 Nothing changed: {out.error}. Try the command again."
                )
                return out
        if plan.label_diff:
            self.gh.apply_label_diff(plan.pr, plan.add_labels, plan.remove_labels)
            out.actions.append(f"labels +{len(plan.add_labels)} -{len(plan.remove_labels)}")
        if plan.comment:
            self.gh.post_comment(plan.pr, plan.comment)
            out.actions.append("replied")
        if plan.intent == "queue":  # the status comment shows the queued SHA and its place
            place = next((r for r in plan.reasons if r.startswith("fleet full: ")), "queued")
            final = L.apply_diff(pr.labels, plan.label_diff)
            self._sticky(plan.pr, final, place.removeprefix("fleet full: "))
            out.actions.append("status comment: queued")
        self._audit(out, plan.intent, "ok", plan.reasons[0] if plan.reasons else "")
        return out

    def _record(self, stack: str, tags: Mapping[str, str], out: Outcome) -> None:
        """Write what the run learnt into the stack's record (best effort: a stack whose
        status stays ``deploying`` is judged by its labels, as before the record)."""
        try:
            self.stacks.retag(stack, dict(tags))
        except ShowtimeError as exc:
            out.actions.append(f"could not record {', '.join(tags)} on {stack}: {exc}")

    def _sweep(self, plan: Plan, out: Outcome) -> Outcome:
        """Stacks no label references: destroyed, nothing else on the PR changes."""
        for op in plan.stacks:
            try:
                self.stacks.destroy(plan.pr, op.sha)
            except Exception as raw:
                return self._op_failed(out, "destroy", op.stack, raw)
            out.actions.append(f"destroyed {op.stack} (no label referenced it)")
            self._audit(out, "destroy", "ok", f"{op.stack}: no label referenced it")
        return out

    def _teardown(self, plan: Plan, pr: PrInfo, out: Outcome) -> Outcome:
        final = L.apply_diff(pr.labels, plan.label_diff)
        mark = on_destroying(pr.labels, [op.sha for op in plan.stacks], self.clock())
        if mark:
            self.gh.apply_label_diff(plan.pr, mark.add, mark.remove)
        labels = list(L.apply_diff(pr.labels, mark))
        try:
            self._unroute_if_last(plan.pr, {op.stack for op in plan.stacks}, out)
            for op in plan.stacks:
                self.stacks.destroy(plan.pr, op.sha)
                out.actions.append(f"destroyed {op.stack}")
                self._audit(out, "destroy", "ok", op.stack)
                self._unpicture(plan.pr, op.sha, out)
        except Exception as raw:  # reported on the PR; the labels stay for the retry
            exc = _as_error(raw)
            out.exit_code, out.error = 1, str(exc)
            self._audit(out, "destroy", "failed", str(exc))
            self.gh.post_comment(
                plan.pr,
                f"🎪 **Teardown failed**: {exc}\n\nThe environment stays marked 🚦 destroying;"
                " the next run (or `cleanup`) retries.",
            )
            return out
        rest = L.diff(labels, final)
        self.gh.apply_label_diff(plan.pr, rest.add, rest.remove)
        out.actions.append(f"labels +{len(rest.add)} -{len(rest.remove)}")
        self.gh.deployment(plan.pr, plan.sha or "", "inactive")
        self._sticky(plan.pr, final, plan.reasons[0] if plan.reasons else "stopped")
        self._audit(out, plan.intent, "ok", plan.reasons[0] if plan.reasons else "")
        return out

    def _unroute_if_last(self, pr: int, going: set[str], out: Outcome) -> None:
        """Destroy the PR's router before its last environment (its rule holds the target
        group, which AWS will not delete while a rule forwards to it)."""
        rest = [
            s for s in self.stacks.list_stacks() if s.startswith(f"pr-{pr}-") and s not in going
        ]
        if not rest and self.stacks.unroute(pr):
            out.actions.append(f"destroyed pr-{pr}-router")

    def _go_live(
        self, pr: int, sha: str, cfg: EnvConfig, outputs: Mapping[str, Any], out: Outcome
    ) -> None:
        """Wait for the new environment to be healthy; sets ``out.url``. HTTPS mode: health
        from its target group, then the PR's host moves to it (the router stack). Each step
        marks the end of its phase (``task running``, ``healthy``, ``router``)."""
        target_group = outputs.get("targetGroupArn")
        if target_group:
            self.phase = "healthy"
            self.live.wait_target_healthy(str(target_group))
            self._mark("healthy", "router")
            self.stacks.route(pr, sha, str(target_group), cfg.repo)
            self._mark("router")
            out.actions.append(f"routed {outputs.get('prHost')} to {sha}")
            out.url = str(outputs.get("prUrl"))
            return
        self.phase = "task running"
        address = self.live.address(cfg, outputs)
        self._mark("task running", "healthy")
        out.url = f"http://{address}"  # public-IP mode: the task's own address
        self.live.wait_healthy(out.url + "/health")
        self._mark("healthy")

    def _claim(self, plan: Plan) -> bool:
        """Take the claim: False when another run holds it (it consumed ⚡ first, or its
        labels replaced ours) or the PR closed."""
        if L.START in plan.remove_labels and not self.gh.remove_label(plan.pr, L.START):
            return False  # GitHub's 404: another run took the token, and deploys it
        rest = [n for n in plan.remove_labels if n != L.START]
        self.gh.apply_label_diff(plan.pr, plan.add_labels, rest)
        # read back: the claim must be ours and the PR still open
        fresh = self.gh.get_pr(plan.pr)
        return fresh.is_open and set(plan.add_labels) <= set(fresh.labels)

    def _deploy(
        self,
        plan: Plan,
        pr: PrInfo,
        up: StackOp,
        out: Outcome,
    ) -> Outcome:
        if not self.marks:  # no run's start given: time the deploy from here
            self.marks.append(("start", self.clock()))
        if not self._claim(plan):
            out.actions.append("claim lost or PR closed: nothing deployed")
            self._audit(out, "claim", "skipped", "another run holds the claim, or the PR closed")
            return out
        cfg = up.config
        assert cfg is not None
        if cfg.created is None:
            cfg = replace(cfg, created=self.clock())
        out.sha = up.sha
        # the sticky comment is written at the end, and (``progress``) as each phase starts
        # once the deploy has begun: a start stays within 5 requests before it
        self._deploying = (plan.pr, up.sha, L.apply_diff(pr.labels, plan.label_diff))
        self.gh.deployment(plan.pr, up.sha, "in_progress")
        previous = L.parse_state(pr.labels).active
        try:
            self._run_now(plan, cfg, out)
        except Exception as exc:  # a crash must still leave 🚦 failed, never a stuck claim
            return self._failed(
                plan,
                up,
                cfg,
                out,
                _as_error(exc),
                previous if plan.intent == "reconfigure" else None,
            )
        fresh = self.gh.get_pr(plan.pr)
        if not fresh.is_open:
            return self._closed_meanwhile(plan, up, fresh, out)
        return self._healthy(plan, up, fresh, out)

    def _run_now(self, plan: Plan, cfg: EnvConfig, out: Outcome) -> None:
        """The plan's ``now`` operations: superseded stacks go, the new one comes up healthy."""
        for op in plan.stacks:
            if op.when != "now":
                continue
            if op.action == "destroy":
                self.stacks.destroy(plan.pr, op.sha)
                out.actions.append(f"destroyed {op.stack}")
                continue
            self._mark("claim", "up")  # the reads, the claim and any destroy before it
            self.live.before_up(cfg)
            outputs = self.stacks.up(cfg)
            self._mark("up")
            self.live.check_rollout(outputs)  # steady on the old task definition: failed
            out.actions.append(f"up {op.stack}")
            self._audit(out, "up", "ok", op.stack)
            self._go_live(plan.pr, cfg.sha, cfg, outputs, out)

    def _closed_meanwhile(self, plan: Plan, up: StackOp, fresh: PrInfo, out: Outcome) -> Outcome:
        """Closed (or merged) while we deployed: never leave it running. The teardown claim
        goes first (🎯 dropped), so a run killed half-way never leaves 🎯 on a destroyed stack."""
        names = sorted({up.stack} | {op.stack for op in plan.stacks if op.action == "destroy"})
        mark = on_destroying(fresh.labels, [n.rsplit("-", 1)[1] for n in names], self.clock())
        if mark:
            self.gh.apply_label_diff(plan.pr, mark.add, mark.remove)
        fresh = replace(fresh, labels=L.apply_diff(fresh.labels, mark))
        if self.stacks.unroute(plan.pr):  # the router first: its rule holds a target group
            out.actions.append(f"destroyed pr-{plan.pr}-router")
        for name in names:
            self.stacks.destroy(plan.pr, name.rsplit("-", 1)[1])
            out.actions.append(f"destroyed {name} (PR closed during the deploy)")
        remove = [n for n in fresh.labels if n.startswith(L.PREFIX)]
        self.gh.apply_label_diff(plan.pr, [], remove)
        self.gh.deployment(plan.pr, up.sha, "inactive")
        self._audit(out, "teardown", "ok", "PR closed during the deploy")
        out.url = None
        return out

    def _healthy(self, plan: Plan, up: StackOp, fresh: PrInfo, out: Outcome) -> Outcome:
        """🎯 moves to the new SHA (labels added before the old ones go), then, and only
        then, the replaced stack is destroyed: 🎯 never names a destroyed stack."""
        address = out.url.split("://", 1)[-1] if out.url else None
        final = on_success(fresh.labels, up.sha, address)
        out.timings = self._timings("ready")
        self._record(up.stack, healthy_tags(address), out)  # the record first, then its view
        try:
            self.gh.apply_label_diff(plan.pr, final.add, final.remove)
        except ShowtimeError as exc:
            # the new stack is up and healthy but the labels say otherwise: keep every stack
            # (the old one is still 🎯); it stays claimed, so the next run after the stale
            # limit, or the next deploy, rewrites the labels from what exists
            out.exit_code = 1
            out.error = (
                f"`{up.sha}` is up and healthy, but its labels could not be written ({exc}); "
                "every stack is kept and the next run reconciles the labels"
            )
            self._audit(out, plan.intent, "failed", out.error)
            return out
        after = list(L.apply_diff(fresh.labels, final))
        for op in plan.stacks:
            if op.when == "after_healthy":
                try:
                    self.stacks.destroy(plan.pr, op.sha)
                    out.actions.append(f"destroyed {op.stack} (replaced by {up.sha})")
                except ShowtimeError as exc:  # the sweep retries; the new env is live
                    out.actions.append(f"could not destroy {op.stack}: {exc} (cleanup retries)")
        self.gh.deployment(plan.pr, up.sha, "success", out.url)
        picture = self._picture(plan.pr, up.sha, out)
        self._sticky(
            plan.pr, after, f"`{up.sha}` live at {out.url}", timings=out.timings, picture=picture
        )
        self._audit(out, plan.intent, "ok", f"{up.sha} healthy at {out.url}")
        return out

    def _failed(
        self,
        plan: Plan,
        up: StackOp,
        cfg: EnvConfig,
        out: Outcome,
        exc: ShowtimeError,
        restore: Any,
    ) -> Outcome:
        out.exit_code, out.error = 1, str(exc)
        failed = self.phase
        self._mark(failed)  # the phase in progress ended with the failure
        out.timings = self._timings("failed")
        fresh = self.gh.get_pr(plan.pr)
        if restore is None:  # a rolled-back reconfigure still serves: its record stands
            self._record(up.stack, failed_tags(), out)
        d = on_failure(fresh.labels, up.sha, restore=restore)
        self.gh.apply_label_diff(plan.pr, d.add, d.remove)
        try:
            logs = self.live.tail_logs(cfg, LOG_LINES)
        except ShowtimeError:
            logs = None
        self.gh.deployment(plan.pr, up.sha, "failure")
        self._sticky(
            plan.pr,
            L.apply_diff(fresh.labels, d),
            f"`{up.sha}` failed: {exc}",
            timings=out.timings,
            failure=self._failure(failed, exc, logs),
        )
        self._audit(out, plan.intent, "failed", str(exc))
        return out
