"""A new user's first run (issue 18): what `up --dry-run` makes up, the TTL it previews, usage
errors as one line for every command, echoed input cut short, input checked before any
adapter opens, the `--json` keys the help names, and a plain `sync` result."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import typer

from showtime_iac import settings
from showtime_iac.app import wiring
from showtime_iac.cli import app, main
from showtime_iac.core import labels as L
from showtime_iac.errors import InputError
from tests.cli.test_cli_stacks import no_engine  # noqa: F401  (fixture)
from tests.doubles import FakeLive, FakeStacks, use_doubles
from tests.github_api_server import GitHubServer

SHA = "abc1234def5678abc1234def5678abc1234def56"
LONG = "x" * 10_000
ROOT = Path(__file__).resolve().parents[2]


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    rc = main(args)
    out = capsys.readouterr()
    return rc, out.out, out.err


def one_error_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("showtime-iac: error: ") and "Traceback" not in err
    return lines[0]


# --------------------------------------------------------------------------- up --dry-run


def test_offline_dry_run_warns_once_of_every_placeholder(
    no_engine: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    """One line each (issue 16 item 6), every made-up value named exactly once."""
    rc, out, err = run(["up", "1234", "--sha", SHA, "--dry-run"], capsys)
    assert rc == 0 and "sg-placeholder" in out  # the render itself uses them
    warnings = [line for line in err.splitlines() if line.startswith("showtime-iac: warning:")]
    assert len(warnings) == len(set(warnings)) >= 5
    for made_up in ("sg-placeholder:", "subnet-placeholder-a", "account 000000000000"):
        assert sum(made_up in w for w in warnings) == 1, made_up
    digest = re.search(r"@sha256:([0-9a-f]{12})", out)
    assert digest is not None and sum("image digest" in w for w in warnings) == 1


def test_offline_dry_run_json_carries_the_warning_too(
    no_engine: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    image = "ghcr.io/apache/superset:abc1234"
    rc, out, err = run(
        ["up", "1234", "--sha", SHA, "--image", image, "--dry-run", "--json"], capsys
    )
    assert rc == 0
    warnings = json.loads(out)["warnings"]
    joined = "\n".join(warnings)
    assert "sg-placeholder" in joined and "000000000000" in joined
    assert "image digest" not in joined  # a prebuilt image: no build, no made-up digest
    for warning in warnings:
        assert f"showtime-iac: warning: {warning}" in err.splitlines()


def test_label_preview_uses_the_requested_ttl(
    no_engine: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    rc, out, _ = run(["up", "1234", "--sha", SHA, "--ttl", "48h", "--dry-run"], capsys)
    assert rc == 0 and "showtime:ttl=48h" in out
    # the idle TTL asked for, and the max age from now (the run's clock)
    assert any(
        line.startswith("  + 🎪 abc1234 ⌛ idle 48h · max ") and line.endswith("   (claim)")
        for line in out.splitlines()
    )
    assert "⌛ 24h" not in out and "idle 24h" not in out
    assert "showtime:max-age-at=" in out  # a direct `up` records none yet (see the report)
    rc, out, _ = run(["up", "1234", "--sha", SHA, "--ttl", "7d", "--dry-run", "--json"], capsys)
    claim = json.loads(out)["labels"]["claim"]["add"]
    assert any(n.startswith("🎪 abc1234 ⌛ idle 7d · max ") for n in claim)


def test_up_ttl_above_the_policy_max_is_exit_2(
    no_engine: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    rc, out, err = run(["up", "1234", "--sha", SHA, "--ttl", "9999h", "--dry-run"], capsys)
    assert rc == 2 and out == ""
    assert "max_ttl of 7d" in one_error_line(err)


def test_up_ttl_follows_the_policy_file(
    no_engine: Path,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text('default_ttl = "12h"\nmax_ttl = "2d"\n')
    monkeypatch.setenv("SHOWTIME_POLICY", str(policy))
    rc, _, err = run(["up", "1234", "--sha", SHA, "--ttl", "3d", "--dry-run"], capsys)
    assert rc == 2 and "max_ttl of 2d" in err
    rc, out, _ = run(["up", "1234", "--sha", SHA, "--ttl", "2d", "--dry-run"], capsys)
    assert rc == 0 and "⌛ idle 2d · max " in out
    rc, out, _ = run(["up", "1234", "--sha", SHA, "--dry-run"], capsys)
    assert rc == 0 and "showtime:ttl=12h" in out and "⌛ idle 12h · max " in out  # the default


def test_baseline_dry_run_previews_no_labels(
    no_engine: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    rc, out, _ = run(["up", "--ref", "master", "--sha", SHA, "--dry-run"], capsys)
    assert rc == 0 and "showtime:pr=0" in out
    assert "🎪" not in out and "(claim)" not in out
    assert out.rstrip().endswith("no labels: the baseline (--ref) is no PR's environment")


# --------------------------------------------------------------------------- usage errors


def _commands(group: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    for name, cmd in sorted(group.commands.items()):
        sub = getattr(cmd, "commands", None)
        found += _commands(cmd, (*path, name)) if sub else [(*path, name)]
    return found


EVERY_COMMAND = _commands(typer.main.get_command(app))


def test_every_command_is_listed() -> None:
    names = {" ".join(c) for c in EVERY_COMMAND}
    assert {"up", "sync", "plan", "logs", "labels setup", "doctor", "dashboard"} <= names


@pytest.mark.parametrize("command", EVERY_COMMAND, ids=" ".join)
def test_a_usage_error_is_one_line_for_every_command(
    command: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, err = run([*command, "--no-such-option"], capsys)
    assert rc == 2 and out == ""
    line = one_error_line(err)
    assert "No such option: --no-such-option" in line
    assert line.endswith(f"(see 'showtime-iac {' '.join(command)} --help')")


@pytest.mark.parametrize(
    ("args", "where"),
    [
        (["up", "1234", "--ttl"], "up"),  # Click's parser raises these without a context
        (["labels", "setup", "--repo"], "labels setup"),
        (["nosuchcommand"], ""),
    ],
)
def test_parser_errors_name_the_right_help(
    args: list[str], where: str, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, _, err = run(args, capsys)
    assert rc == 2
    assert one_error_line(err).endswith(
        f"(see '{' '.join(['showtime-iac', where]).strip()} --help')"
    )


@pytest.mark.parametrize(
    "args",
    [
        ["sync", "-1"],
        ["status", "-5"],
        ["destroy", "0"],
        ["logs", "abc"],
        ["up", "-3", "--sha", SHA],
        ["drift", "-1"],
    ],
)
def test_a_bad_pr_number_says_so(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    rc, _, err = run(args, capsys)
    assert rc == 2
    line = one_error_line(err)
    assert f"Invalid value '{args[1]}': PR must be a positive number" in line
    assert "No such option" not in line


def test_up_without_pr_or_ref_asks_for_one(
    no_engine: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    rc, _, err = run(["up", "--sha", "abc1234", "--dry-run"], capsys)
    assert rc == 2
    line = one_error_line(err)
    assert "give a PR number or --ref BRANCH" in line and "not both" not in line


@pytest.mark.parametrize(
    "args",
    [
        ["plan", "--event", f"/tmp/{LONG}"],
        ["plan", "--event", LONG],
        ["plan", "--event", "examples/pr-labeled-start.json", "--policy", f"/tmp/{LONG}"],
        ["sync", "1", "--event", f"/tmp/{LONG}"],
        ["list", "--policy", f"/tmp/{LONG}"],
        ["status", "1", "--policy", LONG],
        ["plan", f"--{LONG}"],
        ["up", LONG],
        ["list", "--status", LONG],
        ["logs", "1", "--tail", LONG],
    ],
    ids=lambda a: " ".join(x[:12] for x in a),
)
def test_long_input_is_echoed_once_and_cut(
    args: list[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)  # no ./showtime.toml
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / "pr-labeled-start.json").write_text(
        (ROOT / "examples" / "pr-labeled-start.json").read_text(encoding="utf-8")
    )
    rc, _, err = run(args, capsys)
    assert rc == 2
    line = one_error_line(err)
    assert len(line) < 300, line
    assert len(re.findall("x{20,}", line)) == 1  # once, not twice (an OSError repeats the name)
    assert "x" * 80 not in line


def _no_adapter(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_a: Any, **_k: Any) -> Any:
        raise AssertionError("an adapter was opened before the input was checked")

    for name in ("open_aws", "open_github", "open_ports", "open_stacks"):
        monkeypatch.setattr(wiring, name, refuse)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["logs", "1234", "--sha", "xyz"], "invalid commit SHA"),
        (["up", "--ref", "master", "--ttl", "9999h"], "max_ttl"),
        (["up", "--ref", "master", "--ttl", "forever"], "invalid TTL"),
        (["up", "--ref", "master", "--sha", "nothex"], "invalid commit SHA"),
        (["destroy", "1234", "--sha", "xyz"], "invalid commit SHA"),
        (["list", "--status", "nope"], "is not a status"),
        (["sync", "1", "--event", "/nonexistent/event.json"], "not found"),
        (["cleanup", "--policy", "/nonexistent/policy.toml"], "not found"),
        (["status", "1", "--policy", "/nonexistent/policy.toml"], "not found"),
        (["dashboard", "--out", "/tmp/never-written", "--now", "yesterday"], "ISO 8601"),
    ],
)
def test_input_is_checked_before_any_adapter_opens(
    args: list[str],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _no_adapter(monkeypatch)
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_x")  # so `--ref` would ask GitHub for the tip
    monkeypatch.setenv("GITHUB_REPOSITORY", "apache/superset")
    monkeypatch.delenv("GITHUB_SHA", raising=False)
    rc, _, err = run(args, capsys)
    assert rc == 2 and message in one_error_line(err)


# --------------------------------------------------------------------------- --json keys


def _documented_keys(command: str) -> set[str]:
    """The quoted words of the paragraph of ``command --help`` that starts "--json keys"."""
    help_text = typer.main.get_command(app).commands[command].help or ""
    paragraph = help_text.split("--json keys:", 1)[1].split("\n\n", 1)[0]
    return set(re.findall(r'"([a-z_]+)"', paragraph))


def _keys(doc: Any) -> set[str]:
    if isinstance(doc, dict):
        return set(doc) | {k for v in doc.values() for k in _keys(v)}
    return set()


def test_up_dry_run_json_keys_are_the_ones_help_names(
    no_engine: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    rc, out, _ = run(["up", "1234", "--sha", SHA, "--dry-run", "--json"], capsys)
    doc = json.loads(out)
    top = set(doc) | set(doc["labels"]) | set(doc["labels"]["claim"]) | set(doc["resources"][0])
    documented = _documented_keys("up")
    assert rc == 0 and top <= documented, top - documented
    missing_from_doc = {"stack", "mode", "reason", "warnings", "resources", "labels"} - top
    assert not missing_from_doc


def test_sync_json_keys_are_the_ones_help_names(
    ghserver: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _github_env(ghserver, monkeypatch, tmp_path)
    use_doubles(monkeypatch, FakeStacks(), FakeLive())
    ghserver.add_pr(77, head_sha="a" * 40, labels=["bug"])
    documented = _documented_keys("sync")
    rc, out, _ = run(["sync", "77", "--dry-run", "--json"], capsys)
    assert rc == 0 and set(json.loads(out)) == {"dry_run", "plan"} <= documented
    rc, out, _ = run(["sync", "77", "--json"], capsys)
    doc = json.loads(out)
    assert rc == 0 and set(doc) | set(doc["outcome"]) <= documented


# --------------------------------------------------------------------------- sync, token


def _github_env(gh: GitHubServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in ("GITHUB_EVENT_PATH", "GITHUB_EVENT_NAME", "SHOWTIME_POLICY", "GITHUB_STEP_SUMMARY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("GITHUB_API_URL", gh.url)
    monkeypatch.setenv("GITHUB_TOKEN", gh.token)
    monkeypatch.setenv("GITHUB_REPOSITORY", gh.repo)
    monkeypatch.chdir(tmp_path)


def test_sync_with_nothing_to_do_prints_one_plain_line(
    ghserver: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _github_env(ghserver, monkeypatch, tmp_path)
    use_doubles(monkeypatch, FakeStacks(), FakeLive())
    ghserver.add_pr(77, head_sha="a" * 40, labels=["bug"])
    rc, out, _ = run(["sync", "77"], capsys)
    assert rc == 0
    assert out.splitlines() == ["PR #77: nothing to do for cli.sync"]


def test_token_permissions_are_one_list(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    listed = settings.token_permissions()
    assert listed == "contents: read, pull-requests: write, issues: write, deployments: write"
    assert len(settings.TOKEN_PERMISSIONS) == 4
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    rc, out, _ = run(["doctor", "--no-aws", "--json"], capsys)
    github = next(c for c in json.loads(out)["checks"] if c["check"] == "github")
    assert rc == 2 and listed in github["fix"]
    with pytest.raises(InputError, match=re.escape(listed)):
        settings.Settings(github_repository="a/b").require_github()


def test_a_refused_write_names_the_same_permissions(
    ghserver: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _github_env(ghserver, monkeypatch, tmp_path)
    monkeypatch.setenv("GITHUB_ACTOR", "maintainer")
    ghserver.collaborators["maintainer"] = "write"
    use_doubles(monkeypatch, FakeStacks(), FakeLive())
    ghserver.add_pr(77, head_sha="a" * 40, labels=[L.START])
    ghserver.read_only_tokens.add(ghserver.token)
    rc, _, err = run(["sync", "77"], capsys)
    assert rc == 1 and "403" in err and settings.token_permissions() in err
