"""Lifetimes: the ⌛ grammar (today's form and the two-deadline form), the deadlines at their
boundaries, and the cleanup's warn-once-then-teardown over event sequences. Pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from showtime_iac.core import labels as L
from showtime_iac.core.lifetimes import deadlines
from showtime_iac.core.model import Event, InputError, Policy, PrInfo, Show, Status, Ttl
from showtime_iac.core.planner import Plan, decide, on_success
from showtime_iac.core.policy import policy_from_mapping

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SHA = "abc1234"

ttls = st.one_of(
    st.builds(lambda n, u: Ttl(f"{n}{u}"), st.integers(1, 99_999), st.sampled_from("hdw")),
    st.sampled_from([Ttl("close"), Ttl("manual")]),
)
minutes = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)
).map(lambda d: d.replace(second=0, microsecond=0))


# --- the ⌛ grammar --------------------------------------------------------------------------


@given(ttls)
def test_todays_ttl_form_reads_and_writes_back_unchanged(ttl: Ttl) -> None:
    assert L.parse_lifetime(ttl.value) == (ttl, None, False)
    assert L.render_lifetime(ttl) == ttl.value
    [label] = [n for n in L.render_show(Show(SHA, ttl=ttl)) if "⌛" in n]
    assert label == f"🎪 {SHA} ⌛ {ttl}"


@given(ttls, st.one_of(st.none(), minutes), st.booleans())
def test_two_deadline_form_round_trips_and_fits_githubs_50_characters(
    ttl: Ttl, max_at: datetime | None, lifted: bool
) -> None:
    value = L.render_lifetime(ttl, max_at, lifted)
    assert L.parse_lifetime(value) == (ttl, None if lifted else max_at, lifted)
    show = Show(SHA, Status.RUNNING, ttl=ttl, max_at=max_at, max_lifted=lifted, warned=max_at)
    names = L.render_show(show)
    assert all(L.label_length(n) <= L.MAX_LABEL for n in names)
    back = L.parse_state([*names, f"🎪 🎯 {SHA}"]).shows[SHA]
    assert (back.ttl, back.max_at, back.max_lifted, back.warned) == (
        ttl,
        None if lifted else max_at,
        lifted,
        max_at,
    )
    assert L.parse_state(names).warnings == ()


def test_the_issues_example_reads_as_the_start_of_that_day() -> None:
    assert L.parse_lifetime("idle 24h · max 2026-12-08") == (
        Ttl("24h"),
        datetime(2026, 12, 8, tzinfo=UTC),
        False,
    )
    assert L.render_lifetime(Ttl("24h"), datetime(2026, 12, 8, 14, 30, tzinfo=UTC)) == (
        "idle 24h · max 2026-12-08T14-30"
    )


@given(st.text(max_size=40))
def test_a_lifetime_that_does_not_parse_is_reported_never_acted_on(text: str) -> None:
    state = L.parse_state([f"🎪 {SHA} ⌛ {text}", f"🎪 🎯 {SHA}"])
    if L.parse_lifetime(text.strip()) is None:
        assert state.shows[SHA].ttl is None
    lifetime = L.parse_lifetime(text)
    if lifetime is not None:
        assert lifetime[0].value in ("close", "manual") or lifetime[0].duration is not None


def test_conflicting_lifetimes_take_the_shortest_ttl_and_the_earliest_max_age() -> None:
    state = L.parse_state(
        [
            f"🎪 🎯 {SHA}",
            f"🎪 {SHA} ⌛ idle 48h · max 2026-12-08T09-00",
            f"🎪 {SHA} ⌛ pinned · max 2026-12-05T09-00",
            f"🎪 {SHA} ⌛ 24h",
            f"🎪 {SHA} ⌛ close · max never",
        ]
    )
    show = state.shows[SHA]
    assert show.ttl == Ttl("24h")
    assert show.max_at == datetime(2026, 12, 5, 9, tzinfo=UTC) and not show.max_lifted
    assert any("conflicting ttl" in w for w in state.warnings)


# --- deadlines at their boundaries ----------------------------------------------------------


@given(ttls, st.integers(-10_000, 10_000))
def test_exactly_at_the_deadline_is_expired_a_second_before_is_not(ttl: Ttl, skew: int) -> None:
    created = NOW + timedelta(minutes=skew)
    show = Show(SHA, Status.RUNNING, created=created, ttl=ttl)
    dl = deadlines(show, NOW, Policy())
    end = dl.end
    assert end is not None  # the max age ends every environment, pinned or not
    start = min(created, NOW)  # a 📅 from the future (clock skew) counts from now
    assert end <= start + timedelta(days=7)
    assert ttl.duration is None or end <= start + ttl.duration
    assert dl.expired(end) and not dl.expired(end - timedelta(seconds=1))


@given(minutes, minutes)
def test_a_recorded_max_age_is_never_later_than_the_policy_allows(
    created: datetime, recorded: datetime
) -> None:
    show = Show(SHA, Status.RUNNING, created=created, ttl=Ttl("manual"), max_at=recorded)
    dl = deadlines(show, created, Policy())
    assert dl.max_at == min(recorded, created + timedelta(days=7))
    assert dl.idle_at is None and dl.reason == "max age"


def test_only_a_lifted_max_age_and_a_pin_never_end() -> None:
    pinned = Show(SHA, created=NOW, ttl=Ttl("manual"), max_lifted=True)
    assert deadlines(pinned, NOW + timedelta(days=999), Policy()).end is None


def test_the_policy_keys() -> None:
    p = policy_from_mapping({"max_age": "3d", "idle_action": "destroy", "warn_before": "30m"})
    assert (p.max_age, p.idle_action, p.warn_before) == (
        timedelta(days=3),
        "destroy",
        timedelta(minutes=30),
    )
    assert policy_from_mapping({"warn_before": "0s"}).warn_before == timedelta(0)
    assert policy_from_mapping({"idle_action": "sleep"}).idle_action == "sleep"
    for bad in (
        {"idle_action": "nap"},
        {"idle_action": "Sleep"},
        {"max_age": "forever"},
        {"warn_before": "8d"},
    ):
        with pytest.raises(InputError):
            policy_from_mapping(bad)


# --- the load balancer's requests (HTTPS mode) reset the idle TTL ---------------------------

durations = st.builds(lambda n, u: Ttl(f"{n}{u}"), st.integers(1, 999), st.sampled_from("hdw"))
offsets = st.integers(-20_000, 20_000).map(lambda m: timedelta(minutes=m))


@given(ttls, offsets, st.one_of(st.none(), offsets), st.booleans())
def test_a_request_never_makes_a_deadline_earlier_and_never_moves_the_max_age(
    ttl: Ttl, skew: timedelta, request: timedelta | None, lifted: bool
) -> None:
    show = Show(SHA, Status.RUNNING, created=NOW + skew, ttl=ttl, max_lifted=lifted)
    last = None if request is None else NOW + request
    without, with_ = deadlines(show, NOW, Policy()), deadlines(show, NOW, Policy(), last)
    assert with_.max_at == without.max_at  # the max age counts from 📅 only
    if without.idle_at is None:
        assert with_.idle_at is None and with_.last_request is None  # close, manual
    else:
        assert with_.idle_at is not None and with_.idle_at >= without.idle_at
    if with_.end is not None and without.end is not None:
        assert with_.end >= without.end
    # a request (capped at now) keeps it one idle period from then: its TTL, at most the
    # policy's default; never less than 📅 plus the TTL
    start = min(NOW + skew, NOW)
    if with_.last_request is not None:
        assert last is not None and start < with_.last_request == min(last, NOW)
    if ttl.duration is not None:
        period = min(ttl.duration, timedelta(hours=24))
        seen = start if last is None else max(start, min(last, NOW))
        assert with_.idle_at == max(start + ttl.duration, seen + period)


@given(durations, st.integers(1, 10_000), st.integers(0, 10_000))
def test_exactly_at_the_last_request_plus_the_ttl_is_expired_a_second_before_is_not(
    ttl: Ttl, before: int, after: int
) -> None:
    """📅 ``before`` minutes before the request; the check ``after`` minutes past the request's
    deadline (and exactly at it, and a second before it)."""
    request = NOW
    created = request - timedelta(minutes=before)
    # the max age is not this test's business: lifted
    show = Show(SHA, Status.RUNNING, created=created, ttl=ttl, max_lifted=True)
    assert ttl.duration is not None
    at = max(created + ttl.duration, request + min(ttl.duration, timedelta(hours=24)))
    dl = deadlines(show, at, Policy(), request)
    assert (dl.idle_at, dl.last_request, dl.reason) == (at, request, "idle")
    assert dl.expired(at) and not dl.expired(at - timedelta(seconds=1))
    later = at + timedelta(minutes=after)
    assert deadlines(show, later, Policy(), request).expired(later)
    assert not deadlines(show, at - timedelta(seconds=1), Policy(), request).expired(
        at - timedelta(seconds=1)
    )


@given(durations, st.integers(1, 100_000), st.integers(0, 10_000))
def test_a_request_from_the_future_counts_from_now(ttl: Ttl, ahead: int, age: int) -> None:
    show = Show(SHA, Status.RUNNING, created=NOW - timedelta(minutes=age), ttl=ttl)
    dl = deadlines(show, NOW, Policy(), NOW + timedelta(minutes=ahead))
    assert ttl.duration is not None
    if age == 0:
        assert dl.last_request is None  # 📅 is now: the same start
    else:
        assert dl.last_request == NOW
    created = NOW - timedelta(minutes=age)
    assert dl.idle_at == max(created + ttl.duration, NOW + min(ttl.duration, timedelta(hours=24)))
    assert dl.max_at == NOW - timedelta(minutes=age) + timedelta(days=7)


def test_after_an_extend_a_request_gives_one_default_idle_period_not_the_extended_ttl() -> None:
    """``/showtime extend 24h`` on day 5 writes ⌛ 144h (counted from 📅): a request then keeps
    it 24 hours from the request (the policy's default), not 144."""
    show = Show(SHA, Status.RUNNING, created=NOW - timedelta(days=5), ttl=Ttl("144h"))
    request = NOW + timedelta(hours=23)
    dl = deadlines(show, request, Policy(), request)
    assert dl.idle_at == request + timedelta(hours=24)
    early = deadlines(show, NOW, Policy(), NOW - timedelta(hours=1))
    assert early.idle_at == NOW - timedelta(days=5) + timedelta(hours=144)  # the extend holds


@given(offsets, st.booleans())
def test_a_pinned_environment_has_no_idle_deadline_whatever_the_requests(
    request: timedelta, lifted: bool
) -> None:
    show = Show(SHA, Status.RUNNING, created=NOW, ttl=Ttl("manual"), max_lifted=lifted)
    dl = deadlines(show, NOW, Policy(), NOW + request)
    assert dl.idle_at is None and dl.last_request is None
    assert dl.max_at == (None if lifted else NOW + timedelta(days=7))


def _schedule(labels: list[str], now: datetime, last_request: datetime | None) -> Plan:
    pr = PrInfo(1, "open", SHA + "0" * 33, labels, "alice")
    return decide(
        Event(name="schedule", actor="showtime-cleanup"), pr, now, last_request=last_request
    )


IDLE_25H = [
    f"🎪 🎯 {SHA}",
    f"🎪 {SHA} 🚦 running",
    f"🎪 {SHA} 📅 {L.format_timestamp(NOW - timedelta(hours=25))}",
    f"🎪 {SHA} ⌛ 24h",
]


def test_a_request_in_the_last_hour_keeps_an_idle_environment_unwarned() -> None:
    assert _schedule(IDLE_25H, NOW, None).intent == "warn"  # idle for 25h: warned
    plan = _schedule(IDLE_25H, NOW, NOW - timedelta(minutes=18))
    assert plan.intent == "none" and plan.add_labels == () and plan.comment is None
    assert plan.skipped == (
        "not expired: idle deadline 2026-12-02 08:42 UTC (last request 2026-12-01 08:42 UTC)"
    )


def test_a_request_after_the_warning_withdraws_it_instead_of_the_teardown() -> None:
    due = [*IDLE_25H, f"🎪 {SHA} ⚠️ {L.format_timestamp(NOW - timedelta(minutes=1))}"]
    plan = _schedule(due, NOW, None)
    assert [op.action for op in plan.stacks] == ["destroy"]  # no request: torn down
    plan = _schedule(due, NOW, NOW - timedelta(minutes=3))
    assert plan.stacks == () and plan.intent == "warn"
    assert plan.remove_labels == (due[-1],) and plan.add_labels == ()
    assert plan.reasons == (
        "deadline moved to 2026-12-02 08:57 UTC (last request 2026-12-01 08:57 UTC) after the "
        "warning: warning withdrawn",
    )
    # a request older than the warning's 📅-based deadline does not count (📅 is later)
    assert _schedule(due, NOW, NOW - timedelta(hours=30)).stacks != ()


def test_requests_never_hold_off_the_max_age() -> None:
    old = [
        f"🎪 🎯 {SHA}",
        f"🎪 {SHA} 🚦 running",
        f"🎪 {SHA} 📅 {L.format_timestamp(NOW - timedelta(days=8))}",
        f"🎪 {SHA} ⌛ idle 24h · max {L.format_timestamp(NOW - timedelta(hours=3))}",
        f"🎪 {SHA} ⚠️ {L.format_timestamp(NOW - timedelta(minutes=1))}",
    ]
    plan = _schedule(old, NOW, NOW - timedelta(minutes=1))
    assert [op.action for op in plan.stacks] == ["destroy"]
    assert "max age" in plan.reasons[0] and "last request" not in " ".join(plan.reasons)


# --- event sequences: deploys and extends reset the idle TTL, the max age holds ----------------


def _push(sha: str) -> Event:
    return Event(name="pull_request", action="synchronize", actor="alice", sha=sha)


def _command(body: str, permission: str | None = None) -> Event:
    return Event(
        name="issue_comment",
        action="created",
        actor="maintainer",
        comment=body,
        actor_association="MEMBER",
        actor_permission=permission,
    )


class Lifetimes(RuleBasedStateMachine):
    """One PR over days: pushes, extends, pins and cleanup runs at increasing times."""

    def __init__(self) -> None:
        super().__init__()
        self.now = NOW
        self.n = 0
        self.labels = (*L.render_show(self._show("a" * 7, NOW)), f"🎪 🎯 {'a' * 7}")
        self.first = NOW
        self.gone = False
        self.warned_at: datetime | None = None  # when the current warning was written
        self.active_since_warning = False
        self.policy = Policy()
        self.last_request: datetime | None = None  # the load balancer's (HTTPS mode)

    def _show(self, sha: str, created: datetime) -> Show:
        max_at = created + timedelta(days=7)
        return Show(sha, Status.RUNNING, "10.0.0.5:8080", created, Ttl("24h"), "alice", (), max_at)

    def _decide(
        self, event: Event, head: str | None = None, last_request: datetime | None = None
    ) -> Plan:
        state = L.parse_state(self.labels)
        pr = PrInfo(1, "open", head or state.active_sha or "a" * 7, self.labels, "alice")
        return decide(event, pr, self.now, self.policy, last_request=last_request)

    def _apply(self, plan: Plan, healthy: bool = True) -> None:
        self.labels = L.apply_diff(self.labels, plan.label_diff)
        up = [op for op in plan.stacks if op.action == "up"]
        if up and healthy and plan.intent != "sleep":  # the deploy becomes healthy
            self.labels = L.apply_diff(self.labels, on_success(self.labels, up[0].sha, None))

    @rule(hours=st.sampled_from([0, 1, 2, 3, 12, 22, 23, 24, 30, 72]), minutes=st.integers(0, 59))
    def time_passes(self, hours: int, minutes: int) -> None:
        self.now += timedelta(hours=hours, minutes=minutes)

    @precondition(lambda self: not self.gone)
    @rule(healthy=st.booleans())
    def push(self, healthy: bool) -> None:
        """A push; its build either becomes healthy now or is still running (the old
        environment serves meanwhile, and no cleanup may tear it down)."""
        self.n += 1
        sha = f"{self.n:07x}"
        self._apply(self._decide(_push(sha + "0" * 33), head=sha + "0" * 33), healthy)
        state = L.parse_state(self.labels)
        assert (state.active_sha if healthy else state.building_sha) == sha
        show = state.shows[sha]
        assert show.created == self.now.replace(second=0, microsecond=0)  # idle: reset
        if healthy:
            self.labels = tuple(n for n in self.labels if not n.startswith(f"{L.PREFIX}🏗️"))
        self.active_since_warning = True

    @precondition(lambda self: not self.gone)
    @rule(hours=st.integers(1, 168))
    def extend(self, hours: int) -> None:
        self._apply(self._decide(_command(f"/showtime extend {hours}h")))
        show = L.parse_state(self.labels).active
        assert show is not None
        dl = deadlines(show, self.now, self.policy)
        if show.status is Status.SLEEPING:  # a TTL command does not wake it
            assert dl.idle_at is None
        else:
            assert dl.idle_at is not None and dl.idle_at >= self.now + timedelta(hours=hours)
        self.active_since_warning = True

    @precondition(lambda self: not self.gone)
    @rule(admin=st.booleans())
    def keep_alive(self, admin: bool) -> None:
        self._apply(self._decide(_command("/showtime keep-alive", "admin" if admin else None)))
        show = L.parse_state(self.labels).active
        assert show is not None and show.ttl == Ttl("manual")
        assert show.max_lifted == (admin or show.max_lifted)
        self.active_since_warning = True

    @precondition(lambda self: not self.gone)
    @rule()
    def requests_come_in(self) -> None:
        """Someone uses the environment through the load balancer (HTTPS mode)."""
        self.last_request = self.now

    @precondition(lambda self: not self.gone)
    @rule()
    def cleanup(self) -> None:
        before = L.parse_state(self.labels)
        active = before.active
        assert active is not None
        # what the cleanup reads: requests of the last hour
        last = self.last_request
        seen = last if last is not None and self.now - last <= timedelta(hours=1) else None
        plan = self._decide(Event(name="schedule", actor="showtime-cleanup"), last_request=seen)
        destroys = [op for op in plan.stacks if op.action == "destroy"]
        if plan.intent == "sleep":
            self._slept(active, plan)
        if destroys:
            # torn down only after a warning whose time has come, with no activity since
            assert active.warned is not None and self.now >= active.warned
            assert self.warned_at is not None and not self.active_since_warning
            assert self.now - self.warned_at >= self.policy.warn_before - timedelta(minutes=1)
            # nor after a request the cleanup saw since the warning, unless the max age is up
            if seen is not None and seen >= self.warned_at:
                assert "max age" in plan.reasons[0], plan.reasons
            self.gone = True
        if seen is not None and active.warned is None and plan.intent == "warn":
            # warned although a request came in: only once the deadline, counted from the
            # request (or the max age), is within warn_before
            dl = deadlines(active, self.now, self.policy, seen)
            assert dl.end is not None and dl.end - self.policy.warn_before <= self.now
        end = deadlines(active, self.now, self.policy, seen).end
        if active.warned is not None and self.now >= active.warned and end is not None:
            # a due warning is carried out
            assert destroys or plan.intent == "sleep" or end > active.warned
        self._apply(plan)
        after = L.parse_state(self.labels).active
        if after is not None and after.warned is not None and active.warned is None:
            self.warned_at, self.active_since_warning = self.now, False

    def _slept(self, active: Show, plan: Plan) -> None:
        """A sleep: warned and due like a teardown, never past the max age, nothing destroyed,
        the serving stack itself brought up asleep on the image it runs."""
        assert self.policy.idle_action == "sleep" and active.status is Status.RUNNING
        assert active.warned is not None and self.now >= active.warned
        assert self.warned_at is not None and not self.active_since_warning
        assert active.max_lifted or active.max_at is None or self.now < active.max_at
        [op] = plan.stacks
        assert op.action == "up" and op.sha == active.sha and op.reuse_image
        assert op.config is not None and op.config.sleeping

    @invariant()
    def the_max_age_is_never_later_than_the_first_deploy_allows(self) -> None:
        show = L.parse_state(self.labels).active
        if show is None or show.max_lifted:
            return
        assert show.max_at is not None
        assert show.max_at <= self.first + self.policy.max_age

    @invariant()
    def no_warning_survives_activity(self) -> None:
        show = L.parse_state(self.labels).active
        if show is not None and self.active_since_warning:
            assert show.warned is None


TestLifetimes = Lifetimes.TestCase
TestLifetimes.settings = settings(max_examples=100, stateful_step_count=25, deadline=None)


class SleepingLifetimes(Lifetimes):
    """The same PR under ``idle_action = "sleep"``: idle environments sleep (warned first),
    wake on a writer's command, and still end at their max age."""

    def __init__(self) -> None:
        super().__init__()
        self.policy = Policy(idle_action="sleep")

    @precondition(lambda self: not self.gone)
    @rule()
    def wake(self) -> None:
        before = L.parse_state(self.labels).active
        assert before is not None
        plan = self._decide(_command("/showtime wake", "write"))
        if before.status is not Status.SLEEPING:
            assert plan.stacks == ()  # only a sleeping environment wakes
            return
        [op] = plan.stacks
        # the same stack, on the image it ran: a wake never deploys anything new
        assert (plan.intent, op.action, op.sha, op.reuse_image) == ("wake", "up", before.sha, True)
        assert op.config is not None and not op.config.sleeping
        self._apply(plan)
        after = L.parse_state(self.labels).active
        assert after is not None and after.status is Status.RUNNING
        assert after.created == self.now.replace(second=0, microsecond=0)  # idle: reset
        assert after.max_at == before.max_at  # the max age holds
        self.active_since_warning = True

    @invariant()
    def asleep_is_never_past_the_max_age_unwarned(self) -> None:
        show = L.parse_state(self.labels).active
        if show is None or show.status is not Status.SLEEPING:
            return
        assert L.parse_state(self.labels).active_sha == show.sha  # 🎯 stays on it


TestSleepingLifetimes = SleepingLifetimes.TestCase
TestSleepingLifetimes.settings = settings(max_examples=100, stateful_step_count=25, deadline=None)


def test_a_push_while_the_new_build_runs_withdraws_the_warning_of_the_serving_one() -> None:
    m = Lifetimes()
    m.time_passes(23, 0)
    m.cleanup()  # warned: the idle TTL ends at 09:00, the warning promises 2h → 10:00
    assert L.parse_state(m.labels).active.warned == NOW + timedelta(hours=25)  # type: ignore[union-attr]
    m.push(healthy=False)
    m.no_warning_survives_activity()
    m.time_passes(3, 0)
    m.cleanup()  # not torn down: warned again first
    assert not m.gone and L.parse_state(m.labels).active.warned is not None  # type: ignore[union-attr]


def test_a_writers_command_after_the_warning_withdraws_it_a_strangers_does_not() -> None:
    m = Lifetimes()
    m.time_passes(23, 0)
    m.cleanup()
    stranger = Event(
        name="issue_comment",
        action="created",
        actor="x",
        comment="/showtime status",
        actor_association="NONE",
    )
    m._apply(m._decide(stranger))
    assert L.parse_state(m.labels).active.warned is not None  # type: ignore[union-attr]
    m._apply(m._decide(_command("/showtime size large")))
    assert L.parse_state(m.labels).active.warned is None  # type: ignore[union-attr]


def test_the_status_comment_shows_both_deadlines_and_how_to_keep_the_environment() -> None:
    from showtime_iac.core.comment import status_comment

    labels = [
        f"🎪 🎯 {SHA}",
        f"🎪 {SHA} 🚦 running",
        f"🎪 {SHA} 📅 2026-12-01T09-00",
        f"🎪 {SHA} ⌛ idle 24h · max 2026-12-08T09-00",
    ]
    body = status_comment(1, L.parse_state(labels), NOW)
    assert "1d 0h 00m left · max 2026-12-08 09:00" in body
    assert "Goes at 2026-12-02 09:00 UTC unless used" in body and "/showtime extend" in body
    body = status_comment(1, L.parse_state([*labels, f"🎪 {SHA} ⚠️ 2026-12-02T11-00"]), NOW)
    assert "will be torn down at 2026-12-02 11:00 UTC" in body


def test_a_claimed_stack_is_tagged_with_both_deadlines() -> None:
    from showtime_iac.core.model import resource_tags

    m = Lifetimes()
    m.time_passes(5, 0)
    event = _push("0000001" + "0" * 33)
    plan = m._decide(event, head="0000001" + "0" * 33)
    cfg = plan.stacks[0].config
    assert cfg is not None
    tags = resource_tags(cfg)
    assert tags["showtime:expires-at"] == "2026-12-02T14:00:00Z"  # idle: 24h from this deploy
    assert tags["showtime:max-age-at"] == "2026-12-08T09:00:00Z"  # the first deploy's + 7d


def test_the_sleeping_machine_sleeps_wakes_and_still_ends_at_the_max_age() -> None:
    m = SleepingLifetimes()
    m.time_passes(23, 0)
    m.cleanup()  # warned: asleep at 10:00 the next day
    m.time_passes(3, 0)
    m.cleanup()
    asleep = L.parse_state(m.labels).active
    assert asleep is not None and asleep.status is Status.SLEEPING and not m.gone
    m.time_passes(72, 0)
    m.cleanup()  # asleep: no idle deadline left, the max age is days away
    assert L.parse_state(m.labels).active.warned is None  # type: ignore[union-attr]
    m.wake()
    slept = 0
    for _ in range(12):  # idle again: sleeps again; a week after the first deploy: destroyed
        m.time_passes(12, 0)
        m.cleanup()
        if m.gone:
            break
        m.asleep_is_never_past_the_max_age_unwarned()
        slept += L.parse_state(m.labels).active.status is Status.SLEEPING  # type: ignore[union-attr]
    assert m.gone and slept and m.now >= NOW + timedelta(days=7)


@given(
    st.integers(0, 6 * 24 * 60),
    st.sampled_from(["24h", "idle 24h · max 2026-12-06T09-00", "pinned · max never"]),
)
def test_a_wake_never_moves_the_max_age(asleep_for: int, lifetime: str) -> None:
    """A wake writes 📅 afresh (the idle TTL counts from it); the max age, even when only
    derived from the old 📅 (today's ``⌛ 24h``), stays where it was."""
    labels = [
        f"🎪 🎯 {SHA}",
        f"🎪 {SHA} 🚦 sleeping",
        f"🎪 {SHA} 📅 {L.format_timestamp(NOW)}",
        f"🎪 {SHA} ⌛ {lifetime}",
    ]
    now = NOW + timedelta(minutes=asleep_for)
    before = L.parse_state(labels).active
    assert before is not None
    pr = PrInfo(1, "open", SHA + "0" * 33, tuple(labels), "alice")
    plan = decide(_command("/showtime wake", "write"), pr, now)
    assert plan.intent == "wake"
    after = L.parse_state(L.apply_diff(labels, plan.label_diff)).active
    assert after is not None and after.created == now.replace(second=0, microsecond=0)
    policy = Policy()
    assert deadlines(after, now, policy).max_at == deadlines(before, now, policy).max_at
