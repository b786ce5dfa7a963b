"""The lazily opened ports (app/wiring) hand every argument through to the adapter they open:
the stack driver (over the engine double, or the stack double) and the AWS live checks (over
moto, or the live double). A port that dropped or swapped one would deploy, route, read or
delete the wrong thing."""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import os
import socket
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from showtime_iac.adapters import stacks as S
from showtime_iac.adapters.aws import AwsClients
from showtime_iac.app.wiring import LazyLive, LazyStacks, _s3_tags, open_registry, open_stacks
from showtime_iac.core.model import EnvConfig, resource_names
from showtime_iac.settings import Settings
from tests.adapters.aws.support import SHA1, SHA2, live_from_env
from tests.adapters.registry.test_client_answers import (  # the scripted registry
    MANIFEST,
    Scripted,
    ok_manifest,
    server,  # noqa: F401
)
from tests.adapters.stacks.engine_support import cfg as engine_cfg
from tests.adapters.stacks.engine_support import make_world, requires_engine
from tests.adapters.stacks.support import driver
from tests.doubles import CLUSTER, FakeEngine, FakeLive, FakeStacks, World, cmd_error
from tests.motoserver import set_moto_transition

SHA = "abc1234def5678901234567890abcdef12345678"
TG = "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/sti-pr-7-abc1234/0123"


def opener(adapter: Any) -> Callable[[], Any]:
    """Open this double (the port's opener)."""
    return lambda: adapter


# --------------------------------------------------------------------------- stacks


def test_route_hands_every_argument_through_awake_by_default() -> None:
    fake = FakeStacks(domain="preview.example.org")
    fake.existing.add("pr-7-abc1234")
    stacks = LazyStacks(opener(fake))
    assert stacks.route(7, SHA, TG, "acme/widgets") == {"url": "https://pr-7.preview.example.org"}
    stacks.route(7, SHA, TG, "someone/superset-fork", asleep=True)
    assert fake.route_calls == [
        (7, SHA, TG, "acme/widgets", False),  # the port's default: awake
        (7, SHA, TG, "someone/superset-fork", True),
    ]


def test_drift_checks_the_stack_of_that_pr_and_sha() -> None:
    fake = FakeStacks()
    fake.existing.add("pr-7-abc1234")
    report = LazyStacks(opener(fake)).drift(7, SHA)
    assert (report.stack, report.items) == ("pr-7-abc1234", ())
    assert fake.events == ["drift pr-7-abc1234"]


def test_records_reads_the_record_of_that_pr_only() -> None:
    """A PR's record is its own stacks' tags: another PR's stacks never decide its labels."""
    fake = FakeStacks()
    fake.existing.update({"pr-7-abc1234", "pr-8-abc1234"})
    fake.tags["pr-7-abc1234"] = {"showtime:pr": "7"}
    fake.tags["pr-8-abc1234"] = {"showtime:pr": "8"}
    stacks = LazyStacks(opener(fake))
    assert stacks.records(7) == {"pr-7-abc1234": {"showtime:pr": "7"}}
    assert set(stacks.records()) == {"pr-7-abc1234", "pr-8-abc1234"}  # every PR's


class ImageEngine(FakeEngine):
    """The engine double whose stacks have the outputs a test gives them (an ``image`` the
    program exported, or none); a stack it does not have is the engine's error."""

    def __init__(self, outputs: dict[str, dict[str, Any]]) -> None:
        super().__init__()
        self.given = outputs
        for name in outputs:
            self.add(name)

    def outputs(self, stack: str) -> dict[str, Any]:
        self._call("outputs", stack)
        if stack not in self.given:
            raise cmd_error(f"error: no stack named '{stack}' found")
        return dict(self.given[stack])


IMAGE = "registry.test/superset-ci:sti-pr-7-abc1234"


def test_current_image_is_that_stacks_image_output() -> None:
    engine = ImageEngine(
        {
            "pr-7-abc1234": {"serviceName": "sti-pr-7-abc1234", "image": IMAGE},
            "pr-7-def5678": {"serviceName": "sti-pr-7-def5678", "image": "other:sti-pr-7-def5678"},
            "pr-8-abc1234": {"serviceName": "sti-pr-8-abc1234", "image": ""},  # empty: none
            "pr-9-abc1234": {"serviceName": "sti-pr-9-abc1234"},  # never deployed an image
            "pr-10-abc1234": {"image": 5},  # not a reference
        }
    )
    stacks = LazyStacks(lambda: driver(engine))
    assert stacks.current_image(7, SHA) == IMAGE
    assert stacks.current_image(8, SHA) is None
    assert stacks.current_image(9, SHA) is None
    assert stacks.current_image(10, SHA) is None
    assert stacks.current_image(11, SHA) is None  # no such stack: no image, not an error
    assert [s for c, s in engine.calls if c == "outputs"] == [
        "pr-7-abc1234",
        "pr-8-abc1234",
        "pr-9-abc1234",
        "pr-10-abc1234",
        "pr-11-abc1234",
    ]


def test_current_image_without_an_engine_is_that_error_not_no_image() -> None:
    def missing() -> Any:
        raise S.EngineMissingError

    with pytest.raises(S.EngineMissingError):
        LazyStacks(missing).current_image(7, SHA)


# --------------------------------------------------------------------------- live (doubles)

NOW = datetime(2026, 1, 15, 14, 30, tzinfo=UTC)


def test_health_waits_are_for_the_url_and_target_group_given() -> None:
    fake = FakeLive()
    live = LazyLive(opener(fake))
    assert live.wait_healthy("http://10.0.0.5:8080/health") == 0.01
    assert live.wait_target_healthy(TG) == 0.01
    assert (fake.urls, fake.target_groups) == (["http://10.0.0.5:8080/health"], [TG])


def test_last_request_reads_that_target_group_within_the_window() -> None:
    fake = FakeLive()
    fake.requests = {"sti-pr-7-abc1234": NOW - timedelta(minutes=90)}
    live = LazyLive(opener(fake))
    assert live.last_request("sti-pr-7-abc1234", NOW) is None  # the default window: 1 hour
    assert live.last_request("sti-pr-7-abc1234", NOW, timedelta(hours=2)) == NOW - timedelta(
        minutes=90
    )
    assert live.last_request("sti-pr-8-abc1234", NOW, timedelta(hours=2)) is None
    assert fake.request_reads == ["sti-pr-7-abc1234", "sti-pr-7-abc1234", "sti-pr-8-abc1234"]


def test_rollout_check_without_a_service_checks_nothing(moto_env: str) -> None:
    """A prepared stack's outputs name no service: nothing to check."""
    LazyLive(live_from_env).check_rollout({})  # no error, no call


# --------------------------------------------------------------------------- live (moto)


@pytest.fixture
def world(moto_env: str) -> World:
    set_moto_transition(moto_env, "ecs::task", {"progression": "manual", "times": 1_000_000})
    return World(AwsClients.from_settings(Settings.from_env()))


def test_address_is_the_running_task_of_the_configs_environment(world: World) -> None:
    env = world.environment(1234, SHA1)
    _, eni = world.run_service_task(1234, SHA1, env["task_definition"])
    alloc = world.c.ec2.allocate_address(Domain="vpc")
    world.c.ec2.associate_address(AllocationId=alloc["AllocationId"], NetworkInterfaceId=eni)
    other = world.environment(99, SHA2)  # a running task of another environment: not ours
    _, eni2 = world.run_service_task(99, SHA2, other["task_definition"])
    alloc2 = world.c.ec2.allocate_address(Domain="vpc")
    world.c.ec2.associate_address(AllocationId=alloc2["AllocationId"], NetworkInterfaceId=eni2)
    live = LazyLive(live_from_env)
    # outputs that name no service: the config's environment is the one asked about
    assert live.address(EnvConfig(pr=1234, sha=SHA1), {}) == f"{alloc['PublicIp']}:8080"
    # outputs that name one: that service
    outputs = {"serviceName": other["service"], "clusterName": CLUSTER}
    assert live.address(EnvConfig(pr=1234, sha=SHA1), outputs) == f"{alloc2['PublicIp']}:8080"


def test_before_up_of_an_active_service_waits_for_nothing(world: World) -> None:
    world.environment(1234, SHA1)
    live = LazyLive(live_from_env)
    live.before_up(EnvConfig(pr=1234, sha=SHA1))  # returns at once
    live.before_up(EnvConfig(pr=5, sha=SHA2))  # no service at all


def test_rollout_of_the_stacks_task_definition_is_no_failure(world: World) -> None:
    env = world.environment(1234, SHA1)
    outputs = {
        "serviceName": env["service"],
        "clusterName": CLUSTER,
        "taskDefinitionArn": env["task_definition"],
    }
    LazyLive(live_from_env).check_rollout(outputs)  # no error: not rolled back


def test_tail_logs_are_the_last_lines_of_the_configs_environment(world: World) -> None:
    group = resource_names(7, SHA1).log_group
    with contextlib.suppress(world.c.logs.exceptions.ResourceAlreadyExistsException):
        world.c.logs.create_log_group(logGroupName=group)
    world.c.logs.create_log_stream(logGroupName=group, logStreamName="superset/superset/t1")
    t0 = int(datetime.now(UTC).timestamp() * 1000) - 60_000
    lines = ["one", "two", "three", "four"]
    world.c.logs.put_log_events(
        logGroupName=group,
        logStreamName="superset/superset/t1",
        logEvents=[{"timestamp": t0 + i * 1000, "message": m} for i, m in enumerate(lines)],
    )
    text = LazyLive(live_from_env).tail_logs(EnvConfig(pr=7, sha=SHA1), 2)
    assert [ln.rsplit(" ", 1)[-1] for ln in text.splitlines()] == ["three", "four"]


def test_orphans_are_found_and_deleted_as_asked(world: World) -> None:
    world.environment(1, SHA1)  # PR 1 open, its stack live: kept
    world.environment(2, SHA2)  # PR 2 closed, its stack gone: an orphan
    live = LazyLive(live_from_env)
    later = datetime.now(UTC) + timedelta(hours=2)
    decisions = live.find_orphans({"pr-1-aaaaaaa"}, {1}, later)
    n2 = resource_names(2, SHA2)
    delete = sorted((d.resource.kind, d.resource.name) for d in decisions if d.action == "delete")
    assert [(k, n.split(":")[0]) for k, n in delete] == [
        ("ecr-image", n2.image_tag),
        ("ecs-service", n2.service),
        ("log-group", n2.log_group),
        ("task-definition", n2.task_family),
    ]
    assert {d.reason for d in decisions if d.action == "delete"} == {
        "stack pr-2-bbbbbbb no longer exists and PR #2 is closed"
    }
    # PR 2 open: its stack gone, still an orphan, with the other reason
    reasons = {d.reason for d in live.find_orphans({"pr-1-aaaaaaa"}, {1, 2}, later)}
    assert "stack pr-2-bbbbbbb no longer exists" in reasons

    todo = [d for d in decisions if d.action == "delete"]
    dry = live.delete_orphans(todo, dry_run=True)
    assert [(r.deleted, r.dry_run) for r in dry] == [(False, True)] * 4
    assert len(live.find_orphans({"pr-1-aaaaaaa"}, {1}, later)) == len(decisions)
    done = live.delete_orphans(todo, dry_run=False)
    assert [(r.deleted, r.dry_run, r.error) for r in done] == [(True, False, None)] * 4
    left = live.find_orphans({"pr-1-aaaaaaa"}, {1}, later)
    assert [d for d in left if d.action == "delete"] == []


# --------------------------------------------------------------------------- opened for real


def test_the_registry_reader_names_showtime_iac_and_its_version(server: Scripted) -> None:  # noqa: F811
    """Registries see who pulls: ``showtime-iac/<the installed version>``."""
    server.answer(MANIFEST, ok_manifest())
    assert open_registry().manifest(server.address, "team/app", "v1") is not None
    agents = [h["User-Agent"] for _, h in server.seen]
    assert agents == ["showtime-iac/" + importlib.metadata.version("showtime-iac")]


def test_the_stack_tag_reader_reads_an_s3_backends_bucket_and_nothing_else(
    moto_env: str,
) -> None:
    import boto3

    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="state", CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    doc = {"version": 1, "tags": {"showtime:pr": "7", "showtime:ttl": "24h"}}
    for project in ("showtime-iac", "other-app"):
        s3.put_object(
            Bucket="state",
            Key=f".pulumi/stacks/{project}/pr-7-abc1234.pulumi-tags",
            Body=json.dumps(doc),
        )
    host = moto_env.removeprefix("http://")
    url = f"s3://state?endpoint={host}&disableSSL=true&s3ForcePathStyle=true&region=us-west-2"
    assert _s3_tags(url) == {"pr-7-abc1234": {"showtime:pr": "7", "showtime:ttl": "24h"}}
    # other backends: None (the driver reads a file backend itself, asks the CLI otherwise)
    assert _s3_tags("file:///tmp/state") is None
    assert _s3_tags("https://api.pulumi.com") is None


STACK = "pr-1234-abc1234"


@requires_engine
@pytest.mark.engine
def test_open_stacks_runs_the_program_of_the_given_project_streams_output_and_unlocks_only_when_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = make_world(tmp_path, monkeypatch)
    # only the project directory given finds Pulumi.yaml
    monkeypatch.setenv("SHOWTIME_PROJECT_DIR", str(tmp_path / "elsewhere"))
    lines: list[str] = []
    outputs = open_stacks(world.project, lines.append).up(engine_cfg())
    assert outputs == {"serviceName": f"{STACK}-service", "logGroup": f"/showtime/{STACK}"}
    assert [(r["name"], r["resourceCount"]) for r in world.stack_ls()] == [(STACK, 4)]
    assert any("created" in ln for ln in lines), "the engine's output went to on_output"

    # a live run of this host holds the lock; no retries ($SHOWTIME_LOCK_RETRIES=0)
    locks = tmp_path / "state" / ".pulumi" / "locks" / "organization" / "showtime-iac" / STACK
    locks.mkdir(parents=True, exist_ok=True)  # pulumi leaves the directory
    at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    holder = {"pid": os.getpid(), "username": "ann", "hostname": socket.gethostname()}
    (locks / "0b1f.json").write_text(json.dumps({**holder, "timestamp": at}))
    monkeypatch.setenv("SHOWTIME_LOCK_RETRIES", "0")
    with pytest.raises(S.StackBusyError) as err:
        open_stacks(world.project).up(engine_cfg())  # unlock: not by default
    assert str(err.value) == (
        f"stack {STACK} is locked by another update (ann@{socket.gethostname()} "
        f"(pid {os.getpid()}) at {at}) (up tried 1 times over 0 s): wait for it to finish; if "
        f"that run was killed, re-run with --unlock (or `pulumi cancel --stack {STACK} --yes`)"
    )
    assert len(list(locks.glob("*.json"))) == 1
    open_stacks(world.project, unlock=True).up(engine_cfg())
    assert list(locks.glob("*.json")) == []


@requires_engine
@pytest.mark.engine
def test_open_stacks_lists_an_s3_backends_fleet_with_one_engine_call(
    moto_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a team's S3 backend the tags come from the bucket, read while the CLI lists: one
    ``pulumi`` call for the whole fleet, not one ``stack tag ls`` per stack."""
    import boto3

    boto3.client("s3").create_bucket(
        Bucket="fleet-state", CreateBucketConfiguration={"LocationConstraint": "us-west-2"}
    )
    host = moto_env.removeprefix("http://")
    url = f"s3://fleet-state?endpoint={host}&disableSSL=true&s3ForcePathStyle=true&region=us-west-2"
    world = make_world(tmp_path, monkeypatch, url)
    for pr in (7, 8):
        stack = f"pr-{pr}-abc1234"
        world.pulumi("stack", "init", stack)
        world.pulumi("stack", "tag", "set", "showtime:pr", str(pr), "--stack", stack)
    driver = open_stacks(world.project)
    infos = driver.list()
    assert [(i.name, i.tags["showtime:pr"]) for i in infos] == [
        ("pr-7-abc1234", "7"),
        ("pr-8-abc1234", "8"),
    ]
    assert driver.stats.engine_calls == 1
