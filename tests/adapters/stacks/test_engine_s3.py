"""The real Pulumi engine on a team backend: the DIY S3 backend against moto's server (real
HTTP, the bucket's ``endpoint`` in the backend URL), with the test program.

The same cycle as on ``file://`` (up → ``stack ls`` with tags → drift → destroy → gone), and
the stack lock across two processes: the lock is an object in the bucket, so a second run
on another machine sees it the same way.
"""

from __future__ import annotations

import json

import pytest

from tests.adapters.stacks.engine_program import ENV_CREATE_SLEEP
from tests.adapters.stacks.engine_support import (
    REPO,
    SHA,
    World,
    cfg,
    last_line,
    requires_engine,
    running,
    wait_for,
)

pytestmark = [pytest.mark.engine, requires_engine]

STACK = "pr-1234-abc1234"
UP = ("up", "1234", "--sha", SHA, "--requester", "octocat", "--ttl", "24h")


def _lock_keys(bucket_url: str) -> list[str]:
    import boto3

    bucket = bucket_url.removeprefix("s3://").split("?", 1)[0]
    prefix = f".pulumi/locks/organization/showtime-iac/{STACK}/"
    listed = boto3.client("s3").list_objects_v2(Bucket=bucket, Prefix=prefix)
    return [o["Key"] for o in listed.get("Contents", []) if o["Key"].endswith(".json")]


def test_s3_backend_create_up_list_with_tags_drift_destroy(s3_world: World) -> None:
    d = s3_world.driver()
    assert d.up(cfg())["serviceName"] == f"{STACK}-service"
    assert [r["name"] for r in s3_world.stack_ls()] == [STACK]
    assert [r["name"] for r in s3_world.stack_ls("--tag", "showtime:pr=1234", cwd=REPO)] == [STACK]
    (info,) = d.list()  # no tag reader given: one `stack tag ls` per stack
    assert (info.name, info.requester, info.tags["showtime:pr"]) == (STACK, "octocat", "1234")
    listed = s3_world.cli("list", "--json")  # the CLI's: tags read from the bucket itself
    assert listed.returncode == 0, listed.stderr
    (row,) = json.loads(listed.stdout)["stacks"]
    assert (row["stack"], row["requester"], row["tags"]) == (STACK, "octocat", info.tags)

    s3_world.change_outside_pulumi(f"{STACK}-service.json", image="superset:hotfix")
    found = s3_world.cli("drift", "1234")
    assert found.returncode == 3, found.stderr
    assert "service (image): changed outside Pulumi" in found.stdout

    gone = s3_world.cli("destroy", "1234", "--sha", SHA)
    assert gone.returncode == 0, gone.stderr
    assert s3_world.stack_ls() == [] and s3_world.objects() == {}


def test_s3_backend_lock_held_by_another_process_is_reported_then_waited_for(
    s3_world: World,
) -> None:
    with running(s3_world.start_cli(*UP, extra={ENV_CREATE_SLEEP: "20"})) as first:
        wait_for("the first run's create", lambda: any(s3_world.cloud.glob("*.creating")))
        assert len(_lock_keys(s3_world.backend)) == 1  # the lock: an object in the bucket
        waiter = s3_world.start_cli(
            *UP, extra={"SHOWTIME_LOCK_RETRIES": "6", "SHOWTIME_LOCK_RETRY_DELAY": "2"}
        )
        with running(waiter):
            busy = s3_world.cli(*UP, extra={"SHOWTIME_LOCK_RETRIES": "0"})
            assert first.poll() is None, "the first run was still holding the lock"
            _, first_err = first.communicate(timeout=120)
            _, waiter_err = waiter.communicate(timeout=180)
    assert first.returncode == 0, first_err
    assert busy.returncode == 1
    assert f"stack {STACK} is locked by another update (" in last_line(busy.stderr)
    assert waiter.returncode == 0, waiter_err
    assert "locked by another update, retry 1/6" in waiter_err
    assert _lock_keys(s3_world.backend) == []
    assert [r["resourceCount"] for r in s3_world.stack_ls()] == [4]
