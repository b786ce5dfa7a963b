"""``probe_health`` (one look for ``status``) when nothing answers: the whole answer."""

from __future__ import annotations

from showtime_iac.adapters.aws.health import HealthProbe, probe_health


def test_an_unreachable_environment_is_named_with_the_error_kind() -> None:
    url = "http://127.0.0.1:9/health"  # the discard port: nothing listens
    assert probe_health(url, timeout=0.5) == HealthProbe(url, False, "unreachable: URLError")
