"""The orphan sweep's AWS side: list the candidates with their tags, delete the orphans.

What is deleted is decided, purely, by :func:`showtime_iac.core.orphans.classify_orphans`;
this module only reads (ECS services of the cluster, task definitions ``showtime-pr-*``, the
ECR repository's images ``sti-pr-*``, and through :mod:`.orphan_kinds` listener rules, target
groups, security groups, roles, secrets and log groups) and deletes, dependents first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from showtime_iac.adapters.aws import orphan_kinds as _kinds
from showtime_iac.adapters.aws.errors import AwsError
from showtime_iac.adapters.aws.session import AwsClients, aws_call
from showtime_iac.core.model import IMAGE_TAG_PREFIX
from showtime_iac.core.orphans import DeleteResult, OrphanDecision, TaggedResource, deletion_order

__all__ = ["delete_orphans", "delete_resource", "list_tagged"]

# our image tags (model.resource_names): never the original Showtime's `pr-N-sha-ci`
_IMAGE_TAG_RE = re.compile(rf"^{re.escape(IMAGE_TAG_PREFIX)}(0|[1-9][0-9]{{0,9}})-([0-9a-f]{{7}})$")


def _first_deployment(deployments: Iterable[Mapping[str, Any]] | None) -> datetime | None:
    times = [d["createdAt"] for d in deployments or [] if isinstance(d.get("createdAt"), datetime)]
    return min(times) if times else None


def _tags(raw: Iterable[Mapping[str, Any]] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for t in raw or []:
        k = t.get("key", t.get("Key"))
        v = t.get("value", t.get("Value"))
        if isinstance(k, str) and isinstance(v, str):
            out[k] = v
    return out


def list_tagged(clients: AwsClients, cluster: str, ecr_repository: str) -> list[TaggedResource]:
    """Every candidate of the sweep: ECS services of ``cluster``, task definitions of family
    ``showtime-pr-*``, the listener rules of the shared load balancers, target groups,
    security groups, roles ``sti-pr-*``, secrets and log groups ``/showtime/pr-*`` (with their
    tags: :mod:`.orphan_kinds`), and the images of ``ecr_repository`` tagged ``sti-pr-*``.

    An image carries no AWS tags, so its tag name alone would decide; it is ours only when
    the repository is the one showtime-iac manages (tagged ``showtime:managed-by``) or a
    resource with our AWS tags of the same PR and SHA was found too. Otherwise it is listed
    ``unproven`` (never deleted; the repository's lifecycle policy expires PR images)."""
    by_api = _kinds.tagged_by_api(clients)
    tagged = [
        *_list_services(clients, cluster),
        *_kinds.list_rules(clients),
        *_kinds.list_target_groups(by_api),
        *_kinds.list_security_groups(clients),
        *_list_task_definitions(clients, by_api),
        *_kinds.list_roles(clients),
        *_kinds.list_secrets(clients),
        *_kinds.list_log_groups(clients, by_api),
    ]
    seen = {(r.tags.get("showtime:pr"), (r.tags.get("showtime:sha") or "")[:7]) for r in tagged}
    return [*tagged, *_list_images(clients, ecr_repository, seen)]


def _list_services(clients: AwsClients, cluster: str) -> list[TaggedResource]:
    ecs = clients.ecs
    out: list[TaggedResource] = []
    with aws_call(f"ListServices {cluster}"):
        try:
            arns = [
                a
                for page in ecs.get_paginator("list_services").paginate(cluster=cluster)
                for a in page.get("serviceArns", [])
            ]
        except ecs.exceptions.ClusterNotFoundException:
            return []
        for i in range(0, len(arns), 10):
            resp = ecs.describe_services(
                cluster=cluster, services=arns[i : i + 10], include=["TAGS"]
            )
            for s in resp.get("services", []):
                if s.get("status") != "ACTIVE":
                    continue  # DRAINING/INACTIVE: already on their way out
                out.append(
                    TaggedResource(
                        "ecs-service",
                        s["serviceName"],
                        s["serviceArn"],
                        _tags(s.get("tags")),
                        s.get("createdAt") or _first_deployment(s.get("deployments")),
                    )
                )
    return out


def _list_task_definitions(
    clients: AwsClients, by_api: Mapping[str, Mapping[str, str]]
) -> list[TaggedResource]:
    """The ACTIVE revisions of our families. Their tags come from the Tagging API's answer
    (``by_api``: one listing for the fleet instead of one ``DescribeTaskDefinition`` per
    revision; an ACTIVE revision it does not report carries none of our tags); without a
    Tagging API client, each revision is described (which also gives its age)."""
    ecs = clients.ecs
    out: list[TaggedResource] = []
    # ListTaskDefinitions' familyPrefix is a whole family name, not a prefix: list the
    # ACTIVE ones and keep our families by ARN before describing any
    with aws_call("ListTaskDefinitions"):
        pages = ecs.get_paginator("list_task_definitions").paginate(status="ACTIVE")
        arns = [a for p in pages for a in p.get("taskDefinitionArns", [])]
        for arn in (a for a in arns if ":task-definition/showtime-pr-" in a):
            if clients.client("tagging") is not None:
                name = arn.split(":task-definition/", 1)[1]
                out.append(TaggedResource("task-definition", name, arn, dict(by_api.get(arn, {}))))
                continue
            resp = ecs.describe_task_definition(taskDefinition=arn, include=["TAGS"])
            td = resp["taskDefinition"]
            out.append(
                TaggedResource(
                    "task-definition",
                    f"{td['family']}:{td['revision']}",
                    td["taskDefinitionArn"],
                    _tags(resp.get("tags")),
                    td.get("registeredAt"),
                )
            )
    return out


def _managed_repository(clients: AwsClients, ecr_repository: str) -> bool:
    """The repository carries the shared stack's tag ``showtime:managed-by=showtime-iac``."""
    ecr = clients.ecr
    with aws_call(f"DescribeRepositories {ecr_repository}"):
        repos = ecr.describe_repositories(repositoryNames=[ecr_repository]).get("repositories")
        arn = (repos or [{}])[0].get("repositoryArn")
        if not arn:
            return False
        tags = _tags(ecr.list_tags_for_resource(resourceArn=arn).get("tags"))
    return tags.get("showtime:managed-by") == "showtime-iac"


def _list_images(
    clients: AwsClients, ecr_repository: str, seen: set[tuple[str | None, str]]
) -> list[TaggedResource]:
    ecr = clients.ecr
    out: list[TaggedResource] = []
    with aws_call(f"DescribeImages {ecr_repository}"):
        try:
            pages = list(
                ecr.get_paginator("describe_images").paginate(
                    repositoryName=ecr_repository, filter={"tagStatus": "TAGGED"}
                )
            )
        except ecr.exceptions.RepositoryNotFoundException:
            return []
    managed: bool | None = None
    for page in pages:
        for img in page.get("imageDetails", []):
            image_tags = list(img.get("imageTags", []))
            ours = [t for t in image_tags if _IMAGE_TAG_RE.match(t)]
            if not ours:
                continue  # untagged or not ours: never touched
            m = _IMAGE_TAG_RE.match(ours[0])
            assert m is not None
            unproven = None
            if (m.group(1), m.group(2)) not in seen:
                if managed is None:
                    managed = _managed_repository(clients, ecr_repository)
                if not managed:
                    unproven = (
                        f"only its tag name says it is ours: {ecr_repository} is not tagged "
                        "showtime:managed-by=showtime-iac and no tagged resource of "
                        f"PR {m.group(1)} {m.group(2)} was found (the lifecycle policy expires it)"
                    )
            out.append(
                TaggedResource(
                    "ecr-image",
                    ours[0],
                    img["imageDigest"],
                    {"showtime:pr": m.group(1), "showtime:sha": m.group(2)},
                    img.get("imagePushedAt"),
                    tuple(t for t in image_tags if t != ours[0]),
                    unproven,
                )
            )
    return out


def delete_orphans(
    clients: AwsClients,
    cluster: str,
    ecr_repository: str,
    decisions: Sequence[OrphanDecision],
    *,
    dry_run: bool = True,
) -> list[DeleteResult]:
    """Delete the ``delete`` decisions, dependents first (:func:`deletion_order`), each one
    independently: an error is reported and the rest go on. One that something still uses (a
    stopping task's network interface holds a security group) is ``deferred``, not an error:
    the next sweep deletes it. ``dry_run`` (the default) calls nothing that writes."""
    results: list[DeleteResult] = []
    for d in deletion_order(decisions):
        if dry_run:
            results.append(DeleteResult(d, deleted=False, dry_run=True))
            continue
        try:
            delete_resource(clients, cluster, ecr_repository, d.resource)
            results.append(DeleteResult(d, deleted=True, dry_run=False))
        except AwsError as exc:
            if exc.code in _kinds.IN_USE:
                results.append(DeleteResult(d, False, False, deferred=str(exc)))
            else:
                results.append(DeleteResult(d, deleted=False, dry_run=False, error=str(exc)))
    return results


def delete_resource(
    clients: AwsClients, cluster: str, ecr_repository: str, r: TaggedResource
) -> None:
    """Delete one resource of the sweep (raises :class:`AwsError`)."""
    c = clients
    with aws_call(f"delete {r.kind} {r.name}"):
        if r.kind == "ecs-service":
            c.ecs.delete_service(cluster=cluster, service=r.name, force=True)
        elif r.kind == "task-definition":
            c.ecs.deregister_task_definition(taskDefinition=r.ident)
        elif r.kind == "log-group":
            c.logs.delete_log_group(logGroupName=r.name)
        elif r.kind != "ecr-image":
            _kinds.delete_kind(c, r)
        else:
            resp = c.ecr.batch_delete_image(
                repositoryName=ecr_repository, imageIds=[{"imageDigest": r.ident}]
            )
            for f in resp.get("failures", []):
                raise AwsError(
                    f"BatchDeleteImage {r.name} failed: {f.get('failureCode')}: "
                    f"{f.get('failureReason')}",
                    str(f.get("failureCode")),
                )
