"""Migration from Superset Showtime, pure: its label dialect (checked against its own parser),
the decision per environment, what may be deleted, and the labels rewritten in ours."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from showtime_iac.core import labels as L
from showtime_iac.core import migration as M
from showtime_iac.core.model import Policy, PrInfo, ResourceNames, Status, Ttl
from showtime_iac.core.original import (
    OriginalEnv,
    OriginalInventory,
    OriginalService,
    OriginalTaskDefinition,
    labels_of,
    parse_original,
    parse_original_image,
    parse_original_service,
)

original_pr = pytest.importorskip("showtime.core.pull_request", reason="superset-showtime")
original_show = pytest.importorskip("showtime.core.show")

SHA = "abc1234"
HEAD = SHA + "d" * 33
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def distinct_names(monkeypatch: pytest.MonkeyPatch) -> None:
    """Our names as they must be beside the original (``sti-``), whatever ``resource_names``
    gives today: the decision is tested on its own; the refusal while the names are equal is
    tested below with equal ones."""

    def ours(pr: int, sha: str) -> ResourceNames:
        stack = f"pr-{pr}-{sha[:7]}"
        return ResourceNames(stack, f"sti-{stack}", f"showtime-{stack}", "/x", f"sti-{stack}")

    monkeypatch.setattr(M, "resource_names", ours)


def their_labels(
    sha: str, status: str = "running", ip: str | None = "52.1.2.3", **kw: str
) -> list[str]:
    """Labels as the original's own ``Show.to_circus_labels`` writes them."""
    show = original_show.Show(
        pr_number=1,
        sha=sha,
        status=status,
        ip=ip,
        created_at=kw.get("created", "2026-11-24T10-00"),
        requested_by=kw.get("user", "alice"),
    )
    return show.to_circus_labels()


# --- the dialect, against the original's own parser ------------------------------------------

shas = st.sampled_from(["abc1234", "def5678", "0000000", "abcdefg", "abc12345", "ABC1234"])
statuses = st.sampled_from(["running", "building", "deploying", "failed", "built", "x y", ""])
values = st.one_of(
    st.sampled_from(["alice", "52.1.2.3:8080", "52-1-2-3", "2026-11-24T10-00", "48h", "1w", ""]),
    st.text(alphabet="ab:-. 1", max_size=8),
)
emoji = st.sampled_from(["🚦", "📅", "🌐", "🤡", "⌛", "👤", "⚙️", "🎯", "x"])


@st.composite
def label(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 7))
    sha = draw(shas)
    if kind == 0:
        return f"🎪 {sha} 🚦 {draw(statuses)}"
    if kind == 1:
        return f"🎪 {sha} {draw(emoji)} {draw(values)}"
    if kind == 2:
        return f"🎪 🎯 {sha}"
    if kind == 3:
        return f"🎪 ⌛ {draw(values)}"
    if kind == 4:
        return draw(st.sampled_from([L.START, L.STOP, L.FREEZE, L.BLOCKED, "size/M", "🎪"]))
    if kind == 5:
        return f"🎪 {draw(st.text(alphabet='ab 🎯🚦1', max_size=12))}"
    if kind == 6:
        return f"🎪x {sha} 🚦 {draw(statuses)}"  # the original reads any "🎪..." label's values
    return f"🎪 {sha} 🚦"


@settings(max_examples=400, deadline=None)
@given(st.lists(label(), max_size=14))
def test_the_dialect_is_read_as_the_original_reads_it(labels: list[str]) -> None:
    theirs = original_pr.PullRequest(1, labels)
    ours = parse_original(labels)
    assert set(ours.shows) == {s.sha for s in theirs.shows}
    for show in theirs.shows:
        mine = ours.shows[show.sha]
        if mine.conflicts:
            continue  # the original's answer depends on a set's iteration order
        assert (mine.status, mine.ip, mine.created, mine.requester) == (
            show.status,
            show.ip,
            show.created_at,
            show.requested_by,
        )
    if len(ours.active) <= 1:
        current = theirs.current_show
        assert (ours.active_show.sha if ours.active_show else None) == (
            current.sha if current else None
        )
    if len(ours.ttls) <= 1:
        assert ours.ttl == theirs._get_effective_ttl_display()


@given(st.lists(st.text(max_size=60), max_size=10))
def test_the_dialect_parser_never_raises(labels: list[str]) -> None:
    st_ = parse_original(labels)
    assert set(st_.active) <= {n.split(" ")[2] for n in labels if n.startswith("🎪 🎯 ")}


def test_its_own_labels_parse_to_its_show() -> None:
    labels = [*their_labels(SHA), "🎪 ⌛ 1w"]
    st_ = parse_original(labels)
    show = st_.shows[SHA]
    assert (show.status, show.ip, show.created, show.requester) == (
        "running",
        "52.1.2.3",
        "2026-11-24T10-00",
        "alice",
    )
    assert show.created_at == datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    assert st_.ttl == "1w" and not show.ours
    # no 🎯 (0.7.1 drops its own): the one running show serves
    assert st_.active_sha is None and st_.serving_sha == SHA


def test_serving_without_a_pointer_is_the_newest_running_show() -> None:
    labels = their_labels("abc1234", created="2026-11-24T10-00") + their_labels(
        "def5678", created="2026-11-24T11-00"
    )
    assert parse_original(labels).serving_sha == "def5678"
    same = their_labels("abc1234") + their_labels("def5678")
    assert parse_original(same).serving_sha is None  # a tie: nobody can say
    assert parse_original([*same, "🎪 🎯 abc1234"]).serving_sha == "abc1234"


def test_names() -> None:
    assert parse_original_service("pr-1234-abc1234-service") == (1234, "abc1234")
    assert parse_original_service("sti-pr-1234-abc1234") is None
    assert parse_original_service("pr-1234-service") is None  # the legacy SHA-less form
    assert parse_original_image("apache/superset:pr-1234-abc1234-ci") == (1234, "abc1234")
    assert parse_original_image("apache/superset:latest") is None


# --- the decision ------------------------------------------------------------------------------


def service(pr: int = 1, sha: str = SHA, **kw: object) -> OriginalService:
    tags = {"pr": str(pr), "showtime_managed": "true", "github_user": "alice"}
    defaults: dict[str, object] = {
        "name": f"pr-{pr}-{sha}-service",
        "arn": f"arn:aws:ecs:us-west-2:1:service/superset-ci/pr-{pr}-{sha}-service",
        "status": "ACTIVE",
        "tags": tags,
        "task_definition": "arn:aws:ecs:us-west-2:1:task-definition/superset-ci:7",
        "image": f"apache/superset:pr-{pr}-{sha}-ci",
        "desired": 1,
        "running": 1,
        "ip": "52.1.2.3",
    }
    defaults.update(kw)
    return OriginalService(**defaults)  # type: ignore[arg-type]


#: a service the original scaled to zero: nothing of it serves
STOPPED = service(desired=0, running=0)


def td(
    rev: int = 7, pr: int = 1, sha: str = SHA, family: str = "superset-ci"
) -> OriginalTaskDefinition:
    return OriginalTaskDefinition(
        f"arn:aws:ecs:us-west-2:1:task-definition/{family}:{rev}",
        family,
        rev,
        f"apache/superset:pr-{pr}-{sha}-ci",
    )


def inventory(
    *services: OriginalService,
    tds: tuple[OriginalTaskDefinition, ...] = (),
    ecr: tuple[str, ...] = (),
) -> OriginalInventory:
    return OriginalInventory(services, (tds or (td(),)) if services else tds, ecr)


def pr(labels: list[str], *, state: str = "open", head: str = HEAD) -> PrInfo:
    return PrInfo(number=1, state=state, head_sha=head, labels=tuple(labels))  # type: ignore[arg-type]


def decide(
    p: PrInfo,
    inv: OriginalInventory,
    commits: tuple[str, ...] | None = (HEAD,),
    stacks: tuple[str, ...] = (),
    policy: Policy | None = None,
) -> dict[str, M.MigrationDecision]:
    return {d.sha: d for d in M.decide(p, inv.envs(), commits, stacks, policy or Policy())}


def test_the_serving_environment_migrates_with_its_sha_ttl_and_requester() -> None:
    flags = (("SUPERSET_FEATURE_ALERTS", "True"), ("SUPERSET_FEATURE_x", "True"))
    d = decide(pr([*their_labels(SHA), "🎪 ⌛ 1w"]), inventory(service(flags=flags)))[SHA]
    assert d.action == "migrate", d.reasons
    cfg = d.target("apache/superset")
    assert (cfg.sha, cfg.ttl, cfg.requester) == (HEAD, Ttl("1w"), "alice")
    assert cfg.image == "apache/superset:pr-1-abc1234-ci"
    assert cfg.created == datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    assert cfg.flags == (("ALERTS", True),)
    assert any("SUPERSET_FEATURE_x" in r for r in d.reasons)  # not a flag of ours: said so
    assert cfg.stack == "pr-1-abc1234"


def test_an_older_sha_still_in_the_pr_migrates_as_it_is() -> None:
    old = SHA + "e" * 33
    d = decide(pr(their_labels(SHA), head="f" * 40), inventory(service()), commits=(old, "f" * 40))
    assert d[SHA].action == "migrate" and d[SHA].full_sha == old


@pytest.mark.parametrize(
    ("labels", "inv", "kw", "action", "why"),
    [
        (their_labels(SHA), inventory(service()), {"state": "closed"}, "prune", "closed"),
        (
            their_labels(SHA),
            inventory(service()),
            {"head": "f" * 40},
            "prune",
            "no longer a commit",
        ),
        (their_labels(SHA, status="failed"), inventory(STOPPED), {}, "prune", "failed"),
        (their_labels(SHA, status="failed"), inventory(service()), {}, "leave", "still runs"),
        (their_labels(SHA, status="deploying"), inventory(service()), {}, "leave", "working on it"),
        ([*their_labels(SHA), L.BLOCKED], inventory(service()), {}, "leave", "blocked"),
        (
            [*their_labels(SHA), "🎪 🎯 abc1234", "🎪 🎯 def5678"],
            inventory(service()),
            {},
            "leave",
            "several 🎯",
        ),
        (
            [*their_labels(SHA), "🎪 abc1234 🚦 failed"],
            inventory(service()),
            {},
            "leave",
            "conflicting status",
        ),
        (their_labels(SHA), inventory(), {}, "leave", "no service"),
        ([], inventory(STOPPED), {}, "prune", "no 🎪 label names it"),
        # labels stripped from a serving environment: AWS says it runs, so it stays
        ([], inventory(service()), {}, "leave", "still runs in AWS (1/1 tasks)"),
        ([], inventory(service(desired=0, running=1)), {}, "leave", "still runs"),
        ([], inventory(service(desired=1, running=0)), {}, "leave", "still runs"),
    ],
)
def test_what_is_not_migrated_and_why(
    labels: list[str], inv: OriginalInventory, kw: dict[str, str], action: str, why: str
) -> None:
    commits = None if kw.get("state") == "closed" else (kw.get("head", HEAD),)
    d = decide(pr(labels, **kw), inv, commits=commits)[SHA]
    assert d.action == action and why in d.reasons[0], d.reasons


def test_a_stray_beside_the_serving_one_is_pruned() -> None:
    labels = their_labels(SHA, created="2026-11-24T10-00") + their_labels(
        "def5678", created="2026-11-24T09-00"
    )
    stopped = service(sha="def5678", desired=0, running=0)
    inv = inventory(service(), stopped, tds=(td(), td(8, sha="def5678")))
    d = decide(pr(labels), inv)
    assert d[SHA].action == "migrate"
    assert d["def5678"].action == "prune" and "abc1234 is" in d["def5678"].reasons[0]
    # the same stray whose service still runs is left: only labels say it does not serve
    inv = inventory(service(), service(sha="def5678"), tds=(td(), td(8, sha="def5678")))
    left = decide(pr(labels), inv)["def5678"]
    assert left.action == "leave" and "still runs" in left.reasons[0]


def test_commits_beyond_githubs_250_prove_nothing() -> None:
    many = tuple(f"{i:040x}" for i in range(250))
    d = decide(pr(their_labels(SHA), head="f" * 40), inventory(service()), commits=many)
    assert d[SHA].action == "migrate" and d[SHA].full_sha is None


def test_nothing_left_of_the_original_is_already_ours() -> None:
    ours = L.render_show(L.parse_state(their_labels(SHA)).shows[SHA])
    d = decide(pr([*ours, f"🎪 {SHA} ⌛ 48h"]), inventory(), stacks=("pr-1-abc1234",))
    assert d[SHA].action == "leave" and "already ours" in d[SHA].reasons[0]


def test_a_ttl_above_the_policy_and_a_strange_requester_are_said() -> None:
    labels = [*their_labels(SHA, user="not a login"), "🎪 ⌛ 4w"]
    d = decide(pr(labels), inventory(service()), policy=Policy(max_ttl=Ttl("7d")))[SHA]
    assert d.action == "migrate" and (d.ttl, d.requester) == ("7d", "unknown")
    assert any("above the policy maximum" in r for r in d.reasons)
    assert any("not a GitHub login" in r for r in d.reasons)


def test_no_migration_while_our_names_are_the_originals(monkeypatch: pytest.MonkeyPatch) -> None:
    def same(pr: int, sha: str) -> ResourceNames:
        stack = f"pr-{pr}-{sha[:7]}"
        return ResourceNames(stack, f"{stack}-service", f"showtime-{stack}", "/x", f"{stack}-ci")

    monkeypatch.setattr(M, "resource_names", same)
    d = decide(pr(their_labels(SHA)), inventory(service()))[SHA]
    assert d.action == "leave" and "equal the original's" in d.reasons[0]


# --- what may be deleted -----------------------------------------------------------------------


def deletable(
    svc: OriginalService, tds: tuple[OriginalTaskDefinition, ...] = (), *others: OriginalService
) -> tuple[list[M.Deletion], list[str]]:
    inv = OriginalInventory((svc, *others), tds or (td(),), ("pr-1-abc1234-ci",))
    d = decide(pr(their_labels(SHA)), inv)[SHA]
    assert d.action == "migrate"
    return M.deletions(d, inv)


def test_exactly_the_environments_service_revisions_and_ecr_tag() -> None:
    stray = td(5)  # an older revision naming the same image (a rebuild)
    other = td(9, sha="def5678")
    items, refused = deletable(service(), (td(), stray, other))
    assert [(i.kind, i.name) for i in items] == [
        ("ecs-service", "pr-1-abc1234-service"),
        ("task-definition", "superset-ci:7"),
        ("task-definition", "superset-ci:5"),
        ("ecr-image", "pr-1-abc1234-ci"),
    ]
    assert refused == []


@pytest.mark.parametrize(
    ("tags", "why"),
    [
        ({"pr": "1"}, "showtime_managed"),
        ({"pr": "2", "showtime_managed": "true"}, "showtime_managed, pr=1"),
        ({"pr": "1", "showtime_managed": "true", "showtime:pr": "1"}, "ours"),
    ],
)
def test_a_service_whose_tags_disagree_is_refused(tags: dict[str, str], why: str) -> None:
    items, refused = deletable(service(tags=tags))
    assert [i.kind for i in items] == ["task-definition", "ecr-image"]
    assert len(refused) == 1 and why in refused[0]


def test_a_revision_another_service_runs_or_of_another_family_is_refused() -> None:
    shared = td(7)
    other_service = service(
        name="pr-1-abc1234-service-x", task_definition=shared.arn, tags={"pr": "1"}
    )
    foreign = td(3, family="showtime-pr-1-abc1234")
    inv = OriginalInventory((service(), other_service), (shared, foreign), ())
    d = decide(pr(their_labels(SHA)), inv)[SHA]
    env = OriginalEnv(1, SHA, service(), (shared, foreign))
    items, refused = M.deletions(replace(d, env=env), inv)
    assert [i.kind for i in items] == ["ecs-service"]
    assert any("another service runs it" in r for r in refused)
    assert any("not the original's" in r for r in refused)


def test_a_migration_the_labels_do_not_back_deletes_nothing() -> None:
    inv = inventory(service())
    d = decide(pr(their_labels(SHA)), inv)[SHA]
    unbacked = replace(d, show=None)
    assert M.deletions(unbacked, inv)[0] == []


# --- labels ------------------------------------------------------------------------------------


def test_the_labels_become_ours_and_keep_what_both_write() -> None:
    labels = [*their_labels(SHA), "🎪 ⌛ 1w", L.FREEZE, "size/M"]
    inv = inventory(service())
    d = decide(pr(labels), inv)[SHA]
    cfg = d.target("apache/superset")
    diff = M.migrated_labels(labels, d, "10.0.0.5:8080", cfg)
    after = set(L.apply_diff(labels, diff))
    assert after == {
        f"🎪 {SHA} 🚦 running",
        f"🎪 {SHA} 📅 2026-11-24T10-00",
        f"🎪 {SHA} 🌐 10.0.0.5:8080",
        f"🎪 {SHA} ⌛ 1w",
        f"🎪 {SHA} 👤 alice",
        f"🎪 🎯 {SHA}",
        L.FREEZE,
        "size/M",
    }
    # labels both dialects write the same are never touched (no flicker for reviewers)
    assert f"🎪 {SHA} 🚦 running" not in diff.add + diff.remove
    st_ = L.parse_state(after)
    assert st_.active is not None and st_.active.status is Status.RUNNING and not st_.warnings


def test_pruning_removes_one_environment_and_keeps_the_others() -> None:
    labels = [*their_labels(SHA), *their_labels("def5678"), "🎪 ⌛ 48h", "🎪 🎯 abc1234"]
    after = L.apply_diff(labels, M.pruned_labels(labels, "def5678"))
    assert set(after) == {*their_labels(SHA), "🎪 ⌛ 48h", "🎪 🎯 abc1234"}
    last = L.apply_diff(after, M.pruned_labels(after, SHA))
    assert last == ()  # the PR-level TTL goes with the last environment


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(label(), max_size=10), st.sampled_from(["1.2.3.4:8080", "10.0.0.5:8080"]))
def test_migrated_labels_touch_only_that_sha(labels: list[str], address: str) -> None:
    labels = [*labels, *their_labels(SHA)]
    inv = inventory(service())
    d = M.decide(pr(labels), inv.envs(), (HEAD,), (), Policy())
    mine = [x for x in d if x.sha == SHA and x.action == "migrate"]
    if not mine:
        return
    cfg = mine[0].target("apache/superset")
    diff = M.migrated_labels(labels, mine[0], address, cfg)
    touched = set(diff.add) | set(diff.remove)
    about = set(labels_of([*labels, *diff.add], SHA)) | {
        n for n in labels if n.startswith("🎪 ⌛ ")
    }
    assert touched <= about
    assert all(L.label_length(n) <= L.MAX_LABEL for n in diff.add)
    st_ = L.parse_state(L.apply_diff(labels, diff))
    assert st_.shows[SHA].ip == address and st_.shows[SHA].status is Status.RUNNING
