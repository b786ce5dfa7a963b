"""The real adapters wired into the executor's ports: nothing heavy is opened before use."""

from __future__ import annotations

from typing import Any

import pytest

from showtime_iac.adapters.github import GitHubClient
from showtime_iac.app.wiring import LazyLive, LazyStacks, open_ports
from showtime_iac.core.model import EnvConfig, InputError
from showtime_iac.settings import Settings
from tests.doubles import FakeLive, FakeStacks
from tests.github_api_server import GitHubServer

SHA = "abc1234def5678901234567890abcdef12345678"


def test_adapters_open_once_on_first_use() -> None:
    opened: list[str] = []
    fake = FakeStacks()

    def open_stacks() -> Any:
        opened.append("stacks")
        return fake

    stacks = LazyStacks(open_stacks)
    live = LazyLive(lambda: opened.append("live") or FakeLive())  # type: ignore[func-returns-value]
    assert opened == []
    cfg = EnvConfig(pr=7, sha=SHA, requester="ann")
    stacks.up(cfg)
    assert stacks.list_stacks() == ["pr-7-abc1234"]
    stacks.destroy(7, SHA)
    assert live.address(cfg, {}) == "10.0.0.5:8080"
    assert opened == ["stacks", "live"]


def test_open_ports_reads_github_settings_and_opens_nothing_else(
    ghserver: GitHubServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")  # no pulumi: opening the driver would fail
    settings = Settings.from_env({"GITHUB_TOKEN": ghserver.token, "GITHUB_API_URL": ghserver.url})
    ports = open_ports(settings, repo=ghserver.repo)
    assert isinstance(ports.github, GitHubClient) and ports.github.repo_name == ghserver.repo
    assert ghserver.requests == []
    ghserver.add_pr(3, head_sha=SHA)
    assert ports.github.get_pr(3).head_sha == SHA


def test_open_ports_without_a_repository_is_an_input_error() -> None:
    with pytest.raises(InputError, match="GITHUB_REPOSITORY"):
        open_ports(Settings.from_env({"GITHUB_TOKEN": "t"}))
    with pytest.raises(InputError, match="not OWNER/NAME"):
        open_ports(Settings.from_env({"GITHUB_TOKEN": "t"}), repo="no-slash")
