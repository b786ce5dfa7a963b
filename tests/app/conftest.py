"""The sync scenario fixtures (GitHub test server, stack and live doubles) for every app test."""

from tests.app.test_sync import gh, live, run, sleeps, stacks  # noqa: F401
