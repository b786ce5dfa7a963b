"""The real Pulumi engine on a ``file://`` backend: the driver the product uses, with the test
program of dynamic resources (:mod:`.engine_program`), in this process and as
``showtime-iac`` processes.

Covered: create → up → ``pulumi stack ls`` with the ``showtime:*`` tags → destroy → gone; the
infra team's audit (``pulumi stack ls --tag showtime:pr=N`` from the repo root); drift made
outside Pulumi (exit 3, named; ``up`` repairs it); two runs on one stack (one waits or
reports); ``kill -9`` mid-``up`` (the next run removes the stale lock and recovers the
pending operations, then ``up``/``destroy``/``cleanup`` finish); a missing or wrong
passphrase, a stack of another project, a tag mismatch (one line, exit code, nothing
destroyed). Our overhead per engine call (time outside ``pulumi``) is bounded.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from showtime_iac.adapters import stacks as S
from showtime_iac.cli import main
from showtime_iac.core.model import EnvConfig
from tests.adapters.stacks.engine_program import ENV_CLOUD, ENV_CREATE_SLEEP, program
from tests.adapters.stacks.engine_support import (
    REPO,
    SHA,
    World,
    cfg,
    kill_run,
    last_line,
    requires_engine,
    running,
    wait_for,
)
from tests.github_api_server import GitHubServer

pytestmark = [pytest.mark.engine, requires_engine]

STACK = "pr-1234-abc1234"
SERVICE = f"{STACK}-service.json"
MAX_OVERHEAD_S = 0.3
UP = ("up", "1234", "--sha", SHA, "--requester", "octocat", "--ttl", "24h")


def test_create_up_then_stack_ls_shows_the_tags_then_destroy_and_the_stack_is_gone(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    lines: list[str] = []
    d = world.driver(on_output=lines.append)
    overheads: list[tuple[str, float, int]] = []

    def measure(what: str) -> None:
        overheads.append((what, d.stats.overhead_s, d.stats.engine_calls))

    outputs = d.up(cfg())
    measure("up")
    assert outputs == {"serviceName": f"{STACK}-service", "logGroup": f"/showtime/{STACK}"}
    assert any("created" in ln for ln in lines), "engine output was streamed"

    rows = world.stack_ls()
    assert [r["name"] for r in rows] == [STACK]
    assert rows[0]["resourceCount"] == 4  # the stack, the provider, two FakeServices
    tags = world.tags(STACK)
    created = datetime.fromisoformat(d.engine.get_config(STACK)["showtime-iac:created"])
    expected = S.stack_tags(cfg(created=created))
    assert {k: v for k, v in tags.items() if k.startswith("showtime:")} == expected
    assert tags["showtime:pr"] == "1234" and tags["showtime:requested-by"] == "octocat"
    assert {o["tags"]["showtime:sha"] for o in world.objects().values()} == {"abc1234"}

    listed = d.list()
    measure("list")
    assert [(s.name, s.requester, s.resource_count) for s in listed] == [(STACK, "octocat", 4)]
    assert d.drift(1234, SHA).lines() == []
    measure("drift")

    # a fresh checkout has no stacks/Pulumi.pr-*.yaml (git-ignored, generated): still works
    for f in (world.project / "stacks").glob("Pulumi.pr-*.yaml"):
        f.unlink()
    d.destroy(1234, SHA)
    measure("destroy")
    assert world.stack_ls() == []
    assert world.objects() == {}
    d.destroy(1234, SHA)  # already gone: nothing to do, no error
    assert d.notes[-1] == f"{STACK}: no such stack, nothing to destroy"

    with capsys.disabled():
        for what, overhead, calls in overheads:
            print(f"\n[engine] {what}: our overhead {overhead * 1000:.0f} ms over {calls} calls")
    worst = max(o / max(c, 1) for _, o, c in overheads)
    assert worst <= MAX_OVERHEAD_S, overheads


def test_sleep_and_wake_update_the_same_stack_in_place_and_keep_its_secrets(
    world: World,
) -> None:
    """idle_action = "sleep" on the real engine: the sleep is an ``up`` of the same stack whose
    config (merged by ``pulumi config set-all``) says sleeping; the wake overwrites it. The
    service is updated, never replaced; the secrets generated at creation stay; no drift."""
    from dataclasses import replace

    d = world.driver()
    awake = cfg(image="registry.test/superset-ci:sti-pr-1234-abc1234", image_sha=SHA)
    d.up(awake)
    before = d.engine.get_config(STACK)
    assert world.objects()[SERVICE]["desired"] == 1
    lines: list[str] = []
    d = world.driver(on_output=lines.append)
    d.up(replace(awake, sleeping=True))
    assert world.objects()[SERVICE]["desired"] == 0
    text = "\n".join(lines)
    assert "updated" in text and "replaced" not in text and "created" not in text, text
    asleep = d.engine.get_config(STACK)
    assert asleep["showtime-iac:sleeping"] == "true"
    for key in ("showtime-iac:secretKey", "showtime-iac:adminPassword", "showtime-iac:created"):
        assert asleep[key] == before[key]
    assert d.drift(1234, SHA).lines() == []
    # `list` prices it from the stack config file the engine wrote: asleep, its image only
    from showtime_iac.adapters.aws import FargatePrices, hourly_cost
    from showtime_iac.app.sizing import size_of

    [info] = d.list()
    [sized] = size_of([info], world.project / "stacks", "medium", FargatePrices())
    assert sized.sleeping and sized.hourly_cost == hourly_cost("medium", sleeping=True)
    # asleep: only the image in ECR and the secret (≈ 1.3 % of a running medium)
    assert sized.hourly_cost < hourly_cost("medium") / 50
    d.up(awake)
    assert world.objects()[SERVICE]["desired"] == 1
    [sized] = size_of(d.list(), world.project / "stacks", "medium", FargatePrices())
    assert not sized.sleeping and sized.hourly_cost == hourly_cost("medium")
    assert d.engine.get_config(STACK)["showtime-iac:sleeping"] == "false"
    assert d.engine.get_config(STACK)["showtime-iac:secretKey"] == before["showtime-iac:secretKey"]


def test_a_lifetime_change_retags_the_stack_for_the_audit_and_leaves_no_drift(world: World) -> None:
    d = world.driver()
    d.up(cfg())
    later = "2026-12-09T10:00:00Z"
    d.retag(STACK, {"showtime:expires-at": later, "showtime:ttl": "48h"})
    rows = world.stack_ls("--tag", f"showtime:expires-at={later}")
    assert [r["name"] for r in rows] == [STACK]
    assert world.tags(STACK)["showtime:ttl"] == "48h"
    assert d.drift(1234, SHA).lines() == []  # metadata only: the resources are what was deployed
    d.retag("pr-1234-fffffff", {"showtime:ttl": "48h"})  # no such stack: nothing, no error
    assert [r["name"] for r in world.stack_ls()] == [STACK]


def test_the_audit_stack_ls_by_pr_tag_from_the_repo_root_lists_exactly_that_prs_stacks(
    world: World,
) -> None:
    d = world.driver()
    for pr, sha in ((1234, "abc1234"), (1234, "def5678"), (12345, "abc1234")):
        d.up(cfg(pr, sha))
    # the infra team's command, in a checkout (the repo's Pulumi.yaml), on the team backend
    rows = world.stack_ls("--tag", "showtime:pr=1234", cwd=REPO)
    assert sorted(r["name"] for r in rows) == ["pr-1234-abc1234", "pr-1234-def5678"]
    assert [r["name"] for r in world.stack_ls("--tag", "showtime:pr=12345", cwd=REPO)] == [
        "pr-12345-abc1234"
    ]
    assert world.stack_ls("--tag", "showtime:pr=99", cwd=REPO) == []


def test_drift_outside_pulumi_exits_3_naming_the_resource_and_up_repairs_it(
    world: World,
) -> None:
    assert world.cli(*UP).returncode == 0
    clean = world.cli("drift", "1234")
    assert (clean.returncode, clean.stdout) == (0, f"{STACK}: no drift\n")

    world.change_outside_pulumi(SERVICE, size="large")
    found = world.cli("drift", "1234")
    assert found.returncode == 3, found.stderr
    assert found.stdout.splitlines() == [
        f"{STACK}: update pulumi-python:dynamic/showtime:FakeService service (size): "
        "changed outside Pulumi"
    ]
    assert last_line(found.stderr).endswith("drift found in 1 stack(s): see the lines above")
    doc = json.loads(world.cli("drift", "1234", "--json").stdout)
    assert doc["drifted"] is True
    assert [(r["source"], r["name"], r["diffs"]) for r in doc["stacks"][0]["resources"]] == [
        ("refresh", "service", ["size"])
    ]
    assert world.objects()[SERVICE]["size"] == "large"  # drift only looks

    assert world.cli(*UP).returncode == 0
    assert world.objects()[SERVICE]["size"] == "medium"
    again = world.cli("drift", "1234")
    assert (again.returncode, again.stdout) == (0, f"{STACK}: no drift\n")


def test_two_runs_up_the_same_stack_one_wins_the_other_reports_or_waits(world: World) -> None:
    with running(world.start_cli(*UP, extra={ENV_CREATE_SLEEP: "20"})) as first:
        wait_for("the first run's create", lambda: any(world.cloud.glob("*.creating")))
        waiter = world.start_cli(
            *UP, extra={"SHOWTIME_LOCK_RETRIES": "6", "SHOWTIME_LOCK_RETRY_DELAY": "2"}
        )
        with running(waiter):
            busy = world.cli(*UP, extra={"SHOWTIME_LOCK_RETRIES": "0"})
            assert first.poll() is None, "the first run was still holding the lock"
            _, first_err = first.communicate(timeout=120)
            _, waiter_err = waiter.communicate(timeout=180)
    assert first.returncode == 0, first_err
    assert busy.returncode == 1, busy.stderr
    line = last_line(busy.stderr)
    assert f"stack {STACK} is locked by another update (" in line and "(pid " in line
    assert "wait for it to finish" in line and "--unlock" in line
    assert waiter.returncode == 0, waiter_err
    assert f"{STACK}: locked by another update, retry 1/6" in waiter_err
    # the losers touched none of the winner's pending operations: one stack, whole, no locks
    assert [r["resourceCount"] for r in world.stack_ls()] == [4]
    assert not _lock_files(world)


def _lock_files(world: World, stack: str = STACK) -> list[dict[str, object]]:
    locks = world.root / "state" / ".pulumi" / "locks" / "organization" / "showtime-iac" / stack
    return [json.loads(p.read_text()) for p in sorted(locks.glob("*.json"))]


def _pending(world: World, stack: str = STACK) -> list[str]:
    state = json.loads(world.pulumi("stack", "export", "--stack", stack).stdout)
    return [p["type"] for p in state["deployment"].get("pending_operations") or []]


def _kill_mid_create(world: World, *args: str) -> None:
    """Start ``showtime-iac ARGS``, ``kill -9`` the whole run while its creates sleep."""
    proc = world.start_cli(*args, extra={ENV_CREATE_SLEEP: "300"})
    with running(proc):
        wait_for("the run's create", lambda: len(list(world.cloud.glob("*.creating"))) == 2)
        kill_run(proc)
    for marker in world.cloud.glob("*.creating"):
        marker.unlink()


def test_kill_9_mid_up_the_next_up_removes_the_stale_lock_and_recovers_pending_ops(
    world: World,
) -> None:
    _kill_mid_create(world, *UP)
    (held,) = _lock_files(world)  # the dead run's lock file: pid, user, host, timestamp
    assert not S.pid_alive(int(str(held["pid"])))
    assert set(held) >= {"pid", "username", "hostname", "timestamp"}
    assert _pending(world) == ["creating", "creating"]

    again = world.cli(*UP)
    assert again.returncode == 0, again.stderr
    assert f"{STACK}: cancelled the lock left by another run (" in again.stderr
    assert "its process is gone from this machine" in again.stderr
    assert f"{STACK}: 2 pending operation(s) left by an interrupted run" in again.stderr
    assert not _lock_files(world) and _pending(world) == []
    assert set(world.objects()) == {SERVICE, f"showtime_{STACK}.json"}

    gone = world.cli("destroy", "1234", "--sha", SHA)
    assert gone.returncode == 0, gone.stderr
    assert world.stack_ls() == [] and world.objects() == {}


def test_kill_9_mid_up_the_next_destroy_recovers_and_finishes(world: World) -> None:
    _kill_mid_create(world, *UP)
    gone = world.cli("destroy", "1234")  # every stack of the PR, as cleanup destroys them
    assert gone.returncode == 0, gone.stderr
    assert (
        "cancelled the lock left by another run (" in gone.stderr
        and "2 pending operation(s)" in gone.stderr
    )
    assert world.stack_ls() == []
    # what the killed creates wrote is in no state: orphans, which `cleanup` finds by their
    # tags in AWS; in the fake cloud they stay
    assert set(world.objects()) == {SERVICE, f"showtime_{STACK}.json"}


def test_missing_or_wrong_passphrase_is_one_line_an_exit_code_and_nothing_destroyed(
    world: World,
) -> None:
    assert world.cli(*UP).returncode == 0
    before = world.objects()
    missing = world.cli("destroy", "1234", "--sha", SHA, extra={"PULUMI_CONFIG_PASSPHRASE": None})
    assert missing.returncode == 2
    assert last_line(missing.stderr).endswith(
        f"stack {STACK} exists and its secrets are encrypted with a passphrase: export "
        "PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) with the passphrase it "
        "was created with; nothing was changed"
    )
    for args in (("destroy", "1234", "--sha", SHA), UP):
        wrong = world.cli(*args, extra={"PULUMI_CONFIG_PASSPHRASE": "not-the-one"})
        assert wrong.returncode == 2, wrong.stderr
        assert "PULUMI_CONFIG_PASSPHRASE is not the passphrase" in last_line(wrong.stderr)
        assert "incorrect passphrase" in last_line(wrong.stderr)
    assert world.objects() == before
    assert [r["resourceCount"] for r in world.stack_ls()] == [4]


def test_missing_passphrase_for_an_existing_stack(world: World) -> None:
    env = dict(world.env)
    S.open_driver(program=program, project_dir=world.project, env=env).engine.create("pr-1-abc1234")
    env.pop("PULUMI_CONFIG_PASSPHRASE")
    env.pop("PULUMI_CONFIG_PASSPHRASE_FILE", None)
    driver = S.open_driver(program=program, project_dir=world.project, env=env)
    with pytest.raises(S.PassphraseError, match="exists"):
        driver.up(EnvConfig(pr=1, sha="abc1234"))


def test_a_stack_of_another_project_is_neither_listed_nor_destroyed(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "other-project"
    (other / "stacks").mkdir(parents=True)
    (other / "Pulumi.yaml").write_text(
        "name: other-app\nruntime: python\nmain: .\nstackConfigDir: stacks\n"
    )
    other_cloud = tmp_path / "other-cloud"
    other_cloud.mkdir()
    monkeypatch.setenv(ENV_CLOUD, str(other_cloud))  # the inline program runs in this process
    S.open_driver(program=program, project_dir=other, env=world.env).up(cfg())
    monkeypatch.setenv(ENV_CLOUD, str(world.cloud))

    listed = world.cli("list", "--json")
    assert listed.returncode == 0 and json.loads(listed.stdout)["stacks"] == []
    gone = world.cli("destroy", "1234", "--sha", SHA)
    assert gone.returncode == 0
    assert f"{STACK}: no such stack, nothing to destroy" in gone.stderr
    assert [(r["name"], r["resourceCount"]) for r in world.stack_ls(cwd=other)] == [(STACK, 4)]
    assert len(list(other_cloud.glob("*.json"))) == 2


def test_destroy_of_a_stack_tagged_for_another_pr_is_refused(world: World) -> None:
    assert world.cli(*UP).returncode == 0
    world.pulumi("stack", "tag", "set", "showtime:pr", "999", "--stack", STACK)
    before = world.objects()
    refused = world.cli("destroy", "1234", "--sha", SHA)
    assert refused.returncode == 2
    assert last_line(refused.stderr).endswith(
        f"stack {STACK} is tagged for PR 999 SHA abc1234, not PR 1234 SHA abc1234: refusing to "
        f"destroy it; check `pulumi stack tag ls --stack {STACK}`"
    )
    assert world.objects() == before and [r["resourceCount"] for r in world.stack_ls()] == [4]


def test_cleanup_after_a_kill_9_destroys_the_closed_prs_stacks_in_parallel(
    world: World,
    ghserver: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def sha(n: int) -> str:
        return f"{n:07x}" + "c" * 33

    d = world.driver()
    for n in (11, 12):
        d.up(cfg(n, sha(n)))
    _kill_mid_create(world, "up", "13", "--sha", sha(13), "--requester", "octocat")
    for n in (11, 12, 13):
        ghserver.add_pr(n, head_sha=sha(n), state="closed")
    monkeypatch.setenv("GITHUB_API_URL", ghserver.url)
    monkeypatch.setenv("GITHUB_TOKEN", ghserver.token)
    monkeypatch.setenv("GITHUB_REPOSITORY", ghserver.repo)
    monkeypatch.delenv("SHOWTIME_POLICY", raising=False)
    capsys.readouterr()

    rc = main(["cleanup", "--json", "--no-orphans", "--no-prune-labels"])
    out, err = capsys.readouterr()
    assert rc == 0, err
    items = json.loads(out)["items"]
    assert {(i["pr"], i["result"]) for i in items} == {
        (11, "destroyed"),
        (12, "destroyed"),
        (13, "destroyed"),
    }
    assert "pr-13-000000d: cancelled the lock left by another run (" in err
    assert world.stack_ls() == []
    # left by the killed creates of PR 13 only (in no state: AWS's orphan sweep finds them)
    assert set(world.objects()) == {"pr-13-000000d-service.json", "showtime_pr-13-000000d.json"}
