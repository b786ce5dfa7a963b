"""A fleet of 300 concurrent environments in HTTPS mode: planned on load-balancer shards
(core.shards), rendered by the real program under Pulumi mocks (the shared stack, every
environment and every router, the shared stack's own outputs answering their StackReferences),
and counted per load balancer against AWS's quotas: 100 target groups (hard), 100 rules
(default). Run with ``-s`` to see the numbers."""

from __future__ import annotations

import functools
import hashlib
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import pytest

from showtime_iac.core.model import EnvConfig
from showtime_iac.core.routing import RouterConfig
from showtime_iac.core.shards import (
    RULES_PER_ALB,
    TARGET_GROUPS_PER_ALB,
    Placement,
    Quotas,
    RulePlacement,
    env_priority,
    place,
    shards_to_declare,
)
from showtime_iac.core.stack_config import SharedConfig, SharedStackRef
from showtime_iac.program import OfflineRender, RecordingMocks, _evaluate, declare_environment
from showtime_iac.program.render import render_shared_offline
from showtime_iac.program.routing import declare_router
from tests.program.helpers import DOMAIN, RULE, TARGET_GROUP

ZONE = "Z0123456789ABCDEFGHIJ"
SHARED = SharedConfig(
    create_cluster=True,
    create_ecr_repository=True,
    create_security_group=True,
    vpc_id="vpc-0123456789abcdef0",
    subnet_ids=("subnet-0123456789abcdef0", "subnet-0fedcba9876543210"),
    domain=DOMAIN,
    hosted_zone_id=ZONE,
)
REF = SharedStackRef("shared", DOMAIN, ZONE)
LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"


@dataclass(frozen=True)
class Env:
    cfg: EnvConfig
    placement: RulePlacement
    active: bool  # the SHA the PR's router points at


def _sha(pr: int, n: int) -> str:
    return hashlib.sha1(f"{pr}/{n}".encode()).hexdigest()


def _plan(prs: int = 250) -> tuple[list[Env], dict[int, Placement]]:
    """300 environments of 250 PRs, placed as the driver places them, PR by PR: one in five
    PRs is rolling (its old SHA serving, the new one prepared or starting), the others run or
    sleep (a sleeping environment keeps its target group and rules)."""
    quotas = Quotas(rules=RULES_PER_ALB)
    placed: dict[int, Placement] = {}
    envs: list[Env] = []
    for i in range(prs):
        pr = 1000 + 37 * i  # PR numbers that are not consecutive
        p = place(pr, placed, shards_to_declare(placed.values()), quotas)
        placed[pr] = p
        used: list[int] = []
        kinds = [("running", True), ("prepared" if i % 10 == 0 else "running", False)]
        if i % 5 != 0:
            kinds = [("sleeping" if i % 5 in (3, 4) else "running", True)]
        for n, (kind, active) in enumerate(kinds):
            priority = env_priority(p, used)
            used.append(priority)
            cfg = EnvConfig(
                pr=pr,
                sha=_sha(pr, n),
                requester="octocat",
                sleeping=kind == "sleeping",
                prepared=kind == "prepared",
            )
            envs.append(Env(cfg, RulePlacement(p.shard, priority), active))
    return envs, placed


class _FleetMocks(RecordingMocks):
    """Mocks whose StackReference answers are the rendered shared stack's own outputs."""

    def __init__(self, shared: SharedConfig, outputs: Mapping[str, Any]) -> None:
        super().__init__(shared.region, shared)
        self._outputs = dict(outputs)

    def _shared_outputs(self) -> dict[str, Any]:
        return dict(self._outputs)


def _render_env(env: Env, shared: SharedConfig, outputs: Mapping[str, Any]) -> OfflineRender:
    return _evaluate(
        env.cfg.stack,
        shared,
        lambda: declare_environment(env.cfg, REF, placement=env.placement).outputs,
        mocks=_FleetMocks(shared, outputs),
    )


@dataclass
class _Load:
    rules: list[int]
    target_groups: set[str]


@functools.cache
def _fleet() -> tuple[OfflineRender, dict[str, _Load], list[OfflineRender], int]:
    envs, placed = _plan()
    shared = replace(SHARED, load_balancer_shards=shards_to_declare(placed.values()))
    shared_render = render_shared_offline(shared)
    outputs = shared_render.outputs
    renders: list[OfflineRender] = []
    for env in envs:
        out = _render_env(env, shared, outputs)
        renders.append(out)
        if env.active:
            slot = Placement.of_priority(env.placement.shard, env.placement.priority or 1)
            router = RouterConfig(
                env.cfg.pr, env.cfg.sha, out.outputs["targetGroupArn"], asleep=env.cfg.sleeping
            )
            renders.append(
                _evaluate(
                    router.stack,
                    shared,
                    functools.partial(
                        declare_router,
                        router,
                        REF,
                        RulePlacement(slot.shard, slot.router_priority),
                    ),
                    mocks=_FleetMocks(shared, outputs),
                )
            )
    load: dict[str, _Load] = defaultdict(lambda: _Load([], set()))
    for out in renders:
        for r in out.resources:
            if r.type == RULE:
                lo = load[r.inputs["listenerArn"]]
                lo.rules.append(r.inputs["priority"])
                for action in r.inputs["actions"]:
                    if action.get("targetGroupArn"):
                        lo.target_groups.add(action["targetGroupArn"])
        if out.outputs.get("targetGroupArn") and "router" not in out.stack:
            rule = next(r for r in out.resources if r.type == RULE)
            load[rule.inputs["listenerArn"]].target_groups.add(out.outputs["targetGroupArn"])
    return shared_render, dict(load), renders, len(envs)


def test_300_environments_stay_within_every_load_balancers_quotas() -> None:
    shared_render, load, renders, n_envs = _fleet()
    assert n_envs == 300
    listeners = {
        v["listenerArn"]: int(k) for k, v in shared_render.outputs["loadBalancerShards"].items()
    }
    albs = [r for r in shared_render.resources if r.type == LOAD_BALANCER]
    # every rule sits on a listener of a load balancer the shared stack declares
    assert set(load) <= set(listeners)
    assert len(albs) == len(listeners) == len(load) == 8  # ceil(250 PRs / 33)
    for arn, lo in load.items():
        assert len(lo.rules) <= RULES_PER_ALB, f"shard {listeners[arn]}: {len(lo.rules)} rules"
        assert len(lo.target_groups) <= TARGET_GROUPS_PER_ALB
        assert len(set(lo.rules)) == len(lo.rules), "two rules with one priority"
        assert all(1 <= p <= Quotas().max_priority for p in lo.rules)
    tgs = sum(1 for out in renders for r in out.resources if r.type == TARGET_GROUP)
    assert tgs == n_envs  # each environment, running, sleeping or prepared, has its own
    fullest = max(load.values(), key=lambda lo: (len(lo.rules), len(lo.target_groups)))
    print(
        f"\nfleet: {n_envs} environments of 250 PRs on {len(load)} ALBs; fullest ALB: "
        f"{len(fullest.target_groups)} target groups, {len(fullest.rules)} rules "
        f"(quotas {TARGET_GROUPS_PER_ALB} and {RULES_PER_ALB})"
    )


def test_a_stack_on_another_shard_adds_its_own_dns_record() -> None:
    shared_render, _load, renders, _n = _fleet()
    records = Counter(
        r.inputs["name"]
        for out in renders
        for r in out.resources
        if r.type == "aws:route53/record:Record"
    )
    zero = {
        v["dnsName"] for k, v in shared_render.outputs["loadBalancerShards"].items() if k == "0"
    }
    for out in renders:
        for r in out.resources:
            if r.type == "aws:route53/record:Record":
                (alias,) = r.inputs["aliases"]
                assert alias["name"] not in zero  # shard 0 is served by *.<domain>
    assert records and max(records.values()) == 1


def test_the_fleets_stacks_validate_against_the_aws_api_models() -> None:
    """The sharded shared stack and a stack of every kind on every shard (rules with their
    priorities, host records) pass botocore's models of ELBv2 and Route 53."""
    from tests.program.aws_models import validate
    from tests.program.test_aws_models import report

    shared_render, _load, renders, _n = _fleet()
    problems = validate(shared_render.resources)
    assert problems == [], report(problems)
    seen: set[tuple[str, str]] = set()
    for out in renders:
        rule = next(r for r in out.resources if r.type == RULE)
        kind = (rule.inputs["listenerArn"], "router" if "router" in out.stack else "env")
        if kind not in seen:
            seen.add(kind)
            problems = validate(out.resources)
            assert problems == [], report(problems)
    assert len(seen) == 16


def test_the_shared_stack_declares_each_shard_and_protects_shard_0_only() -> None:
    out = render_shared_offline(replace(SHARED, load_balancer_shards=(0, 2)))
    albs = {r.name: r for r in out.resources if r.type == LOAD_BALANCER}
    assert {n: r.inputs["name"] for n, r in albs.items()} == {
        "load-balancer": "showtime-iac",  # shard 0: the name it had before shards
        "load-balancer-s2": "showtime-iac-s2",
    }
    assert albs["load-balancer"].protect and not albs["load-balancer-s2"].protect
    listeners = [r for r in out.resources if r.type == "aws:lb/listener:Listener"]
    assert len(listeners) == 4 and all(r.protect == (not r.name.endswith("-s2")) for r in listeners)
    shards = out.outputs["loadBalancerShards"]
    assert set(shards) == {"0", "2"}
    assert shards["0"]["listenerArn"] == out.outputs["httpsListenerArn"]
    wildcard = [r for r in out.resources if r.name == "wildcard-record"]
    assert [w.inputs["aliases"][0]["name"] for w in wildcard] == [shards["0"]["dnsName"]]


def test_a_stack_on_a_shard_the_shared_stack_lacks_is_refused() -> None:
    from showtime_iac.core.stack_config import StackConfigError
    from showtime_iac.program.inputs import _shard_value

    shards = render_shared_offline(SHARED).outputs["loadBalancerShards"]  # shard 0 only
    assert _shard_value(shards, 0, "listenerArn", "shared").startswith("arn:aws:")
    with pytest.raises(StackConfigError, match="declares no load balancer shard 3"):
        _shard_value(shards, 3, "listenerArn", "shared")


def test_a_shard_other_than_0_needs_the_shared_stacks_outputs() -> None:
    from showtime_iac.core.stack_config import StackConfigError

    cfg = EnvConfig(pr=7, sha=_sha(7, 0))
    own = SharedConfig.offline_default(DOMAIN)  # the listener from config: shard 0's only
    with pytest.raises(StackConfigError, match="shard 3 needs showtime-iac:sharedStack"):
        _evaluate(
            cfg.stack,
            own,
            lambda: declare_environment(cfg, own, placement=RulePlacement(3, 11)).outputs,
        )


def test_the_dry_run_of_a_stack_on_another_shard_shows_its_rule_and_record() -> None:
    """``up --dry-run`` (the program run from the stack's config, as ``pulumi up`` does): the
    rule on shard 2's listener with the recorded priority, and the host's own record."""
    from showtime_iac.core.stack_config import to_stack_config
    from showtime_iac.program import evaluate_stack_offline
    from tests.program.helpers import REAL_NET, SECRETS

    cfg = EnvConfig(pr=7, sha=_sha(7, 0))
    values = {
        **to_stack_config(cfg),
        **REAL_NET,
        **SECRETS,
        **RulePlacement(2, 8).to_stack_config(),
        "showtime-iac:sharedStack": "shared",
        "showtime-iac:domain": DOMAIN,
        "showtime-iac:hostedZoneId": ZONE,
    }
    out = evaluate_stack_offline(cfg.stack, values)
    rule = next(r for r in out.resources if r.type == RULE)
    assert rule.inputs["priority"] == 8
    assert rule.tags["showtime:alb-shard"] == "2"
    assert "showtime-iac-s2" in rule.inputs["listenerArn"]
    (record,) = [r for r in out.resources if r.type == "aws:route53/record:Record"]
    assert record.inputs["name"] == f"pr-7-{cfg.sha7}.{DOMAIN}"
    assert record.inputs["zoneId"] == ZONE
