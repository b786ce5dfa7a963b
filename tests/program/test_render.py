"""program.render: the offline render (text, repeatability, event loops)."""

from __future__ import annotations

from showtime_iac import program
from showtime_iac.core.model import EnvConfig
from showtime_iac.program import (
    OFFLINE_HEADER,
    dry_run,
    evaluate_offline,
    evaluate_stack_offline,
    format_dry_run,
    format_render,
    render_offline,
)
from tests.program.helpers import (
    DOMAIN,
    SECRETS,
    cfg_of,
    env_values,
)

# --------------------------------------------------------------------------- render text


def test_render_offline_can_run_many_times_with_the_same_result() -> None:
    cfg = cfg_of(cache_redis=True)
    first = render_offline(cfg)
    other = render_offline(cfg_of(pr=1, size="small"))
    again = render_offline(cfg)
    assert first == again
    assert first != other


def test_format_render_lists_everything_and_never_a_secret() -> None:
    cfg = cfg_of(flags=(("ALERTS", True),))
    out = evaluate_offline(cfg)
    text = format_render(out.resources, out.outputs, stack=out.stack, placeholders=out.placeholders)
    assert text.splitlines()[0] == OFFLINE_HEADER
    assert f"stack pr-1234-abc1234: {len(out.resources)} resources" in text
    assert len(out.resources) == 8
    for r in out.resources:
        assert f"{r.type}  {r.name}" in text
    assert "env SUPERSET_FEATURE_ALERTS=True" in text
    assert "showtime:pr=1234" in text
    assert "placeholder" in text
    assert "mock-password" not in text
    assert "[secret]" in text


def test_the_offline_render_leaves_no_event_loop_open() -> None:
    """Pulumi's mocks make one loop per worker thread and never close them; a loop left for
    the interpreter's exit can print a traceback under a good result (the README command)."""
    import asyncio
    import gc

    def open_loops() -> list[asyncio.AbstractEventLoop]:
        return [
            o
            for o in gc.get_objects()
            if isinstance(o, asyncio.BaseEventLoop) and not o.is_closed()
        ]

    before = {id(x) for x in open_loops()}
    program.render_offline(EnvConfig(pr=5, sha="abc1234def5678901234567890abcdef12345678"))
    assert [x for x in open_loops() if id(x) not in before] == []


# --------------------------------------------------------------------------- secrets never leak


def test_the_secret_values_appear_nowhere_in_a_rendered_stack() -> None:
    """Rendered from stack config that holds real-looking secrets (as the driver writes them):
    not in any resource input, tag, container environment, output, the text or the JSON."""
    import json
    from dataclasses import asdict

    cfg = cfg_of(cache_redis=True, debug=True)
    values = {**env_values(cfg), "showtime-iac:domain": DOMAIN}
    values |= {
        "showtime-iac:httpsListenerArn": (
            "arn:aws:elasticloadbalancing:us-west-2:123456789012:listener/app/x/0123/4567"
        ),
        "showtime-iac:albSecurityGroupId": "sg-0fedcba9876543210",
        "showtime-iac:vpcId": "vpc-0123456789abcdef0",
    }
    out = evaluate_stack_offline(cfg.stack, values)
    text = format_render(out.resources, out.outputs, stack=out.stack)
    blob = json.dumps(
        {"resources": [asdict(r) for r in out.resources], "outputs": out.outputs}, default=str
    )
    (td,) = [r for r in out.resources if r.type == "aws:ecs/taskDefinition:TaskDefinition"]
    env = json.dumps(td.container_env())
    secrets = list(SECRETS.values())
    assert len(out.resources) == 11  # the secret, its version and the role are there
    for secret in secrets:
        for where, haystack in (("text", text), ("json", blob), ("environment", env)):
            assert secret not in haystack, where
            assert secret[:16] not in haystack, where  # not even a prefix
    version = next(r for r in out.resources if r.type.endswith("secretVersion:SecretVersion"))
    assert version.inputs["secretString"] == "[secret]"
    assert not out.warnings[-1].startswith("placeholder SECRET_KEY")  # real ones were used


def test_the_leak_check_would_see_a_secret_in_the_environment() -> None:
    """The check above can fail: a secret put into the plain environment is found."""
    import json

    from showtime_iac.program import containers

    real = containers.container_environment

    def leaky(cfg: EnvConfig, behind_proxy: bool = False) -> list[dict[str, str]]:
        leak = {"name": "LEAK", "value": SECRETS["showtime-iac:secretKey"]}
        return [*real(cfg, behind_proxy), leak]

    containers.container_environment = leaky  # type: ignore[assignment]
    try:
        out = evaluate_stack_offline(cfg_of().stack, env_values(cfg_of()))
    finally:
        containers.container_environment = real  # type: ignore[assignment]
    (td,) = [r for r in out.resources if r.type == "aws:ecs/taskDefinition:TaskDefinition"]
    assert SECRETS["showtime-iac:secretKey"] in json.dumps(td.container_env())


# --------------------------------------------------------------------------- dry run


def test_the_dry_run_in_https_mode_shows_the_router_and_the_prs_address() -> None:
    d = dry_run(cfg_of(), DOMAIN)
    assert d.mode == "https"
    assert d.url == f"https://pr-1234.{DOMAIN}"
    assert d.sha_url == f"https://pr-1234-abc1234.{DOMAIN}"
    assert d.router is not None and d.router.stack == "pr-1234-router"
    types = {r.type for r in d.env.resources}
    assert {
        "aws:secretsmanager/secret:Secret",
        "aws:lb/targetGroup:TargetGroup",
        "aws:lb/listenerRule:ListenerRule",
    } <= types
    text = format_dry_run(d)
    assert "router stack pr-1234-router: 1 resources" in text
    assert f"address (HTTPS mode): https://pr-1234.{DOMAIN}" in text
    # the router forwards to the environment's own target group
    rule = d.router.resources[-1]
    assert rule.inputs["actions"][0]["targetGroupArn"] == d.env.outputs["targetGroupArn"]


def test_the_dry_run_warns_once_about_each_made_up_value() -> None:
    d = dry_run(cfg_of(), DOMAIN)
    joined = "\n".join(d.warnings)
    for made_up in (
        "subnet-placeholder-a",
        "subnet-placeholder-b",
        "sg-placeholder:",
        "sg-placeholder-alb",
        "vpc-placeholder",
        "listener/app/placeholder",
        "account 000000000000",
        "image digest",
        "SECRET_KEY and admin password",
    ):
        assert made_up in joined + " ", made_up
    assert len(d.warnings) == len(set(d.warnings))
    assert all("\n" not in w for w in d.warnings)
    prebuilt = dry_run(cfg_of(image="public.ecr.aws/x/superset:6.1.0"))
    assert not any("image digest" in w for w in prebuilt.warnings)


def test_the_dry_run_without_a_domain_is_labelled_public_ip_mode() -> None:
    d = dry_run(cfg_of())
    assert (d.mode, d.router, d.sha_url) == ("public-ip", None, None)
    assert "public-IP mode" in format_dry_run(d)
    assert not any(r.type.startswith("aws:lb/") for r in d.env.resources)
