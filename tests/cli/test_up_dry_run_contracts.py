"""Contracts of ``up --dry-run`` and of the request ``up`` builds (issue 29): the reason line
of the offline render (no pulumi CLI, or a stack that does not exist yet), the preview of an
existing stack (its ``--json`` document, the project ``--project-dir`` names, the engine's
output on stderr), the policy ``$SHOWTIME_POLICY`` names, a baseline ``--ref`` dry run that
needs no engine, and the commit an ``--image`` is bound to."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from showtime_iac.app import environments as E
from showtime_iac.core.model import Ttl
from tests.app.test_environments_contracts import named_project, opened  # noqa: F401
from tests.cli.test_cli_stacks import SHA, engine, no_engine, run  # noqa: F401  (fixtures)
from tests.doubles import FakeEngine

NOW = "2026-12-07T10:00:00Z"
NO_CLI = "pulumi CLI not on PATH: offline render, nothing deployed"


def test_without_the_cli_the_reason_line_is_printed_whole(
    no_engine: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    rc, _, err = run(["up", "1234", "--sha", SHA, "--dry-run", "--now", NOW], capsys)
    assert rc == 0 and err.splitlines()[0] == f"showtime-iac: {NO_CLI}"
    rc, out, _ = run(["up", "1234", "--sha", SHA, "--dry-run", "--now", NOW, "--json"], capsys)
    doc = json.loads(out)
    assert (doc["stack"], doc["mode"], doc["reason"]) == ("pr-1234-abc1234", "offline", NO_CLI)


def test_a_stack_that_does_not_exist_yet_is_rendered_offline_as_of_now(
    engine: FakeEngine,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    rc, out, err = run(["up", "55", "--sha", SHA, "--dry-run", "--now", NOW], capsys)
    assert rc == 0
    assert (
        err.splitlines()[0]
        == "showtime-iac: stack pr-55-abc1234 does not exist yet: offline render"
    )
    assert "  + 🎪 abc1234 📅 2026-12-07T10-00   (claim)" in out.splitlines()
    assert engine.ops("preview") == 0  # nothing is asked of the engine beyond the lookup
    rc, out, _ = run(["up", "55", "--sha", SHA, "--dry-run", "--now", NOW, "--json"], capsys)
    doc = json.loads(out)
    assert (doc["stack"], doc["mode"], doc["reason"]) == (
        "pr-55-abc1234",
        "offline",
        "stack pr-55-abc1234 does not exist yet: offline render",
    )


def test_the_preview_of_an_existing_stack(
    engine: FakeEngine,  # noqa: F811
    opened: list[tuple[Any, ...]],  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``pulumi preview`` in the project ``--project-dir`` names; its output lines reach
    stderr; ``--json`` is ``{"stack", "mode": "preview", "ok"}``."""
    real_preview = engine.preview

    def preview(stack: str, on_event: Any, **kw: Any) -> None:
        if kw.get("on_output") is not None:
            kw["on_output"]("~  aws:ecs:Service service update")
        real_preview(stack, on_event, **kw)

    monkeypatch.setattr(engine, "preview", preview)
    other = named_project(tmp_path)
    rc, out, err = run(
        ["up", "1234", "--sha", SHA, "--dry-run", "--project-dir", str(other)], capsys
    )
    assert (rc, out) == (0, "")
    assert err.splitlines() == ["~  aws:ecs:Service service update"]
    assert [c[0] for c in opened] == [other] and engine.ops("preview") == 1
    rc, out, _ = run(["up", "1234", "--sha", SHA, "--dry-run", "--json"], capsys)
    assert rc == 0
    assert json.loads(out) == {"stack": "pr-1234-abc1234", "mode": "preview", "ok": True}


def policy_file(tmp_path: Path) -> Path:
    """A policy away from the working directory: new environments idle 48h, live 3 days."""
    path = tmp_path / "elsewhere" / "policy.toml"
    path.parent.mkdir()
    path.write_text('default_ttl = "48h"\nmax_age = "3d"\n')
    return path


def test_the_dry_run_labels_follow_the_policy_showtime_policy_names(
    no_engine: Path,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SHOWTIME_POLICY", str(policy_file(tmp_path)))
    rc, out, _ = run(["up", "1234", "--sha", SHA, "--dry-run", "--now", NOW], capsys)
    assert rc == 0
    assert "  + 🎪 abc1234 ⌛ idle 48h · max 2026-12-10T10-00   (claim)" in out.splitlines()


def test_up_request_reads_the_policy_named_in_the_env_it_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no ./showtime.toml
    monkeypatch.delenv("SHOWTIME_POLICY", raising=False)
    env = {"SHOWTIME_POLICY": str(policy_file(tmp_path))}
    req = E.up_request(1234, None, SHA, None, None, None, env)
    assert req.policy.max_age == timedelta(days=3) and req.cfg.ttl == Ttl("48h")
    assert req.max_age == timedelta(days=3)


@contextmanager
def kept(lines: list[str]) -> Iterator[Callable[[str], None]]:
    yield lines.append


def test_the_offline_dry_run_names_its_stack(
    engine: FakeEngine,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``DryRun.stack`` is the stack rendered: for a stack that does not exist yet, and
    without a pulumi CLI."""
    lines: list[str] = []
    now = datetime(2026, 12, 7, 10, tzinfo=UTC)
    req = E.up_request(55, None, SHA, None, None, None, {})
    result = E.dry_run_up(req, None, lambda: kept(lines), now=now)
    assert result.stack == "pr-55-abc1234" and result.offline is not None
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr("showtime_iac.adapters.stacks.find_engine", lambda env=None: None)
    result = E.dry_run_up(req, None, lambda: kept(lines), now=now)
    assert result.stack == "pr-55-abc1234" and result.offline is not None
    assert result.offline.reason == NO_CLI


def test_a_baseline_dry_run_looks_up_the_branch_without_an_engine(
    no_engine: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Only a real ``up --ref`` needs the pulumi CLI before the branch's tip is looked up."""
    monkeypatch.setenv("GITHUB_SHA", SHA)
    monkeypatch.setenv("GITHUB_REF_NAME", "main")
    rc, out, err = run(["up", "--ref", "main", "--dry-run", "--json"], capsys)
    assert rc == 0  # stderr: the render's warnings only
    assert all(line.startswith("showtime-iac: warning: ") for line in err.splitlines())
    doc = json.loads(out)
    assert (doc["stack"], doc["mode"], doc["reason"]) == ("pr-0-abc1234", "offline", NO_CLI)


def test_an_image_up_records_the_commit_it_was_built_from(
    engine: FakeEngine,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    rc, _, _ = run(["up", "1234", "--sha", SHA.upper(), "--image", "nginx:1.27"], capsys)
    assert rc == 0
    assert engine.get_config("pr-1234-abc1234")["showtime-iac:imageSha"] == SHA


def test_an_image_tagged_for_another_commit_is_refused(
    no_engine: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    image = "ghcr.io/acme/superset:sti-pr-1234-deadbee"
    rc, out, err = run(["up", "1234", "--sha", SHA, "--image", image, "--dry-run"], capsys)
    assert (rc, out) == (2, "")
    assert err == (
        f"showtime-iac: error: image {image} was built from deadbee (its tag names PR 1234),"
        " not abc1234: stack pr-1234-abc1234 only runs an image built from abc1234;"
        " refused, nothing changed\n"
    )
