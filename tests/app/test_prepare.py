"""``sync --prepare`` end to end: the real CLI against the GitHub test server (real HTTP) and
the real Pulumi engine (``file://`` backend, the engine tests' program of dynamic resources);
only the AWS live checks are a double.

- a writer's start is prepared (nothing on GitHub is written), and the sync of the same run
  then only adds what runs (the engine's own summary), with every label as a plain start;
- a reader's start, a closed PR, a 🔒 PR, a push by an actor without write access: nothing;
- the sync of that run after a failed build destroys what it prepared (another run's never);
- the cleanup destroys a prepared stack a killed run left (older than 2 h), keeps a young
  one, and never a stack that serves, whatever its tags say.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from showtime_iac.cli import main
from showtime_iac.core import labels as L
from showtime_iac.core.prepared import PREPARED_AT_TAG, PREPARED_BY_TAG
from tests.adapters.stacks.engine_support import World, make_world, requires_engine
from tests.doubles import FakeLive
from tests.github_api_server import GitHubServer
from tests.payloads import HEAD, pull_request

pytestmark = [pytest.mark.engine, requires_engine]

PR = 1234
SHA7 = HEAD[:7]
STACK = f"pr-{PR}-{SHA7}"
LOGS = f"showtime_{STACK}.json"
SERVICE = f"{STACK}-service.json"
IMAGE = f"registry.test/superset-ci:sti-pr-{PR}-{SHA7}"
WRITES = ("POST", "PATCH", "PUT", "DELETE")


@pytest.fixture
def world(
    ghserver: GitHubServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[World, GitHubServer]:
    import showtime_iac.app.wiring as wiring

    w = make_world(tmp_path, monkeypatch)
    for var in ("GITHUB_EVENT_PATH", "GITHUB_EVENT_NAME", "SHOWTIME_POLICY", "SHOWTIME_IMAGE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.delenv("SHOWTIME_IMAGE_SHA", raising=False)
    monkeypatch.delenv("SHOWTIME_DOMAIN", raising=False)
    for var, value in ghserver.env().items():
        monkeypatch.setenv(var, value)
    monkeypatch.setenv("GITHUB_ACTOR", "maintainer")
    monkeypatch.setenv("GITHUB_RUN_ID", "4242")
    monkeypatch.setenv("SHOWTIME_REQUIRE_IMAGE", "true")  # as the action sets it
    monkeypatch.setenv("SHOWTIME_LOCK_RETRY_DELAY", "0.5")
    monkeypatch.chdir(w.root)
    ghserver.collaborators.update({"maintainer": "write", "contributor": "read"})
    real = wiring.open_ports
    live = FakeLive()

    def open_ports(settings: Any, *, repo: str | None = None, policy: Any = None) -> Any:
        ports = real(settings, repo=repo, policy=policy)
        return wiring.Ports(github=ports.github, stacks=ports.stacks, live=live)  # type: ignore[arg-type]

    monkeypatch.setattr(wiring, "open_ports", open_ports)
    return w, ghserver


def _run(
    tmp: Path, capsys: pytest.CaptureFixture[str], *args: str, payload: dict[str, Any] | None = None
) -> tuple[int, dict[str, Any], str]:
    argv = list(args)
    if payload is not None:
        path = tmp / "event.json"
        path.write_text(json.dumps(payload), encoding="utf-8")
        argv += ["--event", str(path), "--event-name", "pull_request_target"]
    capsys.readouterr()
    rc = main([*argv, "--json"])
    out = capsys.readouterr()
    return rc, json.loads(out.out), out.err


def _summary(text: str) -> dict[str, int]:
    """The last ``Resources:`` summary the engine printed: ``{"created": 1, ...}``."""
    tail = text[text.rindex("Resources:") :]
    pattern = r"^\s+(?:[+~-] )?(\d+) (created|updated|deleted|replaced|unchanged)"
    return {m.group(2): int(m.group(1)) for m in re.finditer(pattern, tail, re.M)}


def _stacks(w: World) -> list[str]:
    """The backend's stacks (none when nothing ever opened it)."""
    if not (w.root / "state").exists():
        return []
    return [r["name"] for r in w.stack_ls()]


def _writes(gh: GitHubServer) -> int:
    return sum(gh.count(m) for m in WRITES)


START = pull_request("labeled", [L.START], label=L.START)


def test_a_writers_start_is_prepared_and_its_sync_only_adds_what_runs(
    world: tuple[World, GitHubServer],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    w, gh = world
    gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    rc, doc, err = _run(w.root, capsys, "sync", str(PR), "--prepare", payload=START)
    assert rc == 0, err
    assert (doc["prepared"], doc["stack"], doc["sha"]) == (True, STACK, SHA7)
    assert set(w.objects()) == {LOGS}  # what needs no image, nothing that runs
    assert _writes(gh) == 0 and gh.labels_of(PR) == [L.START]  # no label, no comment
    tags = w.tags(STACK)
    assert tags[PREPARED_BY_TAG] == "run:4242" and PREPARED_AT_TAG in tags
    assert tags["showtime:phase"] == "image"  # what `status` says while the image builds

    # a second prepare (a re-run) leaves it as it is
    rc, again, _err = _run(w.root, capsys, "sync", str(PR), "--prepare", payload=START)
    assert rc == 0 and not again["prepared"] and "exists already" in again["reason"]

    # the build is done: the sync of the same run binds the image and only adds what runs
    monkeypatch.setenv("SHOWTIME_IMAGE", IMAGE)
    monkeypatch.setenv("SHOWTIME_IMAGE_SHA", HEAD)
    rc, done, err = _run(w.root, capsys, "sync", str(PR), payload=START)
    assert rc == 0, err
    assert _summary(err) == {"created": 1, "unchanged": 2}, err
    assert set(w.objects()) == {LOGS, SERVICE} and w.objects()[SERVICE]["image"] == IMAGE
    assert not {PREPARED_AT_TAG, PREPARED_BY_TAG} & set(w.tags(STACK))
    assert w.tags(STACK)["showtime:phase"] == "ready"  # the deploy's own phases followed
    labels = gh.labels_of(PR)
    assert {f"🎪 {SHA7} 🚦 running", f"🎪 🎯 {SHA7}"} <= set(labels)
    # its 📅 label is the moment the stack was prepared: what the resources' tags say
    [created] = [n for n in labels if "📅" in n]
    assert created == f"🎪 {SHA7} 📅 {tags[PREPARED_AT_TAG][:16].replace(':', '-')}"
    assert done["outcome"]["url"] == "http://10.0.0.5:8080"


def test_the_image_phase_goes_with_the_preparation_even_without_progress_notes(
    world: tuple[World, GitHubServer],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`status` says "image" while the image builds; once deployed, never again (the full
    `up` removes it, and with SHOWTIME_PROGRESS=off no later phase replaces it)."""
    w, gh = world
    gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    assert _run(w.root, capsys, "sync", str(PR), "--prepare", payload=START)[0] == 0
    assert w.tags(STACK)["showtime:phase"] == "image"
    monkeypatch.setenv("SHOWTIME_PROGRESS", "off")
    monkeypatch.setenv("SHOWTIME_IMAGE", IMAGE)
    monkeypatch.setenv("SHOWTIME_IMAGE_SHA", HEAD)
    rc, _done, err = _run(w.root, capsys, "sync", str(PR), payload=START)
    assert rc == 0, err
    assert "showtime:phase" not in w.tags(STACK)


RUNNING = ["🎪 1111111 🚦 running", "🎪 🎯 1111111", "🎪 1111111 📅 2026-01-15T14-30"]
BLOCKED = [L.START, L.BLOCKED]
CASES = {
    "reader": ([L.START], pull_request("labeled", [L.START], label=L.START, sender="contributor")),
    "closed": ([L.START], pull_request("labeled", [L.START], label=L.START, state="closed")),
    "blocked": (BLOCKED, pull_request("labeled", BLOCKED, label=L.START)),
    # a push rolls forward without asking the planner's permission: prepare's own check
    "push by a reader": (RUNNING, pull_request("synchronize", RUNNING, sender="contributor")),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_nothing_is_prepared_without_a_writers_start_on_an_open_unblocked_pr(
    world: tuple[World, GitHubServer],
    capsys: pytest.CaptureFixture[str],
    case: str,
) -> None:
    w, gh = world
    labels, payload = CASES[case]
    state = "closed" if case == "closed" else "open"
    gh.add_pr(PR, head_sha=HEAD, labels=labels, state=state)
    rc, doc, err = _run(w.root, capsys, "sync", str(PR), "--prepare", payload=payload)
    assert rc == 0, err
    assert not doc["prepared"], doc
    assert _stacks(w) == [] and w.objects() == {}
    assert _writes(gh) == 0 and gh.labels_of(PR) == labels
    if case == "push by a reader":
        assert "@contributor has 'read' access" in doc["reason"], doc


def test_the_sync_after_a_failed_build_destroys_what_its_run_prepared(
    world: tuple[World, GitHubServer],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    w, gh = world
    gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    rc, doc, err = _run(w.root, capsys, "sync", str(PR), "--prepare", payload=START)
    assert rc == 0 and doc["prepared"], err
    # another run's sync that deploys nothing (no image either) leaves it alone
    monkeypatch.setenv("GITHUB_RUN_ID", "999")
    rc, other, _err = _run(w.root, capsys, "sync", str(PR), payload=START)
    assert rc == 1 and other["plan"]["intent"] == "refuse"
    assert set(w.objects()) == {LOGS} and [r["name"] for r in w.stack_ls()] == [STACK]
    # its own run's: no image was built, nothing deployed, the prepared stack goes
    gh.add_labels(PR, L.START)
    monkeypatch.setenv("GITHUB_RUN_ID", "4242")
    rc, done, err = _run(w.root, capsys, "sync", str(PR), payload=START)
    assert rc == 1, err
    assert any(f"destroyed {STACK}" in a for a in done["outcome"]["actions"]), done
    assert w.stack_ls() == [] and w.objects() == {}


def test_cleanup_destroys_a_stale_prepared_stack_keeps_a_young_one_and_never_a_serving_one(
    world: tuple[World, GitHubServer],
    capsys: pytest.CaptureFixture[str],
) -> None:
    from showtime_iac.app.prepare import prepare

    w, gh = world
    now = datetime.now(UTC)
    stale, young, serving, rolling = 1234, 1235, 1236, 1237
    for number in (stale, young, serving):
        gh.add_pr(number, head_sha=HEAD, labels=[L.START])
    # a push onto a running environment: the new commit's stack is prepared, unlabelled yet
    gh.add_pr(rolling, head_sha=HEAD, labels=RUNNING)
    ages = {stale: timedelta(hours=3), young: timedelta(minutes=10), rolling: timedelta(0)}
    for number, ago in ages.items():
        payload = pull_request("labeled", [L.START], label=L.START)
        if number == rolling:
            payload = pull_request("synchronize", RUNNING)
        payload["number"] = payload["pull_request"]["number"] = number
        path = w.root / f"event-{number}.json"
        path.write_text(json.dumps(payload), encoding="utf-8")
        done = prepare(
            number,
            event_path=path,
            event_name="pull_request_target",
            repo=None,
            policy_file=None,
            dry_run=False,
            now=now - ago,
        )
        assert done.prepared, done
    # a serving stack whose labels were lost, tagged as if a prepare had left it 3 h ago
    d = w.driver()
    from tests.adapters.stacks.engine_support import cfg

    full = cfg(pr=serving, sha=HEAD, image=f"registry.test/x:sti-pr-{serving}-{SHA7}")
    d.up(full)
    name = f"pr-{serving}-{SHA7}"
    at = (now - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    w.pulumi("stack", "tag", "set", PREPARED_AT_TAG, at, "--stack", name)

    rc, report, err = _run(w.root, capsys, "cleanup", "--no-prune-labels")
    assert rc == 0, err
    rows = {r["stacks"][0]: r for r in report["items"] if r["stacks"]}
    assert rows[f"pr-{stale}-{SHA7}"]["result"] == "destroyed"
    assert rows[f"pr-{young}-{SHA7}"]["action"] == "keep"
    assert rows[f"pr-{rolling}-{SHA7}"]["action"] == "keep"  # not a stray: its image builds
    assert rows[name]["result"].startswith("kept"), rows[name]
    assert set(_stacks(w)) == {f"pr-{young}-{SHA7}", f"pr-{rolling}-{SHA7}", name}
    assert f"{name}-service.json" in w.objects()


def test_a_dry_run_makes_the_same_reads_lists_what_it_would_prepare_and_writes_nothing(
    world: tuple[World, GitHubServer],
    capsys: pytest.CaptureFixture[str],
) -> None:
    w, gh = world
    gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    args = ("sync", str(PR), "--prepare", "--dry-run")
    rc, doc, err = _run(w.root, capsys, *args, payload=START)
    assert rc == 0, err
    assert (doc["prepared"], doc["dry_run"], doc["stack"]) == (True, True, STACK)
    types = {r.split()[0] for r in doc["resources"]}
    assert "aws:cloudwatch/logGroup:LogGroup" in types and "aws:iam/role:Role" in types
    assert not types & {"aws:ecs/service:Service", "aws:ecs/taskDefinition:TaskDefinition"}
    assert gh.count("GET", r"/collaborators/maintainer/permission") >= 1  # sync's reads
    assert _writes(gh) == 0 and _stacks(w) == [] and w.objects() == {}
    # plain text: the stack, then one resource a line
    capsys.readouterr()
    assert main([*args, "--event", str(w.root / "event.json")]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"PR #{PR}: would prepare {STACK}") and "dry run: nothing" in out
