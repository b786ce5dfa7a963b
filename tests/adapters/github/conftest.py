"""Fixtures of the GitHub adapter tests: a client of the local GitHub API server, and the
environment the CLI reads it from."""

from __future__ import annotations

import pytest

from showtime_iac.adapters.github import GitHubClient
from tests.github_api_server import GitHubServer


@pytest.fixture
def client(ghserver: GitHubServer) -> GitHubClient:
    c = GitHubClient.connect(ghserver.token, ghserver.repo, base_url=ghserver.url)
    c.sleep = lambda _s: None
    return c


@pytest.fixture
def env(ghserver: GitHubServer, monkeypatch: pytest.MonkeyPatch) -> GitHubServer:
    monkeypatch.setenv("GITHUB_API_URL", ghserver.url)
    monkeypatch.setenv("GITHUB_TOKEN", ghserver.token)
    monkeypatch.setenv("GITHUB_REPOSITORY", ghserver.repo)
    return ghserver
