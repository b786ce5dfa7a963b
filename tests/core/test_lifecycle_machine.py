"""The lifecycle as a hypothesis state machine: random event sequences, invariants after each.

Runs are serialized as the workflow's per-PR concurrency group serializes them: each plan is
carried out (labels, stack operations) and its deploy completes, healthy or failed, before
the next event. The "world" is the PR's labels and the set of stacks that exist.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from showtime_iac.core import labels as L
from showtime_iac.core.model import Event, PrInfo, Status, stack_name
from showtime_iac.core.planner import Plan, decide, on_failure, on_success

PR = 42
shas = st.text(alphabet="0123456789abcdef", min_size=40, max_size=40)


class Lifecycle(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.labels: tuple[str, ...] = ("bug",)
        self.head = "a" * 40
        self.open = True
        self.now = datetime(2026, 1, 1, tzinfo=UTC)
        self.stacks: set[str] = set()
        self.ever_up: set[str] = set()

    # -- the world ------------------------------------------------------------------------

    def pr(self) -> PrInfo:
        return PrInfo(PR, "open" if self.open else "closed", self.head, self.labels, "author")

    def run(self, event: Event, healthy: bool = True) -> Plan:
        plan = decide(event, self.pr(), self.now)
        assert set(plan.remove_labels) <= set(self.labels)
        self.labels = L.apply_diff(self.labels, plan.label_diff)
        for op in plan.stacks:
            assert op.stack.startswith(f"pr-{PR}-")
            if op.when == "now" and op.action == "destroy":
                self.stacks.discard(op.stack)
        ups = [op for op in plan.stacks if op.action == "up"]
        if ups:
            up = ups[0]
            self.stacks.add(up.stack)
            self.ever_up.add(up.stack)
            if healthy:
                self.labels = L.apply_diff(
                    self.labels, on_success(self.labels, up.sha, "10.0.0.1:8080")
                )
                for op in plan.stacks:
                    if op.when == "after_healthy":
                        self.stacks.discard(op.stack)
            else:
                self.labels = L.apply_diff(self.labels, on_failure(self.labels, up.sha))
        return plan

    def ev(self, action: str, label: str | None = None) -> Event:
        return Event(name="pull_request", action=action, actor="maintainer", label=label)

    # -- rules -------------------------------------------------------------------------------

    @rule(healthy=st.booleans())
    def start(self, healthy: bool) -> None:
        if L.START not in self.labels:
            self.labels = (*self.labels, L.START)
        before = L.parse_state(self.labels)
        plan = self.run(self.ev("labeled", L.START), healthy)
        after = L.parse_state(self.labels)
        if self.open and not before.blocked:
            assert not after.start  # the trigger is always consumed
            if before.active_sha == self.head[:7]:
                assert not plan.stacks  # already running: no deploy

    @rule(sha=shas, healthy=st.booleans())
    def push(self, sha: str, healthy: bool) -> None:
        if not self.open:
            return
        before = L.parse_state(self.labels)
        self.head = sha
        plan = self.run(self.ev("synchronize"), healthy)
        if before.freeze or not before.shows:
            assert not plan.stacks

    @rule()
    def stop(self) -> None:
        self.labels = (*self.labels, L.STOP)
        blocked = L.BLOCKED in self.labels
        self.run(self.ev("labeled", L.STOP))
        if not blocked:
            assert not self.stacks
            assert not any(n.startswith(L.PREFIX) and n not in (L.FREEZE,) for n in self.labels)

    @rule()
    def freeze(self) -> None:
        if L.FREEZE not in self.labels:
            self.labels = (*self.labels, L.FREEZE)
            self.run(self.ev("labeled", L.FREEZE))

    @rule()
    def unfreeze(self) -> None:
        if L.FREEZE in self.labels:
            self.labels = tuple(n for n in self.labels if n != L.FREEZE)
            self.run(self.ev("unlabeled", L.FREEZE))

    @rule(hours=st.integers(1, 200))
    def time_passes(self, hours: int) -> None:
        self.now += timedelta(hours=hours)
        self.run(Event(name="schedule"))

    @rule()
    def close(self) -> None:
        self.open = False
        self.run(self.ev("closed"))
        if L.BLOCKED not in self.labels:
            assert not self.stacks

    @rule()
    def reopen(self) -> None:
        if not self.open:
            self.open = True
            self.run(self.ev("reopened"))

    # -- invariants ----------------------------------------------------------------------------

    @invariant()
    def labels_are_consistent(self) -> None:
        state = L.parse_state(self.labels)
        assert state.warnings == (), state.warnings
        assert all(L.label_length(n) <= L.MAX_LABEL for n in self.labels)
        assert len(self.labels) == len(set(self.labels))
        if state.active is not None:
            assert state.active.status is Status.RUNNING

    @invariant()
    def labels_and_stacks_agree(self) -> None:
        """Every stack is described by labels (no forgotten AWS resources), and every
        environment the labels describe exists (no ghost environments)."""
        state = L.parse_state(self.labels)
        described = {stack_name(PR, sha) for sha in state.shows}
        assert self.stacks == described, (self.stacks, described)

    @invariant()
    def nothing_lives_on_a_closed_pr(self) -> None:
        if not self.open and L.BLOCKED not in self.labels:
            assert not self.stacks


Lifecycle.TestCase.settings = settings(max_examples=150, stateful_step_count=30, deadline=None)
TestLifecycle = Lifecycle.TestCase
