"""The environment stack's outputs (program/environment.py): what ``sync``, ``status`` and the
router read back from a stack, prepared or full, in both address modes. Written out; rendered
afresh. A secret's ARN is an output Pulumi keeps secret, so the offline render shows it masked.
"""

from __future__ import annotations

import pytest

from showtime_iac.core.model import EnvConfig
from showtime_iac.core.stack_config import SharedConfig
from showtime_iac.program import evaluate_offline

SHA = "3f08ba3" + "0" * 33
IMAGE = "000000000000.dkr.ecr.us-west-2.amazonaws.com/superset-ci@sha256:" + "a" * 64
DOMAIN = "preview.example.org"
TG = "arn:aws:elasticloadbalancing:us-west-2:000000000000:targetgroup/sti-pr-7-3f08ba3/"
COMMON = {
    "stack": "pr-7-3f08ba3",
    "clusterName": "superset-ci",
    "logGroup": "/showtime/pr-7-3f08ba3",
    "containerPort": 8080,
    "secretArn": "[secret]",
}
FULL = {
    **COMMON,
    "serviceName": "sti-pr-7-3f08ba3",
    "taskDefinitionArn": "arn:aws:ecs:us-west-2:000000000000:task-definition/showtime-pr-7-3f08ba3:1",
    "image": IMAGE,
}


def _outputs(domain: str | None, *, prepared: bool) -> dict[str, object]:
    cfg = (
        EnvConfig(pr=7, sha=SHA, prepared=True)
        if prepared
        else EnvConfig(pr=7, sha=SHA, image=IMAGE, image_sha=SHA)
    )
    out = dict(evaluate_offline(cfg, SharedConfig.offline_default(domain)).outputs)
    if domain is not None:
        tg = out.pop("targetGroupArn")
        assert isinstance(tg, str) and tg.startswith(TG)
    return out


def test_a_prepared_stack_exports_what_needs_no_image_and_says_it_is_prepared() -> None:
    assert _outputs(None, prepared=True) == {
        **COMMON,
        "prepared": True,
        "addressMode": "public-ip",
    }
    assert _outputs(DOMAIN, prepared=True) == {
        **COMMON,
        "prepared": True,
        "addressMode": "https",
        "host": "pr-7-3f08ba3.preview.example.org",
        "prHost": "pr-7.preview.example.org",
    }


@pytest.mark.parametrize("domain", [None, DOMAIN])
def test_a_full_stack_exports_its_service_task_definition_image_and_addresses(
    domain: str | None,
) -> None:
    https = {
        "addressMode": "https",
        "host": "pr-7-3f08ba3.preview.example.org",
        "url": "https://pr-7-3f08ba3.preview.example.org",
        "prHost": "pr-7.preview.example.org",
        "prUrl": "https://pr-7.preview.example.org",
    }
    expected = {**FULL, **(https if domain else {"addressMode": "public-ip"})}
    assert _outputs(domain, prepared=False) == expected


def test_a_prepared_stacks_exports_are_the_stacks_outputs() -> None:
    """What ``pulumi up`` runs (``main``): the prepared stack's outputs are exported, values
    and all, so ``sync`` and ``status`` read them back from the stack."""
    from showtime_iac.core.stack_config import to_stack_config
    from showtime_iac.program import evaluate_stack_offline
    from tests.program.helpers import REAL_NET, SECRETS

    cfg = EnvConfig(pr=7, sha=SHA, prepared=True)
    values = {**to_stack_config(cfg), **REAL_NET, **SECRETS}
    assert evaluate_stack_offline(cfg.stack, values).outputs == {
        **COMMON,
        "prepared": True,
        "addressMode": "public-ip",
    }


def test_a_built_image_is_returned_to_the_caller() -> None:
    """Without a prebuilt image the environment builds one, and ``EnvResources.image`` is that
    build (a prebuilt image has none: covered where the service is)."""
    from typing import Any

    from showtime_iac.program import _evaluate, declare_environment

    shared = SharedConfig.offline_default()
    cfg = EnvConfig(pr=7, sha=SHA)

    def program() -> dict[str, Any]:
        env = declare_environment(cfg, shared)
        assert env.image is not None
        return {"image": env.image.urn, "imageName": env.image.image_name}

    assert _evaluate(cfg.stack, shared, program).outputs == {
        "image": "urn:pulumi:pr-7-3f08ba3::showtime-iac::pulumi:pulumi:Stack$"
        "docker:index/image:Image::image",
        "imageName": "000000000000.dkr.ecr.us-west-2.amazonaws.com/superset-ci:sti-pr-7-3f08ba3",
    }
