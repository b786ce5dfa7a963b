"""The trust contract (design §2b, issue 15) as a hypothesis state machine over real ``sync``
and ``cleanup`` runs: the real planner, executor and PyGithub client against the GitHub test
server, the stacks and live checks behind their ports (``tests/doubles.py``).

One fork PR; people with write (``maintainer``), triage (``triager``) and read (``reader``)
access, and the fork's author. The permission decides, never the author association (issue
29): an org member with read access (``org-member``, ``MEMBER``) and a collaborator with
triage access (``collaborator``, ``COLLABORATOR``) are not writers although GitHub calls their
association trusted, and a writer with no trusted association (``outside-writer``, ``NONE``)
is one. Each step is one event as the shipped workflow runs it: the
image handed to ``sync`` is built from the event's commit only when the actor has write
access and the build succeeds; ``SHOWTIME_REQUIRE_IMAGE`` is set (the job never builds).
Steps add and remove labels, push to the fork, edit the description, comment (commands
hidden in HTML comments and code too), close and reopen, let time pass and sweep; a run can
be killed between two of its steps, or meet 502s on its label writes.

Invariants after every step:

(a) a stack ``pr-N-S`` only ever runs an image built from S;
(b) an event by someone without write access starts, updates or destroys nothing (closing
    the PR aside; a 🛑 that a writer added and a killed run left undone is carried out);
(c) while 🧊 is on, no new commit is deployed unless a writer asks (⚡ or ``/showtime refresh``);
(d) every stack is referenced by a label, or destroyed by the next cleanup;
(e) 🎯 never points at a destroyed stack.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from showtime_iac.core import labels as L
from showtime_iac.core.model import (
    EnvConfig,
    ShowtimeError,
    Status,
    parse_stack_name,
    same_commit,
)
from tests.doubles import FakeLive, FakeStacks
from tests.github_api_server import GitHubServer
from tests.payloads import issue_comment, pull_request

PR = 1234
WRITERS = ("maintainer", "outside-writer")
PEOPLE = (
    "maintainer",
    "triager",
    "reader",
    "author",
    "org-member",
    "collaborator",
    "outside-writer",
)
#: the author association GitHub gives each person's comments: the permission wins over it
ASSOCIATION = {
    "maintainer": "MEMBER",
    "triager": "MEMBER",
    "reader": "CONTRIBUTOR",
    "org-member": "MEMBER",
    "collaborator": "COLLABORATOR",
    "outside-writer": "NONE",
}
LABELLERS = ("maintainer", "triager", "collaborator", "outside-writer")
CONF = "🎪 conf-size-large"
LABELS_TO_ADD = (L.START, L.STOP, L.FREEZE, L.LEGACY, L.BLOCKED, CONF, "bug")
COMMENTS = (
    "/showtime refresh",
    "/showtime destroy",
    "/showtime size large",
    "/showtime enable ALERTS",
    "/showtime status",
    "/showtime extend 48h",
    "<!--\n/showtime destroy\n-->",
    "```\n/showtime destroy\n```",
    "LGTM",
)
shas = st.text("0123456789abcdef", min_size=40, max_size=40)
EXAMPLES = int(os.environ.get("SHOWTIME_MACHINE_EXAMPLES", "12"))


class Killed(BaseException):
    """The runner died: nothing after this point of the run happens (not an Exception)."""


@dataclass
class KillSwitch:
    """Where the next run (a sync or a sweep) dies: before or right after its n-th label
    write, or in the stack's up or destroy (once the stack operation itself went through)."""

    label_write: int | None = None
    after_label_write: int | None = None
    in_up: bool = False
    in_destroy: bool = False
    writes: int = 0

    def label(self) -> None:
        self.writes += 1
        if self.label_write is not None and self.writes == self.label_write:
            self.label_write = None
            raise Killed

    def labelled(self) -> None:
        if self.after_label_write is not None and self.writes == self.after_label_write:
            self.after_label_write = None
            raise Killed


@dataclass
class Recorder(FakeStacks):
    """FakeStacks that records every up with the image's record, and dies on request."""

    kill: KillSwitch = field(default_factory=KillSwitch)
    deployed: list[tuple[str, str | None, str | None]] = field(default_factory=list)

    def up(self, cfg: EnvConfig) -> Any:
        self.deployed.append((cfg.stack, cfg.image, cfg.image_sha))
        out = super().up(cfg)
        if self.kill.in_up:  # the stack is up, the run dies before it says so
            self.kill.in_up = False
            raise Killed
        return out

    def destroy(self, pr: int, sha: str) -> None:
        super().destroy(pr, sha)
        if self.kill.in_destroy:
            self.kill.in_destroy = False
            raise Killed


class TrustMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.mp = pytest.MonkeyPatch()
        self.gh = GitHubServer()
        self.gh.start()
        self.tmp = Path(tempfile.mkdtemp(prefix="showtime-machine-"))
        self.gh.collaborators.update(
            {
                "maintainer": "write",
                "triager": "triage",
                "reader": "read",
                "org-member": "read",
                "collaborator": "triage",
                "outside-writer": "write",
            }
        )
        self.head = "a" * 40
        self.forged: set[str] = set()  # guarded labels whose refusing run was cancelled
        self.step_forged: set[str] = set()
        self.active_at_start: str | None = None
        self.body = "A feature."
        self.open = True
        self.gh.add_pr(PR, head_sha=self.head, author="author", fork=True, body=self.body)
        for var in ("GITHUB_EVENT_PATH", "GITHUB_EVENT_NAME", "SHOWTIME_POLICY", "GITHUB_RUN_ID"):
            self.mp.delenv(var, raising=False)
        for var, value in {
            "GITHUB_API_URL": self.gh.url,
            "GITHUB_TOKEN": self.gh.token,
            "GITHUB_REPOSITORY": self.gh.repo,
            "SHOWTIME_REQUIRE_IMAGE": "true",
        }.items():
            self.mp.setenv(var, value)
        self.mp.delenv("GITHUB_STEP_SUMMARY", raising=False)
        self.stacks = Recorder()
        self._plug()
        self.build_fails = False
        self.step_ups: list[str] = []
        self.step_destroys: list[str] = []

    # -- the world -----------------------------------------------------------------------------

    def _plug(self) -> None:
        import showtime_iac.app.wiring as wiring

        real = wiring.open_ports
        stacks = self.stacks

        def open_ports(settings_: Any, *, repo: str | None = None, policy: Any = None) -> Any:
            ports = real(settings_, repo=repo, policy=policy)
            ports.github.sleep = lambda _s: None
            apply = ports.github.apply_label_diff

            def dying_apply(number: int, add: Any, remove: Any) -> None:
                stacks.kill.label()
                apply(number, add, remove)
                stacks.kill.labelled()

            ports.github.apply_label_diff = dying_apply  # type: ignore[method-assign]
            return wiring.Ports(github=ports.github, stacks=stacks, live=FakeLive())  # type: ignore[arg-type]

        self.mp.setattr(wiring, "open_ports", open_ports)

    def teardown(self) -> None:
        try:
            self.stacks.kill = KillSwitch()  # the last sweep runs to its end
            self._sweep()
        finally:
            self.mp.undo()
            self.gh.stop()

    def labels(self) -> list[str]:
        return self.gh.labels_of(PR)

    def _set_pull(self, **kw: Any) -> None:
        with self.gh._lock:
            self.gh._pulls[PR].update(kw)

    def _run(self, payload: dict[str, Any] | None, name: str, actor: str, sha: str | None) -> None:
        """One workflow run: the image of ``sha`` when the plan job would build it, then sync."""
        from showtime_iac.app.sync import sync

        self._forged_at_start()
        self.step_ups = list(self.stacks.ups)
        self.step_destroys = list(self.stacks.destroyed)
        self.mp.setenv("GITHUB_ACTOR", actor)
        for var in ("SHOWTIME_IMAGE", "SHOWTIME_IMAGE_SHA", "SHOWTIME_SHA"):
            self.mp.delenv(var, raising=False)
        if sha is not None:
            self.mp.setenv("SHOWTIME_SHA", sha)
            if actor in WRITERS and not self.build_fails:
                self.mp.setenv(
                    "SHOWTIME_IMAGE", f"registry.test/superset-ci@sha256:{sha}{sha[:24]}"
                )
                self.mp.setenv("SHOWTIME_IMAGE_SHA", sha)
        self.build_fails = False
        path = None
        if payload is not None:
            path = self.tmp / "event.json"
            path.write_text(json.dumps(payload), encoding="utf-8")
        try:
            sync(PR, event_path=path, event_name=name, repo=None, policy_file=None, dry_run=False)
        except Killed:
            pass
        except ShowtimeError:  # a clear refusal or a GitHub failure: the run exits non-zero
            pass
        finally:
            self.stacks.kill = KillSwitch()
            self.last_actor = actor

    def _pr_event(self, action: str, actor: str, label: str | None = None) -> None:
        payload = pull_request(
            action,
            self.labels(),
            sha=self.head,
            label=label,
            sender=actor,
            fork=True,
            body=self.body,
            state="open" if self.open else "closed",
        )
        payload["pull_request"]["user"]["login"] = "author"
        self._run(payload, "pull_request_target", actor, self.head)

    # -- rules ---------------------------------------------------------------------------------

    @rule(actor=st.sampled_from(LABELLERS), label=st.sampled_from(LABELS_TO_ADD))
    def add_label(self, actor: str, label: str) -> None:
        if not self.open or label in self.labels():
            return
        self.before = L.parse_state(self.labels())
        self.gh.add_labels(PR, label, by=actor)  # the issue events name who added it
        self._pr_event("labeled", actor, label)

    @rule(actor=st.sampled_from(LABELLERS), data=st.data())
    def remove_label(self, actor: str, data: st.DataObject) -> None:
        present = [n for n in self.labels() if L.is_showtime_label(n) or n == "bug"]
        if not self.open or not present:
            return
        label = data.draw(st.sampled_from(sorted(present)))
        self.before = L.parse_state(self.labels())
        self.gh.remove_labels(PR, label, by=actor)
        self._pr_event("unlabeled", actor, label)

    @rule(sha=shas)
    def fork_push(self, sha: str) -> None:
        if not self.open:
            return
        self.before = L.parse_state(self.labels())
        self.head = sha
        self._set_pull(head_sha=sha)
        self._pr_event("synchronize", "author")

    @rule(sha=shas)
    def a_maintainer_rolls_the_fork_forward(self, sha: str) -> None:
        """The fork pushes; a maintainer reviews it and asks for it (⚡)."""
        self.fork_push(sha)
        if self.open and L.START not in self.labels():
            self.add_label("maintainer", L.START)

    @rule(actor=st.sampled_from(("author", "maintainer", "outside-writer")), on=st.booleans())
    def edit_body(self, actor: str, on: bool) -> None:
        if not self.open:
            return
        self.before = L.parse_state(self.labels())
        self.body = f"A feature.\n\nFEATURE_X={'true' if on else 'false'}\n"
        self._set_pull(body=self.body)
        self._pr_event("edited", actor)

    @rule(actor=st.sampled_from(PEOPLE), body=st.sampled_from(COMMENTS))
    def comment(self, actor: str, body: str) -> None:
        if not self.open:
            return
        self.before = L.parse_state(self.labels())
        payload = issue_comment(body, self.labels(), association=ASSOCIATION.get(actor, "NONE"))
        payload["comment"]["user"]["login"] = actor
        payload["sender"]["login"] = actor
        # the plan job resolves the head of a commented PR and builds it (writers only)
        self._run(payload, "issue_comment", actor, self.head)

    @rule(actor=st.sampled_from(("author", "maintainer")))
    def close(self, actor: str) -> None:
        if not self.open:
            return
        self.before = L.parse_state(self.labels())
        self.open = False
        self._set_pull(state="closed")
        self._pr_event("closed", actor)

    @rule(actor=st.sampled_from(("author", "maintainer")))
    def reopen(self, actor: str) -> None:
        if self.open:
            return
        self.open = True
        self._set_pull(state="open")
        self.before = L.parse_state(self.labels())
        self._pr_event("reopened", actor)

    @rule()
    def next_build_fails(self) -> None:
        self.build_fails = True

    @rule(where=st.sampled_from(("before", "after", "up", "destroy")), nth=st.integers(1, 3))
    def next_run_is_killed(self, where: str, nth: int) -> None:
        kill = self.stacks.kill
        if where == "up":
            kill.in_up = True
        elif where == "destroy":
            kill.in_destroy = True
        elif where == "before":
            kill.label_write = nth
        else:
            kill.after_label_write = nth

    @rule(how=st.sampled_from(("label", "comment")))
    def a_maintainers_stop_is_killed_mid_destroy(self, how: str) -> None:
        """The runner dies once the stack is gone, before the labels say so: what the next
        runs find is a 🚦 destroying claim (and, for the label, the 🛑 still on)."""
        self.next_run_is_killed("destroy", 1)
        if how == "label":
            self.add_label("maintainer", L.STOP)
        else:
            self.comment("maintainer", "/showtime destroy")
        self.stacks.kill = KillSwitch()  # a step that ran no sync leaves nothing armed

    @rule(
        sha=shas,
        actor=st.sampled_from(("maintainer", "triager")),
        label=st.sampled_from((L.START, L.STOP, L.FREEZE)),
    )
    def a_queued_push_runs_after_a_label_event(self, sha: str, actor: str, label: str) -> None:
        """Two events close together: the push's payload is made first, its run queued
        behind the label's; by the time it runs, its labels are stale."""
        if label not in self.labels():
            self._queued_push(sha, lambda: self.add_label(actor, label))
        else:
            self._queued_push(sha, lambda: None)

    @rule(
        sha=shas,
        actor=st.sampled_from(("maintainer", "reader", "org-member", "outside-writer")),
        body=st.sampled_from(("/showtime refresh", "/showtime destroy", "/showtime size large")),
    )
    def a_queued_push_runs_after_a_comment(self, sha: str, actor: str, body: str) -> None:
        """The same with a comment in between. A comment is acted on whatever the labels say
        (a 🛑 a killed run left stays while a refresh deploys), so the push's stale labels
        can miss a whole environment that its re-read finds."""
        self._queued_push(sha, lambda: self.comment(actor, body))

    def _queued_push(self, sha: str, between: Callable[[], None]) -> None:
        if not self.open:
            return
        self.head = sha
        self._set_pull(head_sha=sha)
        stale = pull_request(
            "synchronize", self.labels(), sha=sha, sender="author", fork=True, body=self.body
        )
        between()
        self.before = L.parse_state(self.labels())
        self._run(stale, "pull_request_target", "author", sha)

    @rule(times=st.integers(1, 8))
    def next_label_writes_meet_502s(self, times: int) -> None:
        self.gh.fail("POST", rf"/issues/{PR}/labels$", 502, times=times)
        self.gh.fail("DELETE", rf"/issues/{PR}/labels/", 502, times=times)

    @rule()
    def cleanup(self) -> None:
        self._sweep()

    @rule(label=st.sampled_from((L.STOP, L.BLOCKED, L.FREEZE, L.START, L.LEGACY)))
    def a_triage_users_label_whose_run_is_cancelled(self, label: str) -> None:
        """GitHub's concurrency: a newer run in the PR's group cancels the queued run that
        would have refused the triage user's guarded label; it stays on, unchecked."""
        if not self.open or label in self.labels():
            return
        self.gh.add_labels(PR, label, by="triager")
        self.forged.add(label)

    @rule(kind=st.sampled_from(("created", "pinned", "config", "address", "status", "pointer")))
    def a_triage_user_edits_a_state_label_then_the_cleanup_runs(self, kind: str) -> None:
        """Issue 26: a triage user edits a 🎪 state label of the serving environment and its run
        is cancelled; the 6-hourly cleanup runs next. No state label a non-writer edits
        survives that run while the environment's stack records it as serving."""
        from showtime_iac.core.record import record_of

        st_ = L.parse_state(self.labels())
        sha = st_.active_sha
        record = record_of(PR, self.stacks.records(PR))
        if not self.open or sha is None or record.active != sha:
            return
        show = st_.shows.get(sha)
        if show is None or show.status not in (Status.RUNNING, Status.SLEEPING):
            return  # a claim in progress is the run's lock, not the record's
        forged = {
            "created": f"🎪 {sha} 📅 2020-01-01T00-00",
            "pinned": f"🎪 {sha} ⌛ pinned · max never",
            "config": f"🎪 {sha} ⚙️ large",
            "address": f"🎪 {sha} 🌐 pr-{PR}.elsewhere.example",
            "status": f"🎪 {sha} 🚦 failed",
            "pointer": "🎪 🎯 deadbee",
        }[kind]
        if forged in self.labels():
            return
        self.gh.add_labels(PR, forged, by="triager")  # its own run cancelled by the next
        self.stacks.kill = KillSwitch()
        self._sweep()
        assert forged not in self.labels(), (
            f"a triage user's {forged!r} survived the next run; labels {self.labels()}"
        )

    def _forged_at_start(self) -> None:
        """The cancelled runs' labels still on the PR as this run starts, and what ran then."""
        self.forged &= set(self.labels())
        self.step_forged = set(self.forged)
        self.active_at_start = L.parse_state(self.labels()).active_sha

    # -- cleanup and the sweep invariant (d) ---------------------------------------------------

    def _unreferenced(self) -> set[str]:
        st_ = L.parse_state(self.labels())
        referenced = {f"pr-{PR}-{sha}" for sha in st_.shows}
        return {s for s in self.stacks.existing if s not in referenced}

    def _sweep(self) -> None:
        from showtime_iac.app.cleanup import cleanup

        self.gh._rules.clear()  # the sweep runs later, when GitHub answers again
        self._forged_at_start()
        unreferenced = self._unreferenced()
        self.step_ups = list(self.stacks.ups)
        self.step_destroys = list(self.stacks.destroyed)
        self.before = L.parse_state(self.labels())
        self.last_actor = "showtime-cleanup"
        try:
            cleanup(
                repo=None,
                policy_file=None,
                dry_run=False,
                orphans=False,
                prune_labels=False,
                drift=False,
            )
        except Killed:  # the sweep is a run too, and died: (d) is the next sweep's to hold
            return
        finally:
            self.stacks.kill = KillSwitch()
        st_ = L.parse_state(self.labels())
        exempt = st_.blocked or (self.open and not st_.shows)  # 🔒, or labels lost: kept
        if not exempt:
            left = unreferenced & self.stacks.existing
            assert not left, f"(d) cleanup left unreferenced stacks {left}; labels {self.labels()}"
            if not self.open:
                assert not self.stacks.existing, "(d) a closed PR's stacks survived the sweep"

    # -- invariants ----------------------------------------------------------------------------

    @invariant()
    def a_a_stack_only_runs_an_image_built_from_its_sha(self) -> None:
        for stack, image, image_sha in self.stacks.deployed:
            parsed = parse_stack_name(stack)
            assert parsed is not None
            assert image is not None, f"(a) {stack} was deployed with an image built in-process"
            assert image_sha is not None and same_commit(image_sha, parsed[1]), (
                f"(a) {stack} ran {image} built from {image_sha}"
            )
        for stack, (_image, built) in self.stacks.images.items():
            parsed = parse_stack_name(stack)
            assert parsed is not None and built is not None and same_commit(built, parsed[1])

    @invariant()
    def b_no_event_without_write_access_changes_what_runs(self) -> None:
        actor = getattr(self, "last_actor", None)
        if actor is None or actor in WRITERS or actor == "showtime-cleanup":
            return
        new_ups = self.stacks.ups[len(self.step_ups) :]
        new_destroys = self.stacks.destroyed[len(self.step_destroys) :]
        assert not new_ups, f"(b) @{actor}'s event deployed {new_ups}"
        if new_destroys:
            before = self.before
            closing = not self.open
            assert closing or before.stop, f"(b) @{actor}'s event destroyed {new_destroys}"

    @invariant()
    def f_a_label_whose_run_was_cancelled_is_never_obeyed(self) -> None:
        actor = getattr(self, "last_actor", None)
        if actor in WRITERS or not self.open or L.STOP not in self.step_forged:
            return
        new_destroys = self.stacks.destroyed[len(self.step_destroys) :]
        active = self.active_at_start
        assert active is None or f"pr-{PR}-{active}" not in new_destroys, (
            f"(f) a triage user's 🛑 tore {active} down in @{actor}'s run"
        )

    @invariant()
    def c_freeze_holds(self) -> None:
        before = getattr(self, "before", None)
        actor = getattr(self, "last_actor", None)
        if before is None or not before.freeze or actor in WRITERS:
            return
        new_ups = self.stacks.ups[len(self.step_ups) :]
        running = {f"pr-{PR}-{sha}" for sha in before.shows}
        assert set(new_ups) <= running, f"(c) frozen, yet @{actor}'s event deployed {new_ups}"

    @invariant()
    def e_the_active_pointer_never_names_a_destroyed_stack(self) -> None:
        active = L.parse_state(self.labels()).active_sha
        if active is not None:
            stack = f"pr-{PR}-{active}"
            destroyed = stack in self.stacks.destroyed and stack not in self.stacks.existing
            assert not destroyed, f"(e) 🎯 {active} names a destroyed stack; {self.labels()}"


TrustMachine.TestCase.settings = settings(
    max_examples=EXAMPLES,
    # CI runs one fixed set of sequences (reproducible); elsewhere each run explores new ones
    derandomize=os.environ.get("CI") == "true",
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestTrust = TrustMachine.TestCase


def test_the_machine_is_not_vacuous() -> None:
    """A fixed run through the machine deploys, reconfigures and tears down: the invariants
    above were checked against real work, not an idle PR."""
    m = TrustMachine()
    try:
        m.add_label("maintainer", L.START)
        assert m.stacks.ups == [f"pr-{PR}-{'a' * 7}"]
        m.comment("maintainer", "/showtime size large")
        assert len(m.stacks.ups) == 2
        m.a_a_stack_only_runs_an_image_built_from_its_sha()
        m.fork_push("b" * 40)
        m.b_no_event_without_write_access_changes_what_runs()
        m.add_label("triager", L.STOP)
        assert L.STOP not in m.labels() and m.stacks.existing
        m.add_label("maintainer", L.STOP)
        assert not m.stacks.existing
        m.e_the_active_pointer_never_names_a_destroyed_stack()
    finally:
        m.teardown()


def test_a_run_killed_between_its_labels_and_its_last_destroy_leaves_nothing_behind() -> None:
    """The rolling update's last steps: 🎯 moves to the new SHA, then the old stack goes. A run
    killed in between leaves the old stack unreferenced: the next cleanup destroys it (d)."""
    m = TrustMachine()
    try:
        m.add_label("maintainer", L.START)
        m.fork_push("b" * 40)
        m.next_run_is_killed("after", 2)  # the claim is write 1, 🎯 moving is write 2
        m.add_label("maintainer", L.START)
        assert m.stacks.existing == {f"pr-{PR}-aaaaaaa", f"pr-{PR}-bbbbbbb"}
        assert L.parse_state(m.labels()).active_sha == "bbbbbbb"
        assert m._unreferenced() == {f"pr-{PR}-aaaaaaa"}
        m.cleanup()  # asserts (d)
        assert m.stacks.existing == {f"pr-{PR}-bbbbbbb"}
    finally:
        m.teardown()


def test_a_teardown_claim_written_half_way_never_leaves_the_pointer_on_a_destroyed_stack() -> None:
    """(e), the sequence the machine found (shrunk). Label writes meet 502s: a description
    edit's claim fails outright (its POST, 3 attempts), a stop's teardown claim half-way:
    its additions land, its removals do not, so 🚦 destroying sits beside 🚦 running and 🎯
    (nothing destroyed yet). The next stop, killed right after the destroy, must have
    dropped 🎯 first: its claim completes the half-written one."""
    m = TrustMachine()
    try:
        m.a_maintainer_rolls_the_fork_forward("c" * 40)
        stack = f"pr-{PR}-ccccccc"
        assert m.stacks.existing == {stack}
        m.next_label_writes_meet_502s(3)  # 3 POSTs and 3 DELETEs: all of one write's attempts
        m.edit_body("maintainer", False)  # its claim's POST fails 3 times: nothing happens
        assert m.stacks.ups == [stack]
        m.a_maintainers_stop_is_killed_mid_destroy("label")  # the POST lands, a DELETE fails
        half = L.parse_state(m.labels())
        assert half.active_sha == "ccccccc" and half.shows["ccccccc"].status is Status.DESTROYING
        assert m.stacks.existing == {stack}
        m.a_maintainers_stop_is_killed_mid_destroy("comment")
        assert stack in m.stacks.destroyed and not m.stacks.existing
        m.e_the_active_pointer_never_names_a_destroyed_stack()
        m.cleanup()  # the 🛑 the killed run left is carried out
        assert [n for n in m.labels() if L.is_showtime_label(n)] == []
        m.add_label("maintainer", L.START)  # a start afterwards deploys the SHA afresh
        assert m.stacks.existing == {stack}
        assert L.parse_state(m.labels()).active_sha == "ccccccc"
        m.e_the_active_pointer_never_names_a_destroyed_stack()
    finally:
        m.teardown()


def test_a_queued_push_tears_down_on_the_labels_it_re_read() -> None:
    """(e): a run killed during a teardown, then a stop carried out by a queued push and a
    start between. The killed run leaves 🛑; the push's payload is made then (🛑, no
    environment); a maintainer's ``/showtime refresh`` runs first and deploys the new head
    (🎯 on it). The push's run re-reads the labels and carries the 🛑 out: its teardown
    claim and final labels must come from what it re-read, or 🎯 stays on the stack it
    destroys."""
    m = TrustMachine()
    try:
        m.add_label("maintainer", L.START)
        m.next_run_is_killed("destroy", 1)
        m.add_label("maintainer", L.STOP)
        assert not m.stacks.existing and L.STOP in m.labels()
        assert L.parse_state(m.labels()).active_sha is None
        m.a_queued_push_runs_after_a_comment("b" * 40, "maintainer", "/showtime refresh")
        assert f"pr-{PR}-bbbbbbb" in m.stacks.ups  # the refresh deployed the new head
        m.e_the_active_pointer_never_names_a_destroyed_stack()
        assert not m.stacks.existing
        assert [n for n in m.labels() if L.is_showtime_label(n)] == []
    finally:
        m.teardown()


@pytest.mark.parametrize("then", ["another label", "a fork push", "the cleanup"])
def test_a_triage_users_stop_whose_run_was_cancelled_never_tears_down(then: str) -> None:
    """Issue 26: a triage user adds 🛑, then another 🎪 label; GitHub cancels the queued run
    that would refuse 🛑. The next run (the second label's, a fork author's push, or the
    6-hourly cleanup) must not tear down: the events show no writer added 🛑. It removes 🛑."""
    m = TrustMachine()
    try:
        m.a_maintainer_rolls_the_fork_forward("c" * 40)
        stack = f"pr-{PR}-ccccccc"
        assert m.stacks.existing == {stack}
        m.a_triage_users_label_whose_run_is_cancelled(L.STOP)
        summary = m.tmp / "summary.md"
        m.mp.setenv("GITHUB_STEP_SUMMARY", str(summary))
        if then == "another label":
            m.add_label("triager", CONF)
        elif then == "a fork push":
            m.fork_push("d" * 40)
        else:
            m.cleanup()
        m.f_a_label_whose_run_was_cancelled_is_never_obeyed()
        assert m.stacks.existing == {stack} and not m.stacks.destroyed
        assert L.STOP not in m.labels()
        assert L.parse_state(m.labels()).active_sha == "ccccccc"
        if then != "the cleanup":  # the run's summary says which label it did not obey
            assert f"not obeyed: {L.STOP}" in summary.read_text(encoding="utf-8")
    finally:
        m.teardown()


def test_a_writers_stop_whose_run_was_cancelled_is_still_obeyed() -> None:
    """The other side: the events show a writer added 🛑, so the next run carries it out."""
    m = TrustMachine()
    try:
        m.a_maintainer_rolls_the_fork_forward("c" * 40)
        m.gh.add_labels(PR, L.STOP, by="maintainer")  # its own run was cancelled
        m.cleanup()
        assert not m.stacks.existing and f"pr-{PR}-ccccccc" in m.stacks.destroyed
    finally:
        m.teardown()


def test_a_triage_users_block_on_a_closed_pr_does_not_keep_its_environment() -> None:
    """Issue 26: a triage user's 🔒 (its refusing run cancelled) on a PR that is then closed:
    the cleanup still tears the closed PR's environment down, and the 🔒 goes."""
    m = TrustMachine()
    try:
        m.a_maintainer_rolls_the_fork_forward("c" * 40)
        m.a_triage_users_label_whose_run_is_cancelled(L.BLOCKED)
        m.close("author")  # the close's run sees 🔒 as well
        m.cleanup()
        assert not m.stacks.existing and f"pr-{PR}-ccccccc" in m.stacks.destroyed
        assert L.BLOCKED not in m.labels()
    finally:
        m.teardown()


def test_the_permission_decides_not_the_association() -> None:
    """Issue 29, fixed: an org member with read access and a collaborator with triage access
    change nothing whatever they comment; a writer GitHub calls ``NONE`` extends, reconfigures
    and tears down."""
    m = TrustMachine()
    try:
        m.a_maintainer_rolls_the_fork_forward("c" * 40)
        stack = f"pr-{PR}-ccccccc"
        assert m.stacks.existing == {stack}
        before = sorted(m.labels())
        for actor in ("org-member", "collaborator"):
            for body in ("/showtime destroy", "/showtime extend 48h", "/showtime size large"):
                m.comment(actor, body)
                m.b_no_event_without_write_access_changes_what_runs()
            m.add_label(actor, L.STOP)
            m.b_no_event_without_write_access_changes_what_runs()
        assert m.stacks.existing == {stack} and m.stacks.ups == [stack]
        assert sorted(m.labels()) == before
        m.comment("outside-writer", "/showtime extend 48h")
        [ttl] = [n for n in m.labels() if "⌛" in n]
        assert "⌛ idle 4" in ttl and ttl not in before  # 48h from now: 48h or 49h from 📅
        m.comment("outside-writer", "/showtime size large")
        assert m.stacks.ups == [stack, stack]
        m.comment("outside-writer", "/showtime destroy")
        assert not m.stacks.existing and stack in m.stacks.destroyed
    finally:
        m.teardown()
