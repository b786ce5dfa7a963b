"""What only AWS knows at run time about one deployment: :class:`AwsLive`.

- the ECS DRAINING race: :meth:`AwsLive.wait_for_service_gone` polls ``describe_services``
  (which sees ACTIVE, DRAINING and INACTIVE services; ``list_services`` hides DRAINING ones)
  until the name is INACTIVE or missing, bounded;
- the address: the service's running task → its ENI → the public IP (:class:`TaskAddress`);
  a STOPPED task raises :class:`TaskStoppedError` with ECS's reason;
- health, logs, the orphan sweep and HTTPS mode's request signal, delegated to
  :mod:`.health`, :mod:`.logs`, :mod:`.orphans` and :mod:`.request_count`.

:class:`AwsLive` satisfies :class:`showtime_iac.app.executor.LivePort`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from showtime_iac.adapters.aws import logs as _logs
from showtime_iac.adapters.aws import orphans as _orphans
from showtime_iac.adapters.aws.errors import (
    AwsError,
    NoPublicIpError,
    ServiceDrainTimeoutError,
    TaskNotRunningError,
    TaskStoppedError,
)
from showtime_iac.adapters.aws.health import (
    POLL_SECONDS,
    Clock,
    HttpGet,
    Sleeper,
    urllib_get,
    wait_for_health,
)
from showtime_iac.adapters.aws.session import TRANSIENT, AwsClients, aws_call
from showtime_iac.core.model import EnvConfig, Policy, ShowtimeError, resource_names
from showtime_iac.core.orphans import DeleteResult, OrphanDecision, TaggedResource, classify_orphans
from showtime_iac.settings import Settings

if TYPE_CHECKING:
    from botocore.config import Config

__all__ = ["AwsLive", "DrainResult", "ServiceState", "TaskAddress"]

ServiceState = Literal["ACTIVE", "DRAINING", "INACTIVE"]


@dataclass(frozen=True)
class TaskAddress:
    """One task of an environment's service, and where it answers."""

    ip: str | None
    task_arn: str
    last_status: str
    stopped_reason: str | None = None
    private_ip: str | None = None
    eni_id: str | None = None

    @property
    def task_id(self) -> str:
        return self.task_arn.rsplit("/", 1)[-1]

    def url(self, port: int = 8080) -> str | None:
        return None if self.ip is None else f"http://{self.ip}:{port}"


def _eni_id(task: Mapping[str, Any]) -> str | None:
    for att in task.get("attachments", []):
        if att.get("type") != "ElasticNetworkInterface":
            continue
        for d in att.get("details", []):
            if d.get("name") == "networkInterfaceId":
                return str(d["value"])
    return None


def _started(task: Mapping[str, Any]) -> float:
    for key in ("startedAt", "createdAt", "stoppedAt"):
        v = task.get(key)
        if isinstance(v, datetime):
            return v.timestamp()
    return 0.0


def _revision(task_definition_arn: str) -> str:
    """``family:revision`` of a task definition ARN (the ARN itself when it is not one)."""
    return task_definition_arn.rsplit("/", 1)[-1] or task_definition_arn


@dataclass(frozen=True)
class DrainResult:
    """What :meth:`AwsLive.wait_for_service_gone` saw: the states in order and the wait."""

    service: str
    states: tuple[str, ...]
    seconds: float

    @property
    def waited(self) -> bool:
        return any(s in ("ACTIVE", "DRAINING") for s in self.states)


class AwsLive:
    """boto3 live checks of one deployment (cluster, ECR repository); clients injectable.

    Build it with :meth:`from_settings` in the CLI, or pass Stubber-wrapped clients in tests.
    """

    def __init__(
        self,
        clients: AwsClients,
        *,
        cluster: str = "superset-ci",
        ecr_repository: str = "superset-ci",
        policy: Policy | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleeper = time.sleep,
        http_get: HttpGet = urllib_get,
        drain_timeout: float = 600.0,
        task_timeout: float = 300.0,
        poll_interval: float = POLL_SECONDS,
    ) -> None:
        self.clients = clients
        self.cluster = cluster
        self.ecr_repository = ecr_repository
        self.policy = policy or Policy()
        self.clock, self.sleep, self.http_get = clock, sleep, http_get
        self.drain_timeout = drain_timeout
        self.task_timeout = task_timeout
        self.poll_interval = poll_interval

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        policy: Policy | None = None,
        *,
        config: Config | None = None,
        **kw: Any,
    ) -> AwsLive:
        return cls(
            AwsClients.from_settings(settings, config=config),
            cluster=settings.ecs_cluster,
            ecr_repository=settings.ecr_repository,
            policy=policy,
            **kw,
        )

    def tagged_image(self, tag: str) -> str | None:
        """The image ``tag`` names in our ECR repository, pinned by digest (None: no such
        tag)."""
        from showtime_iac.adapters.aws.images import tagged_image

        return tagged_image(self.clients.ecr, self.ecr_repository, tag)

    # -- DRAINING ------------------------------------------------------------------------

    def service_state(self, cluster: str, name: str) -> ServiceState | None:
        """The service's status in ANY state via ``describe_services``; None when missing.

        Never ``list_services``: it returns ACTIVE services only, so a DRAINING one (which
        still blocks ``CreateService`` of the same name) would look absent.
        """
        ecs = self.clients.ecs
        with aws_call(f"DescribeServices {name}"):
            try:
                resp = ecs.describe_services(cluster=cluster, services=[name])
            except ecs.exceptions.ClusterNotFoundException:
                return None
        for svc in resp.get("services", []):
            if svc.get("serviceName") == name:
                status = svc.get("status")
                if status in ("DRAINING", "INACTIVE"):
                    return status  # type: ignore[return-value]
                return "ACTIVE"  # ACTIVE, or an unknown status: present (the safe side)
        return None  # reported under "failures" with reason MISSING

    def wait_for_service_gone(
        self, cluster: str, name: str, deadline: float | timedelta
    ) -> DrainResult:
        """Wait until service ``name`` is INACTIVE or missing, through ACTIVE and DRAINING.

        ``deadline`` is the most time to wait. A throttled poll is retried (after botocore's
        own retries) until the deadline. Raises :class:`ServiceDrainTimeoutError`.
        """
        limit = deadline.total_seconds() if isinstance(deadline, timedelta) else float(deadline)
        start = self.clock()
        states: list[str] = []
        while True:
            try:
                state: str | None = self.service_state(cluster, name)
            except AwsError as exc:
                if exc.code not in TRANSIENT:
                    raise
                state = f"error:{exc.code}"
            states.append(state or "MISSING")
            if state in (None, "INACTIVE"):
                return DrainResult(name, tuple(states), self.clock() - start)
            remaining = start + limit - self.clock()
            if remaining <= 0:
                raise ServiceDrainTimeoutError(
                    f"ECS service {name} in cluster {cluster} is still {states[-1]} after "
                    f"{limit:.0f}s: a previous deployment is draining; retry in a few minutes, "
                    f"or check it with `aws ecs describe-services --cluster {cluster} "
                    f"--services {name}`"
                )
            self.sleep(min(self.poll_interval, remaining))

    def before_up(self, cfg: EnvConfig) -> DrainResult | None:
        """Wait out a DRAINING service of this environment's name before its stack creates it.

        An ACTIVE service is the stack's own (an update): Pulumi updates it in place.
        """
        name = resource_names(cfg.pr, cfg.sha).service
        if self.service_state(self.cluster, name) != "DRAINING":
            return None
        return self.wait_for_service_gone(self.cluster, name, self.drain_timeout)

    # -- address -------------------------------------------------------------------------

    def _service_tasks(self, cluster: str, service: str, desired: str) -> list[dict[str, Any]]:
        ecs = self.clients.ecs
        with aws_call(f"ListTasks {service}"):
            arns = ecs.list_tasks(
                cluster=cluster,
                serviceName=service,
                desiredStatus=desired,  # type: ignore[arg-type]
            ).get("taskArns", [])
        if not arns:
            return []
        with aws_call(f"DescribeTasks {service}"):
            tasks = ecs.describe_tasks(cluster=cluster, tasks=arns[:100]).get("tasks", [])
        # a service's tasks carry group "service:NAME" (also guards against ListTasks
        # implementations that ignore serviceName)
        return [dict(t) for t in tasks if t.get("group") in (None, f"service:{service}")]

    def _public_ip(self, eni: str) -> tuple[str | None, str | None]:
        with aws_call(f"DescribeNetworkInterfaces {eni}"):
            resp = self.clients.ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])
        for ni in resp.get("NetworkInterfaces", []):
            return ni.get("Association", {}).get("PublicIp"), ni.get("PrivateIpAddress")
        return None, None

    def task_address(self, cluster: str, service: str) -> TaskAddress:
        """One look: the newest RUNNING task's public IP.

        Returns a :class:`TaskAddress` with ``ip`` None while a task is still PENDING/
        PROVISIONING. Raises :class:`NoPublicIpError` for a running task without one,
        :class:`TaskStoppedError` when no task runs and the last one stopped (with ECS's
        reason), :class:`TaskNotRunningError` when the service has no task at all.
        """
        tasks = self._service_tasks(cluster, service, "RUNNING")
        tasks.sort(key=_started, reverse=True)
        for t in tasks:
            if t.get("lastStatus") != "RUNNING":
                continue
            eni = _eni_id(t)
            ip, private = self._public_ip(eni) if eni else (None, None)
            addr = TaskAddress(ip, t["taskArn"], "RUNNING", None, private, eni)
            if ip is None:
                raise NoPublicIpError(addr)
            return addr
        if tasks:
            t = tasks[0]
            return TaskAddress(None, t["taskArn"], str(t.get("lastStatus", "PENDING")))
        stopped = self._service_tasks(cluster, service, "STOPPED")
        if stopped:
            t = max(stopped, key=_started)
            addr = TaskAddress(
                None,
                t["taskArn"],
                str(t.get("lastStatus", "STOPPED")),
                t.get("stoppedReason") or None,
            )
            raise TaskStoppedError(addr)
        raise TaskNotRunningError(
            f"ECS service {service} in cluster {cluster} has no task: check its events with "
            f"`aws ecs describe-services --cluster {cluster} --services {service}`"
        )

    def wait_for_address(
        self, cluster: str, service: str, deadline: float | timedelta | None = None
    ) -> TaskAddress:
        """Poll :meth:`task_address` until a task runs with a public IP, bounded."""
        limit = self.task_timeout if deadline is None else deadline
        secs = limit.total_seconds() if isinstance(limit, timedelta) else float(limit)
        start = self.clock()
        while True:
            try:
                addr = self.task_address(cluster, service)
                if addr.ip is not None:
                    return addr
                last = f"task {addr.task_id} is {addr.last_status}"
            except TaskNotRunningError as exc:
                last = str(exc)
            except AwsError as exc:
                if exc.code not in TRANSIENT:
                    raise
                last = str(exc)
            remaining = start + secs - self.clock()
            if remaining <= 0:
                raise TaskNotRunningError(f"no running task after {secs:.0f}s: {last}")
            self.sleep(min(self.poll_interval, remaining))

    def address(self, cfg: EnvConfig, outputs: Mapping[str, Any]) -> str:
        """``ip:port`` of the environment's running task (the executor's LivePort)."""
        service = str(outputs.get("serviceName") or resource_names(cfg.pr, cfg.sha).service)
        cluster = str(outputs.get("clusterName") or self.cluster)
        addr = self.wait_for_address(cluster, service)
        return f"{addr.ip}:{self.policy.port}"

    def check_rollout(self, outputs: Mapping[str, Any]) -> None:
        """After an ``up``: the service's primary deployment runs the stack's task definition
        (the executor's LivePort). ECS's circuit breaker rolls a failing deployment back to
        the previous task definition and the service is then steady, so the ``up`` succeeds;
        this says it failed. Nothing to check without a service (a prepared stack)."""
        service, want = outputs.get("serviceName"), outputs.get("taskDefinitionArn")
        if not service or not want:
            return
        cluster = str(outputs.get("clusterName") or self.cluster)
        with aws_call(f"DescribeServices {service}"):
            resp = self.clients.ecs.describe_services(cluster=cluster, services=[str(service)])
        found = [s for s in resp.get("services", []) if s.get("serviceName") == service]
        if not found:
            raise ShowtimeError(f"service {service} not found after its stack's up")
        deployments = found[0].get("deployments") or []
        primary = next((d for d in deployments if d.get("status") == "PRIMARY"), None)
        if primary is None:
            raise ShowtimeError(f"service {service} has no primary deployment after its up")
        runs = str(primary.get("taskDefinition", ""))
        if runs != str(want):
            raise ShowtimeError(
                f"ECS rolled {service} back: it runs {_revision(runs)}, not the stack's "
                f"{_revision(str(want))} (the new tasks failed their health checks or stopped)"
            )
        if primary.get("rolloutState") == "FAILED":
            reason = str(primary.get("rolloutStateReason") or "no reason given")[:300]
            raise ShowtimeError(f"the deployment of {service} failed: {reason}")

    # -- health --------------------------------------------------------------------------

    def wait_healthy(self, url: str) -> float:
        """Seconds until ``url`` answered 200 (the executor's LivePort)."""
        return wait_for_health(
            url,
            timeout=self.policy.health_timeout,
            clock=self.clock,
            sleep=self.sleep,
            get=self.http_get,
        ).seconds

    def wait_target_healthy(self, target_group_arn: str) -> float:
        """HTTPS mode: seconds until the load balancer sees the environment's task healthy
        (the executor's LivePort)."""
        from showtime_iac.adapters.aws.targets import wait_target_healthy

        return wait_target_healthy(
            self.clients.elbv2,
            target_group_arn,
            timeout=self.policy.health_timeout.total_seconds(),
            clock=self.clock,
            sleep=self.sleep,
            poll_interval=self.poll_interval,
        )

    # -- requests ------------------------------------------------------------------------

    def last_request(
        self, target_group_name: str, now: datetime, window: timedelta = timedelta(hours=1)
    ) -> datetime | None:
        """HTTPS mode: the end of the last minute within ``window`` before ``now`` in which
        the load balancer forwarded a request to the target group; None without one (the
        executor's LivePort). Raises :class:`RequestsUnreadableError`."""
        from showtime_iac.adapters.aws.request_count import last_request

        c = self.clients
        return last_request(c.elbv2, c.cloudwatch, target_group_name, now, window)

    # -- logs ----------------------------------------------------------------------------

    def tail_logs(self, cfg: EnvConfig, lines: int) -> str:
        """The last ``lines`` log lines, redacted, as text (the executor's LivePort)."""
        return _logs.tail_logs(self.clients.logs, cfg.pr, cfg.sha, lines).text()

    def logs(self, pr: int, sha: str, n: int) -> _logs.LogTail:
        """The last ``n`` log lines of PR ``pr``'s environment at ``sha``, redacted."""
        return _logs.tail_logs(self.clients.logs, pr, sha, n)

    def latest_sha(self, pr: int) -> str | None:
        """The SHA of PR ``pr``'s most recently written log group (``logs`` without --sha)."""
        return _logs.latest_sha(self.clients.logs, pr)

    # -- orphan sweep --------------------------------------------------------------------

    def list_tagged(self) -> list[TaggedResource]:
        """Every candidate of the sweep, with its tags: ECS services of the cluster, task
        definitions ``showtime-pr-*``, the shared load balancers' listener rules, target
        groups, security groups, roles ``sti-pr-*``, secrets, log groups ``/showtime/pr-*``,
        and the ECR repository's images ``sti-pr-*`` (:func:`.orphans.list_tagged`)."""
        return _orphans.list_tagged(self.clients, self.cluster, self.ecr_repository)

    def find_orphans(
        self,
        live_stacks: Iterable[str],
        open_prs: Iterable[int],
        now: datetime,
        min_age: timedelta = timedelta(hours=1),
    ) -> list[OrphanDecision]:
        """:meth:`list_tagged` judged by :func:`classify_orphans`."""
        return classify_orphans(self.list_tagged(), live_stacks, open_prs, now, min_age)

    def delete_orphans(
        self, decisions: Sequence[OrphanDecision], *, dry_run: bool = True
    ) -> list[DeleteResult]:
        """Delete the ``delete`` decisions (each one independently; an error is reported and
        the rest go on). ``dry_run`` (the default) calls nothing that writes."""
        return _orphans.delete_orphans(
            self.clients, self.cluster, self.ecr_repository, decisions, dry_run=dry_run
        )
