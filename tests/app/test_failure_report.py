"""A failed deploy's comment (issue 28) from a real failure: the real ``showtime-iac sync``
against the GitHub test server (real HTTP), the real Pulumi engine (``file://`` backend, the
engine tests' program, whose service's create fails with a provider error) and the task's logs
in moto's CloudWatch Logs (real HTTP, read by the real AWS adapter).

The sticky comment names the failed phase, the failed resource's URN and the provider's
message, the task's last 30 log lines and the run's link; none of the secrets planted in the
logs and in the provider's message is in it; and it stays under GitHub's 65,536 characters
with megabytes of logs.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from showtime_iac.cli import main
from showtime_iac.core import labels as L
from showtime_iac.core.comment import MARKER
from showtime_iac.core.model import resource_names
from showtime_iac.core.proof import COMMENT_LIMIT, comment_length
from tests.adapters.stacks.engine_program import ENV_CREATE_FAIL
from tests.adapters.stacks.engine_support import World, make_world, requires_engine
from tests.doubles import FakeLive
from tests.github_api_server import GitHubServer
from tests.payloads import HEAD, pull_request

pytestmark = [pytest.mark.engine, requires_engine]

PR = 1234
SHA7 = HEAD[:7]
STACK = f"pr-{PR}-{SHA7}"
IMAGE = f"registry.test/superset-ci:sti-pr-{PR}-{SHA7}"
START = pull_request("labeled", [L.START], label=L.START)
# planted: a token of the run, and the engine tests' passphrase (both in the job's env), and
# secrets a log line may print in ways only patterns catch
RUN_TOKEN = "ghs_plantedRunToken0123456789abcdefABCDEF"
PLANTED_PATTERNS = (
    "SECRET_KEY=planted-secret-key-value-42",
    "postgresql://superset:planted-db-pw-77@db:5432/superset",
    "ghp_plantedPersonalToken0123456789abcdefXYZ",
    "AKIAPLANTED123456789",
)


class LogsLive(FakeLive):
    """The double's live checks, but the task's logs from moto through the real adapter."""

    def tail_logs(self, cfg: Any, lines: int) -> str:
        from showtime_iac.app import wiring
        from showtime_iac.settings import Settings

        return wiring.open_aws(Settings.from_env()).tail_logs(cfg, lines)


@pytest.fixture
def world(
    ghserver: GitHubServer, moto_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[World, GitHubServer]:
    import showtime_iac.app.wiring as wiring

    w = make_world(tmp_path, monkeypatch)
    for var in ("GITHUB_EVENT_PATH", "GITHUB_EVENT_NAME", "SHOWTIME_POLICY", "SHOWTIME_DOMAIN"):
        monkeypatch.delenv(var, raising=False)
    for var, value in ghserver.env().items():
        monkeypatch.setenv(var, value)
    monkeypatch.setenv("GH_TOKEN", RUN_TOKEN)
    monkeypatch.setenv("GITHUB_ACTOR", "maintainer")
    monkeypatch.setenv("GITHUB_RUN_ID", "4242")
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("SHOWTIME_IMAGE", IMAGE)
    monkeypatch.setenv("SHOWTIME_IMAGE_SHA", HEAD)
    monkeypatch.setenv("SHOWTIME_LOCK_RETRY_DELAY", "0.5")
    monkeypatch.chdir(w.root)
    ghserver.collaborators.update({"maintainer": "write"})
    real = wiring.open_ports
    live = LogsLive()

    def open_ports(settings: Any, *, repo: str | None = None, policy: Any = None) -> Any:
        ports = real(settings, repo=repo, policy=policy)
        return wiring.Ports(github=ports.github, stacks=ports.stacks, live=live)  # type: ignore[arg-type]

    monkeypatch.setattr(wiring, "open_ports", open_ports)
    return w, ghserver


def _task_logs(lines: list[str]) -> None:
    """The task's log stream in moto's CloudWatch Logs, as the awslogs driver writes it."""
    import boto3

    logs = boto3.client("logs")
    group = resource_names(PR, HEAD).log_group
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="superset/superset/task0001")
    now = int(time.time() * 1000)
    for start in range(0, len(lines), 500):
        batch = lines[start : start + 500]
        logs.put_log_events(
            logGroupName=group,
            logStreamName="superset/superset/task0001",
            logEvents=[{"timestamp": now + start + i, "message": m} for i, m in enumerate(batch)],
        )


def _sync(w: World, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    path = w.root / "event.json"
    path.write_text(json.dumps(START), encoding="utf-8")
    capsys.readouterr()
    rc = main(["sync", str(PR), "--event", str(path), "--event-name", "pull_request_target"])
    return rc, capsys.readouterr().err


def _sticky(gh: GitHubServer) -> str:
    [body] = [c["body"] for c in gh.comments_of(PR) if MARKER in c["body"]]
    return body


def _planted(passphrase: str) -> tuple[str, ...]:
    return (
        RUN_TOKEN,
        passphrase,
        "planted-secret-key-value-42",
        "planted-db-pw-77",
        "ghp_plantedPersonalToken0123456789abcdefXYZ",
        "AKIAPLANTED123456789",
    )


def test_a_failed_up_names_the_phase_the_resource_and_the_logs_and_leaks_no_secret(
    world: tuple[World, GitHubServer],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    w, gh = world
    passphrase = w.env["PULUMI_CONFIG_PASSPHRASE"]
    monkeypatch.setenv(ENV_CREATE_FAIL, "-service")
    monkeypatch.setenv(
        ENV_CREATE_FAIL + "_MESSAGE",
        f"CannotPullContainerError: pull access denied; token {RUN_TOKEN} passphrase {passphrase}",
    )
    logs = [f"boot step {i}: ok" for i in range(100)]
    logs += [f"config: {p}" for p in PLANTED_PATTERNS] + [f"env dump {RUN_TOKEN} {passphrase}"]
    logs += ["worker exited: ``` </details> @everyone", "last line of the task"]
    _task_logs(logs)
    gh.add_pr(PR, head_sha=HEAD, labels=[L.START])

    rc, _ = _sync(w, capsys)

    assert rc == 1
    assert f"🎪 {SHA7} 🚦 failed" in gh.labels_of(PR)
    body = _sticky(gh)
    assert "### ❌ Failed during **up**" in body
    urn = f"urn:pulumi:{STACK}::showtime-iac::pulumi-python:dynamic/showtime:FakeService::service"
    assert f"`{urn}`" in body
    assert "CannotPullContainerError: pull access denied" in body
    assert "Last 30 log lines of the task" in body and "last line of the task" in body
    assert "boot step 69: ok" not in body  # only the last 30
    assert "[the workflow run](https://github.com/apache/superset/actions/runs/4242)" in body
    for secret in _planted(passphrase):
        assert secret not in body, secret
    assert comment_length(body) < COMMENT_LIMIT


def test_the_comment_stays_under_githubs_limit_whatever_the_logs_hold(
    world: tuple[World, GitHubServer],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    w, gh = world
    monkeypatch.setenv(ENV_CREATE_FAIL, "-service")
    # a provider message of 3,000 lines, 114,000 characters (an environment variable, which
    # carries it to the provider, holds at most 128 KiB)
    monkeypatch.setenv(ENV_CREATE_FAIL + "_MESSAGE", "\n".join(["x" * 37 + "`"] * 3_000))
    _task_logs(["🎪`" * 8_000 for _ in range(40)])  # 30 lines of 24,000 units each
    gh.add_pr(PR, head_sha=HEAD, labels=[L.START])

    rc, err = _sync(w, capsys)

    assert rc == 1, err
    body = _sticky(gh)  # GitHub's test server took it: under its limit
    assert comment_length(body) <= COMMENT_LIMIT
    assert "### ❌ Failed during **up**" in body and "<!-- showtime-iac:history" in body
