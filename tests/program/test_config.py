"""program.config: stack name + stack config → the program that ``pulumi up`` runs."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from showtime_iac import program
from showtime_iac.core.model import InputError, resource_tags
from showtime_iac.core.stack_config import (
    SharedConfig,
    SharedStackRef,
    StackConfigError,
    to_stack_config,
)
from showtime_iac.program import (
    MOCK_ACCOUNT,
    RecordingMocks,
    evaluate_offline,
    evaluate_stack_offline,
    render,
)
from tests.program.helpers import (
    DOMAIN,
    ENV_TYPES,
    HTTPS_EXTRA,
    IMAGE,
    RULE,
    SECRETS,
    SERVICE,
    TASK_DEF,
    by_type,
    cfg_of,
    env_values,
    stack_file,
)

# --------------------------------------------------------------------------- config → program


def test_main_evaluates_an_environment_from_its_stack_config() -> None:
    cfg = cfg_of(size="small", flags=(("ALERTS", True),))
    out = evaluate_stack_offline(cfg.stack, env_values(cfg))
    res = by_type(out.resources)
    assert set(res) == ENV_TYPES
    assert res[TASK_DEF].inputs["memory"] == "2048"
    assert res[TASK_DEF].container_env()["SUPERSET_FEATURE_ALERTS"] == "True"
    assert res[SERVICE].inputs["networkConfiguration"]["securityGroups"] == ["sg-0123456789abcdef0"]
    assert res[SERVICE].tags == resource_tags(cfg)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"showtime-iac:size": "huge"}, "unknown size"),
        ({"showtime-iac:flags": '{"not-a-flag": true}'}, "invalid feature flag"),
        ({"showtime-iac:sha": "zzzzzzz"}, "hex"),
    ],
)
def test_invalid_config_fails_before_any_resource_is_declared(
    override: dict[str, str], message: str
) -> None:
    cfg = cfg_of()
    values = {**env_values(cfg), **override}
    recorder = RecordingMocks("us-west-2", SharedConfig.offline_default())
    with pytest.raises(InputError, match=message):
        evaluate_stack_offline(cfg.stack, values, mocks=recorder)
    assert recorder.recorded == []


def test_stack_name_must_match_its_config() -> None:
    cfg = cfg_of()
    with pytest.raises(StackConfigError, match="holds the config of pr-1234-abc1234"):
        evaluate_stack_offline("pr-99-abc1234", env_values(cfg))


@pytest.mark.parametrize("stack", ["dev", "pr-1234", "pr-1234-ABC1234", "production"])
def test_any_other_stack_is_a_clear_error(stack: str) -> None:
    recorder = RecordingMocks("us-west-2", SharedConfig.offline_default())
    with pytest.raises(StackConfigError, match="neither 'shared' nor 'pr-"):
        evaluate_stack_offline(stack, {}, mocks=recorder)
    assert recorder.recorded == []


def test_a_real_run_refuses_placeholder_ids() -> None:
    cfg = cfg_of()
    values = {
        **to_stack_config(cfg),
        **SharedConfig.offline_default().to_stack_config(),
    }
    with pytest.raises(StackConfigError, match="placeholder ids"):
        program.select_program(cfg.stack, values)
    program.select_program(cfg.stack, values, offline=True)  # the render accepts them


def test_shared_stack_reference_supplies_the_shared_values() -> None:
    cfg = cfg_of()
    out = evaluate_offline(cfg, SharedStackRef("org/showtime-iac/shared"))
    types = [r.type for r in out.resources]
    assert types[0] == "pulumi:pulumi:StackReference"
    ref = out.resources[0]
    assert ref.inputs["name"] == "org/showtime-iac/shared"
    svc = by_type(out.resources[1:])[SERVICE]
    assert svc.inputs["cluster"] == f"arn:aws:ecs:us-west-2:{MOCK_ACCOUNT}:cluster/superset-ci"
    assert (
        by_type(out.resources[1:])[IMAGE]
        .inputs["imageName"]
        .startswith(f"{MOCK_ACCOUNT}.dkr.ecr.us-west-2.amazonaws.com/superset-ci:")
    )


def test_environment_from_config_uses_the_stack_reference_when_named() -> None:
    cfg = cfg_of()
    values = {**to_stack_config(cfg), "showtime-iac:sharedStack": "shared"}
    types = {r.type for r in evaluate_stack_offline(cfg.stack, values).resources}
    assert "pulumi:pulumi:StackReference" in types


def test_pulumi_entry_runs_the_program_for_the_stack(monkeypatch: pytest.MonkeyPatch) -> None:
    entry = Path(program.__file__).parent / "__main__.py"
    cfg = cfg_of()
    from showtime_iac import program as prog_module

    seen: list[str] = []
    real_main = prog_module.main

    def spy(*, offline: bool = False) -> None:
        seen.append("main")
        real_main(offline=True)

    monkeypatch.setattr(prog_module, "main", spy)
    out = render._evaluate(
        cfg.stack,
        SharedConfig.offline_default(),
        lambda: runpy.run_path(str(entry)) and None,
        config=env_values(cfg),
    )
    assert seen == ["main"]
    assert {r.type for r in out.resources} == ENV_TYPES


def test_example_environment_stack_config_evaluates() -> None:
    values = stack_file("example-env-stack.yaml")
    out = evaluate_stack_offline("pr-1234-abc1234", values)
    assert {r.type for r in out.resources} == ENV_TYPES


def test_no_program_module_is_named_like_a_top_level_module() -> None:
    """Pulumi's Python host runs ``program/`` with it on ``sys.path``: a ``program/secrets.py``
    would shadow the standard library's ``secrets`` for everything the program imports."""
    import importlib.metadata
    import sys

    folder = Path(program.__file__).parent
    ours = {p.stem for p in folder.glob("*.py")} - {"__init__", "__main__"}
    top_level = set(sys.stdlib_module_names)
    for names in importlib.metadata.packages_distributions():
        top_level.add(names)
    clash = sorted(ours & top_level)
    assert clash == [], f"rename these program modules: {clash}"
    assert "secrets" in top_level and "pulumi" in top_level  # the check sees real names


# --------------------------------------------------------------------------- secrets, router


def test_a_real_run_needs_the_generated_secrets_in_the_stack_config() -> None:
    cfg = cfg_of()
    values = {k: v for k, v in env_values(cfg).items() if k not in SECRETS}
    with pytest.raises(StackConfigError, match="showtime-iac:secretKey"):
        program.select_program(cfg.stack, values)
    program.select_program(cfg.stack, values, offline=True)  # the render uses placeholders
    program.select_program(cfg.stack, env_values(cfg))  # with them: fine


def test_an_environment_naming_a_domain_is_declared_in_https_mode() -> None:
    cfg = cfg_of()
    values = {
        **to_stack_config(cfg),
        **SECRETS,
        "showtime-iac:sharedStack": "shared",
        "showtime-iac:domain": DOMAIN,
    }
    out = evaluate_stack_offline(cfg.stack, values)
    types = {r.type for r in out.resources}
    assert types == ENV_TYPES | HTTPS_EXTRA | {"pulumi:pulumi:StackReference"}
    assert out.outputs["prUrl"] == f"https://pr-1234.{DOMAIN}"


ROUTER_VALUES = {
    "showtime-iac:pr": "1234",
    "showtime-iac:sha": "abc1234",
    "showtime-iac:targetGroupArn": (
        "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/sti-pr-1234-abc1234/"
        "0123456789abcdef"
    ),
    "showtime-iac:sharedStack": "shared",
    "showtime-iac:domain": DOMAIN,
    "aws:region": "us-west-2",
}


def test_the_router_stack_owns_the_prs_host_rule_only() -> None:
    out = evaluate_stack_offline("pr-1234-router", ROUTER_VALUES)
    types = [r.type for r in out.resources]
    assert types == ["pulumi:pulumi:StackReference", RULE]
    rule = out.resources[1]
    assert rule.inputs["conditions"] == [{"hostHeader": {"values": [f"pr-1234.{DOMAIN}"]}}]
    assert rule.inputs["actions"] == [
        {"type": "forward", "targetGroupArn": ROUTER_VALUES["showtime-iac:targetGroupArn"]}
    ]
    assert rule.tags["showtime:role"] == "router"
    assert (rule.tags["showtime:pr"], rule.tags["showtime:sha"]) == ("1234", "abc1234")
    assert out.outputs["url"] == f"https://pr-1234.{DOMAIN}"
    assert out.outputs["sha"] == "abc1234"


def test_asleep_the_prs_host_answers_a_wake_page_and_awake_it_forwards_again() -> None:
    """The router's rule while its environment sleeps: a 503 page that says how to wake it,
    valid for ELB's API model (body ≤1024, status pattern, content type enum); the wake's
    config (merged into the stack's) forwards to the target group again, in the same rule."""
    from showtime_iac.core.routing import RouterConfig
    from tests.program.aws_models import validate

    stored = {**ROUTER_VALUES, **RouterConfig.from_stack_config(ROUTER_VALUES).to_stack_config()}
    asleep = {**stored, "showtime-iac:asleep": "true"}
    out = evaluate_stack_offline("pr-1234-router", asleep)
    rule = out.resources[1]
    [action] = rule.inputs["actions"]
    assert action["type"] == "fixed-response"
    fixed = action["fixedResponse"]
    assert (fixed["statusCode"], fixed["contentType"]) == ("503", "text/html")
    assert "/showtime wake" in fixed["messageBody"]
    assert "https://github.com/apache/superset/pull/1234" in fixed["messageBody"]
    assert rule.inputs["conditions"] == [{"hostHeader": {"values": [f"pr-1234.{DOMAIN}"]}}]
    assert validate(out.resources) == []
    awake = {**asleep, **RouterConfig.from_stack_config(ROUTER_VALUES).to_stack_config()}
    [action] = evaluate_stack_offline("pr-1234-router", awake).resources[1].inputs["actions"]
    assert action == {
        "type": "forward",
        "targetGroupArn": ROUTER_VALUES["showtime-iac:targetGroupArn"],
    }


@given(
    st.integers(1, 9_999_999_999),
    st.from_regex(r"[A-Za-z0-9_.-]{1,39}/[A-Za-z0-9_.-]{1,100}", fullmatch=True),
)
def test_the_asleep_page_fits_elb_and_carries_no_markup_of_anyone(pr: int, repo: str) -> None:
    from showtime_iac.core.routing import ASLEEP_PAGE_LIMIT, asleep_page

    page = asleep_page(pr, repo)
    assert len(page.encode()) <= ASLEEP_PAGE_LIMIT
    # the only variable parts are a number and a validated OWNER/NAME: no markup can enter
    assert page.count("<") == asleep_page(1, "a/b").count("<")


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"showtime-iac:asleep": "yes"}, "showtime-iac:asleep must be true or false"),
        ({"showtime-iac:repo": "<script>/x"}, "invalid repository"),
        ({"showtime-iac:pr": "99"}, "router config of PR 99"),
        ({"showtime-iac:targetGroupArn": "arn:aws:ecs:x"}, "invalid target group ARN"),
        ({"showtime-iac:domain": ""}, "needs showtime-iac:domain"),
    ],
)
def test_a_router_with_bad_config_declares_nothing(override: dict[str, str], message: str) -> None:
    recorder = RecordingMocks("us-west-2", SharedConfig.offline_default())
    values = {k: v for k, v in {**ROUTER_VALUES, **override}.items() if v}
    with pytest.raises(StackConfigError, match=message):
        evaluate_stack_offline("pr-1234-router", values, mocks=recorder)
    assert recorder.recorded == []


def test_the_shared_stack_in_https_mode_needs_a_certificate_and_two_subnets() -> None:
    base = {
        "showtime-iac:domain": DOMAIN,
        "showtime-iac:vpcId": "vpc-0123456789abcdef0",
        "showtime-iac:securityGroupId": "sg-0123456789abcdef0",
        "showtime-iac:subnetIds": '["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]',
    }
    with pytest.raises(StackConfigError, match="certificateArn"):
        program.select_program("shared", base)
    one_subnet = {
        **base,
        "showtime-iac:certificateArn": "arn:aws:acm:us-west-2:123456789012:certificate/abc",
        "showtime-iac:subnetIds": '["subnet-0123456789abcdef0"]',
    }
    with pytest.raises(StackConfigError, match="two availability zones"):
        program.select_program("shared", one_subnet)
    program.select_program(
        "shared", {**one_subnet, "showtime-iac:subnetIds": base["showtime-iac:subnetIds"]}
    )


def test_the_asleep_page_and_the_comment_say_a_wake_does_not_keep_what_was_made() -> None:
    """The metadata database lives on the task's disk: a wake starts afresh from the image.
    Nothing may promise a reviewer that their charts survive a sleep."""
    from datetime import UTC, datetime

    from showtime_iac.core import labels as L
    from showtime_iac.core.comment import status_comment
    from showtime_iac.core.routing import asleep_page

    page = asleep_page(1234, "apache/superset")
    assert "its data" not in page
    assert "users, charts and dashboards made in it are not kept" in page
    labels = ["🎪 abc1234 🚦 sleeping", "🎪 🎯 abc1234", "🎪 abc1234 📅 2026-01-15T10-00"]
    now = datetime(2026, 1, 15, 14, 30, tzinfo=UTC)
    text = status_comment(1234, L.parse_state(labels), now)
    assert "afresh from its image: what was made in it is not kept" in text
