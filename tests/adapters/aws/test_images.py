"""The image a tag of our ECR repository names (the sync job's wait), against moto's ECR."""

from __future__ import annotations

import pytest

from showtime_iac.adapters.aws import AwsError, AwsLive
from tests.doubles import World, manifest


def test_a_tag_is_read_as_the_repository_uri_pinned_by_digest(world: World) -> None:
    ecr = world.c.ecr
    uri = ecr.create_repository(repositoryName="previews")["repository"]["repositoryUri"]
    pushed = ecr.put_image(
        repositoryName="previews", imageManifest=manifest("a"), imageTag="sti-pr-1-abc1234"
    )
    digest = pushed["image"]["imageId"]["imageDigest"]
    live = AwsLive(world.c, ecr_repository="previews")
    assert live.tagged_image("sti-pr-1-abc1234") == f"{uri}@{digest}"
    assert live.tagged_image("sti-pr-1-0000000") is None  # no such tag: not an error


def test_a_missing_repository_is_an_error_naming_the_call(world: World) -> None:
    live = AwsLive(world.c, ecr_repository="nowhere")
    with pytest.raises(AwsError, match=r"DescribeImages nowhere:sti-pr-1-abc1234 failed: Repo"):
        live.tagged_image("sti-pr-1-abc1234")


def test_an_answer_without_a_digest_is_no_image() -> None:
    """A fault moto cannot make: ECR answering with no image details (botocore's Stubber)."""
    import boto3
    from botocore.stub import Stubber

    from showtime_iac.adapters.aws.images import tagged_image

    ecr = boto3.client("ecr", region_name="us-west-2", aws_access_key_id="a",
                       aws_secret_access_key="b")  # fmt: skip
    with Stubber(ecr) as stub:
        stub.add_response("describe_images", {"imageDetails": []})
        stub.add_response("describe_images", {"imageDetails": [{"imageTags": ["t"]}]})
        assert tagged_image(ecr, "previews", "t") is None
        assert tagged_image(ecr, "previews", "t") is None
