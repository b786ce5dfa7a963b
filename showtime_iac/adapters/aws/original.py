"""The AWS side of a migration from Superset Showtime: list what the original created, and
delete exactly one environment of it.

Reads (:meth:`OriginalAws.inventory`): the ECS services of the shared cluster named
``pr-{pr}-{sha7}-service`` (ACTIVE or DRAINING, with tags, task definition, image, feature
flags, age and public IP), the ACTIVE revisions of the shared task definition family
``superset-ci``, and the ECR tags ``pr-{pr}-{sha7}-ci`` of the shared repository. Writes
(:meth:`OriginalAws.delete`): only what :func:`showtime_iac.core.migration.deletions` allowed,
and a service only after describing it again and finding the same name and tags.

boto3 is imported only inside the session helpers, never at module import.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from showtime_iac.adapters.aws.errors import (
    AwsError,
    NoPublicIpError,
    TaskNotRunningError,
    TaskStoppedError,
)
from showtime_iac.adapters.aws.live import AwsLive
from showtime_iac.adapters.aws.session import AwsClients, aws_call
from showtime_iac.core.migration import Deletion
from showtime_iac.core.original import (
    ORIGINAL_TASK_FAMILY,
    OriginalInventory,
    OriginalService,
    OriginalTaskDefinition,
    parse_original_image,
    parse_original_service,
)
from showtime_iac.settings import Settings

__all__ = ["DeletionResult", "OriginalAws"]


def _tags(raw: Iterable[Mapping[str, Any]] | None) -> dict[str, str]:
    """ECS's ``[{"key": ..., "value": ...}]`` (lower case, unlike ECR's and EC2's) as a dict."""
    out: dict[str, str] = {}
    for t in raw or []:
        k, v = t.get("key"), t.get("value")
        if isinstance(k, str) and isinstance(v, str):
            out[k] = v
    return out


def _container(td: Mapping[str, Any]) -> Mapping[str, Any]:
    containers = td.get("containerDefinitions") or [{}]
    return containers[0]  # type: ignore[no-any-return]


def _created(svc: Mapping[str, Any]) -> datetime | None:
    if isinstance(svc.get("createdAt"), datetime):
        return svc["createdAt"]  # type: ignore[no-any-return]
    times = [d["createdAt"] for d in svc.get("deployments") or [] if "createdAt" in d]
    return min(times) if times else None


@dataclass(frozen=True)
class DeletionResult:
    deletion: Deletion
    deleted: bool
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        d = self.deletion
        return {"kind": d.kind, "name": d.name, "deleted": self.deleted, "error": self.error}


class OriginalAws:
    """The original's resources in one cluster and ECR repository (clients injectable)."""

    def __init__(self, clients: AwsClients, *, cluster: str, repository: str) -> None:
        self.clients = clients
        self.cluster = cluster
        self.repository = repository
        self._live = AwsLive(clients, cluster=cluster, ecr_repository=repository)

    @classmethod
    def from_settings(cls, settings: Settings) -> OriginalAws:
        return cls(
            AwsClients.from_settings(settings),
            cluster=settings.ecs_cluster,
            repository=settings.ecr_repository,
        )

    # -- reads ---------------------------------------------------------------------------

    def inventory(self) -> OriginalInventory:
        """Everything named like the original's (reads only)."""
        return OriginalInventory(
            services=tuple(self._services()),
            task_definitions=tuple(self._task_definitions()),
            ecr_tags=tuple(self._ecr_tags()),
        )

    def _service_arns(self) -> list[str]:
        ecs = self.clients.ecs
        with aws_call(f"ListServices {self.cluster}"):
            try:
                pages = ecs.get_paginator("list_services").paginate(cluster=self.cluster)
                return [a for p in pages for a in p.get("serviceArns", [])]
            except ecs.exceptions.ClusterNotFoundException:
                return []

    def _services(self) -> list[OriginalService]:
        arns = [a for a in self._service_arns() if parse_original_service(a.rsplit("/", 1)[-1])]
        out: list[OriginalService] = []
        for i in range(0, len(arns), 10):
            with aws_call("DescribeServices"):
                resp = self.clients.ecs.describe_services(
                    cluster=self.cluster, services=arns[i : i + 10], include=["TAGS"]
                )
            for s in resp.get("services", []):
                if s.get("status") in ("ACTIVE", "DRAINING"):
                    out.append(self._service(dict(s)))
        return sorted(out, key=lambda s: s.name)

    def _service(self, s: dict[str, Any]) -> OriginalService:
        arn = s.get("taskDefinition")
        image, flags = self._image_and_flags(arn) if arn else (None, ())
        return OriginalService(
            name=s["serviceName"],
            arn=s["serviceArn"],
            status=s["status"],
            tags=_tags(s.get("tags")),
            task_definition=arn,
            image=image,
            created=_created(s),
            desired=int(s.get("desiredCount", 0)),
            running=int(s.get("runningCount", 0)),
            ip=self._ip(s["serviceName"]),
            flags=flags,
        )

    def _image_and_flags(self, arn: str) -> tuple[str | None, tuple[tuple[str, str], ...]]:
        with aws_call(f"DescribeTaskDefinition {arn}"):
            td = self.clients.ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]
        c = _container(td)
        env = c.get("environment") or []
        flags = tuple(
            (str(e["name"]), str(e.get("value", "")))
            for e in env
            if str(e.get("name", "")).startswith("SUPERSET_FEATURE_")
        )
        return (str(c["image"]) if c.get("image") else None), flags

    def _ip(self, service: str) -> str | None:
        try:
            return self._live.task_address(self.cluster, service).ip
        except (AwsError, TaskNotRunningError, TaskStoppedError, NoPublicIpError):
            return None  # no task, no public IP: shown as unknown

    def _task_definitions(self) -> list[OriginalTaskDefinition]:
        ecs = self.clients.ecs
        out: list[OriginalTaskDefinition] = []
        with aws_call(f"ListTaskDefinitions {ORIGINAL_TASK_FAMILY}"):
            pages = ecs.get_paginator("list_task_definitions").paginate(
                familyPrefix=ORIGINAL_TASK_FAMILY, status="ACTIVE"
            )
            arns = [a for p in pages for a in p.get("taskDefinitionArns", [])]
        for arn in arns:
            with aws_call(f"DescribeTaskDefinition {arn}"):
                resp = ecs.describe_task_definition(taskDefinition=arn, include=["TAGS"])
            td = resp["taskDefinition"]
            if td.get("family") != ORIGINAL_TASK_FAMILY:
                continue  # familyPrefix is a whole family name, but be sure
            image = _container(td).get("image")
            out.append(
                OriginalTaskDefinition(
                    arn=td["taskDefinitionArn"],
                    family=td["family"],
                    revision=int(td["revision"]),
                    image=str(image) if image else None,
                    tags=_tags(resp.get("tags")),
                )
            )
        return out

    def _ecr_tags(self) -> list[str]:
        ecr = self.clients.ecr
        with aws_call(f"DescribeImages {self.repository}"):
            try:
                pages = list(
                    ecr.get_paginator("describe_images").paginate(
                        repositoryName=self.repository, filter={"tagStatus": "TAGGED"}
                    )
                )
            except ecr.exceptions.RepositoryNotFoundException:
                return []
        return sorted(
            t
            for p in pages
            for img in p.get("imageDetails", [])
            for t in img.get("imageTags", [])
            if parse_original_image(f"apache/superset:{t}")
        )

    # -- writes --------------------------------------------------------------------------

    def delete(self, items: Sequence[Deletion], pr: int) -> list[DeletionResult]:
        """Delete each item (the service first); an error is reported and the rest go on."""
        order = {"ecs-service": 0, "task-definition": 1, "ecr-image": 2}
        out = []
        for d in sorted(items, key=lambda d: order[d.kind]):
            try:
                self._delete(d, pr)
                out.append(DeletionResult(d, True))
            except AwsError as exc:
                out.append(DeletionResult(d, False, str(exc)))
        return out

    def _delete(self, d: Deletion, pr: int) -> None:
        ecs = self.clients.ecs
        if d.kind == "ecs-service":
            self._recheck_service(d, pr)
            with aws_call(f"DeleteService {d.name}"):
                ecs.delete_service(cluster=self.cluster, service=d.name, force=True)
        elif d.kind == "task-definition":
            with aws_call(f"DeregisterTaskDefinition {d.name}"):
                ecs.deregister_task_definition(taskDefinition=d.ident)
        else:
            with aws_call(f"BatchDeleteImage {d.name}"):
                resp = self.clients.ecr.batch_delete_image(
                    repositoryName=self.repository, imageIds=[{"imageTag": d.name}]
                )
            for f in resp.get("failures", []):
                if f.get("failureCode") != "ImageNotFound":
                    raise AwsError(f"BatchDeleteImage {d.name}: {f.get('failureReason')}")

    def _recheck_service(self, d: Deletion, pr: int) -> None:
        """Describe the service again right before deleting it: same name, the original's
        tags, none of ours (a service recreated since the listing is not deleted)."""
        with aws_call(f"DescribeServices {d.name}"):
            resp = self.clients.ecs.describe_services(
                cluster=self.cluster, services=[d.name], include=["TAGS"]
            )
        found = [s for s in resp.get("services", []) if s.get("serviceArn") == d.ident]
        tags = _tags(found[0].get("tags")) if found else {}
        if not found or parse_original_service(d.name) is None:
            raise AwsError(f"service {d.name} is not the one listed: not deleted")
        if tags.get("showtime_managed") != "true" or tags.get("pr") != str(pr):
            raise AwsError(f"service {d.name} no longer carries the original's tags: not deleted")
        if any(k.startswith("showtime:") for k in tags):
            raise AwsError(f"service {d.name} carries showtime:* tags (ours): not deleted")
