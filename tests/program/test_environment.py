"""program.environment: one PR SHA's resources, tags and names under Pulumi mocks."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from showtime_iac.core.model import EnvConfig, Ttl, resource_names, resource_tags
from showtime_iac.core.stack_config import SharedConfig
from showtime_iac.program import (
    MOCK_ACCOUNT,
    evaluate_offline,
    render_offline,
)
from showtime_iac.program.environment import build_context
from tests.program.helpers import (
    DOMAIN,
    ENV_TYPES,
    HTTPS_EXTRA,
    IMAGE,
    LOG_GROUP,
    ROLE,
    ROLE_POLICY,
    RULE,
    SECRET,
    SECRET_VERSION,
    SERVICE,
    SG,
    SHA,
    TAGGABLE,
    TARGET_GROUP,
    TASK_DEF,
    by_type,
    cfg_of,
)

HTTPS = SharedConfig.offline_default(DOMAIN)

# --------------------------------------------------------------------------- resource set


def test_default_environment_declares_image_logs_secret_role_task_and_service() -> None:
    res = by_type(render_offline(cfg_of()))
    assert set(res) == ENV_TYPES
    names = resource_names(1234, SHA)
    assert res[LOG_GROUP].inputs["name"] == names.log_group == "/showtime/pr-1234-abc1234"
    assert res[LOG_GROUP].inputs["retentionInDays"] == 7
    assert res[TASK_DEF].inputs["family"] == names.task_family
    assert res[SERVICE].inputs["name"] == names.service


def test_task_definition_is_fargate_awsvpc_on_8080_with_awslogs() -> None:
    td = by_type(render_offline(cfg_of()))[TASK_DEF]
    assert td.inputs["networkMode"] == "awsvpc"
    assert td.inputs["requiresCompatibilities"] == ["FARGATE"]
    # the environment's own execution role, not a shared one
    assert td.inputs["executionRoleArn"] == (
        f"arn:aws:iam::{MOCK_ACCOUNT}:role/sti-pr-1234-abc1234-exec"
    )
    (superset,) = td.containers()
    assert superset["name"] == "superset"
    assert superset["portMappings"] == [
        {"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}
    ]
    logs = superset["logConfiguration"]
    assert logs["logDriver"] == "awslogs"
    assert logs["options"]["awslogs-group"] == "/showtime/pr-1234-abc1234"
    assert logs["options"]["awslogs-region"] == "us-west-2"


def test_service_is_fargate_public_with_circuit_breaker_and_steady_state() -> None:
    svc = by_type(render_offline(cfg_of()))[SERVICE]
    i = svc.inputs
    assert i["launchType"] == "FARGATE"
    assert i["desiredCount"] == 1
    assert i["cluster"] == f"arn:aws:ecs:us-west-2:{MOCK_ACCOUNT}:cluster/superset-ci"
    assert i["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert i["waitForSteadyState"] is True
    assert i["networkConfiguration"] == {
        "assignPublicIp": True,
        "securityGroups": ["sg-placeholder"],
        "subnets": ["subnet-placeholder-a", "subnet-placeholder-b"],
    }
    assert i["taskDefinition"].endswith(":task-definition/showtime-pr-1234-abc1234:1")


def test_image_is_built_and_pushed_to_the_shared_repository_with_ecr_auth() -> None:
    res = by_type(render_offline(cfg_of()))
    img = res[IMAGE]
    repo = f"{MOCK_ACCOUNT}.dkr.ecr.us-west-2.amazonaws.com/superset-ci"
    assert img.inputs["imageName"] == f"{repo}:sti-pr-1234-abc1234"
    assert img.inputs["imageName"].endswith(":" + resource_names(1234, SHA).image_tag)
    assert img.inputs["registry"] == {
        "server": f"{MOCK_ACCOUNT}.dkr.ecr.us-west-2.amazonaws.com",
        "username": "AWS",  # from aws.ecr.get_authorization_token
        "password": "[secret]",
    }
    assert img.inputs["build"]["platform"] == "linux/amd64"
    # the task runs the pushed digest, not the mutable tag
    (superset,) = res[TASK_DEF].containers()
    assert superset["image"].startswith(f"{repo}@sha256:")


def test_prebuilt_image_declares_no_build() -> None:
    uri = "123456789012.dkr.ecr.us-west-2.amazonaws.com/superset-ci:pr-1234-abc1234-ci"
    res = by_type(render_offline(cfg_of(image=uri)))
    assert IMAGE not in res
    assert set(res) == ENV_TYPES - {IMAGE}
    assert res[TASK_DEF].containers()[0]["image"] == uri


def test_stack_outputs() -> None:
    out = evaluate_offline(cfg_of()).outputs
    assert out["serviceName"] == "sti-pr-1234-abc1234"
    assert out["addressMode"] == "public-ip"
    assert "url" not in out and "targetGroupArn" not in out
    assert out["clusterName"] == "superset-ci"
    assert out["logGroup"] == "/showtime/pr-1234-abc1234"
    assert out["taskDefinitionArn"].startswith("arn:aws:ecs:us-west-2:")
    assert "@sha256:" in out["image"]
    assert out["stack"] == "pr-1234-abc1234"


# --------------------------------------------------------------------------- tags


@pytest.mark.parametrize(
    "cfg",
    [
        cfg_of(),
        cfg_of(cache_redis=True, size="large", ttl=Ttl("48h")),
        cfg_of(image="public.ecr.aws/x/superset:1", requester="dependabot[bot]"),
    ],
)
def test_every_taggable_resource_carries_the_tags(cfg: EnvConfig) -> None:
    resources = render_offline(cfg)
    expected = resource_tags(cfg)
    taggable = [r for r in resources if r.type in TAGGABLE]
    assert len(taggable) == 5  # log group, secret, role, task definition, service
    for r in taggable:
        assert r.tags == expected, r.type
    for r in resources:
        if r.type not in TAGGABLE:
            # docker images have no AWS tags; a policy and a secret's version take none
            assert r.type in (IMAGE, ROLE_POLICY, SECRET_VERSION)


# AWS tag values (ECS, CloudWatch Logs, ELB, IAM, Secrets Manager)
TAG_VALUE_RE = re.compile(r"^[\w .:/=+\-@]{0,256}$", re.ASCII)


def test_a_bot_login_is_written_in_the_tag_charset_aws_accepts() -> None:
    cfg = cfg_of(requester="dependabot[bot]")
    for r in render_offline(cfg, HTTPS):
        for k, v in r.tags.items():
            assert TAG_VALUE_RE.match(v), (r.type, k, v)
    assert by_type(render_offline(cfg))[SERVICE].tags["showtime:requested-by"] == "dependabot+bot"


def test_tags_include_expiry_from_created_and_ttl() -> None:
    from datetime import UTC, datetime

    cfg = cfg_of(created=datetime(2026, 1, 15, 14, 30, tzinfo=UTC), ttl=Ttl("48h"))
    svc = by_type(render_offline(cfg))[SERVICE]
    assert svc.tags["showtime:expires-at"] == "2026-01-17T14:30:00Z"
    assert svc.inputs["propagateTags"] == "SERVICE"


# --------------------------------------------------------------------------- names

SERVICE_RE = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
FAMILY_RE = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
LOG_GROUP_RE = re.compile(r"^[A-Za-z0-9_./#-]{1,512}$")
ECR_TAG_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")

prs = st.integers(1, 9_999_999_999)
shas = st.text("0123456789abcdef", min_size=40, max_size=40)


TARGET_GROUP_RE = re.compile(r"^(?!-)[A-Za-z0-9-]{1,32}(?<!-)$")
ROLE_RE = re.compile(r"^[\w+=,.@-]{1,64}$")
SECRET_NAME_RE = re.compile(r"^[A-Za-z0-9/_+=.@-]{1,512}$")
# the original Superset Showtime's names, and what its 48 h sweep deletes (any `pr-*` service)
ORIGINAL_RE = re.compile(r"^pr-")


@given(prs, shas)
def test_names_are_within_aws_limits(pr: int, sha: str) -> None:
    n = resource_names(pr, sha)
    assert SERVICE_RE.match(n.service)
    assert FAMILY_RE.match(n.task_family)
    assert LOG_GROUP_RE.match(n.log_group)
    assert ECR_TAG_RE.match(n.image_tag)
    assert TARGET_GROUP_RE.match(n.target_group)
    assert ROLE_RE.match(n.execution_role)
    assert SECRET_NAME_RE.match(n.secret_prefix + "x" * 26)  # the provider adds 26 characters
    assert n.image_tag == f"sti-pr-{pr}-{sha[:7]}"


@given(prs, shas)
def test_names_never_look_like_the_original_tools(pr: int, sha: str) -> None:
    """Both tools share the cluster and the repository during a migration: the original's
    cleanup must never reach ours, nor ours its."""
    n = resource_names(pr, sha)
    for name in (n.service, n.image_tag, n.target_group, n.execution_role):
        assert not ORIGINAL_RE.match(name), name
        assert not name.endswith(("-service", "-ci")), name


@given(st.tuples(prs, shas), st.tuples(prs, shas))
def test_two_environments_never_share_a_name(a: tuple[int, str], b: tuple[int, str]) -> None:
    na, nb = resource_names(*a), resource_names(*b)
    if (a[0], a[1][:7]) == (b[0], b[1][:7]):
        assert na == nb  # same stack, same names: idempotent
        return
    for field in (
        "stack",
        "service",
        "task_family",
        "log_group",
        "image_tag",
        "target_group",
        "execution_role",
        "secret_prefix",
        "security_group",
    ):
        assert getattr(na, field) != getattr(nb, field), field


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prs, prs, shas)
def test_two_prs_never_collide_in_rendered_aws_names(pr1: int, pr2: int, sha: str) -> None:
    if pr1 == pr2:
        pr2 = pr1 - 1 if pr1 > 1 else pr1 + 1  # stay within the PR range
    physical = []
    for pr in (pr1, pr2):
        res = by_type(render_offline(EnvConfig(pr=pr, sha=sha)))
        physical.append(
            {
                res[SERVICE].inputs["name"],
                res[TASK_DEF].inputs["family"],
                res[LOG_GROUP].inputs["name"],
                res[IMAGE].inputs["imageName"],
            }
        )
    assert not physical[0] & physical[1]


# --------------------------------------------------------------------------- build context


def test_a_relative_build_context_is_resolved_against_the_project(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Pulumi runs the program from its `main` folder (showtime_iac/program/): a relative
    `superset` must still mean the checkout next to Pulumi.yaml."""
    root = Path(__file__).resolve().parents[2]
    monkeypatch.chdir(root / "showtime_iac" / "program")
    img = by_type(render_offline(cfg_of()))[IMAGE]
    assert img.inputs["build"]["context"] == str(root / "superset")
    assert build_context("/abs/superset") == "/abs/superset"


# --------------------------------------------------------------------------- secret and role


def test_the_secret_is_removed_by_destroy_and_its_value_is_a_pulumi_secret() -> None:
    res = by_type(render_offline(cfg_of()))
    secret = res[SECRET].inputs
    assert secret["recoveryWindowInDays"] == 0
    assert secret["namePrefix"] == "sti-pr-1234-abc1234/"
    assert res[SECRET_VERSION].inputs["secretString"] == "[secret]"


def test_the_container_reads_both_secrets_from_its_own_secret_only() -> None:
    res = by_type(render_offline(cfg_of()))
    td = res[TASK_DEF]
    secrets = td.container_secrets()
    assert set(secrets) == {"SUPERSET_SECRET_KEY", "ADMIN_PASSWORD"}
    arns = {v.rsplit(":", 3)[0] for v in secrets.values()}
    assert len(arns) == 1
    (secret_arn,) = arns
    assert secret_arn.startswith(f"arn:aws:secretsmanager:us-west-2:{MOCK_ACCOUNT}:secret:")
    assert secrets["SUPERSET_SECRET_KEY"].endswith(":SUPERSET_SECRET_KEY::")
    assert secrets["ADMIN_PASSWORD"].endswith(":ADMIN_PASSWORD::")
    assert not set(secrets) & set(td.container_env())  # never in the plain environment
    policy = json.loads(res[ROLE_POLICY].inputs["policy"])
    (read,) = [s for s in policy["Statement"] if s["Sid"] == "OwnSecret"]
    assert read == {
        "Sid": "OwnSecret",
        "Effect": "Allow",
        "Action": "secretsmanager:GetSecretValue",
        "Resource": secret_arn,
    }


def test_the_execution_role_is_the_environments_own_and_least_privilege() -> None:
    res = by_type(render_offline(cfg_of()))
    role = res[ROLE].inputs
    assert role["name"] == "sti-pr-1234-abc1234-exec"
    assume = json.loads(role["assumeRolePolicy"])
    assert assume["Statement"][0]["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
    assert res[ROLE_POLICY].inputs["role"] == role["name"]
    doc = json.loads(res[ROLE_POLICY].inputs["policy"])
    by_sid = {s["Sid"]: s for s in doc["Statement"]}
    assert [s["Action"] for s in doc["Statement"] if s["Resource"] == "*"] == [
        "ecr:GetAuthorizationToken"
    ]
    assert by_sid["EcrPull"]["Resource"] == [
        f"arn:aws:ecr:us-west-2:{MOCK_ACCOUNT}:repository/superset-ci"
    ]
    assert by_sid["Logs"]["Resource"] == (
        f"arn:aws:logs:us-west-2:{MOCK_ACCOUNT}:log-group:/showtime/pr-1234-abc1234:*"
    )
    actions = [
        a
        for s in doc["Statement"]
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    ]
    assert not any(a.endswith("*") for a in actions)


def test_a_prebuilt_image_of_another_ecr_repository_may_be_pulled_too() -> None:
    uri = "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/superset@sha256:" + "ab" * 32
    doc = json.loads(by_type(render_offline(cfg_of(image=uri)))[ROLE_POLICY].inputs["policy"])
    pull = next(s for s in doc["Statement"] if s["Sid"] == "EcrPull")
    assert "arn:aws:ecr:us-east-1:123456789012:repository/team/superset" in pull["Resource"]


# --------------------------------------------------------------------------- HTTPS mode


def test_https_mode_adds_a_target_group_a_host_rule_and_a_security_group() -> None:
    res = by_type(render_offline(cfg_of(), HTTPS))
    assert set(res) == ENV_TYPES | HTTPS_EXTRA
    tg = res[TARGET_GROUP].inputs
    assert (tg["name"], tg["port"], tg["protocol"], tg["targetType"]) == (
        "sti-pr-1234-abc1234",
        8080,
        "HTTP",
        "ip",
    )
    assert tg["healthCheck"]["path"] == "/health"
    assert tg["vpcId"] == "vpc-placeholder"
    rule = res[RULE].inputs
    assert rule["conditions"] == [{"hostHeader": {"values": [f"pr-1234-abc1234.{DOMAIN}"]}}]
    assert rule["listenerArn"] == HTTPS.https_listener_arn
    (forward,) = rule["actions"]
    assert forward["type"] == "forward"
    assert ":targetgroup/sti-pr-1234-abc1234/" in forward["targetGroupArn"]
    assert "priority" not in rule  # the provider picks a free one, retrying on conflicts


def test_in_https_mode_tasks_accept_traffic_from_the_load_balancer_only() -> None:
    res = by_type(render_offline(cfg_of(), HTTPS))
    (ingress,) = res[SG].inputs["ingress"]
    assert ingress["securityGroups"] == ["sg-placeholder-alb"]
    assert not ingress.get("cidrBlocks")
    assert (ingress["fromPort"], ingress["toPort"]) == (8080, 8080)
    svc = res[SERVICE].inputs
    groups = svc["networkConfiguration"]["securityGroups"]
    assert len(groups) == 1 and groups != ["sg-placeholder"]  # its own group, not the shared
    (lb,) = svc["loadBalancers"]
    assert lb["containerName"] == "superset" and lb["containerPort"] == 8080
    assert lb["targetGroupArn"] == res[RULE].inputs["actions"][0]["targetGroupArn"]
    assert svc["healthCheckGracePeriodSeconds"] >= 900  # db upgrade, init, examples first


# --------------------------------------------------------------------------- health timings

#: the slowest first start measured: `small` (0.5 vCPU) loading the examples on every start
#: (tests/superset/FINDINGS.md: "doubles the start to about 10 min"), before any baked image
SLOWEST_FIRST_START = 600


def _kill_after(svc: dict[str, object], check: dict[str, int]) -> int:
    """Seconds after a task starts before ECS replaces one that never answers: the service's
    grace covers every health check (the container's too, as ECS's model documents it), and
    the container check gives up after its start period and its retries."""
    grace = int(svc.get("healthCheckGracePeriodSeconds") or 0)  # type: ignore[call-overload]
    return max(grace, check["startPeriod"] + check["interval"] * check["retries"])


@pytest.mark.parametrize("mode", ["public-ip", "https"])
def test_a_slow_first_start_is_never_killed_in_either_mode(mode: str) -> None:
    """Issue 25: a `small` environment in public-IP mode was replaced at 600 s (its container
    check's 300 s + 10 x 30 s, no grace) while its first start took about 10 min."""
    res = by_type(render_offline(cfg_of(size="small"), HTTPS if mode == "https" else None))
    (superset,) = res[TASK_DEF].containers()
    svc = res[SERVICE].inputs
    assert svc["healthCheckGracePeriodSeconds"] >= 2 * SLOWEST_FIRST_START  # a loaded host
    assert _kill_after(svc, superset["healthCheck"]) >= 2 * SLOWEST_FIRST_START


@pytest.mark.parametrize("mode", ["public-ip", "https"])
def test_a_task_that_answers_is_seen_healthy_within_seconds(mode: str) -> None:
    """The grace only delays a kill: a container that answers is HEALTHY at its next check
    (5 s), a target after at most 2 checks 5 s apart (AWS counts one for a new target)."""
    res = by_type(render_offline(cfg_of(), HTTPS if mode == "https" else None))
    (superset,) = res[TASK_DEF].containers()
    assert superset["healthCheck"]["interval"] <= 5
    if mode == "https":
        tg = res[TARGET_GROUP].inputs["healthCheck"]
        assert tg["interval"] * tg["healthyThreshold"] <= 10
        # a serving task is not taken out for a worker restart: as long as before (3 x 15 s)
        assert tg["interval"] * tg["unhealthyThreshold"] >= 45


def test_https_outputs_name_the_urls_and_the_target_group() -> None:
    out = evaluate_offline(cfg_of(), HTTPS).outputs
    assert out["addressMode"] == "https"
    assert out["url"] == f"https://pr-1234-abc1234.{DOMAIN}"
    assert out["prUrl"] == f"https://pr-1234.{DOMAIN}"
    assert out["prHost"] == f"pr-1234.{DOMAIN}"
    assert out["targetGroupArn"].startswith("arn:aws:elasticloadbalancing:")


def test_https_mode_without_the_shared_listener_is_a_clear_error() -> None:
    from showtime_iac.core.stack_config import StackConfigError

    shared = SharedConfig(
        subnet_ids=("subnet-0123456789abcdef0",),
        security_group_id="sg-0123456789abcdef0",
        domain=DOMAIN,
    )
    with pytest.raises(StackConfigError, match="httpsListenerArn"):
        render_offline(cfg_of(), shared)


def test_every_resource_of_https_mode_validates_against_the_aws_models() -> None:
    """The environment, the router and the shared load balancer as the program renders them,
    against botocore's API models and pulumi_aws's typed arguments (tests/program/aws_models)."""
    from showtime_iac.core.routing import RouterConfig
    from showtime_iac.program import evaluate_router_offline, render_shared_offline
    from tests.program.aws_models import ensure_ready, validate

    ensure_ready()
    env = evaluate_offline(cfg_of(requester="dependabot[bot]", cache_redis=True), HTTPS)
    router = evaluate_router_offline(
        RouterConfig(1234, SHA, str(env.outputs["targetGroupArn"])), HTTPS
    )
    shared = render_shared_offline(
        SharedConfig(
            create_cluster=True,
            create_ecr_repository=True,
            create_execution_role=True,
            create_security_group=True,
            vpc_id="vpc-0123456789abcdef0",
            subnet_ids=("subnet-0123456789abcdef0", "subnet-0fedcba9876543210"),
            domain=DOMAIN,
            hosted_zone_id="Z0123456789ABCDEFGHIJ",
        )
    )
    everything = [*env.resources, *router.resources, *shared.resources]
    assert {r.type for r in everything} >= {SECRET, TARGET_GROUP, RULE, SG, ROLE}
    problems = validate(everything)
    assert problems == [], "\n".join(map(str, problems))


# --------------------------------------------------------------------------- sleep


def test_asleep_the_stack_itself_runs_no_task_and_a_wake_runs_one_again() -> None:
    """``idle_action = "sleep"`` through the stack: the config the driver writes, merged the
    way Pulumi merges config (a wake must overwrite the sleep's value), run by the program
    exactly as ``pulumi up`` runs it; the ECS service stays valid for the AWS model."""
    from dataclasses import replace

    from showtime_iac.core.stack_config import to_stack_config
    from showtime_iac.program import evaluate_stack_offline
    from tests.program.aws_models import validate
    from tests.program.helpers import env_values

    image = "123456789012.dkr.ecr.us-west-2.amazonaws.com/superset-ci:sti-pr-1234-abc1234"
    cfg = cfg_of(image=image, image_sha=SHA)
    stored = env_values(replace(cfg, sleeping=True))
    asleep = evaluate_stack_offline(cfg.stack, stored).resources
    assert by_type(asleep)[SERVICE].inputs["desiredCount"] == 0
    assert validate(asleep) == []
    stored.update(to_stack_config(cfg))  # the wake: set_all_config merges into the stack's
    awake = by_type(evaluate_stack_offline(cfg.stack, stored).resources)
    assert awake[SERVICE].inputs["desiredCount"] == 1
    # nothing but the task count differs: same image, same task definition, same URL
    before = by_type(asleep)
    assert awake[TASK_DEF].inputs == before[TASK_DEF].inputs
    assert {k: v for k, v in awake[SERVICE].inputs.items() if k != "desiredCount"} == {
        k: v for k, v in before[SERVICE].inputs.items() if k != "desiredCount"
    }


def test_the_project_root_is_the_nearest_directory_up_with_a_pulumi_yaml(tmp_path: Path) -> None:
    from showtime_iac.program.environment import project_root

    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    # outside an engine and with no Pulumi.yaml anywhere up: the directory itself
    assert project_root(deep) == deep
    (tmp_path / "pulumi.yaml").write_text("name: wrong-case\n", encoding="utf-8")
    (tmp_path / "a" / "Pulumi.yaml").write_text("name: x\n", encoding="utf-8")
    assert project_root(deep) == tmp_path / "a"
    assert build_context("ctx", deep) == str(tmp_path / "a" / "ctx")
    assert build_context("~/ctx", deep) == str(Path("~/ctx").expanduser())


def test_the_engines_root_directory_wins_when_it_holds_the_pulumi_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under ``pulumi up`` the engine names the project's directory: it wins over the search
    from the working directory, unless it holds no ``Pulumi.yaml`` (the mocks make one up)."""
    import pulumi

    from showtime_iac.program.environment import project_root

    engine_root, elsewhere = tmp_path / "project", tmp_path / "elsewhere"
    engine_root.mkdir()
    (elsewhere / "deep").mkdir(parents=True)
    (elsewhere / "Pulumi.yaml").write_text("name: other\n", encoding="utf-8")
    monkeypatch.setattr(pulumi, "get_root_directory", lambda: str(engine_root))
    assert project_root(elsewhere / "deep") == elsewhere  # no Pulumi.yaml at the engine's root
    (engine_root / "pulumi.yaml").write_text("name: wrong-case\n", encoding="utf-8")
    assert project_root(elsewhere / "deep") == elsewhere
    (engine_root / "Pulumi.yaml").write_text("name: showtime-iac\n", encoding="utf-8")
    assert project_root(elsewhere / "deep") == engine_root
