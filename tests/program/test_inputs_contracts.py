"""Where an environment's shared values come from (program/inputs.py): a plain config or the
shared stack's outputs, the shard's own listener, and each refusal, written out."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from showtime_iac.core.model import EnvConfig
from showtime_iac.core.shards import RulePlacement
from showtime_iac.core.stack_config import (
    SharedConfig,
    StackConfigError,
    to_stack_config,
)
from showtime_iac.program import evaluate_offline, evaluate_stack_offline
from showtime_iac.program.inputs import _boundary_of, _shard_value
from tests.program.helpers import DOMAIN, REAL_NET, SECRETS

SHA = "3f08ba3" + "0" * 33
IMAGE = "000000000000.dkr.ecr.us-west-2.amazonaws.com/superset-ci@sha256:" + "a" * 64
CFG = EnvConfig(pr=7, sha=SHA, image=IMAGE, image_sha=SHA)
NO_SHARD = (
    "the shared stack {stack} declares no load balancer shard 2: add it to its "
    "showtime-iac:loadBalancerShards and run its `up` first"
)


def _refusal(shared: SharedConfig, placement: RulePlacement | None) -> str:
    with pytest.raises(StackConfigError) as err:
        evaluate_offline(CFG, shared, placement=placement)
    return str(err.value)


def test_a_plain_config_refuses_a_shard_other_than_0() -> None:
    shared = SharedConfig.offline_default(DOMAIN)
    assert _refusal(shared, RulePlacement(2, 8)) == (
        "load balancer shard 2 needs showtime-iac:sharedStack (the shared stack's outputs name "
        "each shard's listener)"
    )


def test_a_plain_https_config_without_the_listener_is_refused() -> None:
    shared = replace(SharedConfig.offline_default(DOMAIN), https_listener_arn=None)
    assert _refusal(shared, None) == (
        "HTTPS mode (preview.example.org) without a StackReference needs "
        "showtime-iac:httpsListenerArn, albSecurityGroupId and vpcId (the shared stack's "
        "outputs), or showtime-iac:sharedStack"
    )
    no_sg = replace(SharedConfig.offline_default(DOMAIN), alb_security_group_id=None)
    no_vpc = replace(SharedConfig.offline_default(DOMAIN), vpc_id=None)
    for shared in (no_sg, no_vpc):
        assert _refusal(shared, None).startswith("HTTPS mode (preview.example.org) without")


def test_a_plain_config_without_the_security_group_is_refused() -> None:
    shared = replace(SharedConfig.offline_default(), security_group_id=None)
    assert _refusal(shared, None) == (
        "an environment needs the shared security group: set showtime-iac:securityGroupId "
        "or showtime-iac:sharedStack"
    )


@pytest.mark.parametrize(
    "shards",
    [
        None,
        [],
        {},
        {"2": "text"},
        {"2": {}},
        {"2": {"listenerArn": ""}},
        {"3": {"listenerArn": "a"}},
    ],
)
def test_a_shard_entry_without_the_field_is_refused(shards: Any) -> None:
    with pytest.raises(StackConfigError) as err:
        _shard_value(shards, 2, "listenerArn", "org/proj/shared")
    assert str(err.value) == NO_SHARD.format(stack="org/proj/shared")


def test_a_shard_entry_gives_its_field_as_text() -> None:
    assert _shard_value({"2": {"listenerArn": "arn:l", "n": 5}}, 2, "listenerArn", "s") == "arn:l"
    assert _shard_value({"2": {"n": 5}}, 2, "n", "s") == "5"


@pytest.mark.parametrize("arn", [None, "", 5, ["arn:x"]])
def test_a_shared_stack_without_a_boundary_is_refused(arn: Any) -> None:
    with pytest.raises(StackConfigError) as err:
        _boundary_of(arn, "org/proj/shared")
    assert str(err.value) == (
        "the shared stack org/proj/shared exports no permissionsBoundaryArn (a shared stack "
        "from before permissions boundaries): run its `up` first"
    )
    assert _boundary_of("arn:aws:iam::1:policy/b", "s") == "arn:aws:iam::1:policy/b"


def test_a_stack_on_shard_2_uses_shard_2s_listener_and_the_shared_stacks_values() -> None:
    values = {
        **to_stack_config(CFG),
        **REAL_NET,
        **SECRETS,
        **RulePlacement(2, 8).to_stack_config(),
        "showtime-iac:sharedStack": "shared",
        "showtime-iac:domain": DOMAIN,
    }
    out = evaluate_stack_offline(CFG.stack, values)
    found = {r.name: r for r in out.resources}
    listener = found["host-rule"].inputs["listenerArn"]
    assert listener.startswith(
        "arn:aws:elasticloadbalancing:us-west-2:000000000000:listener/app/showtime-iac-s2/"
    )
    assert found["host-rule"].inputs["priority"] == 8
    assert found["target-group"].inputs["vpcId"] == "vpc-placeholder"
    assert found["task-security-group"].inputs["ingress"][0]["securityGroups"] == [
        "sg-placeholder-alb"
    ]
    assert "host-record" not in found  # no hosted zone: the operator's DNS
    service = found["service"].inputs
    assert service["cluster"] == "arn:aws:ecs:us-west-2:000000000000:cluster/superset-ci"
    # the shared stack's values (the mocks answer its outputs from this config)
    assert service["networkConfiguration"]["subnets"] == [
        "subnet-0123456789abcdef0",
        "subnet-0fedcba9876543210",
    ]
    assert found["log-group"].inputs["retentionInDays"] == 7
    role = found["execution-role"].inputs
    assert role["permissionsBoundary"] == (
        "arn:aws:iam::000000000000:policy/showtime-iac-task-boundary"
    )
    assert out.outputs["clusterName"] == "superset-ci"


@pytest.mark.parametrize("shards", [["2"], [{"listenerArn": "a"}], "2", 2])
def test_a_shards_output_that_is_no_mapping_is_refused_the_same_way(shards: Any) -> None:
    with pytest.raises(StackConfigError) as err:
        _shard_value(shards, 2, "listenerArn", "org/proj/shared")
    assert str(err.value) == NO_SHARD.format(stack="org/proj/shared")


def test_a_shard_the_referenced_shared_stack_lacks_is_refused_naming_that_stack() -> None:
    import pulumi

    from showtime_iac.core.stack_config import SharedStackRef
    from showtime_iac.program import RecordingMocks
    from showtime_iac.program.inputs import shared_inputs

    # the mocked shared stack declares shard 0 only
    mocks = RecordingMocks("us-west-2", SharedConfig.offline_default(DOMAIN))
    pulumi.runtime.set_mocks(mocks, preview=False)

    @pulumi.runtime.test  # type: ignore[untyped-decorator]
    def resolve() -> Any:
        ref = SharedStackRef("org/proj/shared", DOMAIN)
        https = shared_inputs(ref, RulePlacement(2, 8)).https
        assert https is not None
        return https.listener_arn

    with pytest.raises(StackConfigError) as err:
        resolve()
    assert str(err.value) == NO_SHARD.format(stack="org/proj/shared")


def test_a_referenced_shared_stack_without_a_boundary_is_refused_naming_that_stack() -> None:
    import pulumi

    from showtime_iac.core.stack_config import SharedStackRef
    from showtime_iac.program import RecordingMocks
    from showtime_iac.program.inputs import shared_inputs

    class BeforeBoundaries(RecordingMocks):
        def _shared_outputs(self) -> dict[str, Any]:
            out = super()._shared_outputs()
            del out["permissionsBoundaryArn"]
            return out

    pulumi.runtime.set_mocks(
        BeforeBoundaries("us-west-2", SharedConfig.offline_default()), preview=False
    )

    @pulumi.runtime.test  # type: ignore[untyped-decorator]
    def resolve() -> Any:
        return shared_inputs(SharedStackRef("org/proj/shared")).permissions_boundary()

    with pytest.raises(StackConfigError) as err:
        resolve()
    assert str(err.value) == (
        "the shared stack org/proj/shared exports no permissionsBoundaryArn (a shared stack "
        "from before permissions boundaries): run its `up` first"
    )


def test_a_plain_https_config_puts_the_rule_at_its_placements_priority() -> None:
    out = evaluate_offline(CFG, SharedConfig.offline_default(DOMAIN), placement=RulePlacement(0, 8))
    (rule,) = [r for r in out.resources if r.name == "host-rule"]
    assert rule.inputs["priority"] == 8
    assert rule.inputs["listenerArn"] == (
        "arn:aws:elasticloadbalancing:us-west-2:000000000000:listener/app/placeholder/0/0"
    )
    assert (rule.tags["showtime:alb-shard"], rule.tags["showtime:rule-priority"]) == ("0", "8")
