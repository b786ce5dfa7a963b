"""Sizes of listed stacks from the stack config files ``up`` writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from showtime_iac.adapters.aws import FargatePrices
from showtime_iac.adapters.stacks.listing import StackInfo
from showtime_iac.app.sizing import read_stack_size, size_of


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("config:\n  showtime-iac:size: small\n", "small"),
        ("config:\n  showtime-iac:size: 'large'\n", "large"),
        ("config:\n  showtime-iac:size: tiny\n", None),
        ("config:\n  showtime-iac:pr: '1'\n", None),
        ("config: [\n", None),
        ("- a list\n", None),
        ("", None),
    ],
)
def test_read_stack_size(text: str, size: str | None, tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.pr-1-abcdef0.yaml"
    path.write_text(text)
    assert read_stack_size(path) == size
    assert read_stack_size(tmp_path / "missing.yaml") is None


def test_without_a_config_directory_every_stack_is_the_default_size_assumed() -> None:
    infos = [StackInfo("pr-1-abc1234", 1, "abc1234"), StackInfo("pr-2-def5678", 2, "def5678")]
    sized = size_of(infos, None, "medium", FargatePrices())
    assert [(s.info.name, s.size, s.assumed, s.hourly_cost, s.sleeping) for s in sized] == [
        ("pr-1-abc1234", "medium", True, 0.05762, False),
        ("pr-2-def5678", "medium", True, 0.05762, False),
    ]


@pytest.mark.parametrize(
    ("value", "sleeping", "cost"),
    [
        ("'true'", True, 0.00075),
        ("true", True, 0.00075),
        ("'True'", True, 0.00075),
        ("'false'", False, 0.03738),
        ("'yes'", False, 0.03738),
        (None, False, 0.03738),
    ],
)
def test_a_sleeping_stack_is_priced_asleep(
    value: str | None, sleeping: bool, cost: float, tmp_path: Path
) -> None:
    line = "" if value is None else f"  showtime-iac:sleeping: {value}\n"
    (tmp_path / "Pulumi.pr-1-abc1234.yaml").write_text(
        f"config:\n  showtime-iac:size: small\n{line}", encoding="utf-8"
    )
    [s] = size_of([StackInfo("pr-1-abc1234", 1, "abc1234")], tmp_path, "large", FargatePrices())
    assert (s.size, s.assumed, s.sleeping, s.hourly_cost) == ("small", False, sleeping, cost)


@pytest.mark.usefixtures("ascii_locale")
def test_a_stack_config_is_read_as_utf8_whatever_the_locale(tmp_path: Path) -> None:
    """``up`` writes the stack config in UTF-8 (a requester or a comment may not be ASCII)."""
    path = tmp_path / "Pulumi.pr-1-abcdef0.yaml"
    path.write_text("# für café 🎪\nconfig:\n  showtime-iac:size: large\n", encoding="utf-8")
    assert read_stack_size(path) == "large"
