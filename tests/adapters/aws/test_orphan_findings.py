"""The orphan sweep's side of the security review (issue 15, low): an ECR image is judged by
more than its tag name, and nothing a live stack owns is deleted (moto)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from showtime_iac.core.model import resource_names
from tests.adapters.aws.support import SHA1, SHA2, live_from_env
from tests.doubles import REPO, World, manifest

LATER = datetime.now(UTC) + timedelta(hours=2)


def decisions_by_name(live_stacks: set[str], open_prs: set[int]) -> dict[str, tuple[str, str]]:
    return {
        d.resource.name.split(":")[0]: (d.action, d.reason)
        for d in live_from_env().find_orphans(live_stacks, open_prs, LATER)
    }


def test_finding_low_an_image_named_like_ours_alone_is_never_deleted(world: World) -> None:
    # someone else's image in a repository showtime-iac does not manage, named like ours
    ours = resource_names(9, "abcdef0").image_tag
    world.c.ecr.put_image(repositoryName=REPO, imageManifest=manifest("x"), imageTag=ours)
    got = decisions_by_name(set(), set())
    action, reason = got[ours]
    assert action == "skip" and "only its tag name" in reason
    # the same image in the repository the shared stack manages (tagged): ours
    arn = world.c.ecr.describe_repositories(repositoryNames=[REPO])["repositories"][0][
        "repositoryArn"
    ]
    world.c.ecr.tag_resource(
        resourceArn=arn, tags=[{"Key": "showtime:managed-by", "Value": "showtime-iac"}]
    )
    assert decisions_by_name(set(), set())[ours][0] == "delete"


def test_finding_low_an_image_with_tagged_siblings_of_its_pr_and_sha_is_ours(world: World) -> None:
    world.environment(2, SHA2)  # service, task definition, log group with our AWS tags
    assert decisions_by_name(set(), set())[resource_names(2, SHA2).image_tag][0] == "delete"


def test_finding_low_the_sweep_never_deletes_what_a_blocked_closed_prs_stack_owns(
    world: World,
) -> None:
    # PR 1 is closed but 🔒 blocked: cleanup keeps its stack, so its resources stay whole
    world.environment(1, SHA1)
    names = resource_names(1, SHA1)
    got = decisions_by_name({names.stack}, set())
    for name in (names.service, names.task_family, names.log_group, names.image_tag):
        assert got[name][0] == "keep", (name, got[name])
        assert f"stack {names.stack} exists" in got[name][1]
