"""The host's own DNS record of a stack on a load-balancer shard other than 0 (issue 29: the
mutation run found its type, alias and overwrite unpinned). ``*.<domain>`` points at shard 0;
a host on shard 2 needs an A alias of its exact name to shard 2's load balancer, or its URL
resolves to a load balancer that has no rule for it.

Each environment is rendered afresh here (no cached fleet): a test that reads a render made
before the change cannot see the change.
"""

from __future__ import annotations

from typing import Any

from showtime_iac.core.model import EnvConfig
from showtime_iac.core.shards import RulePlacement
from showtime_iac.core.stack_config import to_stack_config
from showtime_iac.program import evaluate_stack_offline
from showtime_iac.program.inputs import Https
from showtime_iac.program.routing import _host_record
from tests.program.helpers import DOMAIN, REAL_NET, SECRETS

ZONE = "Z0123456789ABCDEFGHIJ"
SHA = "3f08ba3" + "0" * 33
RECORD = "aws:route53/record:Record"


def _records(placement: RulePlacement, **extra: str) -> list[Any]:
    cfg = EnvConfig(pr=7, sha=SHA)
    values = {
        **to_stack_config(cfg),
        **REAL_NET,
        **SECRETS,
        **placement.to_stack_config(),
        "showtime-iac:sharedStack": "shared",
        "showtime-iac:domain": DOMAIN,
        **extra,
    }
    out = evaluate_stack_offline(cfg.stack, values)
    return [r for r in out.resources if r.type == RECORD]


def test_a_host_on_shard_2_gets_an_a_alias_of_its_exact_name_to_shard_2s_load_balancer() -> None:
    (record,) = _records(RulePlacement(2, 8), **{"showtime-iac:hostedZoneId": ZONE})
    inputs = record.inputs
    assert record.name == "host-record"
    assert inputs["zoneId"] == ZONE
    assert inputs["name"] == "pr-7-3f08ba3.preview.example.org"
    assert inputs["type"] == "A"
    # a record left by an earlier stack of the same host is taken over, not a failed `up`
    assert inputs["allowOverwrite"] is True
    (alias,) = inputs["aliases"]
    assert alias["name"].startswith("showtime-iac-s2-")  # shard 2's load balancer
    assert alias["name"].endswith(".us-west-2.elb.amazonaws.com")
    assert alias["zoneId"] == "Z1H1FL5HABSF5"  # the ALB hosted zone of us-west-2
    assert alias["evaluateTargetHealth"] is False
    assert set(alias) == {"name", "zoneId", "evaluateTargetHealth"}


def test_shard_0_and_a_shard_without_a_hosted_zone_get_no_record_of_their_own() -> None:
    assert _records(RulePlacement(0, 8), **{"showtime-iac:hostedZoneId": ZONE}) == []
    assert _records(RulePlacement(2, 8)) == []  # no zone: DNS is the operator's


def test_shard_0_never_declares_a_record_even_when_given_one() -> None:
    """The wildcard of shard 0 serves its hosts: a record of the exact name there would shadow
    the wildcard for nothing (and fight the router's)."""
    on_0 = Https(DOMAIN, "listener", "sg", "vpc", RulePlacement(0, 8), (ZONE, "lb", "zone"))
    no_zone = Https(DOMAIN, "listener", "sg", "vpc", RulePlacement(2, 8), None)
    assert _host_record("host-record", on_0, "pr-7-3f08ba3." + DOMAIN) is None
    assert _host_record("host-record", no_zone, "pr-7-3f08ba3." + DOMAIN) is None
