"""The offline render's entry points (program/render.py): which shared values each one uses,
the shard a stack's config names, and the warnings a dry run prints, written out."""

from __future__ import annotations

from showtime_iac.core.model import EnvConfig
from showtime_iac.core.routing import RouterConfig
from showtime_iac.core.shards import RulePlacement
from showtime_iac.core.stack_config import SharedStackRef, to_stack_config
from showtime_iac.program import evaluate_offline, evaluate_stack_offline, render_shared_offline
from showtime_iac.program.render import evaluate_router_offline
from tests.program.helpers import REAL_NET, SECRETS

SHA = "3f08ba3" + "0" * 33
CFG = EnvConfig(pr=7, sha=SHA)
DOMAIN = "preview.example.org"
TG = "arn:aws:elasticloadbalancing:us-west-2:000000000000:targetgroup/sti-pr-7-3f08ba3/0123456789abcdef"
ACCOUNT = (
    "placeholder AWS account 000000000000 in every ARN and the registry: the real one is your "
    "credentials' account"
)
DIGEST = (
    "made-up image digest (sha256 of the resource name): the real one is the build's, at "
    "deploy time"
)
SECRET = (
    "placeholder SECRET_KEY and admin password: `up` generates real ones once, when it creates "
    "the stack"
)
ON_SHARD_3 = {
    **to_stack_config(CFG),
    **REAL_NET,
    "showtime-iac:domain": DOMAIN,
    "showtime-iac:sharedStack": "shared",
    **RulePlacement(3, 9).to_stack_config(),
}


def test_a_stack_config_on_shard_3_renders_in_https_mode_on_shard_3s_listener() -> None:
    out = evaluate_stack_offline(CFG.stack, ON_SHARD_3)
    assert out.stack == "pr-7-3f08ba3"
    assert out.outputs["addressMode"] == "https"
    (rule,) = [r for r in out.resources if r.name == "host-rule"]
    assert rule.inputs["listenerArn"].startswith(
        "arn:aws:elasticloadbalancing:us-west-2:000000000000:listener/app/showtime-iac-s3/"
    )
    assert rule.inputs["priority"] == 9
    # no secrets in the config: the render says the secret values are placeholders
    assert out.warnings == (ACCOUNT, DIGEST, SECRET)
    assert out.placeholders == ()


def test_real_secrets_in_the_config_leave_no_secret_warning() -> None:
    out = evaluate_stack_offline(CFG.stack, {**ON_SHARD_3, **SECRETS})
    assert out.warnings == (ACCOUNT, DIGEST)


def test_the_shared_stack_renders_under_its_own_name_with_no_secret_warning() -> None:
    out = render_shared_offline()
    assert out.stack == "shared"
    assert out.warnings == (
        "placeholder id subnet-placeholder-a: set the real one in the shared stack's config",
        "placeholder id subnet-placeholder-b: set the real one in the shared stack's config",
        "placeholder id sg-placeholder: set the real one in the shared stack's config",
        ACCOUNT,
    )
    values = {**to_stack_config(CFG), **REAL_NET}
    shared_values = {k: v for k, v in values.items() if k != "showtime-iac:pr"}
    assert evaluate_stack_offline("shared", shared_values).stack == "shared"


def test_an_environment_of_a_shared_stack_reference_with_a_domain_renders_in_https_mode() -> None:
    out = evaluate_offline(CFG, SharedStackRef("shared", DOMAIN))
    assert out.outputs["addressMode"] == "https"
    assert out.resources[0].name == "shared"  # the StackReference is read first
    assert out.placeholders == (
        "subnet-placeholder-a",
        "subnet-placeholder-b",
        "sg-placeholder",
        "vpc-placeholder",
        "sg-placeholder-alb",
        "arn:aws:elasticloadbalancing:us-west-2:000000000000:listener/app/placeholder/0/0",
    )
    assert evaluate_offline(CFG).outputs["addressMode"] == "public-ip"


def test_a_router_of_a_shared_stack_reference_reads_it_and_keeps_its_priority() -> None:
    out = evaluate_router_offline(
        RouterConfig(7, SHA, TG), SharedStackRef("shared", DOMAIN), RulePlacement(0, 5)
    )
    assert out.stack == "pr-7-router"
    assert [(r.type, r.name) for r in out.resources] == [
        ("pulumi:pulumi:StackReference", "shared"),
        ("aws:lb/listenerRule:ListenerRule", "pr-rule"),
    ]
    assert out.resources[1].inputs["priority"] == 5


def test_a_render_that_raises_inside_an_apply_leaves_the_next_render_working() -> None:
    """The mocks share one set of pending outputs between evaluations; an error raised inside
    an apply (a shard the shared stack does not declare) left that evaluation's tasks there,
    and every later render in the process failed with "Event loop is closed"."""
    import pytest

    from showtime_iac.core.stack_config import StackConfigError

    router = RouterConfig(pr=7, sha=SHA, target_group_arn=TG)
    with pytest.raises(StackConfigError, match="declares no load balancer shard 3"):
        evaluate_router_offline(router, SharedStackRef(domain=DOMAIN), RulePlacement(3, 11))
    out = evaluate_router_offline(router, SharedStackRef(domain=DOMAIN), RulePlacement(0, 11))
    assert [(r.type, r.name) for r in out.resources] == [
        ("pulumi:pulumi:StackReference", "shared"),
        ("aws:lb/listenerRule:ListenerRule", "pr-rule"),
    ]


def test_the_shared_stack_with_no_secrets_in_its_config_has_no_secret_warning() -> None:
    """The shared stack holds no environment's secrets, so none is a placeholder."""
    values = {**to_stack_config(CFG), **REAL_NET}
    shared_values = {k: v for k, v in values.items() if k != "showtime-iac:pr"}
    assert evaluate_stack_offline("shared", shared_values).warnings == (ACCOUNT,)


def test_an_environment_config_the_shared_parser_refuses_renders_against_the_domain() -> None:
    """An environment stack reads the shared stack through its reference: a shared-level value
    in its own config that the shared parser refuses (``subnetIds`` not JSON) is not its
    concern, and the mocked shared stack still answers in HTTPS mode for its domain."""
    values = {
        **to_stack_config(CFG),
        "showtime-iac:domain": DOMAIN,
        "showtime-iac:sharedStack": "shared",
        "showtime-iac:subnetIds": "nope",
    }
    out = evaluate_stack_offline(CFG.stack, values)
    assert (out.outputs["addressMode"], out.outputs["url"]) == (
        "https",
        "https://pr-7-3f08ba3.preview.example.org",
    )
    (rule,) = [r for r in out.resources if r.name == "host-rule"]
    assert rule.inputs["listenerArn"] == (
        "arn:aws:elasticloadbalancing:us-west-2:000000000000:listener/app/placeholder/0/0"
    )


def test_a_config_the_program_refuses_is_its_own_error() -> None:
    import pytest

    from showtime_iac.core.stack_config import StackConfigError

    values = {**to_stack_config(CFG), **REAL_NET, "showtime-iac:albCount": "2"}
    with pytest.raises(StackConfigError) as err:
        evaluate_stack_offline(CFG.stack, values)
    assert str(err.value).startswith(
        "unknown config key 'showtime-iac:albCount': known keys are adminPassword, "
    )


def test_the_callers_mocks_record_the_render() -> None:
    from showtime_iac.core.stack_config import SharedConfig
    from showtime_iac.program import RecordingMocks

    mocks = RecordingMocks("us-west-2", SharedConfig.offline_default())
    out = evaluate_stack_offline(
        CFG.stack, {**to_stack_config(CFG), **REAL_NET, **SECRETS}, mocks=mocks
    )
    recorded = sorted((r.type, r.name) for r in mocks.recorded)
    assert recorded == sorted((r.type, r.name) for r in out.resources)
    assert len(out.resources) == 8


def test_a_router_without_a_shared_stack_is_refused_for_want_of_a_domain() -> None:
    import pytest

    from showtime_iac.core.stack_config import StackConfigError

    with pytest.raises(StackConfigError) as err:
        evaluate_router_offline(RouterConfig(7, SHA, TG))
    assert str(err.value) == (
        "a router needs showtime-iac:domain and showtime-iac:httpsListenerArn "
        "(or showtime-iac:sharedStack)"
    )


def test_a_render_is_an_update_of_the_config_given_leaving_the_loop_policy_as_it_was() -> None:
    """The program runs as ``pulumi up`` runs it (not a preview: ``is_dry_run()`` is False),
    ``pulumi.Config`` reads the config passed, a program that only exports has its exports as
    the outputs, and the process's asyncio event-loop policy is the same object afterwards."""
    import asyncio

    import pulumi

    from showtime_iac.core.stack_config import SharedConfig
    from showtime_iac.program import _evaluate

    seen: dict[str, object] = {}

    def program() -> None:
        seen["dry_run"] = pulumi.runtime.is_dry_run()
        config = pulumi.Config("showtime-iac")
        seen["size"] = config.get("size")
        seen["missing"] = config.get("missing")
        pulumi.export("size", config.require("size"))

    before = asyncio.get_event_loop_policy()
    out = _evaluate(
        "pr-7-abc1234",
        SharedConfig.offline_default(),
        program,
        config={"showtime-iac:size": "small"},
    )
    assert asyncio.get_event_loop_policy() is before
    assert seen == {"dry_run": False, "size": "small", "missing": None}
    assert out.outputs == {"size": "small"}
