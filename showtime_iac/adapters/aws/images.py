"""The image a tag of our ECR repository names, pinned by digest (the sync job's wait)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from showtime_iac.adapters.aws.session import aws_call

if TYPE_CHECKING:
    from mypy_boto3_ecr import ECRClient

__all__ = ["tagged_image"]


def tagged_image(ecr: ECRClient, repository: str, tag: str) -> str | None:
    """``<repository URI>@<digest>`` of the image ``repository:tag``, or None when the tag is
    not there. A repository that does not exist is an error (the push job pushes into it)."""
    with aws_call(f"DescribeImages {repository}:{tag}"):
        try:
            found = ecr.describe_images(repositoryName=repository, imageIds=[{"imageTag": tag}])
        except ecr.exceptions.ImageNotFoundException:
            return None
        details = found.get("imageDetails") or []
        if not details or not details[0].get("imageDigest"):
            return None
        repo = ecr.describe_repositories(repositoryNames=[repository])["repositories"][0]
    return f"{repo['repositoryUri']}@{details[0]['imageDigest']}"
