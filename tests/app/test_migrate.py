"""``showtime-iac migrate`` against environments Superset Showtime's own code created.

The original (``superset-showtime`` 0.7.1, ``tests/original_showtime.py``) deploys through
moto's server and labels PRs on the GitHub test server; then our CLI runs, with our stacks
and live checks behind their ports (``tests/doubles.py``, as the sync tests do), and the
assertions read moto's state and the PRs' labels.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from showtime_iac.cli import main
from showtime_iac.core import labels as L
from showtime_iac.core.migration import names_collide
from showtime_iac.core.model import EnvConfig, Status, resource_names
from tests.doubles import FakeLive, FakeStacks, use_doubles
from tests.github_api_server import GitHubServer
from tests.original_showtime import (  # noqa: F401
    ORIGINAL_SECURITY_GROUP,
    ORIGINAL_SUBNETS,
    Original,
    original,
)

COLLIDE = bool(names_collide(1234, "abc1234"))
distinct_names = pytest.mark.skipif(
    COLLIDE,
    reason="our AWS names still equal the original's (core.model.resource_names): migrate "
    "refuses (tests/core/test_migration.py tests the refusal)",
)

ROOT = Path(__file__).resolve().parents[2]
A1 = "a1a1a1a" + "0" * 33  # PR 101: started at its head
B1, B2 = "b1b1b1b" + "0" * 33, "b2b2b2b" + "0" * 33  # PR 102: started, then a push
C1 = "c1c1c1c" + "0" * 33  # PR 103: started, then closed
D1, D2 = "d1d1d1d" + "0" * 33, "d2d2d2d" + "0" * 33  # PR 104: started, then force-pushed
E1, E2 = "e1e1e1e" + "0" * 33, "e2e2e2e" + "0" * 33  # PR 105: 1w TTL, bob, pushed, frozen


def given_the_original_runs(o: Original, monkeypatch: pytest.MonkeyPatch) -> None:
    """Five PRs, each in a state the original's own code leaves them in."""
    gh = o.gh
    gh.add_pr(101, head_sha=A1)
    o.push_legacy_image(101, A1)
    o.start(101, A1)
    gh.add_pr(102, head_sha=B1, body="Adds alerts.\n\nFEATURE_ALERTS=true")
    o.start(102, B1)
    gh.push(102, B2)
    o.sync(102)  # the original rolls forward; B1's task definition stays registered
    gh.add_pr(103, head_sha=C1)
    o.start(103, C1)
    gh.set_state(103, "closed")  # its close event never ran the original
    gh.add_pr(104, head_sha=D1)
    o.start(104, D1)
    gh.push(104, D2, force=True)  # d1d1d1d is no longer a commit of the PR
    gh.add_pr(105, head_sha=E1)
    monkeypatch.setenv("GITHUB_ACTOR", "bob")
    o.start(105, E1)
    monkeypatch.setenv("GITHUB_ACTOR", "maintainer")
    gh.remove_labels(105, "🎪 ⌛ 48h")  # a maintainer set the TTL to a week, froze e1e1e1e
    gh.add_labels(105, "🎪 ⌛ 1w", L.FREEZE)
    gh.push(105, E2)


@dataclass
class World:
    o: Original
    gh: GitHubServer
    stacks: FakeStacks
    live: FakeLive
    configs: list[EnvConfig]
    capsys: pytest.CaptureFixture[str]

    def migrate(self, *args: str) -> tuple[int, dict[str, Any]]:
        self.capsys.readouterr()
        rc = main(["migrate", "--json", *args])
        out = self.capsys.readouterr()
        return rc, json.loads(out.out)

    def text(self, *args: str) -> tuple[int, str]:
        self.capsys.readouterr()
        rc = main(["migrate", *args])
        return rc, self.capsys.readouterr().out


@pytest.fixture
def world(
    original: Original,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> World:
    given_the_original_runs(original, monkeypatch)
    stacks, live = FakeStacks(), FakeLive(ip="10.0.9.9")
    configs: list[EnvConfig] = []
    stacks.on_up = configs.append
    use_doubles(monkeypatch, stacks, live)
    return World(original, original.gh, stacks, live, configs, capsys)


def by_sha(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["sha"]: e for e in doc["environments"]}


def ours(sha: str) -> set[str]:
    """Labels that say our environment serves ``sha`` (at the live double's address)."""
    return {f"🎪 {sha[:7]} 🚦 running", f"🎪 🎯 {sha[:7]}", f"🎪 {sha[:7]} 🌐 10.0.9.9:8080"}


# -- what the original left ----------------------------------------------------------------


def test_the_original_left_what_its_code_says(world: World) -> None:
    """The inventory migration starts from, as the original's own code made it."""
    assert world.o.services() == {
        "pr-101-a1a1a1a-service": "ACTIVE",
        "pr-102-b2b2b2b-service": "ACTIVE",
        "pr-103-c1c1c1c-service": "ACTIVE",
        "pr-104-d1d1d1d-service": "ACTIVE",
        "pr-105-e1e1e1e-service": "ACTIVE",
    }
    # one revision of the shared family per deploy, never deregistered (b1's stays)
    assert len(world.o.task_definitions()) == 6
    assert world.o.ecr_tags() == ["pr-101-a1a1a1a-ci"]
    labels = set(world.gh.labels_of(101))
    assert {"🎪 a1a1a1a 🚦 running", "🎪 a1a1a1a 🤡 maintainer", "🎪 ⌛ 48h"} <= labels
    assert "🎪 a1a1a1a 🌐 203.0.113.10:8080" in labels
    # 0.7.1 removes its own 🎯 right after writing it (_update_show_labels)
    assert not any(n.startswith("🎪 🎯") for n in labels)


# -- dry run -------------------------------------------------------------------------------


@distinct_names
def test_dry_run_lists_everything_and_writes_nothing(world: World) -> None:
    before = world.o.snapshot()
    labels_before = {n: world.gh.labels_of(n) for n in (101, 102, 103, 104, 105)}
    world.gh.reset_log()

    rc, doc = world.migrate("--dry-run")

    assert rc == 0
    assert world.gh.requests and {r.method for r in world.gh.requests} == {"GET"}
    assert world.o.snapshot() == before
    assert {n: world.gh.labels_of(n) for n in labels_before} == labels_before
    assert world.stacks.ups == [] and world.stacks.destroyed == []
    envs = by_sha(doc)
    assert {s: e["action"] for s, e in envs.items()} == {
        "a1a1a1a": "migrate",
        "b1b1b1b": "prune",
        "b2b2b2b": "migrate",
        "c1c1c1c": "prune",
        "d1d1d1d": "prune",
        "e1e1e1e": "migrate",
    }
    a = envs["a1a1a1a"]
    assert a["labels"]["status"] == "running" and a["labels"]["active"] is True
    assert a["labels"]["ip"] == "203.0.113.10" and a["labels"]["requester"] == "maintainer"
    assert a["labels"]["ttl"] == "48h"
    assert a["aws"]["service"] == "pr-101-a1a1a1a-service"
    assert a["aws"]["image"] == "apache/superset:pr-101-a1a1a1a-ci"
    assert a["aws"]["ip"] == "203.0.113.10" and a["aws"]["running"] == "1/1"
    assert a["aws"]["task_definition"].endswith(":task-definition/superset-ci:1")
    assert a["aws"]["created"] is not None and a["aws"]["ecr_tags"] == ["pr-101-a1a1a1a-ci"]
    assert envs["b1b1b1b"]["aws"]["service"] is None
    assert len(envs["b1b1b1b"]["aws"]["task_definitions"]) == 1
    assert "closed" in envs["c1c1c1c"]["reasons"][0]
    assert "no longer a commit" in envs["d1d1d1d"]["reasons"][0]
    assert envs["e1e1e1e"]["labels"]["ttl"] == "1w"


@distinct_names
def test_dry_run_text_names_what_runs_and_what_happens(world: World) -> None:
    rc, out = world.text("--dry-run")
    assert rc == 0
    assert "dry run: nothing written" in out
    assert "PR #101  a1a1a1a  would migrate" in out
    assert "service pr-101-a1a1a1a-service (ACTIVE, 1/1 running" in out
    assert "image apache/superset:pr-101-a1a1a1a-ci · ip 203.0.113.10" in out
    assert "PR #103 (closed)  c1c1c1c  prune with --prune" in out
    assert "3 to migrate, 3 to prune (run with --prune), 0 left" in out


# -- migrate -------------------------------------------------------------------------------


@distinct_names
def test_migrate_takes_over_every_environment_in_use(world: World) -> None:
    created = {n: next(x for x in world.gh.labels_of(n) if "📅" in x) for n in (101, 102, 105)}

    rc, doc = world.migrate()

    assert rc == 0, doc
    assert world.stacks.ups == ["pr-101-a1a1a1a", "pr-102-b2b2b2b", "pr-105-e1e1e1e"]
    cfg = {c.pr: c for c in world.configs}
    # same SHA and image, same TTL (and deadline), same requester, same feature flags
    assert cfg[101].sha == A1 and cfg[101].image == "apache/superset:pr-101-a1a1a1a-ci"
    assert (cfg[101].ttl.value, cfg[101].requester) == ("48h", "maintainer")
    assert cfg[102].flags == (("ALERTS", True),)
    assert (cfg[105].sha, cfg[105].ttl.value, cfg[105].requester) == (E1, "1w", "bob")
    for n, sha in ((101, A1), (102, B2), (105, E1)):
        labels = set(world.gh.labels_of(n))
        assert ours(sha) <= labels
        assert created[n] in labels  # the creation time (and so the deadline) is kept
        assert not any("🤡" in x or x.startswith("🎪 ⌛ ") for x in labels)
        st = L.parse_state(labels)
        assert st.active is not None and st.active.status is Status.RUNNING
        assert st.active.ip == "10.0.9.9:8080" and not st.warnings
    assert "🎪 e1e1e1e ⌛ 1w" in world.gh.labels_of(105) and L.FREEZE in world.gh.labels_of(105)
    assert "🎪 b2b2b2b ⚙️ ALERTS" in world.gh.labels_of(102)
    # what the original created for those three is gone; the rest waits for --prune
    assert world.o.services() == {
        "pr-103-c1c1c1c-service": "ACTIVE",
        "pr-104-d1d1d1d-service": "ACTIVE",
    }
    assert world.o.ecr_tags() == []
    assert len(world.o.task_definitions()) == 3  # b1's stray, c1's, d1's
    assert "🎪 c1c1c1c 🚦 running" in world.gh.labels_of(103)
    assert "🎪 d1d1d1d 🚦 running" in world.gh.labels_of(104)
    # reviewers find the new address in the sticky comment and the deployment
    [body] = [c["body"] for c in world.gh.comments_of(101) if "moved from Superset" in c["body"]]
    assert "http://10.0.9.9:8080" in body
    deps = [d for d in world.gh.deployments() if d["environment"] == "pr-101"]
    assert deps and deps[-1]["statuses"][-1]["state"] == "success"
    assert world.live.urls == ["http://10.0.9.9:8080/health"] * 3


@distinct_names
def test_prune_leaves_nothing_of_the_original(world: World) -> None:
    rc, _ = world.migrate()
    assert rc == 0

    rc, doc = world.migrate("--prune")

    assert rc == 0, doc
    assert world.o.services() == {}
    assert world.o.task_definitions() == []
    assert world.o.ecr_tags() == []
    for n in (103, 104):
        assert not any(x.startswith("🎪") for x in world.gh.labels_of(n)), world.gh.labels_of(n)
    # every PR a reviewer uses has an environment of ours marked healthy
    for n, sha in ((101, A1), (102, B2), (105, E1)):
        assert ours(sha) <= set(world.gh.labels_of(n))
    assert world.stacks.ups == ["pr-101-a1a1a1a", "pr-102-b2b2b2b", "pr-105-e1e1e1e"]


@distinct_names
def test_migrate_twice_changes_nothing_the_second_time(world: World) -> None:
    world.migrate("--prune")
    labels = {n: world.gh.labels_of(n) for n in (101, 102, 103, 104, 105)}
    world.gh.reset_log()

    rc, doc = world.migrate("--prune")

    assert rc == 0
    assert {e["action"] for e in doc["environments"]} == {"leave"}
    assert all("already ours" in e["reasons"][0] for e in doc["environments"])
    assert {r.method for r in world.gh.requests} == {"GET"}
    assert {n: world.gh.labels_of(n) for n in labels} == labels
    assert len(world.stacks.ups) == 3


@distinct_names
def test_a_failed_deploy_of_ours_leaves_the_original_untouched(world: World) -> None:
    labels = {n: world.gh.labels_of(n) for n in (101, 102, 105)}
    before = world.o.snapshot()
    world.live.unhealthy = "health check of http://10.0.9.9:8080/health timed out after 900s"

    rc, doc = world.migrate()

    assert rc == 1
    errors = {e["sha"]: e["error"] for e in doc["environments"] if e["action"] == "migrate"}
    assert set(errors) == {"a1a1a1a", "b2b2b2b", "e1e1e1e"}
    assert all("timed out" in e for e in errors.values())
    assert {n: world.gh.labels_of(n) for n in labels} == labels
    assert world.o.snapshot() == before
    # ours came up, failed its health check and was destroyed again
    assert (
        world.stacks.destroyed
        == world.stacks.ups
        == [
            "pr-101-a1a1a1a",
            "pr-102-b2b2b2b",
            "pr-105-e1e1e1e",
        ]
    )
    assert world.stacks.existing == set()


@distinct_names
def test_a_service_that_is_not_the_originals_is_never_deleted(world: World) -> None:
    """Name pattern and labels agree, but its tags do not say the original made it."""
    ecs = world.o.clients["ecs"]
    arn = ecs.describe_services(cluster="superset-ci", services=["pr-101-a1a1a1a-service"])[
        "services"
    ][0]["serviceArn"]
    ecs.untag_resource(resourceArn=arn, tagKeys=["showtime_managed"])

    rc, doc = world.migrate()

    assert rc == 1
    [a] = [e for e in doc["environments"] if e["sha"] == "a1a1a1a"]
    assert any("showtime_managed" in r for r in a["refused"])
    assert world.o.services()["pr-101-a1a1a1a-service"] == "ACTIVE"
    # ours serves (it was healthy before anything was deleted)
    assert ours(A1) <= set(world.gh.labels_of(101))


# -- side by side ----------------------------------------------------------------------------


def _declare_ours(o: Original, pr: int, sha: str) -> None:
    """What our program declares for one environment, in the same cluster and repository."""
    from tests.doubles import manifest, tag_list

    names = resource_names(pr, sha)
    tags = tag_list({"showtime:pr": str(pr), "showtime:sha": sha[:7]})
    ecs = o.clients["ecs"]
    td = ecs.register_task_definition(
        family=names.task_family,
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="1024",
        memory="2048",
        containerDefinitions=[{"name": "superset", "image": "superset:ci", "memory": 2048}],
        tags=tags,
    )["taskDefinition"]["taskDefinitionArn"]
    net = {"subnets": [ORIGINAL_SUBNETS[0]], "securityGroups": [ORIGINAL_SECURITY_GROUP]}
    ecs.create_service(
        cluster="superset-ci",
        serviceName=names.service,
        taskDefinition=td,
        desiredCount=1,
        launchType="FARGATE",
        networkConfiguration={"awsvpcConfiguration": net},
        tags=tags,
    )
    o.clients["ecr"].put_image(
        repositoryName="superset-ci", imageManifest=manifest(f"ours-{pr}"), imageTag=names.image_tag
    )


@distinct_names
def test_the_originals_sweep_never_reaches_our_resources(world: World) -> None:
    """The original's own `cleanup` (its label expiry, here at 0 h instead of 48 h, and its
    AWS orphan sweep of `pr-*` services) next to ours, one of them named by no label at all
    (the baseline, PR 0)."""
    assert world.migrate()[0] == 0
    for pr, sha in ((101, A1), (102, B2), (105, E1), (0, "f0f0f0f" + "0" * 33)):
        _declare_ours(world.o, pr, sha)
    mine = [resource_names(pr, sha) for pr, sha in ((101, A1), (102, B2), (105, E1))]
    mine.append(resource_names(0, "f0f0f0f"))

    rc, out = world.o.run("cleanup", "--force", "--older-than", "0h", "--no-cleanup-labels")

    assert rc == 0 and "Cleaned up" in out, out  # it did sweep: its own leftovers went
    assert "pr-103-c1c1c1c-service" not in world.o.services()
    services, tags = world.o.services(), world.o.ecr_tags()
    for n in mine:
        assert services.get(n.service) == "ACTIVE", out
        assert n.image_tag in tags
        assert len(world.o.task_definitions(n.task_family)) == 1
    # the labels are shared vocabulary: its expiry strips them, ours included (see the docs:
    # the switch disables its workflows in the same step)
    assert not any(x.startswith("🎪") for x in world.gh.labels_of(101))


def test_our_sweep_never_reaches_the_originals(world: World) -> None:
    """Our orphan sweep with none of our stacks and no open PR: every resource of the
    original (services, task definitions, the legacy ECR tag) is left alone. Even with names
    equal to the original's: an ECR image is ours only in the repository showtime-iac
    manages or beside tagged resources of its PR and SHA (issue 15)."""
    from datetime import UTC, datetime, timedelta

    from showtime_iac.adapters.aws import AwsLive
    from showtime_iac.adapters.aws.session import AwsClients

    c = world.o.clients
    live = AwsLive(AwsClients(c["ecs"], c["ec2"], c["ecr"], c["logs"]), cluster="superset-ci")
    decisions = live.find_orphans([], [], datetime.now(UTC) + timedelta(days=30))
    seen = {d.resource.name: d.action for d in decisions}
    # non-vacuous: it looked at the original's services and its legacy image, and skipped them
    assert {n: seen.get(n) for n in world.o.services()} == dict.fromkeys(world.o.services(), "skip")
    # its legacy image tag is not even a candidate: our sweep reads `sti-pr-*` tags only
    assert "pr-101-a1a1a1a-ci" not in seen
    assert [n for n, a in seen.items() if a == "delete"] == []


# -- the docs show the real output -----------------------------------------------------------

_MASK = (
    (re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}-\d{2}"), "<time>"),
    (re.compile(r"\(ACTIVE, 1/1 running, [0-9dhm]+ old\)"), "(ACTIVE, 1/1 running, <age> old)"),
)


def _masked(text: str) -> str:
    for rx, sub in _MASK:
        text = rx.sub(sub, text)
    return text


@distinct_names
def test_the_migration_page_shows_the_real_dry_run(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dry-run block of docs/migration.md is this world's real output (times and ages
    masked); ``SHOWTIME_REGEN_DOCS=1`` rewrites it."""
    rc, out = world.text("--dry-run")
    assert rc == 0
    path = ROOT / "docs" / "migration.md"
    page = path.read_text(encoding="utf-8")
    m = re.search(r"(<!-- dry-run: [^>]*-->\n```text\n)(.*?)(```\n)", page, re.S)
    assert m is not None, "docs/migration.md has no dry-run block"
    if os.environ.get("SHOWTIME_REGEN_DOCS") and _masked(m.group(2)) != _masked(out):
        path.write_text(page[: m.start(2)] + out + page[m.end(2) :], encoding="utf-8")
        return
    assert _masked(m.group(2)) == _masked(out), (
        "docs/migration.md's dry-run block is not the CLI's output "
        "(SHOWTIME_REGEN_DOCS=1 rewrites it):\n" + out
    )
