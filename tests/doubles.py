"""Test doubles for the two ports that need an engine or AWS (the stacks and the live checks),
and the doubles under the real adapters that several test packages share.

- :class:`FakeStacks`, :class:`FakeLive`, :func:`use_doubles`: the app's ports, plugged into
  ``showtime_iac.app.wiring.open_ports``.
- :class:`FakeEngine` (+ :func:`event`, :func:`cmd_error`): an in-memory Pulumi engine under
  the real ``PulumiDriver``.
- :class:`World`: AWS resources in moto as the program declares them; :class:`FakeTime`,
  :class:`Stubbed`, :func:`task`, :func:`expect_tasks`: ``AwsLive`` under botocore's Stubber.

The GitHub side is never a double: tests run PyGithub against ``tests/github_api_server.py``.
Product code has no double: pulumi and botocore are imported inside the helpers that need them.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from showtime_iac.adapters.stacks import StackRow
from showtime_iac.adapters.stacks.config import stack_tags
from showtime_iac.core.model import (
    EnvConfig,
    ShowtimeError,
    resource_names,
    resource_tags,
    stack_name,
)

if TYPE_CHECKING:
    from botocore.stub import Stubber
    from pulumi.automation.errors import CommandError
    from pulumi.automation.events import EngineEvent

    from showtime_iac.adapters.aws import AwsClients, AwsLive

__all__ = [
    "CLUSTER",
    "ENGINE_NOW",
    "ENI",
    "REPO",
    "SERVICE",
    "STUB_SHA",
    "TASK",
    "FakeEngine",
    "FakeLive",
    "FakeStacks",
    "FakeTime",
    "Stubbed",
    "World",
    "cmd_error",
    "event",
    "expect_tasks",
    "manifest",
    "tag_list",
    "task",
    "use_doubles",
]


@dataclass
class FakeStacks:
    """Stacks in memory; ``journal`` (a file) records ``up``/``destroy`` across processes."""

    existing: set[str] = field(default_factory=set)
    fail_up: str | None = None
    up_seconds: float = 0.0
    journal: Path | None = None
    ups: list[str] = field(default_factory=list)
    configs: list[EnvConfig] = field(default_factory=list)  # every ``up``'s config, in order
    tags: dict[str, dict[str, str]] = field(default_factory=dict)  # what ``retag`` set
    destroyed: list[str] = field(default_factory=list)
    # per stack: the image it runs and the commit that image was built from (its record)
    images: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    stale: set[str] = field(default_factory=set)  # stacks the app said a stale claim holds
    on_up: Any = None  # called with the config while "deploying" (e.g. close the PR)
    missing: Exception | None = None  # raised by ready(): no engine, no backend
    domain: str | None = None  # HTTPS mode: outputs name a target group, routers exist
    routers: dict[int, str] = field(default_factory=dict)  # PR → routed SHA
    fail_route: str | None = None
    events: list[str] = field(default_factory=list)  # up/destroy/route/unroute, in order
    # every route's arguments: (pr, sha, target group ARN, repository, asleep)
    route_calls: list[tuple[int, str, str, str, bool]] = field(default_factory=list)
    # drift: stack → the resources that differ (DriftItems); a stack here with an Exception
    # fails its check
    drifts: dict[str, Any] = field(default_factory=dict)

    def _note(self, line: str) -> None:
        if self.journal is not None:
            fd = os.open(self.journal, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, (line + "\n").encode())
            finally:
                os.close(fd)

    def up(self, cfg: EnvConfig) -> Mapping[str, Any]:
        if self.on_up is not None:
            self.on_up(cfg)
        if self.up_seconds:
            time.sleep(self.up_seconds)
        if self.fail_up:
            raise ShowtimeError(self.fail_up)
        self.existing.add(cfg.stack)
        self.ups.append(cfg.stack)
        self.configs.append(cfg)
        # the record, as the driver writes it before its ``up`` (design §4's tags and the
        # record's stack-only ones); ``retag`` changes it later
        self.tags.setdefault(cfg.stack, {}).update(stack_tags(cfg))
        # like the program: no prebuilt image means one built from this stack's own SHA
        image = cfg.image or f"registry.test/superset-ci:sti-{cfg.stack}"
        self.images[cfg.stack] = (image, cfg.image_sha if cfg.image else cfg.sha)
        self.events.append(f"up {cfg.stack}")
        self._note(f"up {cfg.stack}")
        out: dict[str, Any] = {"service_name": cfg.stack, "cluster": "superset-ci", "image": image}
        if self.domain:
            out |= {
                "targetGroupArn": f"arn:aws:elasticloadbalancing:us-west-2:123456789012:"
                f"targetgroup/sti-{cfg.stack}/0123456789abcdef",
                "prHost": f"pr-{cfg.pr}.{self.domain}",
                "prUrl": f"https://pr-{cfg.pr}.{self.domain}",
                "url": f"https://{cfg.stack}.{self.domain}",
            }
        return out

    def retag(self, stack: str, tags: Mapping[str, str]) -> None:
        if stack in self.existing:
            self.tags.setdefault(stack, {}).update(tags)

    def destroy(self, pr: int, sha: str) -> None:
        name = stack_name(pr, sha)
        routed = self.routers.get(pr)
        if routed is not None and name == stack_name(pr, routed):
            # AWS refuses to delete a target group a listener rule still forwards to
            raise ShowtimeError(f"target group of {name} is in use by the router of PR {pr}")
        self.existing.discard(name)
        self.images.pop(name, None)
        self.tags.pop(name, None)
        self.destroyed.append(name)
        self.events.append(f"destroy {name}")
        self._note(f"destroy {name}")

    def route(
        self,
        pr: int,
        sha: str,
        target_group_arn: str,
        repo: str = "apache/superset",
        asleep: bool = False,
    ) -> Mapping[str, Any]:
        self.route_calls.append((pr, sha, target_group_arn, repo, asleep))
        if self.fail_route:
            raise ShowtimeError(self.fail_route)
        assert stack_name(pr, sha) in self.existing, "routed to a stack that does not exist"
        self.routers[pr] = sha[:7]
        what = f"route {pr} {sha[:7]}" + (" asleep" if asleep else "")
        self.events.append(what)
        self._note(what)
        return {"url": f"https://pr-{pr}.{self.domain}"}

    def unroute(self, pr: int) -> bool:
        if pr not in self.routers:
            return False
        del self.routers[pr]
        self.events.append(f"unroute {pr}")
        self._note(f"unroute {pr}")
        return True

    def list_routers(self) -> list[int]:
        return sorted(self.routers)

    def drift(self, pr: int, sha: str) -> Any:
        from showtime_iac.adapters.stacks.drift import DriftReport

        name = stack_name(pr, sha)
        self.events.append(f"drift {name}")
        if name not in self.existing:
            raise ShowtimeError(f"no stack {name}: nothing to check (see `showtime-iac list`)")
        found = self.drifts.get(name, ())
        if isinstance(found, Exception):
            raise found
        return DriftReport(name, tuple(found))

    def list_stacks(self) -> list[str]:
        return sorted(self.existing)

    def records(self, pr: int | None = None) -> dict[str, dict[str, str]]:
        """The tags of PR ``pr``'s stacks and router (every PR's: None), as the driver
        reads them."""
        prefix = "pr-" if pr is None else f"pr-{pr}-"
        out = {n: dict(self.tags.get(n, {})) for n in self.existing if n.startswith(prefix)}
        for number, sha in self.routers.items():
            if pr is None or number == pr:
                out[f"pr-{number}-router"] = {"showtime:pr": str(number), "showtime:sha": sha}
        return out

    def stale_claims(self, stacks: Iterable[str]) -> None:
        self.stale.update(stacks)

    def current_image(self, pr: int, sha: str) -> str | None:
        name = stack_name(pr, sha)
        return self.images.get(name, (None, None))[0] if name in self.existing else None

    def ready(self) -> None:
        if self.missing is not None:
            raise self.missing

    def prepared(self, pr: int, sha: str) -> Any:
        return None  # these stacks are never prepared (the engine tests prepare for real)

    def prepared_stacks(self, names: Sequence[str]) -> dict[str, datetime | None]:
        return {}


@dataclass
class FakeLive:
    ip: str = "10.0.0.5"
    port: int = 8080
    unhealthy: str | None = None
    urls: list[str] = field(default_factory=list)
    target_groups: list[str] = field(default_factory=list)
    # HTTPS mode's request signal: target group name → the load balancer's last request
    requests: dict[str, datetime] = field(default_factory=dict)
    requests_error: str | None = None  # every read of the request count fails with this
    request_reads: list[str] = field(default_factory=list)
    tagged: list[Any] = field(default_factory=list)  # the orphan sweep's AWS resources
    rolled_back: str | None = None  # the next up's service was rolled back by ECS (this says)

    def check_rollout(self, outputs: Mapping[str, Any]) -> None:
        if self.rolled_back:
            why, self.rolled_back = self.rolled_back, None
            raise ShowtimeError(why)

    def before_up(self, cfg: EnvConfig) -> None:
        return None

    def address(self, cfg: EnvConfig, outputs: Mapping[str, Any]) -> str:
        return f"{self.ip}:{self.port}"

    def wait_healthy(self, url: str) -> float:
        self.urls.append(url)
        if self.unhealthy:
            raise ShowtimeError(self.unhealthy)
        return 0.01

    def wait_target_healthy(self, target_group_arn: str) -> float:
        self.target_groups.append(target_group_arn)
        if self.unhealthy:
            raise ShowtimeError(self.unhealthy)
        return 0.01

    def tail_logs(self, cfg: EnvConfig, lines: int) -> str:
        return "superset: ERROR could not connect to metadata db"

    def last_request(
        self, target_group_name: str, now: datetime, window: timedelta = timedelta(hours=1)
    ) -> datetime | None:
        self.request_reads.append(target_group_name)
        if self.requests_error:
            raise ShowtimeError(self.requests_error)
        last = self.requests.get(target_group_name)
        return last if last is not None and now - window <= last <= now else None

    def find_orphans(
        self, live_stacks: Iterable[str], open_prs: Iterable[int], now: datetime
    ) -> list[Any]:
        return []

    def list_tagged(self) -> list[Any]:
        """The sweep's candidates (``tagged``: ``TaggedResource``s the test puts there)."""
        return list(self.tagged)

    def delete_orphans(self, decisions: Sequence[Any], *, dry_run: bool) -> list[Any]:
        from showtime_iac.core.orphans import DeleteResult, deletion_order

        todo = deletion_order(decisions)
        if not dry_run:
            gone = {d.resource.ident for d in todo}
            self.tagged = [r for r in self.tagged if r.ident not in gone]
        return [DeleteResult(d, deleted=not dry_run, dry_run=dry_run) for d in todo]


def all_at_once(call: Callable[..., Any], calls: int, timeout: float = 10.0) -> Callable[..., Any]:
    """``call``, going on only once ``calls`` of it are in flight together: a run that makes
    them one at a time fails (``threading.BrokenBarrierError`` after ``timeout`` seconds)."""
    barrier = threading.Barrier(calls, timeout=timeout)

    def together(*args: Any, **kwargs: Any) -> Any:
        barrier.wait()
        return call(*args, **kwargs)

    return together


def against_server(monkeypatch: pytest.MonkeyPatch, env: Mapping[str, str], cwd: Path) -> None:
    """A CLI run against the GitHub test server (``env``: ``GitHubServer.env()``), in ``cwd``,
    with no policy but a ``showtime.toml`` the test may write there."""
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    monkeypatch.delenv("SHOWTIME_POLICY", raising=False)
    monkeypatch.chdir(cwd)


def use_doubles(
    monkeypatch: pytest.MonkeyPatch,
    stacks: FakeStacks,
    live: FakeLive,
    sleeps: list[float] | None = None,
    opened: list[tuple[str | None, Any]] | None = None,
) -> None:
    """Make ``open_ports`` give the real GitHub client with these stacks and live checks.

    The GitHub client's own waits (write retries, ``Retry-After`` on writes) go to ``sleeps``
    instead of the clock, so tests assert them without waiting. ``opened`` gets the
    repository and the policy of each ``open_ports`` call: what the real stacks driver (its
    stale-lock age) and live checks would have run under.
    """
    import showtime_iac.app.wiring as wiring

    real = wiring.open_ports
    record: list[float] = sleeps if sleeps is not None else []

    def open_ports(settings: Any, *, repo: str | None = None, policy: Any = None) -> Any:
        ports = real(settings, repo=repo, policy=policy)
        ports.github.sleep = record.append
        if opened is not None:
            opened.append((repo, policy))
        return wiring.Ports(github=ports.github, stacks=stacks, live=live)  # type: ignore[arg-type]

    monkeypatch.setattr(wiring, "open_ports", open_ports)


# ------------------------------------------------------------------------------------------
# stacks: the Pulumi engine double (under the real PulumiDriver)
# ------------------------------------------------------------------------------------------

ENGINE_NOW = datetime(2026, 1, 15, 14, 30, tzinfo=UTC)
"""The engine double's "now": its stacks were last updated two hours before."""


def cmd_error(stderr: str, cls: type[CommandError] | None = None) -> CommandError:
    """The Automation API's error for a failed ``pulumi`` run with this stderr."""
    from pulumi.automation._cmd import CommandResult
    from pulumi.automation.errors import CommandError

    return (cls or CommandError)(CommandResult(stdout="", stderr=stderr, code=255))


def event(op: str, rtype: str, name: str, diffs: list[str] | None = None) -> EngineEvent:
    """An engine event for one resource step (what a refresh or preview reports)."""
    from pulumi.automation.events import EngineEvent, ResOutputsEvent, StepEventMetadata

    meta = StepEventMetadata(
        op=op,  # type: ignore[arg-type]
        urn=f"urn:pulumi:pr-1234-abc1234::showtime-iac::{rtype}::{name}",
        type=rtype,
        provider="",
        diffs=diffs,
    )
    return EngineEvent(sequence=1, timestamp=0, res_outputs_event=ResOutputsEvent(metadata=meta))


class FakeEngine:
    """Engine test double: an in-memory backend with stacks, config, tags and state.

    Locks as Pulumi holds them: ``locked_for`` makes the next up/destroy attempts meet a lock
    another run is about to release; :meth:`lock` leaves one the way a killed run does (every
    create, up, destroy, refresh, import and remove meets it until :meth:`cancel`), and the
    lock error names its holder (``USER@HOST (pid N) at T``) as a DIY backend's does.
    ``lock_ages_known=False`` is a backend that names no holder and tells no age (Pulumi
    Cloud)."""

    def __init__(
        self, backend_url: str = "s3://bucket", version: tuple[int, int, int] | None = (3, 272, 0)
    ) -> None:
        self.backend_url = backend_url
        self.version = version
        self.calls: list[tuple[str, str]] = []
        self.stacks: dict[str, dict[str, Any]] = {}
        self.locked_for = 0  # how many up/destroy attempts fail with a held lock
        self.refresh_events: list[EngineEvent] = []
        self.preview_events: list[EngineEvent] = []
        self.preview_error: str | None = None
        self.held: dict[str, datetime] = {}  # stack → when a killed run took its lock
        self.holders: dict[str, tuple[str, str, int]] = {}  # stack → (user, host, pid)
        self.lock_ages_known = True
        self.now = ENGINE_NOW

    def add(self, name: str, tags: dict[str, str] | None = None, **extra: Any) -> None:
        self.stacks[name] = {
            "config": {},
            "tags": dict(tags or {}),
            "resources": 3,
            "pending": [],
            "last": ENGINE_NOW - timedelta(hours=2),
            **extra,
        }

    def _call(self, what: str, stack: str = "") -> None:
        self.calls.append((what, stack))

    def list_stacks(self) -> list[StackRow]:
        self._call("list_stacks")
        return [
            StackRow(f"organization/showtime-iac/{n}", s["last"], s["resources"], False)
            for n, s in self.stacks.items()
        ]

    def select(self, stack: str) -> bool:
        self._call("select", stack)
        return stack in self.stacks

    def create(self, stack: str) -> None:
        self._call("create", stack)
        self._check_lock(stack)
        if stack in self.stacks:
            from pulumi.automation.errors import StackAlreadyExistsError

            raise cmd_error(f"error: stack '{stack}' already exists", StackAlreadyExistsError)
        self.add(stack, resources=0)

    def set_config(self, stack: str, values: Mapping[str, tuple[str, bool]]) -> None:
        self._call("set_config", stack)
        self.stacks[stack]["config"].update(values)

    def get_config(self, stack: str) -> dict[str, str]:
        self._call("get_config", stack)
        return {
            k: v[0] if isinstance(v, tuple) else v for k, v in self.stacks[stack]["config"].items()
        }

    def list_tags(self, stack: str) -> dict[str, str]:
        self._call("list_tags", stack)
        return dict(self.stacks[stack]["tags"])

    def set_tag(self, stack: str, key: str, value: str) -> None:
        self._call("set_tag", stack)
        self.stacks[stack]["tags"][key] = value

    def remove_tag(self, stack: str, key: str) -> None:
        self._call("remove_tag", stack)
        self.stacks[stack]["tags"].pop(key, None)

    def lock(
        self,
        stack: str,
        age: timedelta | None = None,
        *,
        host: str = "runner-2",
        pid: int = 4242,
        since: datetime | None = None,
        user: str = "runner",
    ) -> None:
        """A lock left by a run (on ``host``, process ``pid``) killed ``age`` ago (or at
        ``since``; default 5 minutes ago): held until cancelled."""
        when = since or self.now - (age if age is not None else timedelta(minutes=5))
        self.held[stack] = when
        self.holders[stack] = (user, host, pid)

    def lock_age(self, stack: str) -> timedelta | None:
        self._call("lock_age", stack)
        if stack not in self.held or not self.lock_ages_known:
            return None
        return self.now - self.held[stack]

    def _lock_error(self, stack: str) -> Exception:
        from pulumi.automation import ConcurrentUpdateError

        text = (
            "error: the stack is currently locked by 1 lock(s). Either wait for the other "
            "process(es) to end or delete the lock file with `pulumi cancel`."
        )
        if stack in self.held and self.lock_ages_known:  # a DIY backend names the holder
            user, host, pid = self.holders[stack]
            at = self.held[stack].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            text += (
                f"\n  file:///state/.pulumi/locks/organization/showtime-iac/{stack}/0b1f.json: "
                f"created by {user}@{host} (pid {pid}) at {at}"
            )
        return cmd_error(text, ConcurrentUpdateError)

    def _check_lock(self, stack: str) -> None:
        """A killed run's lock (create, import, remove meet it; not ``locked_for``)."""
        if stack in self.held:
            raise self._lock_error(stack)

    def _maybe_locked(self, stack: str = "") -> None:
        if stack in self.held:
            raise self._lock_error(stack)
        if self.locked_for > 0:
            self.locked_for -= 1
            raise self._lock_error(stack)

    def up(self, stack: str, on_output: Callable[[str], None]) -> dict[str, Any]:
        self._call("up", stack)
        self._maybe_locked(stack)
        on_output("+  aws:ecs:Service service created")
        self.stacks[stack]["resources"] = 4
        return {"serviceName": f"sti-{stack}"}

    def preview(
        self,
        stack: str,
        on_event: Callable[[Any], None],
        *,
        config: Mapping[str, str] | None = None,
        expect_no_changes: bool = False,
        on_output: Callable[[str], None] | None = None,
    ) -> None:
        self._call("preview", stack)
        for e in self.preview_events:
            on_event(e)
        if self.preview_error:
            raise cmd_error(self.preview_error)

    def preview_refresh(self, stack: str, on_event: Callable[[Any], None]) -> None:
        self._call("preview_refresh", stack)
        for e in self.refresh_events:
            on_event(e)

    def refresh(self, stack: str, *, clear_pending_creates: bool) -> None:
        self._call("refresh", stack)
        self._maybe_locked(stack)  # a refresh is an update: it takes the lock too
        if clear_pending_creates:
            self.stacks[stack]["pending"] = [
                p for p in self.stacks[stack]["pending"] if p["type"] != "creating"
            ]

    def destroy(self, stack: str, on_output: Callable[[str], None]) -> None:
        self._call("destroy", stack)
        self._maybe_locked(stack)
        self.stacks[stack]["resources"] = 0

    def remove(self, stack: str) -> None:
        self._call("remove", stack)
        self._check_lock(stack)
        if self.stacks[stack]["resources"]:
            raise cmd_error("error: 'pr-x' still has resources; removal rejected")
        del self.stacks[stack]

    def outputs(self, stack: str) -> dict[str, Any]:
        self._call("outputs", stack)
        return {"serviceName": f"sti-{stack}"}

    def export(self, stack: str) -> dict[str, Any]:
        self._call("export", stack)
        return {
            "version": 3,
            "deployment": {
                "resources": [],
                "pending_operations": list(self.stacks[stack]["pending"]),
            },
        }

    def import_(self, stack: str, deployment: dict[str, Any]) -> None:
        self._call("import", stack)
        self._check_lock(stack)
        self.stacks[stack]["pending"] = list(deployment["deployment"].get("pending_operations", []))

    def cancel(self, stack: str) -> None:
        self._call("cancel", stack)
        self.locked_for = 0
        self.held.pop(stack, None)
        self.holders.pop(stack, None)

    def ops(self, name: str) -> int:
        return sum(1 for c, _ in self.calls if c == name)


# ------------------------------------------------------------------------------------------
# aws: a moto world, and canned ECS responses for botocore's Stubber
# ------------------------------------------------------------------------------------------

CLUSTER = "superset-ci"
REPO = "superset-ci"


def manifest(seed: str) -> str:
    """A distinct image manifest per seed (moto digests the layers)."""
    digest = hashlib.sha256(seed.encode()).hexdigest()
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {"digest": f"sha256:{digest}", "size": 1},
            "layers": [
                {
                    "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                    "digest": f"sha256:{digest}",
                    "size": 1,
                }
            ],
        }
    )


def tag_list(tags: dict[str, str], upper: bool = False) -> list[dict[str, str]]:
    k, v = ("Key", "Value") if upper else ("key", "value")
    return [{k: key, v: value} for key, value in tags.items()]


class World:
    """A VPC, the cluster and the ECR repository in moto; environments declared as the program
    declares them (names and tags from the model), tagged or not."""

    def __init__(self, clients: AwsClients) -> None:
        self.c = clients
        vpc = clients.ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        # moto's awsvpc tasks need DNS hostnames on (as a Fargate VPC has them)
        clients.ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
        self.subnet = clients.ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"][
            "SubnetId"
        ]
        self.sg = clients.ec2.create_security_group(
            GroupName="showtime", Description="8080 in", VpcId=vpc
        )["GroupId"]
        clients.ecs.create_cluster(clusterName=CLUSTER)
        clients.ecr.create_repository(repositoryName=REPO)
        self.net: Any = {
            "awsvpcConfiguration": {
                "subnets": [self.subnet],
                "securityGroups": [self.sg],
                "assignPublicIp": "ENABLED",
            }
        }

    def environment(self, pr: int, sha: str, tagged: bool = True) -> dict[str, str]:
        """Declare what program.py declares for one environment (names and tags from model)."""
        names = resource_names(pr, sha)
        tags = resource_tags(EnvConfig(pr=pr, sha=sha)) if tagged else {}
        c = self.c
        td_kw: Any = {"tags": tag_list(tags)} if tags else {}
        td = c.ecs.register_task_definition(
            family=names.task_family,
            networkMode="awsvpc",
            requiresCompatibilities=["FARGATE"],
            cpu="1024",
            memory="2048",
            containerDefinitions=[
                {"name": "superset", "image": "superset:ci", "memory": 2048, "essential": True}
            ],
            **td_kw,
        )["taskDefinition"]["taskDefinitionArn"]
        svc_kw: Any = {"tags": tag_list(tags)} if tags else {}
        c.ecs.create_service(
            cluster=CLUSTER,
            serviceName=names.service,
            taskDefinition=td,
            desiredCount=1,
            launchType="FARGATE",
            networkConfiguration=self.net,
            **svc_kw,
        )
        lg_kw: Any = {"tags": tags} if tags else {}
        c.logs.create_log_group(logGroupName=names.log_group, **lg_kw)
        c.ecr.put_image(
            repositoryName=REPO,
            imageManifest=manifest(f"{pr}-{sha}"),
            # ECR images carry no AWS tags: the image tag is ours or not
            imageTag=names.image_tag if tagged else f"manual-{sha[:7]}",
        )
        return {"task_definition": td, "service": names.service}

    def run_service_task(self, pr: int, sha: str, td: str) -> tuple[str, str]:
        """What ECS does for a service (moto doesn't): start a task in group service:NAME."""
        names = resource_names(pr, sha)
        task = self.c.ecs.run_task(
            cluster=CLUSTER,
            taskDefinition=td,
            launchType="FARGATE",
            networkConfiguration=self.net,
            group=f"service:{names.service}",
            startedBy="ecs-svc/1234567890",
        )["tasks"][0]
        eni = next(
            d["value"]
            for a in task["attachments"]
            for d in a["details"]
            if d["name"] == "networkInterfaceId"
        )
        return task["taskArn"], eni


STUB_SHA = "abc1234def5678abc1234def5678abc1234def56"  # PR 1234's SHA in the Stubber tests
SERVICE = resource_names(1234, STUB_SHA).service
TASK = "arn:aws:ecs:us-west-2:123456789012:task/superset-ci/0123456789abcdef0123456789abcdef"
ENI = "eni-0123456789abcdef0"


def stub_clients(*, elbv2: bool = False, cloudwatch: bool = False) -> Any:
    """Real boto3 clients (for botocore's Stubber) with fake credentials, never a network
    call: an ``AwsClients`` of ECS, EC2, ECR, CloudWatch Logs (and ELBv2, CloudWatch when
    asked)."""
    import boto3

    from showtime_iac.adapters.aws import AwsClients

    kw: Any = {
        "region_name": "us-west-2",
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }
    return AwsClients(
        ecs=boto3.client("ecs", **kw),
        ec2=boto3.client("ec2", **kw),
        ecr=boto3.client("ecr", **kw),
        logs=boto3.client("logs", **kw),
        **({"elbv2": boto3.client("elbv2", **kw)} if elbv2 else {}),
        **({"cloudwatch": boto3.client("cloudwatch", **kw)} if cloudwatch else {}),
    )


class FakeTime:
    """A clock that moves only when slept on; ``sleeps`` records each wait."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@dataclass
class Stubbed:
    """An ``AwsLive`` over Stubber-wrapped ECS and EC2 clients, on a :class:`FakeTime`."""

    live: AwsLive
    ecs: Stubber
    ec2: Stubber
    time: FakeTime


def task(status: str, *, reason: str | None = None, eni: bool = True) -> dict[str, Any]:
    """A DescribeTasks task of PR 1234's service in ``status`` (with its ENI, or not yet)."""
    t: dict[str, Any] = {
        "taskArn": TASK,
        "lastStatus": status,
        "desiredStatus": "STOPPED" if status == "STOPPED" else "RUNNING",
        "group": f"service:{SERVICE}",
        "startedAt": datetime(2026, 1, 15, 12, 0, tzinfo=UTC),
        "attachments": [
            {
                "type": "ElasticNetworkInterface",
                "status": "ATTACHED",
                "details": [{"name": "networkInterfaceId", "value": ENI}] if eni else [],
            }
        ],
    }
    if reason:
        t["stoppedReason"] = reason
    return t


def expect_tasks(s: Stubbed, desired: str, tasks: list[dict[str, Any]]) -> None:
    """Stub one ListTasks of the service (``desiredStatus``) and, for tasks, DescribeTasks."""
    s.ecs.add_response(
        "list_tasks",
        {"taskArns": [t["taskArn"] for t in tasks]},
        {"cluster": CLUSTER, "serviceName": SERVICE, "desiredStatus": desired},
    )
    if tasks:
        from botocore.stub import ANY

        s.ecs.add_response(
            "describe_tasks", {"tasks": tasks, "failures": []}, {"cluster": CLUSTER, "tasks": ANY}
        )
