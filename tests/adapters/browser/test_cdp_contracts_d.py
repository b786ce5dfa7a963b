"""Where the browser is found (issue 29), find_chromium's documented order:
``$SHOWTIME_CHROMIUM`` (a file, else nothing), else a Chromium or Chrome on the given PATH
(the default path when it has none), else ``/usr/bin/chromium``."""

from __future__ import annotations

from pathlib import Path

import pytest

from showtime_iac.adapters.browser import find_chromium


def executable(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return str(path)


def test_the_variable_names_the_browser_when_it_is_a_file(tmp_path: Path) -> None:
    exe = executable(tmp_path / "opt" / "my-chrome")
    path = executable(tmp_path / "bin" / "chromium")
    env = {"SHOWTIME_CHROMIUM": exe, "PATH": str(Path(path).parent)}
    assert find_chromium(env) == exe


def test_a_variable_naming_no_file_finds_nothing_not_another_browser(tmp_path: Path) -> None:
    path = executable(tmp_path / "bin" / "chromium")
    env = {"SHOWTIME_CHROMIUM": str(tmp_path / "missing"), "PATH": str(Path(path).parent)}
    assert find_chromium(env) is None


def test_without_an_env_the_process_environment_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exe = executable(tmp_path / "opt" / "my-chrome")
    monkeypatch.setenv("SHOWTIME_CHROMIUM", exe)
    assert find_chromium() == exe


def test_the_given_env_is_read_not_the_process_s(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOWTIME_CHROMIUM", executable(tmp_path / "opt" / "other"))
    path = executable(tmp_path / "bin" / "google-chrome")
    assert find_chromium({"PATH": str(Path(path).parent)}) == path


def test_the_first_name_on_the_given_path_in_order(tmp_path: Path) -> None:
    first = tmp_path / "first"
    second = tmp_path / "second"
    executable(first / "google-chrome-stable")
    browser = executable(second / "chromium-browser")
    executable(second / "google-chrome")
    assert find_chromium({"PATH": f"{first}:{second}"}) == browser


def test_an_env_without_path_searches_the_default_path_not_the_process_s(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    planted = executable(tmp_path / "bin" / "chromium")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    assert find_chromium({}) != planted


@pytest.mark.skipif(not Path("/usr/bin/chromium").is_file(), reason="no /usr/bin/chromium")
def test_nothing_on_path_falls_back_to_usr_bin_chromium(tmp_path: Path) -> None:
    assert find_chromium({"PATH": str(tmp_path)}) == "/usr/bin/chromium"


def test_no_chromium_on_path_nor_in_usr_bin_is_none(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A machine without any Chromium: None (the proof step then says how to install one)."""
    real = Path.is_file

    def is_file(self: Path) -> bool:
        return False if str(self) == "/usr/bin/chromium" else real(self)

    monkeypatch.setattr(Path, "is_file", is_file)
    assert find_chromium({"PATH": str(tmp_path)}) is None
