"""The migration's contracts, written out literally (docs/migration.md, ``core/migration.py``):
the exact reasons ``migrate --dry-run`` prints, the ``--json`` form, what is carried over to our
environment, what may be deleted, and the labels rewritten in our dialect.

Unlike ``test_migration.py`` (which swaps ``resource_names`` for names beside the original's),
these run with our real names, and need no copy of the original tool."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from showtime_iac.core import labels as L
from showtime_iac.core import migration as M
from showtime_iac.core.model import Policy, PrInfo, ResourceNames, Ttl
from showtime_iac.core.original import (
    OriginalEnv,
    OriginalInventory,
    OriginalService,
    OriginalShow,
    OriginalTaskDefinition,
)

SHA = "abc1234"
HEAD = SHA + "d" * 33
TD7 = "arn:aws:ecs:us-west-2:1:task-definition/superset-ci:7"
SVC_ARN = "arn:aws:ecs:us-west-2:1:service/superset-ci/pr-1-abc1234-service"
SINCE = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
WHY = "running in the original at 52.1.2.3: ours takes over, same SHA and TTL"


def running(sha: str = SHA, created: str = "2026-11-24T10-00") -> list[str]:
    """The labels the original writes for one running environment."""
    return [
        f"🎪 {sha} 🚦 running",
        f"🎪 {sha} 📅 {created}",
        f"🎪 {sha} 🌐 52.1.2.3:8080",
        f"🎪 {sha} 🤡 alice",
    ]


def service(sha: str = SHA, **kw: object) -> OriginalService:
    defaults: dict[str, object] = {
        "name": f"pr-1-{sha}-service",
        "arn": f"arn:aws:ecs:us-west-2:1:service/superset-ci/pr-1-{sha}-service",
        "status": "ACTIVE",
        "tags": {"pr": "1", "showtime_managed": "true", "github_user": "alice"},
        "task_definition": TD7,
        "image": f"apache/superset:pr-1-{sha}-ci",
        "desired": 1,
        "running": 1,
        "ip": "52.1.2.3",
    }
    defaults.update(kw)
    return OriginalService(**defaults)  # type: ignore[arg-type]


STOPPED = service(desired=0, running=0)


def td(
    rev: int = 7,
    image: str | None = "apache/superset:pr-1-abc1234-ci",
    tags: dict[str, str] | None = None,
) -> OriginalTaskDefinition:
    arn = f"arn:aws:ecs:us-west-2:1:task-definition/superset-ci:{rev}"
    return OriginalTaskDefinition(arn, "superset-ci", rev, image, tags or {})


def decide(
    labels: list[str],
    *services: OriginalService,
    state: str = "open",
    stacks: tuple[str, ...] = (),
    policy: Policy | None = None,
) -> dict[str, M.MigrationDecision]:
    inv = OriginalInventory(services, (td(),) if services else (), ())
    p = PrInfo(number=1, state=state, head_sha=HEAD, labels=tuple(labels))  # type: ignore[arg-type]
    return {d.sha: d for d in M.decide(p, inv.envs(), (HEAD,), stacks, policy or Policy())}


# --- why: the exact reasons migrate prints ------------------------------------------------------


@pytest.mark.parametrize(
    ("labels", "services", "kw", "sha", "action", "reasons"),
    [
        (
            [*running(), L.BLOCKED],
            (service(),),
            {},
            SHA,
            "leave",
            ("🎪 🔒 showtime-blocked: no operation on this PR (remove it and migrate again)",),
        ),
        (
            [*running(), "🎪 🎯 abc1234", "🎪 🎯 def5678"],
            (service(),),
            {},
            SHA,
            "leave",
            ("several 🎯 pointers (abc1234, def5678): fix the labels first",),
        ),
        (
            [*running(), "🎪 abc1234 🚦 failed", "🎪 abc1234 🌐 1.2.3.4:8080"],
            (service(),),
            {},
            SHA,
            "leave",
            ("conflicting ip, status labels for abc1234: fix them first",),
        ),
        (
            ["🎪 abcdefg 🚦 running"],
            (),
            {},
            "abcdefg",
            "leave",
            ("'abcdefg' is not a commit SHA",),
        ),
        (
            # labels only (no AWS at all): the service name is the one the labels imply
            running(),
            (),
            {},
            SHA,
            "leave",
            (
                "labels say running but there is no service pr-1-abc1234-service: check"
                " ECS_CLUSTER and AWS_REGION",
            ),
        ),
        (
            # two running, no 🎯 and the same 📅: nobody can say which one serves
            running() + running("def5678"),
            (),
            {},
            SHA,
            "leave",
            ("several running, no 🎯 and no newest: fix the labels",),
        ),
        (
            # a 🎯 naming no SHA: no environment serves
            [*running(), "🎪 🎯 "],
            (STOPPED,),
            {},
            SHA,
            "prune",
            ("not the environment serving the PR (none is)",),
        ),
        (
            running(),
            (),
            {"state": "closed"},
            SHA,
            "prune",
            ("PR #1 is closed", "labels only: nothing of the original in AWS"),
        ),
        (
            [],
            (STOPPED,),
            {},
            SHA,
            "prune",
            ("left behind by the original: no 🎪 label names it",),
        ),
        (
            [],
            (service(desired=2, running=1),),
            {},
            SHA,
            "leave",
            (
                "its service still runs in AWS (1/2 tasks): never pruned from labels alone",
                "left behind by the original: no 🎪 label names it",
            ),
        ),
        (
            # our per-SHA ⌛ says ours wrote the labels; nothing of the original in AWS
            [*running(), "🎪 abc1234 ⌛ 48h"],
            (),
            {},
            SHA,
            "leave",
            ("already ours: nothing of the original is left",),
        ),
        (
            # labels both dialects write, and our stack exists
            ["🎪 abc1234 🚦 running"],
            (),
            {"stacks": ("pr-1-abc1234",)},
            SHA,
            "leave",
            ("already ours: nothing of the original is left",),
        ),
    ],
)
def test_the_reasons_are_said_exactly(
    labels: list[str],
    services: tuple[OriginalService, ...],
    kw: dict[str, object],
    sha: str,
    action: str,
    reasons: tuple[str, ...],
) -> None:
    d = decide(labels, *services, **kw)[sha]  # type: ignore[arg-type]
    assert (d.action, d.reasons) == (action, reasons)


def test_one_pointer_is_not_several() -> None:
    d = decide([*running(), "🎪 🎯 abc1234"], service())[SHA]
    assert (d.action, d.reasons, d.active, d.pointer) == ("migrate", (WHY,), True, True)


def test_our_names_equal_to_the_originals_are_all_listed(monkeypatch: pytest.MonkeyPatch) -> None:
    assert M.names_collide(1, SHA) == []  # our real names: sti-pr-1-abc1234, showtime-pr-…

    def theirs(pr: int, sha: str) -> ResourceNames:
        stack = f"pr-{pr}-{sha[:7]}"
        return ResourceNames(stack, f"{stack}-service", "superset-ci", "/x", f"{stack}-ci")

    monkeypatch.setattr(M, "resource_names", theirs)
    assert M.names_collide(1, SHA) == [
        "service pr-1-abc1234-service",
        "image tag pr-1-abc1234-ci",
        "task family superset-ci",
    ]
    d = decide(running(), service())[SHA]
    assert (d.action, d.reasons) == (
        "leave",
        (
            "our service pr-1-abc1234-service, image tag pr-1-abc1234-ci, task family"
            " superset-ci equal the original's: upgrade first",
        ),
    )


# --- what is carried over ---------------------------------------------------------------------


def test_what_cannot_be_carried_over_is_said_and_the_rest_is() -> None:
    long_flag = "SUPERSET_FEATURE_" + "X" * 70  # not a flag of ours: too long
    flags = (
        ("SUPERSET_FEATURE_ALERTS", "1"),
        ("SUPERSET_FEATURE_DASHBOARD_RBAC", "yes"),
        ("SUPERSET_FEATURE_EMBEDDED", "YES"),
        ("SUPERSET_FEATURE_OFF", "no"),
        ("SUPERSET_FEATURE_ALERTS", "false"),  # a second value: the first one stands
        (long_flag, "true"),
    )
    labels = [
        "🎪 abc1234 🚦 running",  # no 🌐, no 📅
        "🎪 abc1234 🤡 " + "a" * 50,  # too long for a GitHub login
        "🎪 ⌛ " + "y" * 30,
    ]
    d = decide(labels, service(flags=flags, created=SINCE))[SHA]
    assert d.action == "migrate"
    assert d.reasons == (
        "running in the original at ?: ours takes over, same SHA and TTL",
        "TTL 'yyyyyyyyyyyyyyyyyyyy' unreadable: 48h",
        "requester 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' is not a GitHub login: unknown",
        "feature flag 'SUPERSET_FEATURE_ALERTS' not carried over",
        "feature flag 'SUPERSET_FEATURE_XXXXXXXXXXXXXXXXXXXXXXX' not carried over",
    )
    cfg = d.target("example/superset-fork")
    assert (cfg.pr, cfg.sha, cfg.repo, cfg.image) == (
        1,
        HEAD,
        "example/superset-fork",
        "apache/superset:pr-1-abc1234-ci",
    )
    assert (cfg.ttl, cfg.requester, cfg.created) == (Ttl("48h"), "unknown", SINCE)
    assert cfg.flags == (
        ("ALERTS", True),
        ("DASHBOARD_RBAC", True),
        ("EMBEDDED", True),
        ("OFF", False),
    )


def test_no_requester_label_is_an_unknown_requester() -> None:
    d = decide(["🎪 abc1234 🚦 running", "🎪 abc1234 📅 2026-11-24T10-00"], service())[SHA]
    assert (d.action, d.requester, d.ttl) == ("migrate", "unknown", "48h")
    assert d.created == datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # 📅 before AWS's age
    assert d.reasons == ("running in the original at ?: ours takes over, same SHA and TTL",)


def test_a_target_without_a_service_has_no_image() -> None:
    d = decide(running(), service())[SHA]
    assert replace(d, env=OriginalEnv(1, SHA)).target("apache/superset").image is None


# --- the JSON form ------------------------------------------------------------------------------


def test_the_json_form_of_a_migration() -> None:
    labels = [*running(), "🎪 🎯 abc1234", "🎪 ⌛ 1w"]
    d = decide(labels, service(created=SINCE))[SHA]
    assert d.to_json() == {
        "pr": 1,
        "sha": "abc1234",
        "pr_state": "open",
        "action": "migrate",
        "reasons": [WHY],
        "labels": {
            "status": "running",
            "active": True,
            "pointer": True,
            "ip": "52.1.2.3",
            "created": "2026-11-24T10-00",
            "requester": "alice",
            "ttl": "1w",
        },
        "aws": {
            "service": "pr-1-abc1234-service",
            "service_status": "ACTIVE",
            "task_definition": TD7,
            "image": "apache/superset:pr-1-abc1234-ci",
            "ip": "52.1.2.3",
            "created": "2026-11-24T09:30:00Z",
            "running": "1/1",
            "task_definitions": [TD7],
            "ecr_tags": [],
        },
        "stack": "pr-1-abc1234",
    }


def test_the_json_form_without_labels_on_a_closed_pr() -> None:
    d = decide([], STOPPED, state="closed")[SHA]
    assert d.to_json() == {
        "pr": 1,
        "sha": "abc1234",
        "pr_state": "closed",
        "action": "prune",
        "reasons": ["PR #1 is closed"],
        "labels": None,
        "aws": {
            "service": "pr-1-abc1234-service",
            "service_status": "ACTIVE",
            "task_definition": TD7,
            "image": "apache/superset:pr-1-abc1234-ci",
            "ip": "52.1.2.3",
            "created": None,
            "running": "0/0",
            "task_definitions": [TD7],
            "ecr_tags": [],
        },
        "stack": "pr-1-abc1234",
    }


def test_the_json_form_of_labels_naming_no_commit() -> None:
    d = decide(["🎪 abcdefg 🚦 running"])["abcdefg"]
    assert d.to_json() == {
        "pr": 1,
        "sha": "abcdefg",
        "pr_state": "open",
        "action": "leave",
        "reasons": ["'abcdefg' is not a commit SHA"],
        "labels": {
            "status": "running",
            "active": True,  # the one running show serves, even without a 🎯
            "pointer": False,
            "ip": None,
            "created": None,
            "requester": None,
            "ttl": "48h",
        },
        "aws": {
            "service": None,
            "service_status": None,
            "task_definition": None,
            "image": None,
            "ip": None,
            "created": None,
            "running": None,
            "task_definitions": [],
            "ecr_tags": [],
        },
        "stack": None,
    }


# --- what may be deleted ------------------------------------------------------------------------


def migration(
    svc: OriginalService | None = None,
    tds: tuple[OriginalTaskDefinition, ...] = (td(),),
    ecr: tuple[str, ...] = ("pr-1-abc1234-ci",),
) -> M.MigrationDecision:
    """A decision to migrate, with these resources in its environment."""
    d = decide(running(), service())[SHA]
    assert d.action == "migrate"
    return replace(d, env=OriginalEnv(1, SHA, svc or service(), tds, ecr))


def test_each_deletion_names_what_aws_deletes() -> None:
    items, refused = M.deletions(migration(), OriginalInventory((service(),), (td(),), ()))
    assert items == [
        M.Deletion("ecs-service", "pr-1-abc1234-service", SVC_ARN),
        M.Deletion("task-definition", "superset-ci:7", TD7),
        M.Deletion("ecr-image", "pr-1-abc1234-ci", "pr-1-abc1234-ci"),
    ]
    assert refused == []


@pytest.mark.parametrize(
    "unbacked",
    [
        {"active": False},  # the labels say another SHA serves
        {"show": OriginalShow(SHA, "failed")},
    ],
)
def test_a_migration_the_labels_do_not_back_deletes_nothing(unbacked: dict[str, object]) -> None:
    d = replace(migration(), **unbacked)  # type: ignore[arg-type]
    assert M.deletions(d, OriginalInventory((service(),), (td(),), ())) == (
        [],
        ["the labels do not say abc1234 runs in the original: nothing deleted"],
    )


def test_what_is_not_exactly_the_originals_is_refused_with_its_reason() -> None:
    stranger = service(name="pr-1-abc1234-service-x")
    other_image = td(8, image="apache/superset:pr-1-def5678-ci")  # run by no service of it
    tagged = td(9, tags={"showtime:pr": "1"})  # carries our tags
    d = migration(stranger, (other_image, tagged), ("pr-1-abc1234-cix",))
    items, refused = M.deletions(d, OriginalInventory((stranger,), (), ()))
    assert items == []
    assert refused == [
        "service pr-1-abc1234-service-x: not named pr-1-abc1234-service",
        f"task definition {other_image.arn}: not the original's for abc1234",
        f"task definition {tagged.arn}: not the original's for abc1234",
        "ECR tag pr-1-abc1234-cix: not pr-1-abc1234-ci",
    ]


def test_a_revision_its_service_runs_goes_whatever_its_image_and_an_inactive_one_is_no_user() -> (
    None
):
    # the service runs revision 7, whose image names nothing of ours (the original updated it)
    runs = td(7, image=None)
    # an inactive service that once ran revision 7 does not keep it
    gone = service(name="pr-2-abc1234-service", status="INACTIVE", tags={"pr": "2"})
    items, refused = M.deletions(
        migration(tds=(runs,), ecr=()), OriginalInventory((service(), gone), (runs,), ())
    )
    assert [(i.kind, i.name) for i in items] == [
        ("ecs-service", "pr-1-abc1234-service"),
        ("task-definition", "superset-ci:7"),
    ]
    assert refused == []


# --- labels -------------------------------------------------------------------------------------


def test_the_labels_carry_the_flags_and_no_unknown_requester() -> None:
    labels = ["🎪 abc1234 🚦 running", "🎪 abc1234 📅 2026-11-24T10-00"]
    flags = (("SUPERSET_FEATURE_ALERTS", "true"), ("SUPERSET_FEATURE_OFF", "false"))
    d = decide(labels, service(flags=flags))[SHA]
    cfg = d.target("apache/superset")
    assert cfg.requester == "unknown"
    after = L.apply_diff(labels, M.migrated_labels(labels, d, "10.0.0.5:8080", cfg))
    assert set(after) == {
        "🎪 abc1234 🚦 running",
        "🎪 abc1234 📅 2026-11-24T10-00",
        "🎪 abc1234 🌐 10.0.0.5:8080",
        "🎪 abc1234 ⌛ 48h",
        "🎪 abc1234 ⚙️ ALERTS,-OFF",
        "🎪 🎯 abc1234",
    }
