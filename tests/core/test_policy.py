"""The policy file: defaults, validation with clear errors, and the example stays valid."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from showtime_iac.app.inputs import load_policy
from showtime_iac.core.model import InputError, Policy, Ttl
from showtime_iac.core.policy import policy_from_mapping

ROOT = Path(__file__).resolve().parents[2]


def test_the_shipped_example_is_the_defaults() -> None:
    assert load_policy(ROOT / "showtime.example.toml") == Policy()


def test_missing_default_file_means_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SHOWTIME_POLICY", raising=False)
    assert load_policy() == Policy()


def test_values_are_read(tmp_path: Path) -> None:
    f = tmp_path / "showtime.toml"
    f.write_text('default_ttl = "48h"\nmax_ttl = "2w"\nstale_lock = "30m"\nmax_per_requester = 5\n')
    p = load_policy(f)
    assert p.default_ttl == Ttl("48h") and p.max_ttl == Ttl("2w")
    assert p.stale_lock == timedelta(minutes=30) and p.max_per_requester == 5


def test_pyproject_table(tmp_path: Path) -> None:
    f = tmp_path / "pyproject.toml"
    f.write_text('[project]\nname = "x"\n[tool.showtime-iac]\nmax_environments = 7\n')
    assert load_policy(f).max_environments == 7


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"max_ttl": "forever"}, "max_ttl"),
        ({"max_ttl": "manual"}, "must be a duration"),
        ({"default_ttl": "8d"}, "above max_ttl"),
        ({"stale_lock": "soon"}, "stale_lock"),
        ({"max_environments": 0}, "max_environments"),
        ({"max_per_requester": True}, "max_per_requester"),
        ({"default_size": "huge"}, "default_size"),
        ({"trusted_associations": ["EVERYONE"]}, "trusted_associations"),
        ({"max_tll": "7d"}, "unknown policy key 'max_tll'"),
    ],
)
def test_invalid_policies_name_the_key(table: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        policy_from_mapping(table)


def test_unreadable_files(tmp_path: Path) -> None:
    bad = tmp_path / "showtime.toml"
    bad.write_text("max_ttl = [")
    with pytest.raises(InputError, match="not valid TOML"):
        load_policy(bad)
    with pytest.raises(InputError, match="not found"):
        load_policy(tmp_path / "missing.toml")
