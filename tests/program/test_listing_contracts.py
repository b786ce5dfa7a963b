"""``up --dry-run``'s listing (program/listing.py), in process, against written-out text.

The public-IP listing must be exactly the block docs/getting-started.md shows (that block is
the real CLI's output: tests/docs checks it by running the command); the HTTPS listing's
router and address lines, the JSON and the formatting rules are written out here. The CLI and
docs tests run the command as a subprocess, which a mutation run cannot see: this file is what
notices a changed listing there.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from showtime_iac.core.model import EnvConfig
from showtime_iac.program import dry_run, format_dry_run, format_render
from showtime_iac.program.environment import project_root
from showtime_iac.program.mocks import RenderedResource

ROOT = Path(__file__).resolve().parents[2]
SHA = "abc1234def5678901234567890abcdef12345678"
CREATED = datetime(2026, 1, 15, 14, 30, tzinfo=UTC)
# what `up 1234 --sha … --now 2026-01-15T14:30:00Z` records: now, and the default 7-day max age
CFG = EnvConfig(pr=1234, sha=SHA, created=CREATED, max_age_at=CREATED + timedelta(days=7))
DOMAIN = "preview.example.org"

PLACEHOLDER_WARNINGS = [
    "placeholder id subnet-placeholder-a: set the real one in the shared stack's config",
    "placeholder id subnet-placeholder-b: set the real one in the shared stack's config",
    "placeholder id sg-placeholder: set the real one in the shared stack's config",
]
OTHER_WARNINGS = [
    "placeholder AWS account 000000000000 in every ARN and the registry: the real one is your "
    "credentials' account",
    "made-up image digest (sha256 of the resource name): the real one is the build's, at "
    "deploy time",
    "placeholder SECRET_KEY and admin password: `up` generates real ones once, when it creates "
    "the stack",
]
LISTENER = "arn:aws:elasticloadbalancing:us-west-2:000000000000:listener/app/placeholder/0/0"


def _docs_block() -> str:
    doc = (ROOT / "docs" / "getting-started.md").read_text(encoding="utf-8")
    start = doc.index("offline render under Pulumi mocks: nothing was deployed")
    end = doc.index("a new IP on every deploy", start) + len("a new IP on every deploy")
    return doc[start:end]


def test_the_public_ip_listing_is_the_one_the_getting_started_page_shows() -> None:
    block = _docs_block()
    assert block.count("\n") > 80  # the whole listing, not a stub of it
    assert format_dry_run(dry_run(CFG)) == block


def test_the_public_ip_dry_run_as_json() -> None:
    d = dry_run(CFG)
    assert (d.mode, d.url, d.sha_url, d.router) == (
        "public-ip",
        "http://{task public IP}:8080",
        None,
        None,
    )
    assert d.to_json() == {
        "address_mode": "public-ip",
        "url": "http://{task public IP}:8080",
        "sha_url": None,
        "warnings": [*PLACEHOLDER_WARNINGS, *OTHER_WARNINGS],
        "router": None,
    }


def test_the_https_listing_adds_the_router_and_the_two_addresses() -> None:
    d = dry_run(CFG, DOMAIN)
    text = format_dry_run(d)
    env_part = text.split("\n\nrouter stack ")[0]
    router_part, address = text.split("\n\nrouter stack ")[1].rsplit("\n\n", 1)
    assert env_part.startswith(
        "offline render under Pulumi mocks: nothing was deployed\n"
        "stack pr-1234-abc1234: 11 resources\n"
        "placeholder ids (replace before a real deploy): subnet-placeholder-a, "
        "subnet-placeholder-b, sg-placeholder, vpc-placeholder, sg-placeholder-alb, "
        f"{LISTENER}; account 000000000000 is a placeholder\n"
    )
    tg = "arn:aws:elasticloadbalancing:us-west-2:000000000000:targetgroup/sti-pr-1234-abc1234/"
    assert router_part.startswith(
        "pr-1234-router: 1 resources\n\naws:lb/listenerRule:ListenerRule  pr-rule\n"
        f'  actions: [{{"targetGroupArn": "{tg}'
    )
    assert router_part.endswith(
        '"type": "forward"}]\n'
        '  conditions: [{"hostHeader": {"values": ["pr-1234.preview.example.org"]}}]\n'
        f"  listenerArn: {LISTENER}\n"
        "  tags: showtime:pr=1234, showtime:repo=apache/superset, showtime:role=router, "
        "showtime:sha=abc1234"
    )
    assert address == (
        "address (HTTPS mode): https://pr-1234.preview.example.org follows 🎯 (router "
        "pr-1234-router); this SHA alone: https://pr-1234-abc1234.preview.example.org"
    )
    json = d.to_json()
    assert json["router"]["stack"] == "pr-1234-router"
    assert [r["name"] for r in json["router"]["resources"]] == ["pr-rule"]
    assert json["router"]["resources"][0]["type"] == "aws:lb/listenerRule:ListenerRule"
    # the env's and the router's warnings, each once, in order
    assert json["warnings"] == [
        *PLACEHOLDER_WARNINGS,
        "placeholder id vpc-placeholder: set the real one in the shared stack's config",
        "placeholder id sg-placeholder-alb: set the real one in the shared stack's config",
        f"placeholder id {LISTENER}: set the real one in the shared stack's config",
        *OTHER_WARNINGS,
    ]
    assert (json["address_mode"], json["url"], json["sha_url"]) == (
        "https",
        "https://pr-1234.preview.example.org",
        "https://pr-1234-abc1234.preview.example.org",
    )


def _res(
    inputs: dict[str, Any],
    *,
    tags: dict[str, str] | None = None,
    protect: bool = False,
    name: str = "thing",
) -> RenderedResource:
    return RenderedResource(
        type="aws:test/thing:Thing", name=name, inputs=inputs, tags=tags or {}, protect=protect
    )


def test_format_render_heads_lists_and_skips_empty_inputs() -> None:
    resources = [
        _res(
            {"b": "two", "a": 1, "none": None, "empty": "", "list": [], "map": {}, "zero": 0},
            tags={"z": "1", "a": "2"},
            protect=True,
        ),
        _res({"x": {"k": [1, 2]}}, name="other"),
    ]
    assert format_render(resources) == (
        "offline render under Pulumi mocks: nothing was deployed\n"
        "2 resources\n"
        "\n"
        "aws:test/thing:Thing  thing  (protected)\n"
        "  a: 1\n"
        "  b: two\n"
        "  zero: 0\n"
        "  tags: a=2, z=1\n"
        "\n"
        "aws:test/thing:Thing  other\n"
        '  x: {"k": [1, 2]}'
    )
    listed = format_render(
        resources[1:], {"b": "x" * 161, "a": "y" * 160}, stack="s", placeholders=("p1", "p2")
    )
    assert listed == (
        "offline render under Pulumi mocks: nothing was deployed\n"
        "stack s: 1 resources\n"
        "placeholder ids (replace before a real deploy): p1, p2; account 000000000000 is a "
        "placeholder\n"
        "\n"
        "aws:test/thing:Thing  other\n"
        '  x: {"k": [1, 2]}\n'
        "\n"
        "outputs:\n"
        f"  a: {'y' * 160}\n"
        f"  b: {'x' * 157}..."
    )


def test_a_container_definition_is_listed_by_what_a_reviewer_reads() -> None:
    script = (
        "set -e\nsuperset db upgrade --x\nexec gunicorn -w 2 app\n"
        "python - start <<EOF\nother line\nsuperset init"
    )
    container = {
        "name": "superset",
        "image": "repo@sha256:00",
        "portMappings": [{"containerPort": 8080}, {"containerPort": 9090}],
        "command": ["sh", "-c", script],
        "environment": [
            {"name": "ONE", "value": "plain"},
            {"name": "MANY", "value": "first line of a long file " + "a" * 80 + "\nb\nc"},
        ],
        "secrets": [{"name": "KEY", "valueFrom": "arn:secret:KEY::"}],
        "logConfiguration": {"options": {"awslogs-group": "/g", "awslogs-region": "eu-west-1"}},
    }
    bare = {"name": "sidecar", "image": "redis"}
    import json

    listed = format_render([_res({"containerDefinitions": json.dumps([container, bare])})])
    first = "first line of a long file " + "a" * 34
    assert listed.split("\n", 3)[3] == (
        "aws:test/thing:Thing  thing\n"
        "  container superset: image repo@sha256:00\n"
        "    ports: 8080, 9090\n"
        "    command: sh -c <start script: superset db upgrade; exec gunicorn -w; "
        "python - start; superset init>\n"
        "    env ONE=plain\n"
        f"    env MANY=<3 lines: {first}>\n"
        "    secret KEY from arn:secret:KEY::\n"
        "    logs: /g (eu-west-1)\n"
        "  container sidecar: image redis"
    )


def test_a_build_context_inside_the_project_is_shown_relative_to_it() -> None:
    inside = str(project_root() / "docker" / "superset")
    resources = [
        _res({"build": {"context": inside, "target": "ci"}}),
        _res({"build": {"context": "/elsewhere/ctx"}}, name="outside"),
        _res({"build": {"context": "relative/ctx"}}, name="relative"),
        _res({"build": "just text"}, name="text"),
    ]
    lines = format_render(resources).splitlines()
    assert [ln for ln in lines if ln.startswith("  build")] == [
        '  build: {"context": "<project>/docker/superset", "target": "ci"}',
        '  build: {"context": "/elsewhere/ctx"}',
        '  build: {"context": "relative/ctx"}',
        "  build: just text",
    ]


def test_the_https_dry_runs_router_belongs_to_the_prs_repository() -> None:
    from dataclasses import replace

    d = dry_run(replace(CFG, repo="octo-org/superset-fork"), DOMAIN)
    assert d.router is not None
    (rule,) = d.router.resources
    assert rule.tags == {
        "showtime:pr": "1234",
        "showtime:sha": "abc1234",
        "showtime:repo": "octo-org/superset-fork",
        "showtime:role": "router",
    }


def test_an_https_dry_run_without_a_router_says_so_in_the_address_line() -> None:
    from dataclasses import replace

    text = format_dry_run(replace(dry_run(CFG, DOMAIN), router=None))
    assert "\n\nrouter stack " not in text
    assert text.rsplit("\n\n", 1)[1] == (
        "address (HTTPS mode): https://pr-1234.preview.example.org follows 🎯 (router -); "
        "this SHA alone: https://pr-1234-abc1234.preview.example.org"
    )
