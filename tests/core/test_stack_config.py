"""stack_config: EnvConfig/SharedConfig/BuildConfig ↔ Pulumi stack config, strict both ways."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from showtime_iac.core.model import SIZES, EnvConfig, InputError, Ttl
from showtime_iac.core.stack_config import (
    ENV_KEYS,
    SHARED_KEYS,
    BuildConfig,
    SharedConfig,
    SharedStackRef,
    StackConfigError,
    from_stack_config,
    key,
    shared_source,
    to_stack_config,
)

SHA = "abc1234def5678abc1234def5678abc1234def56"

flag_names = st.from_regex(r"[A-Z][A-Z0-9_]{0,20}", fullmatch=True)
env_configs = st.builds(
    EnvConfig,
    pr=st.integers(1, 9_999_999_999),
    sha=st.text("0123456789abcdef", min_size=7, max_size=40),
    repo=st.sampled_from(["apache/superset", "me/superset-fork", "a.b/c_d-e"]),
    size=st.sampled_from(SIZES),
    flags=st.dictionaries(flag_names, st.booleans(), max_size=5).map(lambda d: tuple(d.items())),
    debug=st.booleans(),
    examples=st.booleans(),
    cache_redis=st.booleans(),
    image=st.none() | st.just("123.dkr.ecr.us-west-2.amazonaws.com/superset-ci:pr-1-abc1234-ci"),
    ttl=st.sampled_from(["24h", "48h", "7d", "1w", "close", "manual"]).map(Ttl),
    requester=st.sampled_from(["unknown", "octocat", "dependabot[bot]", "a-b"]),
    created=st.none()
    | st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
    ),
)


@given(env_configs)
def test_env_config_round_trips(cfg: EnvConfig) -> None:
    values = to_stack_config(cfg)
    assert all(isinstance(v, str) for v in values.values())
    assert all(k.startswith("showtime-iac:") for k in values)
    assert from_stack_config(values) == cfg


def test_to_stack_config_keys_and_values() -> None:
    cfg = EnvConfig(pr=1234, sha=SHA, size="large", flags=(("ALERTS", True), ("X", False)))
    values = to_stack_config(cfg)
    assert values["showtime-iac:pr"] == "1234"
    assert values["showtime-iac:sha"] == SHA
    assert values["showtime-iac:size"] == "large"
    assert json.loads(values["showtime-iac:flags"]) == {"ALERTS": True, "X": False}
    assert "showtime-iac:image" not in values  # unset → default
    assert set(values) <= {key(k) for k in ENV_KEYS}


def test_defaults_apply_for_absent_keys() -> None:
    cfg = from_stack_config({"showtime-iac:pr": "7", "showtime-iac:sha": "abcdef0"})
    assert cfg == EnvConfig(pr=7, sha="abcdef0")


def test_other_namespaces_are_ignored() -> None:
    cfg = from_stack_config(
        {"showtime-iac:pr": "7", "showtime-iac:sha": "abcdef0", "aws:region": "eu-west-1"}
    )
    assert cfg.pr == 7


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"showtime-iac:size": "huge"}, "unknown size 'huge'"),
        ({"showtime-iac:flags": '{"bad-flag": true}'}, "invalid feature flag 'bad-flag'"),
        ({"showtime-iac:flags": '{"lower": true}'}, "invalid feature flag 'lower'"),
        ({"showtime-iac:flags": '{"A": "yes"}'}, "JSON object of flag"),
        ({"showtime-iac:flags": '["A"]'}, "JSON object of flag"),
        ({"showtime-iac:flags": '{"A": true, "A": false}'}, "names 'A' twice"),
        ({"showtime-iac:flags": "{not json"}, "not valid JSON"),
        ({"showtime-iac:sha": "xyz1234"}, "7 to 40 lowercase hex"),
        ({"showtime-iac:sha": "ABC1234"}, "7 to 40 lowercase hex"),
        ({"showtime-iac:sha": "abc12"}, "7 to 40 lowercase hex"),
        ({"showtime-iac:pr": "-1"}, "positive integer"),
        ({"showtime-iac:pr": "007"}, "positive integer"),
        ({"showtime-iac:pr": "12a"}, "positive integer"),
        ({"showtime-iac:debug": "yes"}, "must be true or false"),
        ({"showtime-iac:ttl": "forever"}, "invalid TTL"),
        ({"showtime-iac:created": "yesterday"}, "ISO 8601"),
        ({"showtime-iac:requester": "-bad-"}, "invalid GitHub login"),
        ({"showtime-iac:sizee": "large"}, "unknown config key 'showtime-iac:sizee'"),
    ],
)
def test_invalid_values_raise_input_error(override: dict[str, str], message: str) -> None:
    values = {"showtime-iac:pr": "12", "showtime-iac:sha": "abcdef0", **override}
    with pytest.raises(InputError, match=message) as info:
        from_stack_config(values)
    assert info.value.exit_code == 2


def test_missing_pr_and_sha_say_what_to_do() -> None:
    with pytest.raises(StackConfigError, match=r"missing stack config showtime-iac:pr and .*sha"):
        from_stack_config({})


# --------------------------------------------------------------------------- shared

subnet_ids = st.lists(st.from_regex(r"subnet-[0-9a-f]{8,17}", fullmatch=True), max_size=3)
shared_configs = st.builds(
    SharedConfig,
    region=st.sampled_from(["us-west-2", "eu-central-1", "ap-southeast-2"]),
    cluster_name=st.from_regex(r"[A-Za-z0-9_-]{1,40}", fullmatch=True),
    cluster_arn=st.none() | st.just("arn:aws:ecs:us-west-2:123456789012:cluster/superset-ci"),
    ecr_repository_name=st.sampled_from(["superset-ci", "showtime/superset", "a.b_c"]),
    ecr_repository_url=st.none()
    | st.just("123456789012.dkr.ecr.us-west-2.amazonaws.com/superset-ci"),
    execution_role_arn=st.none() | st.just("arn:aws:iam::123456789012:role/exec"),
    security_group_id=st.none() | st.from_regex(r"sg-[0-9a-f]{8,17}", fullmatch=True),
    subnet_ids=subnet_ids.map(tuple),
    log_retention_days=st.sampled_from([1, 7, 14, 30, 365]),
    pr_image_max_age_days=st.integers(1, 3650),
    create_cluster=st.booleans(),
    create_ecr_repository=st.booleans(),
    create_execution_role=st.booleans(),
    ecr_lifecycle_policy=st.booleans(),
    domain=st.none() | st.sampled_from(["preview.example.org", "pr.superset.dev"]),
    certificate_arn=st.none() | st.just("arn:aws:acm:us-west-2:123456789012:certificate/abc"),
    hosted_zone_id=st.none() | st.from_regex(r"Z[A-Z0-9]{10,20}", fullmatch=True),
    load_balancer_name=st.from_regex(r"[a-z][a-z0-9-]{0,20}[a-z0-9]", fullmatch=True),
    https_listener_arn=st.none()
    | st.just("arn:aws:elasticloadbalancing:us-west-2:123456789012:listener/app/x/0/1"),
    alb_security_group_id=st.none() | st.from_regex(r"sg-[0-9a-f]{8,17}", fullmatch=True),
    permissions_boundary_name=st.from_regex(r"[A-Za-z0-9+=,.@_-]{1,40}", fullmatch=True),
    permissions_boundary_arn=st.none()
    | st.just("arn:aws:iam::123456789012:policy/org/showtime-boundary"),
    alb_deletion_protection=st.booleans(),
    alb_access_logs_bucket=st.none()
    | st.from_regex(r"[a-z0-9][a-z0-9-]{1,20}[a-z0-9]", fullmatch=True),
    alb_access_logs_prefix=st.none(),
)


@given(shared_configs)
def test_shared_config_round_trips(shared: SharedConfig) -> None:
    values = shared.to_stack_config()
    assert values["aws:region"] == shared.region
    assert SharedConfig.from_stack_config(values) == shared


def test_shared_defaults_are_the_originals_setup() -> None:
    shared = SharedConfig.from_stack_config({})
    assert shared.cluster_name == "superset-ci"
    assert shared.ecr_repository_name == "superset-ci"
    assert shared.region == "us-west-2"
    assert not (shared.create_cluster or shared.create_ecr_repository)
    assert set(SHARED_KEYS) >= {"clusterName", "ecrRepositoryName", "subnetIds"}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"showtime-iac:logRetentionDays": "10"}, "log retention 10 days"),
        ({"showtime-iac:logRetentionDays": "a week"}, "whole number"),
        ({"showtime-iac:subnetIds": '["subnet-1", 3]'}, "JSON list of subnet ids"),
        ({"showtime-iac:subnetIds": '["vpc-123"]'}, "not a valid subnet id"),
        ({"showtime-iac:securityGroupId": "group1"}, "invalid security group id"),
        ({"showtime-iac:createSecurityGroup": "true"}, "needs showtime-iac:vpcId"),
        ({"showtime-iac:ecrRepositoryName": "Upper"}, "invalid ECR repository name"),
        ({"showtime-iac:clusterArn": "cluster/x"}, "invalid ARN"),
        ({"aws:region": "mars"}, "invalid AWS region"),
        ({"showtime-iac:ingressCidrs": '["everyone"]'}, "not a valid CIDR"),
    ],
)
def test_invalid_shared_values_raise(values: dict[str, str], message: str) -> None:
    with pytest.raises(StackConfigError, match=message):
        SharedConfig.from_stack_config(values)


def test_offline_default_is_marked_and_not_deployable() -> None:
    shared = SharedConfig.offline_default()
    assert shared.placeholders == ("subnet-placeholder-a", "subnet-placeholder-b", "sg-placeholder")
    with pytest.raises(StackConfigError, match="placeholder ids"):
        shared.require_deployable()


def test_require_deployable_needs_subnets_and_a_security_group() -> None:
    with pytest.raises(StackConfigError, match="no subnets"):
        SharedConfig(security_group_id="sg-0123456789abcdef0").require_deployable()
    with pytest.raises(StackConfigError, match="no security group"):
        SharedConfig(subnet_ids=("subnet-0123abcd",)).require_deployable()
    SharedConfig(
        subnet_ids=("subnet-0123abcd",), security_group_id="sg-0123abcd"
    ).require_deployable()


def test_shared_source_prefers_the_stack_reference() -> None:
    assert shared_source({"showtime-iac:sharedStack": "org/showtime-iac/shared"}) == (
        SharedStackRef("org/showtime-iac/shared")
    )
    got = shared_source({"showtime-iac:subnetIds": '["subnet-0123abcd"]'})
    assert isinstance(got, SharedConfig)
    assert got.subnet_ids == ("subnet-0123abcd",)
    with pytest.raises(StackConfigError, match="invalid shared stack name"):
        SharedStackRef("a b")


@given(
    st.builds(
        BuildConfig,
        context=st.sampled_from(["superset", "../superset", "/src/superset"]),
        dockerfile=st.none() | st.just("superset/Dockerfile"),
        target=st.none() | st.sampled_from(["ci", "lean"]),
        platform=st.sampled_from(["linux/amd64", "linux/arm64"]),
    )
)
def test_build_config_round_trips(build: BuildConfig) -> None:
    assert BuildConfig.from_stack_config(build.to_stack_config()) == build


# --------------------------------------------------------------------------- HTTPS mode


@pytest.mark.parametrize(
    "domain",
    ["Preview.example.org", "example", "-x.example.org", "a" * 20 + ".example.org", "x..org"],
)
def test_a_bad_domain_is_refused(domain: str) -> None:
    with pytest.raises(StackConfigError, match="invalid domain"):
        SharedConfig(domain=domain)


@given(st.integers(1, 9_999_999), st.from_regex(r"[a-z]{1,8}(\.[a-z]{2,8}){1,2}", fullmatch=True))
def test_every_accepted_domain_fits_the_address_label(pr: int, domain: str) -> None:
    """GitHub caps a label at 50: `🎪 abc1234 🌐 pr-N.<domain>` must fit for any PR."""
    from showtime_iac.core import labels as L
    from showtime_iac.core.model import pr_host

    try:
        SharedConfig(domain=domain)
    except StackConfigError:
        return
    name = L.render_label(L.Attr("ip", pr_host(pr, domain), "abc1234"))
    assert L.label_length(name) <= 50


def test_secret_and_router_keys_are_known_to_the_strict_reader() -> None:
    values = {
        **to_stack_config(EnvConfig(pr=1, sha="abc1234")),
        "showtime-iac:secretKey": "x",
        "showtime-iac:adminPassword": "y",
        "showtime-iac:targetGroupArn": "arn:aws:elasticloadbalancing:x",
    }
    assert from_stack_config(values).pr == 1
    with pytest.raises(StackConfigError, match="unknown config key"):
        from_stack_config({**values, "showtime-iac:secretkey": "typo"})


def test_the_secrets_never_enter_the_env_config() -> None:
    values = {
        **to_stack_config(EnvConfig(pr=1, sha="abc1234")),
        "showtime-iac:secretKey": "SEKRIT-1",
        "showtime-iac:adminPassword": "SEKRIT-2",
    }
    cfg = from_stack_config(values)
    assert "SEKRIT" not in repr(cfg) and "SEKRIT" not in json.dumps(to_stack_config(cfg))
