"""From stack name and config to the program (program/config.py): which program each stack
runs, with which parts of its config, and the exact refusals (written out)."""

from __future__ import annotations

import pytest

from showtime_iac.core.model import EnvConfig
from showtime_iac.core.routing import RouterConfig
from showtime_iac.core.shards import RulePlacement
from showtime_iac.core.stack_config import (
    BuildConfig,
    SharedConfig,
    StackConfigError,
    to_stack_config,
)
from showtime_iac.program import evaluate_stack_offline
from showtime_iac.program.config import select_program
from tests.program.helpers import DOMAIN, REAL_NET, SECRETS

SHA = "3f08ba3" + "0" * 33
TG = "arn:aws:elasticloadbalancing:us-west-2:000000000000:targetgroup/sti-pr-7-3f08ba3/0123456789abcdef"
PLACEHOLDERS = (
    "placeholder ids subnet-placeholder-a, subnet-placeholder-b, sg-placeholder cannot be "
    "deployed: set showtime-iac:subnetIds and showtime-iac:securityGroupId to real ids"
)
ROUTER = {
    **RouterConfig(7, SHA, TG).to_stack_config(),
    **RulePlacement(0, 8).to_stack_config(),
    "showtime-iac:domain": DOMAIN,
    "showtime-iac:sharedStack": "shared",
}


def test_a_router_stack_runs_the_router_on_its_configured_priority() -> None:
    out = evaluate_stack_offline("pr-7-router", ROUTER)
    (rule,) = [r for r in out.resources if r.type == "aws:lb/listenerRule:ListenerRule"]
    assert (rule.name, rule.inputs["priority"]) == ("pr-rule", 8)
    assert rule.inputs["conditions"] == [{"hostHeader": {"values": ["pr-7.preview.example.org"]}}]
    assert rule.tags["showtime:rule-priority"] == "8"


def test_a_router_stack_holding_another_prs_config_is_refused() -> None:
    with pytest.raises(StackConfigError) as err:
        select_program("pr-8-router", ROUTER)
    assert str(err.value) == "stack pr-8-router holds the router config of PR 7: fix the config"


def test_a_stack_name_of_no_known_kind_is_refused_and_cut_at_80_characters() -> None:
    with pytest.raises(StackConfigError) as err:
        select_program("x" * 100, ROUTER)
    assert str(err.value) == (
        f"stack {'x' * 80!r} is neither 'shared' nor 'pr-{{number}}-{{sha7}}' (nor a router "
        "'pr-{number}-router'): select a stack named like pr-1234-abc1234"
    )


def test_an_environment_stack_holding_another_stacks_config_is_refused() -> None:
    values = {**to_stack_config(EnvConfig(pr=7, sha=SHA)), **REAL_NET, **SECRETS}
    with pytest.raises(StackConfigError) as err:
        select_program("pr-8-3f08ba3", values)
    assert str(err.value) == (
        "stack pr-8-3f08ba3 holds the config of pr-7-3f08ba3 (showtime-iac:pr/sha): "
        "fix the config or select the right stack"
    )


def test_an_environment_stack_builds_with_its_configured_build() -> None:
    build = BuildConfig(context="/abs/superset", dockerfile="d/Dockerfile", target="lean")
    values = {
        **to_stack_config(EnvConfig(pr=7, sha=SHA)),
        **REAL_NET,
        **SECRETS,
        **build.to_stack_config(),
    }
    out = evaluate_stack_offline("pr-7-3f08ba3", values)
    (image,) = [r for r in out.resources if r.name == "image"]
    assert image.inputs["build"] == {
        "context": "/abs/superset",
        "dockerfile": "d/Dockerfile",
        "platform": "linux/amd64",
        "target": "lean",
    }


def test_a_build_without_a_dockerfile_or_target_sends_neither() -> None:
    """The provider's defaults apply (``Dockerfile`` in the context, the last stage): no
    empty value is sent in their place."""
    build = BuildConfig(context="/abs/superset", target=None)
    values = {
        **to_stack_config(EnvConfig(pr=7, sha=SHA)),
        **REAL_NET,
        **SECRETS,
        **build.to_stack_config(),
    }
    out = evaluate_stack_offline("pr-7-3f08ba3", values)
    (image,) = [r for r in out.resources if r.name == "image"]
    assert image.inputs["build"] == {"context": "/abs/superset", "platform": "linux/amd64"}


@pytest.mark.parametrize("stack", ["shared", "pr-7-3f08ba3"])
def test_placeholder_ids_are_refused_for_a_deploy_and_accepted_offline(stack: str) -> None:
    values = {**SharedConfig.offline_default().to_stack_config(), **SECRETS}
    if stack != "shared":
        values |= to_stack_config(EnvConfig(pr=7, sha=SHA))
    assert callable(select_program(stack, values, offline=True))
    with pytest.raises(StackConfigError) as err:
        select_program(stack, values)
    assert str(err.value) == PLACEHOLDERS


def test_pulumi_ups_entry_refuses_placeholder_ids() -> None:
    """``__main__`` calls ``main()`` as is: that is a real deploy, so placeholders are refused
    before any resource is declared (only the offline render passes ``offline=True``)."""
    from showtime_iac.program import RecordingMocks, _evaluate
    from showtime_iac.program.config import main

    values = {
        **SharedConfig.offline_default().to_stack_config(),
        **SECRETS,
        **to_stack_config(EnvConfig(pr=7, sha=SHA)),
    }
    recorder = RecordingMocks("us-west-2", SharedConfig.offline_default())
    with pytest.raises(StackConfigError) as err:
        _evaluate(
            "pr-7-3f08ba3", SharedConfig.offline_default(), main, config=values, mocks=recorder
        )
    assert str(err.value) == PLACEHOLDERS
    assert recorder.recorded == []


def test_the_stack_configs_secrets_are_the_ones_the_secret_holds() -> None:
    """``select_program`` hands the stack's secret config to the environment: the secret's
    value is the configured key and password, not the offline placeholders."""
    import json
    from typing import Any

    import pulumi

    from showtime_iac.program import RecordingMocks

    class RawSecret(RecordingMocks):
        """Keeps the secret version's value as sent (the recording redacts it)."""

        sent: Any = None

        def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> Any:
            if args.typ == "aws:secretsmanager/secretVersion:SecretVersion":
                self.sent = args.inputs["secretString"]
            return super().new_resource(args)

    values = {**to_stack_config(EnvConfig(pr=7, sha=SHA)), **REAL_NET, **SECRETS}
    mocks = RawSecret("us-west-2", SharedConfig.offline_default())
    evaluate_stack_offline("pr-7-3f08ba3", values, mocks=mocks)
    # sent as a secret (Pulumi's wire form: {signature: secret, "value": ...})
    assert set(mocks.sent) == {"4dabf18193072939515e22adb298388d", "value"}
    assert mocks.sent["4dabf18193072939515e22adb298388d"] == "1b47061264138c4ac30d75fd1eb44270"
    # the text itself, keys sorted: another order would be a new secret version (an update)
    # on every existing stack after an upgrade
    assert mocks.sent["value"] == (
        '{"ADMIN_PASSWORD": "SEKRIT-pw-0a1b2c3d4e5f", '
        '"SUPERSET_SECRET_KEY": "SEKRIT-key-9f8e7d6c5b4a39281706f5e4d3c2b1a0"}'
    )
    assert json.loads(mocks.sent["value"]) == {
        "ADMIN_PASSWORD": "SEKRIT-pw-0a1b2c3d4e5f",
        "SUPERSET_SECRET_KEY": "SEKRIT-key-9f8e7d6c5b4a39281706f5e4d3c2b1a0",
    }


def test_all_config_gives_every_value_as_text_and_structured_ones_as_json(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The engine's values are text; a structured value (``PULUMI_CONFIG`` is a JSON object)
    reaches the program as its JSON text, which the config parsers read back."""
    import contextvars

    from pulumi.runtime import config as runtime_config

    from showtime_iac.program.config import all_config

    monkeypatch.setenv(
        "PULUMI_CONFIG",
        '{"showtime-iac:subnetIds": ["subnet-a", "subnet-b"], "showtime-iac:logRetentionDays": 14,'
        ' "showtime-iac:createCluster": true, "showtime-iac:repo": "octo/superset"}',
    )

    def read() -> dict[str, str]:
        runtime_config.set_all_config({"showtime-iac:pr": "7", "aws:region": "eu-west-1"})
        return all_config()

    assert contextvars.Context().run(read) == {
        "showtime-iac:subnetIds": '["subnet-a", "subnet-b"]',
        "showtime-iac:logRetentionDays": "14",
        "showtime-iac:createCluster": "true",
        "showtime-iac:repo": "octo/superset",
        "showtime-iac:pr": "7",
        "aws:region": "eu-west-1",
    }
