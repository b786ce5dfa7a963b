"""The stack driver without an engine: pure helpers, and the driver over an Engine test double.

The double records every engine call, so the tests check what the driver asks the engine to do
(and not to do): one listing call, tags, config, lock retries, pending-op recovery, refusals.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pulumi.automation import ConcurrentUpdateError
from pulumi.automation._cmd import CommandResult
from pulumi.automation.errors import CommandError
from pulumi.automation.events import (
    EngineEvent,
    ResOutputsEvent,
    StepEventMetadata,
)

from showtime_iac.adapters import stacks as S
from showtime_iac.core.model import EnvConfig, InputError, Ttl, resource_tags

SHA = "abc1234def5678abc1234def5678abc1234def56"
NOW = datetime(2026, 1, 15, 14, 30, tzinfo=UTC)


def cfg(**kw: Any) -> EnvConfig:
    base: dict[str, Any] = {"pr": 1234, "sha": SHA, "requester": "octocat", "ttl": Ttl("48h")}
    base.update(kw)
    return EnvConfig(**base)


def cmd_error(stderr: str, cls: type[CommandError] = CommandError) -> CommandError:
    return cls(CommandResult(stdout="", stderr=stderr, code=255))


def event(op: str, rtype: str, name: str, diffs: list[str] | None = None) -> EngineEvent:
    meta = StepEventMetadata(
        op=op,  # type: ignore[arg-type]
        urn=f"urn:pulumi:pr-1234-abc1234::showtime-iac::{rtype}::{name}",
        type=rtype,
        provider="",
        diffs=diffs,
    )
    return EngineEvent(sequence=1, timestamp=0, res_outputs_event=ResOutputsEvent(metadata=meta))


class FakeEngine:
    """Engine test double: an in-memory backend with stacks, config, tags and state."""

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

    def add(self, name: str, tags: dict[str, str] | None = None, **extra: Any) -> None:
        self.stacks[name] = {
            "config": {},
            "tags": dict(tags or {}),
            "resources": 3,
            "pending": [],
            "last": NOW - timedelta(hours=2),
            **extra,
        }

    def _call(self, what: str, stack: str = "") -> None:
        self.calls.append((what, stack))

    def list_stacks(self) -> list[S.StackRow]:
        self._call("list_stacks")
        return [
            S.StackRow(f"organization/showtime-iac/{n}", s["last"], s["resources"], False)
            for n, s in self.stacks.items()
        ]

    def select(self, stack: str) -> bool:
        self._call("select", stack)
        return stack in self.stacks

    def create(self, stack: str) -> None:
        self._call("create", stack)
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

    def _maybe_locked(self) -> None:
        if self.locked_for > 0:
            self.locked_for -= 1
            raise cmd_error(
                "error: the stack is currently locked by 1 lock(s)", ConcurrentUpdateError
            )

    def up(self, stack: str, on_output: Callable[[str], None]) -> dict[str, Any]:
        self._call("up", stack)
        self._maybe_locked()
        on_output("+  aws:ecs:Service service created")
        self.stacks[stack]["resources"] = 4
        return {"serviceName": f"{stack}-service"}

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
        if clear_pending_creates:
            self.stacks[stack]["pending"] = [
                p for p in self.stacks[stack]["pending"] if p["type"] != "creating"
            ]

    def destroy(self, stack: str, on_output: Callable[[str], None]) -> None:
        self._call("destroy", stack)
        self._maybe_locked()
        self.stacks[stack]["resources"] = 0

    def remove(self, stack: str) -> None:
        self._call("remove", stack)
        if self.stacks[stack]["resources"]:
            raise cmd_error("error: 'pr-x' still has resources; removal rejected")
        del self.stacks[stack]

    def outputs(self, stack: str) -> dict[str, Any]:
        self._call("outputs", stack)
        return {"serviceName": f"{stack}-service"}

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
        self.stacks[stack]["pending"] = list(deployment["deployment"].get("pending_operations", []))

    def cancel(self, stack: str) -> None:
        self._call("cancel", stack)
        self.locked_for = 0

    def ops(self, name: str) -> int:
        return sum(1 for c, _ in self.calls if c == name)


ENV = {"PULUMI_CONFIG_PASSPHRASE": "pw"}


def driver(engine: FakeEngine, env: Mapping[str, str] = ENV, **kw: Any) -> S.PulumiDriver:
    sleeps: list[float] = []
    d = S.PulumiDriver(
        engine,
        env=env,
        base_config={"aws:region": "us-west-2"},
        sleep=sleeps.append,
        clock=lambda: NOW,
        retry_delay=1.0,
        **kw,
    )
    d.sleeps = sleeps  # type: ignore[attr-defined]
    return d


# --------------------------------------------------------------------------- pure helpers


def test_stack_tags_are_the_resource_tags_and_fit_pulumi_limits() -> None:
    c = cfg(created=NOW)
    tags = S.stack_tags(c)
    assert tags == resource_tags(c)
    assert tags["showtime:pr"] == "1234" and tags["showtime:sha"] == "abc1234"
    assert tags["showtime:expires-at"] == "2026-01-17T14:30:00Z"
    assert all(len(k) <= S.MAX_TAG_NAME for k in tags)


def test_check_tags_refuses_long_names_and_values() -> None:
    with pytest.raises(InputError, match="1 to 40"):
        S.check_tags({"x" * 41: "v"})
    with pytest.raises(InputError, match="256"):
        S.check_tags({"k": "v" * 257})
    assert S.check_tags({"x" * 40: "v" * 256})


def test_config_values_mark_secrets_and_merge_base() -> None:
    values = S.stack_config_values(
        cfg(),
        {"aws:region": "eu-west-1", "showtime-iac:sharedStack": "shared", "app:dbPassword": "s"},
    )
    assert values["aws:region"] == ("eu-west-1", False)
    assert values["showtime-iac:pr"] == ("1234", False)
    assert values["showtime-iac:sha"] == (SHA, False)
    assert values["app:dbPassword"] == ("s", True)
    assert S.is_secret_key("github:token") and not S.is_secret_key("showtime-iac:ttl")


def test_project_dir_from_option_env_or_repo(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: showtime-iac\n")
    assert S.find_project_dir(tmp_path, {}) == tmp_path.resolve()
    assert S.find_project_dir(None, {S.ENV_PROJECT_DIR: str(tmp_path)}) == tmp_path.resolve()
    assert (S.find_project_dir(None, {}) / "Pulumi.yaml").is_file()  # this checkout
    with pytest.raises(InputError, match="SHOWTIME_PROJECT_DIR"):
        S.find_project_dir(None, {S.ENV_PROJECT_DIR: str(tmp_path / "nope")})


def test_backend_default_is_a_local_directory_created_on_first_use(tmp_path: Path) -> None:
    url = S.backend_url({}, home=tmp_path)
    assert url == f"file://{tmp_path}/.showtime-iac/pulumi-state"
    assert S.backend_url({"PULUMI_BACKEND_URL": "s3://b"}) == "s3://b"
    path = S.ensure_local_backend(url)
    assert path is not None and path.is_dir()
    assert S.ensure_local_backend("s3://bucket") is None
    assert S.local_backend_dir("file://~/x") == Path.home() / "x"


def test_passphrase_rule_and_tag_support_by_backend_and_version() -> None:
    assert S.needs_passphrase("file:///tmp/s", None)
    assert S.needs_passphrase("s3://b", "passphrase")
    assert not S.needs_passphrase("s3://b", "awskms://alias/x")
    assert not S.needs_passphrase("https://api.pulumi.com", None)
    assert S.parse_version("v3.211.0\n") == (3, 211, 0)
    assert S.parse_version("garbage") is None
    assert S.tags_supported("file:///x", (3, 211, 0))
    assert not S.tags_supported("s3://b", (3, 210, 9))
    assert not S.tags_supported("s3://b", None)
    assert S.tags_supported("https://api.pulumi.com", (3, 100, 0))


def test_find_engine_on_path_or_in_pulumi_home(tmp_path: Path) -> None:
    assert S.find_engine({"PATH": str(tmp_path), "HOME": str(tmp_path)}) is None
    exe = tmp_path / ".pulumi" / "bin" / "pulumi"
    exe.parent.mkdir(parents=True)
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    assert S.find_engine({"PATH": "", "HOME": str(tmp_path)}) == exe
    assert S.find_engine({"PATH": str(exe.parent), "HOME": "/nonexistent"}) == exe


def test_read_diy_tags_reads_version_1_files_only(tmp_path: Path) -> None:
    d = tmp_path / ".pulumi" / "stacks" / "showtime-iac"
    d.mkdir(parents=True)
    (d / "pr-1-abc1234.pulumi-tags").write_text(
        json.dumps({"version": 1, "tags": {"showtime:pr": "1"}})
    )
    (d / "pr-2-abc1234.pulumi-tags").write_text(json.dumps({"version": 2, "tags": {}}))
    assert S.read_diy_tags(tmp_path, "pr-1-abc1234") == {"showtime:pr": "1"}
    assert S.read_diy_tags(tmp_path, "pr-2-abc1234") is None
    assert S.read_diy_tags(tmp_path, "pr-3-abc1234") is None


def test_stack_info_ttl_left_and_age() -> None:
    info = S.StackInfo(
        "pr-1-abc1234",
        1,
        "abc1234",
        NOW - timedelta(hours=3),
        4,
        False,
        {
            "showtime:ttl": "48h",
            "showtime:expires-at": "2026-01-16T14:30:00Z",
            "showtime:requested-by": "octocat",
        },
    )
    assert info.age(NOW) == timedelta(hours=3)
    assert info.ttl_left(NOW) == timedelta(days=1)
    j = info.to_json(NOW)
    assert (
        j["requester"] == "octocat" and j["ttl_left_seconds"] == 86400 and j["age_seconds"] == 10800
    )
    never = S.StackInfo(
        "pr-1-abc1234", 1, "abc1234", tags={"showtime:expires-at": "never", "showtime:ttl": "BAD"}
    )
    assert never.ttl_left(NOW) is None and never.ttl is None


def test_drift_item_from_events() -> None:
    assert S.drift_item(event("same", "aws:ecs/service:Service", "service"), "refresh") is None
    assert S.drift_item(event("update", "pulumi:pulumi:Stack", "x"), "refresh") is None
    item = S.drift_item(
        event("update", "aws:cloudwatch/logGroup:LogGroup", "log-group", ["retentionInDays"]),
        "refresh",
    )
    assert item == S.DriftItem(
        "refresh", "update", "aws:cloudwatch/logGroup:LogGroup", "log-group", ("retentionInDays",)
    )
    assert item.line("pr-1234-abc1234") == (
        "pr-1234-abc1234: update aws:cloudwatch/logGroup:LogGroup log-group (retentionInDays): changed outside Pulumi"
    )
    assert S.drift_item(object(), "refresh") is None


# --------------------------------------------------------------------------- driver


def test_up_creates_stack_sets_config_and_tags_then_up() -> None:
    e = FakeEngine()
    d = driver(e)
    out = d.up(cfg())
    assert out == {"serviceName": "pr-1234-abc1234-service"}
    assert [c for c, _ in e.calls[:3]] == ["select", "create", "set_config"]
    st = e.stacks["pr-1234-abc1234"]
    assert st["config"]["showtime-iac:created"][0] == NOW.isoformat()
    assert st["config"]["aws:region"] == ("us-west-2", False)
    assert st["tags"] == resource_tags(cfg(created=NOW))
    assert e.ops("export") == 0  # a new stack has no pending operations to look for
    assert d.stats.total_s >= 0


def test_up_of_existing_stack_keeps_created_and_only_changed_tags() -> None:
    e = FakeEngine()
    d = driver(e)
    d.up(cfg())
    e.calls.clear()
    later = S.PulumiDriver(e, env=ENV, clock=lambda: NOW + timedelta(hours=5))
    later.up(cfg())
    assert e.stacks["pr-1234-abc1234"]["config"]["showtime-iac:created"][0] == NOW.isoformat()
    assert e.ops("set_tag") == 0 and e.ops("create") == 0 and e.ops("export") == 1
    later.up(cfg(ttl=Ttl("7d")))
    assert e.ops("set_tag") == 2  # ttl and expires-at


def test_up_skips_tags_on_an_old_cli_with_a_note() -> None:
    e = FakeEngine(version=(3, 200, 0))
    d = driver(e)
    d.up(cfg())
    assert e.ops("set_tag") == 0 and e.stacks["pr-1234-abc1234"]["tags"] == {}
    assert any("stack tags skipped" in n for n in d.notes)


def test_missing_passphrase_is_a_clear_error_and_changes_nothing() -> None:
    e = FakeEngine(backend_url="file:///tmp/x")
    e.add("pr-1234-abc1234")
    with pytest.raises(S.PassphraseError, match="exists and its secrets"):
        driver(e, env={}).up(cfg())
    with pytest.raises(S.PassphraseError, match="creating stack pr-1234-abc9999"):
        driver(e, env={}).up(cfg(sha="abc9999"))
    assert {c for c, _ in e.calls} == {"select"}
    # Pulumi Cloud and KMS need no passphrase
    driver(FakeEngine(backend_url="https://api.pulumi.com"), env={}).up(cfg())
    driver(FakeEngine(), env={}, secrets_provider="awskms://alias/x").up(cfg())


def test_concurrent_update_retries_then_succeeds() -> None:
    e = FakeEngine()
    e.locked_for = 2
    d = driver(e)
    d.up(cfg())
    assert e.ops("up") == 3
    assert d.sleeps == [1.0, 2.0]  # type: ignore[attr-defined]
    assert sum("locked by another update" in n for n in d.notes) == 2


def test_concurrent_update_gives_up_after_bounded_retries() -> None:
    e = FakeEngine()
    e.locked_for = 99
    d = driver(e)
    with pytest.raises(S.StackBusyError, match=r"tried 4 times .*--unlock"):
        d.up(cfg())
    assert e.ops("up") == 4 and e.ops("cancel") == 0


def test_unlock_cancels_a_stale_lock_and_recovers_pending_operations() -> None:
    e = FakeEngine()
    e.add("pr-1234-abc1234", tags=resource_tags(cfg()))
    e.locked_for = 99
    d = driver(e, unlock=True)
    e.stacks["pr-1234-abc1234"]["pending"] = []
    d.up(cfg())
    assert e.ops("cancel") == 1
    assert any("cancelled the lock" in n for n in d.notes)


def test_pending_operations_are_recovered_with_a_message() -> None:
    e = FakeEngine()
    e.add("pr-1234-abc1234")
    e.stacks["pr-1234-abc1234"]["pending"] = [
        {
            "type": "creating",
            "resource": {"urn": "urn:pulumi:s::p::aws:ecs/service:Service::service"},
        },
        {
            "type": "updating",
            "resource": {
                "urn": "urn:pulumi:s::p::aws:ecs/taskDefinition:TaskDefinition::task-definition"
            },
        },
    ]
    d = driver(e)
    d.up(cfg())
    assert e.ops("refresh") == 1 and e.ops("import") == 1
    assert e.stacks["pr-1234-abc1234"]["pending"] == []
    note = next(n for n in d.notes if "pending operation" in n)
    assert (
        "2 pending operation(s)" in note
        and "creating service" in note
        and "removed the rest" in note
    )


def test_destroy_then_remove_never_forced() -> None:
    e = FakeEngine()
    d = driver(e)
    d.up(cfg())
    d.destroy(1234, SHA)
    assert "pr-1234-abc1234" not in e.stacks
    names = [c for c, _ in e.calls]
    assert names.index("destroy") < names.index("remove")


def test_destroy_refuses_a_stack_tagged_for_another_pr() -> None:
    e = FakeEngine()
    e.add("pr-1234-abc1234", tags={"showtime:pr": "999", "showtime:sha": "abc1234"})
    with pytest.raises(S.TagMismatchError, match="tagged for PR 999"):
        driver(e).destroy(1234, "abc1234")
    assert e.ops("destroy") == 0
    e.add("pr-1234-abc1234")  # no tags, no config: not ours
    with pytest.raises(S.TagMismatchError, match="not a showtime-iac stack"):
        driver(e).destroy(1234, "abc1234")


def test_destroy_checks_config_when_the_backend_keeps_no_tags() -> None:
    e = FakeEngine(version=(3, 100, 0))
    d = driver(e)
    d.up(cfg())
    d.destroy(1234, "abc1234")
    assert e.ops("list_tags") == 0 and e.ops("get_config") == 1 and e.ops("remove") == 1


def test_destroy_of_a_missing_stack_is_a_no_op() -> None:
    e = FakeEngine()
    d = driver(e)
    d.destroy(1234, "abc1234")
    assert e.ops("destroy") == 0 and "nothing to destroy" in d.notes[0]


def test_remove_failure_is_reported_not_forced() -> None:
    e = FakeEngine()
    e.add("pr-1234-abc1234", tags=resource_tags(cfg()))
    e.destroy = lambda stack, on_output: None  # type: ignore[method-assign]  # leaves resources
    with pytest.raises(S.StackError, match="NOT force-removed"):
        driver(e).destroy(1234, SHA)


def test_list_is_one_backend_call_for_200_stacks_with_file_backend_tags(tmp_path: Path) -> None:
    e = FakeEngine(backend_url=f"file://{tmp_path}")
    tagdir = tmp_path / ".pulumi" / "stacks" / "showtime-iac"
    tagdir.mkdir(parents=True)
    for pr in range(1, 201):
        name = f"pr-{pr}-abc1234"
        e.add(name)
        (tagdir / f"{name}.pulumi-tags").write_text(
            json.dumps({"version": 1, "tags": {"showtime:requested-by": f"user{pr}"}})
        )
    e.add("shared")
    infos = driver(e).list()
    assert len(infos) == 200 and infos[0].pr == 1 and infos[-1].pr == 200
    assert infos[41].requester == "user42"
    assert e.calls == [("list_stacks", "")]


def test_list_on_other_backends_reads_tags_per_stack() -> None:
    e = FakeEngine(backend_url="s3://bucket")
    e.add("pr-7-abc1234", tags={"showtime:requested-by": "octocat"})
    infos = driver(e).list()
    assert infos[0].requester == "octocat" and infos[0].name == "pr-7-abc1234"
    assert e.ops("list_stacks") == 1 and e.ops("list_tags") == 1
    assert driver(e).list_stacks() == ["pr-7-abc1234"]


def test_drift_none_and_found() -> None:
    e = FakeEngine()
    e.add("pr-1234-abc1234")
    assert not driver(e).drift(1234, SHA).drifted
    e.refresh_events = [
        event("update", "aws:cloudwatch/logGroup:LogGroup", "log-group", ["retentionInDays"]),
        event("same", "aws:ecs/service:Service", "service"),
    ]
    e.preview_events = [event("update", "aws:ecs/service:Service", "service", ["desiredCount"])]
    e.preview_error = "error: no changes were expected but changes were proposed"
    report = driver(e).drift(1234, SHA)
    assert report.drifted and len(report.lines()) == 2
    assert report.to_json()["resources"][1]["diffs"] == ["desiredCount"]


def test_drift_reports_expect_no_changes_even_without_events() -> None:
    e = FakeEngine()
    e.add("pr-1234-abc1234")
    e.preview_error = "error: no changes were expected but changes were proposed"
    report = driver(e).drift(1234, SHA)
    assert report.lines() == [
        "pr-1234-abc1234: update stack pr-1234-abc1234: program or config differs"
    ]


def test_drift_engine_failure_is_an_error_not_drift() -> None:
    e = FakeEngine()
    e.add("pr-1234-abc1234")
    e.preview_error = "error: program failed: boom"
    with pytest.raises(S.StackError, match="boom"):
        driver(e).drift(1234, SHA)
    with pytest.raises(S.StackError, match="no stack"):
        driver(FakeEngine()).drift(1234, SHA)


def test_up_failure_is_one_clear_line() -> None:
    e = FakeEngine()

    def boom(stack: str, on_output: Callable[[str], None]) -> dict[str, Any]:
        raise cmd_error("warning: x\nerror: creating ECS Service: AccessDenied\n")

    e.up = boom  # type: ignore[method-assign]
    with pytest.raises(
        S.StackError,
        match=r"^up of stack pr-1234-abc1234 failed: error: creating ECS Service: AccessDenied$",
    ):
        driver(e).up(cfg())


def test_preview_returns_false_for_a_missing_stack_and_writes_nothing() -> None:
    e = FakeEngine()
    assert driver(e).preview(cfg()) is False
    assert e.calls == [("select", "pr-1234-abc1234")]
    e.add("pr-1234-abc1234")
    assert driver(e).preview(cfg()) is True
    assert e.ops("set_config") == 0 and e.ops("create") == 0


def test_open_driver_without_engine_is_engine_missing(tmp_path: Path) -> None:
    with pytest.raises(S.EngineMissingError, match=r"get\.pulumi\.com"):
        S.open_driver(env={"PATH": str(tmp_path), "HOME": str(tmp_path)})


def test_base_config_region_and_shared_stack() -> None:
    assert S.base_config({}) == {"aws:region": "us-west-2", "showtime-iac:sharedStack": "shared"}
    assert (
        S.base_config({"AWS_REGION": "eu-west-1", S.ENV_SHARED_STACK: "org/showtime-iac/shared"})[
            "showtime-iac:sharedStack"
        ]
        == "org/showtime-iac/shared"
    )
