"""``logs`` end to end: the command, the app's choice of environment, CloudWatch (moto) with
secrets redacted. (The adapter's own tests are in tests/adapters/aws/test_logs.py; these run
with app/'s and the commands' tests, where a mutation run of app/logs.py looks for them.)"""

from __future__ import annotations

import json

import pytest

from showtime_iac.adapters.aws import AwsClients
from showtime_iac.cli import main
from showtime_iac.settings import Settings
from tests.adapters.aws.support import SHA1, SHA2
from tests.adapters.aws.test_logs import SECRET_LINES, now_ms, put_logs
from tests.doubles import World


@pytest.fixture
def world(moto_env: str) -> World:
    return World(AwsClients.from_settings(Settings.from_env()))


def test_logs_cli_json_and_latest_sha(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    put_logs(world, 7, SHA1, ["old environment"], "superset/superset/a", now_ms() - 600_000)
    put_logs(world, 7, SHA2, SECRET_LINES, "superset/superset/b", now_ms())
    assert main(["logs", "7", "--sha", SHA1[:10], "--tail", "5", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["log_group"] == "/showtime/pr-7-aaaaaaa"
    assert [x["message"] for x in doc["lines"]] == ["old environment"]
    assert main(["logs", "7", "-n", "2"]) == 0  # no --sha: the newest environment
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "# /showtime/pr-7-bbbbbbb (last 2 lines, redacted)"
    assert "hunter2" not in out and out.rstrip().endswith("Init done")


def test_logs_cli_input_errors(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["logs", "7", "--sha", "not-a-sha"]) == 2
    assert "invalid commit SHA" in capsys.readouterr().err
    assert main(["logs", "7"]) == 2
    assert capsys.readouterr().err == (
        "showtime-iac: error: PR #7 has no environment logs: pass --sha SHA, or check that the "
        "environment was deployed\n"
    )
    assert main(["logs", "7", "--sha", SHA1]) == 1
    assert "never deployed" in capsys.readouterr().err
