"""The program refuses, before declaring anything, a stack config whose image was built from
another commit (issue 15, finding 1): stack pr-N-S only ever runs an image built from S."""

from __future__ import annotations

import pytest

from showtime_iac.core.model import EnvConfig, ImageMismatchError
from showtime_iac.core.stack_config import to_stack_config
from showtime_iac.program import select_program

SHA = "abc1234def5678abc1234def5678abc1234def56"
DIGEST = "123456789012.dkr.ecr.us-west-2.amazonaws.com/superset-ci@sha256:" + "ef" * 32


def values(**extra: str) -> dict[str, str]:
    cfg = EnvConfig(pr=1234, sha=SHA, image=DIGEST, image_sha=SHA)
    return {**to_stack_config(cfg), "aws:region": "us-west-2", **extra}


def test_finding_1_the_program_refuses_an_image_recorded_for_another_commit() -> None:
    assert callable(select_program("pr-1234-abc1234", values(), offline=True))
    bad = values(**{"showtime-iac:imageSha": "def5678" + "0" * 33})
    with pytest.raises(ImageMismatchError, match="only runs an image built from abc1234"):
        select_program("pr-1234-abc1234", bad, offline=True)


def test_finding_1_the_program_refuses_an_image_tagged_for_another_stack() -> None:
    tagged = "123456789012.dkr.ecr.us-west-2.amazonaws.com/superset-ci:pr-77-abc1234-ci"
    bad = values(**{"showtime-iac:image": tagged})
    with pytest.raises(ImageMismatchError, match="PR 77"):
        select_program("pr-1234-abc1234", bad, offline=True)
