"""Where the stacks live: project directory, backend, passphrase rule, the engine on disk, and
the config every stack shares."""

from __future__ import annotations

from pathlib import Path

import pytest

from showtime_iac.adapters import stacks as S
from showtime_iac.core.model import InputError


def test_project_dir_from_option_env_or_repo(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: showtime-iac\n")
    assert S.find_project_dir(tmp_path, {}) == tmp_path.resolve()
    assert S.find_project_dir(None, {S.ENV_PROJECT_DIR: str(tmp_path)}) == tmp_path.resolve()
    assert (S.find_project_dir(None, {}) / "Pulumi.yaml").is_file()  # this checkout
    with pytest.raises(InputError, match="SHOWTIME_PROJECT_DIR"):
        S.find_project_dir(None, {S.ENV_PROJECT_DIR: str(tmp_path / "nope")})


def test_backend_default_is_a_local_directory_created_on_first_use(tmp_path: Path) -> None:
    url = S.backend_url({}, home=tmp_path)
    assert url == f"file://{tmp_path}/.showtime-iac/pulumi-state"
    assert S.backend_url({"PULUMI_BACKEND_URL": "s3://b"}) == "s3://b"
    path = S.ensure_local_backend(url)
    assert path is not None and path.is_dir()
    assert S.ensure_local_backend("s3://bucket") is None
    assert S.local_backend_dir("file://~/x") == Path.home() / "x"


def test_passphrase_rule_and_tag_support_by_backend_and_version() -> None:
    assert S.needs_passphrase("file:///tmp/s", None)
    assert S.needs_passphrase("s3://b", "passphrase")
    assert not S.needs_passphrase("s3://b", "awskms://alias/x")
    assert not S.needs_passphrase("https://api.pulumi.com", None)
    assert S.parse_version("v3.211.0\n") == (3, 211, 0)
    assert S.parse_version("garbage") is None
    assert S.tags_supported("file:///x", (3, 211, 0))
    assert not S.tags_supported("s3://b", (3, 210, 9))
    assert not S.tags_supported("s3://b", None)
    assert S.tags_supported("https://api.pulumi.com", (3, 100, 0))


def test_find_engine_on_path_or_in_pulumi_home(tmp_path: Path) -> None:
    assert S.find_engine({"PATH": str(tmp_path), "HOME": str(tmp_path)}) is None
    exe = tmp_path / ".pulumi" / "bin" / "pulumi"
    exe.parent.mkdir(parents=True)
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    assert S.find_engine({"PATH": "", "HOME": str(tmp_path)}) == exe
    assert S.find_engine({"PATH": str(exe.parent), "HOME": "/nonexistent"}) == exe


def test_base_config_region_and_shared_stack() -> None:
    assert S.base_config({}) == {"aws:region": "us-west-2", "showtime-iac:sharedStack": "shared"}
    assert (
        S.base_config({"AWS_REGION": "eu-west-1", S.ENV_SHARED_STACK: "org/showtime-iac/shared"})[
            "showtime-iac:sharedStack"
        ]
        == "org/showtime-iac/shared"
    )


def test_project_dir_defaults_to_the_checkout_this_package_sits_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From a directory without Pulumi.yaml (a workflow's other checkout, /tmp), not cwd."""
    monkeypatch.chdir(tmp_path)
    found = S.find_project_dir(None, {})
    assert (found / "Pulumi.yaml").is_file() and (found / "showtime_iac" / "program").is_dir()
