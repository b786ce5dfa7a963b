"""The environment's secret and execution role, pinned where the mutation run (issue 29) found
them unpinned: the secret config reaches the secret unchanged, a missing one is a clear error,
the secret's value and the role's policy are byte-stable JSON (a change would write a new secret
version and a new policy on every live stack), a log group ARN with or without its ``:*`` gives
one log-stream resource, and the logical names and descriptions stay what live stacks hold (a
renamed logical name replaces the secret and the role of every environment)."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from showtime_iac.core.stack_config import SharedConfig, StackConfigError
from showtime_iac.program import render_offline
from showtime_iac.program.access import EnvSecrets, _execution_policy
from showtime_iac.program.mocks import RecordingMocks

from .helpers import ROLE, ROLE_POLICY, SECRET, SECRET_VERSION, SECRETS, by_type, cfg_of

REPO = "arn:aws:ecr:us-west-2:123456789012:repository/superset-ci"
LOG_GROUP_ARN = "arn:aws:logs:us-west-2:123456789012:log-group:/showtime/pr-1234-abc1234"
SECRET_ARN = "arn:aws:secretsmanager:us-west-2:123456789012:secret:sti-pr-1234-abc1234/AbCdEf"

# --------------------------------------------------------------------------- secret config


def test_the_stack_configs_secrets_are_the_ones_the_environment_gets() -> None:
    got = EnvSecrets.from_stack_config(SECRETS, offline=False)
    assert got.secret_key == "SEKRIT-key-9f8e7d6c5b4a39281706f5e4d3c2b1a0"
    assert got.admin_password == "SEKRIT-pw-0a1b2c3d4e5f"
    assert not got.placeholder
    # offline, real config still wins over the placeholders
    got = EnvSecrets.from_stack_config(SECRETS, offline=True)
    assert (got.secret_key, got.admin_password) == (
        "SEKRIT-key-9f8e7d6c5b4a39281706f5e4d3c2b1a0",
        "SEKRIT-pw-0a1b2c3d4e5f",
    )


def test_missing_secret_config_names_every_missing_key_and_how_to_set_it() -> None:
    with pytest.raises(StackConfigError) as err:
        EnvSecrets.from_stack_config({}, offline=False)
    assert str(err.value) == (
        "missing secret config showtime-iac:secretKey, showtime-iac:adminPassword: "
        "`showtime-iac up` generates it when it creates the stack "
        "(or set it with `pulumi config set --secret`)"
    )
    only_key = {"showtime-iac:secretKey": "k"}
    with pytest.raises(
        StackConfigError, match=r"^missing secret config showtime-iac:adminPassword:"
    ):
        EnvSecrets.from_stack_config(only_key, offline=False)


# --------------------------------------------------------------------------- the secret's value


def test_the_secrets_value_is_a_pulumi_secret_of_sorted_json() -> None:
    """Exactly this string: the container reads both keys; another serialisation would write
    a new secret version on every live stack."""
    pulumi.runtime.set_mocks(
        RecordingMocks("us-west-2", SharedConfig.offline_default()), preview=False
    )
    got: list[Any] = []

    @pulumi.runtime.test  # type: ignore[untyped-decorator]
    def resolve() -> pulumi.Output[None]:
        out = EnvSecrets("the-key", "the-password").secret_string()
        return pulumi.Output.all(out, out.is_secret()).apply(got.extend)

    resolve()
    assert got == ['{"ADMIN_PASSWORD": "the-password", "SUPERSET_SECRET_KEY": "the-key"}', True]


# --------------------------------------------------------------------------- the role's policy


def test_the_execution_policy_is_byte_stable_sorted_json() -> None:
    assert _execution_policy([REPO, REPO], LOG_GROUP_ARN, SECRET_ARN) == (
        '{"Statement": ['
        '{"Action": "ecr:GetAuthorizationToken", "Effect": "Allow", "Resource": "*", '
        '"Sid": "EcrAuth"}, '
        '{"Action": ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", '
        '"ecr:BatchGetImage"], "Effect": "Allow", '
        '"Resource": ["arn:aws:ecr:us-west-2:123456789012:repository/superset-ci"], '
        '"Sid": "EcrPull"}, '
        '{"Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Effect": "Allow", '
        '"Resource": "arn:aws:logs:us-west-2:123456789012:log-group:/showtime/pr-1234-abc1234:*", '
        '"Sid": "Logs"}, '
        '{"Action": "secretsmanager:GetSecretValue", "Effect": "Allow", '
        '"Resource": "arn:aws:secretsmanager:us-west-2:123456789012:secret:'
        'sti-pr-1234-abc1234/AbCdEf", "Sid": "OwnSecret"}], '
        '"Version": "2012-10-17"}'
    )


def test_a_log_group_arn_with_its_wildcard_suffix_gives_the_same_log_streams() -> None:
    """AWS reports a log group's ARN with ``:*`` in some APIs and without in others; the
    policy names the group's streams once, never ``...:*:*``."""
    import json

    for arn in (LOG_GROUP_ARN, LOG_GROUP_ARN + ":*"):
        statements = json.loads(_execution_policy([REPO], arn, SECRET_ARN))["Statement"]
        (logs,) = [s for s in statements if s["Sid"] == "Logs"]
        assert logs["Resource"] == (
            "arn:aws:logs:us-west-2:123456789012:log-group:/showtime/pr-1234-abc1234:*"
        )


# --------------------------------------------------------------------------- names live stacks hold


def test_logical_names_and_descriptions_are_the_ones_live_stacks_hold() -> None:
    res = by_type(render_offline(cfg_of()))
    assert {t: res[t].name for t in (SECRET, SECRET_VERSION, ROLE, ROLE_POLICY)} == {
        SECRET: "superset-secret",
        SECRET_VERSION: "superset-secret-value",
        ROLE: "execution-role",
        ROLE_POLICY: "execution-role-policy",
    }
    assert res[SECRET].inputs["description"] == (
        "showtime-iac pr-1234-abc1234: Superset SECRET_KEY and admin password"
    )
    assert res[ROLE].inputs["description"] == (
        "showtime-iac pr-1234-abc1234: pull its image, write its logs, read its secret"
    )
