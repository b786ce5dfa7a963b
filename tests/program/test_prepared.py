"""A prepared environment stack under Pulumi mocks: everything of the full stack that needs no
image, with the same names and inputs, and nothing that runs (no image, task definition or
service); the full render of the same config adds exactly the task definition and the service.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from showtime_iac.core.model import EnvConfig, InputError
from showtime_iac.core.stack_config import SharedConfig, from_stack_config
from showtime_iac.program import evaluate_offline, evaluate_stack_offline
from tests.program.helpers import (
    DOMAIN,
    ENV_TYPES,
    HTTPS_EXTRA,
    IMAGE,
    SERVICE,
    TASK_DEF,
    cfg_of,
    env_values,
)

# the workflow pushes the image to the shared repository (the mocks' account and region)
ECR_IMAGE = "000000000000.dkr.ecr.us-west-2.amazonaws.com/superset-ci@sha256:" + "a" * 64
MODES = {"public-ip": None, "https": SharedConfig.offline_default(DOMAIN)}


def _full(**kw: object) -> EnvConfig:
    return cfg_of(image=ECR_IMAGE, image_sha="abc1234", **kw)


def _prepared(full: EnvConfig) -> EnvConfig:
    return replace(full, image=None, image_sha=None, prepared=True)


def _by_key(cfg: EnvConfig, shared: SharedConfig | None) -> dict[tuple[str, str], object]:
    return {(r.type, r.name): r.inputs for r in evaluate_offline(cfg, shared).resources}


@pytest.mark.parametrize("mode", sorted(MODES))
def test_the_full_stack_only_adds_the_task_definition_and_the_service(mode: str) -> None:
    shared = MODES[mode]
    full = _full(size="large", flags=(("ALERTS", True),))
    prepared, complete = _by_key(_prepared(full), shared), _by_key(full, shared)
    assert set(complete) - set(prepared) == {
        (TASK_DEF, "task-definition"),
        (SERVICE, "service"),
    }
    assert set(prepared) <= set(complete)
    for k, inputs in prepared.items():  # same name, same inputs: the up changes none of them
        assert complete[k] == inputs, k
    expected = ENV_TYPES - {IMAGE, TASK_DEF, SERVICE}
    if mode == "https":
        expected |= HTTPS_EXTRA
    assert {t for t, _ in prepared} == expected


def test_a_prepared_stack_declares_nothing_that_runs_and_exports_no_service() -> None:
    out = evaluate_offline(_prepared(_full()))
    types = {r.type for r in out.resources}
    assert not types & {IMAGE, TASK_DEF, SERVICE}
    assert out.outputs["prepared"] is True
    assert not {"serviceName", "taskDefinitionArn", "image"} & set(out.outputs)


def test_a_prepared_stack_without_an_image_builds_none() -> None:
    """No prebuilt image and no build either: a prepared stack never declares the build a
    full stack without an image would (the PR's code must not be built here)."""
    bare = cfg_of()
    assert IMAGE in {r.type for r in evaluate_offline(bare).resources}
    assert IMAGE not in {r.type for r in evaluate_offline(replace(bare, prepared=True)).resources}


def test_the_stack_config_says_prepared_and_the_program_reads_it() -> None:
    cfg = _prepared(_full())
    values = env_values(cfg)
    assert values["showtime-iac:prepared"] == "true"
    assert from_stack_config(values).prepared
    rendered = evaluate_stack_offline(cfg.stack, values)
    assert not {r.type for r in rendered.resources} & {TASK_DEF, SERVICE}
    # the full config written over it says false (config is merged: it must be written)
    assert env_values(_full())["showtime-iac:prepared"] == "false"
    full = evaluate_stack_offline(cfg.stack, env_values(_full()))
    assert {TASK_DEF, SERVICE} <= {r.type for r in full.resources}


@pytest.mark.parametrize(
    "kw", [{"image": ECR_IMAGE, "image_sha": "abc1234"}, {"sleeping": True}], ids=str
)
def test_a_prepared_config_takes_no_image_and_cannot_sleep(kw: dict[str, object]) -> None:
    with pytest.raises(InputError, match="prepared stack runs nothing"):
        cfg_of(prepared=True, **kw)
    values = env_values(cfg_of(**kw))
    values["showtime-iac:prepared"] = "true"
    with pytest.raises(InputError, match="prepared stack runs nothing"):
        from_stack_config(values)
