"""Shared pytest configuration: plugins that provide fixtures to every test module."""

pytest_plugins = ["tests.github_api_server", "tests.motoserver"]
