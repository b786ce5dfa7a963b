"""The AWS side of a migration against what Superset Showtime's own code created in moto:
the inventory (services, task definitions, ECR tags, IP, image, flags, age) and deletion,
re-checked right before ``DeleteService``."""

from __future__ import annotations

import pytest

from showtime_iac.adapters.aws import AwsClients
from showtime_iac.adapters.aws.original import OriginalAws
from showtime_iac.core.migration import Deletion
from tests.original_showtime import Original, original  # noqa: F401

A1 = "a1a1a1a" + "0" * 33
B1, B2 = "b1b1b1b" + "0" * 33, "b2b2b2b" + "0" * 33


@pytest.fixture
def aws(original: Original) -> OriginalAws:  # noqa: F811
    gh = original.gh
    gh.add_pr(101, head_sha=A1)
    original.push_legacy_image(101, A1)
    original.start(101, A1)
    gh.add_pr(102, head_sha=B1, body="FEATURE_ALERTS=true\nFEATURE_X=no")
    original.start(102, B1)
    gh.push(102, B2)
    original.sync(102)
    c = original.clients
    clients = AwsClients(c["ecs"], c["ec2"], c["ecr"], c["logs"])
    return OriginalAws(clients, cluster="superset-ci", repository="superset-ci")


def test_the_inventory_is_what_the_original_made(aws: OriginalAws) -> None:
    inv = aws.inventory()
    svc = {s.name: s for s in inv.services}
    assert sorted(svc) == ["pr-101-a1a1a1a-service", "pr-102-b2b2b2b-service"]
    a = svc["pr-101-a1a1a1a-service"]
    assert (a.status, a.running, a.desired, a.ip) == ("ACTIVE", 1, 1, "203.0.113.10")
    assert a.image == "apache/superset:pr-101-a1a1a1a-ci" and a.created is not None
    assert a.tags["showtime_managed"] == "true" and a.tags["pr"] == "101"
    flags = dict(svc["pr-102-b2b2b2b-service"].flags)
    assert flags == {"SUPERSET_FEATURE_ALERTS": "True", "SUPERSET_FEATURE_X": "False"}
    assert [t.revision for t in inv.task_definitions] == [1, 2, 3]
    assert inv.ecr_tags == ("pr-101-a1a1a1a-ci",)
    envs = inv.envs()
    assert sorted(envs) == [(101, "a1a1a1a"), (102, "b1b1b1b"), (102, "b2b2b2b")]
    stray = envs[(102, "b1b1b1b")]  # the revision the rolling update left behind
    assert stray.service is None and [t.revision for t in stray.task_definitions] == [2]
    assert envs[(101, "a1a1a1a")].ecr_tags == ("pr-101-a1a1a1a-ci",)


def test_delete_removes_exactly_the_items(aws: OriginalAws, original: Original) -> None:  # noqa: F811
    env = aws.inventory().envs()[(101, "a1a1a1a")]
    assert env.service is not None
    items = [
        Deletion("ecr-image", "pr-101-a1a1a1a-ci", "pr-101-a1a1a1a-ci"),
        Deletion("task-definition", "superset-ci:1", env.task_definitions[0].arn),
        Deletion("ecs-service", env.service.name, env.service.arn),
    ]
    results = aws.delete(items, 101)
    assert [(r.deletion.kind, r.deleted) for r in results] == [
        ("ecs-service", True),
        ("task-definition", True),
        ("ecr-image", True),
    ]
    assert original.services() == {"pr-102-b2b2b2b-service": "ACTIVE"}
    assert len(original.task_definitions()) == 2 and original.ecr_tags() == []
    # what `migrate --json` reports of each
    assert [r.to_json() for r in results] == [
        {"kind": "ecs-service", "name": "pr-101-a1a1a1a-service", "deleted": True, "error": None},
        {"kind": "task-definition", "name": "superset-ci:1", "deleted": True, "error": None},
        {"kind": "ecr-image", "name": "pr-101-a1a1a1a-ci", "deleted": True, "error": None},
    ]


def test_the_cluster_and_repository_come_from_the_settings(
    moto_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from showtime_iac.settings import Settings

    monkeypatch.setenv("ECS_CLUSTER", "previews")
    monkeypatch.setenv("ECR_REPOSITORY", "superset-previews")
    aws = OriginalAws.from_settings(Settings.from_env())
    assert (aws.cluster, aws.repository) == ("previews", "superset-previews")
    assert aws.clients.ecs is not None and aws.clients.ecr is not None


@pytest.mark.parametrize(
    ("untag", "tag", "why"),
    [
        (["showtime_managed"], [], "no longer carries the original's tags"),
        ([], [{"key": "showtime:pr", "value": "101"}], "(ours)"),
    ],
)
def test_a_service_changed_since_the_listing_is_not_deleted(
    aws: OriginalAws,
    original: Original,  # noqa: F811
    untag: list[str],
    tag: list[dict[str, str]],
    why: str,
) -> None:
    svc = aws.inventory().envs()[(101, "a1a1a1a")].service
    assert svc is not None
    ecs = original.clients["ecs"]
    if untag:
        ecs.untag_resource(resourceArn=svc.arn, tagKeys=untag)
    if tag:
        ecs.tag_resource(resourceArn=svc.arn, tags=tag)
    [result] = aws.delete([Deletion("ecs-service", svc.name, svc.arn)], 101)
    assert not result.deleted and result.error is not None and why in result.error
    assert original.services()["pr-101-a1a1a1a-service"] == "ACTIVE"
