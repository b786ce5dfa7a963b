"""What the driver tests share: an environment's config, the driver over the engine double."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from showtime_iac.adapters import stacks as S
from showtime_iac.core.model import EnvConfig, Ttl
from tests.doubles import ENGINE_NOW, FakeEngine

SHA = "abc1234def5678abc1234def5678abc1234def56"
NOW = ENGINE_NOW
ENV = {"PULUMI_CONFIG_PASSPHRASE": "pw"}


def cfg(**kw: Any) -> EnvConfig:
    base: dict[str, Any] = {"pr": 1234, "sha": SHA, "requester": "octocat", "ttl": Ttl("48h")}
    base.update(kw)
    return EnvConfig(**base)


def driver(engine: FakeEngine, env: Mapping[str, str] = ENV, **kw: Any) -> S.PulumiDriver:
    sleeps: list[float] = []
    d = S.PulumiDriver(
        engine,
        env=env,
        base_config={"aws:region": "us-west-2"},
        sleep=sleeps.append,
        clock=lambda: NOW,
        retry_delay=1.0,
        **kw,
    )
    d.sleeps = sleeps  # type: ignore[attr-defined]
    return d
