"""The original's inventory and deletion, pinned whole: what is sent to AWS (over moto, and
botocore's Stubber for the shapes and faults moto can't make), what each item becomes, and
each error message a migration shows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.stub import Stubber

from showtime_iac.adapters.aws import AwsClients, AwsError
from showtime_iac.adapters.aws.original import OriginalAws
from showtime_iac.core.migration import Deletion
from showtime_iac.core.original import OriginalInventory, OriginalService, OriginalTaskDefinition
from tests.doubles import CLUSTER, REPO, World, stub_clients


def _original_service(world: World, name: str, pr: int) -> str:
    c = world.c
    td = c.ecs.register_task_definition(
        family="superset-ci",
        containerDefinitions=[{"name": "superset", "image": "apache/superset:x", "memory": 512}],
    )["taskDefinition"]["taskDefinitionArn"]
    return str(
        c.ecs.create_service(
            cluster=CLUSTER,
            serviceName=name,
            taskDefinition=td,
            desiredCount=0,
            tags=[{"key": "showtime_managed", "value": "true"}, {"key": "pr", "value": str(pr)}],
        )["service"]["serviceArn"]
    )


def test_every_original_service_is_listed_once_however_many_and_without_a_task(
    world: World,
) -> None:
    # DescribeServices takes 10 names at a time: 11 services take two calls; none has a task
    # (scaled to zero), so its IP is unknown rather than an error
    names = [f"pr-{100 + i}-{i:07x}-service" for i in range(11)]
    for i, n in enumerate(names):
        _original_service(world, n, 100 + i)
    _original_service(world, "someone-elses-service", 1)
    inv = OriginalAws(world.c, cluster=CLUSTER, repository=REPO).inventory()
    assert [(s.name, s.status, s.ip, s.desired, s.running) for s in inv.services] == [
        (n, "ACTIVE", None, 0, 0) for n in names
    ]


# --- over botocore's Stubber: every request pinned, and the shapes moto never answers -------

ACCOUNT = "arn:aws:ecs:us-west-2:123456789012"
T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
T1 = datetime(2026, 1, 1, 0, 0, 0, tzinfo=UTC)
T2 = datetime(2026, 1, 3, 0, 0, 0, tzinfo=UTC)


def _svc_arn(name: str) -> str:
    return f"{ACCOUNT}:service/{CLUSTER}/{name}"


def _td_arn(rev: int, family: str = "superset-ci") -> str:
    return f"{ACCOUNT}:task-definition/{family}:{rev}"


@pytest.fixture
def stubs(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[OriginalAws, Stubber, Stubber]]:
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    clients: AwsClients = stub_clients()
    ecs, ecr = Stubber(clients.ecs), Stubber(clients.ecr)
    with ecs, ecr:
        yield OriginalAws(clients, cluster=CLUSTER, repository=REPO), ecs, ecr
        ecs.assert_no_pending_responses()
        ecr.assert_no_pending_responses()


def _no_task(ecs: Stubber, name: str) -> None:
    for status in ("RUNNING", "STOPPED"):
        ecs.add_response(
            "list_tasks",
            {"taskArns": []},
            {"cluster": CLUSTER, "serviceName": name, "desiredStatus": status},
        )


def test_the_inventory_reads_every_page_and_each_field_as_aws_describes_it(
    stubs: tuple[OriginalAws, Stubber, Stubber],
) -> None:
    aws, ecs, ecr = stubs
    a, b, c, d = (
        "pr-1-aaaaaaa-service",
        "pr-2-bbbbbbb-service",
        "pr-3-ccccccc-service",
        "pr-4-ddddddd-service",
    )
    # ListServices: three pages, the last one empty; a service not named like the original's
    ecs.add_response(
        "list_services",
        {"serviceArns": [_svc_arn(c), _svc_arn("web"), _svc_arn(a)], "nextToken": "p2"},
        {"cluster": CLUSTER},
    )
    ecs.add_response(
        "list_services",
        {"serviceArns": [_svc_arn(b), _svc_arn(d)], "nextToken": "p3"},
        {"cluster": CLUSTER, "nextToken": "p2"},
    )
    ecs.add_response("list_services", {}, {"cluster": CLUSTER, "nextToken": "p3"})
    ecs.add_response(
        "describe_services",
        {
            "services": [
                {  # ACTIVE, all fields
                    "serviceName": c,
                    "serviceArn": _svc_arn(c),
                    "status": "ACTIVE",
                    "taskDefinition": _td_arn(3),
                    "createdAt": T0,
                    "deployments": [{"createdAt": T1}],
                    "desiredCount": 1,
                    "runningCount": 0,
                    "tags": [
                        {"key": "showtime_managed", "value": "true"},
                        {"key": "pr", "value": "3"},
                    ],
                },
                {  # DRAINING: listed; no task definition, no counts, age from its deployments
                    "serviceName": a,
                    "serviceArn": _svc_arn(a),
                    "status": "DRAINING",
                    "deployments": [{"createdAt": T2}, {"id": "ecs-svc/1"}, {"createdAt": T1}],
                    "tags": [{"key": "pr", "value": "1"}, {"key": "no-value"}],
                },
                {"serviceName": b, "serviceArn": _svc_arn(b), "status": "INACTIVE"},
                {  # no age at all
                    "serviceName": d,
                    "serviceArn": _svc_arn(d),
                    "status": "ACTIVE",
                    "desiredCount": 2,
                    "runningCount": 2,
                },
            ]
        },
        {
            "cluster": CLUSTER,
            "services": [_svc_arn(c), _svc_arn(a), _svc_arn(b), _svc_arn(d)],
            "include": ["TAGS"],
        },
    )
    ecs.add_response(
        "describe_task_definition",
        {
            "taskDefinition": {
                "taskDefinitionArn": _td_arn(3),
                "family": "superset-ci",
                "revision": 3,
                "containerDefinitions": [
                    {
                        "name": "superset",
                        "image": "apache/superset:pr-3-ccccccc-ci",
                        "environment": [
                            {"name": "SUPERSET_FEATURE_ALERTS", "value": "True"},
                            {"name": "SUPERSET_FEATURE_EMPTY"},
                            {"name": "SUPERSET_ENV", "value": "development"},
                            {"value": "nameless"},
                        ],
                    }
                ],
            }
        },
        {"taskDefinition": _td_arn(3)},
    )
    _no_task(ecs, c)
    _no_task(ecs, a)
    _no_task(ecs, d)
    # ListTaskDefinitions: the whole family superset-ci, ACTIVE only, every page
    ecs.add_response(
        "list_task_definitions",
        {
            "taskDefinitionArns": [_td_arn(1), _td_arn(7, "superset-ci-other")],
            "nextToken": "t2",
        },
        {"familyPrefix": "superset-ci", "status": "ACTIVE"},
    )
    ecs.add_response(
        "list_task_definitions",
        {"taskDefinitionArns": [_td_arn(2)], "nextToken": "t3"},
        {"familyPrefix": "superset-ci", "status": "ACTIVE", "nextToken": "t2"},
    )
    ecs.add_response(
        "list_task_definitions",
        {},
        {"familyPrefix": "superset-ci", "status": "ACTIVE", "nextToken": "t3"},
    )
    ecs.add_response(
        "describe_task_definition",
        {
            "taskDefinition": {
                "taskDefinitionArn": _td_arn(1),
                "family": "superset-ci",
                "revision": 1,
                "containerDefinitions": [
                    {"name": "superset", "image": "apache/superset:pr-1-aaaaaaa-ci"}
                ],
            },
            "tags": [{"key": "pr", "value": "1"}],
        },
        {"taskDefinition": _td_arn(1), "include": ["TAGS"]},
    )
    ecs.add_response(  # another family, should ListTaskDefinitions ever return one: skipped
        "describe_task_definition",
        {
            "taskDefinition": {
                "taskDefinitionArn": _td_arn(7, "superset-ci-other"),
                "family": "superset-ci-other",
                "revision": 7,
            }
        },
        {"taskDefinition": _td_arn(7, "superset-ci-other"), "include": ["TAGS"]},
    )
    ecs.add_response(  # no container, no tags
        "describe_task_definition",
        {
            "taskDefinition": {
                "taskDefinitionArn": _td_arn(2),
                "family": "superset-ci",
                "revision": 2,
                "containerDefinitions": [],
            }
        },
        {"taskDefinition": _td_arn(2), "include": ["TAGS"]},
    )
    # DescribeImages: tagged images only, every page
    ecr.add_response(
        "describe_images",
        {
            "imageDetails": [
                {"imageDigest": "sha256:1", "imageTags": ["pr-3-ccccccc-ci", "latest"]},
                {"imageDigest": "sha256:2"},
                {"imageDigest": "sha256:3", "imageTags": ["pr-1-aaaaaaa-ci"]},
            ],
            "nextToken": "e2",
        },
        {"repositoryName": REPO, "filter": {"tagStatus": "TAGGED"}},
    )
    ecr.add_response(
        "describe_images",
        {},
        {"repositoryName": REPO, "filter": {"tagStatus": "TAGGED"}, "nextToken": "e2"},
    )

    assert aws.inventory() == OriginalInventory(
        services=(
            OriginalService(
                name="pr-1-aaaaaaa-service",
                arn=f"{ACCOUNT}:service/superset-ci/pr-1-aaaaaaa-service",
                status="DRAINING",
                tags={"pr": "1"},
                task_definition=None,
                image=None,
                created=datetime(2026, 1, 1, 0, 0, 0, tzinfo=UTC),
                desired=0,
                running=0,
                ip=None,
                flags=(),
            ),
            OriginalService(
                name="pr-3-ccccccc-service",
                arn=f"{ACCOUNT}:service/superset-ci/pr-3-ccccccc-service",
                status="ACTIVE",
                tags={"showtime_managed": "true", "pr": "3"},
                task_definition=f"{ACCOUNT}:task-definition/superset-ci:3",
                image="apache/superset:pr-3-ccccccc-ci",
                created=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
                desired=1,
                running=0,
                ip=None,
                flags=(("SUPERSET_FEATURE_ALERTS", "True"), ("SUPERSET_FEATURE_EMPTY", "")),
            ),
            OriginalService(
                name="pr-4-ddddddd-service",
                arn=f"{ACCOUNT}:service/superset-ci/pr-4-ddddddd-service",
                status="ACTIVE",
                tags={},
                task_definition=None,
                image=None,
                created=None,
                desired=2,
                running=2,
                ip=None,
                flags=(),
            ),
        ),
        task_definitions=(
            OriginalTaskDefinition(
                arn=f"{ACCOUNT}:task-definition/superset-ci:1",
                family="superset-ci",
                revision=1,
                image="apache/superset:pr-1-aaaaaaa-ci",
                tags={"pr": "1"},
            ),
            OriginalTaskDefinition(
                arn=f"{ACCOUNT}:task-definition/superset-ci:2",
                family="superset-ci",
                revision=2,
                image=None,
                tags={},
            ),
        ),
        ecr_tags=("pr-1-aaaaaaa-ci", "pr-3-ccccccc-ci"),
    )


def _one_of_each(ecs: Stubber, ecr: Stubber, fail: str) -> None:
    """An inventory of one service, one revision and one tag; the call ``fail`` is denied."""
    name = "pr-3-ccccccc-service"
    calls: list[tuple[Stubber, str, dict[str, Any], dict[str, Any]]] = [
        (ecs, "list_services", {"serviceArns": [_svc_arn(name)]}, {"cluster": CLUSTER}),
        (
            ecs,
            "describe_services",
            {
                "services": [
                    {
                        "serviceName": name,
                        "serviceArn": _svc_arn(name),
                        "status": "ACTIVE",
                        "taskDefinition": _td_arn(3),
                    }
                ]
            },
            {"cluster": CLUSTER, "services": [_svc_arn(name)], "include": ["TAGS"]},
        ),
        (ecs, "describe_task_definition", {"taskDefinition": {}}, {"taskDefinition": _td_arn(3)}),
        (
            ecs,
            "list_tasks",
            {},
            {"cluster": CLUSTER, "serviceName": name, "desiredStatus": "RUNNING"},
        ),
        (
            ecs,
            "list_tasks",
            {},
            {"cluster": CLUSTER, "serviceName": name, "desiredStatus": "STOPPED"},
        ),
        (
            ecs,
            "list_task_definitions",
            {"taskDefinitionArns": [_td_arn(3)]},
            {"familyPrefix": "superset-ci", "status": "ACTIVE"},
        ),
        (
            ecs,
            "describe_task_definition",
            {"taskDefinition": {}},
            {"taskDefinition": _td_arn(3), "include": ["TAGS"]},
        ),
        (
            ecr,
            "describe_images",
            {},
            {"repositoryName": REPO, "filter": {"tagStatus": "TAGGED"}},
        ),
    ]
    for i, (stub, op, resp, params) in enumerate(calls):
        if i == int(fail):
            stub.add_client_error(op, "AccessDeniedException", "denied", expected_params=params)
            return
        stub.add_response(op, resp, params)


@pytest.mark.parametrize(
    ("fail", "message"),
    [
        ("0", "ListServices superset-ci failed: AccessDeniedException: denied"),
        ("1", "DescribeServices failed: AccessDeniedException: denied"),
        (
            "2",
            "DescribeTaskDefinition arn:aws:ecs:us-west-2:123456789012:task-definition/"
            "superset-ci:3 failed: AccessDeniedException: denied",
        ),
        ("5", "ListTaskDefinitions superset-ci failed: AccessDeniedException: denied"),
        (
            "6",
            "DescribeTaskDefinition arn:aws:ecs:us-west-2:123456789012:task-definition/"
            "superset-ci:3 failed: AccessDeniedException: denied",
        ),
        ("7", "DescribeImages superset-ci failed: AccessDeniedException: denied"),
    ],
)
def test_a_denied_read_names_the_call(
    stubs: tuple[OriginalAws, Stubber, Stubber], fail: str, message: str
) -> None:
    aws, ecs, ecr = stubs
    _one_of_each(ecs, ecr, fail)
    with pytest.raises(AwsError) as info:
        aws.inventory()
    assert str(info.value) == message


def test_delete_reports_each_item_and_goes_on_after_an_error(
    stubs: tuple[OriginalAws, Stubber, Stubber],
) -> None:
    aws, ecs, ecr = stubs
    tags = [{"key": "showtime_managed", "value": "true"}, {"key": "pr", "value": "1"}]
    gone, denied, renamed, kept = (
        "pr-1-aaaaaaa-service",
        "pr-1-bbbbbbb-service",
        "pr-1-service",
        "pr-1-ccccccc-service",
    )
    unreadable = "pr-1-ddddddd-service"
    # services first, each described again right before DeleteService
    ecs.add_response(  # no longer there: ECS answers a failure, no services
        "describe_services",
        {"failures": [{"arn": _svc_arn(gone), "reason": "MISSING"}]},
        {"cluster": CLUSTER, "services": [gone], "include": ["TAGS"]},
    )
    ecs.add_response(
        "describe_services",
        {"services": [{"serviceName": denied, "serviceArn": _svc_arn(denied), "tags": tags}]},
        {"cluster": CLUSTER, "services": [denied], "include": ["TAGS"]},
    )
    ecs.add_client_error(
        "delete_service",
        "AccessDeniedException",
        "denied",
        expected_params={"cluster": CLUSTER, "service": denied, "force": True},
    )
    ecs.add_response(  # found, with the original's tags, but not named like the original's
        "describe_services",
        {"services": [{"serviceName": renamed, "serviceArn": _svc_arn(renamed), "tags": tags}]},
        {"cluster": CLUSTER, "services": [renamed], "include": ["TAGS"]},
    )
    ecs.add_client_error(
        "describe_services",
        "AccessDeniedException",
        "denied",
        expected_params={"cluster": CLUSTER, "services": [unreadable], "include": ["TAGS"]},
    )
    ecs.add_response(
        "describe_services",
        {"services": [{"serviceName": kept, "serviceArn": _svc_arn(kept), "tags": tags}]},
        {"cluster": CLUSTER, "services": [kept], "include": ["TAGS"]},
    )
    ecs.add_response("delete_service", {}, {"cluster": CLUSTER, "service": kept, "force": True})
    ecs.add_client_error(
        "deregister_task_definition",
        "ClientException",
        "in use",
        expected_params={"taskDefinition": _td_arn(1)},
    )
    ecs.add_response("deregister_task_definition", {}, {"taskDefinition": _td_arn(2)})
    image = {"repositoryName": REPO}
    ecr.add_client_error(
        "batch_delete_image",
        "AccessDeniedException",
        "denied",
        expected_params={**image, "imageIds": [{"imageTag": "pr-1-aaaaaaa-ci"}]},
    )
    ecr.add_response(  # already gone: deleted all the same
        "batch_delete_image",
        {
            "failures": [
                {
                    "imageId": {"imageTag": "pr-1-bbbbbbb-ci"},
                    "failureCode": "ImageNotFound",
                    "failureReason": "Requested image not found",
                }
            ],
        },
        {**image, "imageIds": [{"imageTag": "pr-1-bbbbbbb-ci"}]},
    )
    ecr.add_response(
        "batch_delete_image",
        {
            "failures": [
                {
                    "imageId": {"imageTag": "pr-1-ccccccc-ci"},
                    "failureCode": "ImageReferencedByManifestList",
                    "failureReason": "referenced by a manifest list",
                }
            ]
        },
        {**image, "imageIds": [{"imageTag": "pr-1-ccccccc-ci"}]},
    )
    ecr.add_response(  # no failures listed at all
        "batch_delete_image",
        {"imageIds": [{"imageTag": "pr-1-ddddddd-ci"}]},
        {**image, "imageIds": [{"imageTag": "pr-1-ddddddd-ci"}]},
    )
    items = [
        Deletion("ecr-image", "pr-1-aaaaaaa-ci", "pr-1-aaaaaaa-ci"),
        Deletion("task-definition", "superset-ci:1", _td_arn(1)),
        Deletion("ecr-image", "pr-1-bbbbbbb-ci", "pr-1-bbbbbbb-ci"),
        Deletion("ecs-service", gone, _svc_arn(gone)),
        Deletion("ecr-image", "pr-1-ccccccc-ci", "pr-1-ccccccc-ci"),
        Deletion("ecs-service", denied, _svc_arn(denied)),
        Deletion("task-definition", "superset-ci:2", _td_arn(2)),
        Deletion("ecs-service", renamed, _svc_arn(renamed)),
        Deletion("ecs-service", unreadable, _svc_arn(unreadable)),
        Deletion("ecr-image", "pr-1-ddddddd-ci", "pr-1-ddddddd-ci"),
        Deletion("ecs-service", kept, _svc_arn(kept)),
    ]
    assert [r.to_json() for r in aws.delete(items, 1)] == [
        {
            "kind": "ecs-service",
            "name": "pr-1-aaaaaaa-service",
            "deleted": False,
            "error": "service pr-1-aaaaaaa-service is not the one listed: not deleted",
        },
        {
            "kind": "ecs-service",
            "name": "pr-1-bbbbbbb-service",
            "deleted": False,
            "error": "DeleteService pr-1-bbbbbbb-service failed: AccessDeniedException: denied",
        },
        {
            "kind": "ecs-service",
            "name": "pr-1-service",
            "deleted": False,
            "error": "service pr-1-service is not the one listed: not deleted",
        },
        {
            "kind": "ecs-service",
            "name": "pr-1-ddddddd-service",
            "deleted": False,
            "error": "DescribeServices pr-1-ddddddd-service failed: AccessDeniedException: denied",
        },
        {"kind": "ecs-service", "name": "pr-1-ccccccc-service", "deleted": True, "error": None},
        {
            "kind": "task-definition",
            "name": "superset-ci:1",
            "deleted": False,
            "error": "DeregisterTaskDefinition superset-ci:1 failed: ClientException: in use",
        },
        {"kind": "task-definition", "name": "superset-ci:2", "deleted": True, "error": None},
        {
            "kind": "ecr-image",
            "name": "pr-1-aaaaaaa-ci",
            "deleted": False,
            "error": "BatchDeleteImage pr-1-aaaaaaa-ci failed: AccessDeniedException: denied",
        },
        {"kind": "ecr-image", "name": "pr-1-bbbbbbb-ci", "deleted": True, "error": None},
        {
            "kind": "ecr-image",
            "name": "pr-1-ccccccc-ci",
            "deleted": False,
            "error": "BatchDeleteImage pr-1-ccccccc-ci: referenced by a manifest list",
        },
        {"kind": "ecr-image", "name": "pr-1-ddddddd-ci", "deleted": True, "error": None},
    ]


@pytest.mark.parametrize("state", ["stopped", "running without a public IP"])
def test_a_service_whose_task_has_no_address_is_listed_with_its_ip_unknown(
    stubs: tuple[OriginalAws, Stubber, Stubber], state: str
) -> None:
    aws, ecs, ecr = stubs
    name = "pr-5-eeeeeee-service"
    task_arn = f"{ACCOUNT}:task/{CLUSTER}/0123456789abcdef"
    ecs.add_response("list_services", {"serviceArns": [_svc_arn(name)]}, {"cluster": CLUSTER})
    ecs.add_response(
        "describe_services",
        {"services": [{"serviceName": name, "serviceArn": _svc_arn(name), "status": "ACTIVE"}]},
        {"cluster": CLUSTER, "services": [_svc_arn(name)], "include": ["TAGS"]},
    )
    running = state != "stopped"
    group = f"service:{name}"
    for status, listed in (("RUNNING", running), ("STOPPED", not running)):
        ecs.add_response(
            "list_tasks",
            {"taskArns": [task_arn] if listed else []},
            {"cluster": CLUSTER, "serviceName": name, "desiredStatus": status},
        )
        if listed:
            t = {"taskArn": task_arn, "lastStatus": status, "group": group}
            if not running:
                t["stoppedReason"] = "Essential container in task exited"
            ecs.add_response(
                "describe_tasks", {"tasks": [t]}, {"cluster": CLUSTER, "tasks": [task_arn]}
            )
        if running:
            break  # a running task without an ENI: no public IP
    ecs.add_response(
        "list_task_definitions", {}, {"familyPrefix": "superset-ci", "status": "ACTIVE"}
    )
    ecr.add_response(
        "describe_images", {}, {"repositoryName": REPO, "filter": {"tagStatus": "TAGGED"}}
    )
    [svc] = aws.inventory().services
    assert (svc.name, svc.ip) == ("pr-5-eeeeeee-service", None)


def test_a_service_gone_between_listing_and_describing_is_left_out(
    stubs: tuple[OriginalAws, Stubber, Stubber],
) -> None:
    aws, ecs, ecr = stubs
    arn = _svc_arn("pr-6-fffffff-service")
    ecs.add_response("list_services", {"serviceArns": [arn]}, {"cluster": CLUSTER})
    ecs.add_response(  # ECS answers only a failure, no "services" at all
        "describe_services",
        {"failures": [{"arn": arn, "reason": "MISSING"}]},
        {"cluster": CLUSTER, "services": [arn], "include": ["TAGS"]},
    )
    ecs.add_response(
        "list_task_definitions", {}, {"familyPrefix": "superset-ci", "status": "ACTIVE"}
    )
    ecr.add_response(
        "describe_images", {}, {"repositoryName": REPO, "filter": {"tagStatus": "TAGGED"}}
    )
    assert aws.inventory() == OriginalInventory(services=(), task_definitions=(), ecr_tags=())
