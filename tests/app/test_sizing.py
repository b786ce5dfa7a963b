"""Sizes of listed stacks from the stack config files ``up`` writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from showtime_iac.app.sizing import read_stack_size


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
