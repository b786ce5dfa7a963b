"""The stack commands through ``cli.main``: argument checks, engine-missing paths, offline
dry-run, doctor, and list/status/drift/destroy over the engine test double."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from showtime_iac.adapters.stacks import PulumiDriver
from showtime_iac.app import live as app_live
from showtime_iac.app import wiring
from showtime_iac.cli import main
from showtime_iac.cli.views.stacks import format_duration
from showtime_iac.core.model import EnvConfig, Ttl, resource_tags
from tests.doubles import FakeEngine, event
from tests.github_api_server import GitHubServer

SHA = "abc1234def5678abc1234def5678abc1234def56"


@pytest.fixture
def no_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No pulumi anywhere: PATH and HOME point at an empty directory."""
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("PULUMI_HOME", raising=False)
    state = tmp_path / "state"
    monkeypatch.setenv("PULUMI_BACKEND_URL", f"file://{state}")
    return state


@pytest.fixture
def fake_pulumi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A ``pulumi`` on PATH that only answers ``pulumi version`` (for doctor)."""
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir()
    exe = bin_dir / "pulumi"
    exe.write_text('#!/bin/sh\necho "${FAKE_PULUMI_VERSION:-v3.272.0}"\n')
    exe.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    monkeypatch.setenv("PULUMI_BACKEND_URL", f"file://{tmp_path / 'state'}")
    return exe


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    rc = main(args)
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_help_does_not_import_pulumi_or_boto3() -> None:
    code = (
        "import sys\nfrom showtime_iac.cli import main\n"
        "rc = main(['up', '--help'])\n"
        "heavy = [m for m in ('pulumi', 'boto3', 'rich', 'pulumi_aws') if m in sys.modules]\n"
        "print(rc, heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "0 []"
    assert "Example:" in out.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["up", "1234"], "pass --sha SHA"),
        (["up", "1234", "--sha", "xyz"], "invalid commit SHA"),
        (["up", "1234", "--sha", SHA, "--ttl", "forever"], "invalid TTL"),
        (["up", "1234", "--sha", SHA, "--image", "bad image"], "invalid image"),
        (["up", "1234", "--sha", SHA, "--requester", "-bad-"], "invalid GitHub login"),
        (["destroy", "1234", "--sha", "nothex!"], "invalid commit SHA"),
    ],
)
def test_bad_input_is_one_line_exit_2(
    args: list[str], message: str, no_engine: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, err = run(args, capsys)
    assert rc == 2
    assert message in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err and out == ""


def test_usage_error_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    rc, _, err = run(["up", "0", "--sha", SHA], capsys)
    assert rc == 2 and "Invalid value" in err


def test_up_without_engine_exits_2_and_changes_nothing(
    no_engine: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, err = run(["up", "1234", "--sha", SHA], capsys)
    assert rc == 2 and out == ""  # a missing prerequisite
    assert err.strip().splitlines() == [err.strip()]
    assert "get.pulumi.com" in err and "nothing was changed" in err
    assert not no_engine.exists()


def test_up_dry_run_without_engine_renders_offline(
    no_engine: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, err = run(
        ["up", "1234", "--sha", SHA, "--requester", "octocat", "--ttl", "48h", "--dry-run"], capsys
    )
    assert rc == 0
    assert "pulumi CLI not on PATH" in err
    assert out.startswith("offline render under Pulumi mocks: nothing was deployed\n")
    assert "stack pr-1234-abc1234: 8 resources" in out
    assert "aws:secretsmanager/secret:Secret" in out
    assert "showtime:requested-by=octocat" in out and "showtime:ttl=48h" in out
    assert "address (public-IP mode" in out
    warnings = [line for line in err.splitlines() if line.startswith("showtime-iac: warning: ")]
    for made_up in ("subnet-placeholder-a", "sg-placeholder", "000000000000", "image digest"):
        assert sum(made_up in w for w in warnings) >= 1, made_up
    assert "warning" not in out
    assert not no_engine.exists()


def test_up_dry_run_with_a_domain_shows_the_router_and_the_https_address(
    no_engine: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOWTIME_DOMAIN", "preview.example.org")
    rc, out, err = run(["up", "1234", "--sha", SHA, "--dry-run"], capsys)
    assert rc == 0
    assert "router stack pr-1234-router: 1 resources" in out
    assert "aws:lb/targetGroup:TargetGroup  target-group" in out
    assert "address (HTTPS mode): https://pr-1234.preview.example.org" in out
    assert f"  + 🎪 {SHA[:7]} 🌐 pr-1234.preview.example.org   (once healthy)" in out
    assert "showtime-iac: warning: placeholder id vpc-placeholder" in err
    rc, out, _ = run(["up", "1234", "--sha", SHA, "--dry-run", "--json"], capsys)
    doc = json.loads(out)
    assert (doc["mode"], doc["address_mode"]) == ("offline", "https")
    assert doc["url"] == "https://pr-1234.preview.example.org"
    assert doc["router"]["stack"] == "pr-1234-router"
    assert any("placeholder" in w for w in doc["warnings"])


def test_up_dry_run_json(no_engine: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(
        ["up", "1234", "--sha", SHA, "--image", "nginx:1.27", "--dry-run", "--json"], capsys
    )
    assert rc == 0
    doc = json.loads(out)
    assert doc["stack"] == "pr-1234-abc1234" and doc["mode"] == "offline"
    types = [r["type"] for r in doc["resources"]]
    assert "aws:ecs/service:Service" in types and "docker:index/image:Image" not in types
    service = next(r for r in doc["resources"] if r["type"] == "aws:ecs/service:Service")
    assert service["tags"]["showtime:pr"] == "1234"


@pytest.mark.parametrize("args", [["list"], ["status", "1234"], ["drift"], ["destroy", "1234"]])
def test_engine_commands_without_engine_exit_2(
    args: list[str], no_engine: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, _, err = run(args, capsys)
    assert rc == 2 and "get.pulumi.com" in err


def test_destroy_dry_run_with_sha_without_engine(
    no_engine: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, _ = run(["destroy", "1234", "--sha", SHA, "--dry-run"], capsys)
    assert rc == 0 and out == "would destroy stack pr-1234-abc1234 (not checked: no pulumi CLI)\n"


def test_doctor_without_engine_lists_fixes(
    no_engine: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    rc, out, err = run(["doctor", "--no-aws", "--json"], capsys)
    assert rc == 2 and "engine, passphrase, github not ready" in err
    checks = {c["check"]: c for c in json.loads(out)["checks"]}
    assert not checks["engine"]["ok"] and "get.pulumi.com" in checks["engine"]["fix"]
    assert checks["backend"]["ok"] and "created on first use" in checks["backend"]["detail"]
    assert not checks["github"]["ok"] and "GITHUB_TOKEN" in checks["github"]["fix"]
    assert "aws" not in checks


def test_doctor_engine_version_and_tag_support(
    fake_pulumi: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "t")
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "")
    rc, out, _ = run(["doctor", "--no-aws"], capsys)
    assert rc == 0, out
    assert f"ok   engine     pulumi 3.272.0 at {fake_pulumi}" in out
    monkeypatch.setenv("FAKE_PULUMI_VERSION", "v3.200.0")
    rc, out, _ = run(["doctor", "--no-aws", "--json"], capsys)
    checks = {c["check"]: c for c in json.loads(out)["checks"]}
    assert rc == 2 and not checks["stack tags"]["ok"] and "3.211.0" in checks["stack tags"]["fix"]


def test_format_duration() -> None:
    assert format_duration(timedelta(hours=26)) == "1d2h"
    assert format_duration(timedelta(days=2)) == "2d"
    assert format_duration(timedelta(minutes=90)) == "1h30m"
    assert format_duration(timedelta(minutes=5)) == "5m"
    assert format_duration(timedelta(seconds=-1)) == "expired"
    assert format_duration(None) == "-"


# --------------------------------------------------------------------------- over the double


def no_aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """No AWS credentials anywhere (environment, files, instance metadata)."""
    for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FakeEngine:
    """Two PR stacks over the engine double; a project directory of our own (its stacks/
    holds the config files `up` would write); no AWS credentials, no policy file."""
    project = tmp_path / "project"
    (project / "stacks").mkdir(parents=True)
    (project / "Pulumi.yaml").write_text("name: showtime-iac\nruntime: python\n")
    monkeypatch.setenv("SHOWTIME_PROJECT_DIR", str(project))
    monkeypatch.delenv("SHOWTIME_POLICY", raising=False)
    monkeypatch.chdir(tmp_path)
    for k in ("VCPU_HOUR", "GB_HOUR", "IPV4_HOUR"):
        monkeypatch.delenv(f"SHOWTIME_PRICE_{k}", raising=False)
    no_aws_credentials(monkeypatch)
    e = FakeEngine()
    now = datetime.now(UTC)
    cfg = EnvConfig(
        pr=1234, sha=SHA, requester="octocat", ttl=Ttl("48h"), created=now - timedelta(hours=3)
    )
    e.add("pr-1234-abc1234", tags=resource_tags(cfg), last=now - timedelta(hours=3))
    e.add(
        "pr-77-0000000", tags={"showtime:ttl": "manual", "showtime:requested-by": "bot"}, last=now
    )
    e.add("shared")

    def fake_open(project_dir: Any, on_output: Any = None, unlock: bool = False) -> PulumiDriver:
        return PulumiDriver(
            e, env={"PULUMI_CONFIG_PASSPHRASE": "x"}, on_output=on_output, sleep=lambda _s: None
        )

    monkeypatch.setattr(wiring, "open_stacks", fake_open)
    monkeypatch.setattr(
        "showtime_iac.adapters.stacks.find_engine", lambda env=None: tmp_path / "pulumi"
    )
    return e


def stack_file(size: str, stack: str = "pr-1234-abc1234") -> Path:
    """Write the stack config file `up` writes, with ``size``, into the test's project."""
    import os

    path = Path(os.environ["SHOWTIME_PROJECT_DIR"]) / "stacks" / f"Pulumi.{stack}.yaml"
    path.write_text(
        "config:\n  aws:region: us-west-2\n  showtime-iac:pr: '1234'\n"
        f"  showtime-iac:size: {size}\n"
    )
    return path


@pytest.fixture
def prices(monkeypatch: pytest.MonkeyPatch) -> None:
    """Round prices: small 0.071, medium 0.121, large 0.241 USD per hour (no storage, no secret)."""
    monkeypatch.setenv("SHOWTIME_PRICE_IMAGE_GB", "0")
    monkeypatch.setenv("SHOWTIME_PRICE_LOG_GB_HOUR", "0")
    monkeypatch.setenv("SHOWTIME_PRICE_VCPU_HOUR", "0.1")
    monkeypatch.setenv("SHOWTIME_PRICE_GB_HOUR", "0.01")
    monkeypatch.setenv("SHOWTIME_PRICE_IPV4_HOUR", "0.001")
    monkeypatch.setenv("SHOWTIME_PRICE_SECRET_MONTH", "0")


def no_live(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_a: Any) -> Any:
        raise AssertionError("AWS must not be asked")

    monkeypatch.setattr(app_live, "open_live", refuse)


def test_list_table_and_json(
    engine: FakeEngine,
    prices: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    no_live(monkeypatch)
    stack_file("large")
    rc, out, _ = run(["list"], capsys)
    assert rc == 0
    lines = out.splitlines()
    assert lines[0].split() == [
        "STACK",
        "PR",
        "SHA",
        "REQUESTER",
        "AGE",
        "TTL",
        "LEFT",
        "SIZE",
        "$/HOUR",
        "RESOURCES",
    ]
    assert lines[1].split() == [
        "pr-77-0000000", "77", "0000000", "bot", "0m", "pinned", "medium*", "$0.121", "3"
    ]  # fmt: skip
    row = lines[2].split()
    assert row[:5] == ["pr-1234-abc1234", "1234", "abc1234", "octocat", "3h"]
    assert row[5] in ("1d20h", "1d21h")
    assert row[6:] == ["large", "$0.241", "3"]
    assert lines[3].split() == ["TOTAL", "(2", "stacks)", "$0.362"]
    assert lines[3].index("$0.362") == lines[0].index("$/HOUR")  # the footer sits in its column
    assert (
        lines[4]
        == "* size assumed: no local stacks/Pulumi.<stack>.yaml, so the policy default (medium)"
    )
    rc, out, _ = run(["list", "--json"], capsys)
    doc = json.loads(out)
    assert [d["stack"] for d in doc["stacks"]] == ["pr-77-0000000", "pr-1234-abc1234"]
    assert [(d["size"], d["size_assumed"], d["hourly_cost"]) for d in doc["stacks"]] == [
        ("medium", True, 0.121),
        ("large", False, 0.241),
    ]
    assert doc["total_hourly_cost"] == 0.362 and doc["currency"] == "USD"
    assert engine.ops("list_stacks") == 2  # one listing call per command
    assert engine.ops("outputs") == 0 and engine.ops("get_config") == 0


def test_list_assumes_the_policy_default_size(
    engine: FakeEngine, prices: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "showtime.toml").write_text('default_size = "small"\n')
    stack_file("huge")  # not a size: as if absent
    rc, out, _ = run(["list", "--json"], capsys)
    doc = json.loads(out)
    assert rc == 0 and [d["size"] for d in doc["stacks"]] == ["small", "small"]
    assert all(d["size_assumed"] for d in doc["stacks"]) and doc["total_hourly_cost"] == 0.142
    rc, out, _ = run(["list"], capsys)
    assert out.splitlines()[-1].endswith("the policy default (small)")


def test_list_and_status_price_a_sleeping_stack_asleep(
    engine: FakeEngine, prices: None, capsys: pytest.CaptureFixture[str]
) -> None:
    path = stack_file("large")
    path.write_text(path.read_text() + "  showtime-iac:sleeping: 'true'\n")
    rc, out, _ = run(["list", "--json"], capsys)
    by_stack = {d["stack"]: d for d in json.loads(out)["stacks"]}
    asleep = by_stack["pr-1234-abc1234"]
    assert rc == 0 and asleep["sleeping"] is True and asleep["size"] == "large"
    # with these prices only compute and IPv4 cost anything, and asleep neither runs
    assert asleep["hourly_cost"] == 0 and by_stack["pr-77-0000000"]["hourly_cost"] == 0.121
    rc, out, _ = run(["list"], capsys)
    [row] = [line for line in out.splitlines() if line.startswith("pr-1234-abc1234")]
    assert "large (asleep)" in row
    rc, out, _ = run(["status", "1234"], capsys)
    assert "  size:      large (asleep: scaled to zero, its image only is billed)" in out


def test_list_without_stacks(engine: FakeEngine, capsys: pytest.CaptureFixture[str]) -> None:
    engine.stacks.clear()
    rc, out, _ = run(["list"], capsys)
    assert rc == 0 and out == "no PR stacks\n"
    rc, out, _ = run(["list", "--json"], capsys)
    assert json.loads(out) == {"stacks": [], "total_hourly_cost": 0, "currency": "USD"}


def test_status_without_credentials_shows_the_stack_data(
    engine: FakeEngine, prices: None, capsys: pytest.CaptureFixture[str]
) -> None:
    stack_file("small")
    rc, out, err = run(["status", "1234"], capsys)
    assert rc == 0 and "Traceback" not in err
    lines = out.splitlines()
    assert lines[0] == "PR #1234: 1 stack, $0.071/hour in all"
    assert lines[1].startswith("live data from AWS unavailable: AWS credentials not found")
    assert "pr-1234-abc1234" in lines and "  size:      small" in lines
    assert "  cost:      $0.071/hour" in lines and "  requester: octocat" in lines
    assert "    serviceName: sti-pr-1234-abc1234" in lines
    assert not any(line.startswith("  address:") for line in lines)
    rc, out, _ = run(["status", "1234", "--json"], capsys)
    doc = json.loads(out)
    assert rc == 0 and doc["live"]["available"] is False
    assert "AWS_ACCESS_KEY_ID" in doc["live"]["reason"]
    (stack,) = doc["stacks"]
    assert stack["outputs"] == {"serviceName": "sti-pr-1234-abc1234"}
    assert (stack["size"], stack["hourly_cost"], stack["live"]) == ("small", 0.071, None)
    assert stack["requester"] == "octocat" and stack["ttl"] == "48h"
    assert doc["total_hourly_cost"] == 0.071


def test_status_when_aws_does_not_answer(
    engine: FakeEngine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    with socket.socket() as sock:  # a free port on which nothing listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
    rc, out, err = run(["status", "1234", "--json"], capsys)
    doc = json.loads(out)
    assert rc == 0 and "Traceback" not in err
    assert doc["live"]["available"] is False and "cannot reach AWS" in doc["live"]["reason"]
    assert doc["stacks"][0]["stack"] == "pr-1234-abc1234" and doc["stacks"][0]["live"] is None


def test_status_no_live_skips_aws(
    engine: FakeEngine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    no_live(monkeypatch)
    rc, out, _ = run(["status", "1234", "--no-live", "--json"], capsys)
    doc = json.loads(out)
    assert rc == 0 and doc["live"] == {"available": False, "reason": "skipped (--no-live)"}
    assert doc["stacks"][0]["size_assumed"] is True
    rc, out, _ = run(["status", "5"], capsys)  # no stacks: AWS is not asked either
    assert rc == 0 and out == "PR #5 has no stacks\n"


# --------------------------------------------------------------------------- status, live


class HealthGets:
    """The HTTP getter of the health probe: records URLs, answers ``status``."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.urls: list[str] = []

    def __call__(self, url: str, timeout: float) -> int:
        self.urls.append(url)
        assert timeout <= 3.0  # one quick look
        return self.status


def test_status_live_from_moto(
    engine: FakeEngine,
    moto_env: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from showtime_iac.adapters.aws import AwsClients
    from showtime_iac.settings import Settings
    from tests.doubles import World
    from tests.motoserver import set_moto_transition

    set_moto_transition(moto_env, "ecs::task", {"progression": "manual", "times": 1_000_000})
    world = World(AwsClients.from_settings(Settings.from_env()))
    env = world.environment(1234, SHA)
    task_arn, eni = world.run_service_task(1234, SHA, env["task_definition"])
    # moto gives no public IP: an Elastic IP on the task's ENI stands in for it
    alloc = world.c.ec2.allocate_address(Domain="vpc")
    world.c.ec2.associate_address(AllocationId=alloc["AllocationId"], NetworkInterfaceId=eni)
    gets = HealthGets(200)
    real_open = app_live.open_live

    def open_live(settings: Any, policy: Any) -> Any:
        live = real_open(settings, policy)
        live.http_get = gets
        return live

    monkeypatch.setattr(app_live, "open_live", open_live)
    rc, out, _ = run(["status", "1234", "--json"], capsys)
    doc = json.loads(out)
    url = f"http://{alloc['PublicIp']}:8080"
    assert rc == 0 and doc["live"] == {"available": True, "reason": None}
    live = doc["stacks"][0]["live"]
    assert live["address"] == url and live["task_arn"] == task_arn
    assert (live["last_status"], live["healthy"], live["health"]) == ("RUNNING", True, "healthy")
    assert gets.urls == [f"{url}/health"]
    gets.status = 503
    rc, out, _ = run(["status", "1234"], capsys)
    lines = out.splitlines()
    assert rc == 0 and not any("unavailable" in line for line in lines)
    assert f"  address:   {url}" in lines and "  task:      RUNNING" in lines
    assert "  health:    HTTP 503" in lines


@pytest.fixture
def stubbed_live(monkeypatch: pytest.MonkeyPatch, engine: FakeEngine) -> Any:
    """``status`` over botocore Stubbers (what moto can't make), and the engine double."""
    from botocore.stub import Stubber

    from showtime_iac.adapters.aws import AwsLive
    from tests.doubles import FakeTime, Stubbed, stub_clients

    clients = stub_clients()
    t = FakeTime()
    gets = HealthGets(200)
    live = AwsLive(clients, clock=t.clock, sleep=t.sleep, http_get=gets)
    monkeypatch.setattr(app_live, "open_live", lambda _s, _p: live)
    ecs, ec2 = Stubber(clients.ecs), Stubber(clients.ec2)
    with ecs, ec2:
        yield Stubbed(live, ecs, ec2, t)
        ecs.assert_no_pending_responses()
        ec2.assert_no_pending_responses()
    assert gets.urls == [] and t.sleeps == []  # nothing to probe, nothing waited for


def test_status_stopped_task_with_its_reason(
    stubbed_live: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.doubles import TASK, expect_tasks, task

    reason = "Essential container in task exited"
    for _ in range(2):
        expect_tasks(stubbed_live, "RUNNING", [])
        expect_tasks(stubbed_live, "STOPPED", [task("STOPPED", reason=reason)])
    rc, out, _ = run(["status", "1234", "--json"], capsys)
    doc = json.loads(out)
    assert rc == 0 and doc["live"]["available"] is True
    live = doc["stacks"][0]["live"]
    assert (live["last_status"], live["stopped_reason"], live["task_arn"]) == (
        "STOPPED",
        reason,
        TASK,
    )
    assert live["address"] is None and live["healthy"] is None
    rc, out, _ = run(["status", "1234"], capsys)
    lines = out.splitlines()
    assert "  task:      STOPPED" in lines and f"  stopped:   {reason}" in lines
    assert "  address:   -" in lines


def test_status_pending_task_is_not_probed(
    stubbed_live: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.doubles import expect_tasks, task

    expect_tasks(stubbed_live, "RUNNING", [task("PENDING", eni=False)])
    rc, out, _ = run(["status", "1234", "--json"], capsys)
    live = json.loads(out)["stacks"][0]["live"]
    assert rc == 0 and live["last_status"] == "PENDING"
    assert live["healthy"] is None and live["health"] == "not probed: no address yet"


@pytest.mark.parametrize(
    ("code", "available"),
    [("ServiceNotFoundException", True), ("UnrecognizedClientException", False)],
)
def test_status_aws_errors(
    code: str, available: bool, stubbed_live: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """A missing service is that stack's answer; refused credentials stop the live look."""
    stubbed_live.ecs.add_client_error("list_tasks", code, "nope", 400)
    rc, out, _ = run(["status", "1234", "--json"], capsys)
    doc = json.loads(out)
    assert rc == 0 and doc["live"]["available"] is available
    if available:
        assert code in doc["stacks"][0]["live"]["error"]
    else:
        assert code in doc["live"]["reason"] and doc["stacks"][0]["live"] is None


def test_drift_exit_3_with_one_line_per_resource(
    engine: FakeEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, _ = run(["drift", "1234"], capsys)
    assert rc == 0 and out == "pr-1234-abc1234: no drift\n"
    engine.refresh_events = [event("delete", "aws:ecs/service:Service", "service")]
    rc, out, err = run(["drift"], capsys)
    assert rc == 3
    assert "pr-1234-abc1234: delete aws:ecs/service:Service service: changed outside Pulumi" in out
    assert "drift found in 2 stack(s)" in err
    rc, out, _ = run(["drift", "1234", "--json"], capsys)
    assert rc == 3 and json.loads(out)["drifted"] is True


def test_destroy_all_stacks_of_a_pr(engine: FakeEngine, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(["destroy", "1234", "--dry-run"], capsys)
    assert rc == 0 and out == "would destroy stack pr-1234-abc1234\n" and engine.ops("destroy") == 0
    rc, out, _ = run(["destroy", "1234"], capsys)
    assert rc == 0 and out == "destroyed stack pr-1234-abc1234\n"
    assert "pr-1234-abc1234" not in engine.stacks and "pr-77-0000000" in engine.stacks


def test_destroy_refuses_mismatched_tags(
    engine: FakeEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    engine.stacks["pr-1234-abc1234"]["tags"]["showtime:pr"] = "4321"
    rc, _, err = run(["destroy", "1234", "--sha", "abc1234"], capsys)
    assert rc == 2 and "refusing to destroy" in err and engine.ops("destroy") == 0


def test_up_over_the_double_prints_outputs(
    engine: FakeEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, err = run(["up", "1234", "--sha", SHA, "--json"], capsys)
    doc = json.loads(out)
    assert rc == 0 and doc["outputs"] == {"serviceName": "sti-pr-1234-abc1234"}
    assert doc["overhead_seconds"] >= 0
    rc, out, err = run(["up", "1234", "--sha", SHA], capsys)
    assert out.startswith("stack pr-1234-abc1234 is up\n")
    assert "aws:ecs:Service service created" in err  # engine output streams to stderr (plain)


def test_offline_dry_run_shows_the_label_changes(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import json as _json

    from showtime_iac.cli import main as _main

    monkeypatch.setenv("PATH", "/nonexistent")  # no pulumi CLI: the offline render
    rc = _main(
        [
            "up",
            "1234",
            "--sha",
            "abc1234def5678901234567890abcdef12345678",
            "--requester",
            "alice",
            "--dry-run",
            "--json",
        ]
    )
    assert rc == 0
    out = _json.loads(capsys.readouterr().out)
    assert "🎪 abc1234 🚦 building" in out["labels"]["claim"]["add"]
    assert "🎪 abc1234 👤 alice" in out["labels"]["claim"]["add"]
    assert "🎪 🎯 abc1234" in out["labels"]["after_healthy"]["add"]
    assert "🎪 🏗️ abc1234" in out["labels"]["after_healthy"]["remove"]
    tags = next(r["tags"] for r in out["resources"] if r["type"].endswith("Service"))
    assert tags["showtime:expires-at"] != "never" and tags["showtime:requested-by"] == "alice"


def test_list_status_filters_by_the_labels_on_github(
    engine: FakeEngine,
    prices: None,
    ghserver: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("GITHUB_API_URL", ghserver.url)
    monkeypatch.setenv("GITHUB_TOKEN", ghserver.token)
    monkeypatch.setenv("GITHUB_REPOSITORY", ghserver.repo)
    ghserver.add_pr(1234, head_sha="abc1234" + "0" * 33, labels=["🎪 abc1234 🚦 running"])
    ghserver.add_pr(77, head_sha="0" * 40, labels=["🎪 0000000 🚦 failed"])
    rc, out, _ = run(["list", "--status", "running", "--json"], capsys)
    assert rc == 0
    assert [d["stack"] for d in json.loads(out)["stacks"]] == ["pr-1234-abc1234"]
    rc, out, _ = run(["list", "--status", "FAILED"], capsys)
    assert rc == 0 and "pr-77-0000000" in out and "pr-1234-abc1234" not in out
    rc, out, _ = run(["list", "--status", "building"], capsys)
    assert rc == 0 and out == "no PR stacks\n"
    assert ghserver.count("GET", r"/pulls$") == 3  # one listing per command


def test_list_status_rejects_an_unknown_status_before_any_call(
    no_engine: Path, ghserver: GitHubServer, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, _out, err = run(["list", "--status", "asleep"], capsys)
    assert rc == 2 and "one of building, built" in err
    assert ghserver.requests == []


def test_list_on_a_terminal_is_a_rich_table_of_the_same_rows(
    engine: FakeEngine,
    prices: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from showtime_iac.cli import output as _output

    monkeypatch.setattr(_output, "is_tty", lambda stream=None: True)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "160")
    _output._consoles.clear()
    stack_file("large")
    rc, out, _ = run(["list"], capsys)
    _output._consoles.clear()
    assert rc == 0
    assert "┃ STACK" in out and "━" in out  # rich's box, not the plain columns
    rows = [line for line in out.splitlines() if "pr-" in line]
    assert [r.split("│")[1].strip() for r in rows] == ["pr-77-0000000", "pr-1234-abc1234"]
    assert "$0.362" in out and "TOTAL (2 stacks)" in out
    assert out.rstrip().endswith("the policy default (medium)")
