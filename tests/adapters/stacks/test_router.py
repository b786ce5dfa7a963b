"""The driver's router stack (``pr-N-router``) and the secrets an environment stack is born
with, over the engine double."""

from __future__ import annotations

import pytest

from showtime_iac.adapters import stacks as S
from showtime_iac.core.model import Ttl
from tests.adapters.stacks.support import cfg, driver
from tests.doubles import FakeEngine

# --------------------------------------------------------------------------- secrets, router

SECRET_KEYS = ("showtime-iac:secretKey", "showtime-iac:adminPassword")


def test_a_new_stack_gets_its_secrets_generated_once_as_secret_config() -> None:
    e = FakeEngine()
    d = driver(e)
    d.up(cfg())
    config = e.stacks["pr-1234-abc1234"]["config"]
    first = {k: config[k] for k in SECRET_KEYS}
    for value, secret in first.values():
        assert secret is True and len(value) >= 24
    assert first[SECRET_KEYS[0]][0] != first[SECRET_KEYS[1]][0]
    d.up(cfg(ttl=Ttl("7d")))  # a redeploy of the same stack: the same secrets
    assert {k: e.stacks["pr-1234-abc1234"]["config"][k] for k in SECRET_KEYS} == first
    d.up(cfg(pr=99))
    other = e.stacks["pr-99-abc1234"]["config"]
    assert other[SECRET_KEYS[0]] != first[SECRET_KEYS[0]]  # every environment its own
    assert not any(first[SECRET_KEYS[0]][0] in n for n in d.notes)


def test_a_stack_created_before_the_secrets_gets_them_on_its_next_up() -> None:
    e = FakeEngine()
    e.add("pr-1234-abc1234", {"showtime:pr": "1234", "showtime:sha": "abc1234"})
    driver(e).up(cfg())
    config = e.stacks["pr-1234-abc1234"]["config"]
    assert all(config[k][1] is True for k in SECRET_KEYS)


def test_new_secrets_never_regenerates() -> None:
    from showtime_iac.adapters.stacks.router import new_secrets

    assert new_secrets({k: "kept" for k in SECRET_KEYS}) == {}
    fresh = new_secrets({SECRET_KEYS[0]: "kept"})
    assert list(fresh) == [SECRET_KEYS[1]]


def test_a_preview_keeps_the_stacks_secret_config_and_takes_the_plain_values() -> None:
    own = {
        "encryptionsalt": "v1:abc",
        "config": {
            "showtime-iac:secretKey": {"secure": "v1:cipher1"},
            "showtime-iac:adminPassword": {"secure": "v1:cipher2"},
            "showtime-iac:size": "small",
        },
    }
    out = S.preview_settings(own, {"showtime-iac:size": "large", "aws:region": "us-west-2"})
    assert out["encryptionsalt"] == "v1:abc"
    assert out["config"] == {
        "showtime-iac:secretKey": {"secure": "v1:cipher1"},
        "showtime-iac:adminPassword": {"secure": "v1:cipher2"},
        "showtime-iac:size": "large",
        "aws:region": "us-west-2",
    }


TG = "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/sti-pr-1234-abc1234/0123abcd"


def test_route_creates_the_router_stack_then_moves_it() -> None:
    e = FakeEngine()
    d = driver(e)
    d.route(1234, "abc1234", TG)
    st = e.stacks["pr-1234-router"]
    assert st["config"]["showtime-iac:targetGroupArn"] == (TG, False)
    assert st["config"]["showtime-iac:sha"] == ("abc1234", False)
    assert st["config"]["aws:region"] == ("us-west-2", False)
    assert st["tags"]["showtime:role"] == "router" and st["tags"]["showtime:pr"] == "1234"
    assert not any(k in st["config"] for k in SECRET_KEYS)
    new_tg = TG.replace("abc1234", "def5678")
    e.calls.clear()
    d.route(1234, "def5678", new_tg)
    assert e.ops("create") == 0 and e.ops("up") == 1
    assert e.stacks["pr-1234-router"]["config"]["showtime-iac:targetGroupArn"] == (new_tg, False)
    assert d.routed_sha(1234) == "def5678"
    assert d.list_routers() == [1234]
    assert [s.name for s in d.list()] == []  # never listed as an environment


def test_unroute_destroys_then_removes_and_refuses_a_foreign_stack() -> None:
    e = FakeEngine()
    d = driver(e)
    assert d.unroute(1234) is False and e.ops("destroy") == 0
    d.route(1234, "abc1234", TG)
    assert d.unroute(1234) is True
    assert [c for c, _ in e.calls[-2:]] == ["destroy", "remove"]
    assert "pr-1234-router" not in e.stacks
    e.add("pr-7-router")
    e.stacks["pr-7-router"]["config"] = {"showtime-iac:pr": ("8", False)}
    with pytest.raises(S.TagMismatchError, match="refusing to destroy"):
        d.unroute(7)
    assert e.ops("destroy") == 1


def test_the_requester_tag_of_a_bot_reads_back_as_its_login() -> None:
    info = S.StackInfo("pr-1-abc1234", 1, "abc1234", tags={"showtime:requested-by": "renovate+bot"})
    assert info.requester == "renovate[bot]"
