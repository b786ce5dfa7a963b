"""The orphan sweep over moto: listing every kind with its tags, deleting orphans only (and
never what is open and live, or untagged), dry runs that write nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from showtime_iac.adapters.aws import AwsLive
from showtime_iac.core.model import EnvConfig, resource_names, resource_tags
from tests.adapters.aws.support import SHA1, SHA2, SHA3, live_from_env
from tests.doubles import CLUSTER, REPO, World, manifest


def sweep_world(world: World) -> None:
    world.environment(1, SHA1)  # PR 1 open, stack live: kept
    world.environment(2, SHA2)  # PR 2 closed, stack gone: orphan
    world.environment(3, SHA3)  # PR 3 open, stack gone: orphan
    world.environment(4, SHA1, tagged=False)  # our names, no tags: never touched
    # an image of PR 2 that also carries another tag, and an image that is not ours
    shared = manifest("shared")
    world.c.ecr.put_image(repositoryName=REPO, imageManifest=shared, imageTag="sti-pr-2-ddddddd")
    world.c.ecr.put_image(repositoryName=REPO, imageManifest=shared, imageTag="release-6.0")
    world.c.ecr.put_image(repositoryName=REPO, imageManifest=manifest("x"), imageTag="latest")
    # the original Superset Showtime's image of PR 2, in the same repository: never ours
    world.c.ecr.put_image(
        repositoryName=REPO, imageManifest=manifest("original"), imageTag="pr-2-bbbbbbb-ci"
    )


def inventory(live: AwsLive) -> set[tuple[str, str]]:
    return {(r.kind, r.name.split(":")[0]) for r in live.list_tagged()}


def test_list_tagged_reads_the_tags_of_every_kind(world: World) -> None:
    world.environment(1, SHA1)
    found = {r.kind: r for r in live_from_env().list_tagged()}
    assert set(found) == {"ecs-service", "task-definition", "log-group", "ecr-image"}
    for kind in ("ecs-service", "task-definition", "log-group"):
        assert found[kind].tags == resource_tags(EnvConfig(pr=1, sha=SHA1)), kind
    assert found["ecr-image"].tags == {"showtime:pr": "1", "showtime:sha": SHA1[:7]}
    # moto gives task definitions no registeredAt (AWS does); the rest carry their age
    assert all(r.created is not None for k, r in found.items() if k != "task-definition")


def test_sweep_deletes_orphans_only_and_dry_run_writes_nothing(world: World) -> None:
    sweep_world(world)
    live = live_from_env()
    before = inventory(live)
    later = datetime.now(UTC) + timedelta(hours=2)
    decisions = live.find_orphans({"pr-1-aaaaaaa", "shared"}, {1, 3, 4}, later)
    delete = {
        (d.resource.kind, d.resource.name.split(":")[0]) for d in decisions if d.action == "delete"
    }
    n2, n3 = resource_names(2, SHA2), resource_names(3, SHA3)
    expected = {
        (k, n)
        for nm in (n2, n3)
        for k, n in (
            ("ecs-service", nm.service),
            ("task-definition", nm.task_family),
            ("log-group", nm.log_group),
            ("ecr-image", nm.image_tag),
        )
    }
    assert delete == expected
    reasons = {d.resource.name: d.reason for d in decisions}
    assert reasons[n2.service] == "stack pr-2-bbbbbbb no longer exists and PR #2 is closed"
    assert reasons[n3.service] == "stack pr-3-ccccccc no longer exists"
    assert "no showtime:pr" in reasons[resource_names(4, SHA1).service]
    assert "not ours alone" in reasons["sti-pr-2-ddddddd"]

    dry = live.delete_orphans(decisions, dry_run=True)
    assert len(dry) == len(expected) and not any(r.deleted for r in dry)
    assert inventory(live) == before

    done = live.delete_orphans(decisions, dry_run=False)
    assert all(r.deleted and r.error is None for r in done), [r.error for r in done]
    assert inventory(live) == before - expected
    # untouched: PR 1 (open, live), untagged PR 4, the shared and the foreign images
    n1, n4 = resource_names(1, SHA1), resource_names(4, SHA1)
    svc = world.c.ecs.describe_services(cluster=CLUSTER, services=[n1.service, n4.service])
    assert [s["status"] for s in svc["services"]] == ["ACTIVE", "ACTIVE"]
    tags = {
        t
        for i in world.c.ecr.describe_images(repositoryName=REPO)["imageDetails"]
        for t in i.get("imageTags", [])
    }
    assert tags == {
        n1.image_tag,
        "manual-aaaaaaa",
        "sti-pr-2-ddddddd",
        "release-6.0",
        "latest",
        "pr-2-bbbbbbb-ci",  # the original's: untouched
    }
    assert live.find_orphans({"pr-1-aaaaaaa"}, {1, 3, 4}, later) == [
        d for d in live.find_orphans({"pr-1-aaaaaaa"}, {1, 3, 4}, later) if d.action != "delete"
    ]


def test_sweep_keeps_fresh_resources_inside_the_grace_period(world: World) -> None:
    world.environment(2, SHA2)
    decisions = live_from_env().find_orphans(set(), set(), datetime.now(UTC))
    dated = [d for d in decisions if d.resource.created is not None]
    assert len(dated) == 3 and all(d.action == "keep" for d in dated)
    assert all("grace period" in d.reason for d in dated)


def test_delete_failure_is_reported_and_the_rest_goes_on(world: World) -> None:
    world.environment(2, SHA2)
    live = live_from_env()
    decisions = live.find_orphans(set(), set(), datetime.now(UTC) + timedelta(hours=2))
    world.c.logs.delete_log_group(logGroupName=resource_names(2, SHA2).log_group)
    results = live.delete_orphans(decisions, dry_run=False)
    failed = [r for r in results if r.error]
    assert [r.decision.resource.kind for r in failed] == ["log-group"]
    assert "ResourceNotFoundException" in (failed[0].error or "")
    assert sum(r.deleted for r in results) == 3
