"""Regression tests of the security review (issue 15) through the real ``sync``/``cleanup``:
PyGithub over HTTP to the GitHub test server, the stacks and live checks behind their ports.
Each failed on the code before its fix."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from showtime_iac.cli import main
from showtime_iac.core import labels as L
from tests.app.test_sync import HEAD, OLD, PR, SHA7, STACK, Scenario, running, show_labels
from tests.payloads import issue_comment, pull_request

OLD7 = OLD[:7]
OLD_STACK = f"pr-{PR}-{OLD7}"
NEWER = "2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
DIGEST = "123456789012.dkr.ecr.us-west-2.amazonaws.com/superset-ci@sha256:" + "cd" * 32


def writes(run: Scenario) -> list[str]:
    return [f"{r.method} {r.path}" for r in run.gh.requests if r.method != "GET"]


def with_stack(run: Scenario, sha7: str, image: str) -> None:
    """A stack that runs ``image``, built (by the binding) from ``sha7``."""
    name = f"pr-{PR}-{sha7}"
    run.stacks.existing.add(name)
    run.stacks.images[name] = (image, sha7)


# --- 1. an image runs only in the stack of the commit it was built from ---------------------------


def test_finding_1_a_writers_body_edit_keeps_the_stacks_own_image(
    run: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the workflow built the head (NEWER) and hands its image over; the edit reconfigures OLD
    monkeypatch.setenv("SHOWTIME_IMAGE", DIGEST)
    monkeypatch.setenv("SHOWTIME_IMAGE_SHA", NEWER)
    with_stack(run, OLD7, "registry.test/superset-ci:old-image")
    run.gh.add_pr(PR, head_sha=NEWER, labels=running(OLD7))
    seen: list[tuple[str, str | None, str | None]] = []
    run.stacks.on_up = lambda cfg: seen.append((cfg.stack, cfg.image, cfg.image_sha))
    payload = pull_request("edited", running(OLD7), sha=NEWER, body="FEATURE_X=true")
    rc, doc, err = run.sync(payload)
    assert rc == 0, (doc, err)
    assert seen == [(OLD_STACK, "registry.test/superset-ci:old-image", OLD7)]


def test_finding_1_the_fork_authors_body_edit_changes_nothing(run: Scenario) -> None:
    with_stack(run, OLD7, "registry.test/superset-ci:old-image")
    run.gh.add_pr(PR, head_sha=NEWER, labels=running(OLD7), author="contributor")
    payload = pull_request(
        "edited", running(OLD7), sha=NEWER, body="FEATURE_X=true", sender="contributor", fork=True
    )
    rc, _doc, _err = run.sync(payload)
    assert rc == 0
    assert run.stacks.ups == [] and writes(run) == []
    assert run.gh.count("GET", r"/collaborators/contributor/permission$") == 1


def test_finding_1_an_image_built_from_another_commit_is_refused_before_any_write(
    run: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOWTIME_IMAGE", DIGEST)
    monkeypatch.setenv("SHOWTIME_IMAGE_SHA", NEWER)  # built from NEWER; the start is for HEAD
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    rc, _doc, err = run.sync(pull_request("labeled", [L.START], label=L.START))
    assert rc == 2
    assert "built from 2222222" in err and STACK in err
    assert run.stacks.ups == [] and writes(run) == []
    assert run.gh.labels_of(PR) == [L.START]


def test_finding_1_an_image_that_names_no_commit_is_refused(
    run: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOWTIME_IMAGE", DIGEST)
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    rc, _doc, err = run.sync(pull_request("labeled", [L.START], label=L.START))
    assert rc == 2 and "SHOWTIME_IMAGE_SHA" in err
    assert run.stacks.ups == [] and writes(run) == []


def test_finding_1_a_reconfigure_of_a_stack_without_an_image_record_is_refused(
    run: Scenario,
) -> None:
    run.stacks.existing.add(OLD_STACK)  # a stack, but no image output to keep
    run.gh.add_pr(PR, head_sha=OLD, labels=running(OLD7))
    payload = issue_comment("/showtime size large", running(OLD7))
    rc, _doc, _err = run.sync(payload, name="issue_comment")
    assert rc == 1
    assert run.stacks.ups == []
    # only the reply that says why: no label changes, no deploy
    assert writes(run) == [f"POST /repos/{run.gh.repo}/issues/{PR}/comments"]
    [reply] = [c["body"] for c in run.gh.comments_of(PR)]
    assert "records no image" in reply


# --- 4. /showtime refresh deploys the commit the plan job resolved and built -----------------------


def test_finding_4_refresh_deploys_the_commit_whose_image_was_built(
    run: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the plan job resolved HEAD and built it; NEWER was pushed while the build ran
    monkeypatch.setenv("SHOWTIME_IMAGE", DIGEST)
    monkeypatch.setenv("SHOWTIME_IMAGE_SHA", HEAD)
    with_stack(run, OLD7, "registry.test/superset-ci:old-image")
    run.gh.add_pr(PR, head_sha=NEWER, labels=running(OLD7))
    seen: list[tuple[str, str | None]] = []
    run.stacks.on_up = lambda cfg: seen.append((cfg.stack, cfg.image))
    rc, doc, err = run.sync(issue_comment("/showtime refresh", running(OLD7)), name="issue_comment")
    assert rc == 0, (doc, err)
    assert seen == [(STACK, DIGEST)]


def test_finding_4_without_an_image_the_privileged_job_never_builds_and_refuses_the_start(
    run: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOWTIME_REQUIRE_IMAGE", "true")  # the action sets it
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    rc, doc, err = run.sync(pull_request("labeled", [L.START], label=L.START))
    assert rc == 1
    assert "no image was built" in err or (doc is not None and "no image" in str(doc))
    assert run.stacks.ups == []
    assert L.START not in run.gh.labels_of(PR)  # consumed: a later push cannot act on it
    [reply] = [c["body"] for c in run.gh.comments_of(PR)]
    assert "no image" in reply and L.START in reply


# --- 5. labels in a payload may be stale: re-read before the claim; cleanup finds the rest ---------


def test_finding_5_a_push_plans_from_labels_re_read_not_the_stale_payload(run: Scenario) -> None:
    # run 1 deployed NEWER after this push's event was created: the payload still says OLD
    newer7 = NEWER[:7]
    with_stack(run, newer7, "registry.test/superset-ci:newer")
    run.gh.add_pr(PR, head_sha=HEAD, labels=running(newer7))
    rc, doc, err = run.sync(pull_request("synchronize", running(OLD7)))
    assert rc == 0, (doc, err)
    assert run.stacks.existing == {STACK}  # NEWER's stack did not leak
    labels = run.gh.labels_of(PR)
    assert f"🎪 🎯 {SHA7}" in labels and not any(newer7 in n for n in labels)


def test_finding_5_cleanup_destroys_a_stack_that_no_label_references(
    run: Scenario,
) -> None:
    with_stack(run, SHA7, "registry.test/superset-ci:head")
    with_stack(run, OLD7, "registry.test/superset-ci:leaked")  # no label names it
    run.gh.add_pr(PR, head_sha=HEAD, labels=running(SHA7))
    run.capsys.readouterr()
    assert main(["cleanup", "--json", "--no-orphans"]) == 0
    assert run.stacks.existing == {STACK}
    assert run.stacks.destroyed == [OLD_STACK]
    # the PR's environment, its labels and their definitions stay
    assert set(running(SHA7)) <= set(run.gh.labels_of(PR))
    assert f"🎪 🎯 {SHA7}" in run.gh.label_definitions()
    assert run.gh.deployments() == [] and run.gh.comments_of(PR) == []


# --- 8. a failed label write after a deploy loses nothing -------------------------------------------


def test_finding_8_a_502_on_the_final_label_write_keeps_the_old_environment_pointed_to(
    run: Scenario,
) -> None:
    with_stack(run, OLD7, "registry.test/superset-ci:old")
    run.gh.add_pr(PR, head_sha=HEAD, labels=running(OLD7))
    # the claim's POST goes through; every later one (running, 🎯 HEAD) fails for good
    labels_path = rf"/issues/{PR}/labels$"
    run.gh.on("POST", labels_path, lambda _r: run.gh.fail("POST", labels_path, 502, times=99))
    rc, _doc, _err = run.sync(pull_request("synchronize", running(OLD7)))
    assert rc == 1
    labels = run.gh.labels_of(PR)
    # never a PR with no 🎯: the old environment is still pointed to and still exists
    assert f"🎪 🎯 {OLD7}" in labels
    assert OLD_STACK in run.stacks.existing


# --- low: a dry run reads what a real run reads and writes nothing ---------------------------------


def test_finding_low_dry_run_looks_up_the_permission_and_writes_nothing(run: Scenario) -> None:
    run.gh.add_pr(PR, head_sha=HEAD, labels=[L.START])
    payload = pull_request("labeled", [L.START], label=L.START, sender="contributor")
    path = run.tmp_path / "e.json"
    path.write_text(json.dumps(payload), "utf-8")
    run.capsys.readouterr()
    assert main(["sync", str(PR), "--event", str(path), "--dry-run", "--json"]) == 0
    doc = json.loads(run.capsys.readouterr().out)
    assert doc["plan"]["intent"] == "refuse" and doc["plan"]["stacks"] == []
    assert run.gh.count("GET", r"/collaborators/contributor/permission$") == 1
    assert {r.method for r in run.gh.requests} == {"GET"}
    assert run.gh.labels_of(PR) == [L.START] and run.stacks.ups == []


def test_finding_low_dry_run_of_a_push_re_reads_the_labels_like_a_real_run(run: Scenario) -> None:
    newer7 = NEWER[:7]
    with_stack(run, newer7, "registry.test/superset-ci:newer")
    run.gh.add_pr(PR, head_sha=HEAD, labels=running(newer7))
    path = run.tmp_path / "e.json"
    path.write_text(json.dumps(pull_request("synchronize", running(OLD7))), "utf-8")
    run.capsys.readouterr()
    assert main(["sync", str(PR), "--event", str(path), "--dry-run", "--json"]) == 0
    doc = json.loads(run.capsys.readouterr().out)
    ops = {(s["action"], s["stack"]) for s in doc["plan"]["stacks"]}
    assert ("destroy", f"pr-{PR}-{newer7}") in ops
    assert {r.method for r in run.gh.requests} == {"GET"}


# --- 6. a run killed mid-deploy leaves its stack locked: sync and cleanup recover ------------------


def killed_engine(sha: str) -> tuple[object, object]:
    """A Pulumi driver over the engine double, its stack locked by a run killed 3 h ago with
    a create pending; the backend cannot tell a lock's age (S3, Pulumi Cloud)."""
    from showtime_iac.adapters.stacks import PulumiDriver
    from showtime_iac.core.model import EnvConfig, resource_tags
    from tests.doubles import FakeEngine

    engine = FakeEngine()
    name = f"pr-{PR}-{sha[:7]}"
    engine.add(name, tags=resource_tags(EnvConfig(pr=PR, sha=sha)))
    engine.stacks[name]["pending"] = [{"type": "creating", "resource": {"urn": "u::service"}}]
    engine.lock(name, timedelta(hours=3))
    engine.lock_ages_known = False
    driver = PulumiDriver(
        engine,
        env={"PULUMI_CONFIG_PASSPHRASE": "pw"},
        base_config={"aws:region": "us-west-2"},
        sleep=lambda _s: None,
        retry_delay=0.0,
        stale_after=timedelta(hours=1),
    )
    return engine, driver


def with_driver(monkeypatch: pytest.MonkeyPatch, driver: object) -> None:
    from showtime_iac.app.wiring import LazyStacks
    from tests.doubles import FakeLive, use_doubles

    use_doubles(monkeypatch, LazyStacks(lambda: driver), FakeLive())  # type: ignore[arg-type,return-value]


def test_finding_6_sync_recovers_a_stack_a_killed_run_left_locked(
    run: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, driver = killed_engine(HEAD)
    with_driver(monkeypatch, driver)
    claimed = datetime.now(UTC) - timedelta(hours=3)  # the killed run's claim
    labels = [*show_labels(SHA7, "deploying", created=claimed), f"🎪 🏗️ {SHA7}", L.START]
    run.gh.add_pr(PR, head_sha=HEAD, labels=labels)
    rc, doc, err = run.sync(pull_request("labeled", labels, label=L.START))
    assert rc == 0, (doc, err)
    assert engine.ops("cancel") == 1  # type: ignore[attr-defined]
    assert engine.stacks[STACK]["pending"] == []  # type: ignore[attr-defined]
    assert f"🎪 {SHA7} 🚦 running" in run.gh.labels_of(PR)


def test_finding_6_a_fresh_claims_lock_is_never_cancelled(
    run: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, driver = killed_engine(OLD)
    with_driver(monkeypatch, driver)
    old_stack = f"pr-{PR}-{OLD7}"
    # OLD's teardown claim is 10 minutes old: another run may still hold the lock
    labels = [*show_labels(OLD7, "destroying", created=datetime.now(UTC) - timedelta(minutes=10))]
    run.gh.add_pr(PR, head_sha=OLD, labels=[*labels, L.STOP])
    rc, _doc, _err = run.sync(pull_request("labeled", [*labels, L.STOP], label=L.STOP))
    assert rc == 1
    assert engine.ops("cancel") == 0 and old_stack in engine.stacks  # type: ignore[attr-defined]


def test_finding_6_cleanup_recovers_a_teardown_a_killed_run_left_locked(
    run: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, driver = killed_engine(OLD)
    with_driver(monkeypatch, driver)
    # the PR closed; its teardown claimed OLD 3 h ago and was killed
    stamp = datetime.now(UTC) - timedelta(hours=3)
    run.gh.add_pr(PR, head_sha=OLD, labels=show_labels(OLD7, "destroying", created=stamp))
    run.gh.set_state(PR, "closed")
    run.capsys.readouterr()
    assert main(["cleanup", "--json", "--no-orphans", "--no-prune-labels"]) == 0
    assert engine.ops("cancel") == 1  # type: ignore[attr-defined]
    assert f"pr-{PR}-{OLD7}" not in engine.stacks  # type: ignore[attr-defined]
    assert run.gh.labels_of(PR) == []
