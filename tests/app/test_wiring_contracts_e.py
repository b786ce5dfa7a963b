"""``open_aws`` hands the policy through and picks the client settings (issue 29): a normal
run's clients retry 5 times with 5 s/30 s timeouts (``client_config``'s defaults); ``quick``
(``status``) retries twice with 3 s/10 s timeouts, and shows what it can."""

from __future__ import annotations

from typing import Any

import pytest

from showtime_iac.app.wiring import open_aws
from showtime_iac.core.model import Policy
from showtime_iac.settings import Settings

__all__: list[str] = []


def timeouts(live: Any) -> tuple[Any, ...]:
    cfg = live.clients.ecs.meta.config
    return (cfg.retries, cfg.connect_timeout, cfg.read_timeout)


def test_open_aws_hands_the_policy_through_normal_or_quick(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    settings = Settings.from_env()
    policy = Policy(port=9000)
    normal = open_aws(settings, policy)
    assert normal.policy is policy
    assert timeouts(normal) == ({"mode": "standard", "total_max_attempts": 6}, 5, 30)
    quick = open_aws(settings, policy, quick=True)
    assert quick.policy is policy
    assert timeouts(quick) == ({"mode": "standard", "total_max_attempts": 3}, 3, 10)
