"""Integration: a prepared stack of the product program on the real engine and its AWS
provider against a moto server, then the full ``up`` of the same stack: the engine's summary
shows that only the task definition and the service are created, and both times are printed
(the rough figure of what preparing saves).

Marked ``aws_engine`` like :mod:`.test_engine_aws` (the pulumi-aws plugin cannot be built
from Go modules: GitHub Actions' engine job runs it; it skips elsewhere).
"""

from __future__ import annotations

import os
import re
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from showtime_iac.adapters import stacks as S
from showtime_iac.app.wiring import stack_program
from showtime_iac.core.model import EnvConfig, Ttl
from tests.adapters.stacks.test_engine_aws import _aws_plugin, _moto_aws, _project

pytestmark = [
    pytest.mark.aws_engine,
    pytest.mark.skipif(
        S.find_engine() is None or not _aws_plugin(),
        reason="needs the pulumi CLI and the pulumi-aws provider plugin, which cannot be built "
        "from Go modules: runs in GitHub Actions' engine job (pytest -m aws_engine)",
    ),
]


def _summary(lines: list[str]) -> dict[str, int]:
    text = "\n".join(lines)
    tail = text[text.rindex("Resources:") :]
    pattern = r"^\s+(?:[+~-] )?(\d+) (created|updated|deleted|replaced|unchanged)"
    return {m.group(2): int(m.group(1)) for m in re.finditer(pattern, tail, re.M)}


def test_prepare_then_up_against_moto_only_adds_the_task_definition_and_the_service(
    moto_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _moto_aws(moto_env)
    base["aws:endpoints[0].secretsmanager"] = moto_env
    env = {
        **os.environ,
        "PULUMI_BACKEND_URL": f"file://{tmp_path / 'state'}",
        "PULUMI_CONFIG_PASSPHRASE": "engine-test",
    }
    lines: list[str] = []
    driver = S.open_driver(
        program=stack_program(),
        project_dir=_project(tmp_path),
        env=env,
        on_output=lines.append,
        base=base,
    )
    pr = 1000 + uuid.uuid4().int % 9000
    full = EnvConfig(
        pr=pr,
        sha="abc1234def5678abc1234def5678abc1234def56",
        requester="octocat",
        ttl=Ttl("24h"),
        image="000000000000.dkr.ecr.us-west-2.amazonaws.com/superset-ci@sha256:" + "a" * 64,
        image_sha="abc1234",
        created=datetime.now(UTC),
    )
    t0 = time.perf_counter()
    outputs = driver.prepare(replace(full, image=None, image_sha=None, prepared=True), "cli")
    prepared_s = time.perf_counter() - t0
    assert outputs is not None and "serviceName" not in outputs
    created_first = _summary(lines)["created"]
    lines.clear()
    t0 = time.perf_counter()
    outputs = driver.up(full)
    rest_s = time.perf_counter() - t0
    assert "serviceName" in outputs
    assert _summary(lines) == {"created": 2, "unchanged": created_first}, "\n".join(lines)
    with capsys.disabled():
        print(f"\n[engine, moto] prepare {prepared_s:.1f} s, then the full up {rest_s:.1f} s")
    driver.destroy(pr, full.sha)
